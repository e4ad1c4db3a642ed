"""The optional neural stage of ``unspin score`` (``pip install 'unspin[neural]'``).

Why: the default detector reads a word's context through bigram counts of clean news,
which see one word either side. A substitute drawn from the wrong sense ("Linked Push",
"personal coach") often fits its neighbours' bigrams by chance, yet sits oddly in the
*meaning* of its sentence and document. Static token embeddings from a language model
(WordLlama, 256 dimensions, 16 MB shipped inside the ``wordllama`` package; nothing is
downloaded) measure that at almost no cost:

* how well the word fits its sentence, the four scorable words either side, and the whole
  document (cosine between its vector and the sum of the others');
* for words the default already suspects, how much better the best of its more common
  thesaurus neighbours (the candidate originals) would fit the same sentence.

These columns, with the default word model's logit, feed a logistic regression per word
(:class:`NeuralHead`); its logits are pooled as the default pools its own, and a document
logistic regression over that evidence *and the default's own document logit* gives the
calibrated probability. Because the default's word and document logits are inputs, the
stage starts from the default's verdict and learns only what the embeddings add; its
yes/no threshold is set to flag as many clean training texts as the default's does.
``benchmarks/eval_score.py --neural`` measures it against the default on the same held-out
texts (ROC AUC higher in every configuration; see BENCHMARKS.md). Its weights are a small
JSON file beside the default model (``neural.json``), written by
``scripts/train_score.py --neural``.

This module imports only numpy at load time; ``wordllama`` is imported on first use, and
its absence is a :class:`NeuralUnavailable` error naming the pip command.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from unspin.normalise import Analysis
    from unspin.score import ScoreModel, ScoreResult, TokenFeatures, WordTable

NEURAL_FORMAT = 1
NEURAL_FILE = "neural.json"
INSTALL_HINT = "pip install 'unspin[neural]'"
# Words whose default substitute probability reaches this get the neighbour test (the
# costly part: their candidate originals are embedded); the others keep a gap of 0.
GAP_MIN_PROBABILITY = 0.1
# Scorable words either side that make a word's window.
WINDOW = 4
# Words kept in a WordVectors before it starts afresh (1 KB each).
MAX_WORDS = 200_000

NEURAL_TOKEN_FEATURES: tuple[str, ...] = (
    "bias",
    "base_logit",
    "fit_sentence",
    "fit_document",
    "fit_window",
    "neighbour_gap",
    "neighbour_tested",
    "neighbour_gap_if_suspect",
    "fit_document_x_logit",
    "fit_window_x_logit",
)


class NeuralUnavailable(ImportError):
    """The neural extra is not installed (or its model files cannot be read)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the neural score model needs the neural extra ({reason}): {INSTALL_HINT}"
        )


# ---------------------------------------------------------------------------------------------
# Word vectors


class WordVectors:
    """Unit vectors of lower-cased words from WordLlama's static token embeddings.

    A word split into several tokens gets the mean of their vectors. Vectors are cached
    per word, so after the first documents a document costs a few numpy gathers.
    """

    def __init__(self, embedding: np.ndarray, tokenizer: Any) -> None:
        self.embedding = np.asarray(embedding, dtype=np.float32)
        self.tokenizer = tokenizer
        self.dim = int(self.embedding.shape[1])
        self._clear()

    def _clear(self) -> None:
        """Forget every word embedded (a long run over a huge corpus starts afresh)."""
        self._index: dict[str, int] = {}
        self._table = np.zeros((1024, self.dim), dtype=np.float32)
        self._neighbours: dict[str, np.ndarray] = {}

    def rows(self, keys: list[str]) -> np.ndarray:
        """Row of each key in :attr:`table`, embedding unseen keys first."""
        new = [k for k in dict.fromkeys(keys) if k not in self._index]
        if new:
            self._add(new)
        return np.fromiter(map(self._index.__getitem__, keys), dtype=np.int64, count=len(keys))

    @property
    def table(self) -> np.ndarray:
        return self._table

    def vectors(self, keys: list[str]) -> np.ndarray:
        """The unit vector of each key (zeros for a key with no token)."""
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self.rows(keys)  # may grow the table: index it afterwards
        return self._table[rows]

    def neighbour_rows(self, key: str, words: WordTable, row: int) -> np.ndarray:
        """Rows in :attr:`table` of the candidate originals of the word ``key`` (its more
        common thesaurus neighbours, :meth:`WordTable.neighbours`; ``row`` is its row
        there), embedded once per word and kept."""
        cached = self._neighbours.get(key)
        if cached is None:
            texts, _, _ = words.neighbours(row)
            cached = self.rows(list(texts)) if texts else np.zeros(0, dtype=np.int64)
            self._neighbours[key] = cached
        return cached

    def start_document(self) -> None:
        """Start afresh if the table is full; rows stay valid until the next call (so
        within a document), as names and numbers never stop coming in a huge corpus."""
        if len(self._index) > MAX_WORDS:
            self._clear()

    def _add(self, keys: list[str]) -> None:
        start = len(self._index)
        need = start + len(keys)
        if need > len(self._table):
            grown = np.zeros((max(need, 2 * len(self._table)), self.dim), dtype=np.float32)
            grown[:start] = self._table[:start]
            self._table = grown
        encoded = self.tokenizer.encode_batch(keys, add_special_tokens=False)
        for j, (key, enc) in enumerate(zip(keys, encoded, strict=True)):
            ids = [i for i in enc.ids if i != 0]  # 0 pads the batch
            v = self.embedding[ids].mean(axis=0) if ids else np.zeros(self.dim, np.float32)
            norm = float(np.linalg.norm(v))
            self._table[start + j] = v / norm if norm > 0 else v
            self._index[key] = start + j


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    """WordLlama's embeddings, loaded once per process from inside the installed package."""
    try:
        import wordllama  # noqa: PLC0415 - the optional extra
    except ImportError as e:
        raise NeuralUnavailable(f"cannot import wordllama: {e}") from None
    try:
        wl = wordllama.WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True
        )
    except Exception as e:  # the package's own files are missing or unreadable
        raise NeuralUnavailable(f"cannot load WordLlama's weights: {e}") from None
    return WordVectors(wl.embedding, wl.tokenizer)


