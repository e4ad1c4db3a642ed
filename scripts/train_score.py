"""Train the spun-text detector shipped in ``src/unspin/data/score/`` (``unspin score``).

Why this recipe: the detector must work with no source at hand, on spinners it has never
seen. So it learns only from clean news and copies spun by our own context-blind spinner
(``benchmarks/spinner.py``, drawing on the raw thesauri as real spinners do), with the
spinner's exact substitution offsets as word labels, at rates from 10% to 60%, with each
thesaurus alone and together, choosing synonyms at random (70%) or among the three most
common (30%, as curated commercial spinners do). ``--sources`` leaves thesauri out, which
is how ``benchmarks/eval_score.py`` measures the detector against a spinner whose
dictionary it was not trained on.

The BBC articles are de-duplicated and split by document, with a fixed seed:

* ``heldout`` (25%): never touched here; their ids are written into the model so that the
  evaluation and the tests use exactly them;
* ``lm`` (55%): the n-gram model of clean news is counted on these only (the largest share:
  context is what gives away spinners that pick common synonyms);
* ``token`` (10%): the word model (one hidden layer) is fitted on these, clean and spun;
* ``doc`` (10%): the document-level logistic regression (which is also the calibration:
  Platt scaling over pooled evidence) is fitted on these, from excerpts to several
  articles run together, and the thresholds are chosen on them.

Run (about a minute on one core; deterministic for a given seed)::

    pip install -e '.[bench]'
    python scripts/train_score.py                     # writes src/unspin/data/score/
    python scripts/train_score.py --sources wordnet,mythes --out /tmp/score-no-moby

``--neural`` (needs ``pip install -e '.[neural]'``) also fits the optional neural stage
(``unspin.score_neural``) on the ``doc`` split, where the default word model's logits are
out of sample, and writes it beside the default as ``neural.json``; the default model is
the same with or without it.
"""

from __future__ import annotations

import argparse
import hashlib
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
from unspin import score_neural as sn  # noqa: E402
from unspin.lexicon import default_lexicon  # noqa: E402
from unspin.models import Document  # noqa: E402
from unspin.normalise import analyse  # noqa: E402

OUT = ROOT / "src" / "unspin" / "data" / "score"
SPLITS: tuple[tuple[str, float], ...] = (
    ("heldout", 0.25),
    ("lm", 0.55),
    ("token", 0.10),
    ("doc", 0.10),
)
# Share of training spins that choose among the most common synonyms only.
COMMON_SHARE = 0.3
RATE_RANGE = (0.10, 0.60)
# Share of clean news the chosen threshold may flag, measured on the doc split.
TARGET_FALSE_POSITIVES = 0.01
# Share of a clean text's words that the evidence threshold lets through.
EVIDENCE_CLEAN_SHARE = 0.01


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
    whole: bool = True  # a whole article (not an excerpt or several run together)


class CommonSynonymSpinner(Spinner):
    """A spinner that picks among the few most common synonyms only.

    The benchmark spinner picks any synonym alike, so its substitutes are often rare words;
    curated commercial spinners prefer readable ones ("stated", "customers", "federal
    government"), which only context gives away. Training on both kinds keeps the detector
    from learning "rare word" alone.
    """

    TOP = 3

    def synonyms(self, source: str, key: str) -> list[str]:
        choices = super().synonyms(source, key)
        if len(choices) <= self.TOP:
            return choices
        lex = default_lexicon()
        return sorted(choices, key=lambda w: -lex.zipf(w.lower()))[: self.TOP]


class SpinFactory:
    """Spinners over each training thesaurus alone and over all of them together, each
    choosing synonyms at random or among the most common."""

    def __init__(self, sources: Sequence[str], seed: int, common_share: float = COMMON_SHARE):
        self.names = [(s,) for s in sources] + ([tuple(sources)] if len(sources) > 1 else [])
        self.common_share = common_share
        self.spinners = {n: Spinner(sources=n, seed=seed) for n in self.names}
        self.common = {n: CommonSynonymSpinner(sources=n, seed=seed) for n in self.names}

    def spin(self, text: str, rng: random.Random, rate: float | None = None) -> Example:
        name = rng.choice(self.names)
        rate = rng.uniform(*RATE_RANGE) if rate is None else rate
        common = rng.random() < self.common_share
        spinner = (self.common if common else self.spinners)[name]
        res = spinner.spin(text, seed=rng.randrange(1 << 30), rate=rate)
        spans = [(s.new_start, s.new_end) for s in res.substitutions]
        label = "+".join(name) + ("/common" if common else "")
        return Example(res.text, spans, bool(spans), res.rate, label)


