"""The judgement on a pair: verdict, strength, coverage, spin rate, and which is original.

Verdicts (one vocabulary everywhere, see INTERFACE.md):

* ``near_duplicate``: both texts are mostly inside the passages and few words were swapped;
* ``spun_copy``: most of one text rewrites the other with a real share of words swapped;
* ``partial_reuse``: passages exist but cover only part of the texts;
* ``unrelated``: no passage strong enough to report.

Which text is the original: the earlier date when both have one; otherwise the spun side
is the one whose substitutes are rarer words than what they replaced ("Linked Push" for
"Associated Press"); otherwise the side whose passages cover it entirely is the copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from unspin.align import AlignedPassage
from unspin.canonical import Canonical
from unspin.lexicon import Lexicon
from unspin.models import Verdict
from unspin.normalise import non_space_before


@dataclass(frozen=True, slots=True)
class JudgeParams:
    """Thresholds of the verdict; defaults tuned on spun BBC news (see BENCHMARKS.md)."""

    copy_coverage: float = 0.6  # the copy's share inside passages for a whole-text verdict
    near_duplicate_coverage: float = 0.8  # both texts' share for a near duplicate
    spin_threshold: float = 0.04  # spin rate from which a copy counts as spun
    evidence_scale: float = 40.0  # matched weight that makes the score 1 - 1/e
    rarity_margin: float = 0.1  # mean Zipf gap between substitutes that names the spun side
    min_rarity_votes: int = 5
    use_spin_score: bool = True  # fall back on `unspin score` when the swaps are too few


@dataclass(slots=True)
class Judgement:
    verdict: Verdict
    score: float
    coverage_a: float
    coverage_b: float
    spin_rate: float
    original: Literal["a", "b"] | None
    original_reason: str | None


def coverage(text: str, spans: list[tuple[int, int]], content_chars: int) -> float:
    """Share of a text's non-space, non-boilerplate characters inside passages."""
    if content_chars <= 0:
        return 0.0
    before = non_space_before(text)
    end = len(text)
    covered = sum(int(before[min(e, end)]) - int(before[min(s, end)]) for s, e in _merge(spans))
    return min(1.0, covered / content_chars)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def rarity_vote(
    passages: list[AlignedPassage], ca: Canonical, cb: Canonical, lexicon: Lexicon
) -> tuple[float, int]:
    """Mean Zipf(a word) - Zipf(b word) over single-word substitutions, and their count.

    Positive: b's words are rarer, so b is the spun side and a the original.
    """
    wa, wb = ca.weights, cb.weights
    tokens_a: list[int] = []
    tokens_b: list[int] = []
    for ap in passages:
        for i1, i2, j1, j2, _strong in ap.words.spans:
            # (Grammar words say nothing about direction.)
            if i2 - i1 == 1 and j2 - j1 == 1 and wa[i1] != 0 and wb[j1] != 0:
                tokens_a.append(i1)
                tokens_b.append(j1)
    if not tokens_a:
        return 0.0, 0
    za, zb = _zipfs(ca, tokens_a, lexicon), _zipfs(cb, tokens_b, lexicon)
    known = (za != 0) & (zb != 0)
    # No single word decides; summed in order, in Python, as one word at a time would be.
    diffs = np.clip(za[known] - zb[known], -2.0, 2.0).tolist()
    if not diffs:
        return 0.0, 0
    return sum(diffs) / len(diffs), len(diffs)


def _zipfs(c: Canonical, tokens: list[int], lexicon: Lexicon) -> np.ndarray:
    """The Zipf value of each of ``tokens``' words (0 when the lexicon does not know it)."""
    if c.key_table.serves(lexicon):
        return c.key_table.zipf(c.key_ids[tokens], lexicon)
    return np.array([lexicon.zipf(c.keys[i]) for i in tokens], dtype=np.float64)


def judge(
    ca: Canonical,
    cb: Canonical,
    passages: list[AlignedPassage],
    lexicon: Lexicon,
    params: JudgeParams | None = None,
) -> Judgement:
    params = params or JudgeParams()
    a, b = ca.analysis, cb.analysis
    if not passages:
        cov_a = cov_b = 0.0
    else:
        cov_a = coverage(
            a.text, [(p.passage.a_start, p.passage.a_end) for p in passages], a.content_chars
        )
        cov_b = coverage(
            b.text, [(p.passage.b_start, p.passage.b_end) for p in passages], b.content_chars
        )
    aligned = sum(p.passage.aligned_words for p in passages)
    substituted = sum(p.passage.substituted_words for p in passages)
    spin_rate = substituted / aligned if aligned else 0.0
    evidence = sum(p.words.matched_weight_a + p.words.matched_weight_b for p in passages) / 2
    score = 1.0 - math.exp(-evidence / params.evidence_scale)

    if not passages:
        verdict: Verdict = "unrelated"
    elif min(cov_a, cov_b) >= params.near_duplicate_coverage and (
        spin_rate < params.spin_threshold
    ):
        verdict = "near_duplicate"
    elif max(cov_a, cov_b) >= params.copy_coverage and spin_rate >= params.spin_threshold:
        verdict = "spun_copy"
    else:
        verdict = "partial_reuse"

    original, reason = _original(ca, cb, passages, cov_a, cov_b, lexicon, params)
    if verdict == "unrelated":
        original, reason = None, None
    return Judgement(verdict, score, cov_a, cov_b, spin_rate, original, reason)


def _original(
    ca: Canonical,
    cb: Canonical,
    passages: list[AlignedPassage],
    cov_a: float,
    cov_b: float,
    lexicon: Lexicon,
    params: JudgeParams,
) -> tuple[Literal["a", "b"] | None, str | None]:
    da, db = ca.analysis.doc.date, cb.analysis.doc.date
    if da and db and da != db:
        return ("a" if da < db else "b"), "earlier date"
    gap, votes = rarity_vote(passages, ca, cb, lexicon)
    if votes >= params.min_rarity_votes and abs(gap) >= params.rarity_margin:
        return ("a" if gap > 0 else "b"), "the other text's substitutes are rarer words"
    if votes and params.use_spin_score:
        # Too few swaps to compare their rarity: ask the spin detector which whole text
        # reads as machine-spun (loaded only now: most pairs never get here).
        from unspin.score import likelier_copy_analysed

        copy = likelier_copy_analysed(ca.analysis, cb.analysis)
        if copy is not None:
            return ("b" if copy == "a" else "a"), "the other text reads as machine-spun"
    if abs(cov_a - cov_b) >= 0.3:
        # The copy is the text that lies (almost) wholly inside the other.
        return ("a" if cov_b > cov_a else "b"), "the other text lies inside it"
    return None, None
