"""Immutable, sorted runs of postings on disk: the inverted index's storage.

A posting is a (feature, document number) pair. Inserting tens of millions of them one by
one into a B-tree is what made indexing slow and the index large: every insert lands on a
random page. Here postings are written the way search engines write them: a batch of
documents becomes one *segment*, two parallel ``.npy`` arrays sorted by feature (8 bytes
of feature, 4 of document number: 12 bytes a posting, no per-row overhead), written once
and never changed. Looking features up is a binary search over a memory-mapped array, for
all the query's features at once. Small segments are merged into larger ones from time to
time (the log-structured merge of LSM trees), dropping the postings of removed documents.

This module only reads and writes segment files; which segments make up the index is
recorded by :mod:`unspin.index` in its database, in the same transaction as the documents,
so that a crash never exposes half a segment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FEATURE_DTYPE = np.dtype("<u8")
DOC_DTYPE = np.dtype("<u4")
SUFFIXES = (".feat.npy", ".doc.npy")


def new_name() -> str:
    """A fresh segment name (random: two writers never collide, even across crashes)."""
    return secrets.token_hex(8)


def paths(folder: Path, name: str) -> tuple[Path, Path]:
    return folder / f"{name}.feat.npy", folder / f"{name}.doc.npy"


def _save(path: Path, array: np.ndarray) -> None:
    """Write an array durably under a temporary name, then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write(folder: Path, features: np.ndarray, docs: np.ndarray) -> str:
    """Sort postings by feature (then document) and write them as a new segment."""
    order = np.lexsort((docs, features))
    name = new_name()
    feat_path, doc_path = paths(folder, name)
    _save(feat_path, features[order].astype(FEATURE_DTYPE, copy=False))
    _save(doc_path, docs[order].astype(DOC_DTYPE, copy=False))
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the renames themselves survive a crash
    finally:
        os.close(dir_fd)
    return name


@dataclass(slots=True)
class Segment:
    """One segment, memory-mapped: reading it costs page faults, not a parse."""

    name: str
    features: np.ndarray
    docs: np.ndarray

    @classmethod
    def open(cls, folder: Path, name: str) -> Segment:
        feat_path, doc_path = paths(folder, name)
        features = np.load(feat_path, mmap_mode="r").view(np.ndarray)
        docs = np.load(doc_path, mmap_mode="r").view(np.ndarray)
        return cls(name, features, docs)

    def __len__(self) -> int:
        return len(self.features)

    def ranges(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each (sorted) query feature's postings start and end in this segment."""
        return (
            np.searchsorted(self.features, query, side="left"),
            np.searchsorted(self.features, query, side="right"),
        )


def merge(
    folder: Path, segments: list[Segment], alive: np.ndarray | None
) -> tuple[str, int] | None:
    """Write the postings of several segments as one, keeping only documents in ``alive``
    (a sorted array of live document numbers; None keeps all): its name and size, or None
    when nothing is left."""
    features = np.concatenate([s.features for s in segments])
    docs = np.concatenate([s.docs for s in segments])
    if alive is not None:
        keep = np.isin(docs, alive)
        features, docs = features[keep], docs[keep]
    if not len(features):
        return None
    return write(folder, features, docs), len(features)


def remove_files(folder: Path, name: str) -> None:
    for p in paths(folder, name):
        p.unlink(missing_ok=True)


def on_disk(folder: Path) -> set[str]:
    """Names of the segments whose files are in ``folder`` (complete or not)."""
    names = set()
    for p in folder.iterdir():
        for suffix in SUFFIXES:
            if p.name.endswith(suffix):
                names.add(p.name[: -len(suffix)])
            elif p.name.endswith(suffix + ".tmp"):
                names.add(p.name[: -len(suffix) - 4])
    return names


def remove_leftovers(folder: Path, name: str) -> None:
    """Remove a segment's files, including temporary ones a crash left behind."""
    remove_files(folder, name)
    for p in paths(folder, name):
        p.with_name(p.name + ".tmp").unlink(missing_ok=True)
