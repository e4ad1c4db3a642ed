"""How well ``unspin check`` finds sources: recall@1 and false matches, on BBC news.

The BBC set is split by a seeded shuffle: most articles go into the index, the rest are
held out as hosts and unrelated queries (never indexed, so a query cannot simply find
itself). Queries derived from indexed articles:

* ``reprint``: the article with boilerplate lines around it;
* ``spun@r``: spun by our spinner (``benchmarks.spinner``) at rate r, with sentences
  dropped and neighbours swapped;
* ``partial``: four to eight consecutive sentences, lightly spun, inside a held-out article;
* ``truncated``: the first half of the article, spun at 0.3;
* ``mixture``: the first half of one indexed article and the second half of another;
* ``unrelated``: a held-out article as it is.

recall@1: the best match is a source of the query (for a mixture, either one);
``unrelated_with_match``: share of unrelated queries given any match.

Usage::

    python -m benchmarks.eval_check --n 100 [--index DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.spinner import Spinner
from benchmarks.testsets import load_bbc, related_articles, split_sentences
from unspin.check import CheckParams, check
from unspin.index import Index
from unspin.models import Document

BOILERPLATE = ["Advertisement", "Share this article", "Read more: latest news", "Tags: news"]


def _spin_with_edits(text: str, spinner: Spinner, rate: float, rng: random.Random) -> str:
    spun = spinner.spin(text, seed=rng.randrange(1 << 30), rate=rate).text
    sents = [spun[a:b] for a, b in split_sentences(spun)]
    kept = [s for s in sents if rng.random() > 0.15] or sents
    for i in range(0, len(kept) - 1, 4):
        if rng.random() < 0.3:
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return " ".join(kept)


def build_queries(
    n: int, seed: int
) -> tuple[list[Document], list[tuple[str, Document, set[str], set[str]]]]:
    """(documents to index, [(kind, query, ids of its sources, ids also accepted)])."""
    articles = load_bbc()
    rng = random.Random(seed)
    # The BBC set holds duplicates and stories sharing quotes: only articles that share
    # no 8-word run with any other are held out, so that "unrelated" is true.
    related = related_articles(articles)
    alone = [i for i in range(len(articles)) if not related[i]]
    rng.shuffle(alone)
    held_ids = set(alone[:300])
    held = [articles[i] for i in sorted(held_ids)]
    indexed = [a for i, a in enumerate(articles) if i not in held_ids]
    # A query derived from an article is also rightly traced to that article's duplicates.
    twins = {articles[i].id: {articles[j].id for j in related[i]} for i in range(len(articles))}
    docs = [Document(id=a.id, text=a.text, title=a.title) for a in indexed]
    spinner = Spinner(rate=0.3, seed=seed)
    queries: list[tuple[str, Document, set[str], set[str]]] = []

    def add(kind: str, doc: Document, sources: set[str]) -> None:
        accepted = set(sources).union(*(twins[s] for s in sources)) if sources else set()
        queries.append((kind, doc, sources, accepted))

    def pick() -> object:
        return indexed[rng.randrange(len(indexed))]

    for k in range(n):
        a = pick()
        lines = [rng.choice(BOILERPLATE), a.text, rng.choice(BOILERPLATE)]
        add("reprint", Document(f"q{k}-reprint", "\n".join(lines)), {a.id})
        for rate in (0.15, 0.3, 0.5):
            a = pick()
            text = _spin_with_edits(a.text, spinner, rate, rng)
            add(f"spun@{rate}", Document(f"q{k}-spun{rate}", text), {a.id})
        a, host = pick(), held[rng.randrange(len(held))]
        sents = [a.text[s:e] for s, e in split_sentences(a.text)]
        start = rng.randrange(max(1, len(sents) - 8))
        part = " ".join(sents[start : start + rng.randint(4, 8)])
        part = spinner.spin(part, seed=rng.randrange(1 << 30), rate=0.2).text
        hs = [host.text[s:e] for s, e in split_sentences(host.text)]
        mid = len(hs) // 2
        add("partial", Document(f"q{k}-partial", " ".join(hs[:mid] + [part] + hs[mid:])), {a.id})
        a = pick()
        half = a.text[: len(a.text) // 2]
        add("truncated", Document(f"q{k}-trunc", _spin_with_edits(half, spinner, 0.3, rng)), {a.id})
        a, b = pick(), pick()
        mix = a.text[: len(a.text) // 2] + "\n" + b.text[len(b.text) // 2 :]
        add("mixture", Document(f"q{k}-mix", mix), {a.id, b.id})
        u = held[rng.randrange(len(held))]
        add("unrelated", Document(f"q{k}-unrelated", u.text), set())
    return docs, queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--index", type=Path, help="index folder (default: a temporary one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    docs, queries = build_queries(args.n, args.seed)
    tmp = tempfile.TemporaryDirectory()
    folder = args.index or Path(tmp.name) / "index"
    idx = Index(folder)
    t = time.perf_counter()
    idx.add(docs)
    add_s = time.perf_counter() - t
    params = CheckParams()
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    latency: list[float] = []
    verified: list[int] = []
    misses = []
    for kind, q, sources, accepted in queries:
        t = time.perf_counter()
        r = check(q, idx, params)
        latency.append(time.perf_counter() - t)
        verified.append(r.verified)
        row = hits[kind]
        row[1] += 1
        if kind == "unrelated":
            row[0] += bool(r.matches)
        elif r.matches and r.matches[0].source.id in accepted:
            row[0] += 1
        elif len(misses) < 10:
            misses.append((kind, q.id, sorted(sources), [m.source.id for m in r.matches[:3]]))
    derived = [(k, v) for k, v in hits.items() if k != "unrelated"]
    found = sum(v[0] for _, v in derived)
    total = sum(v[1] for _, v in derived)
    latency.sort()
    figures = {
        "indexed": len(docs),
        "index_seconds": add_s,
        "queries": len(queries),
        "recall_at_1": {k: v[0] / v[1] for k, v in derived},
        "recall_at_1_all_derived": found / total,
        "unrelated_with_match": hits["unrelated"][0] / max(1, hits["unrelated"][1]),
        "latency_ms": {
            "p50": 1e3 * statistics.median(latency),
            "p99": 1e3 * latency[int(0.99 * (len(latency) - 1))],
        },
        "verified_per_query": statistics.mean(verified),
        "params": params.__dict__ if hasattr(params, "__dict__") else str(params),
        "misses": misses,
    }
    text = json.dumps(figures, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    idx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
