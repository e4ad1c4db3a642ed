"""Where engines keep what does not fit in memory: documents by number, postings by feature.

* :class:`DocStore`: one SQLite table of documents (pickled, zlib-compressed), read back by
  number when a pair is verified, so that only documents being compared are in memory.
* :class:`Spill`: (feature, document) postings and candidate pair keys appended to
  partition files by hash, so that each partition can later be sorted and counted in memory
  on its own: an external hash partitioning, bounded by the partition size rather than the
  corpus.
"""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from unspin.models import Document

_MIX = np.uint64(0x9E3779B97F4A7C15)


def pack(doc: Document) -> bytes:
    """A document as the store keeps it (pickled, compressed)."""
    return zlib.compress(pickle.dumps(doc, protocol=5), 1)


def unpack(blob: bytes) -> Document:
    return pickle.loads(zlib.decompress(blob))


class DocStore:
    """Documents by input number, on disk."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        if create:
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute(
                "CREATE TABLE docs (num INTEGER PRIMARY KEY, blob BLOB NOT NULL,"
                " feats BLOB, surface BLOB, chars INTEGER, date TEXT)"
            )
        else:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def add_many(
        self, items: list[tuple[int, bytes, str | None, np.ndarray, np.ndarray, int]]
    ) -> None:
        """Documents as (number, :func:`pack`-ed document, date, features, surface, content
        characters): packed and fingerprinted by workers, so the writer only writes."""
        self.db.executemany(
            "INSERT INTO docs (num, blob, date, feats, surface, chars) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    num,
                    blob,
                    date,
                    f.astype(np.uint64).tobytes(),
                    s.astype(np.uint64).tobytes(),
                    chars,
                )
                for num, blob, date, f, s, chars in items
            ),
        )
        self.db.commit()

    def fingerprint(self, num: int) -> tuple[np.ndarray, np.ndarray]:
        """(features, surface) of a document."""
        row = self.db.execute("SELECT feats, surface FROM docs WHERE num = ?", (num,)).fetchone()
        if row is None:
            raise KeyError(num)
        return (
            np.frombuffer(row[0] or b"", dtype=np.uint64),
            np.frombuffer(row[1] or b"", dtype=np.uint64),
        )

    def naming_info(self, num: int) -> tuple[np.ndarray, int, str | None]:
        """(features, content characters, date) of a document."""
        row = self.db.execute(
            "SELECT feats, chars, date FROM docs WHERE num = ?", (num,)
        ).fetchone()
        if row is None:
            raise KeyError(num)
        return np.frombuffer(row[0] or b"", dtype=np.uint64), int(row[1] or 0), row[2]

    def get(self, num: int) -> Document:
        row = self.db.execute("SELECT blob FROM docs WHERE num = ?", (num,)).fetchone()
        if row is None:
            raise KeyError(num)
        return unpack(row[0])

    def close(self) -> None:
        self.db.close()


class Spill:
    """Append-only partition files of (key uint64, value uint32) records.

    Records go to partition ``hash(key) % parts``; :meth:`partitions` reads them back one
    partition at a time. Buffers are flushed every ``buffer`` records, so memory stays a few
    tens of MB whatever the corpus."""

    def __init__(self, folder: Path, name: str, parts: int = 64, buffer: int = 4_000_000) -> None:
        self.folder = folder
        self.name = name
        self.parts = parts
        self.buffer = buffer
        self._keys: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._pending = 0
        self.records = 0
        folder.mkdir(parents=True, exist_ok=True)

    def _file(self, part: int, what: str) -> Path:
        return self.folder / f"{self.name}-{part:03d}.{what}"

    def add(self, keys: np.ndarray, values: np.ndarray | None = None) -> None:
        if len(keys) == 0:
            return
        self._keys.append(keys.astype(np.uint64, copy=False))
        if values is not None:
            self._values.append(values.astype(np.uint32, copy=False))
        self._pending += len(keys)
        if self._pending >= self.buffer:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate(self._keys)
        values = np.concatenate(self._values) if self._values else None
        with np.errstate(over="ignore"):
            part = ((keys * _MIX) >> np.uint64(40)) % np.uint64(self.parts)
        order = np.argsort(part, kind="stable")
        part, keys = part[order], keys[order]
        if values is not None:
            values = values[order]
        bounds = np.searchsorted(part, np.arange(self.parts + 1, dtype=np.uint64))
        for p in range(self.parts):
            s, e = bounds[p], bounds[p + 1]
            if s == e:
                continue
            with self._file(p, "k").open("ab") as fh:
                keys[s:e].tofile(fh)
            if values is not None:
                with self._file(p, "v").open("ab") as fh:
                    values[s:e].tofile(fh)
        self.records += len(keys)
        self._keys, self._values, self._pending = [], [], 0

    def partitions(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """(keys, values) of each non-empty partition, read back and deleted."""
        self.flush()
        for p in range(self.parts):
            kf, vf = self._file(p, "k"), self._file(p, "v")
            if not kf.exists():
                continue
            keys = np.fromfile(kf, dtype=np.uint64)
            values = np.fromfile(vf, dtype=np.uint32) if vf.exists() else None
            kf.unlink()
            vf.unlink(missing_ok=True)
            yield keys, values
