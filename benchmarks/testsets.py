"""Reproducible evaluation cases with exact ground truth, built from the BBC news set.

Each case is a (source, suspicious) document pair, the PAN-style truth spans of text reuse, and
the verdicts that count as right. Kinds:

- ``reprint``: the whole article republished, maybe with boilerplate lines ("Advertisement",
  a photo credit, "Read more: ...") and paragraph reflowing; expected ``near_duplicate``.
- ``spun``: the article spun at rate 0.15, 0.3 or 0.5 by :class:`benchmarks.spinner.Spinner`,
  maybe with sentences dropped and adjacent blocks swapped; expected ``spun_copy`` (also
  ``partial_reuse`` when more than half the sentences were dropped).
- ``partial``: 3-6 consecutive sentences of the source, maybe spun at 0.2, pasted into the
  middle of an unrelated article; expected ``partial_reuse``.
- ``unrelated``: two different articles (half of them on the same topic) that share no 8-word
  run; expected ``unrelated``.

Truth follows PAN: one case per maximal run of source sentences that are consecutive in the
source (no dropped sentence inside) and stay adjacent and in order in the suspicious text
(no boilerplate inside); its source span covers those sentences, its suspicious span their
(rewritten) copy.

CLI: ``python -m benchmarks.testsets --out DIR --n 200 [--seed 0] [--sources wordnet]`` writes
``cases.jsonl``, every document as ``docs/<id>.txt`` and ``pairs.tsv`` (source path, tab,
suspicious path) for ``unspin compare --pairs``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.spinner import SOURCES, Spinner
from unspin.models import Document

KINDS: tuple[str, ...] = ("reprint", "spun", "partial", "unrelated")
SPIN_RATES: tuple[float, ...] = (0.15, 0.3, 0.5)
PARTIAL_SPIN_RATE = 0.2
DROP_P = 0.15
SHINGLE_WORDS = 8

Span4 = tuple[int, int, int, int]


@dataclass
class Article:
    """One BBC article: ``text`` is the file exactly as decoded, first line the headline."""

    id: str  # "business/001"
    topic: str
    path: str
    text: str

    @property
    def title(self) -> str:
        return self.text.split("\n", 1)[0].strip()


@dataclass
class Case:
    """One evaluation pair with its ground truth.

    ``truth`` holds (src_start, src_end, susp_start, susp_end) half-open character spans into
    ``source.text`` and ``suspicious.text``. ``expected`` is the set of verdicts that count as
    correct. ``rate`` is the spin rate applied (None when nothing was spun).
    """

    kind: str
    source: Document
    suspicious: Document
    truth: list[Span4]
    expected: set[str]
    rate: float | None = None
    case_id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """Reporting group: the kind, with the spin rate when one was applied."""
        return f"{self.kind}@{self.rate:g}" if self.rate else self.kind

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case_id,
            "kind": self.kind,
            "rate": self.rate,
            "expected": sorted(self.expected),
            "truth": [list(t) for t in self.truth],
            "source": _doc_json(self.source),
            "suspicious": _doc_json(self.suspicious),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Case:
        return cls(
            kind=obj["kind"],
            source=_doc_from_json(obj["source"]),
            suspicious=_doc_from_json(obj["suspicious"]),
            truth=[(int(a), int(b), int(c), int(d)) for a, b, c, d in obj["truth"]],
            expected=set(obj["expected"]),
            rate=obj.get("rate"),
            case_id=obj.get("id", ""),
            meta=obj.get("meta", {}),
        )


def _doc_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "title": doc.title, "path": doc.source, "text": doc.text}


def _doc_from_json(obj: dict[str, Any]) -> Document:
    return Document(id=obj["id"], text=obj["text"], title=obj.get("title"), source=obj.get("path"))


# ---------------------------------------------------------------------------------------------
# Corpus


def bbc_dir() -> Path:
    """The BBC folder: ``$UNSPIN_BBC_DIR``, else ``shared/data/bbc`` beside the repository (as
    on CI), else /work/shared/data/bbc."""
    env = os.environ.get("UNSPIN_BBC_DIR")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc"
    return beside if beside.is_dir() else Path("/work/shared/data/bbc")


def _decode(raw: bytes) -> str:
    """UTF-8, else cp1252 (one BBC file is not UTF-8), never failing."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


_BBC_CACHE: dict[str, list[Article]] = {}


