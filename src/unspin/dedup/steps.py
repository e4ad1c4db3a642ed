"""The steps of ``unspin dedup`` as plain functions, shared by every engine.

The data flows: documents -> fingerprint features -> candidate pairs (documents sharing
features, found through buckets of one feature each) -> verified edges (the alignment of
:mod:`unspin.compare`) -> connected components -> each cluster's original named -> one output
line per document. The local engine (:mod:`unspin.dedup.local`) and the Spark engine
(:mod:`unspin.dedup.spark`) both call these functions, which is what makes them give the same
clusters: an engine only decides where and in what order the steps run.

Documents are known to the steps by a number, their position in the input (0, 1, ...): it
orders buckets, orients pairs (``a`` is always the lower number) and breaks ties, so that no
result depends on the order in which an engine happens to meet things.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from unspin.canonical import Canonical
from unspin.compare import compare_prepared
from unspin.dedup.quick import QuickParams, pair_overlap, quick_judgement
from unspin.fingerprint import FingerprintParams, fingerprint_with_surface
from unspin.models import Document
from unspin.normalise import non_space

RELATED = ("partial_reuse", "near_duplicate", "spun_copy")  # verdicts that make an edge
STRONG = ("near_duplicate", "spun_copy")  # ... that join clusters whatever the coverage
CONTAINED = 0.8  # coverage from which a partial reuse is a whole text inside another


@dataclass(frozen=True, slots=True)
class DedupParams:
    """What counts as a candidate pair and how a cluster's original is chosen.

    Defaults follow :class:`unspin.check.CheckParams`: a pair needs three shared features
    (a third of the smaller document's for short texts), and features held by more than
    ``max_postings`` documents (formulaic phrasing) are passed over.
    """

    min_shared: int = 3
    max_postings: int = 2000
    # Each bucket (the documents holding one feature) pairs every member with its ``reps``
    # lowest-numbered members only, not with all others: a story with 500 copies gives
    # 500 * reps pairs instead of 125,000, and the copies still meet through those members.
    reps: int = 3
    # Original naming: members at least this complete (features, as a share of the most
    # complete member's) are candidates, at most ``name_candidates`` of them are scored.
    completeness: float = 0.9
    name_candidates: int = 8
    fingerprint: FingerprintParams = field(default_factory=FingerprintParams)
    # Pairs judged from fingerprints when the answer is clear (:mod:`unspin.dedup.quick`);
    # None aligns every pair that is verified.
    quick: QuickParams | None = field(default_factory=QuickParams)


@dataclass(frozen=True, slots=True)
class Edge:
    """A verified pair: documents ``a`` < ``b`` (input numbers) and what the alignment said."""

    a: int
    b: int
    shared: int  # fingerprint features counted for the pair (0: compared for the relation)
    verdict: str
    score: float
    coverage_a: float
    coverage_b: float
    spin_rate: float
    original: str | None  # "a", "b" or None, as in compare
    method: str = "alignment"  # or "features": judged from fingerprints (quick.py)

    @property
    def related(self) -> bool:
        return self.verdict in RELATED

    @property
    def strong(self) -> bool:
        """An edge that joins clusters: a whole copy (near duplicate, spun copy) or one
        text lying (almost) wholly inside the other (a truncated copy). Other partial
        reuse only attaches a lone document (:func:`attach_key`): stories that quote one
        another, share a team line-up or a background paragraph, are not one cluster."""
        return self.verdict in STRONG or (
            self.verdict == "partial_reuse" and max(self.coverage_a, self.coverage_b) >= CONTAINED
        )


Fingerprint = tuple[np.ndarray, np.ndarray]  # (features, surface), sorted unique uint64


def fingerprints(docs: list[Document], params: DedupParams) -> list[Fingerprint]:
    """Each document's spin-invariant features (as the index has them) and its surface."""
    feats, surfaces = fingerprint_with_surface(docs, params.fingerprint)
    return list(zip(feats, surfaces, strict=True))


# ---------------------------------------------------------------------------------------------
# Candidate pairs


def pair_key(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs of document numbers (a < b, both < 2**32) packed in one uint64."""
    return (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)


def unpack_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (keys >> np.uint64(32)).astype(np.int64), (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)


def bucket_pairs(feats: np.ndarray, nums: np.ndarray, params: DedupParams) -> np.ndarray:
    """Candidate pair keys from postings (feature, document number), in any order.

    Postings are grouped into buckets by feature; buckets of one document or of more than
    ``max_postings`` are dropped; in each, the member of rank r (by number) is paired with
    the members of ranks 0 .. min(r, reps) - 1. A key appears once per feature the pair was
    paired through, so counting keys counts shared features (of that kind).
    """
    if len(feats) == 0:
        return np.zeros(0, dtype=np.uint64)
    order = np.lexsort((nums, feats))
    f, n = feats[order], nums[order]
    starts = np.flatnonzero(np.concatenate(([True], f[1:] != f[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(f)])))
    keep = (sizes >= 2) & (sizes <= params.max_postings)
    start_of = np.repeat(starts, sizes)
    size_of = np.repeat(sizes, sizes)
    keep_of = np.repeat(keep, sizes)
    rank = np.arange(len(f)) - start_of
    out = []
    for j in range(params.reps):
        m = keep_of & (rank > j) & (size_of > j)
        out.append(pair_key(n[start_of[m] + j], n[m]))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.uint64)


def shared_floor(n_a: np.ndarray, n_b: np.ndarray, params: DedupParams) -> np.ndarray:
    """Shared features a pair needs: ``min_shared``, or a third of the smaller document's
    features (at least 2) for short texts, as ``unspin check`` asks of a query."""
    smaller = np.minimum(n_a, n_b)
    return np.minimum(params.min_shared, np.maximum(2, smaller // 3))


def count_pairs(
    keys: np.ndarray, n_feats: np.ndarray, params: DedupParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, shared) of the pairs whose keys occur often enough (``n_feats`` indexed by
    document number)."""
    if len(keys) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    uniq, counts = np.unique(keys, return_counts=True)
    a, b = unpack_keys(uniq)
    ok = counts >= shared_floor(n_feats[a], n_feats[b], params)
    return a[ok], b[ok], counts[ok].astype(np.int64)


def candidate_order(a: np.ndarray, b: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Strongest pairs first (most shared features), then by numbers: verifying them first
    connects most documents early, so that weaker pairs inside a cluster can be skipped."""
    return np.lexsort((b, a, -shared))


# ---------------------------------------------------------------------------------------------
# Verification


def verify(a: int, b: int, ca: Canonical, cb: Canonical, shared: int = 0) -> Edge:
    """Align documents ``a`` < ``b`` (always in this orientation, so that any engine gets the
    very same comparison of a pair) and keep what clustering and the output need."""
    c = compare_prepared(ca, cb)
    return Edge(
        a,
        b,
        shared,
        c.verdict,
        round(c.score, 4),
        round(c.coverage_a, 4),
        round(c.coverage_b, 4),
        round(c.spin_rate, 4),
        c.original,
    )


WEAK_ONLY = "weak_only"  # what screen() says of a pair that cannot join two clusters


def screen(
    a: int, b: int, fa: Fingerprint, fb: Fingerprint, shared: int, params: DedupParams
) -> Edge | str | None:
    """What the fingerprints alone say of a candidate pair ``a`` < ``b``.

    * an :class:`Edge` (method ``features``) when the verdict is clear;
    * :data:`WEAK_ONLY` when too little of either text is inside the other for the pair to
      be a whole or cut copy: it could at best be a partial reuse, which only matters to a
      document left alone by the strong edges (engines align those pairs last, and only
      for such documents);
    * None: the pair must be aligned.

    A pure function of the two fingerprints, so every engine screens a pair the same way.
    """
    if params.quick is None:
        return None
    overlap = pair_overlap(fa[0], fb[0], fa[1], fb[1])
    if max(overlap.inside_a, overlap.inside_b) < params.quick.weak_below:
        return WEAK_ONLY
    judged = quick_judgement(overlap, params.quick)
    if judged is None:
        return None
    return Edge(
        a,
        b,
        shared,
        judged.verdict,
        round(max(judged.coverage_a, judged.coverage_b), 4),
        judged.coverage_a,
        judged.coverage_b,
        judged.spin_rate,
        None,
        "features",
    )


def attach_key(coverage: float, score: float, partner: int) -> tuple[float, float, int]:
    """Order of the weak (partial reuse) edges of a document that is alone in its
    component after strong edges: it joins the partner of the smallest key, the one that
    explains most of it (then the strongest evidence, then input order). One partner only,
    so that a text quoting two stories does not merge them."""
    return (-coverage, -score, partner)


def attachments(weak: list[Edge], labels: np.ndarray, sizes: np.ndarray) -> list[tuple[int, int]]:
    """(document, partner) for every document alone in its strong component that has a
    weak edge to another component (``labels``: strong component of each document;
    ``sizes``: members of each label)."""
    best: dict[int, tuple[tuple[float, float, int], int]] = {}
    for e in weak:
        if labels[e.a] == labels[e.b]:
            continue
        for x, partner, cov in ((e.a, e.b, e.coverage_a), (e.b, e.a, e.coverage_b)):
            if sizes[labels[x]] != 1:
                continue
            key = attach_key(cov, e.score, partner)
            if x not in best or key < best[x][0]:
                best[x] = (key, partner)
    return sorted((x, partner) for x, (_, partner) in best.items())


# ---------------------------------------------------------------------------------------------
# Naming the original


@dataclass(frozen=True, slots=True)
class Member:
    """What naming needs to know of a cluster member."""

    num: int
    core: int  # features shared with another member of the cluster (core_counts)
    chars: int  # non-space characters (content_chars)
    date: str | None
    support: int = 0  # features held by a quarter of the members (support_counts)


def content_chars(doc: Document) -> int:
    """Non-space characters: a reprint with boilerplate added has more than its source."""
    return non_space(doc.text)


def core_counts(member_features: list[np.ndarray], share: float = 0.5) -> list[int]:
    """For each member, how many of its features are the cluster's *core*: held by at
    least two members and by at least ``share`` of them.

    How complete a member is as a source of the cluster: the original holds what its copies
    share (spinning keeps features, truncation drops some), while a partial copy's own text
    around the borrowed passage is shared with no one and does not count. The share matters
    in large clusters: hundreds of spun copies of one story share, by chance, features
    their spinner made (the same synonym picked twice), which only some copies hold; counting
    those made spun copies look more complete than their source."""
    if len(member_features) < 2:
        return [0] * len(member_features)
    allf = np.concatenate(member_features)
    uniq, counts = np.unique(allf, return_counts=True)
    common = uniq[counts >= max(2, math.ceil(share * len(member_features)))]
    return [int(np.isin(f, common, assume_unique=True).sum()) for f in member_features]


def support_counts(member_features: list[np.ndarray], share: float = 0.25) -> list[int]:
    """For each member, how many of its features a wider circle shares: held by at least
    ``share`` of the members (a quarter, where the core asks half).

    It separates members the core does not: a copy cut short holds the core as fully as its
    source, but not its later paragraphs, which the source shares with its other full copies
    (often fewer than half the members, when many copies are cut). A plain count of how
    often others hold a member's features does not do: in a cluster of hundreds, a feature
    a spinner made (the same common synonym picked in many copies) is held by dozens, and a
    lightly spun copy then out-counted its source; such features stay under a quarter."""
    return core_counts(member_features, share)


def cluster_members(
    nums: list[int], feats: list[np.ndarray], chars: list[int], dates: list[str | None]
) -> list[Member]:
    """One cluster's members as naming sees them, their core and support counted among
    them (both engines build them here, so both name alike)."""
    return [
        Member(num, core, n_chars, date, support)
        for num, core, support, n_chars, date in zip(
            nums, core_counts(feats), support_counts(feats), chars, dates, strict=True
        )
    ]


def name_candidates(members: list[Member], params: DedupParams) -> list[Member]:
    """The members that may be the original, before spin scores are looked at.

    The earliest date wins when dates exist (undated members only when none has one); among
    those, the most complete (:func:`core_counts`, at least ``completeness`` of the best),
    at most ``name_candidates`` of them, most complete first (ties: the most supported, see
    :func:`support_counts`, then input order)."""
    dated = [m for m in members if m.date]
    if dated:
        first = min(m.date for m in dated)  # type: ignore[type-var]
        members = [m for m in dated if m.date == first]
    most = max(m.core for m in members)
    pool = [m for m in members if m.core >= params.completeness * most]
    pool.sort(key=lambda m: (-m.core, -m.support, m.num))
    return pool[: params.name_candidates]


def pick_original(candidates: list[Member], spin: dict[int, float]) -> int:
    """The least spun candidate, then the most complete (core, then support: a copy cut
    short is as complete in its core as its source but less supported), then the one with
    least text (boilerplate added around a reprint), then the first in input order.

    Spin probabilities (:mod:`unspin.score`) are compared to one decimal: a spun copy reads
    tenths more spun than its source, while a reprint or a reordered copy differs from it by
    noise, which must not decide."""
    if len(candidates) == 1:
        return candidates[0].num
    return min(
        candidates,
        key=lambda m: (round(spin[m.num], 1), -m.core, -m.support, m.chars, m.num),
    ).num


def spin_probability(doc: Document) -> float:
    """How machine-spun a document reads (no source needed)."""
    from unspin.score import load_model, score_document

    return float(score_document(doc, load_model()).spin_probability)


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True, slots=True)
class Row:
    """One output line: a document, its cluster and its relation to the cluster's original.

    ``relation`` is the verdict of the copy against the original itself. It can be
    ``unrelated`` for a copy that joined the cluster through another member (a chain of
    partial reuses: A quotes B, B quotes C): the cluster holds texts that reuse one another,
    not only texts that reuse the original.
    """

    num: int
    id: str
    cluster: str
    role: str  # "original" | "copy" | "unique"
    relation: str

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "cluster": self.cluster,
            "role": self.role,
            "relation": self.relation,
        }
