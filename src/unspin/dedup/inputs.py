"""Reading a corpus for dedup: the documents of ``unspin.documents``, numbered in input order.

Two additions: ids must be unique (the output names documents and clusters by id, so a
second document with an id seen before is bad input, reported with its file and line), and
``path_ids`` names ``.txt`` documents by their path under the folder given
(``business/001``), for collections such as the BBC set whose file names repeat across
folders.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from unspin.documents import BadInputError, read_documents
from unspin.models import Document

OnError = Callable[[BadInputError], None]


def _path_id(doc: Document, root: Path) -> Document:
    if doc.source is None or doc.line is not None or not root.is_dir():
        return doc  # JSON Lines and Parquet records keep their own ids
    rel = Path(doc.source).relative_to(root).as_posix()
    return dataclasses.replace(doc, id=rel[: -len(".txt")] if rel.endswith(".txt") else rel)


def read_corpus(
    paths: Iterable[str | Path], on_error: OnError | None = None, path_ids: bool = False
) -> Iterator[Document]:
    """Documents in input order; a repeated id raises (or goes to ``on_error``)."""
    seen: dict[str, tuple[str | None, int | None]] = {}
    for root in paths:
        for doc in read_documents([root], on_error=on_error):
            if path_ids:
                doc = _path_id(doc, Path(root))
            first = seen.get(doc.id)
            if first is not None:
                where = f"{first[0]}:{first[1]}" if first[1] is not None else str(first[0])
                err = BadInputError(
                    doc.source or "?",
                    f"duplicate id {doc.id!r} (first at {where}; ids must be unique"
                    + (")" if path_ids else "; --path-ids names .txt files by their path)"),
                    doc.line,
                )
                if on_error is None:
                    raise err
                on_error(err)
                continue
            seen[doc.id] = (doc.source, doc.line)
            yield doc
