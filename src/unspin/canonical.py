"""Undoing spinning: how much each token weighs as evidence, and which tokens match.

A spinner replaces words by thesaurus neighbours without regard to sense. Two texts are
compared in a canonical form in which

* tokens that are the same word, up to case, curly quotes and inflection, match exactly;
* tokens that a spinner could have swapped (thesaurus neighbours, see
  :meth:`unspin.lexicon.Lexicon.related`) match as synonyms;
* words that no thesaurus covers (names, numbers: DSpin's *immutables*) survive spinning,
  so they weigh more, and so do rare words; grammar words weigh nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import is_
from typing import cast

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon, run_positions
from unspin.normalise import STOP_WORDS, Analysis

# Weights on the Zipf scale: a word seen once per million words (Zipf 3) weighs 4, a common
# content word (Zipf 5.5) weighs 1.5; words the frequency list has never seen weigh most.
_MAX_WEIGHT = 5.0
_MIN_WEIGHT = 1.0
_IMMUTABLE_BONUS = 1.0

# Words of number phrases and their articles ("a few", "tens of thousands", "dozens").
NUMBERISH = frozenset(
    """a an few several many some couple dozen dozens hundreds thousands millions billions
    tens scores one two three four five six seven eight nine ten twenty hundred thousand
    million billion half""".split()
)
_NUMBER_ALONE = NUMBERISH - {"a", "an"}  # a number on its own ("a" is not one)


@dataclass(slots=True)
class Canonical:
    """An :class:`Analysis` plus, per token, its weight as evidence (0 for stop words)."""

    analysis: Analysis
    weights: list[float]
    key_table: KeyTable  # the numbering of keys this document was weighed in
    key_ids: np.ndarray  # each token's number in it
    _table: tuple[list[str], np.ndarray] | None = None
    _table_ids: np.ndarray | None = None  # the key number of each column of the table
    _forms: KeyForms | None = None
    _flags: tuple[list[bool], list[bool]] | None = None
    _index: dict[str, int] | None = None
    _columns: list[int | None] | None = None

    @property
    def keys(self) -> list[str]:
        return self.analysis.keys

    def token_flags(self) -> tuple[list[bool], list[bool]]:
        """Per token: is it a grammar word (:data:`STOP_WORDS`), and is it a number on its
        own ("2019", "three", "dozens"; not "a")? Computed once per document."""
        if self._flags is None:
            keys = self.keys
            self._flags = (
                [k in STOP_WORDS for k in keys],
                [k[0].isdigit() or k in _NUMBER_ALONE for k in keys],
            )
        return self._flags

    def sentence_table(self) -> tuple[list[str], np.ndarray]:
        """Distinct content keys, and a sentences x keys matrix of their weights.

        Computed once per document: a document compared many times (``--pairs``, an index)
        pays for it once.
        """
        if self._table is None:
            # One pass over the content tokens (weight > 0) of every sentence: a key's
            # column is the rank of its first appearance. (Plain loops: a document has a
            # few hundred content tokens, fewer than numpy's calls would cost.)
            keys, weights = self.keys, self.weights
            column: dict[str, int] = {}
            first: list[int] = []  # the first token of each column's key
            rows: list[int] = []
            cols: list[int] = []
            values: list[float] = []
            # Each token's column, for key_columns (None: a grammar word, never a column).
            token_columns: list[int | None] = [None] * len(keys)
            for s, sentence in enumerate(self.analysis.sentences):
                for t in range(sentence.lo, sentence.hi):
                    w = weights[t]
                    if w > 0:
                        key = keys[t]
                        c = column.get(key)
                        if c is None:
                            c = column[key] = len(first)
                            first.append(t)
                        token_columns[t] = c
                        rows.append(s)
                        cols.append(c)
                        values.append(w)
            for t, c in enumerate(token_columns):  # (tokens in no sentence, should any be)
                if c is None and weights[t] > 0:
                    token_columns[t] = column.get(keys[t])
            self._table_ids = self.key_ids[first]
            self._index = column
            self._columns = token_columns
            mat = np.zeros((len(self.analysis.sentences), len(first)), dtype=np.float32)
            # A word repeated in a sentence counts once, at its weight. (Lists converted with
            # their types given: numpy would otherwise inspect every item to find one.)
            mat[np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)] = np.array(
                values, dtype=np.float32
            )
            self._table = (list(column), mat)
        return self._table

    def key_columns(self, index: dict[str, int]) -> list[int | None]:
        """Each token's entry in ``index`` (None when absent); cached when ``index`` is
        this document's own :meth:`key_index`."""
        if index is self._index:
            if self._columns is None:
                self._columns = list(map(index.get, self.keys))
            return self._columns
        return list(map(index.get, self.keys))

    def key_index(self) -> dict[str, int]:
        """Column of each key of :meth:`sentence_table`."""
        self.sentence_table()
        assert self._index is not None
        return self._index

    def key_forms(self, lexicon: Lexicon) -> KeyForms:
        """The thesaurus view of the sentence table's keys, built once per document."""
        if self._forms is None:
            keys = self.sentence_table()[0]
            if self.key_table.serves(lexicon):
                assert self._table_ids is not None
                ids, owner = self.key_table.forms_table(self._table_ids)
                self._forms = _key_forms(ids, owner, len(keys), lexicon)
            else:  # (weighed with another thesaurus)
                self._forms = key_forms(keys, lexicon)
        return self._forms


