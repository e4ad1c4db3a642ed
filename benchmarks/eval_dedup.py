"""Quality of ``unspin dedup``: pairwise precision, recall and F1 of its clusters.

A held-out-like corpus is built from the BBC set (``benchmarks.testsets``): source articles,
their reprints (boilerplate, reflowed), spun copies at 15/30/50% (the benchmark spinner,
sentences dropped and blocks swapped), partial copies (3-6 sentences, maybe spun at 20%,
pasted into another article used nowhere else) and unrelated news (articles that share no
8-word run with any other BBC article). Documents are shuffled and carry no dates, so the
originals must be named from the texts alone. Truth: a source and everything derived from it
form one cluster; every unrelated article is alone.

Both engines run on it (their outputs must be identical), and a text-dedup-style MinHash
anchor with its NEWS-COPY settings (word 2-grams, 256 permutations, LSH threshold 0.45,
every pair sharing a band bucket joined by union-find, as ``text_dedup.minhash`` does).

Measured: pairwise precision / recall / F1 over all document pairs (a pair is positive
when both documents are in one cluster), the adjusted Rand index, how many clusters got the
right original, and how often a copy's relation is one its kind allows.

Usage::

    python -m benchmarks.eval_dedup --sources 150 --unrelated 300 --seed 5 [--engines local,spark]
    python -m benchmarks.eval_dedup --bbc --out bbc-dedup.jsonl   # the BBC set itself
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

KIND_RELATIONS = {
    "reprint": {"near_duplicate"},
    "spun": {"spun_copy", "partial_reuse"},
    "partial": {"partial_reuse"},
}


# ---------------------------------------------------------------------------------------------
# Metrics


def _pairs(sizes: Sequence[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise(
    pred: Sequence[str],
    truth: Sequence[str],
    ambiguous: Callable[[str, str], bool] | None = None,
) -> dict[str, float]:
    """Pairwise precision, recall, F1 and the adjusted Rand index of a clustering.

    ``ambiguous(s, t)``: pairs of documents from truth clusters s != t that count neither
    way when put together (stories that share text in the source collection itself)."""
    both = Counter(zip(pred, truth, strict=True))
    tp = _pairs(list(both.values()))
    pp = _pairs(list(Counter(pred).values()))
    tt = _pairs(list(Counter(truth).values()))
    if ambiguous is not None:
        per_cluster: dict[str, list[tuple[str, int]]] = {}
        for (c, t), n in both.items():
            per_cluster.setdefault(c, []).append((t, n))
        skip = 0
        for members in per_cluster.values():
            for i, (s, ns) in enumerate(members):
                for t, nt in members[i + 1 :]:
                    if ambiguous(s, t):
                        skip += ns * nt
        pp -= skip
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    total = _pairs([len(pred)])
    expected = pp * tt / total if total else 0.0
    ari = (tp - expected) / ((pp + tt) / 2 - expected) if (pp + tt) / 2 != expected else 1.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "ari": round(ari, 4),
        "true_pairs": tt,
        "predicted_pairs": pp,
    }


# ---------------------------------------------------------------------------------------------
# The MinHash anchor

_NON_WORD = re.compile(r"[^\w\s]")


def minhash_clusters(
    texts: Sequence[str],
    ngram: int = 2,
    num_perm: int = 256,
    threshold: float = 0.45,
) -> list[int]:
    """Cluster labels by text-dedup's MinHash recipe: word n-grams of lowercased text
    without punctuation, rensa signatures, bands chosen for ``threshold`` (64 of 4 rows at
    the defaults); documents sharing a band's bucket are joined with no verification, as
    ``text_dedup.minhash`` does (each bucket's members linked to its first member, then
    connected components). Buckets are grouped with numpy, so a story with hundreds of
    copies costs linear time, not a query per document returning hundreds."""
    import rensa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from benchmarks.bench_index import rensa_bands

    bands = rensa_bands(threshold, num_perm)
    rows = num_perm // bands
    sigs = np.empty((len(texts), num_perm), dtype=np.uint32)
    for i, text in enumerate(texts):
        words = _NON_WORD.sub(" ", text.lower()).split()
        grams = [" ".join(words[k : k + ngram]) for k in range(max(1, len(words) - ngram + 1))]
        m = rensa.RMinHash(num_perm, 42)
        m.update(grams)
        sigs[i] = m.digest()
    n = len(texts)
    src, dst = [], []
    for band in range(bands):
        part = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        keys = part.view(np.dtype((np.void, 4 * rows))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        leader = first[inverse.reshape(-1)]
        joined = np.flatnonzero(leader != np.arange(n))
        src.append(joined)
        dst.append(leader[joined])
    a, b = np.concatenate(src), np.concatenate(dst)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Label = the lowest member of each component, as unspin's clusters are labelled.
    lowest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(lowest, labels, np.arange(n))
    return [int(x) for x in lowest[labels]]


# ---------------------------------------------------------------------------------------------
# The corpus


def build_corpus(n_sources: int, n_unrelated: int, seed: int) -> list[dict[str, Any]]:
    """Records ``{"id", "text", "truth", "kind", "source"}`` in shuffled order."""
    from benchmarks.testsets import SPIN_RATES, CaseBuilder

    builder = CaseBuilder()
    arts = builder.articles
    clean = [i for i, s in enumerate(builder.sentences) if len(s) >= 4 and not builder.related[i]]
    rng = random.Random(f"unspin-eval-dedup-{seed}")
    rng.shuffle(clean)
    sources = clean[:n_sources]
    unrelated = clean[n_sources : n_sources + n_unrelated]
    hosts = clean[n_sources + n_unrelated :]
    records: list[dict[str, Any]] = []
    for idx in sources:
        a = arts[idx]
        records.append({"id": a.id, "text": a.text, "truth": a.id, "kind": "source"})
        kinds = rng.sample(
            ["reprint", "spun15", "spun30", "spun50", "partial", "spun30b"], rng.randint(1, 4)
        )
        for n, kind in enumerate(kinds):
            cid = f"{a.id}~{n}"
            if kind == "reprint":
                text = builder.reprint(idx, rng, cid).suspicious.text
            elif kind.startswith("spun"):
                rate = {"15": SPIN_RATES[0], "30": SPIN_RATES[1], "50": SPIN_RATES[2]}[kind[4:6]]
                text = builder.spun(idx, rate, rng, cid).suspicious.text
            else:
                # A host used nowhere else, so that the partial copy links to its source only.
                host = hosts.pop()
                saved = builder._unrelated_partner
                builder._unrelated_partner = lambda *_a, _h=host, **_k: _h  # type: ignore
                try:
                    text = builder.partial(idx, rng, cid).suspicious.text
                finally:
                    builder._unrelated_partner = saved  # type: ignore
            records.append(
                {
                    "id": cid,
                    "text": text,
                    "truth": a.id,
                    "kind": "spun" if kind.startswith("spun") else kind,
                    "variant": kind.rstrip("b"),
                    "source": a.id,
                }
            )
    for idx in unrelated:
        a = arts[idx]
        records.append({"id": a.id, "text": a.text, "truth": a.id, "kind": "unrelated"})
    rng.shuffle(records)
    return records


# ---------------------------------------------------------------------------------------------
# Running


def evaluate(records: list[dict[str, Any]], engines: Sequence[str], jobs: int) -> dict[str, Any]:
    from unspin.dedup import dedup

    truth = [r["truth"] for r in records]
    report: dict[str, Any] = {
        "documents": len(records),
        "true_clusters": sum(1 for n in Counter(truth).values() if n > 1),
        "kinds": dict(Counter(r.get("variant", r["kind"]) for r in records)),
    }
    outputs: dict[str, list[dict[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps({"id": r["id"], "text": r["text"]}) + "\n")
        for engine in engines:
            t0 = time.perf_counter()
            result = dedup([corpus], engine=engine, jobs=jobs)  # type: ignore[arg-type]
            seconds = time.perf_counter() - t0
            rows = [r.to_json() for r in result.rows]
            outputs[engine] = rows
            report[engine] = {
                **pairwise([r["cluster"] for r in rows], truth),
                **_naming(records, rows),
                "seconds": round(seconds, 1),
                "summary": result.summary.to_json(),
            }
    if len(outputs) > 1:
        first = next(iter(outputs.values()))
        report["engines_identical"] = all(v == first for v in outputs.values())
    t0 = time.perf_counter()
    labels = minhash_clusters([r["text"] for r in records])
    report["minhash"] = {
        **pairwise([str(x) for x in labels], truth),
        "settings": "word 2-grams, 256 permutations, LSH threshold 0.45 (rensa)",
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return report


def _naming(records: list[dict[str, Any]], rows: list[dict[str, str]]) -> dict[str, Any]:
    """Originals named right (the source article) and copies' relations allowed by kind."""
    by_id = {r["id"]: r for r in rows}
    sources = [r for r in records if r["kind"] == "source"]
    named = sum(1 for s in sources if by_id[s["id"]]["role"] == "original")
    ok = total = 0
    wrong: Counter[str] = Counter()
    for r in records:
        allowed = KIND_RELATIONS.get(r["kind"])
        row = by_id[r["id"]]
        if allowed is None or row["cluster"] != r["source"]:
            continue
        total += 1
        if row["relation"] in allowed:
            ok += 1
        else:
            wrong[f"{r['kind']}->{row['relation']}"] += 1
    return {
        "original_named_right": f"{named}/{len(sources)}",
        "relation_allowed": f"{ok}/{total}",
        "relation_other": dict(wrong),
    }


