"""``unspin dedup``: cluster a whole corpus into groups of texts that reuse one another.

Library first: :func:`dedup` takes every option the command has. The steps are plain
functions (:mod:`unspin.dedup.steps`); engines run them: :mod:`unspin.dedup.local` on one
machine with every core and bounded memory, :mod:`unspin.dedup.spark` on Apache Spark. Both
give the same output for the same input.

Each input document gets one row: its cluster (the id of the cluster's original, or its own
id when it reuses nothing and nothing reuses it), its role (``original``, ``copy`` or
``unique``) and its relation (the verdict of a copy against the original; ``unrelated`` for
originals and uniques).

What joins documents: a verified whole copy (near duplicate, spun copy, or one text lying
80% or more inside the other) joins clusters; a partial reuse only attaches a document that
is otherwise alone to the cluster of the partner that explains most of it, so stories that
merely share a paragraph (a team line-up, a background paragraph) stay apart.

How a cluster's original is named: the member with the earliest date when any member has a
date; otherwise (and among members of that date) one of the most complete members (the most
fingerprint features: a truncated or partial copy has fewer than its source, while spinning
keeps them), the one that reads least machine-spun (:mod:`unspin.score`), then the first in
input order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from unspin.dedup.inputs import OnError, read_corpus
from unspin.dedup.steps import DedupParams, Edge, Row
from unspin.dedup.summary import Reporter, Summary
from unspin.documents import BadInputError
from unspin.jsonl import json_line

__all__ = ["DedupParams", "DedupResult", "Row", "Summary", "dedup", "pair_json"]

Engine = Literal["local", "spark"]


@dataclass
class DedupResult:
    """The rows (input order) and the summary of a run."""

    rows: list[Row]
    summary: Summary


def pair_json(edge: Edge, id_a: str, id_b: str, stage: str) -> dict[str, object]:
    """One line of ``--pairs``: an aligned pair, why it was aligned, and the verdict.

    ``stage`` is ``candidate`` (verified while forming clusters) or ``relation`` (a copy
    against its cluster's original afterwards). ``method`` is ``alignment``, or
    ``features`` for a pair judged from fingerprints alone (:mod:`unspin.dedup.quick`):
    its coverages and spin rate are then estimates and it names no original."""
    return {
        "a": id_a,
        "b": id_b,
        "stage": stage,
        "shared_features": edge.shared,
        "verdict": edge.verdict,
        "score": edge.score,
        "coverage": {"a": edge.coverage_a, "b": edge.coverage_b},
        "spin_rate": edge.spin_rate,
        "original": edge.original,
        "method": edge.method,
    }


def dedup(
    paths: Iterable[str | Path],
    out: str | Path | None = None,
    engine: Engine = "local",
    jobs: int | None = None,
    pairs: str | Path | None = None,
    skip_bad: bool = False,
    on_error: OnError | None = None,
    path_ids: bool = False,
    params: DedupParams | None = None,
    workdir: str | Path | None = None,
    spark_master: str | None = None,
    reporter: Reporter | None = None,
    exact: bool = False,
) -> DedupResult:
    """Cluster the documents under ``paths``.

    ``out``: write the rows as JSON Lines (the contract's objects) to this file (written
    to a temporary name and renamed, so a failed run leaves no half file). ``pairs``: write
    every aligned pair as JSON Lines. ``skip_bad``: report bad records to ``on_error`` (by
    default ignore them, counting them in the summary) and go on; otherwise the first bad
    record raises :class:`~unspin.documents.BadInputError`. ``jobs``: worker processes
    (local) or Spark cores (``local[jobs]``); default all cores. ``path_ids``: name ``.txt``
    documents by their path under the folder given. ``spark_master``: the Spark master URL
    (default ``local[jobs]``; ignored when a Spark session is active). ``exact``: align
    every pair that is verified, instead of judging the clear ones from their fingerprints
    (:mod:`unspin.dedup.quick`); slower, with the alignment's verdicts and coverages.
    """
    params = params or DedupParams()
    if exact:
        params = dataclasses.replace(params, quick=None)
    skipped = [0]

    def bad(err: BadInputError) -> None:
        skipped[0] += 1
        if on_error is not None:
            on_error(err)

    docs = read_corpus(paths, bad if skip_bad else None, path_ids)
    pair_fh: IO[str] | None = None
    writer: Callable[[Edge, str, str, str], None] | None = None
    if pairs is not None:
        pair_fh = _open_tmp(Path(pairs))

        def writer(edge: Edge, a: str, b: str, stage: str) -> None:
            assert pair_fh is not None
            pair_fh.write(json_line(pair_json(edge, a, b, stage)))

    try:
        if engine == "local":
            from unspin.dedup.local import run_local

            rows, summary = run_local(docs, params, jobs, workdir, reporter, writer)
        elif engine == "spark":
            from unspin.dedup.spark import run_spark

            rows, summary = run_spark(docs, params, jobs, workdir, reporter, writer, spark_master)
        else:
            raise ValueError(f"unknown engine {engine!r} (local or spark)")
    except BaseException:
        if pair_fh is not None:
            pair_fh.close()
            Path(pair_fh.name).unlink(missing_ok=True)
        raise
    summary.skipped = skipped[0]
    if pair_fh is not None:
        pair_fh.close()
        Path(pair_fh.name).replace(Path(pairs))  # type: ignore[arg-type]
    if out is not None:
        write_rows(rows, Path(out))
    return DedupResult(rows, summary)


def _open_tmp(path: Path) -> IO[str]:
    return (path.parent / f".{path.name}.tmp").open("w", encoding="utf-8")


def write_rows(rows: Iterable[Row], path: Path) -> None:
    """The contract's lines, one per document, in input order."""
    fh = _open_tmp(path)
    try:
        with fh:
            for r in rows:
                fh.write(json_line(r.to_json()))
        Path(fh.name).replace(path)
    except BaseException:
        Path(fh.name).unlink(missing_ok=True)
        raise
