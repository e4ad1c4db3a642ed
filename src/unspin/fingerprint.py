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

Features are 64-bit hashes of these, kept when ``hash % sample == 0`` so that a document
and any copy of it keep the same subset (the modulo sampling of document fingerprinting,
Broder 1997). Copies are then found by counting shared features, which works for
containment (partial copies, mixtures) as well as for whole copies.

Indexing must keep up with thousands of documents a second, so the whole pass runs on the
bytes of a batch of texts as numpy arrays, with no Python work per word: bytes are classed
with a look-up table, words are the runs of word bytes, every word's polynomial hash is
computed at once (one vectorised step per byte position, longest words first), and a word's
kind (grammar word, immutable, other) is looked up by its hash in a bucketed table made
once from the thesaurus table. All arithmetic wraps modulo 2**64, so features are the same
in every process and on every machine (a change to any of it must bump the index format).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon
from unspin.models import Document
from unspin.normalise import STOP_WORDS, boilerplate_spans

# Odd 64-bit multipliers for combining word hashes position by position.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)
_KIND_SKELETON = np.uint64(0x5B1E)
_KIND_IMMUTABLE = np.uint64(0x1A11)
_KIND_SURFACE = np.uint64(0x5F4C)
SURFACE_SAMPLE = 1  # keep one surface hash in this many

# Word kinds inside a stream.
_OTHER, _GRAMMAR, _IMMUTABLE, _END = 0, 1, 2, 3


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


# -- bytes to words --------------------------------------------------------------------------


def _byte_classes() -> np.ndarray:
    """Per byte value, bit flags: what that byte can be in a word or sentence end."""
    table = np.zeros(256, dtype=np.uint8)

    def mark(chars: str, flag: int) -> None:
        table[list(chars.encode("ascii"))] |= flag

    # Word bytes: ASCII letters and digits, and every byte of a non-ASCII character
    # (accented letters, other scripts); non-ASCII punctuation is masked separately.
    mark("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", _WORD)
    table[0x80:] |= _WORD
    mark("0123456789", _DIGIT)
    mark(" \t\n\r\f\v", _SPACE)
    mark(".!?", _STOP)
    mark(".,:", _NUMBER_JOINER)  # 1.13, 10,000, 10:30
    mark("'", _APOSTROPHE)
    return table


_WORD, _DIGIT, _SPACE, _STOP, _NUMBER_JOINER, _APOSTROPHE = 1, 2, 4, 8, 16, 32
_CLASSES = _byte_classes()
_NEWLINE = ord("\n")


def _fold(text: str) -> str:
    """Lower case with curly apostrophes made straight (as the token keys of normalise)."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def _punctuation_bytes(b: np.ndarray) -> np.ndarray:
    """Offsets of the bytes of non-ASCII punctuation, which separates words: U+0080-U+00BF
    (no-break space, pound, guillemets) and U+2000-U+20CF (dashes, quotes, ellipsis,
    bullets, currency)."""
    high = np.flatnonzero(b[:-2] >= 0xC2)
    lead = high[b[high] == 0xC2]
    lead = lead[b[lead + 1] < 0xC0]
    lead3 = high[b[high] == 0xE2]
    lead3 = lead3[b[lead3 + 1] <= 0x82]
    return np.concatenate((lead, lead + 1, lead3, lead3 + 1, lead3 + 2))


def _words(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end offsets of the words of ``b`` (folded UTF-8 bytes that open and close
    with a line break), and the offsets where a sentence ends (``.``, ``!`` or ``?``
    before white space; a line break).

    A word is a run of word bytes, held together by an apostrophe between word bytes
    ("warner's") and by ``.``, ``,`` or ``:`` between digits ("1.13", "10,000").
    """
    cls = _CLASSES[b]
    word = (cls & _WORD).astype(bool)
    word[_punctuation_bytes(b)] = False
    digit = (cls & _DIGIT).astype(bool)
    inner = cls[1:-1]
    word[1:-1] |= ((inner & _APOSTROPHE).astype(bool) & word[:-2] & word[2:]) | (
        (inner & _NUMBER_JOINER).astype(bool) & digit[:-2] & digit[2:]
    )
    starts = np.flatnonzero(word[1:] & ~word[:-1]) + 1
    ends = np.flatnonzero(word[:-1] & ~word[1:]) + 1
    stop = b == _NEWLINE
    stop[:-1] |= (cls[:-1] & _STOP).astype(bool) & (cls[1:] & _SPACE).astype(bool)
    return starts, ends, np.flatnonzero(stop)


