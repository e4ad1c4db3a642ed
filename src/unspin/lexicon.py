"""The shipped synonym, lemma and frequency table (built by ``scripts/build_lexicon.py``).

Spinners swap words for thesaurus neighbours without looking at context. To see through
that, unspin asks two questions of a pair of words: *could a spinner have turned one into
the other?* (:meth:`Lexicon.related`) and *how surprising is each word?* (:meth:`Lexicon.zipf`),
since a substitute is usually much rarer than the word it replaced, and words that no
thesaurus covers (names, numbers) are the strongest evidence of copying.
"""

from __future__ import annotations

import hashlib
import itertools
from bisect import bisect_left, bisect_right
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

_CACHE_LIMIT = 200_000
_SERIALS = itertools.count()  # (see Lexicon.serial)


def _digest(word: str) -> bytes:
    """The 8 bytes (little-endian) of a lower-cased entry's hash: the key of the on-disk
    table."""
    return hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()


def word_hash(word: str) -> int:
    """Stable 64-bit hash of a lower-cased entry: the key of the on-disk table."""
    return int.from_bytes(_digest(word), "little")


def table_hashes(words: list[str]) -> np.ndarray:
    """:func:`word_hash` of many words, as uint64: the digests joined and read as one array
    (half the time of converting each digest to an int; a spun article brings dozens of
    words the process has not met)."""
    return np.frombuffer(b"".join(map(_digest, words)), dtype="<u8").astype(np.uint64, copy=False)


def _bounded(cache: dict, room: int = 1) -> dict:
    """A cache with room for ``room`` more entries: emptied when full, so that a long-lived
    process (a server, a corpus run) keeps its memory bounded and its recent words fast."""
    if len(cache) + room > _CACHE_LIMIT:
        cache.clear()
    return cache


def run_positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Every position of the runs ``[starts[k], starts[k] + counts[k])``, run after run:
    how a CSR table's rows for many keys are read in one gather."""
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(starts - (ends - counts), counts)


