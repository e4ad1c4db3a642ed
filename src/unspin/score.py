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

import json
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon
from unspin.models import Document
from unspin.normalise import STOP_WORDS, Analysis, analyse

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
_RHOS_PROFILE = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45])


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
# Same cut as canonical.MAX_SYNONYM_DEGREE: the most polysemous entries match anything.
_MAX_DEGREE = 600
# Words at least this common (Zipf) are not expanded into their neighbours in-document.
_EXPAND_BELOW_ZIPF = 5.0
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


# American endings and their British forms. The n-gram model is counted on British news;
# without this, every "honor" or "kilometers" in an American story would look as odd as a
# spinner's substitute.
_US_UK: tuple[tuple[str, str], ...] = (
    ("izations", "isations"),
    ("ization", "isation"),
    ("izing", "ising"),
    ("ized", "ised"),
    ("izes", "ises"),
    ("ize", "ise"),
    ("yzing", "ysing"),
    ("yzed", "ysed"),
    ("yze", "yse"),
    ("eling", "elling"),
    ("eled", "elled"),
    ("ense", "ence"),
    ("ters", "tres"),
    ("ter", "tre"),
    ("ors", "ours"),
    ("ored", "oured"),
    ("oring", "ouring"),
    ("or", "our"),
    ("og", "ogue"),
)


