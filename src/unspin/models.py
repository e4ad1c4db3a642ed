"""The data that flows between unspin's stages, and its JSON form.

Every offset is a Python string index into ``Document.text`` exactly as read
(after UTF-8 decoding, before any cleaning), as a half-open range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["unrelated", "partial_reuse", "near_duplicate", "spun_copy"]
VERDICTS: tuple[Verdict, ...] = ("unrelated", "partial_reuse", "near_duplicate", "spun_copy")
FactKind = Literal["number", "name", "date", "other"]


@dataclass(frozen=True, slots=True)
class Document:
    """One text to compare, with where it came from (for error messages)."""

    id: str
    text: str
    date: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None  # file the document was read from
    line: int | None = None  # 1-based line in that file (JSONL)
    # Leading spans that are metadata, not text (the ``date YYYY-MM-DD`` prefix of a .txt).
    skip: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class Substitution:
    """A word or phrase of text a replaced by one of text b inside an aligned passage.

    (Not frozen, like :class:`Passage`: the word aligner makes hundreds a comparison, and
    a frozen dataclass costs five times as much to build.)"""

    a: str
    b: str
    a_start: int
    b_start: int

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "a_start": self.a_start, "b_start": self.b_start}


@dataclass(frozen=True, slots=True)
class ChangedFact:
    """A substitution that changes what the text asserts: a number, a name, a date."""

    a: str
    b: str
    kind: FactKind
    a_start: int
    b_start: int

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "a_start": self.a_start,
            "b_start": self.b_start,
        }


@dataclass(slots=True)
class Passage:
    """A stretch of text a and the stretch of text b that rewrites it."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    substitutions: list[Substitution] = field(default_factory=list)
    # Content words aligned (kept or substituted) and how many of them were substituted:
    # the raw counts behind the pair's spin rate.
    aligned_words: int = 0
    substituted_words: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "a_start": self.a_start,
            "a_end": self.a_end,
            "b_start": self.b_start,
            "b_end": self.b_end,
            "similarity": round(self.similarity, 4),
            "substitutions": [s.to_json() for s in self.substitutions],
        }


@dataclass(slots=True)
class Comparison:
    """Everything unspin concludes about one pair of documents."""

    a: Document
    b: Document
    verdict: Verdict
    score: float
    coverage_a: float
    coverage_b: float
    spin_rate: float
    original: Literal["a", "b"] | None
    passages: list[Passage]
    changed_facts: list[ChangedFact]
    # Why the original was chosen ("date", "substitute rarity", "containment"), for people.
    original_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (``unspin compare --json``)."""
        return {
            "a": {"id": self.a.id, "chars": len(self.a.text)},
            "b": {"id": self.b.id, "chars": len(self.b.text)},
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "coverage": {"a": round(self.coverage_a, 4), "b": round(self.coverage_b, 4)},
            "spin_rate": round(self.spin_rate, 4),
            "original": self.original,
            "original_reason": self.original_reason,
            "passages": [p.to_json() for p in self.passages],
            "changed_facts": [f.to_json() for f in self.changed_facts],
        }
