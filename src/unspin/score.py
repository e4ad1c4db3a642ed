"""Spotting spun text with no source at hand (``unspin score``).

A context-blind spinner leaves marks that can be read without the original:

* **rare substitutes** where a common word belongs. A spinner picks a thesaurus neighbour of
  the word it replaces, whatever its frequency, so a word that is far more likely to *arise*
  as some common word's substitute than to be written for itself ("tidings", "yrs",
  "educate") is suspect. We measure that as a *spin ratio*: the summed frequency of the
  word's thesaurus neighbours, each shared among its own neighbours (the chance that a
  uniform spinner turns one of them into this word), over the word's own frequency;
* **broken collocations and names**: a word pair that clean news writes often around a
  common word, but never around this one ("Linked Push", "Protection Ministry",
  "ruling social gathering"). An n-gram model of clean news (hashed bigram counts, shipped
  as a small array) says how surprising each pair is given how common its words are, and
  whether one of the word's thesaurus neighbours would fit the same context;
* **capitalised common words** in the middle of a sentence that a thesaurus covers: a name
  broken by substitution ("Choe Sunshine Hui").

Every scorable word gets a probability of being a substitute (a logistic regression over
those features, trained on clean news and copies spun by our own spinners, token labels from
the spinners' exact offsets). A document's probability of being spun comes from a second,
calibrated logistic regression over the evidence pooled across its words: chiefly a
likelihood-ratio test of "a share rho of these words are substitutes" against "none are",
which weighs a long document's many weak signals properly and a short one's few cautiously.

The model is a few small numpy files in ``unspin/data/score/`` built by
``scripts/train_score.py``; nothing is downloaded and only numpy runs at score time.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.lexicon import Lexicon
from unspin.normalise import STOP_WORDS, Analysis

MODEL_FORMAT = 1
# Probability above which a document is called spun, unless the model file says otherwise
# (the trained model stores the threshold chosen on held-back clean news; see
# scripts/train_score.py).
DEFAULT_THRESHOLD = 0.5

_BOS, _EOS, _NUM = "<s>", "</s>", "<num>"
# Words unknown to the frequency list are treated as this rare (Zipf scale).
_ZIPF_FLOOR = 1.0
# Mixture shares tried in the document-level likelihood-ratio test.
_RHOS = np.array([0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6])


def lm_hash(key: str) -> int:
    """Stable 32-bit hash of a token key for the n-gram tables (numbers share one class:
    a model of clean news should not care which number it saw)."""
    if key[:1].isdigit():
        key = _NUM
    return zlib.crc32(key.encode("utf-8"))


BOS_HASH, EOS_HASH = lm_hash(_BOS), lm_hash(_EOS)


# ---------------------------------------------------------------------------------------------
# The n-gram model of clean news


@dataclass(slots=True)
class BigramLM:
    """Unigram and bigram counts of clean news, keyed by :func:`lm_hash`.

    Sorted hash arrays with parallel counts: a look-up is one vectorised binary search, the
    whole model a couple of MB, and there is nothing to parse at start-up.
    """

    uni_keys: np.ndarray  # uint32, sorted
    uni_counts: np.ndarray  # uint32
    bi_keys: np.ndarray  # uint64 (first << 32 | second), sorted
    bi_counts: np.ndarray  # uint16, saturating
    tokens: int  # tokens counted (sentence markers included)
    _direct: np.ndarray | None = None  # built on first use, see bigram_fast

    DIRECT_BITS = 23

    @classmethod
    def from_sentences(cls, sentences: Iterable[np.ndarray], min_count: int = 1) -> BigramLM:
        """Count hashed sentences (each already framed by ``<s>`` and ``</s>``)."""
        unis, bis = [], []
        for s in sentences:
            s = s.astype(np.uint64)
            unis.append(s)
            bis.append((s[:-1] << np.uint64(32)) | s[1:])
        uni = np.concatenate(unis) if unis else np.zeros(0, np.uint64)
        bi = np.concatenate(bis) if bis else np.zeros(0, np.uint64)
        uk, uc = np.unique(uni.astype(np.uint32), return_counts=True)
        bk, bc = np.unique(bi, return_counts=True)
        keep = bc >= min_count
        return cls(
            uni_keys=uk,
            uni_counts=uc.astype(np.uint32),
            bi_keys=bk[keep],
            bi_counts=np.minimum(bc[keep], 65535).astype(np.uint16),
            tokens=int(len(uni)),
        )

    def unigram(self, hashes: np.ndarray) -> np.ndarray:
        """Counts of single tokens (0 when unseen)."""
        return _lookup(self.uni_keys, self.uni_counts, hashes.astype(np.uint32))

    def bigram(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Counts of token pairs (0 when unseen)."""
        keys = (first.astype(np.uint64) << np.uint64(32)) | second.astype(np.uint64)
        return _lookup(self.bi_keys, self.bi_counts, keys)

    def bigram_fast(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Approximate pair counts (saturating at 255) from a direct-mapped table.

        Testing every thesaurus neighbour of every word in its context is thousands of
        look-ups a document; a gather from an 8 MB table built once at load is several times
        faster than a binary search, at the price of about 2% of unseen pairs colliding
        with a seen one.
        """
        if self._direct is None:
            table = np.zeros(1 << self.DIRECT_BITS, dtype=np.uint8)
            slots = _slot(self.bi_keys >> np.uint64(32), self.bi_keys & np.uint64(0xFFFFFFFF))
            np.maximum.at(table, slots, np.minimum(self.bi_counts, 255).astype(np.uint8))
            self._direct = table
        return self._direct[_slot(first, second)]

    def save(self, path: Path) -> None:
        np.save(path / "uni_keys.npy", self.uni_keys)
        np.save(path / "uni_counts.npy", self.uni_counts)
        np.save(path / "bi_keys.npy", self.bi_keys)
        np.save(path / "bi_counts.npy", self.bi_counts)

    @classmethod
    def load(cls, path: Path, tokens: int) -> BigramLM:
        def arr(name: str) -> np.ndarray:
            return np.load(path / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        return cls(arr("uni_keys"), arr("uni_counts"), arr("bi_keys"), arr("bi_counts"), tokens)


def _slot(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Slot of a token pair in the direct-mapped table (multiplicative hashing)."""
    a = first.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    b = second.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    return ((a ^ b) >> np.uint64(64 - BigramLM.DIRECT_BITS)).astype(np.int64)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[key] for each query key, 0 where absent (sorted ``keys``)."""
    if len(keys) == 0 or len(query) == 0:
        return np.zeros(len(query), dtype=np.float64)
    pos = np.searchsorted(keys, query)
    pos = np.minimum(pos, len(keys) - 1)
    hit = keys[pos] == query
    return np.where(hit, values[pos], 0).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Context-free word statistics from the lexicon


def _entry_spin_ratio(lexicon: Lexicon) -> np.ndarray:
    """Per lexicon entry, log10 of (chance a uniform spinner produces it) / (its frequency).

    A spinner replacing word o picks one of o's ``deg(o)`` neighbours, so it writes entry e
    with a frequency proportional to sum over neighbours o of f(o) / deg(o). Divided by
    f(e) this says how much likelier e is as a substitute than as a writer's choice. NaN for
    entries without neighbours (a spinner cannot produce them from a thesaurus).
    """
    ptr = lexicon._ptr.astype(np.int64)
    idx = lexicon._idx
    zipf = np.maximum(lexicon._zipf.astype(np.float64) / 10.0, _ZIPF_FLOOR)
    freq = 10.0 ** (zipf - 9.0)
    deg = np.diff(ptr)
    share = freq / np.maximum(deg, 1)
    vals = share[idx]
    csum = np.concatenate([[0.0], np.cumsum(vals)])
    produced = csum[ptr[1:]] - csum[ptr[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log10(produced) - np.log10(freq)
    ratio[deg == 0] = np.nan
    return ratio.astype(np.float32)


# Columns of the per-word table.
_W_ZIPF, _W_RATIO, _W_SYN, _W_CONTENT, _W_HASH, _W_LMCOUNT = range(6)
# Thesaurus neighbours per word tested in context (the most frequent in clean news).
NEIGHBOURS = 8
# Neighbours ranked by general frequency before the clean-news count picks the best few.
_NEIGHBOUR_POOL = 40
_VOWELS = frozenset("aeiou")
_SUFFIXES = frozenset(("s", "es", "ed", "ing", "er", "est"))


def inflect_like(neighbour: str, lemma: str, word: str) -> str:
    """``neighbour`` given the inflection that turns ``lemma`` into ``word``.

    A spinner strips an ending, swaps the stem and puts the ending back ("members" ->
    "customers"); to test the original in context, and to show it, the swap is undone the
    same way. Irregular forms keep the neighbour's base form.
    """
    if word == lemma or " " in neighbour:
        return neighbour
    if word.startswith(lemma):
        suffix = word[len(lemma) :]
        if lemma.endswith("e") and suffix in ("d", "r", "st"):
            suffix = "e" + suffix
    elif lemma[-1:] in ("e", "y") and word.startswith(lemma[:-1]):
        suffix = word[len(lemma) - 1 :]
        if lemma.endswith("y"):
            suffix = {"ies": "s", "ied": "ed", "ier": "er", "iest": "est"}.get(suffix, "")
    else:
        return neighbour
    if len(suffix) > 1 and suffix[-1] == suffix[-2] == lemma[-1]:
        suffix = suffix[1:]  # doubled consonant: "stopped" -> "ped"
    if suffix[1:2] and suffix[0] == lemma[-1] and suffix[1:] in _SUFFIXES:
        suffix = suffix[1:]
    if suffix not in _SUFFIXES:
        return neighbour
    if neighbour.endswith("e") and suffix[0] in "ei":
        return neighbour[:-1] + suffix
    if neighbour.endswith("y") and neighbour[-2:-1] not in _VOWELS and suffix in ("s", "ed"):
        return neighbour[:-1] + ("ies" if suffix == "s" else "ied")
    if suffix == "s" and neighbour.endswith(("s", "x", "z", "ch", "sh")):
        return neighbour + "es"
    return neighbour + suffix


class WordTable:
    """Context-free statistics of every distinct word seen, computed once per process.

    News reuses its vocabulary, so after the first few documents nearly every word is a
    dictionary hit and a document's per-token features are a few numpy gathers.
    """

    def __init__(self, lexicon: Lexicon, lm: BigramLM) -> None:
        self.lexicon = lexicon
        self.lm = lm
        self.entry_ratio = _entry_spin_ratio(lexicon)
        self.index: dict[str, int] = {}
        self.table = np.zeros((4096, 6), dtype=np.float64)
        # The few most news-frequent single-word neighbours of each word, as n-gram hashes
        # (0 = none) and as text (for evidence), inflected like the word.
        self.neighbour_hash = np.zeros((4096, NEIGHBOURS), dtype=np.uint32)
        self.neighbour_words: list[tuple[str, ...]] = []

    def rows(self, keys: list[str]) -> np.ndarray:
        """Row of each key in :attr:`table`, adding unseen keys first."""
        index = self.index
        missing = [k for k in dict.fromkeys(keys) if k not in index]
        if missing:
            self._add(missing)
        return np.fromiter((index[k] for k in keys), dtype=np.int64, count=len(keys))

    def _grow(self, need: int) -> None:
        size = len(self.table)
        if need <= size:
            return
        new = max(need, 2 * size)
        table = np.zeros((new, self.table.shape[1]), dtype=self.table.dtype)
        table[:size] = self.table
        nbh = np.zeros((new, NEIGHBOURS), dtype=np.uint32)
        nbh[:size] = self.neighbour_hash
        self.table, self.neighbour_hash = table, nbh

    def _add(self, keys: list[str]) -> None:
        lex = self.lexicon
        lex.prime(keys + [k[:-2] for k in keys if k.endswith("'s")])
        start = len(self.index)
        self._grow(start + len(keys))
        hashes = np.array([lm_hash(k) for k in keys], dtype=np.uint32)
        counts = self.lm.unigram(hashes)
        for j, key in enumerate(keys):
            row = self.table[start + j]
            zipf, ratio, syn, content, forms = self._word(key)
            row[:] = (zipf, ratio, syn, content, hashes[j], counts[j])
            nbs = self._neighbours(key, forms) if syn and content else ()
            self.neighbour_words.append(nbs)
            if nbs:
                self.neighbour_hash[start + j, : len(nbs)] = [lm_hash(w) for w in nbs]
            self.index[key] = start + j

    def _word(self, key: str) -> tuple[float, float, float, float, tuple[int, ...]]:
        """(Zipf, spin ratio, has synonyms, is a content word, lexicon forms) of one key."""
        base = key[:-2] if key.endswith("'s") else key
        content = base.isalpha() and len(base) > 1 and base not in STOP_WORDS
        if not content:
            return 0.0, 0.0, 0.0, 0.0, ()
        lex = self.lexicon
        forms = lex.forms(key) or lex.forms(base)
        if not forms:
            return 0.0, 0.0, 0.0, 1.0, ()
        zipf = float(lex._zipf[forms[0]]) / 10.0
        ratios = [r for r in (float(self.entry_ratio[f]) for f in forms) if not math.isnan(r)]
        if not ratios:
            return zipf, 0.0, 0.0, 1.0, forms
        return zipf, max(ratios), 1.0, 1.0, forms

    def _neighbours(self, key: str, forms: tuple[int, ...]) -> tuple[str, ...]:
        """The word's single-word thesaurus neighbours most used in clean news, inflected
        like the word, best first."""
        lex = self.lexicon
        word = key[:-2] if key.endswith("'s") else key
        own = forms[0]
        cands: dict[int, int] = {}  # neighbour id -> the form it came from
        for f in forms:
            for nb in lex.neighbours(f):
                cands.setdefault(nb, f)
        if not cands:
            return ()
        ids = np.fromiter(cands, dtype=np.int64, count=len(cands))
        zipf = lex._zipf[ids]
        pool = ids[np.argsort(-zipf.astype(np.int64), kind="stable")[:_NEIGHBOUR_POOL]]
        texts: dict[str, None] = {}
        for nb in pool.tolist():
            text = lex.word(nb)
            if " " in text or "-" in text or not text.isalpha():
                continue
            f = cands[nb]
            if f != own:
                inflected = inflect_like(text, lex.word(f), word)
                if inflected != text and lex.id(inflected) is not None:
                    text = inflected
            if text != word:
                texts[text] = None
        if not texts:
            return ()
        names = list(texts)
        counts = self.lm.unigram(np.array([lm_hash(t) for t in names], dtype=np.uint32))
        order = np.argsort(-counts, kind="stable")[:NEIGHBOURS]
        return tuple(names[i] for i in order.tolist())


# ---------------------------------------------------------------------------------------------
# Per-token features


@dataclass(slots=True)
class TokenFeatures:
    """The scorable tokens of a document and their feature matrix."""

    analysis: Analysis
    tokens: np.ndarray  # indices into the analysis' tokens
    X: np.ndarray  # one row per scorable token, columns as TOKEN_FEATURES
    raw: dict[str, np.ndarray] = field(default_factory=dict)  # named inputs, for evidence


_Z_EDGES = np.array([0.5, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0])
_R_EDGES = np.array([-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
_P_EDGES = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0])

TOKEN_FEATURES: tuple[str, ...] = (
    "bias",
    *(f"zipf_bin{i}" for i in range(1, len(_Z_EDGES) + 1)),
    "has_synonyms",
    *(f"ratio_bin{i}" for i in range(1, len(_R_EDGES) + 1)),
    "ratio",
    "cap_mid",
    "cap_mid_common",
    "cap_mid_ratio",
    "sentence_start",
    "lm_unseen_word",
    "lm_log_count",
    *(f"pmi_left_bin{i}" for i in range(1, len(_P_EDGES) + 1)),
    *(f"pmi_right_bin{i}" for i in range(1, len(_P_EDGES) + 1)),
    "pmi_left",
    "pmi_right",
    "pmi_min",
    "both_unseen",
    "both_unseen_ratio",
    "neighbour_fit",
    "neighbour_gain",
    "neighbour_fits_word_not",
    "neighbour_gain_rare",
)


def _one_hot(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Indicator columns for the bins above the first edge (the first bin is the baseline)."""
    b = np.searchsorted(edges, values, side="right")
    out = np.zeros((len(values), len(edges)), dtype=np.float64)
    nz = b > 0
    out[np.nonzero(nz)[0], b[nz] - 1] = 1.0
    return out


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def token_features(analysis: Analysis, words: WordTable) -> TokenFeatures:
    """Features of every content word of an analysed document (see TOKEN_FEATURES)."""
    n = len(analysis.keys)
    if n == 0:
        return TokenFeatures(analysis, np.zeros(0, np.int64), np.zeros((0, len(TOKEN_FEATURES))))
    rows = words.rows(analysis.keys)
    w = words.table[rows]
    content = w[:, _W_CONTENT] > 0
    # Neighbouring tokens inside the sentence, with sentence markers at the edges.
    hashes = w[:, _W_HASH].astype(np.uint32)
    sent_lo = np.array([s.lo for s in analysis.sentences], dtype=np.int64)
    sent_hi = np.array([s.hi for s in analysis.sentences], dtype=np.int64)
    first = np.zeros(n, dtype=bool)
    first[sent_lo] = True
    last = np.zeros(n, dtype=bool)
    last[sent_hi - 1] = True
    prev = np.empty(n, dtype=np.uint32)
    prev[1:] = hashes[:-1]
    prev[first] = BOS_HASH
    nxt = np.empty(n, dtype=np.uint32)
    nxt[:-1] = hashes[1:]
    nxt[last] = EOS_HASH

    idx = np.nonzero(content)[0]
    if len(idx) == 0:
        return TokenFeatures(analysis, idx, np.zeros((0, len(TOKEN_FEATURES))))
    w = w[idx]
    lm = words.lm
    cur = hashes[idx]
    c_left = lm.bigram(prev[idx], cur)
    c_right = lm.bigram(cur, nxt[idx])
    c_prev = lm.unigram(prev[idx])
    c_next = lm.unigram(nxt[idx])
    zipf = w[:, _W_ZIPF]
    p_word = 10.0 ** (np.maximum(zipf, _ZIPF_FLOOR) - 9.0)
    pmi_left = np.log10((c_left + 0.5) / (c_prev * p_word + 0.5))
    pmi_right = np.log10((c_right + 0.5) / (c_next * p_word + 0.5))
    nb_best, nb_arg = neighbour_fit(words, rows[idx], prev[idx], nxt[idx])
    own_fit = np.log1p(c_left) + np.log1p(c_right)

    starts = np.array(analysis.starts, dtype=np.int64)[idx]
    cps = _codepoints(analysis.text)
    cap = (cps[starts] >= 65) & (cps[starts] <= 90)
    cap_mid = cap & ~first[idx]
    ratio = w[:, _W_RATIO]
    syn = w[:, _W_SYN]
    lm_count = w[:, _W_LMCOUNT]
    both_unseen = ((c_left == 0) & (c_right == 0)).astype(np.float64)

    X = np.column_stack(
        [
            np.ones(len(idx)),
            _one_hot(zipf, _Z_EDGES),
            syn,
            _one_hot(ratio, _R_EDGES) * syn[:, None],
            np.clip(ratio, -4, 4) * syn,
            cap_mid,
            cap_mid * (zipf >= 4.0),
            cap_mid * np.clip(ratio, -4, 4) * syn,
            first[idx],
            (lm_count == 0),
            np.log1p(lm_count),
            _one_hot(pmi_left, _P_EDGES),
            _one_hot(pmi_right, _P_EDGES),
            pmi_left,
            pmi_right,
            np.minimum(pmi_left, pmi_right),
            both_unseen,
            both_unseen * np.clip(ratio, -4, 4) * syn,
            nb_best,
            nb_best - own_fit,
            (nb_best > 0) & (own_fit == 0),
            np.maximum(nb_best - own_fit, 0) * (zipf < 4.5),
        ]
    ).astype(np.float64)
    raw = {"rows": rows[idx], "neighbour": nb_arg, "zipf": zipf, "ratio": ratio}
    return TokenFeatures(analysis, idx, X, raw)


def neighbour_fit(
    words: WordTable, rows: np.ndarray, prev: np.ndarray, nxt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How well each word's best thesaurus neighbour fits its context in clean news:
    (log1p left count + log1p right count of the best neighbour, its column), or (0, -1)
    for words with no neighbour to test."""
    nbh = words.neighbour_hash[rows]
    m, k = nbh.shape
    if m == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    flat = nbh.ravel()
    left = words.lm.bigram_fast(np.repeat(prev, k), flat).reshape(m, k)
    right = words.lm.bigram_fast(flat, np.repeat(nxt, k)).reshape(m, k)
    fit = (np.log1p(left.astype(np.float64)) + np.log1p(right.astype(np.float64))) * (nbh != 0)
    arg = fit.argmax(axis=1)
    best = fit[np.arange(m), arg]
    return best, np.where(best > 0, arg, -1)


# ---------------------------------------------------------------------------------------------
# Pooling word evidence into a document score

DOC_FEATURES: tuple[str, ...] = (
    "bias",
    "glr",
    "log_glr",
    "rho_hat",
    "mean_p",
    "top_mean_p",
    "share_over_half",
    "log_tokens",
)


def document_features(logits: np.ndarray, prior_logit: float) -> np.ndarray:
    """Evidence pooled over a document's words (see DOC_FEATURES).

    ``glr`` is the generalised log-likelihood ratio of "a share rho of the words are
    substitutes" against "none are", maximised over rho, with each word's likelihood ratio
    read off the word model's logit minus its training prior. It grows with both the strength
    and the number of suspicious words, which is what separates a long spun text from a
    clean one that happens to hold a few odd words.
    """
    n = len(logits)
    if n == 0:
        return np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    llr = np.clip(logits - prior_logit, -30.0, 30.0)
    lr = np.exp(llr)
    mix = np.log1p(_RHOS[:, None] * (lr[None, :] - 1.0)).sum(axis=1)
    best = int(np.argmax(mix))
    glr = max(0.0, float(mix[best]))
    p = 1.0 / (1.0 + np.exp(-logits))
    k = max(1, n // 10)
    top = np.partition(p, n - k)[n - k :]
    return np.array(
        [
            1.0,
            min(glr, 400.0),
            math.log1p(glr),
            float(_RHOS[best]) if glr > 0 else 0.0,
            float(p.mean()),
            float(top.mean()),
            float((p > 0.5).mean()),
            math.log1p(n),
        ]
    )