def bbc_jsonl(path: Path) -> Path:
    """The BBC set as JSON Lines with ``topic/NNN`` ids (file names repeat across topics;
    one file is cp1252, which ``load_bbc`` decodes)."""
    from benchmarks.testsets import load_bbc

    with path.open("w", encoding="utf-8") as fh:
        for a in load_bbc():
            fh.write(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n")
    return path


def run_bbc(out: Path, jobs: int, engine: str) -> dict[str, Any]:
    """Dedup the BBC set; the clusters found, with titles, for people to judge."""
    from benchmarks.testsets import load_bbc
    from unspin.dedup import dedup

    titles = {a.id: a.title for a in load_bbc()}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = bbc_jsonl(Path(tmp) / "bbc.jsonl")
        result = dedup([corpus], out=out, engine=engine, jobs=jobs)  # type: ignore[arg-type]
    clusters: dict[str, list[dict[str, str]]] = {}
    for r in result.rows:
        if r.role != "unique":
            clusters.setdefault(r.cluster, []).append(
                {"id": r.id, "role": r.role, "relation": r.relation, "title": titles[r.id]}
            )
    return {"summary": result.summary.to_json(), "clusters": clusters}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sources", type=int, default=150)
    ap.add_argument("--unrelated", type=int, default=300)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--engines", default="local,spark")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the report here too")
    ap.add_argument("--bbc", action="store_true", help="dedup the BBC set itself instead")
    ap.add_argument("--out", type=Path, default=Path("bbc-dedup.jsonl"))
    args = ap.parse_args(argv)
    if args.bbc:
        report = run_bbc(args.out, args.jobs, args.engines.split(",")[0])
    else:
        records = build_corpus(args.sources, args.unrelated, args.seed)
        report = evaluate(records, args.engines.split(","), args.jobs)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
