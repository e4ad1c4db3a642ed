"""Evaluate ``unspin.compare.compare`` on spun BBC cases with exact ground truth.

Reports PAN plagdet (precision, recall, granularity) overall, per kind and per spin rate; the
verdict confusion matrix per kind; how many derived pairs were missed (judged ``unrelated``,
target <= 1%) and how many unrelated pairs were flagged (target <= 1%); how often
``Comparison.original`` names the true source (each derived pair is also compared with its
documents swapped, so a fixed answer "a" scores 50%, not 100%); and pairs per second.

    python -m benchmarks.eval_compare --n 100 --seed 1 [--sources moby,wordnet,mythes]
        [--kinds reprint,spun,partial,unrelated] [--cases cases.jsonl] [--json OUT]

The source document is passed as ``a`` and the suspicious one as ``b``, so passages
``(a_start, a_end, b_start, b_end)`` are detections ``(src_start, src_end, susp_start,
susp_end)``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import plagdet
from benchmarks.spinner import SOURCES
from benchmarks.testsets import KINDS, Case, build_cases, read_cases
from unspin.models import VERDICTS, Comparison, Document

CompareFn = Callable[[Document, Document], Comparison]
TARGET_MISSED = 0.01
TARGET_FLAGGED = 0.01


def _default_compare() -> CompareFn:
    try:
        from unspin.compare import compare  # noqa: PLC0415 - the engine may not exist yet
    except ImportError as exc:
        raise SystemExit(f"error: cannot import unspin.compare.compare ({exc})") from exc
    return compare


def _detections(cmp: Comparison, swapped: bool = False) -> list[plagdet.Span]:
    """Passages as (src_start, src_end, susp_start, susp_end)."""
    if swapped:
        return [(p.b_start, p.b_end, p.a_start, p.a_end) for p in cmp.passages]
    return [(p.a_start, p.a_end, p.b_start, p.b_end) for p in cmp.passages]


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def run_cases(
    cases: Sequence[Case],
    compare_fn: CompareFn | None = None,
    swap: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Compare every case (and every derived case swapped); one record per case.

    An exception in the engine is recorded as verdict ``"error"`` rather than stopping the run,
    so one bad pair does not hide the numbers for the rest.
    """
    compare = compare_fn or _default_compare()
    records: list[dict[str, Any]] = []
    for i, case in enumerate(cases):
        rec: dict[str, Any] = {
            "id": case.case_id,
            "kind": case.kind,
            "group": case.group,
            "rate": case.rate,
            "expected": sorted(case.expected),
            "truth": [list(t) for t in case.truth],
            "calls": 0,
            "seconds": 0.0,
        }
        t0 = time.perf_counter()
        try:
            cmp = compare(case.source, case.suspicious)
            rec["verdict"] = cmp.verdict
            rec["original"] = cmp.original
            rec["score"] = cmp.score
            rec["spin_rate"] = cmp.spin_rate
            rec["detections"] = [list(d) for d in _detections(cmp)]
        except Exception:  # noqa: BLE001 - reported, not swallowed
            rec["verdict"] = "error"
            rec["original"] = None
            rec["detections"] = []
            rec["error"] = traceback.format_exc(limit=3)
        rec["calls"] += 1
        if swap and case.kind != "unrelated":
            try:
                cmp2 = compare(case.suspicious, case.source)
                rec["original_swapped"] = cmp2.original
                rec["verdict_swapped"] = cmp2.verdict
            except Exception:  # noqa: BLE001
                rec["original_swapped"] = None
                rec["verdict_swapped"] = "error"
                rec.setdefault("error", traceback.format_exc(limit=3))
            rec["calls"] += 1
        rec["seconds"] = time.perf_counter() - t0
        records.append(rec)
        if progress:
            progress(i + 1, len(cases))
    return records


