"""Spin-invariant fingerprints: what survives a spinner, hashed and sampled.

A spinner swaps content words for thesaurus neighbours, so word n-grams (what MinHash
near-duplicate tools hash) are destroyed: at 30% substitution few 5-grams survive. Two
things do survive:

* **grammar-word skeletons**: the sequence of function words of a sentence ("the ... of
  the ... in a ...") is untouched by word-for-word swaps; runs of four of them are specific
  enough to tell one article from another (SpotSigs, Theobald et al. 2008, build on the same
  observation);
* **immutables** (DSpin, Zhang et al. 2014): words that no thesaurus covers (most names and
  numbers) cannot be swapped; pairs of consecutive immutables within a sentence are
  near-unique to a story.

Features are 64-bit hashes of these, computed from per-word hashes with wrapping integer
arithmetic (stable across processes and machines), kept when ``hash % sample == 0`` so that
a document and any copy of it keep the same subset (the modulo sampling of document
fingerprinting, Broder 1997). Copies are then found by counting shared features, which works
for containment (partial copies, mixtures) as well as for whole copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon, word_hash
from unspin.models import Document
from unspin.normalise import STOP_WORDS, boilerplate_spans

# Odd 64-bit multipliers for combining word hashes position by position.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)
_KIND_SKELETON = np.uint64(0x5B1E)
_KIND_IMMUTABLE = np.uint64(0x1A11)


@dataclass(frozen=True, slots=True)
class FingerprintParams:
    """How fingerprints are made; stored in an index so queries use the same settings."""

    skeleton: int = 4  # grammar words per skeleton shingle
    sample: int = 2  # keep one feature in ``sample`` (by hash)
    keep_all_below: int = 40  # documents with fewer features keep them all

    def to_dict(self) -> dict[str, int]:
        return {
            "skeleton": self.skeleton,
            "sample": self.sample,
            "keep_all_below": self.keep_all_below,
        }


def _shingles(hashes: np.ndarray, n: int, kind: np.uint64) -> np.ndarray:
    """Hashes of every run of ``n`` consecutive items (wrapping multiply-add)."""
    if len(hashes) < n:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        acc = np.full(len(hashes) - n + 1, kind, dtype=np.uint64)
        for k in range(n):
            acc = acc * _MULTIPLIERS[k] + hashes[k : len(hashes) - n + 1 + k]
        acc ^= acc >> np.uint64(29)
        acc *= np.uint64(0xBF58476D1CE4E5B9)
        acc ^= acc >> np.uint64(32)
    return acc


# One pass over the folded text: words (as in unspin.normalise) and sentence ends.
_TOKEN_OR_END = re.compile(
    r"\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?\b|[^\W\d_]+(?:'[^\W\d_]+)*|\w+|[.!?]+(?=\s)|\n"
)
# Per word, one 64-bit code: its hash with the two low bits replaced by its kind (1 grammar
# word, 2 immutable, 0 anything else, 3 a sentence end, whose hash is 0). Kept across
# documents: news reuses its words.
_CODE: dict[str, int] = {}
_MAX_WORDS = 1_000_000
_END = 0  # the hash that marks a sentence end inside a stream
_KIND_BITS = np.uint64(3)


def _fold(text: str) -> str:
    """Lower case with curly apostrophes made straight (as the token keys of normalise)."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def _classify(words: list[str], lexicon: Lexicon) -> None:
    """Kind and hash of words met the first time (one vectorised look-up for all)."""
    if len(_CODE) + len(words) > _MAX_WORDS:  # bounded memory in a long-lived process
        _CODE.clear()
    lexicon.prime([w for w in words if w not in STOP_WORDS and w[0] not in ".!?\n"])
    for w in words:
        if w[0] in ".!?\n":
            kind, h = 3, _END
        elif w in STOP_WORDS:
            kind, h = 1, word_hash(w)
        elif len(w) == 1 and not w.isdigit():
            kind, h = 0, 0
        else:
            kind = 2 if w[0].isdigit() or not lexicon.has_synonyms(w) else 0
            h = word_hash(w)
        # A word's hash never looks like a sentence end (0 once its kind bits are gone).
        h &= ~3
        _CODE[w] = kind | (h or 4 if kind != 3 else 0)


def fingerprint_text(
    doc: Document, params: FingerprintParams | None = None, lexicon: Lexicon | None = None
) -> np.ndarray:
    """The sorted, unique, sampled feature hashes of a document.

    A lean pass of its own (no sentence objects, no weights): indexing must keep up with
    thousands of documents a second. Boilerplate lines and metadata spans are left out as
    in :func:`unspin.normalise.analyse`.
    """
    params = params or FingerprintParams()
    lexicon = lexicon or default_lexicon()
    text = doc.text
    masked = sorted(list(doc.skip) + boilerplate_spans(text))
    if masked:
        keep, pos = [], 0
        for a, b in masked:
            keep.append(text[pos:a])
            pos = max(pos, b)
        keep.append(text[pos:])
        text = "\n".join(keep)
    tokens = _TOKEN_OR_END.findall(_fold(text))
    unseen = set(tokens).difference(_CODE)
    if unseen:
        _classify(list(unseen), lexicon)
    codes = np.fromiter(map(_CODE.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    kinds = codes & _KIND_BITS
    hashes = codes & ~_KIND_BITS
    ends = kinds == 3  # kept in both streams: shingles never span two sentences
    feats = np.unique(
        np.concatenate(
            [
                _stream_shingles(hashes[(kinds == 1) | ends], params.skeleton, _KIND_SKELETON),
                _stream_shingles(hashes[(kinds == 2) | ends], 2, _KIND_IMMUTABLE),
            ]
        )
    )
    if params.sample > 1 and len(feats) > params.keep_all_below:
        # Sampling by hash is consistent across documents: a copy keeps the same subset.
        # Short texts keep every feature (a feature kept by one side and not by the other
        # simply does not match, so this never hides a match).
        feats = feats[feats % np.uint64(params.sample) == 0]
    return feats


def _stream_shingles(arr: np.ndarray, n: int, kind: np.uint64) -> np.ndarray:
    """Shingles of ``n`` consecutive words of a stream, none across a sentence end."""
    if len(arr) < n:
        return np.zeros(0, dtype=np.uint64)
    shingles = _shingles(arr, n, kind)
    ends = (arr == _END).astype(np.int32)
    crossing = np.convolve(ends, np.ones(n, dtype=np.int32), mode="valid") > 0
    return shingles[~crossing]


def as_signed(features: np.ndarray) -> np.ndarray:
    """The same 64 bits as SQLite's signed INTEGER."""
    return features.view(np.int64)
