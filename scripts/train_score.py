"""Train the spun-text detector shipped in ``src/unspin/data/score/`` (``unspin score``).

Why this recipe: the detector must work with no source at hand, on spinners it has never
seen. So it learns only from clean news and copies spun by our own context-blind spinner
(``benchmarks/spinner.py``, drawing on the raw thesauri as real spinners do), with the
spinner's exact substitution offsets as word labels, at rates from 10% to 60% and with each
thesaurus alone and together; ``--sources`` leaves thesauri out, which is how
``benchmarks/eval_score.py`` measures the detector against a spinner whose dictionary it
was not trained on.

The BBC articles are de-duplicated and split by document, with a fixed seed:

* ``lm`` (40%): the n-gram model of clean news is counted on these only;
* ``token`` (15%): the word-level logistic regression is fitted on these, clean and spun;
* ``doc`` (15%): the document-level logistic regression (which is also the calibration:
  Platt scaling over pooled evidence) is fitted on these, and the threshold chosen;
* ``heldout`` (30%): never touched here; their ids are written into the model so that the
  evaluation and the tests use exactly them.

Run (about two minutes on one core)::

    pip install -e '.[bench]'
    python scripts/train_score.py                     # writes src/unspin/data/score/
    python scripts/train_score.py --sources wordnet,mythes --out /tmp/score-no-moby
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmarks/ is a folder of the repository, not installed

from benchmarks.spinner import SOURCES, Spinner  # noqa: E402
from benchmarks.testsets import Article, load_bbc  # noqa: E402
from unspin import score as sc  # noqa: E402
from unspin.lexicon import default_lexicon  # noqa: E402
from unspin.models import Document  # noqa: E402
from unspin.normalise import analyse  # noqa: E402

OUT = ROOT / "src" / "unspin" / "data" / "score"
SPLITS: tuple[tuple[str, float], ...] = (
    ("lm", 0.40),
    ("token", 0.15),
    ("doc", 0.15),
    ("heldout", 0.30),
)
RATE_RANGE = (0.10, 0.60)
# Share of clean news the chosen threshold may flag, measured on the doc split.
TARGET_FALSE_POSITIVES = 0.005


# ---------------------------------------------------------------------------------------------
# Data


def dedupe(articles: Sequence[Article]) -> list[Article]:
    """One article per text: the BBC set repeats some stories, and a story in two splits
    would leak between training and evaluation."""
    seen: set[str] = set()
    out = []
    for a in articles:
        key = hashlib.sha1(" ".join(a.text.split()).lower().encode("utf-8")).hexdigest()
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def split_articles(articles: Sequence[Article], seed: int = 0) -> dict[str, list[Article]]:
    """Document-level split (see the module docstring)."""
    pool = dedupe(articles)
    random.Random(seed).shuffle(pool)
    out: dict[str, list[Article]] = {}
    pos = 0
    for i, (name, share) in enumerate(SPLITS):
        end = len(pool) if i == len(SPLITS) - 1 else pos + round(share * len(pool))
        out[name] = pool[pos:end]
        pos = end
    return out


def excerpt(text: str, rng: random.Random) -> str:
    """A short piece of an article (one to a few paragraphs or sentences), so that the model
    also learns how little a short text can prove."""
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paras) > 1 and rng.random() < 0.5:
        k = rng.randint(1, min(3, len(paras)))
        i = rng.randrange(len(paras) - k + 1)
        return "\n\n".join(paras[i : i + k])
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    k = rng.randint(1, min(4, len(sentences)))
    i = rng.randrange(len(sentences) - k + 1)
    return " ".join(sentences[i : i + k])


@dataclass
class Example:
    """One training text: clean (no substitution spans) or spun (spans in its text)."""

    text: str
    spans: list[tuple[int, int]]
    spun: bool
    rate: float = 0.0
    source: str = ""


class SpinFactory:
    """Spinners over each training thesaurus alone and over all of them together."""

    def __init__(self, sources: Sequence[str], seed: int) -> None:
        self.names = [(s,) for s in sources] + ([tuple(sources)] if len(sources) > 1 else [])
        self.spinners = {n: Spinner(sources=n, seed=seed) for n in self.names}

    def spin(self, text: str, rng: random.Random, rate: float | None = None) -> Example:
        name = rng.choice(self.names)
        rate = rng.uniform(*RATE_RANGE) if rate is None else rate
        res = self.spinners[name].spin(text, seed=rng.randrange(1 << 30), rate=rate)
        spans = [(s.new_start, s.new_end) for s in res.substitutions]
        return Example(res.text, spans, bool(spans), res.rate, "+".join(name))


def make_examples(
    articles: Sequence[Article],
    factory: SpinFactory,
    rng: random.Random,
    spun_per_article: int,
    excerpt_share: float,
) -> list[Example]:
    """Each article clean and spun ``spun_per_article`` times, some as short excerpts."""
    out = []
    for a in articles:
        for _ in range(spun_per_article):
            base = excerpt(a.text, rng) if rng.random() < excerpt_share else a.text
            out.append(Example(base, [], False))
            out.append(factory.spin(base, rng))
    return out


def token_labels(tf: sc.TokenFeatures, spans: list[tuple[int, int]]) -> np.ndarray:
    """1 for scorable tokens that overlap a substitution, else 0."""
    labels = np.zeros(len(tf.tokens))
    if not spans or not len(tf.tokens):
        return labels
    starts = np.array(tf.analysis.starts)[tf.tokens]
    ends = np.array(tf.analysis.ends)[tf.tokens]
    a = np.array([s for s, _ in spans])
    b = np.array([e for _, e in spans])
    order = np.argsort(a)
    a, b = a[order], b[order]
    j = np.searchsorted(a, ends, side="left") - 1  # last span starting before the token ends
    ok = j >= 0
    labels[ok] = (b[j[ok]] > starts[ok]).astype(float)
    return labels


# ---------------------------------------------------------------------------------------------
# Fitting


def fit_logistic(
    X: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None
) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised).

    A few dozen features and up to a million rows: Newton converges in a handful of steps
    and needs nothing beyond numpy.
    """
    n, d = X.shape
    sw = np.ones(n) if weights is None else weights
    beta = np.zeros(d)
    pen = np.full(d, l2)
    pen[0] = 0.0
    for _ in range(50):
        z = X @ beta
        p = 1.0 / (1.0 + np.exp(-z))
        g = X.T @ (sw * (p - y)) + pen * beta
        h = (X * (sw * p * (1 - p))[:, None]).T @ X + np.diag(pen + 1e-9)
        step = np.linalg.solve(h, g)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula (ties count half)."""
    labels = labels.astype(bool)
    pos, neg = labels.sum(), (~labels).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    # average ranks over ties
    s = scores[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        if j > i:
            ranks[order[i : j + 1]] = (i + j + 2) / 2.0
        i = j + 1
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def build_lm(articles: Sequence[Article]) -> sc.BigramLM:
    """Hashed counts of the clean ``lm`` split, sentence by sentence."""
    lex = default_lexicon()
    words = sc.WordTable(lex, sc.BigramLM.from_sentences([]))

    def sentences():
        for a in articles:
            an = analyse(Document(id=a.id, text=a.text))
            if not an.keys:
                continue
            rows = words.rows(an.keys)
            hashes = words.table[rows, sc._W_HASH].astype(np.uint32)
            for s in an.sentences:
                yield np.concatenate([[sc.BOS_HASH], hashes[s.lo : s.hi], [sc.EOS_HASH]])

    return sc.BigramLM.from_sentences(sentences())


def featurise(examples: Sequence[Example], words: sc.WordTable) -> list[sc.TokenFeatures]:
    return [
        sc.token_features(analyse(Document(id=str(i), text=e.text)), words)
        for i, e in enumerate(examples)
    ]


def doc_matrix(tfs: Sequence[sc.TokenFeatures], beta: np.ndarray, prior: float) -> np.ndarray:
    return np.array([sc.document_features(t.X @ beta, prior) for t in tfs])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bbc", default=None, help="BBC folder (default: benchmarks' lookup)")
    args = parser.parse_args(argv)
    sources = tuple(s for s in args.sources.split(",") if s)
    t0 = time.perf_counter()
    splits = split_articles(load_bbc(args.bbc), seed=args.seed)
    print({k: len(v) for k, v in splits.items()}, file=sys.stderr)
    lm = build_lm(splits["lm"])
    print(f"lm: {len(lm.uni_keys)} words, {len(lm.bi_keys)} pairs, {lm.tokens} tokens", file=sys.stderr)
    words = sc.WordTable(default_lexicon(), lm)
    rng = random.Random(args.seed)
    factory = SpinFactory(sources, args.seed)
    tok_ex = make_examples(splits["token"], factory, rng, 2, 0.0)
    tfs = featurise(tok_ex, words)
    X = np.concatenate([t.X for t in tfs])
    y = np.concatenate([token_labels(t, e.spans) for t, e in zip(tfs, tok_ex, strict=True)])
    print(f"token rows {len(y)} positive {y.mean():.3f} {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    beta = fit_logistic(X, y, l2=1.0)
    z = X @ beta
    print(f"token AUC (train) {auc(z, y):.4f}", file=sys.stderr)
    for name, b in zip(sc.TOKEN_FEATURES, beta, strict=True):
        print(f"  {name:24s} {b:+.3f}", file=sys.stderr)
    prior = float(np.log(y.mean() / (1 - y.mean())))
    doc_ex = make_examples(splits["doc"], factory, rng, 3, 0.3)
    D = doc_matrix(featurise(doc_ex, words), beta, prior)
    dy = np.array([e.spun for e in doc_ex], dtype=float)
    gamma = fit_logistic(D, dy, l2=0.1)
    print(f"doc AUC (train) {auc(D @ gamma, dy):.4f}", file=sys.stderr)
    for name, b in zip(sc.DOC_FEATURES, gamma, strict=True):
        print(f"  {name:24s} {b:+.3f}", file=sys.stderr)
    held = splits["heldout"][:200]
    clean = [Example(a.text, [], False) for a in held]
    Dc = doc_matrix(featurise(clean, words), beta, prior) @ gamma
    for src in SOURCES:
        f1 = SpinFactory((src,), 99)
        for rate in (0.15, 0.3, 0.5):
            sp = [f1.spin(a.text, rng, rate) for a in held]
            Ds = doc_matrix(featurise(sp, words), beta, prior) @ gamma
            sc_all = np.concatenate([Dc, Ds])
            lab = np.concatenate([np.zeros(len(Dc)), np.ones(len(Ds))])
            print(f"{src} {rate}: AUC {auc(sc_all, lab):.4f} FP@0 {(Dc > 0).mean():.3f} "
                  f"TP@0 {(Ds > 0).mean():.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