class Lexicon:
    """Read-only, memory-mapped view of the table, with small per-word caches.

    Nothing is parsed at start-up: a word's id is a binary search over the sorted hashes,
    and a word's neighbours are a slice of the CSR arrays, read from disk on first use.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            path = Path(str(resources.files("unspin") / "data" / "lexicon"))
        path = Path(path)

        def load(name: str) -> np.ndarray:
            # A plain ndarray view of the map: memmap's Python-level __getitem__ is slow.
            return np.load(path / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        self._hash = load("hash")
        self._zipf = load("zipf")
        self._ptr = load("syn_ptr")
        self._idx = load("syn_idx")
        self._lemma_from = load("lemma_from")
        self._lemma_to = load("lemma_to")
        self._word_offsets = load("word_offsets")
        self._words_path = path / "words.txt"
        self._words_blob: bytes | None = None
        self._phrases_path = path / "phrases.txt"
        self._phrases: frozenset[str] | None = None
        # The same arrays as memoryviews: bisecting one from Python reads plain ints, where
        # indexing an ndarray makes a numpy scalar a probe (several times slower).
        self._hash_view = self._hash.data
        self._idx_view = self._idx.data
        self._ptr_view = self._ptr.data
        self._zipf_view = self._zipf.data
        self._lemma_from_view = self._lemma_from.data
        self._neigh_cache: dict[int, frozenset[int]] = {}
        self._forms_cache: dict[str, tuple[int, ...]] = {}
        self._related_cache: dict[tuple[str, str], bool] = {}
        # Tables other modules derive from this lexicon (the comparison's key table, one
        # byte an entry of its Zipf values), kept on it so that they go with it; and a
        # number that names this lexicon in them, unlike ``id()``, never reused.
        self.derived: dict[str, object] = {}
        self.serial = next(_SERIALS)

    def __len__(self) -> int:
        return len(self._hash)

    def id(self, word: str) -> int | None:
        """Id of a lower-cased entry, None when the table does not hold it."""
        h = word_hash(word)
        hashes = self._hash_view
        i = bisect_left(hashes, h)
        if i < len(hashes) and hashes[i] == h:
            return i
        return None

    def prime(self, words: list[str]) -> None:
        """Look many words up at once (one vectorised search), filling the forms cache.

        Documents are primed with their distinct tokens before comparison, so that the
        per-token look-ups that follow are dictionary hits.
        """
        todo = [w for w in dict.fromkeys(words) if w not in self._forms_cache]
        if not todo:
            return
        norm = [w.replace("\u2019", "'") for w in todo]
        hashes = table_hashes(norm)
        pos = np.searchsorted(self._hash, hashes)
        pos_c = np.minimum(pos, len(self._hash) - 1)
        found = self._hash[pos_c] == hashes
        # Ids in the lemma table's own type: searching int32 for int64 would copy the table.
        ids = np.where(found, pos_c, -1).astype(self._lemma_from.dtype)
        lo = np.searchsorted(self._lemma_from, ids, side="left")
        hi = np.searchsorted(self._lemma_from, ids, side="right")
        # Every word's lemmas gathered at once (most words have none or one), then handed
        # out by slicing a Python list rather than the array, word by word.
        lemmas = self._lemma_to[run_positions(lo, hi - lo)].tolist()
        cache = _bounded(self._forms_cache, len(todo))
        at = 0
        for w, i, n in zip(todo, ids.tolist(), (hi - lo).tolist(), strict=True):
            cache[w] = () if i < 0 else (i, *lemmas[at : at + n])
            at += n

    def word(self, word_id: int) -> str:
        """The text of an entry (loaded on first use: only reports need it)."""
        if self._words_blob is None:
            self._words_blob = self._words_path.read_bytes()
        a, b = int(self._word_offsets[word_id]), int(self._word_offsets[word_id + 1]) - 1
        return self._words_blob[a:b].decode("utf-8")

    def word_blob(self) -> tuple[bytes, np.ndarray]:
        """Every entry's text at once: the UTF-8 blob and the offsets where entries start
        (entry ``i`` is ``blob[offsets[i]:offsets[i + 1] - 1]``), for vectorised hashing."""
        if self._words_blob is None:
            self._words_blob = self._words_path.read_bytes()
        return self._words_blob, self._word_offsets

    def swappable(self) -> np.ndarray:
        """Per entry, whether it or one of its lemmas has neighbours: :meth:`has_synonyms`
        for the whole table at once."""
        has = self._ptr[1:] > self._ptr[:-1]
        out = has.copy()
        out[self._lemma_from[has[self._lemma_to]]] = True
        return out

    def is_phrase(self, words: list[str]) -> bool:
        """Whether ``words`` together are a multi-word entry of the table ("social
        gathering", "tens of thousands")."""
        return " ".join(words) in self.phrases()

    def phrases(self) -> frozenset[str]:
        """The table's multi-word entries.

        The word aligner asks whether runs of two or three words are an entry many times a
        comparison, almost all of them no entry: a set of the entries' text (loaded on
        first use, tens of milliseconds) answers without hashing and searching the table.
        """
        if self._phrases is None:
            try:
                text = self._phrases_path.read_text(encoding="utf-8")
            except FileNotFoundError:  # a table built before the file existed
                blob, _ = self.word_blob()
                text = "\n".join(w for w in blob.decode("utf-8").split("\n") if " " in w)
            self._phrases = frozenset(text.split("\n"))
        return self._phrases

    def forms(self, word: str) -> tuple[int, ...]:
        """Ids of a lower-cased word and of its lemmas; empty when the word is unknown."""
        cached = self._forms_cache.get(word)
        if cached is not None:
            return cached
        i = self.id(word)
        if i is None and "\u2019" in word:
            i = self.id(word.replace("\u2019", "'"))
        if i is None:
            out: tuple[int, ...] = ()
        else:
            # A word has few lemmas: bisect in Python beats numpy's call overhead.
            lo = bisect_left(self._lemma_from_view, i)
            hi = bisect_right(self._lemma_from_view, i, lo)
            out = (i, *self._lemma_to[lo:hi].tolist())
        _bounded(self._forms_cache)[word] = out
        return out

    def forms_of(self, words: list[str]) -> list[tuple[int, ...]]:
        """:meth:`forms` of many words: the cache read in one pass (documents' words were
        primed), the few misses looked up one by one."""
        found = list(map(self._forms_cache.get, words))
        return [self.forms(w) if f is None else f for w, f in zip(words, found, strict=True)]

    def neighbours(self, word_id: int) -> frozenset[int]:
        """Synonyms (and one level of hypernyms) of an entry, by id."""
        cached = self._neigh_cache.get(word_id)
        if cached is None:
            cached = frozenset(self._idx[self._ptr[word_id] : self._ptr[word_id + 1]].tolist())
            _bounded(self._neigh_cache)[word_id] = cached
        return cached

    def neighbour_table(
        self, word_ids: np.ndarray, max_degree: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """All neighbours of many entries at once: (neighbour ids, index of the entry each
        came from), gathered from the CSR arrays in one copy.

        ``max_degree`` skips entries with more neighbours than that: the most polysemous
        verbs ("make", "get", "run" have a thousand) match almost anything, so they cost
        the most and prove the least.
        """
        starts = self._ptr[word_ids]
        stops = self._ptr[word_ids + 1]
        degree = stops - starts
        keep = degree > 0 if max_degree is None else (degree > 0) & (degree <= max_degree)
        if not keep.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # Each entry's neighbours are one contiguous run of the CSR array: slicing runs and
        # joining them copies only what is needed.
        idx = self._idx
        runs = [idx[a:b] for a, b in zip(starts[keep].tolist(), stops[keep].tolist(), strict=True)]
        owner = np.repeat(np.flatnonzero(keep), degree[keep])
        return np.concatenate(runs).astype(np.int64), owner

    def neighbour_runs(
        self, word_ids: np.ndarray, max_degree: int
    ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """:meth:`neighbour_table` left in pieces: the runs of neighbours (views of the
        CSR array), the index of the entry each run belongs to, and each run's length.
        For callers that look up all neighbours but need the owner of only the few that
        match, and so can skip building an owner per neighbour."""
        starts = self._ptr[word_ids]
        stops = self._ptr[word_ids + 1]
        degree = stops - starts
        keep = np.flatnonzero((degree > 0) & (degree <= max_degree))
        idx = self._idx
        runs = [idx[a:b] for a, b in zip(starts[keep].tolist(), stops[keep].tolist(), strict=True)]
        return runs, keep, degree[keep]

    @property
    def id_dtype(self) -> np.dtype:
        """The integer type of the thesaurus' neighbour ids."""
        return self._idx.dtype

    def degrees(self, word_ids: np.ndarray) -> np.ndarray:
        """How many neighbours each entry has."""
        return self._ptr[word_ids + 1] - self._ptr[word_ids]

    def has_synonyms(self, word: str) -> bool:
        """False for words a spinner's dictionary cannot touch: DSpin's "immutables"."""
        return any(self._ptr[i + 1] > self._ptr[i] for i in self.forms(word))

    def related(self, a: str, b: str) -> bool:
        """True when a spinner could have turned ``a`` into ``b`` (or back), ignoring
        inflection: same lemma, or thesaurus neighbours in either direction."""
        if a == b:
            return True
        key = (a, b)
        cached = self._related_cache.get(key)
        if cached is None:
            cached = self._related(a, b)
            _bounded(self._related_cache)[key] = cached
        return cached

    def _related(self, a: str, b: str) -> bool:
        fa, fb = self.forms(a), self.forms(b)
        if not fa or not fb:
            return False
        if not set(fa).isdisjoint(fb):
            return True
        # The graph is symmetric and each row is sorted (see scripts/build_lexicon.py):
        # a binary search for b's forms in the rows of a's forms answers, without
        # building a set of a row's hundreds of neighbours for one question.
        ptr, idx = self._ptr_view, self._idx_view
        for x in fa:
            lo, hi = ptr[x], ptr[x + 1]
            for y in fb:
                k = bisect_left(idx, y, lo, hi)
                if k < hi and idx[k] == y:
                    return True
        return False

    def zipf_of_ids(self, word_ids: np.ndarray) -> np.ndarray:
        """:meth:`zipf` of many entries at once, by id."""
        return self._zipf[word_ids] / 10.0

    def zipf(self, word: str) -> float:
        """Zipf frequency (log10 per billion words); 0 for words the table does not know."""
        forms = self.forms(word)
        return self._zipf_view[forms[0]] / 10.0 if forms else 0.0


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped table, opened once per process."""
    return Lexicon()
