"""The scale benchmark's corpus generator, on a few synthetic articles and a tiny thesaurus.

What the benchmark's scoring relies on: ids are unique, originals come first and unchanged,
every variant differs from its source, and the sidecar maps every document to the article it
derives from (never to a held-out one). Also that the corpus does not depend on the number of
worker processes, so a figure can be reproduced on another machine.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ lives at the repository root, outside src/
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import CorpusFiles, FastSpinner, write_corpus  # noqa: E402
from benchmarks.spinner import Spinner  # noqa: E402
from benchmarks.testsets import split_sentences, synthetic_articles  # noqa: E402

THESAURUS = {
    "t": {
        "leader": "chief|head",
        "meeting": "encounter|assembly",
        "country": "nation|land",
        "official": "functionary|bureaucrat",
        "factory": "plant|works",
        "rocket": "projectile|missile",
        "party": "social gathering|celebration",
        "arrive": "come|get",
    }
}
VOCAB = ["leader", "meeting", "country", "officials", "factory", "rockets", "party", "arrived"]


@pytest.fixture(scope="module")
def spinner() -> Spinner:
    return Spinner(sources=("t",), rate=0.3, seed=1, thesauri=THESAURUS)


def _write(tmp: Path, spinner: Spinner, jobs: int, n_docs: int = 80) -> tuple[list, list]:
    articles = synthetic_articles(7, seed=2, vocab=VOCAB)
    files = CorpusFiles.at(tmp / f"corpus-{n_docs}-3.jsonl")
    meta = write_corpus(
        files,
        articles[:6],
        n_docs,
        seed=3,
        spinner=spinner,
        jobs=jobs,
        held_out=[articles[6].id],
        chunk=9,
    )
    assert meta["docs"] == n_docs and meta["variants"] == n_docs - 6
    assert sum(meta["kinds"].values()) == n_docs - 6
    docs = [json.loads(line) for line in files.corpus.read_text(encoding="utf-8").splitlines()]
    side = [line.split("\t") for line in files.sources.read_text(encoding="utf-8").splitlines()]
    return docs, side


def test_corpus_ids_variants_and_sidecar(tmp_path: Path, spinner: Spinner) -> None:
    articles = synthetic_articles(7, seed=2, vocab=VOCAB)
    originals = {a.id: a.text for a in articles[:6]}
    docs, side = _write(tmp_path, spinner, jobs=1)
    assert len(docs) == 80
    ids = [d["id"] for d in docs]
    assert len(set(ids)) == len(ids)
    # Originals first and as they were: the first M documents always hold every source.
    assert {d["id"]: d["text"] for d in docs[:6]} == originals
    # The sidecar is in corpus order and maps each document to an indexed original.
    assert [row[0] for row in side] == ids
    assert all(row[1] in originals for row in side)
    assert articles[6].id not in {row[1] for row in side}
    assert all(row[2] == "original" and row[1] == row[0] for row in side[:6])
    seen_kinds = set()
    for doc, (_, source, kind) in zip(docs[6:], side[6:], strict=True):
        src = originals[source]
        assert doc["text"].strip() != src.strip(), kind
        seen_kinds.update(kind.split("+"))
        if "spun" not in kind:  # shuffles and truncations only move or drop words
            assert not Counter(doc["text"].split()) - Counter(src.split())
        if "truncated" in kind:
            assert len(split_sentences(doc["text"])) < len(split_sentences(src))
        if "spun" not in kind:  # the headline leads every variant
            assert doc["text"].split("\n", 1)[0] == src.split("\n", 1)[0]
    assert {"spun0.15", "spun0.3", "spun0.5", "shuffled", "truncated"} <= seen_kinds


def test_corpus_is_the_same_whatever_the_jobs(tmp_path: Path, spinner: Spinner) -> None:
    one = _write(tmp_path / "one", spinner, jobs=1)
    two = _write(tmp_path / "two", spinner, jobs=2)
    assert one == two


def test_fast_spinner_substitutes_from_the_thesaurus(spinner: Spinner) -> None:
    import random

    text = "Leader speaks\n\nThe leader arrived at the meeting with 20 officials. The party ended."
    fast = FastSpinner(spinner)
    tpl = fast.template("x/1", text)
    out = fast.variant(tpl, random.Random(0), rate=1.0)
    # Every eligible word swapped, capitals kept, numbers and grammar words untouched.
    assert "Chief" in out or "Head" in out
    assert "leader" not in out.lower() and "meeting" not in out and "arrived" not in out
    assert " 20 " in out and " the " in out
    assert any(w in out for w in ("functionaries", "bureaucrats"))
    assert fast.substituted >= 5
