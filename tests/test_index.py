"""The persistent index: adding, replacing, removing, atomicity, bad input."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from unspin.documents import document_from_text
from unspin.index import Index, IndexUnusable

from .conftest import SEED_ORIGINAL

STORIES = {
    "rates": "The central bank raised interest rates on Thursday. Governor Maria Lopez said "
    "inflation remained far too high. Markets in Frankfurt fell after the announcement.",
    "snow": "Heavy snow closed schools across the north on Monday. Drivers were told to stay "
    "at home as temperatures fell to minus ten. Rail services were cut by half.",
    "match": "The striker scored twice as United beat Chelsea on Saturday. The manager praised "
    "his young side after the match at Old Trafford.",
}


def _docs(**texts):
    return [document_from_text(k, v) for k, v in texts.items()]


def test_add_get_stats_reopen(tmp_path):
    folder = tmp_path / "idx"
    with Index(folder) as idx:
        report = idx.add(_docs(**STORIES))
        assert (report.added, report.replaced) == (3, 0)
        assert len(idx) == 3
        assert idx.get("snow").text == STORIES["snow"]
        stats = idx.stats()
        assert stats["documents"] == 3 and stats["features"] > 0
    with Index(folder, create=False) as again:
        assert len(again) == 3


def test_replace_and_remove_keep_postings_consistent(tmp_path):
    with Index(tmp_path / "idx") as idx:
        idx.add(_docs(**STORIES))
        n_postings = idx.db.execute("SELECT count(*) FROM postings").fetchone()[0]
        report = idx.add([document_from_text("snow", STORIES["snow"] + " More snow is due.")])
        assert (report.added, report.replaced) == (0, 1)
        assert idx.get("snow").text.endswith("More snow is due.")
        assert idx.remove(["snow", "nope"]) == ["nope"]
        assert len(idx) == 2
        # Every posting left points at a stored document.
        orphans = idx.db.execute(
            "SELECT count(*) FROM postings WHERE doc NOT IN (SELECT num FROM docs)"
        ).fetchone()[0]
        assert orphans == 0
        assert idx.db.execute("SELECT count(*) FROM postings").fetchone()[0] < n_postings
        idx.remove(["rates", "match"])
        assert idx.db.execute("SELECT count(*) FROM postings").fetchone()[0] == 0


def test_duplicate_id_in_one_add_is_bad_input(tmp_path):
    from unspin.documents import BadInputError

    with Index(tmp_path / "idx") as idx:
        twice = [
            document_from_text("a", "First text here."),
            document_from_text("a", "Second text."),
        ]
        with pytest.raises(BadInputError, match="given twice"):
            idx.add(twice)
        assert len(idx) == 0  # nothing of a failed add remains
        errors = []
        report = idx.add(twice, on_error=errors.append)
        assert report.skipped == ["a"] and len(errors) == 1
        assert idx.get("a").text == "First text here."


def test_not_an_index(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(IndexUnusable, match="not an unspin index"):
        Index(tmp_path / "stuff")
    with pytest.raises(IndexUnusable, match="no index here"):
        Index(tmp_path / "absent", create=False)


def test_kill_during_add_leaves_index_as_before(tmp_path):
    folder = tmp_path / "idx"
    with Index(folder) as idx:
        idx.add(_docs(**STORIES))
    big = tmp_path / "big.jsonl"
    text = SEED_ORIGINAL.read_text(encoding="utf-8")
    with big.open("w", encoding="utf-8") as fh:
        for i in range(8000):
            fh.write(json.dumps({"id": f"d{i}", "text": f"Story {i}. " + text}) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "unspin", "index", "add", str(big), "--index", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.5)  # well into the add: 8,000 documents take several seconds
    assert proc.poll() is None, "the add finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Index(folder, create=False) as idx:
        assert len(idx) == 3
        assert idx.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert idx.get("d0") is None
    assert (
        sqlite3.connect(folder / "index.sqlite").execute("SELECT count(*) FROM docs").fetchone()[0]
        == 3
    )


def test_stored_documents_keep_date_and_skipped_prefix(tmp_path):
    from unspin.documents import read_document

    with Index(tmp_path / "idx") as idx:
        original = read_document(SEED_ORIGINAL)
        idx.add([original])
        stored = idx.get(original.id)
        assert stored.text == original.text and stored.date == "2023-09-12"
        assert stored.skip == original.skip


def test_add_with_workers_matches_one_process(tmp_path):
    import unspin.index as index_module

    docs = [document_from_text(f"d{i}", f"Story number {i}. " + STORIES["rates"]) for i in range(9)]
    old = index_module.BATCH_DOCUMENTS
    index_module.BATCH_DOCUMENTS = 4  # several batches
    try:
        with Index(tmp_path / "one") as one, Index(tmp_path / "two") as two:
            one.add(docs)
            two.add(docs, jobs=2)
            q = "SELECT feature, d.id FROM postings JOIN docs d ON d.num = doc ORDER BY 1, 2"
            assert one.db.execute(q).fetchall() == two.db.execute(q).fetchall()
            assert len(two) == 9
    finally:
        index_module.BATCH_DOCUMENTS = old
