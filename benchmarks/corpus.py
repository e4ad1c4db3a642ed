"""A million news-like documents for the scale benchmark, generated on demand, never committed.

The corpus is the BBC set (less 300 held-out articles, chosen exactly as
``benchmarks.eval_check`` chooses them) followed by variants of random indexed articles:
spun at 15/30/50%, sentence-shuffled, truncated to 40-90%, and combinations of these. Each
source ends up with hundreds of variants, which is the hard case for a source finder: the
postings of every feature of an article are long, and a near-duplicate tool's buckets fill
with copies.

Why a fast spinner: :class:`benchmarks.spinner.Spinner` takes about 8 ms an article, over an
hour for a million on two cores. Its work is mostly looking words up, and every variant here is
made from the same ~1,900 articles, so :class:`FastSpinner` does the look-ups once per article
(per sentence: literal text between eligible words, and each eligible word's thesaurus entry,
found by the real spinner's own rules: same thesauri, same stop words, same crude inflection,
same capitalisation) and a variant is then only coin flips and choices. It substitutes single
words only (the real one also swaps multi-word phrases) and is context-blind like it: the output
reads like spinner output, "Linked Push" and all.

Files, in the cache folder (``$UNSPIN_BENCH_CACHE`` or ``~/.cache/unspin-bench``), reused when
present (written to a temporary name and renamed, so a half-written corpus is never reused):

* ``corpus-N-SEED.jsonl``: ``{"id", "text"}`` a line, BBC originals first (so that the first M
  documents, what anchors run on with ``--anchor-docs``, hold every source), then variants;
* ``corpus-N-SEED.sources.tsv``: ``id<TAB>source<TAB>kind`` for every document (an original is
  its own source), to map a match back to the BBC article it derives from;
* ``corpus-N-SEED.meta.json``: counts, held-out ids, generation time;
* ``queries-Q-SEED.jsonl``: queries with their truth (see :func:`build_queries`).

CLI: ``python -m benchmarks.corpus --docs 20000 [--queries 200] [--seed 7] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.spinner import Spinner, _attach, _match_case, _tokens, cache_dir
from benchmarks.testsets import Article, split_sentences

SPIN_RATES: tuple[float, ...] = (0.15, 0.3, 0.5)
# (spin, shuffle, truncate), drawn uniformly: plain spins three times (a third of the variants,
# as the issue puts spinning first), every other non-empty combination once. A spun kind draws
# its rate from SPIN_RATES.
VARIANT_KINDS: tuple[tuple[bool, bool, bool], ...] = (
    (True, False, False),
    (True, False, False),
    (True, False, False),
    (False, True, False),
    (False, False, True),
    (True, True, False),
    (True, False, True),
    (False, True, True),
    (True, True, True),
)
TRUNCATE_RANGE = (0.4, 0.9)
CHUNK = 2000  # variants per task: one task's JSON stays a few MB
QUERY_KINDS: tuple[str, ...] = (
    "reprint",
    "spun@0.15",
    "spun@0.3",
    "spun@0.5",
    "partial",
    "truncated",
    "mixture",
    "long800",
    "unrelated",
)
LONG_WORDS = 800  # the latency target is stated for an 800-word query


# ---------------------------------------------------------------------------------------------
# The fast spinner


@dataclass(slots=True)
class _Sentence:
    """A sentence as literal pieces around its eligible words, ready to spin many times."""

    literals: list[str]  # len(slots) + 1 pieces
    slots: list[tuple[str, str, str, tuple[str, ...]]]  # (word as written, key, suffix, sources)
    content: int  # content words, for the rate compensation
    text: str  # the sentence as written
    sep: str  # what followed the sentence in the article (space, newline, blank line)


@dataclass(slots=True)
class Template:
    """One article, pre-tokenised: sentence 0 is the headline."""

    id: str
    text: str
    sentences: list[_Sentence]


class FastSpinner:
    """Context-blind single-word spinner with the look-ups done once per article.

    Same dictionary, same eligibility and the same rate compensation as
    :class:`benchmarks.spinner.Spinner` (the share of content words substituted is close to the
    target rate), at a few hundred microseconds an article instead of milliseconds.
    """

    def __init__(self, spinner: Spinner) -> None:
        self.spinner = spinner
        self._lookups: dict[str, tuple[str, str, tuple[str, ...]] | None] = {}
        self.substituted = 0  # words replaced so far (to measure the achieved rate)
        self.content = 0  # content words seen so far by :meth:`variant`

    def _lookup(self, word: str) -> tuple[str, str, tuple[str, ...]] | None:
        low = word.lower()
        hit = self._lookups.get(low, False)
        if hit is False:
            hit = self.spinner._lookup([low])
            self._lookups[low] = hit
        return hit  # type: ignore[return-value]

    def template(self, doc_id: str, text: str) -> Template:
        """Pre-tokenise an article (sentences as :func:`benchmarks.testsets.split_sentences`)."""
        spans = split_sentences(text)
        sentences: list[_Sentence] = []
        for k, (start, end) in enumerate(spans):
            sent = text[start:end]
            nxt = spans[k + 1][0] if k + 1 < len(spans) else len(text)
            sep = text[end:nxt] or " "
            literals: list[str] = []
            slots: list[tuple[str, str, str, tuple[str, ...]]] = []
            pos = content = 0
            for tok in _tokens(sent):
                content += tok.content
                if not (tok.usable and tok.content):
                    continue
                hit = self._lookup(tok.text)
                if hit is None:
                    continue
                literals.append(sent[pos : tok.start])
                slots.append((tok.text, *hit))
                pos = tok.end
            literals.append(sent[pos:])
            sentences.append(_Sentence(literals, slots, content, sent, sep))
        return Template(doc_id, text, sentences)

    def spin_sentence(self, sent: _Sentence, prob: float, rng: random.Random) -> str:
        """One sentence with each eligible word replaced with probability ``prob``."""
        if prob <= 0.0 or not sent.slots:
            return sent.text
        out = [sent.literals[0]]
        synonyms = self.spinner.synonyms
        for i, (word, key, suffix, sources) in enumerate(sent.slots):
            if rng.random() < prob:
                choices = synonyms(rng.choice(sources), key)
                if choices:
                    new = _match_case(word, _attach(rng.choice(choices), suffix))
                    self.substituted += new != word
                    word = new
            out.append(word)
            out.append(sent.literals[i + 1])
        return "".join(out)

    def variant(
        self,
        tpl: Template,
        rng: random.Random,
        rate: float = 0.0,
        shuffle: bool = False,
        keep: float = 1.0,
    ) -> str:
        """A variant of an article: the first ``keep`` share of its body (by characters, whole
        sentences, at least one), body sentences shuffled, spun at ``rate``. The headline stays
        first; separators travel with their sentences, so paragraphs stay paragraph-like."""
        head, body = tpl.sentences[0], tpl.sentences[1:]
        if keep < 1.0 and len(body) > 1:
            total = sum(len(s.text) for s in body)
            kept, size = [], 0
            for s in body[:-1]:  # a truncation drops one sentence at least
                if kept and size >= keep * total:
                    break
                kept.append(s)
                size += len(s.text)
            body = kept
        if shuffle and len(body) > 1:
            order = list(range(len(body)))
            rng.shuffle(order)
            if order == sorted(order):  # a shuffle that leaves the order as it was is none
                order = order[1:] + order[:1]
            body = [body[i] for i in order]
        sents = [head, *body]
        self.content += sum(s.content for s in sents)
        prob = 0.0
        if rate > 0.0:
            content = sum(s.content for s in sents)
            eligible = sum(len(s.slots) for s in sents)
            prob = min(1.0, rate * content / eligible) if eligible else 0.0
        parts: list[str] = []
        for i, s in enumerate(sents):
            parts.append(self.spin_sentence(s, prob, rng))
            if i + 1 < len(sents):
                parts.append(s.sep)
        return "".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------
# Writing the corpus


@dataclass(frozen=True, slots=True)
class CorpusFiles:
    """The corpus and its sidecars."""

    corpus: Path
    sources: Path
    meta: Path

    @staticmethod
    def at(corpus: Path) -> CorpusFiles:
        stem = corpus.name.removesuffix(".jsonl")
        return CorpusFiles(
            corpus,
            corpus.with_name(stem + ".sources.tsv"),
            corpus.with_name(stem + ".meta.json"),
        )

    def exists(self) -> bool:
        return self.corpus.exists() and self.sources.exists() and self.meta.exists()


def default_corpus_path(n_docs: int, seed: int) -> Path:
    return cache_dir() / f"corpus-{n_docs}-{seed}.jsonl"


_WORK: tuple[FastSpinner, list[Template], int, int, int] | None = None
RETRIES = 10  # draws of a variant before one identical to its source is accepted


def _variant_chunk(chunk: int) -> tuple[str, str, Counter[str]]:
    """JSONL lines, sidecar lines and kind counts of one chunk of variants.

    Seeded by (corpus seed, chunk number) only, so the corpus is the same whatever the number
    of worker processes."""
    assert _WORK is not None
    fast, templates, seed, n_variants, size = _WORK
    rng = random.Random(f"unspin-corpus-{seed}-{chunk}")
    lines, side = [], []
    kinds: Counter[str] = Counter()
    for k in range(chunk * size, min(n_variants, (chunk + 1) * size)):
        tpl = templates[rng.randrange(len(templates))]
        spin, shuffle, truncate = VARIANT_KINDS[rng.randrange(len(VARIANT_KINDS))]
        rate = rng.choice(SPIN_RATES) if spin else 0.0
        keep = rng.uniform(*TRUNCATE_RANGE) if truncate else 1.0
        for _ in range(RETRIES):  # a short text spun lightly may come out unchanged
            text = fast.variant(tpl, rng, rate=rate, shuffle=shuffle, keep=keep)
            if text.strip() != tpl.text.strip():
                break
        kind = "+".join(
            name
            for name, on in ((f"spun{rate}", spin), ("shuffled", shuffle), ("truncated", truncate))
            if on
        )
        doc_id = f"v{k:07d}"
        lines.append(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False))
        side.append(f"{doc_id}\t{tpl.id}\t{kind}")
        kinds[kind] += 1
    return "\n".join(lines) + "\n", "\n".join(side) + "\n", kinds


def write_corpus(
    files: CorpusFiles,
    originals: Sequence[Article],
    n_docs: int,
    seed: int,
    spinner: Spinner,
    jobs: int = 2,
    held_out: Sequence[str] = (),
    log: Callable[[str], None] | None = None,
    chunk: int = CHUNK,
) -> dict[str, Any]:
    """Write ``n_docs`` documents: the originals, then variants of them; returns the meta.

    Streams: chunks of variants are made by ``jobs`` processes and written in order as they
    come, so memory stays bounded whatever ``n_docs``."""
    global _WORK
    t0 = time.perf_counter()
    if n_docs < len(originals):
        raise ValueError(f"--docs {n_docs} is fewer than the {len(originals)} originals")
    fast = FastSpinner(spinner)
    templates = [fast.template(a.id, a.text) for a in originals]
    template_s = time.perf_counter() - t0
    n_variants = n_docs - len(originals)
    files.corpus.parent.mkdir(parents=True, exist_ok=True)
    tmp = [p.with_name(p.name + f".tmp{os.getpid()}") for p in (files.corpus, files.sources)]
    kinds: Counter[str] = Counter()
    chunks = range(math.ceil(n_variants / chunk))
    _WORK = (fast, templates, seed, n_variants, chunk)
    try:
        with tmp[0].open("w", encoding="utf-8") as out, tmp[1].open("w", encoding="utf-8") as side:
            for a in originals:
                out.write(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n")
                side.write(f"{a.id}\t{a.id}\toriginal\n")
            results: Iterator[tuple[str, str, Counter[str]]]
            if jobs > 1 and len(chunks) > 1:
                ctx = mp.get_context("fork")
                pool = ctx.Pool(jobs)
                results = pool.imap(_variant_chunk, chunks)
            else:
                pool = None
                results = map(_variant_chunk, chunks)
            try:
                for i, (block, sidecar, counts) in enumerate(results):
                    out.write(block)
                    side.write(sidecar)
                    kinds.update(counts)
                    if log and (i + 1) % 50 == 0:
                        done = min(n_variants, (i + 1) * chunk)
                        log(f"corpus: {done:,} of {n_variants:,} variants")
            finally:
                if pool is not None:
                    pool.close()
                    pool.join()
        meta = {
            "docs": n_docs,
            "originals": len(originals),
            "variants": n_variants,
            "seed": seed,
            "kinds": dict(sorted(kinds.items())),
            "held_out": list(held_out),
            "bytes": tmp[0].stat().st_size,
            "seconds": round(time.perf_counter() - t0, 2),
            "template_seconds": round(template_s, 2),
            "jobs": jobs,
        }
        tmp[0].replace(files.corpus)
        tmp[1].replace(files.sources)
        files.meta.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    finally:
        _WORK = None
        for p in tmp:
            p.unlink(missing_ok=True)
    return meta


# ---------------------------------------------------------------------------------------------
# BBC split and queries


def bbc_split(seed: int) -> tuple[list[Article], list[Article]]:
    """(indexed originals, held-out articles), exactly as ``eval_check`` splits for ``seed``."""
    from benchmarks.eval_check import build_queries  # noqa: PLC0415 - heavy, load when used
    from benchmarks.testsets import load_bbc  # noqa: PLC0415

    docs, _ = build_queries(0, seed)
    indexed = {d.id for d in docs}
    articles = load_bbc()
    return [a for a in articles if a.id in indexed], [a for a in articles if a.id not in indexed]


def ensure_corpus(
    n_docs: int,
    seed: int,
    path: Path | None = None,
    jobs: int = 2,
    log: Callable[[str], None] | None = None,
) -> tuple[CorpusFiles, dict[str, Any]]:
    """The corpus for (n_docs, seed): reused when present, else generated."""
    files = CorpusFiles.at(path or default_corpus_path(n_docs, seed))
    if files.exists():
        meta = json.loads(files.meta.read_text(encoding="utf-8"))
        if meta.get("docs") == n_docs and meta.get("seed") == seed:
            meta["reused"] = True
            return files, meta
    indexed, held = bbc_split(seed)
    spinner = Spinner(rate=0.3, seed=seed)
    meta = write_corpus(
        files, indexed, n_docs, seed, spinner, jobs, held_out=[a.id for a in held], log=log
    )
    meta["reused"] = False
    return files, meta


def build_queries(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` queries: ``eval_check``'s kinds (reprint, spun@0.15/0.3/0.5, partial, truncated,
    mixture, unrelated), plus ``long800``: spun copies of consecutive indexed articles cut to
    800 words, the length the latency target is stated for. Each query is
    ``{"id", "kind", "text", "sources", "accepted"}``; ``accepted`` adds the BBC duplicates of
    the sources (a copy of a story is rightly traced to its twin)."""
    from benchmarks.eval_check import _spin_with_edits  # noqa: PLC0415
    from benchmarks.eval_check import build_queries as eval_queries  # noqa: PLC0415
    from benchmarks.testsets import load_bbc, related_articles  # noqa: PLC0415

    per_kind = math.ceil(n / len(QUERY_KINDS))
    docs, queries = eval_queries(per_kind, seed)
    articles = load_bbc()
    related = related_articles(articles)
    twins = {articles[i].id: {articles[j].id for j in related[i]} for i in range(len(articles))}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, q, sources, accepted in queries:
        by_kind.setdefault(kind, []).append(
            {
                "id": q.id,
                "kind": kind,
                "text": q.text,
                "sources": sorted(sources),
                "accepted": sorted(accepted),
            }
        )
    rng = random.Random(f"unspin-long-{seed}")
    spinner = Spinner(rate=0.3, seed=seed)
    longs = by_kind.setdefault("long800", [])
    for k in range(per_kind):
        words: list[str] = []
        sources: set[str] = set()
        while len(words) < LONG_WORDS:
            a = docs[rng.randrange(len(docs))]
            sources.add(a.id)
            words.extend(_spin_with_edits(a.text, spinner, 0.3, rng).split(" "))
        text = " ".join(words[:LONG_WORDS])
        accepted = sources.union(*(twins[s] for s in sources))
        longs.append(
            {
                "id": f"q{k}-long",
                "kind": "long800",
                "text": text,
                "sources": sorted(sources),
                "accepted": sorted(accepted),
            }
        )
    # Round-robin over kinds, so that any prefix of the list is balanced.
    out: list[dict[str, Any]] = []
    for k in range(per_kind):
        for kind in QUERY_KINDS:
            if k < len(by_kind.get(kind, [])):
                out.append(by_kind[kind][k])
    return out[:n]


