"""A persistent index of documents and their spin-invariant fingerprints, in one folder.

Embedded and nothing to start. ``DIR/index.sqlite`` (SQLite in WAL mode) holds

* ``docs``: one row per document: its id, metadata and text (zlib-compressed, so that
  candidates can be verified by alignment without the original files);
* ``segments``: which posting segments make up the index (see :mod:`unspin.segments`:
  sorted (feature, document) runs in ``DIR/segments/``, written once, merged now and then);
* ``meta``: the format version, the fingerprint settings (every query is fingerprinted
  exactly as the documents were), a generation counter that tells readers the segments
  changed, and how many postings belong to removed documents.

Every ``add`` and ``remove`` is one transaction: segment files are written (and synced)
before the transaction that lists them commits, and old ones are deleted only after, so a
process killed in the middle leaves the index as it was before; files it left behind are
not listed anywhere and are cleaned up by the next writer. Adding an id again replaces the
document: the old document's row goes at once, its postings when segments are next merged
(queries skip postings of documents no longer stored).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin import fingerprint, segments
from unspin.documents import BadInputError
from unspin.fingerprint import FingerprintParams, fingerprint_texts
from unspin.lexicon import default_lexicon
from unspin.models import Document
from unspin.segments import Segment

FORMAT_VERSION = 3  # 3: word hashes of the vectorised fingerprint
BATCH_DOCUMENTS = 4096  # documents in flight between the reader, the workers and the writer
CHUNK_DOCUMENTS = 64  # documents a worker fingerprints in one pass
SEGMENT_POSTINGS = 4_000_000  # postings buffered before a segment is written (~48 MB)
MAX_SEGMENTS = 8  # more than this and the smallest are merged
MAX_MERGE_POSTINGS = 24_000_000  # largest segment a merge makes (bounds a merge's memory)
DEAD_SHARE = 0.25  # share of postings of removed documents that triggers a compaction
DB_NAME = "index.sqlite"
SEGMENT_DIR = "segments"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    date TEXT, url TEXT, title TEXT,
    chars INTEGER NOT NULL,
    features INTEGER NOT NULL,
    skip TEXT,
    text BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    name TEXT PRIMARY KEY,
    postings INTEGER NOT NULL
);
"""


class IndexUnusable(Exception):
    """An index folder that cannot be used (not an index, another format version)."""


@dataclass(slots=True)
class AddReport:
    """What one ``add`` did."""

    added: int = 0
    replaced: int = 0
    skipped: list[str] = field(default_factory=list)


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepared(docs: list[Document], params: FingerprintParams) -> list[tuple[np.ndarray, bytes]]:
    """What the writer stores of each document: its features and its compressed text (both
    made in worker processes: the single writer must only write). Documents come in
    chunks: fingerprinting many texts at once costs little more than one."""
    feats = fingerprint_texts(docs, params)
    return [(f, zlib.compress(d.text.encode("utf-8"), 6)) for f, d in zip(feats, docs, strict=True)]


def _prepared_worker(
    args: tuple[list[Document], FingerprintParams],
) -> list[tuple[np.ndarray, bytes]]:
    return _prepared(*args)


