"""Finding sources in an index, through the library and the command line."""

import json

import pytest
from typer.testing import CliRunner

from unspin.check import check, check_many
from unspin.cli import app
from unspin.documents import document_from_text, read_document
from unspin.index import Index

from .conftest import SEED_ORIGINAL, SEED_SPUN
from .test_judge import OTHER, SPUN, STORY

runner = CliRunner()


@pytest.fixture()
def index(tmp_path):
    idx = Index(tmp_path / "idx")
    idx.add(
        [
            read_document(SEED_ORIGINAL),
            document_from_text("bank", STORY),
            document_from_text("snow", OTHER),
        ]
    )
    yield idx
    idx.close()


def test_spun_copy_finds_its_source(index):
    r = check(read_document(SEED_SPUN), index)
    assert r.verdict in ("spun_copy", "partial_reuse")
    assert r.matches[0].source.id == "000_84929002fb0b65f4"
    j = r.to_json()
    assert j["matches"][0]["passages"]
    p = j["matches"][0]["passages"][0]
    assert p["query_start"] < p["query_end"] and p["source_start"] < p["source_end"]
    assert check(document_from_text("q", SPUN), index).matches[0].source.id == "bank"


def test_unrelated_query_has_no_match(index):
    q = document_from_text(
        "q",
        "Scientists found water ice in a crater on the Moon's south "
        "pole, the space agency said on Friday, after a two year survey.",
    )
    r = check(q, index)
    assert r.matches == [] and r.to_json() == {"id": "q", "verdict": "unrelated", "matches": []}


def test_check_many_in_order_with_jobs(index):
    queries = [
        document_from_text("q1", SPUN),
        read_document(SEED_SPUN),
        document_from_text("q3", OTHER),
    ]
    one = [r.to_json() for r in check_many(queries, index)]
    two = [r.to_json() for r in check_many(queries, index, jobs=2)]
    assert one == two and [r["id"] for r in one] == ["q1", "003_24709a69db771866", "q3"]


def test_cli_index_and_check(tmp_path):
    folder = tmp_path / "idx"
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        json.dumps({"id": "bank", "text": STORY})
        + "\n{broken\n"
        + json.dumps({"id": "snow", "text": OTHER})
        + "\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["index", "add", str(docs), "--index", str(folder)])
    assert r.exit_code == 2 and f"{docs}:2:" in r.stderr and "nothing was added" in r.stderr
    r = runner.invoke(app, ["index", "add", str(docs), "--index", str(folder), "--skip-bad"])
    assert r.exit_code == 0 and "added 2" in r.stderr
    r = runner.invoke(app, ["index", "stats", "--index", str(folder), "--json"])
    assert json.loads(r.stdout)["documents"] == 2
    q = tmp_path / "q.txt"
    q.write_text(SPUN, encoding="utf-8")
    r = runner.invoke(app, ["check", str(q), "--index", str(folder), "--json"])
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["id"] == "q" and out["matches"][0]["id"] == "bank"
    assert set(out["matches"][0]) >= {"id", "score", "verdict", "coverage", "spin_rate", "passages"}
    r = runner.invoke(app, ["index", "remove", "bank", "--index", str(folder)])
    assert r.exit_code == 0
    r = runner.invoke(app, ["check", str(q), "--index", str(folder), "--json"])
    assert json.loads(r.stdout)["verdict"] == "unrelated"
    r = runner.invoke(app, ["check", str(q), "--index", str(tmp_path / "none")])
    assert r.exit_code == 2 and "no index here" in r.stderr