def load_bbc(directory: str | Path | None = None) -> list[Article]:
    """All articles, sorted by path so that seeded sampling is reproducible."""
    root = Path(directory) if directory else bbc_dir()
    key = str(root)
    if key not in _BBC_CACHE:
        if not root.is_dir():
            raise FileNotFoundError(f"BBC data not found at {root} (set UNSPIN_BBC_DIR)")
        articles = []
        for path in sorted(root.glob("*/*.txt")):
            topic = path.parent.name
            articles.append(
                Article(f"{topic}/{path.stem}", topic, str(path), _decode(path.read_bytes()))
            )
        _BBC_CACHE[key] = articles
    return _BBC_CACHE[key]


def synthetic_articles(n: int = 10, seed: int = 0, vocab: Sequence[str] = ()) -> list[Article]:
    """Small random articles shaped like the BBC files (headline, blank line, paragraphs), for
    tests and smoke runs that must not depend on the data being installed. ``vocab`` adds words
    (e.g. a test thesaurus's headwords) to a base of nonsense words, names and numbers."""
    rng = random.Random(seed)
    words = [*vocab, *(f"w{i}" for i in range(80)), "Kim", "Russia", "2004", "\u00a35m"]

    def sentence() -> str:
        picked = [rng.choice(words) for _ in range(rng.randint(6, 14))]
        return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."

    out = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(5)).capitalize()
        paras = [" ".join(sentence() for _ in range(rng.randint(1, 3))) for _ in range(5)]
        text = title + "\n\n" + "\n\n".join(paras) + "\n"
        topic = ("business", "sport")[i % 2]
        out.append(Article(f"{topic}/{i:03d}", topic, f"synthetic/{topic}/{i:03d}.txt", text))
    return out


# ---------------------------------------------------------------------------------------------
# Sentences and shingles

