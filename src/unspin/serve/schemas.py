"""The request bodies of the HTTP API, as pydantic models.

Limits live here, in the schema, so that clients see them in the OpenAPI document and a
request breaking one is refused (422, with a message naming the field) before any work is
done. Responses are the library's own JSON (``to_json()``), documented by example rather
than re-modelled, so that the API cannot drift from the command-line contract.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# About 30,000 words: a long report. Alignment cost grows with length, and a server must
# bound the work one request can ask for.
MAX_TEXT_CHARS = 200_000
MAX_ID_CHARS = 256
MAX_TITLE_CHARS = 1_000
# Documents one POST /documents may carry (the body-size limit usually bites first).
MAX_DOCUMENTS = 1_000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _unicode(value: str) -> str:
    """JSON can carry a lone surrogate (``"\\ud800"``), which is no character at all and
    cannot be written back out as UTF-8: refuse it here rather than fail later."""
    if _LONE_SURROGATE.search(value):
        raise ValueError("not valid Unicode (a lone surrogate escape)")
    return value


def _text(value: str) -> str:
    value = _unicode(value)
    if not value.strip():
        raise ValueError("empty text (only white space)")
    return value


def _doc_id(value: str) -> str:
    value = _unicode(value)
    if _CONTROL.search(value):
        raise ValueError("an id cannot contain control characters")
    return value


def _date(value: str) -> str:
    """ISO 8601 as the contract reads it (a date, optionally with a time); kept as the day.

    Checked by pattern only, like the command line's readers: the calendar is not checked.
    """
    if not _ISO_DATE.match(value):
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD)")
    return value[:10]


Text = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="The text, as plain UTF-8 (not only white space).",
        # Documented for clients; enforced by _text, which words the error for people.
        json_schema_extra={"pattern": r"\S"},
    ),
    AfterValidator(_text),
]
DocId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_ID_CHARS,
        description="The document's id (no control characters).",
        json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f]+$"},
    ),
    AfterValidator(_doc_id),
]
Date = Annotated[
    str,
    Field(
        max_length=40,
        description="ISO 8601 date (YYYY-MM-DD); helps tell the original.",
        json_schema_extra={"pattern": _ISO_DATE.pattern},
    ),
    AfterValidator(_date),
]
Title = Annotated[str, Field(max_length=MAX_TITLE_CHARS), AfterValidator(_unicode)]


class TextIn(BaseModel):
    """One text sent for comparison, checking or scoring.

    A leading ``date YYYY-MM-DD`` line is read as the date, exactly as in a ``.txt`` file,
    so a pasted file gives the same result as ``unspin compare`` on it.
    """

    model_config = ConfigDict(extra="forbid")

    text: Text
    id: DocId | None = None
    date: Date | None = None
    title: Title | None = None


class DocumentIn(TextIn):
    """A document to store in the index: the id is required (it is the key)."""

    id: DocId


class CompareIn(BaseModel):
    """Two texts to compare; ``a`` is usually the suspected source, ``b`` the suspect."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "a": {"id": "wire", "text": "The Associated Press reported on Monday..."},
                    "b": {"id": "blog", "text": "The Linked Push reported on Monday..."},
                }
            ]
        },
    )

    a: TextIn
    b: TextIn


DocumentsIn = Annotated[
    DocumentIn | Annotated[list[DocumentIn], Field(min_length=1, max_length=MAX_DOCUMENTS)],
    Field(description="One document, or a list of them (added all or nothing)."),
]