def token_weight(key: str, lexicon: Lexicon) -> tuple[float, bool]:
    """Weight of one token as evidence of reuse, and whether a spinner could touch it."""
    if key in STOP_WORDS or len(key) == 1 and not key.isdigit():
        return 0.0, False
    if key[0].isdigit():
        return 4.0, True
    zipf = lexicon.zipf(key)
    if zipf == 0.0 and key.endswith(("'s", "\u2019s")):
        zipf = lexicon.zipf(key[:-2])
    weight = min(_MAX_WEIGHT, max(_MIN_WEIGHT, 7.0 - zipf))
    immutable = not lexicon.has_synonyms(key)
    if immutable:
        weight = min(_MAX_WEIGHT + _IMMUTABLE_BONUS, weight + _IMMUTABLE_BONUS)
    return weight, immutable


_KEYS_PER_TABLE = 300_000  # (a few tens of megabytes)
# Thesaurus entries with more neighbours than this are not searched for synonyms at the
# sentence level (see Lexicon.neighbour_table); word alignment still tests them pairwise.
MAX_SYNONYM_DEGREE = 600
# Per key: weight, immutable, grammar word, number on its own (see Canonical.token_flags).
KeyEntry = tuple[float, bool, bool, bool]


class KeyTable:
    """The token keys met so far, numbered, with what a comparison needs of each.

    News reuses its words: a key is weighed (:func:`key_entries`) and its thesaurus forms
    looked up once per process, not once per document. Numbering keys also lets a
    document's per-key work be array work: its tokens' weights and flags are gathers by
    number, its keys' forms one gather from a CSR table by key number.

    A table holds at most ``limit`` keys, so that a long run keeps its memory bounded: when
    it is full, :func:`canonicalise` starts a new one. A document keeps the table it was
    numbered in, and numbers are only ever read within one document's table.
    """

    def __init__(self, lexicon: Lexicon, limit: int = _KEYS_PER_TABLE) -> None:
        self._serial = lexicon.serial  # (the lexicon holds its table, not the reverse)
        self.limit = limit
        self.lock = threading.Lock()  # numbering new keys: one thread at a time
        self.index: dict[str, int] = {}  # key -> number
        self.keys: list[str] = []
        # By number: weight, grammar word, number on its own (see Canonical.token_flags).
        self.weight = np.zeros(1024, dtype=np.float64)
        self.stop = np.zeros(1024, dtype=bool)
        self.number = np.zeros(1024, dtype=bool)
        self._form_start = np.zeros(1024, dtype=np.int64)
        self._form_count = np.zeros(1024, dtype=np.int64)
        self._form_ids = np.zeros(4096, dtype=np.int64)
        self._n_forms = 0

    def __len__(self) -> int:
        return len(self.keys)

    def serves(self, lexicon: Lexicon) -> bool:
        """Whether the table's weights and forms come from ``lexicon``."""
        return lexicon.serial == self._serial

    def room(self, n: int) -> bool:
        """Whether ``n`` more keys fit."""
        return len(self.keys) + n <= self.limit

    def add(self, entries: dict[str, KeyEntry], lexicon: Lexicon) -> None:
        """Number new keys, with their entries and their thesaurus forms (the lexicon's
        forms cache holds them: :func:`key_entries` primed it). Call with :attr:`lock`
        held; readers see a key's number only once all its data is in place."""
        forms = lexicon.forms_of(list(entries))
        flat = list(chain.from_iterable(forms))
        first, n_keys = len(self.keys), len(entries)
        end = first + n_keys
        self.weight, self.stop, self.number = (
            _room(self.weight, end),
            _room(self.stop, end),
            _room(self.number, end),
        )
        values = list(entries.values())
        self.weight[first:end] = [e[0] for e in values]
        self.stop[first:end] = [e[2] for e in values]
        self.number[first:end] = [e[3] for e in values]
        self._form_start = _room(self._form_start, end)
        self._form_count = _room(self._form_count, end)
        self._form_ids = _room(self._form_ids, self._n_forms + len(flat))
        counts = np.fromiter(map(len, forms), dtype=np.int64, count=n_keys)
        starts = np.zeros(n_keys, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        self._form_start[first:end] = starts + self._n_forms
        self._form_count[first:end] = counts
        self._form_ids[self._n_forms : self._n_forms + len(flat)] = flat
        self._n_forms += len(flat)
        self.keys.extend(entries)
        self.index.update(zip(entries, range(first, end), strict=True))

    def zipf(self, numbers: np.ndarray, lexicon: Lexicon) -> np.ndarray:
        """:meth:`Lexicon.zipf` of the keys numbered ``numbers`` (0 for words the lexicon
        does not know), read from their first form (the word's own entry) in one gather:
        the dictionary look-ups a key would cost, random reads in a large cache, are not
        made again. ``lexicon`` must be the one this table serves."""
        known = self._form_count[numbers] > 0
        out = np.zeros(len(numbers), dtype=np.float64)
        # (Only known words have a first form: an unknown word's start may lie past the end.)
        out[known] = lexicon.zipf_of_ids(self._form_ids[self._form_start[numbers[known]]])
        return out

    def forms_table(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Form ids of the keys numbered ``numbers``, and for each, the position in
        ``numbers`` of the key it belongs to (as :func:`_forms_table` gives for strings)."""
        counts = self._form_count[numbers]
        ids = self._form_ids[run_positions(self._form_start[numbers], counts)]
        owner = np.repeat(np.arange(len(numbers), dtype=np.int64), counts)
        return ids, owner


def _room(array: np.ndarray, size: int) -> np.ndarray:
    """``array``, or a copy twice as large when it holds fewer than ``size`` items."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, 2 * len(array)), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def key_table(lexicon: Lexicon, room: int = 0) -> KeyTable:
    """The lexicon's current :class:`KeyTable` (kept in its ``derived`` tables, so that
    it goes with the lexicon), a new one if ``room`` more keys would not fit in it."""
    table = lexicon.derived.get("key_table")
    if not isinstance(table, KeyTable) or not table.room(room):
        table = KeyTable(lexicon)
        lexicon.derived["key_table"] = table
    return table


def _entry_bytes(lexicon: Lexicon) -> tuple[bytes, bytes]:
    """The lexicon's Zipf values (tenths, as stored) and a has-neighbours flag per entry,
    as bytes: indexing bytes yields a plain int, where indexing the arrays makes a numpy
    scalar each time (several times slower, for the thousands of words a corpus brings).
    Built once per lexicon (a few hundred kilobytes, a millisecond) and kept in its
    ``derived`` tables."""
    cached = lexicon.derived.get("entry_bytes")
    if cached is None:
        zipf, ptr = lexicon._zipf, lexicon._ptr  # read only
        assert zipf.dtype == np.uint8, "one byte a Zipf value"
        cached = lexicon.derived["entry_bytes"] = (zipf.tobytes(), (ptr[1:] > ptr[:-1]).tobytes())
    return cast(tuple[bytes, bytes], cached)


def key_entries(keys: list[str], lexicon: Lexicon) -> dict[str, KeyEntry]:
    """:func:`token_weight` and the flags of :meth:`Canonical.token_flags` for many
    distinct keys: one vectorised lexicon look-up for all, then plain-int reads."""
    lexicon.prime(keys + [k[:-2] for k in keys if k.endswith("'s")])
    zipfs, swappable = _entry_bytes(lexicon)
    forms = lexicon.forms
    out = {}
    for key in keys:
        stop = key in STOP_WORDS
        number = key[0].isdigit()
        if stop or len(key) == 1 and not number:
            weight, immutable = 0.0, False
        elif number:
            weight, immutable = 4.0, True
        else:
            ids = forms(key)
            zipf = zipfs[ids[0]] / 10.0 if ids else 0.0
            if zipf == 0.0 and key.endswith(("'s", "\u2019s")):
                stem = forms(key[:-2])
                zipf = zipfs[stem[0]] / 10.0 if stem else 0.0
            weight = min(_MAX_WEIGHT, max(_MIN_WEIGHT, 7.0 - zipf))
            immutable = not any(map(swappable.__getitem__, ids))
            if immutable:
                weight = min(_MAX_WEIGHT + _IMMUTABLE_BONUS, weight + _IMMUTABLE_BONUS)
        out[key] = (weight, immutable, stop, number or key in _NUMBER_ALONE)
    return out


def _number(missing: list[str], keys: list[str], table: KeyTable, lexicon: Lexicon) -> KeyTable:
    """Number the ``missing`` keys of a document (``keys``) in ``table``, or, when it is
    full, all of the document's keys in a new table; returns the table that holds them.
    One thread numbers keys in a table at a time (the server compares in threads)."""
    while True:
        with table.lock:
            new = [k for k in missing if k not in table.index]  # (another thread's, now)
            if table.room(len(new)) or not len(table):
                if new:
                    table.add(key_entries(new, lexicon), lexicon)
                return table
        missing = list(dict.fromkeys(keys))
        table = key_table(lexicon, len(missing))


def canonicalise(analysis: Analysis, lexicon: Lexicon | None = None) -> Canonical:
    """Weigh every token of an analysed document, numbering its keys."""
    lexicon = lexicon or default_lexicon()
    keys = analysis.keys
    table = key_table(lexicon)
    numbers = list(map(table.index.get, keys))
    if None in numbers:
        missing = list(dict.fromkeys(compress(keys, map(is_, numbers, repeat(None)))))
        numbered = _number(missing, keys, table, lexicon)
        if numbered is table:  # look up again only the tokens just numbered
            index = table.index
            numbers = [index[k] if n is None else n for k, n in zip(keys, numbers, strict=True)]
        else:  # a new table numbers all the document's keys afresh
            table = numbered
            numbers = list(map(table.index.__getitem__, keys))
    ids = np.array(numbers, dtype=np.int64)
    # Gathers by number, then plain Python values (the aligner reads them one by one).
    return Canonical(
        analysis,
        table.weight[ids].tolist(),
        key_table=table,
        key_ids=ids,
        _flags=(table.stop[ids].tolist(), table.number[ids].tolist()),
    )


@dataclass(slots=True)
class Neighbourhood:
    """The word forms of a list of keys followed by all their thesaurus neighbours, as one
    flat array of form ids, with a way back from a position in it to its key.

    The array is large (tens of thousands of ids for a news article) and few of its
    entries ever match, so the key of each entry is not stored: positions before
    ``n_own`` are the keys' own forms (of key ``own_key[p]``); after them come runs of
    neighbours, run ``r`` starting at ``n_own + run_start[r]`` and belonging to key
    ``run_key[r]``.
    """

    ids: np.ndarray  # form ids, in the thesaurus' own integer type
    n_own: int
    own_key: np.ndarray
    run_start: np.ndarray
    run_key: np.ndarray

    def keys_at(self, positions: np.ndarray) -> np.ndarray:
        """The key each of ``positions`` (sorted indices into :attr:`ids`) belongs to."""
        split = int(np.searchsorted(positions, self.n_own))
        rest = positions[split:] - self.n_own
        return np.concatenate(
            [
                self.own_key[positions[:split]],
                self.run_key[np.searchsorted(self.run_start, rest, side="right") - 1],
            ]
        )


@dataclass(slots=True)
class KeyForms:
    """The thesaurus view of a list of distinct keys, computed once per document.

    ``form_ids`` are the keys' word forms (word and lemma ids), sorted and distinct, with
    the keys each one belongs to as CSR (``form_ptr``, ``form_keys``: the lemma "train"
    can serve both "trains" and "trained"). :meth:`neighbourhood` adds the keys'
    thesaurus neighbours, for the side of a comparison that is expanded.
    """

    ids: np.ndarray  # form ids in key order, with the key each belongs to
    owner: np.ndarray
    form_ids: np.ndarray
    form_ptr: np.ndarray
    form_keys: np.ndarray
    capped: np.ndarray  # per key: a form has too many neighbours to be expanded
    _neighbourhood: Neighbourhood | None = None

    def neighbourhood(self, lexicon: Lexicon) -> Neighbourhood:
        """The keys' own forms followed by all their thesaurus neighbours (built on first
        use: only one side of a pair needs it)."""
        if self._neighbourhood is None:
            runs, run_entry, degree = lexicon.neighbour_runs(self.ids, MAX_SYNONYM_DEGREE)
            run_start = np.zeros(len(degree), dtype=np.int64)
            np.cumsum(degree[:-1], out=run_start[1:])
            self._neighbourhood = Neighbourhood(
                ids=np.concatenate([self.ids, *runs], dtype=lexicon.id_dtype),
                n_own=len(self.ids),
                own_key=self.owner,
                run_start=run_start,
                run_key=self.owner[run_entry],
            )
        return self._neighbourhood


def key_forms(keys: list[str], lexicon: Lexicon) -> KeyForms:
    """Build the :class:`KeyForms` of ``keys`` (vectorised over the CSR thesaurus)."""
    ids, owner = _forms_table(keys, lexicon)
    return _key_forms(ids, owner, len(keys), lexicon)


def _key_forms(ids: np.ndarray, owner: np.ndarray, n_keys: int, lexicon: Lexicon) -> KeyForms:
    """:class:`KeyForms` from the keys' form ids and the key each belongs to."""
    order = np.argsort(ids, kind="stable")
    sorted_ids, sorted_owner = ids[order], owner[order]
    form_ids, first = np.unique(sorted_ids, return_index=True)
    form_ptr = np.append(first, len(sorted_ids)).astype(np.int64)
    capped = np.zeros(n_keys, dtype=bool)
    if len(ids):
        degree = lexicon.degrees(ids)
        capped[owner[degree > MAX_SYNONYM_DEGREE]] = True
    return KeyForms(ids, owner, form_ids, form_ptr, sorted_owner, capped)


def match_matrix(
    keys_a: list[str],
    keys_b: list[str],
    lexicon: Lexicon,
    forms_a: KeyForms | None = None,
    forms_b: KeyForms | None = None,
    index_b: dict[str, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct content keys of a match which of b: (exact, exact-or-synonym).

    Synonyms are found in one vectorised pass: the thesaurus neighbourhoods of all of a's
    word forms are looked up among b's sorted forms at once. Pass the
    documents' cached :class:`KeyForms` (see :meth:`Canonical.key_forms`), and b's
    key -> position index (:meth:`Canonical.key_index`), to skip building them again.
    """
    if index_b is None:
        index_b = {k: j for j, k in enumerate(keys_b)}
    exact = np.zeros((len(keys_a), len(keys_b)), dtype=bool)
    cols = list(map(index_b.get, keys_a))
    rows = [i for i, j in enumerate(cols) if j is not None]
    exact[rows, [j for j in cols if j is not None]] = True
    full = exact.copy()
    fa = forms_a if forms_a is not None else key_forms(keys_a, lexicon)
    fb = forms_b if forms_b is not None else key_forms(keys_b, lexicon)
    if not len(fa.ids) or not len(fb.form_ids):
        return exact, full
    near = fa.neighbourhood(lexicon)
    # Mark b's forms in a vocabulary-wide table: testing a's whole neighbourhood is then
    # one gather, however large Moby's entries are (a byte an entry keeps the table in
    # cache; booleans, whose non-zero search numpy runs several times faster than bytes');
    # only the few hits are then traced back to their keys and forms.
    present = _presence_table(len(lexicon))
    present[fb.form_ids] = True
    try:
        hit = np.flatnonzero(present.take(near.ids))  # (take: a leaner loop than [ ])
    finally:
        present[fb.form_ids] = False
    hit_rows = near.keys_at(hit)
    hit_forms = np.searchsorted(fb.form_ids, near.ids[hit])
    # Each hit form stands for one or more keys of b: expand the CSR runs.
    counts = fb.form_ptr[hit_forms + 1] - fb.form_ptr[hit_forms]
    hit_rows = np.repeat(hit_rows, counts)
    full[hit_rows, fb.form_keys[run_positions(fb.form_ptr[hit_forms], counts)]] = True
    return exact, full


@dataclass(slots=True)
class KeyMatches:
    """Which content keys of two documents match, with a fast :meth:`related` for the word
    alignment: the sentence-level matrix answers most of its questions already."""

    exact: np.ndarray
    full: np.ndarray
    index_a: dict[str, int]
    index_b: dict[str, int]
    capped_a: np.ndarray
    _flat: bytes | None = None  # ``full`` row by row, one byte a cell, then ``capped_a``

    def related(self, a: str, b: str, lexicon: Lexicon) -> bool:
        """:meth:`Lexicon.related`, read from the matrix when both keys are in it (and a's
        neighbourhood was searched in full), asked of the lexicon otherwise."""
        i, j = self.index_a.get(a), self.index_b.get(b)
        if i is not None and j is not None:
            flat, width, capped_at = self.flat()
            if not flat[capped_at + i]:
                return bool(flat[i * width + j])
        return lexicon.related(a, b)

    def flat(self) -> tuple[bytes, int, int]:
        """``full`` as bytes, row by row (cell ``(i, j)`` at ``i * width + j``), followed by
        ``capped_a`` (from ``capped_at``): a bytes index is much faster than a numpy one for
        single questions asked from Python. Returns (bytes, width, capped_at)."""
        if self._flat is None:
            self._flat = self.full.tobytes() + self.capped_a.tobytes()
        return self._flat, self.full.shape[1], self.full.size


def match_keys(ca: Canonical, cb: Canonical, lexicon: Lexicon) -> KeyMatches:
    """The :class:`KeyMatches` of two documents' content keys (sentence tables)."""
    keys_a, keys_b = ca.sentence_table()[0], cb.sentence_table()[0]
    fa = ca.key_forms(lexicon)
    exact, full = match_matrix(keys_a, keys_b, lexicon, fa, cb.key_forms(lexicon), cb.key_index())
    return KeyMatches(
        exact=exact, full=full, index_a=ca.key_index(), index_b=cb.key_index(), capped_a=fa.capped
    )


_SCRATCH = threading.local()


def _presence_table(size: int) -> np.ndarray:
    """A table of one False per vocabulary entry, one per thread, reused by every
    comparison (and left all zero after each): allocating it per pair would cost more
    than the lookup."""
    table = getattr(_SCRATCH, "present", None)
    if table is None or len(table) != size:
        table = _SCRATCH.present = np.zeros(size, dtype=bool)
    return table


def _forms_table(keys: list[str], lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """Form ids of every key, and the index of the key each one belongs to."""
    forms = lexicon.forms_of(keys)
    ids = np.fromiter(chain.from_iterable(forms), dtype=np.int64)
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), list(map(len, forms)))
    return ids, owner