class Index:
    """An index folder, opened for reading and writing.

    >>> idx = Index("my-index")            # created when absent
    >>> idx.add(read_documents(["archive/"]))
    >>> idx.candidates(features)            # (doc number, shared features), best first

    One object may serve several threads (a web server's): SQLite serialises the
    connection, and the segment list is refreshed under a lock.
    """

    def __init__(self, folder: str | Path, create: bool = True) -> None:
        self.folder = Path(folder)
        db = self.folder / DB_NAME
        if not db.exists():
            if not create:
                raise IndexUnusable(f"{self.folder}: no index here (run `unspin index add`)")
            if self.folder.exists() and any(self.folder.iterdir()):
                raise IndexUnusable(f"{self.folder}: folder exists and is not an unspin index")
            self.folder.mkdir(parents=True, exist_ok=True)
        self.segment_dir = self.folder / SEGMENT_DIR
        self.db = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MB page cache at most
        self.params = self._load_meta()
        self.segment_dir.mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._segments: list[Segment] = []
        self._stats: tuple[str, dict[str, object]] | None = None

    # -- metadata ---------------------------------------------------------------------------

    def _meta_rows(self) -> dict[str, str]:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall()) if has_meta else {}

    def _load_meta(self) -> FingerprintParams:
        rows = self._meta_rows()
        if rows and rows.get("format") != str(FORMAT_VERSION):
            raise IndexUnusable(
                f"{self.folder}: index format {rows.get('format')}, this unspin reads "
                f"{FORMAT_VERSION}: rebuild it"
            )
        if not rows:
            self.db.executescript(_SCHEMA)
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                [
                    ("format", str(FORMAT_VERSION)),
                    ("fingerprint", json.dumps(FingerprintParams().to_dict())),
                    ("generation", "0"),
                    ("dead_postings", "0"),
                ],
            )
            self.db.execute("COMMIT")
            rows = self._meta_rows()
        return FingerprintParams(**json.loads(rows["fingerprint"]))

    def _meta_int(self, cur: sqlite3.Cursor, key: str) -> int:
        return int(cur.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def _set_meta(self, cur: sqlite3.Cursor, key: str, value: int) -> None:
        cur.execute("UPDATE meta SET value = ? WHERE key = ?", (str(value), key))

    # -- writing ----------------------------------------------------------------------------

    def _prepared(
        self, docs: Iterable[Document], jobs: int
    ) -> Iterator[tuple[Document, tuple[np.ndarray, bytes]]]:
        if jobs <= 1:
            for chunk in _batches(docs, CHUNK_DOCUMENTS):
                yield from zip(chunk, _prepared(chunk, self.params), strict=True)
            return
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        fingerprint.prepare(default_lexicon())  # made once here, shared by forked workers
        with ctx.Pool(jobs) as pool:
            # Bounded batches: Pool.imap would read the whole input ahead of the writer,
            # and a corpus of millions of documents does not fit in memory.
            for batch in _batches(docs, BATCH_DOCUMENTS):
                chunks = list(_batches(batch, CHUNK_DOCUMENTS))
                done = pool.imap(_prepared_worker, [(c, self.params) for c in chunks])
                for chunk, prepared in zip(chunks, done, strict=True):
                    yield from zip(chunk, prepared, strict=True)

    def _write(self, work: Callable[[sqlite3.Cursor, _Changes], None]) -> None:
        """Run ``work`` in one write transaction, with segment files made and dropped
        around it so that a failure (or a kill) at any point leaves a consistent index."""
        changes = _Changes()
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            self._remove_orphans(cur)
            work(cur, changes)
            if changes.touched:
                self._maintain(cur, changes)
                self._set_meta(cur, "generation", self._meta_int(cur, "generation") + 1)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            for name in changes.created:
                segments.remove_leftovers(self.segment_dir, name)
            raise
        for name in changes.dropped:
            segments.remove_files(self.segment_dir, name)

    def _remove_orphans(self, cur: sqlite3.Cursor) -> None:
        """Segment files no transaction committed (a writer killed mid-way). Safe here:
        we hold the write lock, so no other writer is making files right now."""
        listed = {name for (name,) in cur.execute("SELECT name FROM segments")}
        for name in segments.on_disk(self.segment_dir) - listed:
            segments.remove_leftovers(self.segment_dir, name)

    def add(
        self,
        docs: Iterable[Document],
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
        on_error: Callable[[BadInputError], None] | None = None,
    ) -> AddReport:
        """Add (or replace) documents, all in one transaction.

        An id given twice in one call is bad input (which of the two is meant?): it raises,
        or with ``on_error`` the later one is reported and left out.
        """
        report = AddReport()

        def work(cur: sqlite3.Cursor, changes: _Changes) -> None:
            buffer = _PostingBuffer()
            seen: set[str] = set()
            for doc, (feats, text) in self._prepared(docs, jobs):
                if doc.id in seen:
                    err = BadInputError(
                        doc.source or "<input>", f"document id {doc.id!r} given twice", doc.line
                    )
                    if on_error is None:
                        raise err
                    on_error(err)
                    report.skipped.append(doc.id)
                    continue
                seen.add(doc.id)
                if self._delete(cur, doc.id, changes):
                    report.replaced += 1
                else:
                    report.added += 1
                cur.execute(
                    "INSERT INTO docs(id, date, url, title, chars, features, skip, text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.id,
                        doc.date,
                        doc.url,
                        doc.title,
                        len(doc.text),
                        len(feats),
                        json.dumps(doc.skip) if doc.skip else None,
                        text,
                    ),
                )
                buffer.append(feats, cur.lastrowid)
                changes.touched = True
                if buffer.postings >= SEGMENT_POSTINGS:
                    self._flush(cur, buffer, changes)
                if progress is not None:
                    progress(1)
            self._flush(cur, buffer, changes)

        self._write(work)
        return report

    def _flush(self, cur: sqlite3.Cursor, buffer: _PostingBuffer, changes: _Changes) -> None:
        if not buffer.postings:
            return
        features, docs = buffer.take()
        name = segments.write(self.segment_dir, features, docs)
        changes.created.append(name)
        cur.execute("INSERT INTO segments(name, postings) VALUES (?, ?)", (name, len(features)))

    def _delete(self, cur: sqlite3.Cursor, doc_id: str, changes: _Changes) -> bool:
        row = cur.execute("SELECT num, features FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        cur.execute("DELETE FROM docs WHERE num = ?", (row[0],))
        changes.dead += row[1]
        changes.touched = True
        return True

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id, in one transaction; returns the ids that were absent."""
        missing: list[str] = []

        def work(cur: sqlite3.Cursor, changes: _Changes) -> None:
            for doc_id in ids:
                if not self._delete(cur, doc_id, changes):
                    missing.append(doc_id)

        self._write(work)
        return missing

    def _maintain(self, cur: sqlite3.Cursor, changes: _Changes) -> None:
        """Merge segments: all of them (in bounded groups) when removed documents hold a
        large share of the postings, else the smallest when there are too many."""
        dead = self._meta_int(cur, "dead_postings") + changes.dead
        rows = cur.execute("SELECT name, postings FROM segments ORDER BY postings").fetchall()
        total = sum(n for _, n in rows)
        if total and dead > DEAD_SHARE * total:
            groups = _groups(rows, MAX_MERGE_POSTINGS)
            dead = 0
        elif len(rows) > MAX_SEGMENTS:
            smallest = rows[: len(rows) - MAX_SEGMENTS // 2 + 1]
            groups = [g for g in _groups(smallest, MAX_MERGE_POSTINGS) if len(g) > 1]
        else:
            groups = []
        if groups:
            alive = np.array(
                [n for (n,) in cur.execute("SELECT num FROM docs ORDER BY num")], dtype=np.int64
            )
            for group in groups:
                merged = segments.merge(
                    self.segment_dir,
                    [Segment.open(self.segment_dir, name) for name, _ in group],
                    alive,
                )
                cur.executemany("DELETE FROM segments WHERE name = ?", [(n,) for n, _ in group])
                changes.dropped.extend(n for n, _ in group)
                if merged is not None:
                    name, size = merged
                    changes.created.append(name)
                    cur.execute("INSERT INTO segments(name, postings) VALUES (?, ?)", (name, size))
        self._set_meta(cur, "dead_postings", dead)

    # -- reading ----------------------------------------------------------------------------

    def _current_segments(self) -> list[Segment]:
        """The committed segments, memory-mapped; re-read when a writer changed them."""
        with self._lock:
            for _attempt in range(3):
                generation = self.db.execute(
                    "SELECT value FROM meta WHERE key = 'generation'"
                ).fetchone()[0]
                if generation == self._generation:
                    return self._segments
                names = [n for (n,) in self.db.execute("SELECT name FROM segments ORDER BY name")]
                try:
                    opened = [Segment.open(self.segment_dir, n) for n in names]
                except FileNotFoundError:
                    continue  # a merge committed between our two reads: look again
                self._segments, self._generation = opened, generation
                return opened
            raise IndexUnusable(f"{self.folder}: segment files missing")

    def document(self, num: int) -> Document:
        """A stored document by its internal number."""
        row = self.db.execute(
            "SELECT id, date, url, title, skip, text FROM docs WHERE num = ?", (num,)
        ).fetchone()
        if row is None:
            raise KeyError(num)
        doc_id, date, url, title, skip, blob = row
        return Document(
            id=doc_id,
            text=zlib.decompress(blob).decode("utf-8"),
            date=date,
            url=url,
            title=title,
            source=str(self.folder),
            skip=tuple((a, b) for a, b in json.loads(skip)) if skip else (),
        )

    def get(self, doc_id: str) -> Document | None:
        """A stored document by id."""
        row = self.db.execute("SELECT num FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else self.document(row[0])

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def candidates(
        self, features: np.ndarray, limit: int = 10, max_postings: int = 2000
    ) -> list[tuple[int, int]]:
        """Documents sharing the most features with a query: (doc number, shared), best
        first. Features held by more than ``max_postings`` documents are passed over:
        formulaic phrasing shared by half the archive says nothing about the source."""
        query = np.unique(np.asarray(features, dtype=np.uint64))
        segs = self._current_segments()
        if not len(query) or not segs:
            return []
        spans = [seg.ranges(query) for seg in segs]
        totals = sum(hi - lo for lo, hi in spans)
        useful = (totals > 0) & (totals <= max_postings)
        parts = [
            seg.docs[a:b]
            for seg, (lo, hi) in zip(segs, spans, strict=True)
            for a, b in zip(lo[useful].tolist(), hi[useful].tolist(), strict=True)
            if b > a
        ]
        if not parts:
            return []
        nums, counts = np.unique(np.concatenate(parts), return_counts=True)
        order = np.lexsort((nums, -counts))
        out: list[tuple[int, int]] = []
        # Postings of removed documents stay until the next merge: skip those documents.
        for start in range(0, len(order), 4 * limit):
            chunk = order[start : start + 4 * limit]
            ids = nums[chunk].tolist()
            marks = ",".join("?" * len(ids))
            alive = {
                n for (n,) in self.db.execute(f"SELECT num FROM docs WHERE num IN ({marks})", ids)
            }
            out.extend(
                (n, int(c)) for n, c in zip(ids, counts[chunk].tolist(), strict=True) if n in alive
            )
            if len(out) >= limit:
                break
        return out[:limit]

    def postings(self) -> list[tuple[int, str]]:
        """Every live (feature, document id) pair, sorted (for tests and inspection)."""
        ids = dict(self.db.execute("SELECT num, id FROM docs").fetchall())
        pairs = [
            (int(f), ids[int(d)])
            for seg in self._current_segments()
            for f, d in zip(seg.features.tolist(), seg.docs.tolist(), strict=True)
            if int(d) in ids
        ]
        return sorted(pairs)

    def stats(self) -> dict[str, object]:
        """Size and settings, for ``unspin index stats``.

        Summing over every document takes a while in a large index, so the figures are
        kept until a writer changes the index (a server's health check asks often)."""
        generation = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        cached = self._stats
        if cached is not None and cached[0] == generation[0]:
            return dict(cached[1])
        stats = self._compute_stats()
        self._stats = (generation[0], stats)
        return dict(stats)

    def _compute_stats(self) -> dict[str, object]:
        n_docs, chars, feats = self.db.execute(
            "SELECT count(*), coalesce(sum(chars), 0), coalesce(sum(features), 0) FROM docs"
        ).fetchone()
        files = [p for p in self.folder.iterdir() if p.name.startswith(DB_NAME)]
        files += [p for p in self.segment_dir.iterdir() if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        (text_bytes,) = self.db.execute(
            "SELECT coalesce(sum(length(text)), 0) FROM docs"
        ).fetchone()
        segs = self._current_segments()
        return {
            "folder": str(self.folder),
            "documents": n_docs,
            "characters": chars,
            "features": feats,
            "segments": len(segs),
            "postings": sum(len(s) for s in segs),
            "postings_of_removed_documents": self._meta_int(self.db.cursor(), "dead_postings"),
            "bytes_on_disk": size,
            "bytes_of_compressed_text": text_bytes,
            "bytes_per_document_beyond_text": (size - text_bytes) / n_docs if n_docs else 0.0,
            "fingerprint": self.params.to_dict(),
            "format": FORMAT_VERSION,
        }

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(slots=True)
class _Changes:
    """What a write transaction did to the segments, to finish or undo it."""

    created: list[str] = field(default_factory=list)  # deleted if the transaction fails
    dropped: list[str] = field(default_factory=list)  # deleted once it has committed
    dead: int = 0  # postings of documents removed or replaced
    touched: bool = False


class _PostingBuffer:
    """Postings of the documents added since the last segment was written."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.features: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []
        self.postings = 0

    def append(self, features: np.ndarray, num: int) -> None:
        self.features.append(features)
        self.docs.append(np.full(len(features), num, dtype=np.int64))
        self.postings += len(features)

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        out = (np.concatenate(self.features), np.concatenate(self.docs))
        self._clear()
        return out


def _groups(rows: list[tuple[str, int]], cap: int) -> list[list[tuple[str, int]]]:
    """Consecutive runs of segments (smallest first) of at most ``cap`` postings together."""
    groups: list[list[tuple[str, int]]] = []
    size = 0
    for row in rows:
        if groups and size + row[1] <= cap:
            groups[-1].append(row)
            size += row[1]
        else:
            groups.append([row])
            size = row[1]
    return groups
