"""What a dedup run reports: progress while it runs, a summary when it is done."""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from unspin.dedup.steps import Row


class Reporter(Protocol):
    """Progress of the stages (the CLI draws bars on stderr; the library says nothing)."""

    def start(self, stage: str, total: int | None) -> Callable[[int], None]: ...

    def stop(self, stage: str) -> None: ...


class Silent:
    def start(self, stage: str, total: int | None) -> Callable[[int], None]:
        return lambda n: None

    def stop(self, stage: str) -> None:
        return None


@dataclass
class Summary:
    """Counts and timings of one run (``unspin dedup`` prints it on stderr)."""

    engine: str
    documents: int = 0
    skipped: int = 0  # bad records left out (--skip-bad)
    clusters: int = 0  # groups of two or more
    unique: int = 0
    copies: Counter[str] = field(default_factory=Counter)  # by relation to the original
    postings: int = 0
    candidate_pairs: int = 0
    verified_pairs: int = 0  # aligned while forming clusters
    related_pairs: int = 0  # ... of which related
    relation_pairs: int = 0  # judged afterwards, copy against named original
    by_features: int = 0  # ... of the verified and relation pairs, judged from fingerprints
    weak_only: int = 0  # pairs screened out as at best a partial reuse (quick.py)
    spin_scored: int = 0  # documents scored to name originals
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - t0, 3)

    def count(self, rows: list[Row]) -> None:
        """Documents, clusters, uniques and copies by relation, from the output rows."""
        self.documents = len(rows)
        for r in rows:
            if r.role == "original":
                self.clusters += 1
            elif r.role == "unique":
                self.unique += 1
            else:
                self.copies[r.relation] += 1

    def finish(self) -> None:
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.peak_rss_mb = round(max(me, kids) / 1024, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "documents": self.documents,
            "skipped": self.skipped,
            "clusters": self.clusters,
            "unique": self.unique,
            "copies": dict(sorted(self.copies.items())),
            "postings": self.postings,
            "candidate_pairs": self.candidate_pairs,
            "verified_pairs": self.verified_pairs,
            "related_pairs": self.related_pairs,
            "relation_pairs": self.relation_pairs,
            "by_features": self.by_features,
            "weak_only": self.weak_only,
            "spin_scored": self.spin_scored,
            "seconds": self.seconds,
            "total_seconds": round(sum(self.seconds.values()), 3),
            "peak_rss_mb": self.peak_rss_mb,
        }

    def lines(self) -> list[str]:
        """The summary for people, a few lines."""
        copies = ", ".join(f"{v} {k}" for k, v in sorted(self.copies.items())) or "none"
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return [
            f"{self.documents:,} documents ({self.engine} engine)"
            + (f", {self.skipped} bad records skipped" if self.skipped else "")
            + f": {self.clusters:,} clusters, {self.unique:,} unique",
            f"copies by relation to their original: {copies}",
            f"candidate pairs {self.candidate_pairs:,}, verified {self.verified_pairs:,}"
            f" ({self.related_pairs:,} related) + {self.relation_pairs:,} copy-to-original;"
            f" {self.by_features:,} of these judged from fingerprints, the rest aligned;"
            f" {self.weak_only:,} screened out as partial reuse at best",
            f"time {sum(self.seconds.values()):.1f} s: {stages}; peak memory"
            f" {self.peak_rss_mb:,.0f} MB (largest process)",
        ]
