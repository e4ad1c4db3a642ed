"""Instructions a comparison costs, counted by valgrind: a speed figure that noise cannot move.

On a shared or throttled machine, timings of the same code drift by 20-30% from one run to
the next, which hides the effect of most single changes. Valgrind's cachegrind counts the
machine instructions a process executes: the same code on the same input gives the same
count to a few parts in ten thousand. This script runs ``prepare`` + ``compare_prepared``
on the bench's 800-word spun pairs (the same articles and spinner as ``bench_compare``)
twice under cachegrind, once with ``--pairs`` pairs and once with none (both after the same
warm-up), and reports the difference per pair. Instructions are not time (a cache miss costs
more than an add), so confirm a change with ``bench_compare`` too.

Usage::

    python -m benchmarks.count_instructions [--pairs 30] [--warmup 10]

Needs ``valgrind`` on the PATH (``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_WORKLOAD = """
import sys
from unspin.compare import compare_prepared, prepare
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon
pairs = [tuple(p) for p in __import__("json").load(open(sys.argv[1]))]
warmup, n = int(sys.argv[2]), int(sys.argv[3])
lex = default_lexicon()
lex.related("a", "b")
if hasattr(lex, "is_phrase"):  # (load the phrase list before counting, as start-up does)
    lex.is_phrase(["a", "b"])
docs = [(document_from_text(f"o{i}", a), document_from_text(f"s{i}", b))
        for i, (a, b) in enumerate(pairs)]
for a, b in docs[: warmup + n]:
    compare_prepared(prepare(a, lex), prepare(b, lex), lex)
"""


def _count(pairs_json: Path, warmup: int, n: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "workload.py"
        script.write_text(_WORKLOAD, encoding="utf-8")
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                f"--cachegrind-out-file={tmp}/out",
                sys.executable,
                str(script),
                str(pairs_json),
                str(warmup),
                str(n),
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        )
    return instructions(proc.stderr)


def instructions(report: str) -> int:
    """The ``I refs`` total of a cachegrind report (valgrind writes it to stderr)."""
    m = re.search(r"I\s+refs:\s+([\d,]+)", report)
    if m is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{report[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30, help="pairs counted")
    parser.add_argument("--warmup", type=int, default=10, help="pairs run first, in both runs")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2

    from benchmarks.bench_compare import _pick_articles
    from benchmarks.spinner import Spinner

    originals = _pick_articles(650, 1000, 40)
    spinner = Spinner(rate=0.3, seed=7)
    total = args.warmup + args.pairs
    pairs = [
        (
            originals[i % len(originals)],
            spinner.spin(originals[i % len(originals)], seed=1000 + i).text,
        )
        for i in range(total)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        pairs_json = Path(tmp) / "pairs.json"
        pairs_json.write_text(json.dumps(pairs), encoding="utf-8")
        without = _count(pairs_json, args.warmup, 0)
        with_pairs = _count(pairs_json, args.warmup, args.pairs)
    per_pair = (with_pairs - without) / args.pairs
    print(
        json.dumps(
            {
                "pairs": args.pairs,
                "warmup": args.warmup,
                "instructions_without_pairs": without,
                "instructions_with_pairs": with_pairs,
                "million_instructions_per_pair": round(per_pair / 1e6, 2),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
