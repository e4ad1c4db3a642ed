"""How well fingerprints alone judge a candidate pair, against the alignment's verdict.

``unspin dedup`` aligns candidate pairs to verify them; at a million documents that is most of
the work. :mod:`unspin.dedup.quick` decides the clear pairs from the documents' features and
surfaces alone (one shares nearly all its spin-invariant features with the other) and leaves
the rest to the alignment. This script measures that shortcut: it takes real candidate pairs
of a generated corpus (``benchmarks.corpus``, the one ``bench_dedup`` uses) and each copy
with its source, judges each pair both ways, and reports how often the shortcut decides and
how often its verdict (and its strong/weak edge) agrees with the alignment's.

Usage::

    python -m benchmarks.eval_quick --docs 20000 --pairs 3000 [--json F]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.bench_dedup import corpus_prefix
from unspin.compare import prepare
from unspin.dedup.quick import pair_overlap, quick_judgement
from unspin.dedup.steps import DedupParams, Edge, bucket_pairs, count_pairs, verify
from unspin.documents import read_documents
from unspin.fingerprint import fingerprint_with_surface


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--pairs", type=int, default=3000, help="pairs of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    folder = Path("/tmp") / "unspin-eval-quick"
    folder.mkdir(exist_ok=True)
    corpus, sources = corpus_prefix(args.docs, args.seed, folder)
    docs = list(read_documents([corpus]))
    index = {d.id: i for i, d in enumerate(docs)}
    t0 = time.process_time()
    feats: list[np.ndarray] = []
    surfaces: list[np.ndarray] = []
    for i in range(0, len(docs), 64):
        f, s = fingerprint_with_surface(docs[i : i + 64])
        feats += f
        surfaces += s
    print(f"fingerprints: {(time.process_time() - t0) / len(docs) * 1e3:.3f} ms CPU a document",
          file=sys.stderr)  # fmt: skip
    params = DedupParams()
    nums = np.concatenate([np.full(len(f), i, dtype=np.int64) for i, f in enumerate(feats)])
    keys = bucket_pairs(np.concatenate(feats), nums, params)
    n_feats = np.array([len(f) for f in feats], dtype=np.int64)
    a, b, shared = count_pairs(keys, n_feats, params)
    rng = random.Random(args.seed)
    candidate = rng.sample(range(len(a)), min(args.pairs, len(a)))
    pairs = [("candidate", int(a[i]), int(b[i])) for i in candidate]
    copies = []
    with sources.open(encoding="utf-8") as fh:
        for line in fh:
            doc_id, source, _kind = line.rstrip("\n").split("\t")
            if doc_id != source and source in index and doc_id in index:
                copies.append((index[source], index[doc_id]))
    for x, y in rng.sample(copies, min(args.pairs, len(copies))):
        pairs.append(("relation", min(x, y), max(x, y)))

    rows = []
    decided = Counter()
    agree = Counter()
    strong_agree = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    quick_time = align_time = 0.0
    for kind, x, y in pairs:
        t = time.process_time()
        ov = pair_overlap(feats[x], feats[y], surfaces[x], surfaces[y])
        q = quick_judgement(ov)
        quick_time += time.process_time() - t
        t = time.process_time()
        e = verify(x, y, prepare(docs[x]), prepare(docs[y]))
        align_time += time.process_time() - t
        rows.append({"kind": kind, "overlap": ov.as_dict(), "verdict": e.verdict,
                     "coverage_a": e.coverage_a, "coverage_b": e.coverage_b,
                     "spin_rate": e.spin_rate, "quick": q.verdict if q else None})  # fmt: skip
        if q is None:
            continue
        decided[kind] += 1
        agree[kind] += q.verdict == e.verdict
        strong_agree[kind] += _strong(q.verdict, q.coverage_a, q.coverage_b) == e.strong
        confusion[(q.verdict, e.verdict)] += 1
    report = {
        "docs": len(docs),
        "candidate_pairs": int(len(a)),
        "quick_ms_per_pair": 1e3 * quick_time / len(pairs),
        "align_ms_per_pair": 1e3 * align_time / len(pairs),
        "by_kind": {
            k: {
                "pairs": sum(1 for r in rows if r["kind"] == k),
                "decided": decided[k],
                "same_verdict": agree[k],
                "same_edge": strong_agree[k],
            }
            for k in ("candidate", "relation")
        },
        "confusion (quick, aligned)": {f"{q} / {v}": n for (q, v), n in sorted(confusion.items())},
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"report": report, "rows": rows}, indent=1))
    return 0


def _strong(verdict: str, cov_a: float, cov_b: float) -> bool:
    return Edge(0, 1, 0, verdict, 0.0, cov_a, cov_b, 0.0, None).strong


if __name__ == "__main__":
    raise SystemExit(main())
