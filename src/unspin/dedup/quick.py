"""Judging a candidate pair from fingerprints alone, when the answer is clear.

At a million documents, aligning candidate pairs is nearly all of the work of ``unspin
dedup``, and most of those pairs are not in doubt: a reprint or a spun copy of a story shares
nearly all of its spin-invariant features (:mod:`unspin.fingerprint`) with its source. Two
numbers settle such a pair without an alignment:

* **inside**: the share of a document's features that the other also has. Features
  survive spinning, reordering and cutting, so a whole copy has nearly all of them on both
  sides, and a cut copy nearly all of its own;
* **surface kept**: the share of the document's surface (pairs of consecutive words) the
  other has, divided by its share of features. A swapped word breaks the two pairs it is
  in, so a reprint keeps nearly all of its surface and a copy spun at rate r about
  (1 - r)^2 of it.

Pairs outside the clear zones (a partial reuse, a short text, a rate near the line between
a reprint and a spun copy) return ``None`` and are aligned as before. The thresholds are
measured against the alignment's verdicts by ``benchmarks/eval_quick.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class QuickParams:
    """Where fingerprints alone are trusted (see ``benchmarks/eval_quick.py``)."""

    min_features: int = 10  # fewer features on either side: too little evidence
    contained: float = 0.4  # one side at least this much inside the other: judged here
    copy: float = 0.6  # ... this much: a whole (spun) copy, as the judge's copy_coverage
    whole: float = 0.85  # ... and the other too: a whole copy
    # Estimated spin rate: at most ``reprint_rate`` not spun, above ``spun_rate`` spun, in
    # between aligned. The estimate tracks the alignment's rate (see eval_quick), whose
    # line between a near duplicate and a spun copy is 0.04.
    reprint_rate: float = 0.03
    spun_rate: float = 0.03
    # Neither side this much inside the other: at best a partial reuse (weak edge).
    weak_below: float = 0.3


@dataclass(frozen=True, slots=True)
class Overlap:
    """What two documents' fingerprints share."""

    features_a: int
    features_b: int
    shared: int
    surface_a: int
    surface_b: int
    surface_shared: int

    @property
    def inside_a(self) -> float:
        return self.shared / self.features_a if self.features_a else 0.0

    @property
    def inside_b(self) -> float:
        return self.shared / self.features_b if self.features_b else 0.0

    def spin_rate(self) -> float:
        """Share of words swapped, estimated on the side that lies more inside the other."""
        if self.inside_a >= self.inside_b:
            inside, surface = self.inside_a, self.surface_a
        else:
            inside, surface = self.inside_b, self.surface_b
        if not inside or not surface:
            return 1.0
        kept = min(1.0, self.surface_shared / surface / inside)
        return 1.0 - math.sqrt(kept)

    def as_dict(self) -> dict[str, int]:
        return {
            "features_a": self.features_a,
            "features_b": self.features_b,
            "shared": self.shared,
            "surface_a": self.surface_a,
            "surface_b": self.surface_b,
            "surface_shared": self.surface_shared,
        }


def pair_overlap(
    features_a: np.ndarray, features_b: np.ndarray, surface_a: np.ndarray, surface_b: np.ndarray
) -> Overlap:
    """Counts of shared features and surface hashes (all arrays sorted and unique)."""
    return Overlap(
        len(features_a),
        len(features_b),
        len(np.intersect1d(features_a, features_b, assume_unique=True)),
        len(surface_a),
        len(surface_b),
        len(np.intersect1d(surface_a, surface_b, assume_unique=True)),
    )


@dataclass(frozen=True, slots=True)
class QuickJudgement:
    """A verdict with the estimates that stand in for the alignment's figures."""

    verdict: str
    coverage_a: float  # estimated by the share of features inside the other
    coverage_b: float
    spin_rate: float  # estimated from the surface kept


def quick_judgement(overlap: Overlap, params: QuickParams | None = None) -> QuickJudgement | None:
    """The verdict of a clear pair, ``None`` when the pair needs aligning."""
    params = params or QuickParams()
    if min(overlap.features_a, overlap.features_b) < params.min_features:
        return None
    ia, ib = overlap.inside_a, overlap.inside_b
    rate = overlap.spin_rate()
    if params.reprint_rate < rate <= params.spun_rate:
        return None
    if max(ia, ib) < params.contained:
        return None
    if max(ia, ib) < params.copy:
        verdict = "partial_reuse"  # a passage taken: only a weak edge
    elif rate > params.spun_rate:
        verdict = "spun_copy"
    elif min(ia, ib) >= params.whole:
        verdict = "near_duplicate"
    else:
        verdict = "partial_reuse"  # a cut reprint: the judge's partial reuse, mostly inside
    return QuickJudgement(verdict, round(min(1.0, ia), 4), round(min(1.0, ib), 4), round(rate, 4))
