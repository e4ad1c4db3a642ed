"""Scale benchmark of ``unspin dedup``: local engine, Spark local mode and a MinHash anchor.

The corpus is ``benchmarks.corpus``'s (the BBC set, then spun, shuffled and truncated variants
of its articles, hundreds per article at a million documents), the one ``bench_index`` uses;
the first ``--docs`` documents of a cached corpus of that seed are taken when one is there
(a prefix of a larger corpus is exactly the smaller corpus), else it is generated.

Truth: a variant belongs with its source article (``corpus-*.sources.tsv``), and BBC articles
that share an 8-word run (``testsets.related_articles``: duplicates and stories quoting one
another) belong together.

Each system runs in a process of its own, timed and sampled for memory as ``bench_index``
does (largest single process, and the peak sum of proportional set sizes of the whole tree,
the JVM included for Spark):

* ``local``: ``unspin dedup CORPUS --out ... --jobs J --summary-json`` (time of each stage
  from its summary);
* ``spark``: the same with ``--engine spark`` (``local[J]``);
* ``minhash``: text-dedup's recipe with its NEWS-COPY settings (word 2-grams, 256
  permutations, LSH threshold 0.45, bucket-mates joined by union-find), rensa signatures.

Usage::

    python -m benchmarks.bench_dedup --docs 20000 [--systems local,spark,minhash] [--json F]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_index import _env, _python_cmd, run_measured
from benchmarks.eval_dedup import minhash_clusters, pairwise


def corpus_prefix(n_docs: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """A corpus of ``n_docs`` documents and its sources file: the prefix of the smallest
    cached corpus of this seed that is large enough, else a newly generated one."""
    from benchmarks.corpus import CorpusFiles, ensure_corpus
    from benchmarks.spinner import cache_dir

    cached = []
    for meta in cache_dir().glob(f"corpus-*-{seed}.meta.json"):
        files = CorpusFiles.at(meta.with_name(meta.name.replace(".meta.json", ".jsonl")))
        docs = json.loads(meta.read_text()).get("docs", 0)
        if files.exists() and docs >= n_docs:
            cached.append((docs, files))
    if not cached:
        files, _ = ensure_corpus(n_docs, seed, log=lambda m: print(m, file=sys.stderr))
        return files.corpus, files.sources
    _, files = min(cached, key=lambda x: x[0])
    if json.loads(files.meta.read_text())["docs"] == n_docs:
        return files.corpus, files.sources
    corpus, sources = folder / f"corpus-{n_docs}.jsonl", folder / f"corpus-{n_docs}.sources.tsv"
    for src, dst in ((files.corpus, corpus), (files.sources, sources)):
        with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
            for n, line in enumerate(fin):
                if n >= n_docs:
                    break
                fout.write(line)
    return corpus, sources


def truth_labels(sources: Path) -> tuple[list[str], list[str], Callable[[str, str], bool]]:
    """(ids, source article, ambiguous) in corpus order. A document's truth cluster is its
    source article; ``ambiguous(s, t)`` is true for BBC articles that share an 8-word run
    (``testsets.related_articles``: duplicates in the set, updated editions, stories quoting
    one another), whose documents may rightly be clustered together or not."""
    from benchmarks.testsets import load_bbc, related_articles

    ids, src = [], []
    with sources.open(encoding="utf-8") as fh:
        for line in fh:
            doc_id, source, _kind = line.rstrip("\n").split("\t")
            ids.append(doc_id)
            src.append(source)
    arts = load_bbc()
    related = related_articles(arts)
    pairs = {frozenset((arts[i].id, arts[j].id)) for i, rel in enumerate(related) for j in rel}
    return ids, src, lambda s, t: frozenset((s, t)) in pairs


def run_unspin(corpus: Path, engine: str, jobs: int, folder: Path) -> dict[str, Any]:
    out = folder / f"out-{engine}.jsonl"
    cmd = _python_cmd(
        "unspin", "dedup", str(corpus), "--out", str(out), "--jobs", str(jobs),
        "--engine", engine, "--summary-json", "--no-progress", "--workdir", str(folder),
    )  # fmt: skip
    run = run_measured(cmd, env=_env())
    if run.returncode != 0:
        # The cause of a JVM failure is far above its last lines: keep the whole log.
        log = Path(tempfile.gettempdir()) / f"bench-dedup-{engine}-failed.log"
        log.write_text(run.stderr, encoding="utf-8")
        raise RuntimeError(f"{' '.join(cmd)} failed (whole log: {log}):\n{run.stderr[-3000:]}")
    summary = json.loads(run.stderr.strip().splitlines()[-1])
    rows = [json.loads(line) for line in out.open(encoding="utf-8")]
    return {
        "seconds": round(run.seconds, 1),
        "cpu_seconds": round(run.cpu_seconds, 1),
        "max_rss_mb": round(run.max_rss_mb),
        "peak_tree_pss_mb": round(run.peak_tree_pss_mb),
        "stages": summary["seconds"],
        "summary": summary,
        "rows": rows,
    }


def worker_minhash(corpus: Path, out: Path) -> None:
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    t0 = time.perf_counter()
    labels = minhash_clusters(texts)
    out.write_text(
        json.dumps({"labels": labels, "seconds": time.perf_counter() - t0}), encoding="utf-8"
    )


def run_minhash(corpus: Path, folder: Path) -> dict[str, Any]:
    out = folder / "minhash.json"
    cmd = _python_cmd("benchmarks.bench_dedup", "--worker-minhash", str(corpus), str(out))
    run = run_measured(cmd, env=_env())
    if run.returncode != 0:
        raise RuntimeError(f"minhash failed:\n{run.stderr[-3000:]}")
    res = json.loads(out.read_text())
    return {
        "seconds": round(run.seconds, 1),
        "cpu_seconds": round(run.cpu_seconds, 1),
        "max_rss_mb": round(run.max_rss_mb),
        "peak_tree_pss_mb": round(run.peak_tree_pss_mb),
        "labels": res["labels"],
        "settings": "word 2-grams, 256 permutations, LSH threshold 0.45, one process (rensa)",
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--systems", default="local,spark,minhash")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--save", type=Path, help="folder to keep each system's cluster labels in")
    ap.add_argument("--worker-minhash", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker_minhash:
        worker_minhash(*args.worker_minhash)
        return 0
    report: dict[str, Any] = {"docs": args.docs, "seed": args.seed, "jobs": args.jobs}
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        folder = Path(tmp)
        corpus, sources = corpus_prefix(args.docs, args.seed, folder)
        ids, truth, ambiguous = truth_labels(sources)
        report["true_clusters"] = len(set(truth))
        outputs = {}
        for system in args.systems.split(","):
            print(f"running {system} ...", file=sys.stderr)
            if system == "minhash":
                res = run_minhash(corpus, folder)
                pred = [str(x) for x in res.pop("labels")]
            else:
                res = run_unspin(corpus, system, args.jobs, folder)
                rows = res.pop("rows")
                assert [r["id"] for r in rows] == ids
                outputs[system] = rows
                pred = [r["cluster"] for r in rows]
                originals = {r["cluster"] for r in rows if r["role"] == "original"}
                res["originals_that_are_bbc_articles"] = round(
                    sum(1 for o in originals if not o.startswith("v")) / max(1, len(originals)),
                    4,
                )
            res["quality"] = pairwise(pred, truth, ambiguous)
            res["quality_strict"] = pairwise(pred, truth)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{system}-{args.docs}.labels.json").write_text(json.dumps(pred))
            res["docs_per_s"] = round(args.docs / res["seconds"], 1)
            report[system] = res
            print(json.dumps({system: res}, indent=1), file=sys.stderr)
        if len(outputs) > 1:
            first = next(iter(outputs.values()))
            report["engines_identical"] = all(v == first for v in outputs.values())
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
