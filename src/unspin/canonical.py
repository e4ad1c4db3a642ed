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

from dataclasses import dataclass

import numpy as np

from unspin.lexicon import Lexicon, default_lexicon
from unspin.normalise import STOP_WORDS, Analysis

# Weights on the Zipf scale: a word seen once per million words (Zipf 3) weighs 4, a common
# content word (Zipf 5.5) weighs 1.5; words the frequency list has never seen weigh most.
_MAX_WEIGHT = 5.0
_MIN_WEIGHT = 1.0
_IMMUTABLE_BONUS = 1.0


@dataclass(slots=True)
class Canonical:
    """An :class:`Analysis` plus, per token, its weight as evidence (0 for stop words)."""

    analysis: Analysis
    weights: list[float]
    immutable: list[bool]
    _table: tuple[list[str], np.ndarray] | None = None

    @property
    def keys(self) -> list[str]:
        return self.analysis.keys

    def sentence_table(self) -> tuple[list[str], np.ndarray]:
        """Distinct content keys, and a sentences x keys matrix of their weights.

        Computed once per document: a document compared many times (``--pairs``, an index)
        pays for it once.
        """
        if self._table is None:
            keys: dict[str, int] = {}
            rows, cols, vals = [], [], []
            for s, sent in enumerate(self.analysis.sentences):
                for t in range(sent.lo, sent.hi):
                    w = self.weights[t]
                    if w > 0:
                        rows.append(s)
                        cols.append(keys.setdefault(self.keys[t], len(keys)))
                        vals.append(w)
            mat = np.zeros((len(self.analysis.sentences), len(keys)), dtype=np.float32)
            # A word repeated in a sentence counts once, at its weight.
            mat[rows, cols] = vals
            self._table = (list(keys), mat)
        return self._table


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


_CACHE_LIMIT = 300_000
# Thesaurus entries with more neighbours than this are not searched for synonyms at the
# sentence level (see Lexicon.neighbour_table); word alignment still tests them pairwise.
MAX_SYNONYM_DEGREE = 600
_WEIGHTS: dict[int, dict[str, tuple[float, bool]]] = {}


def _weight_cache(lexicon: Lexicon) -> dict[str, tuple[float, bool]]:
    """Token weights per lexicon, kept across documents: news reuses its words."""
    return _WEIGHTS.setdefault(id(lexicon), {})


def canonicalise(analysis: Analysis, lexicon: Lexicon | None = None) -> Canonical:
    """Weigh every token of an analysed document."""
    lexicon = lexicon or default_lexicon()
    cache = _weight_cache(lexicon)
    keys = analysis.keys
    new = [k for k in keys if k not in cache]
    lexicon.prime(new + [k[:-2] for k in new if k.endswith("'s")])
    weights: list[float] = []
    immutable: list[bool] = []
    for key in analysis.keys:
        wi = cache.get(key)
        if wi is None:
            wi = token_weight(key, lexicon)
            if len(cache) < _CACHE_LIMIT:
                cache[key] = wi
        weights.append(wi[0])
        immutable.append(wi[1])
    return Canonical(analysis, weights, immutable)


def match_matrix(
    keys_a: list[str], keys_b: list[str], lexicon: Lexicon
) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct content keys of a match which of b: (exact, exact-or-synonym).

    Synonyms are found in one vectorised pass: the thesaurus neighbourhoods of all of a's
    word forms are gathered from the CSR table and tested against b's forms at once.
    """
    index_b = {k: j for j, k in enumerate(keys_b)}
    exact = np.zeros((len(keys_a), len(keys_b)), dtype=bool)
    for i, k in enumerate(keys_a):
        j = index_b.get(k)
        if j is not None:
            exact[i, j] = True
    full = exact.copy()
    # Word forms (word and lemma ids) of each side, with the key they belong to.
    fb_ids, fb_key = _forms_table(keys_b, lexicon)
    fa_ids, fa_key = _forms_table(keys_a, lexicon)
    if not len(fa_ids) or not len(fb_ids):
        return exact, full
    # Number b's distinct forms and mark them in a vocabulary-wide table: testing a's whole
    # neighbourhood against it is one gather, however large Moby's entries are.
    uniq, inverse = np.unique(fb_ids, return_inverse=True)
    slot = np.full(len(lexicon), -1, dtype=np.int32)
    slot[uniq] = np.arange(len(uniq), dtype=np.int32)
    # b's keys by form slot, as CSR (a form such as the lemma "train" can serve two keys).
    order = np.argsort(inverse, kind="stable")
    slot_keys = fb_key[order]
    slot_ptr = np.zeros(len(uniq) + 1, dtype=np.int64)
    np.add.at(slot_ptr, inverse + 1, 1)
    slot_ptr = np.cumsum(slot_ptr)
    # Candidates: a's own forms (same lemma) and their thesaurus neighbours.
    neigh, owner = lexicon.neighbour_table(fa_ids, MAX_SYNONYM_DEGREE)
    cand = np.concatenate([fa_ids, neigh])
    cand_owner = np.concatenate([fa_key, fa_key[owner]])
    slots = slot[cand]
    hit = slots >= 0
    rows, hit_slots = cand_owner[hit], slots[hit].astype(np.int64)
    counts = slot_ptr[hit_slots + 1] - slot_ptr[hit_slots]
    rows = np.repeat(rows, counts)
    first = np.cumsum(counts) - counts
    pos = (
        np.arange(int(counts.sum()))
        - np.repeat(first, counts)
        + np.repeat(slot_ptr[hit_slots], counts)
    )
    full[rows, slot_keys[pos]] = True
    return exact, full


def _forms_table(keys: list[str], lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """Form ids of every key, and the index of the key each one belongs to."""
    ids: list[int] = []
    owner: list[int] = []
    for i, k in enumerate(keys):
        for f in lexicon.forms(k):
            ids.append(f)
            owner.append(i)
    return np.array(ids, dtype=np.int64), np.array(owner, dtype=np.int64)
