"""Where did this text come from? Candidates from the index, verified by alignment.

A query is fingerprinted like the indexed documents; the documents sharing the most
features are candidates, and each candidate is compared with the query
(:func:`unspin.compare.compare_prepared`), so that every match comes with its verdict,
passages and spin rate, and chance overlaps are dropped. Candidates are verified best
first and the search stops once they fall far behind the best one, which keeps a query to
a few alignments whatever the size of the index.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from unspin.compare import compare_prepared, prepare
from unspin.fingerprint import fingerprint_text
from unspin.index import Index
from unspin.models import Comparison, Document, Verdict


@dataclass(frozen=True, slots=True)
class CheckParams:
    """How many candidates to look at, and when to stop."""

    candidates: int = 8  # at most this many are verified
    min_shared: int = 3  # shared features a candidate needs to be verified at all
    relative: float = 0.3  # ... and this share of the best candidate's count
    max_postings: int = 2000  # features more common than this are passed over
    explained: float = 0.9  # stop once matches cover this share of the query (summed)


@dataclass(slots=True)
class Match:
    """An indexed document the query reuses (or that reuses it)."""

    source: Document
    comparison: Comparison  # a = the indexed source, b = the query
    shared: int  # fingerprint features in common

    def to_json(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "id": self.source.id,
            "score": round(c.score, 4),
            "verdict": c.verdict,
            "coverage": {"query": round(c.coverage_b, 4), "source": round(c.coverage_a, 4)},
            "spin_rate": round(c.spin_rate, 4),
            "original": {"a": "source", "b": "query"}.get(c.original or ""),
            "shared_features": self.shared,
            "passages": [
                {
                    "query_start": p.b_start,
                    "query_end": p.b_end,
                    "source_start": p.a_start,
                    "source_end": p.a_end,
                    "similarity": round(p.similarity, 4),
                }
                for p in c.passages
            ],
        }


@dataclass(slots=True)
class CheckResult:
    """The sources of one query document."""

    query: Document
    matches: list[Match] = field(default_factory=list)
    verified: int = 0  # candidates aligned

    @property
    def verdict(self) -> Verdict:
        return self.matches[0].comparison.verdict if self.matches else "unrelated"

    def to_json(self) -> dict[str, Any]:
        """The contract's object (``unspin check --json``)."""
        return {
            "id": self.query.id,
            "verdict": self.verdict,
            "matches": [m.to_json() for m in self.matches],
        }


def check(query: Document, index: Index, params: CheckParams | None = None) -> CheckResult:
    """Find the sources of ``query`` in ``index``; matches best first."""
    params = params or CheckParams()
    feats = fingerprint_text(query, index.params)
    result = CheckResult(query)
    cands = index.candidates(feats, params.candidates, params.max_postings)
    if not cands:
        return result
    q = prepare(query)  # only now: most texts checked against an archive match nothing
    best = cands[0][1]
    # A short query has few features: sharing a third of them is as telling.
    floor = min(params.min_shared, max(2, len(feats) // 3))
    explained = 0.0
    for num, shared in cands:
        if shared < floor or shared < params.relative * best:
            break
        source = index.document(num)
        result.verified += 1
        comparison = compare_prepared(prepare(source), q)
        if comparison.verdict != "unrelated":
            result.matches.append(Match(source, comparison, shared))
            explained += comparison.coverage_b
            if explained >= params.explained:
                # The query is accounted for: further candidates would be copies of the
                # same story (an archive holds many), each costing an alignment.
                break
    # Best first: the source that explains most of the query (a spun copy's original),
    # then the strength of the evidence (the score saturates for whole copies).
    result.matches.sort(
        key=lambda m: (
            -round(m.comparison.coverage_b, 2),
            -round(m.comparison.score, 3),
            -m.shared,
            m.source.id,
        )
    )
    return result


_WORKER_INDEX: Index | None = None
_WORKER_PARAMS: CheckParams | None = None


def _init_worker(folder: str, params: CheckParams) -> None:
    global _WORKER_INDEX, _WORKER_PARAMS
    _WORKER_INDEX = Index(folder, create=False)
    _WORKER_PARAMS = params


def _check_worker(doc: Document) -> CheckResult:
    assert _WORKER_INDEX is not None
    return check(doc, _WORKER_INDEX, _WORKER_PARAMS)


def check_many(
    queries: Iterable[Document], index: Index, params: CheckParams | None = None, jobs: int = 1
) -> Iterator[CheckResult]:
    """Check many documents, results in input order; ``jobs`` worker processes, each with
    its own read-only connection to the index."""
    if jobs <= 1:
        for q in queries:
            yield check(q, index, params)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(
        jobs, initializer=_init_worker, initargs=(str(index.folder), params or CheckParams())
    ) as pool:
        batch: list[Document] = []
        for q in queries:  # bounded batches: never read all queries ahead of the results
            batch.append(q)
            if len(batch) >= 256:
                yield from pool.imap(_check_worker, batch, chunksize=4)
                batch = []
        if batch:
            yield from pool.imap(_check_worker, batch, chunksize=4)