def make_examples(
    articles: Sequence[Article],
    factory: SpinFactory,
    rng: random.Random,
    spun_per_article: int,
    excerpt_share: float = 0.0,
    long_share: float = 0.0,
) -> list[Example]:
    """Each article clean once and spun ``spun_per_article`` times. With probability
    ``excerpt_share`` a pair (clean and spun) is a short excerpt instead, and with
    ``long_share`` the article run together with one to three others: real inputs run
    from a paragraph to long features, and the document model must not extrapolate."""
    out = []
    for a in articles:
        out.append(Example(a.text, [], False))
        for _ in range(spun_per_article):
            r = rng.random()
            if r < excerpt_share:
                piece = excerpt(a.text, rng)
            elif r < excerpt_share + long_share:
                others = rng.sample(list(articles), rng.randint(1, 3))
                piece = "\n\n".join([a.text, *(o.text for o in others)])
            else:
                out.append(factory.spin(a.text, rng))
                continue
            out.append(Example(piece, [], False, whole=False))
            out.append(factory.spin(piece, rng))
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


_HASHER: list[sc.WordTable] = []


def hashed_sentences(article: Article) -> list[np.ndarray]:
    """An article's sentences as n-gram hashes, framed by ``<s>`` and ``</s>``."""
    if not _HASHER:
        _HASHER.append(sc.WordTable(default_lexicon(), sc.BigramLM.from_sentences([])))
    words = _HASHER[0]
    an = analyse(Document(id=article.id, text=article.text))
    if not an.keys:
        return []
    rows = words.rows(an.keys)  # may grow the table: index it afterwards
    hashes = words.table[rows, sc._W_HASH].astype(np.uint32)
    return [
        np.concatenate([[sc.BOS_HASH], hashes[s.lo : s.hi], [sc.EOS_HASH]]) for s in an.sentences
    ]


def featurised(
    examples: Sequence[Example], words: sc.WordTable
) -> list[tuple[sc.TokenFeatures, Example]]:
    """Word features of each example, exactly as ``unspin score`` computes them."""
    return [
        (sc.token_features(analyse(Document(id=str(i), text=e.text)), words), e)
        for i, e in enumerate(examples)
    ]


def fit_token_net(
    X: np.ndarray, y: np.ndarray, seed: int, hidden: int = 48, epochs: int = 8
) -> sc.TokenNet:
    """The word model: one hidden ReLU layer trained by Adam on the log loss (numpy only)."""
    rng = np.random.default_rng(seed)
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    mean[0], scale[0] = 0.0, 1.0  # the bias column stays a constant 1
    Xs = (X - mean) / scale
    d = X.shape[1]
    params = [
        rng.normal(0.0, 1.0 / np.sqrt(d), (d, hidden)),
        np.zeros(hidden),
        rng.normal(0.0, 1.0 / np.sqrt(hidden), hidden),
        np.zeros(1),
    ]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    lr, batch, l2, step = 3e-3, 512, 1e-4, 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for k in range(0, len(y), batch):
            idx = order[k : k + batch]
            xb, yb = Xs[idx], y[idx]
            a = xb @ params[0] + params[1]
            h = np.maximum(a, 0.0)
            z = h @ params[2] + params[3][0]
            g = (1.0 / (1.0 + np.exp(-z)) - yb) / len(idx)
            gh = np.outer(g, params[2]) * (a > 0)
            grads = [xb.T @ gh + l2 * params[0], gh.sum(0), h.T @ g + l2 * params[2], [g.sum()]]
            step += 1
            for i, (p, gr) in enumerate(zip(params, grads, strict=True)):
                m1[i] = 0.9 * m1[i] + 0.1 * np.asarray(gr)
                m2[i] = 0.999 * m2[i] + 0.001 * np.square(gr)
                p -= lr * (m1[i] / (1 - 0.9**step)) / (np.sqrt(m2[i] / (1 - 0.999**step)) + 1e-8)
    return sc.TokenNet(mean, scale, params[0], params[1], params[2], float(params[3][0]))