def ensure_queries(n: int, seed: int, path: Path | None = None) -> Path:
    """The query file for (n, seed), reused when present."""
    path = path or cache_dir() / f"queries-{n}-{seed}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        with tmp.open("w", encoding="utf-8") as fh:
            for q in build_queries(n, seed):
                fh.write(json.dumps(q, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


def spinner_speed(articles: Sequence[Article], seed: int = 0) -> dict[str, float]:
    """Milliseconds an article for the real and the fast spinner (templates made once, as in
    :func:`write_corpus`), and the substitution share each achieves at 0.3."""
    spinner = Spinner(rate=0.3, seed=seed)
    t = time.perf_counter()
    subs = content = 0
    for i, a in enumerate(articles):
        res = spinner.spin(a.text, seed=i)
        subs += res.substituted_words
        content += res.content_words
    real = (time.perf_counter() - t) / len(articles)
    fast = FastSpinner(spinner)
    templates = [fast.template(a.id, a.text) for a in articles]
    rng = random.Random(seed)
    t = time.perf_counter()
    for tpl in templates:
        fast.variant(tpl, rng, rate=0.3)
    fast_s = (time.perf_counter() - t) / len(articles)
    return {
        "real_ms": round(1e3 * real, 3),
        "fast_ms": round(1e3 * fast_s, 3),
        "real_content_share_at_0.3": round(subs / max(1, content), 3),
        "fast_content_share_at_0.3": round(fast.substituted / max(1, fast.content), 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, help="corpus file (default: in the cache)")
    parser.add_argument("--speed", action="store_true", help="time both spinners and stop")
    args = parser.parse_args(argv)
    if args.speed:
        from benchmarks.testsets import load_bbc  # noqa: PLC0415

        print(json.dumps(spinner_speed(load_bbc()[:300], args.seed), indent=1))
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    files, meta = ensure_corpus(args.docs, args.seed, args.corpus, args.jobs, log)
    queries = ensure_queries(args.queries, args.seed)
    meta = {k: v for k, v in meta.items() if k != "held_out"}
    print(json.dumps({"corpus": str(files.corpus), "queries": str(queries), **meta}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
