"""The persistent index: adding, replacing, removing, atomicity, bad input."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
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
        n_postings = len(idx.postings())
        report = idx.add([document_from_text("snow", STORIES["snow"] + " More snow is due.")])
        assert (report.added, report.replaced) == (0, 1)
        assert idx.get("snow").text.endswith("More snow is due.")
        assert idx.remove(["snow", "nope"]) == ["nope"]
        assert len(idx) == 2
        # Only stored documents' postings are live; the rest go at the next merge.
        live = {d for _, d in idx.postings()}
        assert "snow" not in live and "match" in live and live <= {"rates", "match"}
        assert len(idx.postings()) < n_postings
        assert idx.candidates(np.array([f for f, _ in idx.postings()], dtype=np.uint64))
        idx.remove(["rates", "match"])
        assert idx.postings() == [] and len(idx) == 0
        # Removing everything leaves only dead postings: the compaction drops them all.
        assert idx.stats()["postings"] == 0


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
    # Kill it mid-write: as soon as its first posting segment appears on disk, which is
    # written before the transaction that lists it commits (a fixed delay was a race: the
    # add got faster than the delay).
    segment_dir = folder / "segments"
    before = set(os.listdir(segment_dir))
    deadline = time.monotonic() + 120
    while set(os.listdir(segment_dir)) == before:
        assert proc.poll() is None, "the add finished before it could be killed"
        assert time.monotonic() < deadline, "the add wrote no segment"
        time.sleep(0.001)
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
            assert one.postings() == two.postings()
            assert len(two) == 9
    finally:
        index_module.BATCH_DOCUMENTS = old


def test_many_adds_merge_segments_and_keep_every_posting(tmp_path, monkeypatch):
    import unspin.index as index_module

    monkeypatch.setattr(index_module, "MAX_SEGMENTS", 3)
    docs = [document_from_text(f"d{i}", f"Story {i}. " + STORIES["snow"]) for i in range(7)]
    with Index(tmp_path / "many") as many, Index(tmp_path / "once") as once:
        for doc in docs:  # one segment per add: merges must keep the count bounded
            many.add([doc])
            assert many.stats()["segments"] <= 3
        once.add(docs)
        assert many.postings() == once.postings()
        features = np.array([f for f, _ in once.postings()], dtype=np.uint64)
        assert len(many.candidates(features, limit=10)) == 7


def test_files_of_a_killed_writer_are_cleaned_up(tmp_path):
    from unspin import segments

    folder = tmp_path / "idx"
    with Index(folder) as idx:
        idx.add(_docs(**STORIES))
        before = idx.postings()
        # What a writer killed after writing a segment but before committing leaves.
        name = segments.write(idx.segment_dir, np.array([1, 2], np.uint64), np.array([9, 9]))
        (idx.segment_dir / "feedfeedfeedfeed.doc.npy.tmp").write_bytes(b"half")
        assert idx.postings() == before  # not listed: invisible to readers
        idx.add([document_from_text("new", STORIES["snow"] + " Again.")])
        left = segments.on_disk(idx.segment_dir)
        assert name not in left and "feedfeedfeedfeed" not in left
        assert len(left) == idx.stats()["segments"]


def test_index_of_another_format_is_refused(tmp_path):
    folder = tmp_path / "old"
    with Index(folder):
        pass
    db = sqlite3.connect(folder / "index.sqlite")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'format'")
    db.commit()
    db.close()
    with pytest.raises(IndexUnusable, match="format 1"):
        Index(folder, create=False)


def test_stats_follow_every_write(tmp_path):
    with Index(tmp_path / "idx") as idx:
        idx.add(_docs(rates=STORIES["rates"]))
        assert idx.stats()["documents"] == 1
        assert idx.stats()["documents"] == 1  # kept between writes
        idx.add(_docs(snow=STORIES["snow"], match=STORIES["match"]))
        assert idx.stats()["documents"] == 3
        idx.remove(["snow"])
        assert idx.stats()["documents"] == 2
        # Another process writing to the same folder is seen too.
        with Index(tmp_path / "idx", create=False) as other:
            other.remove(["match"])
        assert idx.stats()["documents"] == 1
