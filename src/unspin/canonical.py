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

    @property
    def keys(self) -> list[str]:
        return self.analysis.keys


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


def canonicalise(analysis: Analysis, lexicon: Lexicon | None = None) -> Canonical:
    """Weigh every token of an analysed document."""
    lexicon = lexicon or default_lexicon()
    lexicon.prime(analysis.keys + [k[:-2] for k in analysis.keys if k.endswith("'s")])
    cache: dict[str, tuple[float, bool]] = {}
    weights: list[float] = []
    immutable: list[bool] = []
    for key in analysis.keys:
        wi = cache.get(key)
        if wi is None:
            wi = cache[key] = token_weight(key, lexicon)
        weights.append(wi[0])
        immutable.append(wi[1])
    return Canonical(analysis, weights, immutable)


def match_matrix(
    keys_a: list[str], keys_b: list[str], lexicon: Lexicon
) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct content keys of a match which of b: (exact, exact-or-synonym).

    Synonyms are found by intersecting each unmatched key's thesaurus neighbourhood with
    the other text's vocabulary (not by testing every pair), which keeps an 800-word pair
    at a few thousand set operations.
    """
    index_b = {k: j for j, k in enumerate(keys_b)}
    exact = np.zeros((len(keys_a), len(keys_b)), dtype=bool)
    for i, k in enumerate(keys_a):
        j = index_b.get(k)
        if j is not None:
            exact[i, j] = True
    full = exact.copy()
    # Forms (word and lemma ids) of b's keys that have no exact partner in a.
    matched_b = exact.any(axis=0)
    by_form: dict[int, list[int]] = {}
    for j, k in enumerate(keys_b):
        for f in lexicon.forms(k):
            by_form.setdefault(f, []).append(j)
    forms_b = set(by_form)
    matched_a = exact.any(axis=1)
    for i, k in enumerate(keys_a):
        fa = lexicon.forms(k)
        if not fa:
            continue
        hits: set[int] = forms_b.intersection(fa)
        for x in fa:
            hits |= forms_b.intersection(lexicon.neighbours(x))
        for f in hits:
            for j in by_form[f]:
                if not (matched_a[i] and matched_b[j]):
                    full[i, j] = True
    return exact, full
