"""Spotting spun text with no source at hand (``unspin score``).

A context-blind spinner leaves marks that can be read without the original:

* **rare substitutes** where a common word belongs. A spinner picks a thesaurus neighbour of
  the word it replaces, whatever its frequency, so a word that is far likelier to *arise*
  as some common word's substitute than to be written for itself ("tidings", "educate")
  is suspect. We measure that as a *spin ratio*: the summed frequency of the word's
  thesaurus neighbours, each shared among its own neighbours (the chance that a uniform
  spinner turns one of them into this word), over the word's own frequency;
* **the same word spun several ways**: a spinner rewrites some occurrences of a word and
  leaves others, differently each time, so a spun text holds rare words next to the more
  common synonym they replaced ("train", "educate", "coach", "practice" in one story);
* **broken collocations and names**: a word pair that clean news never writes although its
  words are common ("Linked Push", "ruling social gathering"). An n-gram model of clean
  news (hashed bigram counts, a small shipped array) says how surprising each pair is
  given how common its words are;
* **capitalised common words** in the middle of a sentence that a thesaurus covers: a name
  broken by substitution ("Choe Sunshine Hui", "Protection Ministry").

Every scorable word gets a logit of being a substitute (a small neural network over those
features, trained on clean news and copies spun by our own spinners, with word labels from
the spinners' exact offsets). A document's probability of being spun comes from a
calibrated logistic regression over the evidence pooled across its words: chiefly a
likelihood-ratio test of "a share rho of these words are substitutes" against "none are",
which weighs a long document's many weak signals properly and a short one's few cautiously.
Evidence spans are the words above a word-level threshold, merged into phrases, each with
the likeliest original that fits the context in clean news.

The model is a few small numpy files in ``unspin/data/score/`` built by
``scripts/train_score.py``; nothing is downloaded and only numpy runs at score time.
An optional neural stage (``neural=True``; :mod:`unspin.score_neural`, the ``neural``
extra) adds how well each word fits its sentence and document in static word embeddings,
with its weights in ``neural.json`` beside the default's.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon
from unspin.models import Document
from unspin.normalise import STOP_WORDS, Analysis, analyse

if TYPE_CHECKING:
    from unspin.score_neural import NeuralHead

MODEL_FORMAT = 1
# The yes/no threshold is part of the model: ``scripts/train_score.py`` sets it to the lowest
# probability, not below even odds (0.5), at which at most 1% of the clean training articles
# would be flagged (0.9366 for the shipped model; ``load_model().threshold``, and
# ``model.json``). This is only the fallback for a model built without one.
DEFAULT_THRESHOLD = 0.5
# Documents scored together by score_documents (the CLI's batch).
BATCH = 32

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

    Sorted hash arrays with parallel counts (a couple of MB, nothing to parse at start-up):
    a word's count is one vectorised binary search; pair counts come from a direct-mapped
    table built from them on first use (see :meth:`bigram_fast`).
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


# Words kept in a WordTable before it starts afresh (a few hundred bytes each).
MAX_WORDS = 400_000
# Columns of the per-word table.
_W_ZIPF, _W_RATIO, _W_SYN, _W_CONTENT, _W_HASH, _W_LMCOUNT = range(6)
# Candidate originals per evidence word tested in context (see WordTable.neighbours).
NEIGHBOURS = 16
# Neighbours looked at, most frequent first, to find NEIGHBOURS single words.
_NEIGHBOUR_POOL = 60
_VOWELS = frozenset("aeiou")
# Entries with more neighbours than this are not expanded in-document: the most polysemous
# match anything (canonical.MAX_SYNONYM_DEGREE makes the same cut at 600), and a rare
# substitute's own list, which is what finds its original, is short.
_EXPAND_MAX_DEGREE = 250
# Words at least this common (Zipf) are not expanded into their neighbours in-document.
_EXPAND_BELOW_ZIPF = 5.0
_NONE = np.zeros(0, dtype=np.int32)
# Added to the prior (Zipf) of the common synonym that the document itself uses elsewhere
# (it breaks ties between candidates that fit the context equally well).
_PARTNER_BONUS = 1.0
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
        # Sentences counted by the n-gram model: the count of the <s> and </s> markers.
        self.sentence_count = float(lm.unigram(np.array([BOS_HASH], dtype=np.uint32))[0])
        self._clear()

    def _clear(self) -> None:
        """Forget every word seen (rows are only valid until then)."""
        self.index: dict[str, int] = {}
        self.table = np.zeros((4096, 6), dtype=np.float64)
        # Likeliest originals of a word (text, n-gram hash, prior), found on first need:
        # only words shown as evidence need them.
        self._neighbour_cache: dict[int, tuple[tuple[str, ...], np.ndarray, np.ndarray]] = {}
        # Lexicon ids of each word and of its lemmas (-1 = none), for in-document synonyms.
        self.forms = np.full((4096, 3), -1, dtype=np.int64)
        # Thesaurus neighbours (lexicon ids) of each word's forms, for in-document synonyms.
        # Only the rarer words are expanded: the relation is symmetric, so a common word is
        # still found as the partner of a rare one, and common words have the longest lists.
        self.expansion: list[np.ndarray] = []
        self.expansion_size = np.zeros(4096, dtype=np.int64)
        self.keys_by_row: list[str] = []  # the key at each row

    def rows(self, keys: list[str]) -> np.ndarray:
        """Row of each key in :attr:`table`, adding unseen keys first.

        Rows stay valid until the next call: a long run over a huge corpus starts the
        table afresh when it holds MAX_WORDS words (names and numbers never stop coming).
        """
        try:
            return np.fromiter(map(self.index.__getitem__, keys), dtype=np.int64, count=len(keys))
        except KeyError:
            if len(self.index) >= MAX_WORDS:
                self._clear()
            self._add([k for k in dict.fromkeys(keys) if k not in self.index])
            return np.fromiter(map(self.index.__getitem__, keys), dtype=np.int64, count=len(keys))

    def _grow(self, need: int) -> None:
        size = len(self.table)
        if need <= size:
            return
        new = max(need, 2 * size)
        table = np.zeros((new, self.table.shape[1]), dtype=self.table.dtype)
        table[:size] = self.table
        forms = np.full((new, 3), -1, dtype=np.int64)
        forms[:size] = self.forms
        sizes = np.zeros(new, dtype=np.int64)
        sizes[:size] = self.expansion_size
        self.table, self.forms, self.expansion_size = table, forms, sizes

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
        to_expand: list[tuple[int, ...]] = []
        for j, key in enumerate(keys):
            row = self.table[start + j]
            zipf, ratio, syn, content, forms = self._word(key)
            row[:] = (zipf, ratio, syn, content, hashes[j], counts[j])
            if syn and content:
                self.forms[start + j, : min(3, len(forms))] = forms[:3]
            to_expand.append(forms[:3] if syn and zipf < _EXPAND_BELOW_ZIPF else ())
            self.index[key] = start + j
            self.keys_by_row.append(key)
        self.expansion.extend(self._expand(to_expand))
        sizes = np.array([len(e) for e in self.expansion[start:]], dtype=np.int64)
        self.expansion_size[start : start + len(keys)] = sizes

    def _expand(self, form_lists: list[tuple[int, ...]]) -> list[np.ndarray]:
        """The distinct thesaurus neighbours of each word's forms, for many words at once."""
        owner = np.repeat(np.arange(len(form_lists)), [len(f) for f in form_lists])
        flat = np.array([f for forms in form_lists for f in forms], dtype=np.int64)
        neigh, which = self.lexicon.neighbour_table(flat, _EXPAND_MAX_DEGREE)
        if len(neigh) == 0:
            return [_NONE] * len(form_lists)
        own = owner[which]
        order = np.lexsort((neigh, own))
        neigh, own = neigh[order], own[order]
        keep = np.ones(len(neigh), dtype=bool)
        keep[1:] = (neigh[1:] != neigh[:-1]) | (own[1:] != own[:-1])
        neigh, own = neigh[keep], own[keep]
        sizes = np.bincount(own, minlength=len(form_lists))
        return np.split(neigh.astype(np.int32), np.cumsum(sizes)[:-1])

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

    def neighbours(self, row: int) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """The likeliest originals of the word at ``row`` among its single-word thesaurus
        neighbours, inflected like the word, best first: (texts, n-gram hashes, priors).

        A substitute is rarer than the word it replaced, and news writes common words, so
        the candidates are the neighbours at least as common as the word, and the prior is
        their frequency (Zipf). (A uniform spinner's own odds, f(o) / deg(o), would rank
        "city" below "manchester" for "metropolis": Moby lists every city under it.)
        """
        cached = self._neighbour_cache.get(row)
        if cached is None:
            texts = self._neighbours(row)
            hashes = np.array([lm_hash(t) for t in texts], dtype=np.uint32)
            cached = (tuple(texts), hashes, np.array(list(texts.values())))
            self._neighbour_cache[row] = cached
        return cached

    def _neighbours(self, row: int) -> dict[str, float]:
        lex = self.lexicon
        key = self.keys_by_row[row]
        word = key[:-2] if key.endswith("'s") else key
        form_ids = self.forms[row][self.forms[row] >= 0]
        if len(form_ids) == 0:
            return {}
        neigh, owner = lex.neighbour_table(form_ids)
        if len(neigh) == 0:
            return {}
        ids, first = np.unique(neigh, return_index=True)
        came_from = form_ids[owner[first]]
        zipf = lex._zipf[ids].astype(np.float64) / 10.0
        # A substitute is rarer than what it replaced.
        prior = np.where(zipf >= self.table[row, _W_ZIPF], zipf, -9.0)
        order = np.argsort(-prior, kind="stable")[:_NEIGHBOUR_POOL]
        order = order[prior[order] > -9.0]
        lemma_text: dict[int, str] = {}
        texts: dict[str, float] = {}
        for nb, f, score in zip(
            ids[order].tolist(), came_from[order].tolist(), prior[order].tolist(), strict=True
        ):
            text = lex.word(nb)
            if not text.isalpha() or text in STOP_WORDS:
                continue  # phrases, hyphenated entries: no single n-gram to test
            if f != form_ids[0]:
                lemma = lemma_text.get(f) or lemma_text.setdefault(f, lex.word(f))
                inflected = inflect_like(text, lemma, word)
                if inflected != text and lex.id(inflected) is not None:
                    text = inflected
            if text != word and text not in texts:
                texts[text] = score
                if len(texts) == NEIGHBOURS:
                    break
        return texts


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
    *(f"doc_synonym_gap_bin{i}" for i in range(1, len(_G_EDGES) + 1)),
    "doc_synonym_gap",
    "doc_synonym_count",
    "log_repeats",
    "log_repeats_rare",
)