def british_variants(word: str) -> list[str]:
    """British spellings an American word may have ("honor" -> "honour")."""
    return [
        word[: -len(us)] + uk for us, uk in _US_UK if word.endswith(us) and len(word) > len(us) + 2
    ]


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
        self.neighbour_prior = np.full((4096, NEIGHBOURS), -9.0)
        self.neighbour_words: list[tuple[str, ...]] = []
        # Lexicon ids of each word and of its lemmas (-1 = none), for in-document synonyms.
        self.forms = np.full((4096, 3), -1, dtype=np.int64)
        self.keys_by_row: list[str] = []  # filled on demand (evidence only)
        # Scratch map lexicon id -> position in the current document (-1 elsewhere).
        self.slot = np.full(len(lexicon), -1, dtype=np.int64)
        # Sentences counted by the n-gram model: the count of the <s> and </s> markers.
        self.sentence_count = float(lm.unigram(np.array([BOS_HASH], dtype=np.uint32))[0])

    def rows(self, keys: list[str]) -> np.ndarray:
        """Row of each key in :attr:`table`, adding unseen keys first."""
        got = list(map(self.index.get, keys))
        if None in got:
            self._add([k for k in dict.fromkeys(keys) if k not in self.index])
            got = list(map(self.index.__getitem__, keys))
        return np.array(got, dtype=np.int64)

    def _grow(self, need: int) -> None:
        size = len(self.table)
        if need <= size:
            return
        new = max(need, 2 * size)
        table = np.zeros((new, self.table.shape[1]), dtype=self.table.dtype)
        table[:size] = self.table
        nbh = np.zeros((new, NEIGHBOURS), dtype=np.uint32)
        nbh[:size] = self.neighbour_hash
        nbp = np.full((new, NEIGHBOURS), -9.0)
        nbp[:size] = self.neighbour_prior
        self.neighbour_prior = nbp
        forms = np.full((new, 3), -1, dtype=np.int64)
        forms[:size] = self.forms
        self.table, self.neighbour_hash, self.forms = table, nbh, forms

    def _add(self, keys: list[str]) -> None:
        lex = self.lexicon
        lex.prime(keys + [k[:-2] for k in keys if k.endswith("'s")])
        start = len(self.index)
        self._grow(start + len(keys))
        hashes = np.array([lm_hash(k) for k in keys], dtype=np.uint32)
        counts = self.lm.unigram(hashes)
        for j in np.nonzero(counts == 0)[0].tolist():
            for variant in british_variants(keys[j]):
                h = lm_hash(variant)
                c = float(self.lm.unigram(np.array([h], dtype=np.uint32))[0])
                if c > 0:
                    hashes[j], counts[j] = h, c
                    break
        for j, key in enumerate(keys):
            row = self.table[start + j]
            zipf, ratio, syn, content, forms = self._word(key)
            row[:] = (zipf, ratio, syn, content, hashes[j], counts[j])
            if syn and content:
                self.forms[start + j, : min(3, len(forms))] = forms[:3]
            nbs, prior = self._neighbours(key, forms) if syn and content else ((), None)
            self.neighbour_words.append(nbs)
            if nbs:
                self.neighbour_hash[start + j, : len(nbs)] = [lm_hash(w) for w in nbs]
                self.neighbour_prior[start + j, : len(nbs)] = prior
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

    def _neighbours(self, key: str, forms: tuple[int, ...]) -> tuple[tuple[str, ...], np.ndarray]:
        """The word's likeliest originals among its single-word thesaurus neighbours,
        inflected like the word, best first, with their prior scores.

        A spinner turns word o into each of its deg(o) neighbours alike, so the chance that
        o was the original of this word goes as f(o) / deg(o): the prior, in log10 units.
        Generic entries ("make", a thousand neighbours) rank low however common they are.
        """
        lex = self.lexicon
        word = key[:-2] if key.endswith("'s") else key
        own = forms[0]
        cands: dict[int, int] = {}  # neighbour id -> the form it came from
        for f in forms:
            for nb in lex.neighbours(f):
                cands.setdefault(nb, f)
        if not cands:
            return (), np.zeros(0)
        ids = np.fromiter(cands, dtype=np.int64, count=len(cands))
        ptr = lex._ptr
        degree = np.maximum(ptr[ids + 1].astype(np.int64) - ptr[ids], 1)
        prior = lex._zipf[ids].astype(np.float64) / 10.0 - np.log10(degree)
        prior[lex._zipf[ids] == 0] = -9.0
        order = np.argsort(-prior, kind="stable")[:_NEIGHBOUR_POOL]
        texts: dict[str, float] = {}
        for nb, score in zip(ids[order].tolist(), prior[order].tolist(), strict=True):
            text = lex.word(nb)
            if " " in text or "-" in text or not text.isalpha():
                continue
            f = cands[nb]
            if f != own:
                inflected = inflect_like(text, lex.word(f), word)
                if inflected != text and lex.id(inflected) is not None:
                    text = inflected
            if text != word and text not in texts:
                texts[text] = score
                if len(texts) == NEIGHBOURS:
                    break
        return tuple(texts), np.array(list(texts.values()))


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
_G_EDGES = np.array([-2.9, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5])

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
    *(f"doc_synonym_gap_bin{i}" for i in range(1, len(_G_EDGES) + 1)),
    "doc_synonym_gap",
    "doc_synonym_count",
    "log_repeats",
    "log_repeats_rare",
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
    counts = w[:, _W_LMCOUNT]
    count_prev = np.empty(n)
    count_prev[1:] = counts[:-1]
    count_prev[first] = words.sentence_count
    count_next = np.empty(n)
    count_next[:-1] = counts[1:]
    count_next[last] = words.sentence_count

    idx = np.nonzero(content)[0]
    if len(idx) == 0:
        return TokenFeatures(analysis, idx, np.zeros((0, len(TOKEN_FEATURES))))
    w = w[idx]
    lm = words.lm
    cur = hashes[idx]
    c_left = lm.bigram_fast(prev[idx], cur).astype(np.float64)
    c_right = lm.bigram_fast(cur, nxt[idx]).astype(np.float64)
    c_prev = count_prev[idx]
    c_next = count_next[idx]
    zipf = w[:, _W_ZIPF]
    p_word = 10.0 ** (np.maximum(zipf, _ZIPF_FLOOR) - 9.0)
    pmi_left = np.log10((c_left + 0.5) / (c_prev * p_word + 0.5))
    pmi_right = np.log10((c_right + 0.5) / (c_next * p_word + 0.5))
    nb_best, nb_arg = neighbour_fit(words, rows[idx], prev[idx], nxt[idx])
    distinct, inverse, repeats = np.unique(rows[idx], return_inverse=True, return_counts=True)
    syn_gap, syn_count, partner = document_synonyms(words, distinct)
    syn_gap, syn_count, repeats = syn_gap[inverse], syn_count[inverse], repeats[inverse]
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
            _one_hot(syn_gap, _G_EDGES),
            syn_gap,
            np.log1p(syn_count),
            np.log(repeats),
            np.log(repeats) * (zipf < 4.0),
        ]
    ).astype(np.float64)
    raw = {
        "rows": rows[idx],
        "neighbour": nb_arg,
        "partner": np.where(syn_gap > 0, partner[inverse], -1),
    }
    return TokenFeatures(analysis, idx, X, raw)


