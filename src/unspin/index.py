"""A persistent index of documents and their spin-invariant fingerprints, in one folder.

Embedded and nothing to start: one SQLite database in WAL mode (``DIR/index.sqlite``).

* ``docs``: one row per document: its id, metadata and text (zlib-compressed, so that
  candidates can be verified by alignment without the original files);
* ``postings``: (feature, document) pairs, the inverted index of
  :func:`unspin.fingerprint.fingerprint` features, clustered by feature;
* ``meta``: the format version and the fingerprint settings, so that every query is
  fingerprinted exactly as the documents were.

Every ``add`` and ``remove`` is one transaction: a process killed in the middle leaves the
index as it was before (SQLite's journal guarantees it), never half-written. Adding an id
again replaces the document. Fingerprints are recomputed from the stored text when a
document is replaced or removed, so they need not be stored twice.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.documents import BadInputError
from unspin.fingerprint import FingerprintParams, as_signed, fingerprint_text
from unspin.models import Document

FORMAT_VERSION = 1
BATCH_DOCUMENTS = 4096  # documents in flight between the reader, the workers and the writer
DB_NAME = "index.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    date TEXT, url TEXT, title TEXT,
    chars INTEGER NOT NULL,
    features INTEGER NOT NULL,
    skip TEXT,
    text BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
    feature INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (feature, doc)
) WITHOUT ROWID;
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


def _features(doc: Document, params: FingerprintParams) -> tuple[Document, np.ndarray]:
    return doc, fingerprint_text(doc, params)


def _features_worker(args: tuple[Document, FingerprintParams]) -> tuple[Document, np.ndarray]:
    return _features(*args)


class Index:
    """An index folder, opened for reading and writing.

    >>> idx = Index("my-index")            # created when absent
    >>> idx.add(read_documents(["archive/"]))
    >>> idx.candidates(features)            # (doc number, shared features), best first
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
        self.db = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-262144")  # 256 MB page cache at most
        self.db.executescript(_SCHEMA)
        self.params = self._load_meta()

    # -- metadata ---------------------------------------------------------------------------

    def _load_meta(self) -> FingerprintParams:
        rows = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if not rows:
            params = FingerprintParams()
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [("format", str(FORMAT_VERSION)), ("fingerprint", json.dumps(params.to_dict()))],
            )
            self.db.execute("COMMIT")
            return params
        if rows.get("format") != str(FORMAT_VERSION):
            raise IndexUnusable(
                f"{self.folder}: index format {rows.get('format')}, this unspin reads "
                f"{FORMAT_VERSION}: rebuild it"
            )
        return FingerprintParams(**json.loads(rows["fingerprint"]))

    # -- writing ----------------------------------------------------------------------------

    def _fingerprinted(
        self, docs: Iterable[Document], jobs: int
    ) -> Iterator[tuple[Document, np.ndarray]]:
        if jobs <= 1:
            for doc in docs:
                yield _features(doc, self.params)
            return
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(jobs) as pool:
            # Bounded batches: Pool.imap would read the whole input ahead of the writer,
            # and a corpus of millions of documents does not fit in memory.
            for batch in _batches(docs, BATCH_DOCUMENTS):
                yield from pool.imap(
                    _features_worker, [(d, self.params) for d in batch], chunksize=64
                )

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
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            seen: set[str] = set()
            for doc, feats in self._fingerprinted(docs, jobs):
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
                if self._delete(cur, doc.id):
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
                        zlib.compress(doc.text.encode("utf-8"), 6),
                    ),
                )
                num = cur.lastrowid
                cur.executemany(
                    "INSERT OR IGNORE INTO postings(feature, doc) VALUES (?, ?)",
                    ((f, num) for f in as_signed(feats).tolist()),
                )
                if progress is not None:
                    progress(1)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return report

    def _delete(self, cur: sqlite3.Cursor, doc_id: str) -> bool:
        row = cur.execute("SELECT num FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        num = row[0]
        feats = fingerprint_text(self.document(num), self.params)
        cur.executemany(
            "DELETE FROM postings WHERE feature = ? AND doc = ?",
            ((f, num) for f in as_signed(feats).tolist()),
        )
        cur.execute("DELETE FROM docs WHERE num = ?", (num,))
        return True

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id, in one transaction; returns the ids that were absent."""
        missing = []
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for doc_id in ids:
                if not self._delete(cur, doc_id):
                    missing.append(doc_id)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return missing

    # -- reading ----------------------------------------------------------------------------

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
        counts: dict[int, int] = {}
        query = "SELECT doc FROM postings WHERE feature = ? LIMIT ?"
        for f in as_signed(features).tolist():
            docs = self.db.execute(query, (f, max_postings + 1)).fetchall()
            if len(docs) > max_postings:
                continue
            for (d,) in docs:
                counts[d] = counts.get(d, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:limit]

    def stats(self) -> dict[str, object]:
        """Size and settings, for ``unspin index stats``."""
        n_docs, chars, feats = self.db.execute(
            "SELECT count(*), coalesce(sum(chars), 0), coalesce(sum(features), 0) FROM docs"
        ).fetchone()
        files = [p for p in self.folder.iterdir() if p.name.startswith(DB_NAME)]
        size = sum(p.stat().st_size for p in files)
        (text_bytes,) = self.db.execute(
            "SELECT coalesce(sum(length(text)), 0) FROM docs"
        ).fetchone()
        return {
            "folder": str(self.folder),
            "documents": n_docs,
            "characters": chars,
            "features": feats,
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