_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=[ \t]+[\"'\u201c\u2018(\[]?[A-Z])")
_WORD = re.compile(r"\w+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (stripped of surrounding whitespace), split at newlines and at . ! ?
    followed by a space and a capital (or an opening quote and a capital).

    Deliberately simple: the truth only needs consistent units, not linguistically perfect
    sentences, and a simple rule is easy for anyone to reproduce.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        start = 0
        cuts = [m.end() for m in _SENT_END.finditer(line)] + [len(line)]
        for cut in cuts:
            piece = line[start:cut]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                s = line_start + start + lead
                spans.append((s, s + len(stripped)))
            start = cut
    return spans


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of the lowercase k-word runs of a text (within one process only)."""
    words = [w.lower() for w in _WORD.findall(text)]
    return {hash(tuple(words[i : i + k])) for i in range(len(words) - k + 1)}


def related_articles(articles: Sequence[Article], k: int = SHINGLE_WORDS) -> list[set[int]]:
    """For each article, the indices of the others that share at least one k-word run.

    The BBC set holds exact and near duplicates (and stories quoting the same statement);
    pairing them as "unrelated", or hiding a passage inside one of them, would make the truth
    wrong, so such pairs are excluded.
    """
    owners: dict[int, list[int]] = {}
    for i, art in enumerate(articles):
        for h in shingles(art.text, k):
            owners.setdefault(h, []).append(i)
    related: list[set[int]] = [set() for _ in articles]
    for idxs in owners.values():
        if len(idxs) > 1:
            for i in idxs:
                related[i].update(j for j in idxs if j != i)
    return related


# ---------------------------------------------------------------------------------------------
# Assembling a suspicious text from sentences and boilerplate


@dataclass
class _Item:
    text: str
    src: int | None = None  # source sentence index; None for boilerplate


_PHOTOGRAPHERS = (
    "Mikhail Svetlov",
    "Anna Moneymaker",
    "Chris Jackson",
    "Dan Kitwood",
    "Leon Neal",
    "Carl Court",
    "Jeff J Mitchell",
    "Peter Macdiarmid",
)
_AGENCIES = ("Getty Images", "Reuters", "AFP via Getty Images", "PA Wire", "EPA", "AP Photo")


def _boilerplate(rng: random.Random, other_titles: Sequence[str]) -> str:
    """One line of the furniture that news sites wrap around a reprinted story."""
    choice = rng.randrange(8)
    if choice == 0:
        return "Advertisement"
    if choice == 1:
        return "Share this article"
    if choice == 2:
        return f"{rng.choice(_PHOTOGRAPHERS)} | {rng.choice(_AGENCIES)}"
    if choice == 3:
        return f"Photo: {rng.choice(_AGENCIES)}/{rng.choice(_PHOTOGRAPHERS)}"
    if choice == 4:
        return f"Read more: {rng.choice(other_titles)}"
    if choice == 5:
        return "Sign up for our daily newsletter"
    if choice == 6:
        return "Story continues below advertisement"
    return f"RELATED: {rng.choice(other_titles)}"


def _assemble(
    items: Sequence[_Item],
    src_text: str,
    sents: Sequence[tuple[int, int]],
    para_sep: str = "\n\n",
    reflow: bool = False,
) -> tuple[str, list[tuple[int, int]]]:
    """Join items into a text; returns it and each item's span.

    Sentences are joined with the whitespace that followed them in the source, so neighbours
    keep their original spacing; with ``reflow`` every line break becomes ``para_sep``, as when
    a site re-flows paragraphs. Boilerplate stands on its own line.
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, item in enumerate(items):
        if k:
            prev = items[k - 1]
            if prev.src is not None and item.src is not None and prev.src + 1 < len(sents):
                sep = src_text[sents[prev.src][1] : sents[prev.src + 1][0]]
                if "\n" in sep and (reflow or item.src != prev.src + 1):
                    sep = para_sep
            else:
                sep = para_sep
            out.append(sep)
            pos += len(sep)
        out.append(item.text)
        spans.append((pos, pos + len(item.text)))
        pos += len(item.text)
    return "".join(out), spans


def _truth(
    items: Sequence[_Item], spans: Sequence[tuple[int, int]], sents: Sequence[tuple[int, int]]
) -> list[Span4]:
    """PAN cases: maximal runs of consecutive source sentences adjacent and in order."""
    cases: list[Span4] = []
    run: list[int] = []  # item indices

    def flush() -> None:
        if run:
            first, last = items[run[0]], items[run[-1]]
            assert first.src is not None and last.src is not None
            cases.append(
                (sents[first.src][0], sents[last.src][1], spans[run[0]][0], spans[run[-1]][1])
            )
            run.clear()

    for k, item in enumerate(items):
        if item.src is None:
            flush()
            continue
        if run and items[run[-1]].src == item.src - 1:
            run.append(k)
        else:
            flush()
            run.append(k)
    flush()
    return cases


# ---------------------------------------------------------------------------------------------
# Case builders


class CaseBuilder:
    """Builds cases of every kind from one corpus with one spinner (thesauri loaded once)."""

    def __init__(
        self,
        articles: Sequence[Article] | None = None,
        sources: Sequence[str] = SOURCES,
        spinner: Spinner | None = None,
    ) -> None:
        self.articles = list(articles) if articles is not None else load_bbc()
        self.sources = tuple(sources)
        self.spinner = spinner or Spinner(sources=self.sources)
        self.related = related_articles(self.articles)
        self.sentences = [split_sentences(a.text) for a in self.articles]
        self._titles = [a.title for a in self.articles]

    def _docs(self, case_id: str, art: Article, susp_text: str) -> tuple[Document, Document]:
        src = Document(id=f"{case_id}_src", text=art.text, title=art.title, source=art.path)
        susp = Document(id=f"{case_id}_susp", text=susp_text)
        return src, susp

    def reprint(self, idx: int, rng: random.Random, case_id: str) -> Case:
        """The article as republished: same sentences, boilerplate between paragraphs."""
        art, sents = self.articles[idx], self.sentences[idx]
        items = [_Item(art.text[s:e], i) for i, (s, e) in enumerate(sents)]
        n_boiler = 0 if rng.random() < 0.2 else rng.randint(1, 4)
        # Paragraph boundaries (and the top and bottom of the story) take boilerplate.
        slots = [0, len(items)] + [
            i + 1 for i in range(len(sents) - 1) if "\n" in art.text[sents[i][1] : sents[i + 1][0]]
        ]
        inserts = sorted((rng.choice(slots) for _ in range(n_boiler)), reverse=True)
        for slot in inserts:
            items.insert(slot, _Item(_boilerplate(rng, self._titles)))
        reflow = rng.random() < 0.3
        text, spans = _assemble(items, art.text, sents, "\n" if reflow else "\n\n", reflow)
        src, susp = self._docs(case_id, art, text)
        return Case(
            "reprint",
            src,
            susp,
            _truth(items, spans, sents),
            {"near_duplicate"},
            case_id=case_id,
            meta={"article": art.id, "boilerplate": n_boiler, "reflow": reflow},
        )

    def spun(self, idx: int, rate: float, rng: random.Random, case_id: str) -> Case:
        """The article spun at ``rate``, maybe with sentence drops and swapped blocks."""
        art, sents = self.articles[idx], self.sentences[idx]
        res = self.spinner.spin(art.text, seed=rng.randrange(2**32), rate=rate)
        spun_spans = [res.map_span(s, e) for s, e in sents]
        kept = list(range(len(sents)))
        if rng.random() < 0.5:
            trial = [i for i in kept if rng.random() >= DROP_P]
            if len(trial) >= 2:
                kept = trial
        dropped = len(sents) - len(kept)
        swaps = 0
        if rng.random() < 0.5 and len(kept) >= 4:
            for _ in range(rng.randint(1, 2)):
                a = rng.randint(1, 3)
                b = rng.randint(1, 3)
                if 1 + a + b > len(kept):
                    continue
                i = rng.randint(1, len(kept) - a - b)  # the headline stays on top
                kept[i : i + a + b] = kept[i + a : i + a + b] + kept[i : i + a]
                swaps += 1
        items = [_Item(res.text[spun_spans[i][0] : spun_spans[i][1]], i) for i in kept]
        text, spans = _assemble(items, art.text, sents)
        expected = {"spun_copy"}
        if dropped * 2 > len(sents):
            expected.add("partial_reuse")
        src, susp = self._docs(case_id, art, text)
        return Case(
            "spun",
            src,
            susp,
            _truth(items, spans, sents),
            expected,
            rate=rate,
            case_id=case_id,
            meta={
                "article": art.id,
                "sentences": len(sents),
                "dropped": dropped,
                "swaps": swaps,
                "achieved_rate": round(res.rate, 4),
                "substitutions": len(res.substitutions),
                "sources": list(self.sources),
            },
        )

    def partial(self, idx: int, rng: random.Random, case_id: str) -> Case:
        """3-6 consecutive sentences of the article, maybe spun, inside an unrelated host."""
        art, sents = self.articles[idx], self.sentences[idx]
        k = rng.randint(3, 6)
        k = min(k, len(sents) - 1)
        first = rng.randint(1, len(sents) - k)
        a_start, a_end = sents[first][0], sents[first + k - 1][1]
        passage = art.text[a_start:a_end]
        rate: float | None = None
        achieved = 0.0
        if rng.random() < 0.5:
            rate = PARTIAL_SPIN_RATE
            res = self.spinner.spin(passage, seed=rng.randrange(2**32), rate=rate)
            passage, achieved = res.text, res.rate
        host_idx = self._unrelated_partner(idx, rng, same_topic=False)
        host = self.articles[host_idx].text
        # Paragraph starts after the headline; insert at the one nearest the middle.
        starts = [m.end() for m in re.finditer(r"\n[ \t]*\n\s*", host)]
        starts = [p for p in starts if p < len(host.rstrip())]
        if starts:
            p = min(starts, key=lambda q: abs(q - len(host) / 2))
            sep = host[:p][len(host[:p].rstrip()) :] or "\n\n"
        else:  # one paragraph: insert at the sentence start nearest the middle
            host_sents = self.sentences[host_idx]
            p = min(
                (s for s, _ in host_sents[1:]),
                key=lambda q: abs(q - len(host) / 2),
                default=len(host),
            )
            sep = " "
        text = host[:p] + passage + sep + host[p:]
        src, susp = self._docs(case_id, art, text)
        return Case(
            "partial",
            src,
            susp,
            [(a_start, a_end, p, p + len(passage))],
            {"partial_reuse"},
            rate=rate,
            case_id=case_id,
            meta={
                "article": art.id,
                "host": self.articles[host_idx].id,
                "sentences": k,
                "achieved_rate": round(achieved, 4),
                "sources": list(self.sources),
            },
        )

    def unrelated(self, idx: int, rng: random.Random, case_id: str) -> Case:
        """Two articles that share no long run of words; half of them on the same topic."""
        same = rng.random() < 0.5
        other = self._unrelated_partner(idx, rng, same_topic=same)
        art, o = self.articles[idx], self.articles[other]
        src, _ = self._docs(case_id, art, "")
        susp = Document(id=f"{case_id}_susp", text=o.text, title=o.title, source=o.path)
        return Case(
            "unrelated",
            src,
            susp,
            [],
            {"unrelated"},
            case_id=case_id,
            meta={"article": art.id, "other": o.id, "same_topic": art.topic == o.topic},
        )

    def _unrelated_partner(self, idx: int, rng: random.Random, same_topic: bool) -> int:
        topic = self.articles[idx].topic
        for _ in range(1000):
            j = rng.randrange(len(self.articles))
            if j == idx or j in self.related[idx]:
                continue
            if same_topic and self.articles[j].topic != topic:
                continue
            if not same_topic and self.articles[j].topic == topic and rng.random() < 0.8:
                continue  # mostly other topics when not asked for the same one
            return j
        raise RuntimeError(f"no unrelated partner found for {self.articles[idx].id}")

    def build(
        self,
        n_per_kind: int,
        seed: int,
        kinds: Iterable[str] = KINDS,
        rates: Sequence[float] = SPIN_RATES,
    ) -> list[Case]:
        """``n_per_kind`` cases of every kind (of every spin rate for ``spun``)."""
        cases: list[Case] = []
        eligible = [i for i, s in enumerate(self.sentences) if len(s) >= 4]
        for kind in kinds:
            variants: list[float | None] = list(rates) if kind == "spun" else [None]
            for rate in variants:
                tag = kind if rate is None else f"{kind}{round(rate * 100):02d}"
                rng = random.Random(f"unspin-bench/{seed}/{tag}")
                picks = (
                    rng.sample(eligible, n_per_kind)
                    if n_per_kind <= len(eligible)
                    else [rng.choice(eligible) for _ in range(n_per_kind)]
                )
                for n, idx in enumerate(picks):
                    case_id = f"{tag}-{n:04d}"
                    if kind == "reprint":
                        cases.append(self.reprint(idx, rng, case_id))
                    elif kind == "spun":
                        assert rate is not None
                        cases.append(self.spun(idx, rate, rng, case_id))
                    elif kind == "partial":
                        cases.append(self.partial(idx, rng, case_id))
                    elif kind == "unrelated":
                        cases.append(self.unrelated(idx, rng, case_id))
                    else:
                        raise ValueError(f"unknown case kind {kind!r}; expected one of {KINDS}")
        return cases


def build_cases(
    n_per_kind: int,
    seed: int,
    sources: Sequence[str] = SOURCES,
    kinds: Iterable[str] = KINDS,
    rates: Sequence[float] = SPIN_RATES,
    articles: Sequence[Article] | None = None,
) -> list[Case]:
    """Reproducible cases: the same (n_per_kind, seed, sources) always gives the same cases.

    ``sources`` picks the spinner's thesauri; spinning with only one of them (e.g. ``("moby",)``)
    checks robustness to a spinner whose dictionary differs from the detector's.
    """
    builder = CaseBuilder(articles=articles, sources=sources)
    return builder.build(n_per_kind, seed, kinds=kinds, rates=rates)


# ---------------------------------------------------------------------------------------------
# Files


def write_cases(cases: Sequence[Case], out: str | Path) -> None:
    """``cases.jsonl``, ``docs/<id>.txt`` for every document and ``pairs.tsv``."""
    out = Path(out)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with (out / "cases.jsonl").open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case.to_json(), ensure_ascii=False) + "\n")
    lines = []
    for case in cases:
        paths = []
        for doc in (case.source, case.suspicious):
            path = (docs / f"{doc.id}.txt").resolve()
            # newline="" keeps the text byte-exact, so offsets stay valid for whoever reads it.
            with path.open("w", encoding="utf-8", newline="") as fh:
                fh.write(doc.text)
            paths.append(str(path))
        lines.append("\t".join(paths))
    (out / "pairs.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_cases(path: str | Path) -> list[Case]:
    """Cases back from a ``cases.jsonl``."""
    with Path(path).open(encoding="utf-8") as fh:
        return [Case.from_json(json.loads(line)) for line in fh if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build cases and write them to a folder."""
    parser = argparse.ArgumentParser(description="Build unspin evaluation cases from BBC news.")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--n", type=int, default=200, help="cases per kind (and per spin rate)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--sources",
        default=",".join(SOURCES),
        help="thesauri for the spinner, comma separated (moby,wordnet,mythes)",
    )
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args(argv)
    sources = tuple(s for s in args.sources.split(",") if s)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    cases = build_cases(args.n, args.seed, sources=sources, kinds=kinds)
    write_cases(cases, args.out)
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.group] = counts.get(case.group, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"wrote {len(cases)} cases to {args.out} ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
