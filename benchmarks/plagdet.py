"""PAN text-alignment measures: macro precision and recall, granularity, plagdet.

As defined by Potthast, Stein, Barron-Cedeno and Rosso, "An Evaluation Framework for Plagiarism
Detection" (COLING 2010), and as computed by PAN's reference implementation (perfmeasures.py),
whose edge cases are followed exactly so that our numbers compare with published ones:

- A case ``s`` or a detection ``r`` is a set of characters: its suspicious span plus its source
  span, so ``|s| = (susp_end - susp_start) + (src_end - src_start)``.
- ``r`` detects ``s`` when they belong to the same document pair and overlap both in the
  suspicious and in the source document; ``s ⊓ r`` is then ``s ∩ r``, else empty.
- ``rec = 1/|S| Σ_s |⋃_r (s ⊓ r)| / |s|``, ``prec = 1/|R| Σ_r |⋃_s (s ⊓ r)| / |r|``.
- With no cases and no detections both are 1; with only one of the two empty both are 0.
- ``gran = 1/|S_R| Σ_{s ∈ S_R} |R_s|`` over the detected cases ``S_R``, 1 when nothing is
  detected or there are no detections.
- ``plagdet = F1 / log2(1 + gran)``, 0 when precision and recall are both 0.

Cases and detections are ``(src_start, src_end, susp_start, susp_end)`` half-open spans, grouped
by document pair: a detection and a case only interact within the same pair. Pairs without any
case (unrelated pairs) still count: their detections are false positives that lower precision.
Annotations covering no character at all are ignored (the reference code would divide by 0).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

Span = tuple[int, int, int, int]  # (src_start, src_end, susp_start, susp_end)
Annotations = Mapping[Hashable, Sequence[Span]]


@dataclass(frozen=True)
class PlagdetResult:
    """The four PAN numbers plus the counts behind them."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    detected_cases: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["f1"] = self.f1
        return out


def _check(span: Sequence[int]) -> Span:
    if len(span) != 4:
        raise ValueError(f"expected (src_start, src_end, susp_start, susp_end), got {span!r}")
    a, b, c, d = (int(x) for x in span)
    if a < 0 or c < 0 or b < a or d < c:
        raise ValueError(f"bad span {span!r}: need 0 <= start <= end on both sides")
    return a, b, c, d


def _normalise(annotations: Annotations) -> dict[Hashable, list[Span]]:
    out: dict[Hashable, list[Span]] = {}
    for pair, spans in annotations.items():
        kept = [s for s in map(_check, spans) if (s[1] - s[0]) + (s[3] - s[2]) > 0]
        out[pair] = kept
    return out


def _count(annotations: Mapping[Hashable, Sequence[Span]]) -> int:
    return sum(len(v) for v in annotations.values())


def detects(case: Span, det: Span) -> bool:
    """PAN's ``is_overlapping``: overlap in the suspicious and in the source document."""
    return (
        det[3] > case[2]
        and det[2] < case[3]  # suspicious side
        and det[1] > case[0]
        and det[0] < case[1]  # source side
    )


def _covered(lo: int, hi: int, others: Iterable[tuple[int, int]]) -> int:
    """Characters of [lo, hi) covered by the union of the ``others`` intervals."""
    clipped = sorted((max(lo, a), min(hi, b)) for a, b in others if min(hi, b) > max(lo, a))
    total, end = 0, lo
    for a, b in clipped:
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def case_recall(case: Span, detections: Sequence[Span]) -> float:
    """|⋃_r (s ⊓ r)| / |s| for one case (or, roles swapped, one detection's precision)."""
    hits = [d for d in detections if detects(case, d)]
    size = (case[1] - case[0]) + (case[3] - case[2])
    if not hits or size == 0:
        return 0.0
    src = _covered(case[0], case[1], ((d[0], d[1]) for d in hits))
    susp = _covered(case[2], case[3], ((d[2], d[3]) for d in hits))
    return (src + susp) / size


def _macro_recall(cases: dict[Hashable, list[Span]], dets: dict[Hashable, list[Span]]) -> float:
    n_cases, n_dets = _count(cases), _count(dets)
    if n_cases == 0 and n_dets == 0:
        return 1.0
    if n_cases == 0 or n_dets == 0:
        return 0.0
    total = 0.0
    for pair, pair_cases in cases.items():
        pair_dets = dets.get(pair, [])
        if pair_dets:
            total += sum(case_recall(c, pair_dets) for c in pair_cases)
    return total / n_cases


def macro_recall(cases: Annotations, detections: Annotations) -> float:
    """Macro-averaged character recall over all cases of all pairs."""
    return _macro_recall(_normalise(cases), _normalise(detections))


def macro_precision(cases: Annotations, detections: Annotations) -> float:
    """Macro-averaged character precision over all detections of all pairs."""
    return _macro_recall(_normalise(detections), _normalise(cases))


def _granularity(cases: dict[Hashable, list[Span]], dets: dict[Hashable, list[Span]]) -> float:
    if _count(dets) == 0:
        return 1.0
    per_case = []
    for pair, pair_cases in cases.items():
        pair_dets = dets.get(pair, [])
        for case in pair_cases:
            n = sum(detects(case, d) for d in pair_dets)
            if n:
                per_case.append(n)
    return sum(per_case) / len(per_case) if per_case else 1.0


def granularity(cases: Annotations, detections: Annotations) -> float:
    """Mean number of detections per detected case (1 is ideal)."""
    return _granularity(_normalise(cases), _normalise(detections))


def plagdet_score(recall: float, precision: float, gran: float) -> float:
    """F1 of precision and recall divided by log2(1 + granularity)."""
    if (recall == 0 and precision == 0) or precision < 0 or recall < 0 or gran < 1:
        return 0.0
    return (2 * recall * precision / (recall + precision)) / math.log2(1 + gran)


def evaluate(cases: Annotations, detections: Annotations) -> PlagdetResult:
    """All PAN measures for detections against cases, both keyed by document pair.

    Pairs may be missing from either mapping (no cases there / no detections there).
    """
    c, d = _normalise(cases), _normalise(detections)
    rec = _macro_recall(c, d)
    prec = _macro_recall(d, c)
    gran = _granularity(c, d)
    detected = sum(
        1 for pair, pc in c.items() for case in pc if any(detects(case, x) for x in d.get(pair, []))
    )
    return PlagdetResult(
        precision=prec,
        recall=rec,
        granularity=gran,
        plagdet=plagdet_score(rec, prec, gran),
        cases=_count(c),
        detections=_count(d),
        detected_cases=detected,
    )


def evaluate_pairs(pairs: Iterable[tuple[Sequence[Span], Sequence[Span]]]) -> PlagdetResult:
    """Convenience: (cases, detections) per document pair, pairs numbered in order."""
    cases: dict[Hashable, Sequence[Span]] = {}
    dets: dict[Hashable, Sequence[Span]] = {}
    for i, (pc, pd) in enumerate(pairs):
        cases[i] = pc
        dets[i] = pd
    return evaluate(cases, dets)
