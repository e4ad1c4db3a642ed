"""Reading documents from ``.txt``, ``.jsonl`` (optionally gzipped) and ``.parquet``.

The contract (``INTERFACE.md``) fixes the formats; this module enforces that a document
is never silently dropped or truncated: anything it cannot read becomes a
:class:`BadInputError` naming the file (and the line, for JSON Lines), which the CLI turns
into a one-line message and exit code 2. With ``skip_bad`` the caller gets the error
through ``on_error`` and reading goes on.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from unspin.models import Document

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".parquet")
_DATE_PREFIX = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?$")


class BadInputError(ValueError):
    """A file or record that cannot be read as a document."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


def _suffix(path: Path) -> str | None:
    name = path.name.lower()
    for s in SUFFIXES:
        if name.endswith(s):
            return s
    return None


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted by path)."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and _suffix(f))
            yield from found
        elif path.is_file():
            if _suffix(path) is None:
                raise BadInputError(path, f"unknown format (expected one of {', '.join(SUFFIXES)})")
            yield path
        else:
            raise BadInputError(path, "no such file or folder")


def _decode(path: Path, data: bytes, line: int | None = None) -> str:
    if b"\x00" in data:
        raise BadInputError(path, "binary data (NUL byte), not UTF-8 text", line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInputError(path, f"not valid UTF-8 (byte {e.start})", line) from None


def document_from_text(doc_id: str, text: str, source: str | None = None) -> Document:
    """A document from raw text, reading an optional leading ``date YYYY-MM-DD``.

    The date prefix stays in ``text`` (offsets are into the text exactly as read) and is
    marked in ``skip`` so that it is never compared.
    """
    date = None
    skip: tuple[tuple[int, int], ...] = ()
    m = _DATE_PREFIX.match(text)
    if m:
        date = m.group(1)
        skip = ((0, m.end()),)
    return Document(id=doc_id, text=text, date=date, source=source, skip=skip)


def read_txt(path: Path) -> Document:
    return _txt_document(path, path.read_bytes())


def _txt_document(path: Path, data: bytes) -> Document:
    text = _decode(path, data)
    doc = document_from_text(path.name[: -len(".txt")], text, source=str(path))
    if not doc.text[doc.skip[0][1] if doc.skip else 0 :].strip():
        raise BadInputError(path, "empty document")
    return doc


def _record(path: Path, obj: object, line: int) -> Document:
    """Validate one JSON or Parquet record against the contract."""
    if not isinstance(obj, dict):
        raise BadInputError(path, "expected a JSON object with 'id' and 'text'", line)
    doc_id, text = obj.get("id"), obj.get("text")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id:
        raise BadInputError(path, "missing or invalid 'id' (a non-empty string)", line)
    if not isinstance(text, str):
        raise BadInputError(path, f"document {doc_id!r}: missing or invalid 'text'", line)
    if not text.strip():
        raise BadInputError(path, f"document {doc_id!r}: empty text", line)
    date = obj.get("date")
    if date is not None:
        if not isinstance(date, str) or not _ISO_DATE.match(date.strip()):
            raise BadInputError(path, f"document {doc_id!r}: 'date' is not ISO 8601", line)
        date = date.strip()[:10]
    url, title = obj.get("url"), obj.get("title")
    return Document(
        id=doc_id,
        text=text,
        date=date,
        url=url if isinstance(url, str) else None,
        title=title if isinstance(title, str) else None,
        source=str(path),
        line=line,
    )


def read_jsonl(path: Path, on_error: Callable[[BadInputError], None] | None) -> Iterator[Document]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for n, raw in enumerate(fh, start=1):
                try:
                    if not raw.strip():
                        continue  # blank lines carry no record
                    text = _decode(path, raw, n)
                    try:
                        obj = json.loads(text)
                    except json.JSONDecodeError as e:
                        raise BadInputError(path, f"malformed JSON ({e.msg})", n) from None
                    yield _record(path, obj, n)
                except BadInputError as err:
                    if on_error is None:
                        raise
                    on_error(err)
    except (OSError, EOFError) as e:  # truncated or corrupt gzip
        raise BadInputError(path, f"cannot read: {e}") from None


def read_parquet(
    path: Path, on_error: Callable[[BadInputError], None] | None
) -> Iterator[Document]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a non-Parquet file
        raise BadInputError(path, f"not a Parquet file ({e})") from None
    names = set(pf.schema_arrow.names)
    missing = {"id", "text"} - names
    if missing:
        raise BadInputError(path, f"missing column(s): {', '.join(sorted(missing))}")
    columns = [c for c in ("id", "text", "date", "url", "title") if c in names]
    row = 0
    for batch in pf.iter_batches(columns=columns, batch_size=4096):
        for rec in batch.to_pylist():
            row += 1
            if rec.get("date") is not None and not isinstance(rec["date"], str):
                rec["date"] = rec["date"].isoformat()
            try:
                yield _record(path, rec, row)
            except BadInputError as err:
                if on_error is None:
                    raise
                on_error(err)


def read_documents(
    paths: Iterable[str | Path],
    on_error: Callable[[BadInputError], None] | None = None,
) -> Iterator[Document]:
    """All documents under ``paths``, in order. Raises :class:`BadInputError` on the first
    bad file or record, unless ``on_error`` is given (``--skip-bad``): then bad records are
    handed to it and the rest is read."""
    for path in iter_files(paths):
        suffix = _suffix(path)
        try:
            if suffix == ".txt":
                yield read_txt(path)
            elif suffix == ".parquet":
                yield from read_parquet(path, on_error)
            else:
                yield from read_jsonl(path, on_error)
        except BadInputError as err:
            if on_error is None:
                raise
            on_error(err)


def read_document(path: str | Path) -> Document:
    """Exactly one document from a path (``compare``'s arguments)."""
    if _suffix(Path(path)) == ".txt":
        # The common case (``--pairs`` reads thousands): open the file straight away
        # rather than first asking whether it is a file or a folder, a third of the time.
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            pass  # (a folder, a missing file: the general path below says which)
        else:
            return _txt_document(Path(path), data)
    docs = list(read_documents([path]))
    if len(docs) != 1:
        raise BadInputError(path, f"expected one document, found {len(docs)}")
    return docs[0]
