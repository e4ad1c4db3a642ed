"""Scale benchmark: unspin's index against datasketch and rensa, side by side, in one run.

The corpus (:mod:`benchmarks.corpus`) is the BBC set and spun, shuffled and truncated variants
of it, up to ``--docs`` documents (a million by default), generated into a cache folder and
reused. Queries are fresh derived copies of indexed articles (reprints, spins with edits,
partial copies inside a held-out article, spun halves, mixtures, 800-word spun texts) and
unrelated held-out articles.

Every system runs in processes of its own, so that time and memory are its alone:

* **unspin**: ``unspin index add CORPUS --index DIR --jobs J`` timed end to end (read,
  normalise, canonicalise, fingerprint, write), ``unspin index stats --json`` for the size, then
  a query process that opens the index and calls :func:`unspin.check.check` on each query.
* **datasketch**: MinHash (128 permutations) of word 5-gram shingles and ``MinHashLSH``
  (threshold 0.5), its usual near-duplicate setting, in memory.
* **rensa**: ``RMinHash`` and ``RMinHashLSH`` with the same shingles, 128 permutations and the
  band count (a divisor of 128, which rensa requires) closest to datasketch's optimum for 0.5.

For both anchors signatures are computed by ``J`` worker processes (the cores unspin gets) and
inserted by the main one; the top match of a query is the LSH candidate with the highest
estimated Jaccard (signatures are kept in a NumPy matrix, the leanest way to keep them), and a
query "matches" when the LSH returns any candidate, which is how those indexes are used. Their
index lives in memory: its size on disk is that of a pickle of the LSH and the signatures, the
way their users persist it (skip with ``--no-pickle``). An anchor that would take too long at
full scale runs on the first ``--anchor-docs`` documents, which the report says.

Measured per system: documents indexed, indexing seconds and documents/s, bytes on disk (and,
for unspin, bytes a document beyond its compressed text), query latency p50/p99 (all queries
and the 800-word ones, which the target speaks of), peak memory of the indexing processes (the
largest single process, and the peak sum of the process tree's proportional set sizes) and of
the query process (its own high-water mark), recall@1 overall and by query kind, false
positives (share of unrelated queries with any match), and ratios to unspin.

A top match is right when it is the query's source article, one of the corpus variants of that
article (they derive from it: ``corpus-*.sources.tsv`` maps them back) or a BBC duplicate of it.

Usage::

    python -m benchmarks.bench_index --docs 20000 --queries 200 --json out.json
    python -m benchmarks.bench_index                      # a million documents, 1,000 queries
    python -m benchmarks.bench_index --anchor-docs 200000 --systems unspin,datasketch,rensa
    python -m benchmarks.bench_index --systems unspin,datasketch,datasketch:ngram=3:threshold=0.3

Targets (a million documents, 2 cores): indexing >= 2,000 documents/s; query p50 < 50 ms and
p99 < 250 ms for an 800-word text; query process peak < 1.5 GB; index < 2 KB a document
beyond the text.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.corpus import QUERY_KINDS, ensure_corpus, ensure_queries
from benchmarks.spinner import cache_dir

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "docs_per_s": 2000.0,
    "p50_ms_800_words": 50.0,
    "p99_ms_800_words": 250.0,
    "query_peak_rss_mb": 1536.0,
    "bytes_per_doc_beyond_text": 2048.0,
}
ANCHORS = ("datasketch", "rensa")
WARMUP_TEXT = (
    "The company said on Tuesday that profits had risen sharply in the last quarter. "
    "Analysts had expected a smaller rise, and shares closed higher in London. "
    "The chief executive said the firm would keep investing in new markets next year."
)


# ---------------------------------------------------------------------------------------------
# Measuring processes


@dataclass
class Run:
    """A finished child process: wall time and memory."""

    cmd: list[str]
    seconds: float
    returncode: int
    max_rss_mb: float  # the largest single process of its tree (wait4's ru_maxrss)
    cpu_seconds: float  # user + system time of the process and its reaped children
    peak_tree_pss_mb: float  # peak sum of the tree's PSS, sampled (shared pages counted once)
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree(root: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: forked workers share their parent's pages, and summing plain
    RSS would count those pages once per worker."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], env: dict[str, str] | None = None, poll: float = 0.25) -> Run:
    """Run ``cmd`` to the end, sampling its process tree's memory every ``poll`` seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(poll):
            peak[0] = max(peak[0], sum(_pss_kb(p) for p in _tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
        for s, b in ((proc.stdout, out), (proc.stderr, err))
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for r in readers:
        r.join()
    sampler.join()
    return Run(
        cmd,
        seconds,
        proc.returncode,
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        peak[0] / 1024,
        "".join(out),
        "".join(err),
    )


def _vm(name: str) -> float:
    """A ``VmXXX`` line of /proc/self/status, in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    """Reset this process's high-water mark (Linux >= 4.0), so that the query phase of an
    in-memory anchor gets a peak of its own, not the build's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (pool workers, once joined)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _python_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


# ---------------------------------------------------------------------------------------------
# Anchors (run inside a worker process)

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int) -> list[str]:
    """Distinct lowercase word n-grams (the whole text when shorter than n words)."""
    words = _WORD.findall(text.lower())
    if len(words) <= n:
        return [" ".join(words)]
    return list({" ".join(words[i : i + n]) for i in range(len(words) - n + 1)})


def anchor_params(spec: str) -> tuple[str, dict[str, float]]:
    """``name[:key=value[:key=value...]]`` -> (library, settings).

    Colons, not commas, separate settings, because ``--systems`` is comma-separated. Settings
    left out keep the libraries' usual near-duplicate values."""
    name, _, rest = spec.partition(":")
    if name not in ANCHORS:
        raise ValueError(f"unknown system {name!r}; expected unspin or one of {ANCHORS}")
    params: dict[str, float] = {"ngram": 5, "num_perm": 128, "threshold": 0.5}
    for item in filter(None, rest.split(":")):
        key, _, value = item.partition("=")
        if key not in ("ngram", "num_perm", "threshold", "bands"):
            raise ValueError(f"{spec}: unknown setting {key!r}")
        params[key] = float(value)
    for key in ("ngram", "num_perm", "bands"):
        if key in params:
            params[key] = int(params[key])
    if name == "rensa" and "bands" not in params:
        params["bands"] = rensa_bands(float(params["threshold"]), int(params["num_perm"]))
    return name, params


def rensa_bands(threshold: float, num_perm: int) -> int:
    """The divisor of ``num_perm`` whose banding best fits ``threshold``, by datasketch's own
    criterion (false positive plus false negative probability mass)."""
    from datasketch.lsh import _false_negative_probability, _false_positive_probability

    best = (math.inf, 1)
    for b in range(1, num_perm + 1):
        if num_perm % b:
            continue
        r = num_perm // b
        err = _false_positive_probability(threshold, b, r)
        err += _false_negative_probability(threshold, b, r)
        best = min(best, (err, b))
    return best[1]


_SIG: tuple[str, dict[str, Any]] | None = None


def _sig_init(name: str, params: dict[str, Any]) -> None:
    global _SIG
    _SIG = (name, params)


def _signature(text: str) -> Any:
    """The library's own MinHash object for a text (datasketch: its hash values)."""
    assert _SIG is not None
    name, p = _SIG
    sh = shingles(text, p["ngram"])
    if name == "datasketch":
        from datasketch import MinHash

        m = MinHash(num_perm=p["num_perm"])
        m.update_batch([s.encode("utf-8") for s in sh])
        return m.hashvalues
    import rensa

    r = rensa.RMinHash(p["num_perm"], 42)
    r.update(sh)
    return r


def _signatures(texts: list[str]) -> list[Any]:
    return [_signature(t) for t in texts]


def _batches(path: Path, limit: int, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= limit:
                break
            batch.append(json.loads(line)["text"])
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def _bounded(pool: Any, fn: Callable[[Any], Any], items: Iterable[Any], ahead: int) -> Iterator:
    """Like ``pool.imap`` but with at most ``ahead`` tasks in flight, so that neither the
    corpus nor finished results pile up in memory."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.apply_async(fn, (item,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def worker_anchor(args: argparse.Namespace) -> dict[str, Any]:
    """Build an anchor's in-memory index over the first ``limit`` documents, then query it."""
    import multiprocessing as mp

    import numpy as np

    name, p = anchor_params(args.spec)
    _sig_init(name, p)
    n = args.limit
    num_perm = p["num_perm"]
    if name == "datasketch":
        from datasketch import LeanMinHash, MinHash, MinHashLSH

        # datasketch picks bands and rows for the threshold itself unless told.
        bands = {"params": (p["bands"], num_perm // p["bands"])} if "bands" in p else {}
        lsh: Any = MinHashLSH(threshold=p["threshold"], num_perm=num_perm, **bands)
        p["bands"], p["rows"] = lsh.b, lsh.r
        probe = MinHash(num_perm=num_perm)
        # datasketch 2 hashes to 32 bits ("affine32") and wants the scheme named when a
        # MinHash is rebuilt from its values; 1.x kept 64-bit values and had no schemes.
        scheme = {"scheme": probe.scheme} if getattr(probe, "scheme", None) else {}
        sig = np.zeros((n, num_perm), dtype=probe.hashvalues.dtype)

        def lean(s: Any) -> Any:
            return LeanMinHash(seed=1, hashvalues=s, **scheme)

        def insert(row: int, s: Any) -> None:
            lsh.insert(row, lean(s))
            sig[row] = s

        def digest(s: Any) -> Any:
            return s

        def candidates(s: Any) -> list[int]:
            return lsh.query(lean(s))
    else:
        import rensa

        lsh = rensa.RMinHashLSH(p["threshold"], num_perm, p["bands"])
        p["rows"] = num_perm // p["bands"]
        sig = np.zeros((n, num_perm), dtype=np.uint32)

        def insert(row: int, s: Any) -> None:
            lsh.insert(row, s)
            sig[row] = s.digest()

        def digest(s: Any) -> Any:
            return np.asarray(s.digest(), dtype=np.uint32)

        def candidates(s: Any) -> list[int]:
            return lsh.query(s)

    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    row = 0
    batches = _batches(Path(args.corpus), n, 256)
    if args.jobs > 1:
        ctx = mp.get_context("fork")
        with ctx.Pool(args.jobs, initializer=_sig_init, initargs=(name, p)) as pool:
            for sigs in _bounded(pool, _signatures, batches, 4 * args.jobs):
                for s in sigs:
                    insert(row, s)
                    row += 1
    else:
        for texts in batches:
            for s in _signatures(texts):
                insert(row, s)
                row += 1
    build_s = time.perf_counter() - t0
    build_cpu = _cpu_seconds() - cpu0
    out: dict[str, Any] = {
        "system": args.spec,
        "params": p,
        "docs": row,
        "index_seconds": build_s,
        "index_cpu_seconds": build_cpu,
        "docs_per_cpu_s": row / build_cpu if build_cpu else None,
        "index_peak_rss_mb": _vm("VmHWM"),
        "index_rss_mb": _vm("VmRSS"),
    }
    sig = sig[:row]
    if args.pickle:
        path = Path(args.pickle)
        t = time.perf_counter()
        with path.open("wb") as fh:
            pickle.dump((lsh, sig), fh, protocol=pickle.HIGHEST_PROTOCOL)
        out["pickle_seconds"] = time.perf_counter() - t
        out["bytes_on_disk"] = path.stat().st_size
        path.unlink()
    out["peak_reset"] = _reset_peak()
    results = []
    for q in _read_queries(Path(args.queries)):
        t = time.perf_counter()
        s = _signature(q["text"])
        hits = candidates(s)
        top = None
        if hits:
            rows = np.asarray(hits, dtype=np.int64)
            sim = (sig[rows] == digest(s)[None, :]).mean(axis=1)
            top = int(rows[int(np.argmax(sim))])
        ms = 1e3 * (time.perf_counter() - t)
        results.append({"id": q["id"], "top_row": top, "any": bool(hits), "ms": ms})
    out["query_peak_rss_mb"] = _vm("VmHWM")
    out["results"] = results
    return out


# ---------------------------------------------------------------------------------------------
# unspin's query process


def worker_unspin(args: argparse.Namespace) -> dict[str, Any]:
    """Open the index and check each query, one at a time, timing each."""
    from unspin.check import check
    from unspin.index import Index
    from unspin.models import Document

    idx = Index(args.index, create=False)
    t = time.perf_counter()
    check(Document("warmup", WARMUP_TEXT), idx)  # loads the lexicon and models, not timed
    warmup_ms = 1e3 * (time.perf_counter() - t)
    results = []
    for q in _read_queries(Path(args.queries)):
        doc = Document(q["id"], q["text"])
        t = time.perf_counter()
        r = check(doc, idx)
        ms = 1e3 * (time.perf_counter() - t)
        top = r.matches[0].source.id if r.matches else None
        results.append(
            {"id": q["id"], "top": top, "any": bool(r.matches), "ms": ms, "verified": r.verified}
        )
    idx.close()
    return {
        "warmup_ms": warmup_ms,
        "query_peak_rss_mb": _vm("VmHWM"),
        "results": results,
    }


# ---------------------------------------------------------------------------------------------
# Scoring


def _read_queries(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def source_lookup(
    sidecar: Path, ids: set[str], rows: set[int]
) -> tuple[dict[str, str], dict[int, str]]:
    """BBC source of the given document ids and corpus rows (the sidecar is in corpus order)."""
    by_id: dict[str, str] = {}
    by_row: dict[int, str] = {}
    with sidecar.open(encoding="utf-8") as fh:
        for row, line in enumerate(fh):
            doc_id, source, _ = line.rstrip("\n").split("\t")
            if doc_id in ids:
                by_id[doc_id] = source
            if row in rows:
                by_row[row] = source
    return by_id, by_row


def score(
    results: list[dict[str, Any]], queries: list[dict[str, Any]], source_of: Callable[[dict], Any]
) -> dict[str, Any]:
    """recall@1 (overall and per kind), false positives and latency of one system's results."""
    truth = {q["id"]: q for q in queries}
    hits: dict[str, list[int]] = {}
    latency = [r["ms"] for r in results]
    long_latency = [r["ms"] for r in results if truth[r["id"]]["kind"] == "long800"]
    misses = []
    for r in results:
        q = truth[r["id"]]
        row = hits.setdefault(q["kind"], [0, 0])
        row[1] += 1
        if q["kind"] == "unrelated":
            row[0] += bool(r["any"])
            continue
        src = source_of(r)
        if src is not None and src in set(q["accepted"]):
            row[0] += 1
        elif len(misses) < 8:
            misses.append({"query": q["id"], "sources": q["sources"], "top_source": src})
    derived = {k: v for k, v in hits.items() if k != "unrelated"}
    found = sum(v[0] for v in derived.values())
    total = sum(v[1] for v in derived.values())
    unrelated = hits.get("unrelated", [0, 0])
    return {
        "queries": len(results),
        "recall_at_1": found / total if total else None,
        "recall_at_1_by_kind": {
            k: derived[k][0] / derived[k][1] for k in QUERY_KINDS if k in derived
        },
        "false_positives": unrelated[0] / unrelated[1] if unrelated[1] else None,
        "p50_ms": _percentile(latency, 0.5),
        "p99_ms": _percentile(latency, 0.99),
        "p50_ms_800_words": _percentile(long_latency, 0.5),
        "p99_ms_800_words": _percentile(long_latency, 0.99),
        "mean_ms": statistics.fmean(latency) if latency else None,
        "misses": misses,
    }


# ---------------------------------------------------------------------------------------------
# Systems


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _check_run(run: Run, what: str) -> None:
    if run.returncode != 0:
        tail = "\n".join(run.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed (exit {run.returncode}):\n{tail}")


def bench_unspin(
    corpus: Path,
    queries: Path,
    work: Path,
    jobs: int,
    keep: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Index with the CLI, size with ``index stats``, query with the library."""
    folder = work / "unspin-index"
    if folder.exists():
        shutil.rmtree(folder)
    unspin = shutil.which("unspin")
    prefix = [unspin] if unspin else _python_cmd("unspin")
    log(f"unspin: indexing {corpus.name} with --jobs {jobs}")
    add = run_measured(
        [*prefix, "index", "add", str(corpus), "--index", str(folder), "--jobs", str(jobs)]
        + ["--no-progress"],
        env=_env(),
    )
    _check_run(add, "unspin index add")
    stats_run = subprocess.run(
        [*prefix, "index", "stats", "--index", str(folder), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(stats_run.stdout)
    docs = int(stats["documents"])
    log(f"unspin: {docs:,} documents in {add.seconds:.0f} s; querying")
    query = run_measured(
        _python_cmd("benchmarks.bench_index", "worker", "unspin")
        + ["--index", str(folder), "--queries", str(queries)],
        env=_env(),
    )
    _check_run(query, "unspin query worker")
    worker = json.loads(query.stdout)
    if not keep:
        shutil.rmtree(folder)
    return {
        "system": "unspin",
        "docs": docs,
        "index_seconds": add.seconds,
        "docs_per_s": docs / add.seconds,
        "bytes_on_disk": stats["bytes_on_disk"],
        "bytes_per_doc": stats["bytes_on_disk"] / docs if docs else None,
        "bytes_per_doc_beyond_text": stats["bytes_per_document_beyond_text"],
        "bytes_of_compressed_text": stats["bytes_of_compressed_text"],
        "features_per_doc": stats["features"] / docs if docs else None,
        "index_cpu_seconds": add.cpu_seconds,
        "docs_per_cpu_s": docs / add.cpu_seconds if add.cpu_seconds else None,
        "index_peak_rss_mb": add.max_rss_mb,
        "index_peak_tree_pss_mb": add.peak_tree_pss_mb,
        "query_peak_rss_mb": worker["query_peak_rss_mb"],
        "query_process_seconds": query.seconds,
        "warmup_ms": worker["warmup_ms"],
        "verified_per_query": statistics.fmean(r["verified"] for r in worker["results"]),
        "results": worker["results"],
    }


def bench_anchor(
    spec: str,
    corpus: Path,
    queries: Path,
    work: Path,
    limit: int,
    jobs: int,
    pickle_it: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """One anchor in one process (its index is in memory): build, optionally pickle, query."""
    log(f"{spec}: indexing {limit:,} documents with {jobs} signature workers")
    cmd = _python_cmd("benchmarks.bench_index", "worker", "anchor", spec)
    cmd += ["--corpus", str(corpus), "--queries", str(queries), "--limit", str(limit)]
    cmd += ["--jobs", str(jobs)]
    if pickle_it:
        cmd += ["--pickle", str(work / f"{spec.replace(':', '_')}.pkl")]
    run = run_measured(cmd, env=_env())
    _check_run(run, f"{spec} worker")
    out = json.loads(run.stdout)
    out["docs_per_s"] = out["docs"] / out["index_seconds"]
    out["process_seconds"] = run.seconds
    # The tree (main process and signature workers) peaks while indexing.
    out["index_peak_tree_pss_mb"] = run.peak_tree_pss_mb
    out["process_cpu_seconds"] = run.cpu_seconds
    out["process_max_rss_mb"] = run.max_rss_mb
    if "bytes_on_disk" in out:
        out["bytes_per_doc"] = out["bytes_on_disk"] / max(1, out["docs"])
        # An LSH index stores no text: all its bytes are "beyond the text".
        out["bytes_per_doc_beyond_text"] = out["bytes_per_doc"]
    log(f"{spec}: {out['docs']:,} documents in {out['index_seconds']:.0f} s")
    return out


# ---------------------------------------------------------------------------------------------
# Report


RATIO_KEYS = (
    "docs_per_s",
    "docs_per_cpu_s",
    "bytes_per_doc_beyond_text",
    "p50_ms",
    "p99_ms",
    "p50_ms_800_words",
    "p99_ms_800_words",
    "index_peak_rss_mb",
    "query_peak_rss_mb",
    "recall_at_1",
)


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _mb(value: float | None) -> float | None:
    return None if value is None else value / 2**20


def render(report: dict[str, Any]) -> str:
    """The report as aligned text tables."""
    systems = report["systems"]
    names = list(systems)
    rows: list[tuple[str, Callable[[dict], str]]] = [
        ("docs indexed", lambda s: _fmt(s["docs"])),
        ("indexing s", lambda s: _fmt(s["index_seconds"], 1)),
        ("docs/s", lambda s: _fmt(s["docs_per_s"])),
        ("docs/CPU-s", lambda s: _fmt(s.get("docs_per_cpu_s"))),
        ("index MB on disk", lambda s: _fmt(_mb(s.get("bytes_on_disk")), 1)),
        ("B/doc beyond text", lambda s: _fmt(s.get("bytes_per_doc_beyond_text"))),
        ("query p50 ms", lambda s: _fmt(s["p50_ms"], 1)),
        ("query p99 ms", lambda s: _fmt(s["p99_ms"], 1)),
        ("800-word p50 ms", lambda s: _fmt(s["p50_ms_800_words"], 1)),
        ("800-word p99 ms", lambda s: _fmt(s["p99_ms_800_words"], 1)),
        ("index peak RSS MB", lambda s: _fmt(s["index_peak_rss_mb"])),
        ("index tree PSS MB", lambda s: _fmt(s.get("index_peak_tree_pss_mb"))),
        ("query peak RSS MB", lambda s: _fmt(s["query_peak_rss_mb"])),
        ("recall@1", lambda s: _fmt(s["recall_at_1"], 3)),
        ("false positives", lambda s: _fmt(s["false_positives"], 3)),
    ]
    for kind in QUERY_KINDS:
        if kind != "unrelated":
            rows.append(
                (f"  recall {kind}", lambda s, k=kind: _fmt(s["recall_at_1_by_kind"].get(k), 3))
            )
    width = max(len(r[0]) for r in rows) + 2
    width = max(width, *(len(k) + 2 for k in RATIO_KEYS))
    cols = [max(12, len(n) + 2) for n in names]
    lines = [
        f"{report['docs']:,} documents, {report['queries']} queries, seed {report['seed']}, "
        f"{report['jobs']} jobs; load average at start {report['load_before']}, "
        f"at end {report['load_after']}",
        "".ljust(width) + "".join(n.rjust(c) for n, c in zip(names, cols, strict=True)),
    ]
    for label, get in rows:
        cells = "".join(get(systems[n]).rjust(c) for n, c in zip(names, cols, strict=True))
        lines.append(label.ljust(width) + cells)
    others = [n for n in names if n != "unspin"]
    if report.get("ratios") and others:
        lines.append("")
        lines.append("ratio to unspin (system / unspin)")
        ocols = [max(12, len(n) + 2) for n in others]
        lines.append(
            "".ljust(width) + "".join(n.rjust(c) for n, c in zip(others, ocols, strict=True))
        )
        for key in RATIO_KEYS:
            cells = ""
            for n, c in zip(others, ocols, strict=True):
                value = report["ratios"].get(n, {}).get(key)
                cells += ("-" if value is None else f"{value:.3g}").rjust(c)
            lines.append(key.ljust(width) + cells)
    if report.get("targets_met"):
        lines.append("")
        lines.append(f"unspin targets (stated for 1,000,000 docs; this run: {report['docs']:,}):")
        for key, (value, target, ok) in report["targets_met"].items():
            lines.append(
                f"  {key}: {_fmt(value, 1)} vs {_fmt(target, 0)}  {'met' if ok else 'NOT met'}"
            )
    if others:
        lines.append(
            "note: an anchor's index lives in memory; its size on disk is a pickle of its LSH "
            "and signatures, and a query matches when the LSH returns any candidate"
        )
    for name, s in systems.items():
        if s["docs"] < report["docs"]:
            lines.append(f"note: {name} indexed only the first {s['docs']:,} documents")
    if max(report["load_before"]) > 0.5:
        lines.append(
            "note: the machine was not idle at the start (load average above); "
            "times and docs/s are pessimistic, docs/CPU-s less so"
        )
    return "\n".join(lines)


def _targets(s: dict[str, Any]) -> dict[str, tuple[float | None, float, bool]]:
    out = {}
    for key, target in TARGETS.items():
        value = s.get(key)
        if value is None:
            continue
        ok = value >= target if key == "docs_per_s" else value < target
        out[key] = (value, target, ok)
    return out


def _ratios(systems: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    base = systems.get("unspin")
    if not base:
        return {}
    out: dict[str, dict[str, float | None]] = {}
    for name, s in systems.items():
        if name == "unspin":
            continue
        out[name] = {
            k: (s[k] / base[k] if s.get(k) is not None and base.get(k) else None)
            for k in RATIO_KEYS
        }
    return out


# ---------------------------------------------------------------------------------------------
# CLI


def _worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_index worker")
    sub = parser.add_subparsers(dest="what", required=True)
    u = sub.add_parser("unspin")
    u.add_argument("--index", required=True)
    u.add_argument("--queries", required=True)
    a = sub.add_parser("anchor")
    a.add_argument("spec")
    a.add_argument("--corpus", required=True)
    a.add_argument("--queries", required=True)
    a.add_argument("--limit", type=int, required=True)
    a.add_argument("--jobs", type=int, default=2)
    a.add_argument("--pickle")
    args = parser.parse_args(argv)
    out = worker_unspin(args) if args.what == "unspin" else worker_anchor(args)
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return _worker_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="corpus size")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2, help="cores each system may use")
    parser.add_argument(
        "--systems",
        default="unspin,datasketch,rensa",
        help="comma-separated; an anchor takes settings as name:key=value:key=value "
        "(ngram, num_perm, threshold, bands)",
    )
    parser.add_argument("--anchor-docs", type=int, help="anchors index only the first M documents")
    parser.add_argument("--corpus", type=Path, help="corpus file (default: in the cache)")
    parser.add_argument("--work", type=Path, help="scratch folder for indexes and pickles")
    parser.add_argument("--no-pickle", action="store_true", help="skip the anchors' pickles")
    parser.add_argument("--keep-index", action="store_true", help="keep unspin's index")
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    systems = [s for s in args.systems.split(",") if s]
    for spec in systems:
        if spec != "unspin":
            anchor_params(spec)  # fail early on a typo
    t = time.perf_counter()
    files, meta = ensure_corpus(args.docs, args.seed, args.corpus, args.jobs, log)
    corpus_s = time.perf_counter() - t
    log(f"corpus {files.corpus} ({'reused' if meta['reused'] else f'made in {corpus_s:.0f} s'})")
    qpath = ensure_queries(args.queries, args.seed)
    queries = _read_queries(qpath)
    work = args.work or cache_dir() / f"bench-work-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    raw: dict[str, dict[str, Any]] = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        for spec in systems:
            if spec == "unspin":
                raw[spec] = bench_unspin(files.corpus, qpath, work, args.jobs, args.keep_index, log)
            else:
                limit = min(args.docs, args.anchor_docs or args.docs)
                raw[spec] = bench_anchor(
                    spec, files.corpus, qpath, work, limit, args.jobs, not args.no_pickle, log
                )
    finally:
        if not args.keep_index and args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    ids = {r["top"] for s in raw.values() for r in s["results"] if r.get("top")}
    rows = {
        r["top_row"] for s in raw.values() for r in s["results"] if r.get("top_row") is not None
    }
    by_id, by_row = source_lookup(files.sources, ids, rows)
    report_systems: dict[str, dict[str, Any]] = {}
    for name, s in raw.items():
        if name == "unspin":
            scored = score(s["results"], queries, lambda r: by_id.get(r["top"]))
        else:
            scored = score(s["results"], queries, lambda r: by_row.get(r["top_row"]))
        report_systems[name] = {k: v for k, v in s.items() if k != "results"} | scored
    report: dict[str, Any] = {
        "docs": args.docs,
        "seed": args.seed,
        "jobs": args.jobs,
        "cpu_count": os.cpu_count(),
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "anchor_docs": args.anchor_docs,
        "corpus": {k: v for k, v in meta.items() if k != "held_out"} | {"path": str(files.corpus)},
        "corpus_seconds_this_run": corpus_s,
        "queries": len(queries),
        "query_kinds": {k: sum(q["kind"] == k for q in queries) for k in QUERY_KINDS},
        "systems": report_systems,
        "ratios": _ratios(report_systems),
        "targets": TARGETS,
    }
    if "unspin" in report_systems:
        report["targets_met"] = _targets(report_systems["unspin"])
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