def document_synonyms(
    words: WordTable, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct word row: how much more common (Zipf) the most common of its
    thesaurus neighbours present in the same document is (-3 when none is), how many
    distinct neighbours are present, and the row of that most common one (-1 when none).

    A spinner rewrites some occurrences of a word and leaves others, and rewrites the same
    word differently each time ("train", "educate", "coach", "practice" in one story), so
    a spun text holds rare words next to the common synonym they replaced. Entries with
    more neighbours than canonical.MAX_SYNONYM_DEGREE are not expanded: they match anything.
    """
    u = len(rows)
    best = np.full(u, -3.0)
    count = np.zeros(u)
    partner = np.full(u, -1, dtype=np.int64)
    forms = words.forms[rows]
    mask = forms >= 0
    if not mask.any():
        return best, count, partner
    form_ids = forms[mask]
    owner = np.nonzero(mask)[0]
    zipf = words.table[rows, _W_ZIPF]
    # Only the rarer words are expanded: the relation is symmetric, so a common word is
    # still found as the partner of a rare one, and common words have the longest lists.
    expand = zipf[owner] < _EXPAND_BELOW_ZIPF
    neigh, which = words.lexicon.neighbour_table(form_ids[expand], _MAX_DEGREE)
    if len(neigh) == 0:
        return best, count, partner
    slot = words.slot
    slot[form_ids] = owner
    try:
        j = slot[neigh]
    finally:
        slot[form_ids] = -1
    hit = j >= 0
    i, j = owner[expand][which[hit]], j[hit]
    keep = i != j
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return best, count, partner
    pairs = np.unique(i * u + j)
    i, j = pairs // u, pairs % u
    gap = np.clip(zipf[j] - zipf[i], -3.0, 3.0)
    np.maximum.at(best, i, gap)
    count = np.bincount(i, minlength=u).astype(np.float64)
    top = gap >= best[i]  # the partner with the largest gap (ties: the last listed)
    partner[i[top]] = rows[j[top]]
    return best, count, partner


def neighbour_fit(
    words: WordTable, rows: np.ndarray, prev: np.ndarray, nxt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How well each word's best thesaurus neighbour fits its context in clean news
    (log1p left count + log1p right count of the best-fitting neighbour), and the column of
    the likeliest original (prior times context fit; -1 for words with no neighbour)."""
    nbh = words.neighbour_hash[rows]
    m, k = nbh.shape
    if m == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    flat = nbh.ravel()
    left = words.lm.bigram_fast(np.repeat(prev, k), flat).reshape(m, k)
    right = words.lm.bigram_fast(flat, np.repeat(nxt, k)).reshape(m, k)
    fit = (np.log1p(left.astype(np.float64)) + np.log1p(right.astype(np.float64))) * (nbh != 0)
    best = fit.max(axis=1)
    posterior = np.where(nbh != 0, words.neighbour_prior[rows] + fit / math.log(10.0), -np.inf)
    likeliest = posterior.argmax(axis=1)
    return best, np.where(np.isfinite(posterior.max(axis=1)), likeliest, -1)


# ---------------------------------------------------------------------------------------------
# Pooling word evidence into a document score

DOC_FEATURES: tuple[str, ...] = (
    "bias",
    "log_glr",
    "rho_hat",
    "mean_logit",
    "top_mean_p",
    "log_words",
    "log_glr_x_log_words",
    *(f"mixture_llr_{rho:g}" for rho in _RHOS_PROFILE),
)


def document_features(logits: np.ndarray, prior_logit: float) -> np.ndarray:
    """Evidence pooled over a document's words (see DOC_FEATURES).

    ``log_glr`` is the generalised log-likelihood ratio of "a share rho of the words are
    substitutes" against "none are", maximised over rho (``rho_hat``), with each word's
    likelihood ratio read off the word model's logit minus its training prior; the
    ``mixture_llr`` profile gives the same at fixed shares. They grow with both the strength
    and the number of suspicious words, which is what separates a long spun text from a
    clean one that happens to hold a few odd words. The rest are per-word averages, which
    do not grow with length: few features, all monotone in the evidence, so that texts
    longer or from other outlets than the training news do not send the model off its
    range.
    """
    n = len(logits)
    out = np.zeros(len(DOC_FEATURES))
    out[0] = 1.0
    if n == 0:
        return out
    llr = np.clip(logits - prior_logit, -30.0, 30.0)
    lr_minus_1 = np.exp(llr) - 1.0
    mix = np.log1p(_RHOS[:, None] * lr_minus_1[None, :]).sum(axis=1)
    best = int(np.argmax(mix))
    glr = max(0.0, float(mix[best]))
    k = max(1, n // 10)
    top = np.partition(logits, n - k)[n - k :]
    log_n = math.log1p(n)
    profile = np.log1p(_RHOS_PROFILE[:, None] * lr_minus_1[None, :]).sum(axis=1)
    out[1:] = [
        math.log1p(glr),
        float(_RHOS[best]) if glr > 0 else 0.0,
        float(logits.mean()),
        float((1.0 / (1.0 + np.exp(-top))).mean()),
        log_n,
        math.log1p(glr) * log_n,
        *np.sign(profile) * np.log1p(np.abs(profile)),
    ]
    return out


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(slots=True)
class TokenNet:
    """Word model: standardised features, one hidden ReLU layer, a logit.

    A logistic regression over the same features ranks substitutes noticeably worse: the
    signals interact (a rare word is damning when its context is common news, not when it
    sits among names), and one small hidden layer learns that at a cost of microseconds.
    """

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float

    def logits(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        h = np.maximum(((X - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        return h @ self.w2 + self.b2


@dataclass(slots=True)
class DocModel:
    """Document model: a logistic regression over standardised DOC_FEATURES; fitted on
    held-back documents, it is also the calibration (Platt scaling over pooled evidence)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def probability(self, features: np.ndarray) -> float:
        z = float(((features - self.mean) / self.scale) @ self.weights)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(slots=True)
class ScoreModel:
    """Everything ``unspin score`` needs: word statistics, the word and document models,
    and the thresholds, with the training record in ``meta``."""

    words: WordTable
    token_net: TokenNet
    token_prior_logit: float
    doc_model: DocModel
    threshold: float = DEFAULT_THRESHOLD
    evidence_threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        """Write the model as small numpy files and one JSON file into ``path``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.words.lm.save(path)
        net, doc = self.token_net, self.doc_model
        np.savez(
            path / "weights.npz",
            token_mean=net.mean,
            token_scale=net.scale,
            w1=net.w1,
            b1=net.b1,
            w2=net.w2,
            doc_mean=doc.mean,
            doc_scale=doc.scale,
            doc_weights=doc.weights,
        )
        info = {
            "format": MODEL_FORMAT,
            "token_features": list(TOKEN_FEATURES),
            "doc_features": list(DOC_FEATURES),
            "lm_tokens": self.words.lm.tokens,
            "b2": net.b2,
            "token_prior_logit": self.token_prior_logit,
            "threshold": self.threshold,
            "evidence_threshold": self.evidence_threshold,
            "meta": self.meta,
        }
        (path / "model.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, lexicon: Lexicon | None = None) -> ScoreModel:
        """Read a model written by :meth:`save` (``scripts/train_score.py``)."""
        path = Path(path)
        info = json.loads((path / "model.json").read_text(encoding="utf-8"))
        if info.get("format") != MODEL_FORMAT:
            raise ValueError(
                f"{path}: score model format {info.get('format')}, need {MODEL_FORMAT}"
            )
        if (
            tuple(info["token_features"]) != TOKEN_FEATURES
            or tuple(info["doc_features"]) != DOC_FEATURES
        ):
            raise ValueError(f"{path}: the model was trained on other features; retrain it")
        with np.load(path / "weights.npz") as w:
            net = TokenNet(
                w["token_mean"], w["token_scale"], w["w1"], w["b1"], w["w2"], float(info["b2"])
            )
            doc = DocModel(w["doc_mean"], w["doc_scale"], w["doc_weights"])
        lm = BigramLM.load(path, int(info["lm_tokens"]))
        return cls(
            words=WordTable(lexicon or default_lexicon(), lm),
            token_net=net,
            token_prior_logit=float(info["token_prior_logit"]),
            doc_model=doc,
            threshold=float(info["threshold"]),
            evidence_threshold=float(info["evidence_threshold"]),
            meta=info.get("meta", {}),
        )


def default_model_path() -> Path:
    """Where the shipped model lives (``unspin/data/score``)."""
    return Path(str(resources.files("unspin") / "data" / "score"))


@lru_cache(maxsize=4)
def _cached_model(path: str) -> ScoreModel:
    return ScoreModel.load(path)


def load_model(path: str | Path | None = None) -> ScoreModel:
    """The shipped model (or the one at ``path``), loaded once per process."""
    return _cached_model(str(Path(path) if path is not None else default_model_path()))


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span that looks substituted, and the word it probably replaced (None when the
    thesaurus offers no convincing candidate)."""

    start: int
    end: int
    text: str
    likely_original: str | None
    probability: float

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "likely_original": self.likely_original,
            "probability": round(self.probability, 4),
        }


@dataclass(slots=True)
class ScoreResult:
    """What ``unspin score`` says about one document."""

    id: str
    spin_probability: float
    spun: bool
    evidence: list[Evidence]
    threshold: float
    words_scored: int
    # Estimated share of the scored words that are substitutes (the mixture share that best
    # explains the word scores); what ``compare`` can weigh to tell the copy.
    substitute_share: float

    def to_json(self) -> dict[str, Any]:
        """The contract's object (``unspin score --json``), plus a few extra fields."""
        return {
            "id": self.id,
            "spin_probability": round(self.spin_probability, 4),
            "spun": self.spun,
            "evidence": [e.to_json() for e in self.evidence],
            "threshold": self.threshold,
            "words_scored": self.words_scored,
            "substitute_share": round(self.substitute_share, 4),
        }


def score_document(
    doc: Document, model: ScoreModel | None = None, threshold: float | None = None
) -> ScoreResult:
    """How likely ``doc`` was machine-spun, and where (see the module docstring).

    ``threshold`` overrides the model's documented default (``model.threshold``) for the
    yes/no call; the probability does not depend on it.
    """
    return score_analysis(analyse(doc), model, threshold)


def score_analysis(
    analysis: Analysis, model: ScoreModel | None = None, threshold: float | None = None
) -> ScoreResult:
    """:func:`score_document` for an already analysed document."""
    model = model or load_model()
    cut = model.threshold if threshold is None else threshold
    tf = token_features(analysis, model.words)
    logits = model.token_net.logits(tf.X)
    doc_id = analysis.doc.id
    if len(logits) == 0:
        # No word a spinner could have changed: a spun text always has some, so this is
        # not one (and there is nothing to show).
        return ScoreResult(doc_id, 0.0, False, [], cut, 0, 0.0)
    feats = document_features(logits, model.token_prior_logit)
    prob = model.doc_model.probability(feats)
    share = feats[DOC_FEATURES.index("rho_hat")]
    evidence = find_evidence(tf, logits, model)
    return ScoreResult(doc_id, prob, prob >= cut, evidence, cut, len(logits), float(share))


def find_evidence(tf: TokenFeatures, logits: np.ndarray, model: ScoreModel) -> list[Evidence]:
    """Words whose substitute probability passes the evidence threshold, merged into
    phrases when adjacent ("Linked Push"), each with its likely original."""
    p = 1.0 / (1.0 + np.exp(-logits))
    hits = np.nonzero(p >= model.evidence_threshold)[0]
    if len(hits) == 0:
        return []
    an = tf.analysis
    text = an.text
    groups: list[list[int]] = [[int(hits[0])]]
    for k in hits[1:].tolist():
        last = groups[-1][-1]
        t0, t1 = int(tf.tokens[last]), int(tf.tokens[k])
        if t1 == t0 + 1 and text[an.ends[t0] : an.starts[t1]] in (" ", "-"):
            groups[-1].append(k)
        else:
            groups.append([k])
    out = []
    for g in groups:
        start, end = an.starts[int(tf.tokens[g[0]])], an.ends[int(tf.tokens[g[-1]])]
        span = text[start:end]
        original = likely_original(tf, g, model) if len(g) == 1 else None
        out.append(Evidence(start, end, span, original, float(p[g].max())))
    return out


def likely_original(tf: TokenFeatures, group: list[int], model: ScoreModel) -> str | None:
    """The word a substitute most probably replaced: a more common synonym that the same
    document uses elsewhere, else the thesaurus neighbour that best fits the context in
    clean news; None when neither exists."""
    k = group[0]
    words = model.words
    partner = int(tf.raw["partner"][k])
    if partner >= 0:
        candidate = _key_of_row(words, partner)
    else:
        col = int(tf.raw["neighbour"][k])
        if col < 0:
            return None
        candidate = words.neighbour_words[int(tf.raw["rows"][k])][col]
    an = tf.analysis
    t = int(tf.tokens[k])
    if an.text[an.starts[t] : an.starts[t] + 1].isupper():
        candidate = candidate[:1].upper() + candidate[1:]
    return candidate


def _key_of_row(words: WordTable, row: int) -> str:
    """The key stored at a row of the word table (rows are never removed)."""
    if len(words.keys_by_row) < len(words.index):
        words.keys_by_row = list(words.index)
    return words.keys_by_row[row]


def likelier_copy(a: Document, b: Document, model: ScoreModel | None = None) -> str | None:
    """Of two texts that reuse one another, the one that looks spun ("a" or "b"), or None
    when neither does: the text with more substitutes is the copy."""
    ra, rb = score_document(a, model), score_document(b, model)
    if not (ra.spun or rb.spun) or abs(ra.spin_probability - rb.spin_probability) < 0.1:
        return None
    return "a" if ra.spin_probability > rb.spin_probability else "b"