def _plagdet(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    cases = {r["id"]: [tuple(t) for t in r["truth"]] for r in records}
    dets = {r["id"]: [tuple(d) for d in r["detections"]] for r in records}
    return plagdet.evaluate(cases, dets).to_json()


def summarise(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Every reported figure, from the per-case records of :func:`run_cases`."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_kind[r["kind"]].append(r)
        by_group[r["group"]].append(r)
    derived = [r for r in records if r["kind"] != "unrelated"]
    unrelated = [r for r in records if r["kind"] == "unrelated"]
    verdict_names = [*VERDICTS, "error"]

    def confusion(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        counts = Counter(r["verdict"] for r in rows)
        return {v: counts.get(v, 0) for v in verdict_names}

    def accuracy(rows: Sequence[dict[str, Any]]) -> float | None:
        return _share(sum(r["verdict"] in r["expected"] for r in rows), len(rows))

    def original(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        rows = [r for r in rows if r["kind"] != "unrelated"]
        fwd = sum(r.get("original") == "a" for r in rows)
        swapped_rows = [r for r in rows if "original_swapped" in r]
        swp = sum(r["original_swapped"] == "b" for r in swapped_rows)
        undecided = sum(r.get("original") is None for r in rows) + sum(
            r["original_swapped"] is None for r in swapped_rows
        )
        asked = len(rows) + len(swapped_rows)
        return {
            "forward": _share(fwd, len(rows)),
            "swapped": _share(swp, len(swapped_rows)),
            "accuracy": _share(fwd + swp, asked),
            "undecided": _share(undecided, asked),
            "n": asked,
        }

    calls = sum(r["calls"] for r in records)
    seconds = sum(r["seconds"] for r in records)
    groups = sorted(by_group, key=_group_order)
    return {
        "cases": len(records),
        "errors": sum(r["verdict"] == "error" for r in records),
        "plagdet": {
            "all": _plagdet(records),
            "derived": _plagdet(derived) if derived else None,
            "by_kind": {k: _plagdet(v) for k, v in sorted(by_kind.items(), key=_kind_order)},
            "by_group": {g: _plagdet(by_group[g]) for g in groups},
        },
        "verdicts": {
            "by_kind": {k: confusion(v) for k, v in sorted(by_kind.items(), key=_kind_order)},
            "by_group": {g: confusion(by_group[g]) for g in groups},
            "accuracy_by_group": {g: accuracy(by_group[g]) for g in groups},
            "accuracy": accuracy(records),
        },
        "derived_judged_unrelated": _share(
            sum(r["verdict"] == "unrelated" for r in derived), len(derived)
        ),
        "unrelated_judged_related": _share(
            sum(r["verdict"] != "unrelated" for r in unrelated), len(unrelated)
        ),
        "original": {
            "all": original(records),
            "by_group": {g: original(by_group[g]) for g in groups if g != "unrelated"},
        },
        "calls": calls,
        "seconds": seconds,
        "pairs_per_second": calls / seconds if seconds > 0 else None,
    }


def _kind_order(item: tuple[str, Any]) -> int:
    return KINDS.index(item[0]) if item[0] in KINDS else len(KINDS)


def _group_order(group: str) -> tuple[int, str]:
    kind = group.split("@", 1)[0]
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), group)


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def print_report(summary: dict[str, Any], title: str = "unspin compare evaluation") -> None:
    """Readable tables on the terminal (Rich)."""
    from rich.console import Console  # noqa: PLC0415 - only needed when printing
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # piped to a file: do not squeeze the tables to 80 columns
    pd = summary["plagdet"]
    t = Table(title=f"{title}: plagdet (PAN)")
    for col in (
        "group",
        "cases",
        "detections",
        "precision",
        "recall",
        "granularity",
        "plagdet",
        "verdict acc.",
    ):
        t.add_column(col, justify="left" if col == "group" else "right")
    acc = summary["verdicts"]["accuracy_by_group"]
    for group, row in pd["by_group"].items():
        t.add_row(
            group,
            str(row["cases"]),
            str(row["detections"]),
            _fmt(row["precision"]),
            _fmt(row["recall"]),
            _fmt(row["granularity"]),
            _fmt(row["plagdet"]),
            _fmt(acc.get(group), pct=True),
        )
    for label, row in (("derived", pd["derived"]), ("all", pd["all"])):
        if row:
            t.add_row(
                f"[bold]{label}",
                str(row["cases"]),
                str(row["detections"]),
                _fmt(row["precision"]),
                _fmt(row["recall"]),
                _fmt(row["granularity"]),
                f"[bold]{_fmt(row['plagdet'])}",
                _fmt(summary["verdicts"]["accuracy"], pct=True) if label == "all" else "",
            )
    console.print(t)

    c = Table(title="verdicts (rows: case group, columns: verdict given)")
    c.add_column("group")
    names = [*VERDICTS, "error"]
    for v in names:
        c.add_column(v, justify="right")
    for group, row in summary["verdicts"]["by_group"].items():
        c.add_row(group, *(str(row[v]) for v in names))
    console.print(c)

    missed = summary["derived_judged_unrelated"]
    flagged = summary["unrelated_judged_related"]
    orig = summary["original"]["all"]
    k = Table(title="headline figures")
    k.add_column("measure")
    k.add_column("value", justify="right")
    k.add_column("target", justify="right")
    k.add_row("derived pairs judged unrelated", _fmt(missed, pct=True), _ok(missed, TARGET_MISSED))
    k.add_row(
        "unrelated pairs judged related", _fmt(flagged, pct=True), _ok(flagged, TARGET_FLAGGED)
    )
    k.add_row("original named correctly (both orders)", _fmt(orig["accuracy"], pct=True), "")
    k.add_row(
        "  forward / swapped",
        f"{_fmt(orig['forward'], pct=True)} / {_fmt(orig['swapped'], pct=True)}",
        "",
    )
    k.add_row("  undecided (original = null)", _fmt(orig["undecided"], pct=True), "")
    k.add_row("engine errors", str(summary["errors"]), "0")
    pps = summary["pairs_per_second"]
    k.add_row("pairs per second", f"{pps:.1f}" if pps else "-", "")
    console.print(k)
    by_group = summary["original"]["by_group"]
    if by_group:
        o = Table(title="original named correctly, by group")
        o.add_column("group")
        for col in ("forward", "swapped", "accuracy", "undecided"):
            o.add_column(col, justify="right")
        for group, row in by_group.items():
            o.add_row(
                group,
                *(
                    _fmt(row[col], pct=True)
                    for col in ("forward", "swapped", "accuracy", "undecided")
                ),
            )
        console.print(o)


def _ok(value: float | None, target: float) -> str:
    if value is None:
        return f"<= {100 * target:.0f}%"
    mark = "[green]ok[/green]" if value <= target else "[red]MISSED[/red]"
    return f"<= {100 * target:.0f}% {mark}"


def evaluate(
    cases: Sequence[Case], compare_fn: CompareFn | None = None, swap: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run and summarise: (summary, per-case records)."""
    records = run_cases(cases, compare_fn=compare_fn, swap=swap)
    return summarise(records), records


def main(argv: Sequence[str] | None = None, compare_fn: CompareFn | None = None) -> int:
    """CLI entry point; ``compare_fn`` lets tests run it without the engine."""
    parser = argparse.ArgumentParser(description="Evaluate unspin compare on spun BBC cases.")
    parser.add_argument("--n", type=int, default=100, help="cases per kind (and per spin rate)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sources",
        default=",".join(SOURCES),
        help="spinner thesauri, comma separated (hold some out to test "
        "robustness to a different dictionary)",
    )
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--cases", help="read cases from this cases.jsonl instead of building")
    parser.add_argument("--json", dest="json_out", help="write summary and per-case records")
    parser.add_argument(
        "--no-swap", action="store_true", help="skip the swapped-order run (no 'original' figures)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, no tables")
    args = parser.parse_args(argv)

    compare = compare_fn or _default_compare()
    t0 = time.perf_counter()
    if args.cases:
        cases = read_cases(args.cases)
        setup = f"cases from {args.cases}"
    else:
        sources = tuple(s for s in args.sources.split(",") if s)
        kinds = tuple(k for k in args.kinds.split(",") if k)
        cases = build_cases(args.n, args.seed, sources=sources, kinds=kinds)
        setup = f"n={args.n} seed={args.seed} sources={','.join(sources)}"
    built = time.perf_counter() - t0

    progress = None
    if not args.quiet and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            end = "\n" if done == total else ""
            print(f"\r{done}/{total} cases", end=end, file=sys.stderr, flush=True)

    records = run_cases(cases, compare_fn=compare, swap=not args.no_swap, progress=progress)
    summary = summarise(records)
    summary["setup"] = setup
    summary["build_seconds"] = built
    if not args.quiet:
        print(f"{len(cases)} cases ({setup}) built in {built:.1f}s")
        print_report(summary)
        errors = [r for r in records if "error" in r]
        if errors:
            print(f"\nfirst engine error (case {errors[0]['id']}):\n{errors[0]['error']}")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"summary": summary, "cases": records}, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
