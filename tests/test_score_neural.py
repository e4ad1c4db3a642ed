"""The optional neural stage of ``unspin score`` (``pip install 'unspin[neural]'``).

Tests that need WordLlama skip cleanly when the extra is not installed; the error path
(exit 2 with the pip command) is tested either way by pretending the extra is missing.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from unspin import score_neural
from unspin.cli import app
from unspin.documents import read_document
from unspin.models import Document
from unspin.score import load_model, score_document, score_documents
from unspin.score_neural import (
    INSTALL_HINT,
    NEURAL_TOKEN_FEATURES,
    NeuralHead,
    NeuralUnavailable,
)

from .conftest import SEED_ORIGINAL, SEED_SPUN

runner = CliRunner()


@pytest.fixture(scope="module")
def model():
    m = load_model()
    if m.neural is None:
        pytest.skip("the shipped model has no neural stage")
    return m


@pytest.fixture(scope="module")
def neural_ready(model):
    try:
        import wordllama  # noqa: F401 - the optional extra
    except ImportError as e:
        pytest.skip(f"the neural extra is not installed: {e}")
    if not score_neural.available():
        pytest.skip("WordLlama's weights cannot be loaded")
    return model


def test_the_shipped_head_matches_its_features(model):
    head = model.neural
    assert len(head.token_weights) == len(NEURAL_TOKEN_FEATURES)
    assert 0.5 <= head.threshold < 1.0 and 0.5 <= head.evidence_threshold < 1.0


def test_head_round_trips_through_json(tmp_path, model):
    model.neural.save(tmp_path)
    again = NeuralHead.load(tmp_path)
    assert np.allclose(again.token_weights, model.neural.token_weights)
    assert np.allclose(again.doc_weights, model.neural.doc_weights)
    assert again.threshold == model.neural.threshold
    assert NeuralHead.load(tmp_path / "absent") is None


def test_seeds_with_the_neural_stage(neural_ready):
    m = neural_ready
    spun = score_document(read_document(SEED_SPUN), m, neural=True)
    clean = score_document(read_document(SEED_ORIGINAL), m, neural=True)
    assert spun.spun and not clean.spun
    assert spun.threshold == m.neural.threshold
    text = read_document(SEED_SPUN).text
    for e in spun.evidence:
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize("text", ["", "   ", "2004 1,000", "Kim.", "The tidings arrived."])
def test_short_and_empty_texts_with_the_neural_stage(neural_ready, text):
    r = score_document(Document(id="t", text=text), neural_ready, neural=True)
    assert 0.0 <= r.spin_probability <= 1.0
    assert r.spun == (r.spin_probability >= neural_ready.neural.threshold)
    if r.words_scored == 0:
        assert r.spin_probability == 0.0 and not r.evidence


def test_neural_batches_score_as_one_by_one(neural_ready):
    docs = [read_document(SEED_SPUN), Document(id="e", text=""), read_document(SEED_ORIGINAL)]
    one = [score_document(d, neural_ready, neural=True).to_json() for d in docs]
    batched = score_documents(docs, neural_ready, batch=2, neural=True)
    assert [r.to_json() for r in batched] == one


def test_cli_neural_json(neural_ready):
    r = runner.invoke(app, ["score", str(SEED_SPUN), str(SEED_ORIGINAL), "--neural", "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["spun"] and not rows[1]["spun"]


def test_cli_without_the_extra_exits_2_with_the_pip_command(monkeypatch, model):
    def missing():
        raise NeuralUnavailable("cannot import wordllama: No module named 'wordllama'")

    monkeypatch.setattr(score_neural, "word_vectors", missing)
    r = runner.invoke(app, ["score", str(SEED_SPUN), "--neural", "--json"])
    assert r.exit_code == 2
    assert INSTALL_HINT in r.output


def test_neural_probabilities_are_calibrated_on_held_back_articles(neural_ready):
    from .test_score import _heldout_texts

    texts, y = _heldout_texts(neural_ready, 30)
    docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
    p = np.array([r.spin_probability for r in score_documents(docs, neural_ready, neural=True)])
    assert float(np.mean((p - y) ** 2)) < 0.08
    for lo, hi in ((0.0, 0.2), (0.8, 1.0)):
        m = (p >= lo) & (p <= hi)
        if m.sum() >= 10:
            assert abs(p[m].mean() - y[m].mean()) < 0.15, (lo, p[m].mean(), y[m].mean())
    assert (p[y == 0] >= neural_ready.neural.threshold).mean() <= 0.05


def test_cli_model_neural_is_the_neural_stage(neural_ready):
    a = runner.invoke(app, ["score", str(SEED_SPUN), "--model", "neural", "--json"])
    b = runner.invoke(app, ["score", str(SEED_SPUN), "--neural", "--json"])
    assert a.exit_code == 0, a.output
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_cli_model_without_a_neural_stage_exits_2(tmp_path):
    import shutil

    from unspin.score import default_model_path

    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder)
    (folder / "neural.json").unlink(missing_ok=True)
    r = runner.invoke(app, ["score", str(SEED_SPUN), "--model", str(folder), "--neural"])
    assert r.exit_code == 2
    assert "no neural stage" in r.output
