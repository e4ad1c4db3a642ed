"""The shapes of the API's answers, for the OpenAPI document only.

Endpoints return the library's own ``to_json()`` objects unchanged (so the API says exactly
what ``unspin ... --json`` says); these models describe them for clients and let the
schema tests check that what is sent matches what is documented. Extra fields are allowed:
the contract may grow.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["unrelated", "partial_reuse", "near_duplicate", "spun_copy"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(_Open):
    """Every error: a message for people, and details when there are several problems."""

    error: str
    detail: list[dict[str, str]] | None = None


class _Side(_Open):
    id: str
    chars: int


class _Substitution(_Open):
    a: str
    b: str
    a_start: int
    b_start: int


class _Passage(_Open):
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    substitutions: list[_Substitution]


class _Fact(_Open):
    a: str
    b: str
    kind: Literal["number", "name", "date", "other"]
    a_start: int
    b_start: int


class _Coverage(_Open):
    a: float
    b: float


class _ViewTexts(_Open):
    """What the web page needs besides the result: both texts (offsets index them)."""

    a_text: str
    b_text: str
    a_title: str
    b_title: str
    a_skip: list[list[int]]
    b_skip: list[list[int]]


class CompareOut(_Open):
    """The contract's comparison object (``unspin compare --json``)."""

    a: _Side
    b: _Side
    verdict: Verdict
    score: float
    coverage: _Coverage
    spin_rate: float
    original: Literal["a", "b"] | None
    passages: list[_Passage]
    changed_facts: list[_Fact]
    view: _ViewTexts | None = None


class _CheckCoverage(_Open):
    query: float
    source: float


class _CheckPassage(_Open):
    query_start: int
    query_end: int
    source_start: int
    source_end: int
    similarity: float


class _CheckView(_ViewTexts):
    result: CompareOut


class _Match(_Open):
    id: str
    score: float
    verdict: Verdict
    coverage: _CheckCoverage
    spin_rate: float
    passages: list[_CheckPassage]
    view: _CheckView | None = None


class CheckOut(_Open):
    """The contract's check object (``unspin check --json``) for one query."""

    id: str
    verdict: Verdict
    matches: list[_Match]


class _Evidence(_Open):
    start: int
    end: int
    text: str
    likely_original: str | None


class ScoreOut(_Open):
    """The contract's score object (``unspin score --json``)."""

    id: str
    spin_probability: float
    spun: bool
    evidence: list[_Evidence]


class DocumentOut(_Open):
    """A stored document."""

    id: str
    text: str
    date: str | None
    title: str | None
    url: str | None


class AddOut(_Open):
    added: int
    replaced: int
    ids: list[str]


class RemoveOut(_Open):
    removed: str


class HealthOut(_Open):
    status: Literal["ok"]
    version: str
    writes_enabled: bool
    index: dict[str, object] | None