def available() -> bool:
    """Whether the neural extra can run here."""
    try:
        word_vectors()
    except NeuralUnavailable:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Features


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(m, axis=1)
    return m / np.where(norm > 0, norm, 1.0)[:, None]


def context_features(
    tf: TokenFeatures,
    base_logits: np.ndarray,
    words: WordTable,
    vectors: WordVectors,
    has_synonyms: np.ndarray,
) -> np.ndarray:
    """The NEURAL_TOKEN_FEATURES of one document's scorable words."""
    n = len(tf.tokens)
    out = np.zeros((n, len(NEURAL_TOKEN_FEATURES)))
    if n == 0:
        return out
    an = tf.analysis
    vectors.start_document()
    keys = [an.keys[i] for i in tf.tokens.tolist()]
    V = vectors.vectors(keys).astype(np.float64)
    sent_lo = np.array([s.lo for s in an.sentences], dtype=np.int64)
    sid = np.searchsorted(sent_lo, tf.tokens, side="right") - 1
    # Running sums give every sentence's and window's total in one subtraction.
    csum = np.vstack([np.zeros((1, vectors.dim)), np.cumsum(V, axis=0)])
    first = np.searchsorted(sid, sid, side="left")  # the sentence's first scorable word
    past = np.searchsorted(sid, sid, side="right")
    C = _unit_rows(csum[past] - csum[first] - V)
    fit_sentence = (V * C).sum(axis=1)
    fit_document = (V * _unit_rows(csum[-1][None, :] - V)).sum(axis=1)
    pos = np.arange(n)
    lo = np.maximum(pos - WINDOW, first)
    hi = np.minimum(pos + WINDOW + 1, past)
    fit_window = (V * _unit_rows(csum[hi] - csum[lo] - V)).sum(axis=1)

    gap = np.zeros(n)
    tested = np.zeros(n)
    p = 1.0 / (1.0 + np.exp(-base_logits))
    suspects = np.nonzero((has_synonyms > 0) & (p >= GAP_MIN_PROBABILITY))[0]
    if len(suspects):
        # Candidate originals of all suspects embedded in one call; best fit per suspect.
        cand = [vectors.neighbour_rows(keys[k], words, int(tf.raw["rows"][k])) for k in suspects]
        sizes = np.array([len(c) for c in cand])
        has = sizes > 0
        if has.any():
            ks = suspects[has]
            rows = np.concatenate([c for c in cand if len(c)])
            owner = np.repeat(np.arange(len(ks)), sizes[has])
            fits = (vectors.table[rows].astype(np.float64) * C[ks][owner]).sum(axis=1)
            starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]])
            gap[ks] = np.maximum.reduceat(fits, starts) - fit_sentence[ks]
            tested[ks] = 1.0
    syn = has_synonyms
    out[:, 0] = 1.0
    out[:, 1] = base_logits
    out[:, 2] = fit_sentence * syn
    out[:, 3] = fit_document * syn
    out[:, 4] = fit_window * syn
    out[:, 5] = gap
    out[:, 6] = tested
    out[:, 7] = gap * tested * (base_logits > 0)
    out[:, 8] = fit_document * syn * base_logits
    out[:, 9] = fit_window * syn * base_logits
    return out


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(slots=True)
class NeuralHead:
    """The neural stage's weights: a word-level logistic regression over
    NEURAL_TOKEN_FEATURES, and a document-level one over the default's DOC_FEATURES
    computed from its logits, plus the default's document logit."""

    token_mean: np.ndarray
    token_scale: np.ndarray
    token_weights: np.ndarray
    token_prior_logit: float
    doc_mean: np.ndarray
    doc_scale: np.ndarray
    doc_weights: np.ndarray
    threshold: float
    evidence_threshold: float
    meta: dict[str, Any]

    def token_logits(self, F: np.ndarray) -> np.ndarray:
        if len(F) == 0:
            return np.zeros(0)
        return ((F - self.token_mean) / self.token_scale) @ self.token_weights

    def probability(self, features: np.ndarray) -> float:
        z = float(((features - self.doc_mean) / self.doc_scale) @ self.doc_weights)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def save(self, path: str | Path) -> None:
        """Write ``neural.json`` into the model folder ``path``."""
        info = {
            "format": NEURAL_FORMAT,
            "token_features": list(NEURAL_TOKEN_FEATURES),
            "token_mean": self.token_mean.tolist(),
            "token_scale": self.token_scale.tolist(),
            "token_weights": self.token_weights.tolist(),
            "token_prior_logit": self.token_prior_logit,
            "doc_mean": self.doc_mean.tolist(),
            "doc_scale": self.doc_scale.tolist(),
            "doc_weights": self.doc_weights.tolist(),
            "threshold": self.threshold,
            "evidence_threshold": self.evidence_threshold,
            "meta": self.meta,
        }
        Path(path, NEURAL_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> NeuralHead | None:
        """Read ``neural.json`` from a model folder; None when the model has none."""
        file = Path(path, NEURAL_FILE)
        if not file.exists():
            return None
        info = json.loads(file.read_text(encoding="utf-8"))
        if info.get("format") != NEURAL_FORMAT:
            raise ValueError(f"{file}: format {info.get('format')}, need {NEURAL_FORMAT}")
        if tuple(info["token_features"]) != NEURAL_TOKEN_FEATURES:
            raise ValueError(f"{file}: trained on other features; retrain it")

        def arr(name: str) -> np.ndarray:
            return np.array(info[name], dtype=np.float64)

        return cls(
            arr("token_mean"),
            arr("token_scale"),
            arr("token_weights"),
            float(info["token_prior_logit"]),
            arr("doc_mean"),
            arr("doc_scale"),
            arr("doc_weights"),
            float(info["threshold"]),
            float(info["evidence_threshold"]),
            info.get("meta", {}),
        )


def document_features(logits: np.ndarray, head_prior: float, base_doc_logit: float) -> np.ndarray:
    """The default's DOC_FEATURES over the neural word logits, and the default's own
    document logit as the last column."""
    from unspin.score import document_features as pooled  # noqa: PLC0415 - no import cycle

    return np.append(pooled(logits, head_prior), base_doc_logit)


def base_doc_logit(model: ScoreModel, logits: np.ndarray) -> float:
    """The default's document logit (its probability's log-odds, before the threshold)."""
    from unspin.score import document_features as pooled  # noqa: PLC0415

    doc = model.doc_model
    feats = pooled(logits, model.token_prior_logit)
    return float(((feats - doc.mean) / doc.scale) @ doc.weights)


# ---------------------------------------------------------------------------------------------
# Scoring


def neural_features(
    tfs: list[TokenFeatures], model: ScoreModel
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per document: the default word logits and the NEURAL_TOKEN_FEATURES matrix."""
    from unspin.score import TOKEN_FEATURES  # noqa: PLC0415

    vectors = word_vectors()
    syn_col = TOKEN_FEATURES.index("has_synonyms")
    sizes = [len(tf.tokens) for tf in tfs]
    all_logits = model.token_net.logits(np.concatenate([tf.X for tf in tfs]))
    bounds = np.cumsum([0, *sizes])
    base, feats = [], []
    for d, tf in enumerate(tfs):
        logits = all_logits[bounds[d] : bounds[d + 1]]
        base.append(logits)
        feats.append(context_features(tf, logits, model.words, vectors, tf.X[:, syn_col]))
    return base, feats


def score_analyses_neural(
    analyses: list[Analysis],
    model: ScoreModel,
    threshold: float | None = None,
    evidence: bool = True,
) -> list[ScoreResult]:
    """:func:`unspin.score.score_analyses` with the neural stage (see the module docstring).

    ``threshold`` overrides the neural head's own documented threshold.
    """
    from unspin.score import (  # noqa: PLC0415
        DOC_FEATURES,
        ScoreResult,
        find_evidence,
        token_features_batch,
    )

    head = model.neural
    if head is None:
        raise ValueError(
            "this score model has no neural stage; train one with "
            "`python scripts/train_score.py --neural`"
        )
    cut = head.threshold if threshold is None else threshold
    tfs = token_features_batch(analyses, model.words)
    base, feats = neural_features(tfs, model)
    out = []
    for tf, logits, F in zip(tfs, base, feats, strict=True):
        doc_id = tf.analysis.doc.id
        if len(logits) == 0:
            out.append(ScoreResult(doc_id, 0.0, False, [], cut, 0, 0.0))
            continue
        z = head.token_logits(F)
        f = document_features(z, head.token_prior_logit, base_doc_logit(model, logits))
        prob = head.probability(f)
        share = float(f[DOC_FEATURES.index("rho_hat")])
        spans = find_evidence(tf, z, model, cut=head.evidence_threshold) if evidence else []
        out.append(ScoreResult(doc_id, prob, prob >= cut, spans, cut, len(logits), share))
    return out
