"""Speed of ``unspin compare``, side by side with the anchor tools, in one run.

Measures, on real BBC articles of about 800 words and copies of them spun at 30%:

* start-up: a fresh process importing unspin and opening the lexicon, ``unspin --version``,
  and ``unspin compare`` on two one-line texts end to end (medians of several runs), with
  unspin's bytecode compiled as ``pip install`` leaves it (an editable install under
  ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every module at every start);
* one pair: ``compare()`` latency (median, p95) after start-up;
* batch: ``unspin compare --pairs FILE --json`` pairs per second, pinned to one core, the
  median of ``--batch-runs`` runs (three; every run's figure is kept), over distinct
  documents (every pair two new texts: the worst case), over the same pairs grouped by
  story (one original against each of its copies: a text prepared once serves all its
  pairs), and over a mix of reprints, spun and partial copies and unrelated pairs;
* anchors in the same run: datasketch MinHash (128 permutations, word 5-grams, the
  usual near-duplicate setting) and difflib's ``SequenceMatcher.ratio`` on the same pairs:
  their time per pair (as a ratio to unspin's) and what they see of a spun copy.

Usage::

    python -m benchmarks.bench_compare [--pairs 300] [--batch-runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

from benchmarks.spinner import Spinner
from benchmarks.testsets import build_cases, load_bbc, write_cases


def _pick_articles(min_words: int, max_words: int, n: int) -> list[str]:
    texts = [a.text for a in load_bbc()]
    chosen = [t for t in texts if min_words <= len(t.split()) <= max_words]
    return chosen[:n]


def _compile_bytecode() -> int:
    """Compile unspin's modules to bytecode beside their sources, as ``pip install`` does
    for an installed package: an editable install run with ``PYTHONDONTWRITEBYTECODE=1``
    (as on this project's machines) compiles every module again in every process, a cost no
    installed copy pays. Returns how many modules lacked bytecode."""
    import unspin

    root = Path(unspin.__file__).parent
    sources = list(root.rglob("*.py"))
    missing = sum(not Path(importlib.util.cache_from_source(str(src))).exists() for src in sources)
    compileall.compile_dir(str(root), quiet=1)
    return missing


def _startup(runs: int = 7) -> dict[str, float]:
    """Medians over ``runs`` fresh processes: the library importing unspin and opening the
    lexicon; ``unspin --version``; and ``unspin compare --json`` on two one-line texts, the
    whole command with the thesaurus loaded and a comparison made (what a user waits for)."""
    code = "from unspin.lexicon import default_lexicon; default_lexicon().related('a', 'b')"
    lib, cli, cli_compare = [], [], []
    exe = shutil.which("unspin")
    with tempfile.TemporaryDirectory() as tmp:
        one, two = Path(tmp, "one.txt"), Path(tmp, "two.txt")
        one.write_text("The cat sat on the mat.\n", encoding="utf-8")
        two.write_text("Stock markets fell sharply on Monday.\n", encoding="utf-8")
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            lib.append(time.perf_counter() - t)
            if exe:
                t = time.perf_counter()
                subprocess.run([exe, "--version"], check=True, capture_output=True)
                cli.append(time.perf_counter() - t)
                t = time.perf_counter()
                cmd = [exe, "compare", str(one), str(two), "--json"]
                subprocess.run(cmd, check=True, capture_output=True)
                cli_compare.append(time.perf_counter() - t)
    out = {"import_and_lexicon_s": statistics.median(lib)}
    if cli:
        out["cli_version_s"] = statistics.median(cli)
        out["cli_compare_two_lines_s"] = statistics.median(cli_compare)
    return out


def _minhash_pair(a: str, b: str):
    from datasketch import MinHash

    def sig(text: str) -> MinHash:
        words = text.lower().split()
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)])
        return m

    return sig(a).jaccard(sig(b))


def _time_per_pair(fn, pairs, repeat: int = 1) -> tuple[float, float, list]:
    times, results = [], []
    for _ in range(repeat):
        for a, b in pairs:
            t = time.perf_counter()
            results.append(fn(a, b))
            times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], results


def _run_batch(pairs_file: Path, runs: int = 1) -> dict[str, object]:
    """``unspin compare --pairs FILE --json`` pinned to one core: pairs per second, end to
    end (start-up, reading, preparing, comparing, writing JSON), by the wall clock and by
    the CPU time the process used (the figure that holds on a machine shared with other
    jobs). Run ``runs`` times: the figures are the median run's (by wall clock), with every
    run's pairs per second beside them, since one run on a shared machine can be a fifth
    slower or faster than the next."""
    cmd = [shutil.which("unspin") or "unspin", "compare", "--pairs", str(pairs_file), "--json"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    results = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(
            cmd,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        )
        elapsed = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        n_out = len(proc.stdout.splitlines())
        results.append(
            {
                "pairs": n_out,
                "seconds": elapsed,
                "pairs_per_s": n_out / elapsed,
                "cpu_seconds": cpu,
                "pairs_per_cpu_s": n_out / cpu if cpu else None,
                "one_core": cmd[0] == "taskset",
                "load_average": os.getloadavg(),
            }
        )
    results.sort(key=lambda r: r["seconds"])
    median = dict(results[len(results) // 2])
    median["runs_pairs_per_s"] = [round(r["pairs_per_s"], 1) for r in results]
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300, help="pairs in the batch run")
    parser.add_argument("--articles", type=int, default=40, help="800-word articles timed")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--batch-runs", type=int, default=3, help="runs of each batch (the median is reported)"
    )
    args = parser.parse_args(argv)

    from unspin.build import describe
    from unspin.compare import compare
    from unspin.documents import document_from_text

    originals = _pick_articles(650, 1000, args.articles)
    spinner = Spinner(rate=0.3, seed=7)
    spun = [spinner.spin(t, seed=i).text for i, t in enumerate(originals)]
    words = statistics.mean(len(t.split()) for t in originals)
    print(f"{len(originals)} BBC articles, mean {words:.0f} words, spun at 30%", file=sys.stderr)

    figures: dict[str, object] = {"articles": len(originals), "mean_words": round(words)}
    figures["build"] = describe()  # compiled with mypyc or pure Python (see setup.py)
    figures["bytecode_compiled_by_bench"] = _compile_bytecode()
    figures["startup"] = _startup()

    docs = [
        (document_from_text(f"o{i}", a), document_from_text(f"s{i}", b))
        for i, (a, b) in enumerate(zip(originals, spun, strict=True))
    ]
    compare(*docs[0])  # warm caches: we time comparisons after start-up
    med, p95, results = _time_per_pair(compare, docs, repeat=3)
    verdicts = [r.verdict for r in results]
    figures["unspin_pair_ms"] = {
        "median": med * 1e3,
        "p95": p95 * 1e3,
        "spun_copy_share": verdicts.count("spun_copy") / len(verdicts),
    }

    text_pairs = list(zip(originals, spun, strict=True))
    anchors: dict[str, dict[str, float]] = {}
    try:
        mh_med, mh_p95, jac = _time_per_pair(_minhash_pair, text_pairs)
        anchors["datasketch_minhash_128_5gram"] = {
            "median_ms": mh_med * 1e3,
            "p95_ms": mh_p95 * 1e3,
            "time_ratio_to_unspin": mh_med / med,
            "mean_jaccard_on_spun_pairs": statistics.mean(jac),
            "share_above_0.8": sum(j >= 0.8 for j in jac) / len(jac),
        }
    except ImportError:
        print("datasketch not installed: pip install -e '.[bench]'", file=sys.stderr)

    def difflib_ratio(a: str, b: str) -> float:
        return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()

    dl_med, dl_p95, ratios = _time_per_pair(difflib_ratio, text_pairs)
    anchors["difflib_word_ratio"] = {
        "median_ms": dl_med * 1e3,
        "p95_ms": dl_p95 * 1e3,
        "time_ratio_to_unspin": dl_med / med,
        "mean_ratio_on_spun_pairs": statistics.mean(ratios),
    }
    figures["anchors"] = anchors

    # Batch: a pairs file over distinct documents (each read and prepared once), one core.
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        lines = []
        for i in range(args.pairs):
            k = i % len(originals)
            a = tmpd / f"o{i}.txt"
            b = tmpd / f"s{i}.txt"
            a.write_text(originals[k], encoding="utf-8")
            b.write_text(spinner.spin(originals[k], seed=1000 + i).text, encoding="utf-8")
            lines.append(f"{a}\t{b}")
        pairs_file = tmpd / "pairs.tsv"
        pairs_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        figures["batch"] = _run_batch(pairs_file, args.batch_runs)
        # The same pairs as an agency would run them: each story compared with the copies
        # found of it (one file per story, named by all its pairs), so a story is read and
        # prepared once and only the copies are new.
        by_story = sorted(range(args.pairs), key=lambda i: (i % len(originals), i))
        story_lines = [
            f"{tmpd / f'o{i % len(originals)}.txt'}\t{tmpd / f's{i}.txt'}" for i in by_story
        ]
        story_file = tmpd / "stories.tsv"
        story_file.write_text("\n".join(story_lines) + "\n", encoding="utf-8")
        figures["batch_story_vs_copies"] = _run_batch(story_file, args.batch_runs)

    # Batch on a realistic mix: the evaluation cases (reprints, spun copies, partial copies,
    # unrelated pairs of BBC articles, about 400 words each), one core.
    with tempfile.TemporaryDirectory() as tmp:
        cases = build_cases(max(1, args.pairs // 6), seed=5)
        write_cases(cases, tmp)
        figures["batch_bbc_mix"] = _run_batch(Path(tmp) / "pairs.tsv", args.batch_runs)

    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
