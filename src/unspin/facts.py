"""Changed facts: the substitutions that change what a text asserts.

A spinner that turns "tens of millions" into "tens of thousands and thousands", "three
years" into "a few yrs" or "Associated Press" into "Linked Push" changes numbers and names,
not just style. Fact-checkers need those listed apart from harmless synonym swaps.
A fact is one substitution, or several adjacent ones merged, widened to the whole number
phrase ("tens of millions", not "millions").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unspin.align import AlignedPassage
from unspin.canonical import Canonical
from unspin.models import ChangedFact, FactKind

NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred hundreds thousand thousands million millions billion
    billions trillion trillions dozen dozens tens half quarter couple few several
    percent""".split()
)
# Words that glue a number phrase together: "tens of millions", "three and a half".
_NUMBER_GLUE = frozenset({"of", "and", "a", "an"})
DATE_WORDS = frozenset(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday today yesterday tomorrow tonight week weeks month
    months year years yr yrs decade decades century weekend morning afternoon evening
    night""".split()
)
_DATES = DATE_WORDS - frozenset(
    ["years", "year", "yrs", "months", "month", "weeks", "week", "decade", "decades", "century"]
)
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_UNITS = frozenset(
    """years year yrs months days weeks hours minutes miles kilometres kilometers km
    percent dollars pounds euros people""".split()
)


def _is_number(key: str) -> bool:
    return key[0].isdigit() or key in NUMBER_WORDS


_KINDS: tuple[FactKind | None, ...] = (None, "number", "date")


def _key_kind(key: str) -> int:
    """What one key says of a fact: 2 a date (a year, a month, a day), 1 a number, 0
    neither."""
    if key[0].isdigit():
        return 2 if _YEAR.match(key) else 1
    return 2 if key in _DATES else 1 if key in NUMBER_WORDS else 0


@dataclass(frozen=True, slots=True)
class _Side:
    """What the fact rules read of one document, looked up once per comparison rather
    than once per substitution (a comparison asks of a hundred)."""

    keys: list[str]
    text: str
    starts: list[int]
    opening: frozenset[int]  # tokens that open a sentence

    @classmethod
    def of(cls, c: Canonical) -> _Side:
        a = c.analysis
        return cls(a.keys, a.text, a.starts, a.sentence_starts)

    def date_or_number(self, lo: int, hi: int) -> FactKind | None:
        """ "date" when a token of ``[lo, hi)`` is a year or a date word, else "number"
        when one is a number, else None."""
        if hi - lo == 1:
            return _KINDS[_key_kind(self.keys[lo])]
        return _KINDS[max(map(_key_kind, self.keys[lo:hi]), default=0)]

    def capitalised(self, lo: int, hi: int) -> bool:
        """A capitalised word that does not open a sentence: part of a name."""
        text, starts, opening = self.text, self.starts, self.opening
        if hi - lo == 1:
            return text[starts[lo]].isupper() and lo not in opening
        return any(text[starts[i]].isupper() and i not in opening for i in range(lo, hi))


def _kind(a: _Side, i1: int, i2: int, b: _Side, j1: int, j2: int) -> FactKind | None:
    """What a substitution changes, if it changes a fact."""
    kind = a.date_or_number(i1, i2) or b.date_or_number(j1, j2)
    if kind:
        return kind
    if a.capitalised(i1, i2) and b.capitalised(j1, j2):
        return "name"  # "Associated Press" -> "Linked Push", "Choe Sun Hui" -> "Choe Sunshine Hui"
    return None


def _widen_number(c: Canonical, lo: int, hi: int) -> tuple[int, int]:
    """Widen a number substitution over its phrase ("tens of millions", "a few yrs")."""
    keys = c.keys

    def numeric(k: str) -> bool:
        return _is_number(k) or k in _NUMBER_GLUE

    while lo > 0 and numeric(keys[lo - 1]):
        lo -= 1
    while hi < len(keys) and numeric(keys[hi]):
        hi += 1
    # Never start or end on glue ("of millions", "millions of"), but keep "a few".
    while lo < hi and keys[lo] in ("of", "and"):
        lo += 1
    while hi > lo and keys[hi - 1] in _NUMBER_GLUE:
        hi -= 1
    if hi < len(keys) and keys[hi] in _UNITS:
        hi += 1
    return lo, hi


def changed_facts(
    ca: Canonical, cb: Canonical, passages: list[AlignedPassage]
) -> list[ChangedFact]:
    """Facts changed between a and b inside the aligned passages, in order of text a.

    Substitutions that touch in both texts are merged into one fact ("Associated Press" ->
    "Linked Push", "two military" -> "armed forces"), except across a plain synonym swap
    that changes no fact ("first" -> "initial").
    """
    facts: list[ChangedFact] = []
    side_a, side_b = _Side.of(ca), _Side.of(cb)
    ta, tb = ca.analysis.text, cb.analysis.text
    sa, ea, sb, eb = ca.analysis.starts, ca.analysis.ends, cb.analysis.starts, cb.analysis.ends
    for ap in passages:
        # [i1, i2, j1, j2, kind of the first substitution, substitutions merged]
        groups: list[list] = []
        for i1, i2, j1, j2, strong in sorted(ap.words.spans):
            kind = _kind(side_a, i1, i2, side_b, j1, j2)
            if kind is None and strong:
                continue  # a synonym swap, not a fact
            if groups and groups[-1][1] == i1 and groups[-1][3] == j1:
                groups[-1][1], groups[-1][3] = i2, j2
                groups[-1][5] += 1
            else:
                groups.append([i1, i2, j1, j2, kind, 1])
        for i1, i2, j1, j2, first_kind, merged in groups:
            kind = first_kind if merged == 1 else _kind(side_a, i1, i2, side_b, j1, j2)
            if kind is None:
                continue
            if kind in ("number", "date"):
                i1, i2 = _widen_number(ca, i1, i2)
                j1, j2 = _widen_number(cb, j1, j2)
            if i1 >= i2 or j1 >= j2:
                continue
            fact = ChangedFact(
                a=ta[sa[i1] : ea[i2 - 1]],
                b=tb[sb[j1] : eb[j2 - 1]],
                kind=kind,
                a_start=sa[i1],
                b_start=sb[j1],
            )
            if not facts or facts[-1] != fact:
                facts.append(fact)
    facts.sort(key=lambda f: (f.a_start, f.b_start))
    return facts