# Row b of _EYES[n] is the indicator of bin b (row 0, the baseline bin, is all zeros).
_EYES = {n: np.eye(n + 1)[:, 1:] for n in range(1, 16)}


def _one_hot(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Indicator columns for the bins above the first edge (the first bin is the baseline)."""
    return _EYES[len(edges)][np.searchsorted(edges, values, side="right")]


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def token_features(analysis: Analysis, words: WordTable) -> TokenFeatures:
    """Features of every content word of an analysed document (see TOKEN_FEATURES)."""
    return token_features_batch([analysis], words)[0]


def token_features_batch(analyses: list[Analysis], words: WordTable) -> list[TokenFeatures]:
    """:func:`token_features` of many documents in one pass.

    Every step is a numpy operation over all the documents' tokens at once, so the fixed
    cost of each call is shared: this is what makes a corpus fast to score. Documents only
    meet in the in-document synonym search, which is keyed by document.
    """
    sizes = np.array([len(a.keys) for a in analyses], dtype=np.int64)
    n = int(sizes.sum())
    if n == 0:
        return [_no_features(a) for a in analyses]
    keys = analyses[0].keys if len(analyses) == 1 else [k for a in analyses for k in a.keys]
    rows = words.rows(keys)
    w = words.table[rows]
    content = w[:, _W_CONTENT] > 0
    offsets = np.cumsum(sizes) - sizes
    # Neighbouring tokens inside the sentence, with sentence markers at the edges.
    hashes = w[:, _W_HASH].astype(np.uint32)
    sent_lo = np.array(
        [s.lo + o for a, o in zip(analyses, offsets.tolist(), strict=True) for s in a.sentences],
        dtype=np.int64,
    )
    sent_hi = np.array(
        [s.hi + o for a, o in zip(analyses, offsets.tolist(), strict=True) for s in a.sentences],
        dtype=np.int64,
    )
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
        return [_no_features(a) for a in analyses]
    doc = np.repeat(np.arange(len(analyses)), sizes)[idx]
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
    stride = len(words.index) + 1
    distinct, inverse, repeats = np.unique(
        doc * stride + rows[idx], return_inverse=True, return_counts=True
    )
    syn_gap, syn_count, partner = document_synonyms(words, distinct % stride, distinct // stride)
    syn_gap, syn_count, repeats = syn_gap[inverse], syn_count[inverse], repeats[inverse]
    own_fit = np.log1p(c_left) + np.log1p(c_right)

    bounds = np.searchsorted(doc, np.arange(len(analyses) + 1))
    cap = np.zeros(len(idx), dtype=bool)
    for d, a in enumerate(analyses):
        lo, hi = int(bounds[d]), int(bounds[d + 1])
        if hi > lo:
            # capitalised (ASCII) first letters, read from the text's code points
            st = np.array(a.starts, dtype=np.int64)[idx[lo:hi] - offsets[d]]
            cps = _codepoints(a.text)[st]
            cap[lo:hi] = (cps >= 65) & (cps <= 90)
    cap_mid = cap & ~first[idx]
    ratio = w[:, _W_RATIO]
    syn = w[:, _W_SYN]
    lm_count = w[:, _W_LMCOUNT]
    both_unseen = ((c_left == 0) & (c_right == 0)).astype(np.float64)

    columns = [
        1.0,
        _one_hot(zipf, _Z_EDGES),
        syn,
        _one_hot(ratio, _R_EDGES) * syn[:, None],
        np.clip(ratio, -4, 4) * syn,
        cap_mid,
        cap_mid * (zipf >= 4.0),
        cap_mid * np.clip(ratio, -4, 4) * syn,
        first[idx],
        lm_count == 0,
        np.log1p(lm_count),
        _one_hot(pmi_left, _P_EDGES),
        _one_hot(pmi_right, _P_EDGES),
        pmi_left,
        pmi_right,
        np.minimum(pmi_left, pmi_right),
        both_unseen,
        both_unseen * np.clip(ratio, -4, 4) * syn,
        _one_hot(syn_gap, _G_EDGES),
        syn_gap,
        np.log1p(syn_count),
        np.log(repeats),
        np.log(repeats) * (zipf < 4.0),
    ]
    X = np.empty((len(idx), len(TOKEN_FEATURES)))
    col = 0
    for c in columns:
        width = c.shape[1] if isinstance(c, np.ndarray) and c.ndim == 2 else 1
        if width == 1:
            X[:, col] = c
        else:
            X[:, col : col + width] = c
        col += width
    raw = {
        "rows": rows[idx],
        "prev": prev[idx],
        "next": nxt[idx],
        "own_fit": own_fit,
        "partner": np.where(syn_gap > 0, partner[inverse], -1),
    }
    # Split back into documents (content tokens are in document order).
    out = []
    for d, a in enumerate(analyses):
        lo, hi = int(bounds[d]), int(bounds[d + 1])
        part = {k: v[lo:hi] for k, v in raw.items()}
        out.append(TokenFeatures(a, idx[lo:hi] - offsets[d], X[lo:hi], part))
    return out


def _no_features(analysis: Analysis) -> TokenFeatures:
    return TokenFeatures(analysis, np.zeros(0, np.int64), np.zeros((0, len(TOKEN_FEATURES))))


def document_synonyms(
    words: WordTable, rows: np.ndarray, docs: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct word row: how much more common (Zipf) the most common of its
    thesaurus neighbours present in the same document is (-3 when none is), how many
    distinct neighbours are present, and the row of that most common one (-1 when none).

    A spinner rewrites some occurrences of a word and leaves others, and rewrites the same
    word differently each time ("train", "educate", "coach", "practice" in one story), so
    a spun text holds rare words next to the common synonym they replaced. Each word's
    neighbours come from :attr:`WordTable.expansion`. ``docs`` says which document each
    row is in (all in one when None); rows of different documents never pair.

    The search breaks ties by the order of the words it is given, so it is given each
    document's words in alphabetical order, whatever the order of ``rows``: rows follow
    whatever the process scored before (a document scored differently after a thousand
    comparisons than in a fresh process), and two copies of one text in different sentence
    orders must score alike.
    """
    doc_of = np.zeros(len(rows), dtype=np.int64) if docs is None else docs.astype(np.int64)
    spelled = np.array([words.keys_by_row[r] for r in rows.tolist()], dtype=object)
    order = np.lexsort((spelled, doc_of))
    found = _synonyms_in_order(words, rows[order], doc_of[order])
    gap, count, partner = (np.empty_like(x) for x in found)
    gap[order], count[order], partner[order] = found
    return gap, count, partner


def _synonyms_in_order(
    words: WordTable, rows: np.ndarray, doc_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`document_synonyms` for rows in the order that breaks its ties."""
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
    lengths = words.expansion_size[rows]
    if not lengths.any():
        return best, count, partner
    neigh = np.concatenate([words.expansion[r] for r in rows.tolist()]).astype(np.int64)
    # Look each neighbour up among the forms of the same document's words.
    span = len(words.lexicon) + 1
    form_keys = doc_of[owner] * span + form_ids
    order = np.argsort(form_keys, kind="stable")
    form_keys, form_owner = form_keys[order], owner[order]
    query = np.repeat(doc_of, lengths) * span + neigh
    # the last of equal keys, as for a word sharing a lemma with another of the document
    pos = np.maximum(np.searchsorted(form_keys, query, side="right") - 1, 0)
    hit = np.flatnonzero(form_keys[pos] == query)
    # the word each hit belongs to: its position among the concatenated expansions
    i = np.searchsorted(np.cumsum(lengths), hit, side="right")
    j = form_owner[pos[hit]]
    keep = i != j
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return best, count, partner
    pairs = np.unique(i * u + j)  # sorted by word, then partner
    i, j = pairs // u, pairs % u
    gap = np.clip(zipf[j] - zipf[i], -3.0, 3.0)
    new_word = np.empty(len(i), dtype=bool)
    new_word[0] = True
    np.not_equal(i[1:], i[:-1], out=new_word[1:])
    starts = np.flatnonzero(new_word)
    words_with = i[starts]
    best[words_with] = np.maximum.reduceat(gap, starts)
    count[words_with] = np.diff(np.append(starts, len(i)))
    top = gap >= best[i]  # the partner with the largest gap (ties: the last listed)
    partner[i[top]] = rows[j[top]]
    return best, count, partner


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
    _folded: tuple[np.ndarray, np.ndarray] | None = None

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Substitute logit of each row of features."""
        if len(X) == 0:
            return np.zeros(0)
        if self._folded is None:
            # Standardisation folded into the first layer: one matrix product a document.
            w1 = self.w1 / self.scale[:, None]
            self._folded = (w1, self.b1 - (self.mean / self.scale) @ self.w1)
        w1, b1 = self._folded
        return np.maximum(X @ w1 + b1, 0.0) @ self.w2 + self.b2


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
    # The optional neural stage's weights (``neural.json``; see unspin.score_neural).
    neural: NeuralHead | None = None

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
        if self.neural is not None:
            self.neural.save(path)

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
        from unspin.score_neural import NeuralHead  # noqa: PLC0415 - numpy only; no cycle

        return cls(
            words=WordTable(lexicon or default_lexicon(), lm),
            token_net=net,
            token_prior_logit=float(info["token_prior_logit"]),
            doc_model=doc,
            threshold=float(info["threshold"]),
            evidence_threshold=float(info["evidence_threshold"]),
            meta=info.get("meta", {}),
            neural=NeuralHead.load(path),
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
    doc: Document,
    model: ScoreModel | None = None,
    threshold: float | None = None,
    neural: bool = False,
) -> ScoreResult:
    """How likely ``doc`` was machine-spun, and where (see the module docstring).

    ``threshold`` overrides the model's documented default (``model.threshold``) for the
    yes/no call; the probability does not depend on it. ``neural=True`` adds the optional
    neural stage (:mod:`unspin.score_neural`, ``pip install 'unspin[neural]'``).
    """
    return score_analysis(analyse(doc), model, threshold, neural=neural)


def score_documents(
    docs: Iterable[Document],
    model: ScoreModel | None = None,
    threshold: float | None = None,
    batch: int = BATCH,
    neural: bool = False,
) -> Iterator[ScoreResult]:
    """:func:`score_document` for many documents, in order, ``batch`` at a time.

    The results are the same as one by one; the word features of a batch are computed in
    one numpy pass, which is what makes a corpus fast to score.
    """
    model = model or load_model()
    chunk: list[Analysis] = []
    for doc in docs:
        chunk.append(analyse(doc))
        if len(chunk) >= batch:
            yield from score_analyses(chunk, model, threshold, neural=neural)
            chunk = []
    if chunk:
        yield from score_analyses(chunk, model, threshold, neural=neural)


def score_analysis(
    analysis: Analysis,
    model: ScoreModel | None = None,
    threshold: float | None = None,
    neural: bool = False,
) -> ScoreResult:
    """:func:`score_document` for an already analysed document."""
    return score_analyses([analysis], model or load_model(), threshold, neural=neural)[0]


def score_analyses(
    analyses: list[Analysis],
    model: ScoreModel,
    threshold: float | None = None,
    evidence: bool = True,
    neural: bool = False,
) -> list[ScoreResult]:
    """Score already analysed documents together (see :func:`score_documents`).

    ``evidence=False`` skips finding the evidence spans and their likely originals (the
    costliest part), for callers that only need the probability. ``neural=True`` runs the
    optional neural stage instead (:mod:`unspin.score_neural`), with its own threshold.
    """
    if neural:
        from unspin.score_neural import score_analyses_neural  # noqa: PLC0415 - optional

        return score_analyses_neural(analyses, model, threshold, evidence)
    cut = model.threshold if threshold is None else threshold
    tfs = token_features_batch(analyses, model.words)
    all_logits = model.token_net.logits(np.concatenate([tf.X for tf in tfs]))
    ends = np.cumsum([len(tf.tokens) for tf in tfs])
    out = []
    for tf, lo, hi in zip(tfs, ends - [len(t.tokens) for t in tfs], ends, strict=True):
        logits = all_logits[lo:hi]
        doc_id = tf.analysis.doc.id
        if len(logits) == 0:
            # No word a spinner could have changed: a spun text always has some, so this
            # is not one (and there is nothing to show).
            out.append(ScoreResult(doc_id, 0.0, False, [], cut, 0, 0.0))
            continue
        feats = document_features(logits, model.token_prior_logit)
        prob = model.doc_model.probability(feats)
        share = float(feats[DOC_FEATURES.index("rho_hat")])
        spans = find_evidence(tf, logits, model) if evidence else []
        out.append(ScoreResult(doc_id, prob, prob >= cut, spans, cut, len(logits), share))
    return out


def find_evidence(
    tf: TokenFeatures, logits: np.ndarray, model: ScoreModel, cut: float | None = None
) -> list[Evidence]:
    """Words whose substitute probability passes the evidence threshold (``cut``, default
    the model's), merged into phrases when adjacent ("Linked Push"), each with its likely
    original."""
    p = 1.0 / (1.0 + np.exp(-logits))
    hits = np.nonzero(p >= (model.evidence_threshold if cut is None else cut))[0]
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
    singles = [g[0] for g in groups if len(g) == 1]
    originals = dict(zip(singles, likely_originals(tf, singles, model.words), strict=True))
    out = []
    for g in groups:
        start, end = an.starts[int(tf.tokens[g[0]])], an.ends[int(tf.tokens[g[-1]])]
        original = originals.get(g[0]) if len(g) == 1 else None
        if original is not None and text[start : start + 1].isupper():
            original = original[:1].upper() + original[1:]
        out.append(Evidence(start, end, text[start:end], original, float(p[g].max())))
    return out


def likely_originals(tf: TokenFeatures, ks: list[int], words: WordTable) -> list[str | None]:
    """The word each of the scored tokens ``ks`` most probably replaced, where that can be
    told (lower case).

    Candidates are the word's more common thesaurus neighbours (see
    :meth:`WordTable.neighbours`) and the more common synonym that the same document uses
    elsewhere (spinners leave some occurrences alone). The one named is the candidate that
    clean news writes on both sides of this very context most often, and only if it fits
    the context better than the word itself; otherwise None. On our held-out spun news
    about a third of the named originals are exactly right: the n-gram model is small.
    All tokens are tested in one pass.
    """
    if not ks:
        return []
    cands: list[tuple[str, ...]] = []
    width = NEIGHBOURS + 1
    hashes = np.zeros((len(ks), width), dtype=np.uint32)
    prior = np.full((len(ks), width), -np.inf)
    for r, k in enumerate(ks):
        texts, h, pr = words.neighbours(int(tf.raw["rows"][k]))
        partner = int(tf.raw["partner"][k])
        if partner >= 0 and words.keys_by_row[partner] not in STOP_WORDS:
            texts = (words.keys_by_row[partner], *texts)[:width]
            h = np.concatenate([[words.table[partner, _W_HASH]], h])[:width]
            pr = np.concatenate([[words.table[partner, _W_ZIPF] + _PARTNER_BONUS], pr])[:width]
        cands.append(texts)
        hashes[r, : len(h)] = h
        prior[r, : len(pr)] = pr
    idx = np.array(ks)
    lm = words.lm
    left = lm.bigram_fast(np.repeat(tf.raw["prev"][idx], width), hashes.ravel())
    right = lm.bigram_fast(hashes.ravel(), np.repeat(tf.raw["next"][idx], width))
    left, right = left.reshape(hashes.shape), right.reshape(hashes.shape)
    fit = np.log1p(left.astype(np.float64)) + np.log1p(right.astype(np.float64))
    # Named only when clean news has the candidate on both sides of this very context;
    # among those, the best fit (ties: the more common word).
    score = np.where((left > 0) & (right > 0) & np.isfinite(prior), fit + 0.01 * prior, -np.inf)
    best = score.argmax(axis=1)
    rows = np.arange(len(ks))
    ok = np.isfinite(score[rows, best]) & (fit[rows, best] > tf.raw["own_fit"][idx])
    return [cands[r][int(best[r])] if ok[r] else None for r in range(len(ks))]


def likelier_copy(a: Document, b: Document, model: ScoreModel | None = None) -> str | None:
    """Of two texts that reuse one another, the one that looks machine-spun ("a" or "b"):
    the text with more substitutes is the copy. None when neither or both look spun to
    about the same degree (estimated substitute shares within 5 points)."""
    return likelier_copy_analysed(analyse(a), analyse(b), model)


def likelier_copy_analysed(a: Analysis, b: Analysis, model: ScoreModel | None = None) -> str | None:
    """:func:`likelier_copy` for documents already analysed (as :mod:`unspin.compare` has
    them): both scored in one batch, without evidence spans."""
    ra, rb = score_analyses([a, b], model or load_model(), evidence=False)
    if ra.spun != rb.spun:
        return "a" if ra.spun else "b"
    if not ra.spun or abs(ra.substitute_share - rb.substitute_share) < 0.05:
        return None
    return "a" if ra.substitute_share > rb.substitute_share else "b"