# -- word hashes -----------------------------------------------------------------------------

_BASE = np.uint64(0xD6E8FEB86659FD93)  # odd: no two short words collide by construction


def _mix(h: np.ndarray) -> np.ndarray:
    """Spread the bits (splitmix64's finaliser), in place."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _span_hashes(b: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each byte span ``b[start:end]`` (never 0: 0 marks a sentence end).

    All spans advance together one byte at a time (h = h * BASE + byte), the longest
    first, so the loop runs as many times as the longest span has bytes, each step one
    vectorised operation over the spans still that long.
    """
    lengths = (ends - starts).astype(np.int64)
    # Longest first; a stable sort of 16-bit keys is a radix sort (linear).
    order = np.argsort(-np.minimum(lengths, 32767).astype(np.int16), kind="stable")
    first = starts[order].astype(np.int64)
    longest = int(lengths[order[0]]) if len(order) else 0
    # Spans longer than k, for each k: a prefix of ``order``.
    alive = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
    h = np.zeros(len(order), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k, count in enumerate(alive.tolist()):
            h[:count] = h[:count] * _BASE + b[first[:count] + k]
        h += lengths[order].astype(np.uint64)
        _mix(h)
    h[h == 0] = 1
    out = np.empty_like(h)
    out[order] = h
    return out


def word_hashes(words: list[str]) -> np.ndarray:
    """The hashes :func:`fingerprint_text` gives these (folded) words."""
    encoded = [w.encode("utf-8") for w in words]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)
    data = np.frombuffer(b"\n".join(encoded) + b"\n", dtype=np.uint8)
    return _span_hashes(data, starts, starts + lengths)


_NOT_LISTED, _LISTED_GRAMMAR, _LISTED_SWAPPABLE = 0, 1, 2
_BUCKET_BITS = 20


