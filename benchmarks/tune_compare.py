"""Grid search over the alignment and verdict thresholds, on our own spun BBC cases.

The defaults in :class:`unspin.align.AlignParams` and :class:`unspin.judge.JudgeParams`
come from runs of this script. Cases are built once (seeded) and every setting is scored
on the same cases: plagdet of the derived pairs, verdict accuracy, derived pairs judged
unrelated and unrelated pairs judged related (both must stay under 1%).

Usage::

    python -m benchmarks.tune_compare --n 60 --seed 3 \\
        --grid seed_similarity=0.38,0.42,0.46 --grid passage_evidence=8,12,16
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys

from benchmarks.eval_compare import run_cases, summarise
from benchmarks.spinner import SOURCES
from benchmarks.testsets import build_cases
from unspin.align import AlignParams
from unspin.compare import compare_prepared, prepare
from unspin.judge import JudgeParams
from unspin.lexicon import Lexicon, default_lexicon


def _parse_grid(items: list[str]) -> dict[str, list[float]]:
    grid: dict[str, list[float]] = {}
    for item in items:
        name, _, values = item.partition("=")
        grid[name] = [float(v) for v in values.split(",")]
    return grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument(
        "--unrelated", type=int, default=0, help="extra unrelated pairs (default: n)"
    )
    parser.add_argument("--grid", action="append", default=[], help="name=v1,v2,...")
    parser.add_argument("--lexicon", help="a lexicon folder other than the shipped one")
    args = parser.parse_args(argv)

    sources = tuple(args.sources.split(","))
    cases = build_cases(args.n, args.seed, sources=sources)
    if args.unrelated:
        cases += build_cases(
            args.unrelated, args.seed + 1000, sources=sources, kinds=("unrelated",)
        )
    print(f"{len(cases)} cases", file=sys.stderr)
    lexicon = Lexicon(args.lexicon) if args.lexicon else default_lexicon()
    prepared: dict[int, object] = {}

    def prep(doc):
        key = id(doc)
        if key not in prepared:
            prepared[key] = prepare(doc, lexicon)
        return prepared[key]

    align_fields = {f.name for f in dataclasses.fields(AlignParams)}
    grid = _parse_grid(args.grid) or {"seed_similarity": [AlignParams().seed_similarity]}
    names = list(grid)
    header = " ".join(f"{n:>18}" for n in names)
    print(f"{header}  plagdet   prec    rec   gran  verdict  fn%   fp%  orig", flush=True)
    for values in itertools.product(*(grid[n] for n in names)):
        setting = dict(zip(names, values, strict=True))
        ap = AlignParams(**{k: v for k, v in setting.items() if k in align_fields})
        jp = JudgeParams(**{k: v for k, v in setting.items() if k not in align_fields})

        def fn(a, b, ap=ap, jp=jp):
            return compare_prepared(prep(a), prep(b), lexicon, ap, jp)

        s = summarise(run_cases(cases, fn, swap=False))
        p = s["plagdet"]["derived"]
        row = " ".join(f"{v:>18g}" for v in values)
        print(
            f"{row}  {p['plagdet']:.4f} {p['precision']:.4f} {p['recall']:.4f} "
            f"{p['granularity']:.3f}  {s['verdicts']['accuracy']:.3f}  "
            f"{100 * (s['derived_judged_unrelated'] or 0):.1f}  "
            f"{100 * (s['unrelated_judged_related'] or 0):.1f}  "
            f"{s['original']['all']['accuracy'] or 0:.3f}",
            flush=True,
        )
        for kind, v in s["plagdet"]["by_group"].items():
            if kind != "unrelated":
                print(
                    f"      {kind:<14} plagdet {v['plagdet']:.3f} P {v['precision']:.3f} "
                    f"R {v['recall']:.3f} G {v['granularity']:.3f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