def fit_doc_model(D: np.ndarray, y: np.ndarray) -> sc.DocModel:
    """The document model (and calibration): a standardised logistic regression, classes
    weighted equally so that 0.5 means even odds whatever the mix of training texts."""
    mean, scale = D.mean(axis=0), D.std(axis=0) + 1e-9
    mean[0], scale[0] = 0.0, 1.0
    w = np.where(y > 0, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    weights = fit_logistic((D - mean) / scale, y, l2=1.0, weights=w)
    return sc.DocModel(mean, scale, weights)


def choose_threshold(clean_probs: np.ndarray) -> float:
    """The default yes/no cut: even odds, raised if needed so that at most
    TARGET_FALSE_POSITIVES of the clean training documents are flagged."""
    q = float(np.quantile(clean_probs, 1.0 - TARGET_FALSE_POSITIVES)) if len(clean_probs) else 0.0
    return round(max(0.5, min(0.99, q + 1e-4)), 4)


def choose_evidence_threshold(clean_logits: np.ndarray) -> float:
    """Word probability above which a word is shown as evidence: high enough that at most
    EVIDENCE_CLEAN_SHARE of the words of clean texts would be shown."""
    p = 1.0 / (1.0 + np.exp(-clean_logits))
    q = float(np.quantile(p, 1.0 - EVIDENCE_CLEAN_SHARE)) if len(p) else 0.5
    return round(max(0.5, min(0.99, q)), 3)


def train(
    sources: Sequence[str] = SOURCES,
    seed: int = 0,
    bbc: str | None = None,
    log=print,
    neural: bool = False,
) -> sc.ScoreModel:
    """Train a model from the BBC articles and our spinners over ``sources`` (and, with
    ``neural``, its optional neural stage)."""
    t0 = time.perf_counter()
    splits = split_articles(load_bbc(bbc), seed=seed)
    log("split: " + ", ".join(f"{k} {len(v)}" for k, v in splits.items()))
    lm = sc.BigramLM.from_sentences(s for a in splits["lm"] for s in hashed_sentences(a))
    log(f"n-gram model: {len(lm.uni_keys)} words, {len(lm.bi_keys)} pairs, {lm.tokens} tokens")
    words = sc.WordTable(default_lexicon(), lm)
    rng = random.Random(seed)
    factory = SpinFactory(sources, seed)

    tok = featurised(make_examples(splits["token"], factory, rng, 5), words)
    X = np.concatenate([t.X for t, _ in tok])
    y = np.concatenate([token_labels(t, e.spans) for t, e in tok])
    net = fit_token_net(X, y, seed)
    prior = float(np.log(y.mean() / (1 - y.mean())))
    log(
        f"word model: {len(y)} words, {y.mean():.3f} substituted, "
        f"AUC {auc(net.logits(X), y):.4f} (train)"
    )

    docs = featurised(
        make_examples(splits["doc"], factory, rng, 6, excerpt_share=0.3, long_share=0.2), words
    )
    logits = [net.logits(t.X) for t, _ in docs]
    D = np.array([sc.document_features(z, prior) for z in logits])
    dy = np.array([e.spun for _, e in docs], dtype=float)
    doc = fit_doc_model(D, dy)
    probs = np.array([doc.probability(f) for f in D])
    full = np.array([e.whole for _, e in docs])
    threshold = choose_threshold(probs[(dy == 0) & full])
    log(f"document model: {len(dy)} texts, AUC {auc(probs, dy):.4f} (train), threshold {threshold}")
    evidence_threshold, precision = evidence_cut(docs, logits)
    log(
        f"evidence: word probability >= {evidence_threshold}; "
        f"precision on spun texts {precision:.3f}"
    )
    meta = {
        "trained_on": {
            "sources": list(sources),
            "seed": seed,
            "rates": list(RATE_RANGE),
            "common_synonym_share": COMMON_SHARE,
            "articles": {k: len(v) for k, v in splits.items()},
            "word_examples": int(len(y)),
            "document_examples": int(len(dy)),
        },
        "evidence_precision_train": round(precision, 4),
        "heldout_ids": sorted(a.id for a in splits["heldout"]),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    model = sc.ScoreModel(
        words,
        net,
        prior,
        doc,
        threshold=threshold,
        evidence_threshold=evidence_threshold,
        meta=meta,
    )
    if neural:
        model.neural = fit_neural_head(model, docs, log)
    return model


def matched_threshold(clean: np.ndarray, clean_base: np.ndarray, base_threshold: float) -> float:
    """The neural stage's yes/no cut: it flags as many of the clean texts of the doc split
    (whole articles, excerpts and long texts alike: about 850, a steadier count than the
    200 whole articles alone) as the default does at its own threshold, so that the two
    are compared at the same false-positive rate and the stage can only add detections."""
    flagged = int((clean_base >= base_threshold).sum())
    top = np.sort(clean)[::-1]
    cut = float(top[flagged]) + 1e-4 if flagged < len(top) else 0.5
    return round(max(0.5, min(0.99, cut)), 4)


def fit_neural_head(
    model: sc.ScoreModel, docs: Sequence[tuple[sc.TokenFeatures, Example]], log=print
) -> sn.NeuralHead:
    """The neural stage (``unspin.score_neural``), fitted on the document split: a word-level
    logistic regression over the default's word logit and the embedding features, then the
    document model over the pooled result and the default's document logit."""
    t0 = time.perf_counter()
    tfs = [t for t, _ in docs]
    base, feats = sn.neural_features(tfs, model)
    F = np.concatenate(feats)
    y = np.concatenate([token_labels(t, e.spans) for t, e in docs])
    mean, scale = F.mean(axis=0), F.std(axis=0) + 1e-9
    mean[0], scale[0] = 0.0, 1.0
    weights = fit_logistic((F - mean) / scale, y, l2=1.0)
    head_prior = float(np.log(y.mean() / (1 - y.mean())))
    z = [((f - mean) / scale) @ weights for f in feats]
    log(
        f"neural word model: AUC {auc(np.concatenate(z), y):.4f} "
        f"(default {auc(np.concatenate(base), y):.4f}) on {len(y)} words of the doc split"
    )
    D = np.array(
        [
            sn.document_features(zi, head_prior, sn.base_doc_logit(model, bi))
            for zi, bi in zip(z, base, strict=True)
        ]
    )
    dy = np.array([e.spun for _, e in docs], dtype=float)
    doc = fit_doc_model(D, dy)
    probs = np.array([doc.probability(f) for f in D])
    base_probs = 1.0 / (1.0 + np.exp(-D[:, -1]))
    threshold = matched_threshold(probs[dy == 0], base_probs[dy == 0], model.threshold)
    clean = np.concatenate([zi for zi, (_, e) in zip(z, docs, strict=True) if not e.spun])
    log(
        f"neural document model: AUC {auc(probs, dy):.4f} (train; default "
        f"{auc(base_probs, dy):.4f}), threshold {threshold}"
    )
    return sn.NeuralHead(
        token_mean=mean,
        token_scale=scale,
        token_weights=weights,
        token_prior_logit=head_prior,
        doc_mean=doc.mean,
        doc_scale=doc.scale,
        doc_weights=doc.weights,
        threshold=threshold,
        evidence_threshold=choose_evidence_threshold(clean),
        meta={
            "embeddings": "wordllama l2_supercat_256",
            "word_examples": int(len(y)),
            "document_examples": int(len(dy)),
            "seconds": round(time.perf_counter() - t0, 1),
        },
    )


def evidence_cut(
    docs: Sequence[tuple[sc.TokenFeatures, Example]], logits: Sequence[np.ndarray]
) -> tuple[float, float]:
    """The evidence threshold (from the clean texts) and its precision on the spun ones."""
    clean = np.concatenate([z for z, (_, e) in zip(logits, docs, strict=True) if not e.spun])
    cut = choose_evidence_threshold(clean)
    spun = [(z, token_labels(t, e.spans)) for z, (t, e) in zip(logits, docs, strict=True) if e.spun]
    z = np.concatenate([z for z, _ in spun])
    lab = np.concatenate([lab for _, lab in spun])
    shown = 1.0 / (1.0 + np.exp(-z)) >= cut
    return cut, float(lab[shown].mean()) if shown.any() else float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"model folder (default {OUT})")
    parser.add_argument("--sources", default=",".join(SOURCES), help="thesauri to spin with")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bbc", default=None, help="BBC folder (default: benchmarks' lookup)")
    parser.add_argument(
        "--neural", action="store_true", help="also fit the neural stage (the neural extra)"
    )
    args = parser.parse_args(argv)
    sources = tuple(s for s in args.sources.split(",") if s)
    model = train(
        sources, args.seed, args.bbc, log=lambda m: print(m, file=sys.stderr), neural=args.neural
    )
    model.save(args.out)
    print(f"model written to {args.out} in {model.meta['seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