@dataclass(frozen=True)
class _Vocabulary:
    """What the thesaurus table and the grammar-word list say of a word, by word hash: a
    sorted hash array with a code per hash (grammar word, or a word a thesaurus can swap),
    and the start of each bucket of hashes sharing their top bits, so that a look-up reads
    a bucket of one or two entries instead of binary-searching 200,000."""

    hashes: np.ndarray
    codes: np.ndarray
    buckets: np.ndarray
    largest_bucket: int

    @classmethod
    def build(cls, grammar: np.ndarray, swappable: np.ndarray) -> _Vocabulary:
        keys = np.concatenate((grammar, swappable))
        codes = np.concatenate(
            (
                np.full(len(grammar), _LISTED_GRAMMAR, dtype=np.uint8),
                np.full(len(swappable), _LISTED_SWAPPABLE, dtype=np.uint8),
            )
        )
        order = np.lexsort((codes, keys))  # a grammar word that is also swappable: grammar
        keys, codes = keys[order], codes[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        keys, codes = keys[first], codes[first]
        shift = np.uint64(64 - _BUCKET_BITS)
        tops = np.arange(2**_BUCKET_BITS + 1, dtype=np.uint64)
        buckets = np.searchsorted(keys >> shift, tops).astype(np.int64)
        largest = int(np.diff(buckets).max()) if len(keys) else 0
        return cls(hashes=keys, codes=codes, buckets=buckets, largest_bucket=largest)

    def look_up(self, hashes: np.ndarray) -> np.ndarray:
        """The code of each hash (0 when neither list holds it)."""
        top = (hashes >> np.uint64(64 - _BUCKET_BITS)).astype(np.int64)
        lo = self.buckets[top]
        size = self.buckets[top + 1] - lo
        out = np.zeros(len(hashes), dtype=np.uint8)
        for j in range(self.largest_bucket):
            live = np.flatnonzero(size > j)
            if not len(live):
                break
            at = lo[live] + j
            hit = self.hashes[at] == hashes[live]
            out[live[hit]] = self.codes[at[hit]]
        return out


def prepare(lexicon: Lexicon) -> None:
    """Make the look-up tables for ``lexicon`` now (before forking workers, which then
    share them instead of each making its own)."""
    _vocabulary(lexicon)


@lru_cache(maxsize=4)
def _vocabulary(lexicon: Lexicon) -> _Vocabulary:
    """Made once per process and table (all vectorised: well under a second)."""
    blob, offsets = lexicon.word_blob()
    entries = _span_hashes(
        np.frombuffer(blob, dtype=np.uint8),
        offsets[:-1].astype(np.int64),
        offsets[1:].astype(np.int64) - 1,
    )
    return _Vocabulary.build(word_hashes(sorted(STOP_WORDS)), entries[lexicon.swappable()])


# -- features --------------------------------------------------------------------------------


def _masked_text(doc: Document) -> str:
    """The text with boilerplate lines and metadata spans replaced by line breaks."""
    text = doc.text
    masked = sorted(list(doc.skip) + boilerplate_spans(text))
    if not masked:
        return text
    keep, pos = [], 0
    for a, b in masked:
        keep.append(text[pos:a])
        pos = max(pos, b)
    keep.append(text[pos:])
    return "\n".join(keep)


def _member(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_values`` (keys searched in sorted order: numpy's
    binary search then starts where the previous key ended)."""
    if not len(sorted_values) or not len(values):
        return np.zeros(len(values), dtype=bool)
    keys, inverse = np.unique(values, return_inverse=True)
    pos = np.minimum(np.searchsorted(sorted_values, keys), len(sorted_values) - 1)
    return (sorted_values[pos] == keys)[inverse.reshape(-1)]


@dataclass(frozen=True)
class _Stream:
    """The words and sentence ends of a batch of texts, in text order."""

    hashes: np.ndarray  # uint64; 0 for a sentence end
    kinds: np.ndarray  # uint8: _OTHER, _GRAMMAR, _IMMUTABLE or _END
    docs: np.ndarray  # int64: which text of the batch


def _stream(texts: list[str], vocab: _Vocabulary) -> _Stream:
    """Every text folded and joined by line breaks (which end sentences, so nothing made
    from the stream spans two texts), split into words and sentence ends."""
    encoded = [_fold(t).encode("utf-8") for t in texts]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    doc_starts = np.concatenate(([0], 1 + np.cumsum(lengths + 1)[:-1]))
    b = np.frombuffer(b"\n" + b"\n".join(encoded) + b"\n", dtype=np.uint8)
    starts, ends, stops = _words(b)
    hashes = _span_hashes(b, starts, ends)
    listed = vocab.look_up(hashes)
    first_digit = (_CLASSES[b[starts]] & _DIGIT).astype(bool)
    kinds = np.full(len(starts), _OTHER, dtype=np.uint8)
    immutable = first_digit | (listed == _NOT_LISTED)
    immutable &= (ends - starts > 1) | first_digit  # a lone letter is no name
    kinds[immutable] = _IMMUTABLE
    kinds[listed == _LISTED_GRAMMAR] = _GRAMMAR
    # Words and sentence ends merged in text order (an end is never inside a word).
    size = len(starts) + len(stops)
    at_stop = np.searchsorted(starts, stops) + np.arange(len(stops))
    at_word = np.ones(size, dtype=bool)
    at_word[at_stop] = False
    positions = np.empty(size, dtype=np.int64)
    positions[at_word], positions[at_stop] = starts, stops
    all_hashes = np.zeros(size, dtype=np.uint64)
    all_hashes[at_word] = hashes
    all_kinds = np.full(size, _END, dtype=np.uint8)
    all_kinds[at_word] = kinds
    return _Stream(
        hashes=all_hashes,
        kinds=all_kinds,
        docs=np.searchsorted(doc_starts, positions, side="right") - 1,
    )


def word_stream(text: str, lexicon: Lexicon | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(hash, kind) of each word and sentence end of ``text``, in order.

    Kinds: 1 a grammar word, 2 an immutable (starts with a digit, or neither the word nor
    its lemma has a thesaurus neighbour), 0 any other word, 3 a sentence end (hash 0).
    """
    stream = _stream([text], _vocabulary(lexicon or default_lexicon()))
    return stream.hashes[1:-1], stream.kinds[1:-1]  # not the batch's own line breaks


def fingerprint_texts(
    docs: list[Document], params: FingerprintParams | None = None, lexicon: Lexicon | None = None
) -> list[np.ndarray]:
    """The sorted, unique, sampled feature hashes of each document.

    Boilerplate lines and metadata spans are left out as in :func:`unspin.normalise.analyse`.
    Documents are done in one pass: a batch costs little more numpy calls than one text.
    """
    params = params or FingerprintParams()
    if not docs:
        return []
    stream = _stream([_masked_text(d) for d in docs], _vocabulary(lexicon or default_lexicon()))
    return _features(stream, len(docs), params)


def fingerprint_with_surface(
    docs: list[Document], params: FingerprintParams | None = None, lexicon: Lexicon | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each document's features and its **surface**: hashes of its pairs of consecutive
    content words (grammar words left out).

    Features survive spinning; the surface does not (a swapped word breaks two pairs). How
    much of the surface two texts share, set beside how much of their features they share,
    tells a reprint from a spun copy without aligning them (:mod:`unspin.dedup.quick`).
    """
    params = params or FingerprintParams()
    if not docs:
        return [], []
    stream = _stream([_masked_text(d) for d in docs], _vocabulary(lexicon or default_lexicon()))
    # Content words (grammar words are seldom swapped: they would only dilute the count),
    # and sentence ends, which no pair spans.
    content = stream.kinds != _GRAMMAR
    surface, owners = _stream_shingles(stream, content, 2, _KIND_SURFACE)
    surface_params = FingerprintParams(sample=SURFACE_SAMPLE, keep_all_below=params.keep_all_below)
    return (
        _features(stream, len(docs), params),
        _per_document(surface, owners, len(docs), surface_params),
    )


def _features(stream: _Stream, n_docs: int, params: FingerprintParams) -> list[np.ndarray]:
    ends = stream.kinds == _END  # kept in both streams: shingles never span two sentences
    parts = [
        _stream_shingles(
            stream, (stream.kinds == _GRAMMAR) | ends, params.skeleton, _KIND_SKELETON
        ),
        _stream_shingles(stream, (stream.kinds == _IMMUTABLE) | ends, 2, _KIND_IMMUTABLE),
    ]
    feats = np.concatenate([p[0] for p in parts])
    owners = np.concatenate([p[1] for p in parts])
    return _per_document(feats, owners, n_docs, params)


def _per_document(
    feats: np.ndarray, owners: np.ndarray, n_docs: int, params: FingerprintParams
) -> list[np.ndarray]:
    """Hashes grouped by document: sorted, unique, sampled."""
    order = np.lexsort((feats, owners))
    feats, owners = feats[order], owners[order]
    fresh = np.ones(len(feats), dtype=bool)
    fresh[1:] = (feats[1:] != feats[:-1]) | (owners[1:] != owners[:-1])
    feats, owners = feats[fresh], owners[fresh]
    if params.sample > 1:
        # Sampling by hash is consistent across documents: a copy keeps the same subset.
        # Short texts keep every feature (a feature kept by one side and not by the other
        # simply does not match, so this never hides a match).
        counts = np.bincount(owners, minlength=n_docs)
        keep = (feats % np.uint64(params.sample) == 0) | (counts[owners] <= params.keep_all_below)
        feats, owners = feats[keep], owners[keep]
    bounds = np.searchsorted(owners, np.arange(n_docs + 1)).tolist()
    return [feats[bounds[i] : bounds[i + 1]] for i in range(n_docs)]


def fingerprint_text(
    doc: Document, params: FingerprintParams | None = None, lexicon: Lexicon | None = None
) -> np.ndarray:
    """The sorted, unique, sampled feature hashes of one document."""
    return fingerprint_texts([doc], params, lexicon)[0]


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


def _stream_shingles(
    stream: _Stream, selected: np.ndarray, n: int, kind: np.uint64
) -> tuple[np.ndarray, np.ndarray]:
    """Shingles of ``n`` consecutive selected words, none across a sentence end, and the
    text each comes from."""
    arr = stream.hashes[selected]
    if len(arr) < n:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    shingles = _shingles(arr, n, kind)
    ends = (arr == 0).astype(np.int32)
    whole = np.convolve(ends, np.ones(n, dtype=np.int32), mode="valid") == 0
    return shingles[whole], stream.docs[selected][: len(shingles)][whole]


def as_signed(features: np.ndarray) -> np.ndarray:
    """The same 64 bits as SQLite's signed INTEGER."""
    return features.view(np.int64)
