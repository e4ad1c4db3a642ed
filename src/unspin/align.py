"""Aligning reused passages through spinning, reordering and sentence splits.

The method follows the seed-extend-filter scheme of the best PAN text-alignment systems
(Sanchez-Perez et al. 2014), with a similarity that sees through spinning:

1. **Seeds**: every sentence pair scored by weighted overlap of content words, where a word
   matches its exact form, its inflections and its thesaurus neighbours
   (:func:`unspin.canonical.match_matrix`). Pairs that are similar enough *and* share
   enough exact anchors (names, numbers, unswapped words) become seeds.
2. **Extend**: seeds that follow each other in both texts (including one sentence split in
   two or two merged in one) chain into passages; reordered blocks stay separate passages.
3. **Align words** inside each passage (difflib over token keys): runs of equal tokens are
   kept words, the replaced runs between them are the substitutions.
4. **Filter**: a passage must carry enough evidence to be reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from unspin.canonical import NUMBERISH, Canonical, KeyMatches, match_keys
from unspin.lexicon import Lexicon, run_positions
from unspin.models import Passage, Substitution
from unspin.normalise import STOP_WORDS


@dataclass(frozen=True, slots=True)
class AlignParams:
    """Thresholds of the alignment; defaults tuned on spun BBC news (see BENCHMARKS.md)."""

    seed_similarity: float = 0.42  # weighted overlap of a sentence pair, exact + synonyms
    seed_anchor: float = 5.0  # weight of exactly shared words a seed needs
    seed_relative: float = 0.75  # a seed must be this close to its row's or column's best
    extend_similarity: float = 0.4  # a diagonal neighbour of a seed joins it from here
    extend_anchor: float = 2.0
    containment_factor: float = 0.6  # weight of containment against Dice in a seed's score
    seed_contained_weight: float = 10.0  # explained weight containment needs to count
    passage_evidence: float = 12.0  # matched weight a passage needs to be reported
    passage_similarity: float = 0.35  # word-level similarity a passage needs
    # A lone sentence pair is where chance matches between texts on one topic live ("The
    # Bank of England held rates at 4.75%"): alone, a pair must be a closer rewrite.
    single_similarity: float = 0.8
    single_near_similarity: float = 0.6  # ... unless it sits next to a confirmed passage
    near_reach: int = 6  # sentences between a lone pair and a confirmed passage
    max_phrase: int = 4  # longest replaced run read as one phrase substitution
    moved_min: int = 3  # leftover words each side needs before looking for moved clauses
    loose_unit: float = 0.5  # below this similarity a unit's position-only pairs are dropped


@dataclass(slots=True)
class WordAlignment:
    """What the word alignment of one passage found."""

    substitutions: list[Substitution]
    matched_weight_a: float
    matched_weight_b: float
    total_weight_a: float
    total_weight_b: float
    aligned_words: int
    substituted_words: int
    # Token ranges of each substitution (for changed facts): (a_lo, a_hi, b_lo, b_hi, strong),
    # strong when a thesaurus (or a number phrase) explains the swap.
    spans: list[tuple[int, int, int, int, bool]]


def _key_sentences(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sentences each key occurs in, as CSR (``ptr``, ``sentences``), from a
    sentences x keys weight matrix: most keys occur once or twice."""
    n_sentences, n_keys = weights.shape
    # (np.nonzero of a 2-d array is several times slower than of a flat one.)
    keys, sentences = np.divmod(np.flatnonzero(weights.T > 0), n_sentences)
    ptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n_keys), out=ptr[1:])
    return ptr, sentences


def _reach(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, csr: tuple[np.ndarray, np.ndarray], n: int
) -> np.ndarray:
    """An ``n_rows`` x ``n`` 0/1 matrix: row ``r`` reaches sentence ``t`` when some matched
    key pair ``(r, c)`` (of ``rows``, ``cols``) has key ``c`` in sentence ``t`` (``csr``:
    :func:`_key_sentences` of the other side). The same as thresholding the product of
    the match matrix with the keys' sentence incidence, but touching only the matches:
    a few in a hundred key pairs match."""
    ptr, sentences = csr
    counts = ptr[cols + 1] - ptr[cols]
    out = np.zeros((n_rows, n), dtype=np.float32)
    out[np.repeat(rows, counts), sentences[run_positions(ptr[cols], counts)]] = 1.0
    return out


def _sentence_matrices(ca: Canonical, cb: Canonical, matches: KeyMatches, params: AlignParams):
    """Sentence x sentence similarity (with synonyms) and exact-anchor weight.

    The similarity is the weighted Dice overlap, or, when higher, a discounted containment
    (one sentence wholly inside a longer rewrite).
    """

    _, wa = ca.sentence_table()
    _, wb = cb.sentence_table()
    exact, full = matches.exact, matches.full
    n_a, n_b = len(wa), len(wb)
    # The matched key pairs (exact ones are among them), and where each key occurs.
    hits = np.flatnonzero(full)
    rows, cols = np.divmod(hits, full.shape[1])
    same = exact.ravel()[hits]
    sents_a, sents_b = _key_sentences(wa), _key_sentences(wb)
    # m_a[s, t]: weight of sentence s's words that have a partner in sentence t; m_b likewise.
    m_a = wa @ _reach(rows, cols, full.shape[0], sents_b, n_b)
    m_b = _reach(cols, rows, full.shape[1], sents_a, n_a).T @ wb.T
    anchors = wa @ _reach(rows[same], cols[same], full.shape[0], sents_b, n_b)
    w_a, w_b = wa.sum(axis=1)[:, None], wb.sum(axis=1)[None, :]
    total = w_a + w_b
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(total > 0, (m_a + m_b) / total, 0.0)
        # Containment: the share of one sentence explained by the other, for a sentence
        # reused inside a longer one; only counted where enough weight is explained.
        c_a = np.where((w_a > 0) & (m_a >= params.seed_contained_weight), m_a / w_a, 0.0)
        c_b = np.where((w_b > 0) & (m_b >= params.seed_contained_weight), m_b / w_b, 0.0)
    contained = np.maximum(c_a, c_b)
    score = np.maximum(sim, params.containment_factor * contained)
    return score, anchors


def seed_pairs(
    ca: Canonical,
    cb: Canonical,
    lexicon: Lexicon,
    params: AlignParams,
    matches: KeyMatches | None = None,
) -> tuple[list[tuple[int, int, float]], set[tuple[int, int]]]:
    """Sentence pairs (index in a, index in b, similarity) that look like rewrites, and which
    of them are seeds in their own right (the others joined as weaker diagonal neighbours of
    one)."""
    if not ca.analysis.sentences or not cb.analysis.sentences:
        return [], set()
    if matches is None:
        matches = match_keys(ca, cb, lexicon)
    sim, anchors = _sentence_matrices(ca, cb, matches, params)
    row_best = sim.max(axis=1, keepdims=True)
    col_best = sim.max(axis=0, keepdims=True)
    ok = (sim >= params.seed_similarity) & (anchors >= params.seed_anchor)
    ok &= (sim >= params.seed_relative * row_best) | (sim >= params.seed_relative * col_best)
    strong_s, strong_t = np.nonzero(ok)
    strong = set(zip(strong_s.tolist(), strong_t.tolist(), strict=True))
    # Extend: the diagonal neighbours of a seed need less to join it (a heavily spun
    # sentence next to a clear match is a rewrite, not a coincidence).
    weak = (sim >= params.extend_similarity) & (anchors >= params.extend_anchor) & ~ok
    n_a, n_b = sim.shape
    frontier = list(strong)
    while frontier:
        s, t = frontier.pop()
        for ds, dt in ((1, 1), (-1, -1)):
            u, v = s + ds, t + dt
            if 0 <= u < n_a and 0 <= v < n_b and weak[u, v]:
                weak[u, v] = False
                ok[u, v] = True
                frontier.append((u, v))
    s_idx, t_idx = np.nonzero(ok)
    # (Python numbers in one conversion each, not a numpy scalar a seed.)
    seeds = list(zip(s_idx.tolist(), t_idx.tolist(), sim[s_idx, t_idx].tolist(), strict=True))
    return seeds, strong


def chain_seeds(seeds: list[tuple[int, int, float]]) -> list[list[tuple[int, int, float]]]:
    """Group seeds into monotonic chains: neighbours in both texts, in the same order.

    Adjacent steps are (0|1, 0|1), covering split and merged sentences; a diagonal step of
    two bridges one sentence rewritten beyond recognition on both sides.
    """
    parent = list(range(len(seeds)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pos = {(s, t): i for i, (s, t, _) in enumerate(seeds)}
    for i, (s, t, _) in enumerate(seeds):
        for ds, dt in ((0, 1), (1, 0), (1, 1), (2, 2)):
            j = pos.get((s + ds, t + dt))
            if j is not None:
                parent[find(i)] = find(j)
    groups: dict[int, list[tuple[int, int, float]]] = {}
    for i, seed in enumerate(seeds):
        groups.setdefault(find(i), []).append(seed)
    return [sorted(g) for g in groups.values()]


_NUMBERISH = NUMBERISH


_NUMBER_GLUE = frozenset({"a", "an", "and", "of"})


def _numberish(keys: list[str]) -> bool:
    """A run made only of number words and their glue ("a few", "tens of thousands")."""
    return all(k[0].isdigit() or k in _NUMBERISH or k in _NUMBER_GLUE for k in keys) and any(
        k[0].isdigit() or (k in _NUMBERISH and k not in ("a", "an")) for k in keys
    )


def _run_kind(keys: list[str], has_number: bool, phrases: frozenset[str]) -> tuple[bool, bool]:
    """Of a run of words: could it be one side of a phrase substitution at all (a
    thesaurus entry, or a number phrase, which needs a number in it: most runs are ruled
    out by that alone), and is it a thesaurus entry?"""
    known = " ".join(keys) in phrases
    return known or (has_number and _numberish(keys)), known


_Opcode = tuple[str, int, int, int, int]  # tag, a start, a end, b start, b end


def _opcodes(a: list[str], b: list[str]) -> list[_Opcode]:
    """Word-level edit script: runs of equal words and the blocks between them.

    The longest common subsequence of the words (rapidfuzz, in C++). A short run of
    grammar words matched between two edits ("the" in "X the Y" for "P the Q") is no
    anchor: it is folded into the block around it. Every run of edits between two anchors
    becomes one block, as difflib reports them.
    """
    # (as_list gives tuples; rapidfuzz's stubs say Opcode objects.)
    raw: list[_Opcode] = Indel.opcodes(a, b).as_list()  # type: ignore[assignment]
    out: list[_Opcode] = []
    last = len(raw) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(raw):
        if tag == "equal" and 0 < k < last and i2 - i1 <= 2 and STOP_WORDS.issuperset(a[i1:i2]):
            tag = "replace"
        if tag != "equal" and out and out[-1][0] != "equal":
            _, i1, _, j1, _ = out[-1]
        elif tag != "equal":
            pass
        else:
            out.append((tag, i1, i2, j1, j2))
            continue
        kind = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
        if out and out[-1][0] != "equal":
            out[-1] = (kind, i1, i2, j1, j2)
        else:
            out.append((kind, i1, i2, j1, j2))
    return out


def _contiguous(i_list: list[int], j_list: list[int]) -> bool:
    return (i_list[-1] - i_list[0] == len(i_list) - 1) and (
        j_list[-1] - j_list[0] == len(j_list) - 1
    )


def _run_end(idx: list[int]) -> int:
    """Start of the contiguous run that ends ``idx``."""
    k = len(idx) - 1
    while k > 0 and idx[k - 1] == idx[k] - 1:
        k -= 1
    return k


def _run_start(idx: list[int]) -> int:
    """End of the contiguous run that opens ``idx``."""
    k = 1
    while k < len(idx) and idx[k] == idx[k - 1] + 1:
        k += 1
    return k


def _edge_runs(i_list: list[int], j_list: list[int]) -> list[tuple[list[int], list[int]]]:
    """The contiguous heads and the contiguous tails of two leftover runs, paired.

    Between two anchors of moved text, only words next to an anchor on both sides can be
    word swaps of each other; the rest of the leftovers came from elsewhere.
    """
    if _contiguous(i_list, j_list):
        return [(i_list, j_list)]
    head = (i_list[: _run_start(i_list)], j_list[: _run_start(j_list)])
    tail = (i_list[_run_end(i_list) :], j_list[_run_end(j_list) :])
    return [head] if tail == head else [head, tail]


# Scores of one word against one word (shared tuples: the aligner asks millions of times).
_SYNONYM = (2.0, True)
_PLAIN = (0.5, False)
_GRAMMAR = (0.1, False)
_NO = (-1.0, False)
_PHRASE = (2.5, True)
# Back-pointers of the segmentation search: a word of a left over, a word of b left over.
_UP = (1, 0, False)
_LEFT = (0, 1, False)


class _BlockAligner:
    """Splits a replaced run into word or phrase substitutions and gaps.

    Inside a run that difflib could not match ("three years" vs "a few yrs to protect its
    health system"), a small dynamic programme picks pieces of up to three words a side:
    thesaurus-related pieces score most, number phrases next, plain word-for-word swaps
    least, and words left over are insertions or deletions. Plain swaps are kept only where
    they hang together with an anchor, so that unrelated clauses are not paired word by word.

    One aligner serves a whole pair of documents: scores of word pairs and phrase look-ups
    are kept for every passage and every unit of the pair.
    """

    MAX_BLOCK = 6
    EDGE = 4  # words at each end of a long uneven run searched for swaps
    MAX_EVEN = 3  # longest word-for-word run whose unrelated pairs still count as swaps
    # Piece shapes (words in a, words in b): one word for a phrase either way, or 2 for 2.
    SHAPES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2))

    def __init__(
        self, ca: Canonical, cb: Canonical, lexicon: Lexicon, matches: KeyMatches | None = None
    ) -> None:
        self.ca, self.cb = ca, cb
        self.ka, self.kb, self.wa, self.wb = ca.keys, cb.keys, ca.weights, cb.weights
        self.stop_a, self.num_a = ca.token_flags()
        self.stop_b, self.num_b = cb.token_flags()
        self.lexicon = lexicon
        self.matches = matches
        self._text_a, self._starts_a = ca.analysis.text, ca.analysis.starts
        self._text_b, self._starts_b = cb.analysis.text, cb.analysis.starts
        self._opens_a, self._opens_b = ca.analysis.sentence_starts, cb.analysis.sentence_starts
        # The key matches as bytes, and each token's row or column in them (None: not there).
        self._flat = b""
        self._cols_a: list[int | None] = [None] * len(ca.keys)
        self._cols_b: list[int | None] = [None] * len(cb.keys)
        self._width = self._capped_at = 0
        if matches is not None:
            self._flat, self._width, self._capped_at = matches.flat()
            self._cols_a = ca.key_columns(matches.index_a)
            self._cols_b = cb.key_columns(matches.index_b)
        self._scores: dict[tuple[int, int, int, int], tuple[float, bool]] = {}
        # (side, end, length) of a run of words -> (could be one side of a phrase
        # substitution, is a thesaurus entry)
        self._runs: dict[tuple[int, int, int], tuple[bool, bool]] = {}

    def new_passage(self) -> None:
        """Forget the scores of pieces of several words (they are keyed by where a piece
        starts and its length, which names one piece only within a passage)."""
        self._scores = {}

    def piece_score(self, a: list[int], b: list[int]) -> tuple[float, bool]:
        """Score of pairing tokens ``a`` with ``b``; and whether the pairing stands alone."""
        if len(a) == 1 and len(b) == 1:
            return self.word_score(a[0], b[0])
        key = (a[0], len(a), b[0], len(b))
        cached = self._scores.get(key)
        if cached is None:
            cached = self._scores[key] = self._piece_score(a, b)
        return cached

    def word_score(self, i: int, j: int) -> tuple[float, bool]:
        """:meth:`piece_score` of one token for one token (the common case, kept lean: one
        call, the matrix of key matches read as bytes; not cached, since a pair of tokens
        is seldom asked twice)."""
        stop = self.stop_a[i]
        if stop != self.stop_b[j]:
            return _NO  # "is" -> "check": grammar never turns into content
        ra, rb = self._cols_a[i], self._cols_b[j]
        if ra is not None and rb is not None and not self._flat[self._capped_at + ra]:
            related = self._flat[ra * self._width + rb]
        else:
            related = self.lexicon.related(self.ka[i], self.kb[j])
        if related:
            return _SYNONYM
        if (
            self.wa[i] > 0
            and self.wb[j] > 0
            # Same kind of token: a number for a number, a name (capitalised, not opening
            # its sentence) for a name ("Putin" never becomes "walks").
            and self.ka[i][0].isdigit() == self.kb[j][0].isdigit()
            and (self._text_a[self._starts_a[i]].isupper() and i not in self._opens_a)
            == (self._text_b[self._starts_b[j]].isupper() and j not in self._opens_b)
        ):
            return _PLAIN
        return _GRAMMAR if stop else _NO

    def _run(self, side: int, tokens: list[int], end: int, n: int) -> tuple[bool, bool]:
        """Of the ``n`` tokens ending at ``tokens[end - 1]`` (of a when ``side`` is 0): could
        they be one side of a phrase substitution at all (a number phrase or a thesaurus
        entry), and are they a thesaurus entry? Asked once per run of a pair."""
        start = tokens[end - n]
        key = (side, start, n)
        cached = self._runs.get(key)
        if cached is None:
            all_keys, numbers = (self.ka, self.num_a) if side == 0 else (self.kb, self.num_b)
            contiguous = tokens[end - 1] - start == n - 1
            if contiguous:
                keys = all_keys[start : start + n]
                has_number = True in numbers[start : start + n]
            else:  # not contiguous in the text: not kept
                keys = [all_keys[x] for x in tokens[end - n : end]]
                has_number = True in [numbers[x] for x in tokens[end - n : end]]
            cached = _run_kind(keys, has_number, self.lexicon.phrases())
            if contiguous:
                self._runs[key] = cached
        return cached

    def _phrase_ends(self, side: int, tokens: list[int]) -> tuple[list[int], list[int]]:
        """Where the runs of two and of three ``tokens`` end that could be one side of a
        phrase substitution: :meth:`_run` for every run of a block in one pass. A block
        contiguous in the text (every block of the first pass) is judged from one slice of
        its keys, the number test skipped when it holds no number."""
        keys, numbers = (self.ka, self.num_a) if side == 0 else (self.kb, self.num_b)
        twos: list[int] = []
        threes: list[int] = []
        lo, size = tokens[0], len(tokens)
        if tokens[-1] - lo != size - 1:  # (moved words: runs looked up one by one)
            for n, ends in ((2, twos), (3, threes)):
                ends.extend(end for end in range(n, size + 1) if self._run(side, tokens, end, n)[0])
            return twos, threes
        words, flags = keys[lo : lo + size], numbers[lo : lo + size]
        any_number = True in flags
        phrases, cache = self.lexicon.phrases(), self._runs
        for n, ends in ((2, twos), (3, threes)):
            for end in range(n, size + 1):
                has_number = any_number and True in flags[end - n : end]
                found = _run_kind(words[end - n : end], has_number, phrases)
                if found[0]:
                    cache[(side, lo + end - n, n)] = found  # (for the pieces' look-ups)
                    ends.append(end)
        return twos, threes

    def _piece_score(self, a: list[int], b: list[int]) -> tuple[float, bool]:
        la, lb = len(a), len(b)
        # A run of several words is related to anything only if it is a thesaurus entry
        # itself (or the same words): asking that first spares most look-ups. Keys hold no
        # spaces, so runs of different lengths are never the same words.
        entries = (la == 1 or self._run(0, a, la, la)[1]) and (
            lb == 1 or self._run(1, b, lb, lb)[1]
        )
        if entries or la == lb:
            joined_a = " ".join([self.ka[i] for i in a])
            joined_b = " ".join([self.kb[j] for j in b])
            if joined_a == joined_b or (entries and self.lexicon.related(joined_a, joined_b)):
                return _PHRASE
        num_a, num_b = self.num_a, self.num_b
        if True in [num_a[i] for i in a] and True in [num_b[j] for j in b]:
            ka = [self.ka[i] for i in a]
            kb = [self.kb[j] for j in b]
            if _numberish(ka) and _numberish(kb):
                # A number phrase is one unit: "millions" -> "thousands and thousands"
                # whole, not "millions" -> "thousands" plus two stray words.
                return 1.0 + 0.6 * (max(la, lb) - 1), True
        return _NO

    def _one_to_few(
        self, a: list[int], b: list[int], even: bool
    ) -> list[tuple[list[int], list[int], bool]]:
        """One word against a run of two or three: the word against the best window of the
        run (what the general search would find, found directly)."""
        best: tuple[float, bool] | None = None
        best_pa: list[int] = a
        best_pb: list[int] = b
        one_a = len(b) == 1
        run = a if one_a else b
        side = 0 if one_a else 1
        for n in range(1, len(run) + 1):
            for i in range(len(run) - n + 1):
                if n > 1 and not self._run(side, run, i + n, n)[0]:
                    continue  # neither an entry nor a number phrase: pairs with nothing
                w = run[i : i + n]
                pa, pb = (w, b) if one_a else (a, w)
                s = self.piece_score(pa, pb)
                if s[0] > 0 and (best is None or s[0] > best[0]):
                    best, best_pa, best_pb = s, pa, pb
        if best is None:
            return []
        return [(best_pa, best_pb, best[1])] if best[1] or even else []

    def split(
        self, a: list[int], b: list[int], even: bool | None = None
    ) -> list[tuple[list[int], list[int], bool]]:
        """Pieces (a tokens, b tokens, strong) of the best segmentation, in order.

        ``even``: the replaced run has as many words on both sides (word-for-word swaps
        are then plausible everywhere in it); defaults to comparing the lengths.
        """
        la, lb = len(a), len(b)
        if even is None:
            # Spinners swap a word or a short phrase at a time: a long run replaced word
            # for word by unrelated words is a rewrite, not a series of swaps.
            even = la == lb <= self.MAX_EVEN
        if la == 1 and lb == 1:  # the common case: one word for one word
            s = self.word_score(a[0], b[0])
            return [(a, b, s[1])] if s[0] > 0 else []
        word_score = self.word_score
        if even and la <= self.MAX_BLOCK:
            num_a, num_b = self.num_a, self.num_b
            if not any(num_a[i] or num_b[j] for i, j in zip(a, b, strict=True)):
                # Word for word, as spinners mostly swap: pair by position, no search needed.
                out = []
                for i, j in zip(a, b, strict=True):
                    s = word_score(i, j)
                    if s[0] > 0:
                        out.append(([i], [j], s[1]))
                return out
        if min(la, lb) == 1 and max(la, lb) <= 3:
            return self._one_to_few(a, b, even)
        if la > self.MAX_BLOCK or lb > self.MAX_BLOCK:
            if la == lb:
                # A long run replaced word for word: only the thesaurus says which are swaps.
                return [([i], [j], True) for i, j in zip(a, b, strict=True) if word_score(i, j)[1]]
            # A long uneven run (a clause added or rewritten): only its two ends, next to
            # the anchors on either side, can hold word swaps worth reporting.
            m = self.EDGE
            head = self.split(a[:m], b[:m], False)
            if la < 2 * m or lb < 2 * m:
                tail_a, tail_b = a[min(la, m) :][-m:], b[min(lb, m) :][-m:]
            else:
                tail_a, tail_b = a[-m:], b[-m:]
            tail = self.split(tail_a, tail_b, False) if tail_a and tail_b else []
            return head + tail
        return self._search(a, b, even)

    def _search(
        self, a: list[int], b: list[int], even: bool
    ) -> list[tuple[list[int], list[int], bool]]:
        """The general case: the best segmentation of two runs of at most six words into
        pieces and left-over words, by dynamic programming over a flat grid."""
        la, lb = len(a), len(b)
        width = lb + 1
        # Every piece that can end at cell (i, j), scored once, in the order of SHAPES:
        # (di, dj, score, strong).
        pieces: list[list[tuple[int, int, float, bool]] | None] = [None] * ((la + 1) * width)
        word_score = self.word_score
        for i in range(1, la + 1):
            ai, row = a[i - 1], i * width
            for j in range(1, lb + 1):
                s = word_score(ai, b[j - 1])
                if s[0] > 0:
                    pieces[row + j] = [(1, 1, s[0], s[1])]
        # Which runs of 2-3 words could be one side of a phrase substitution at all.
        a2, a3 = self._phrase_ends(0, a)
        b2, b3 = self._phrase_ends(1, b)
        if a2 or a3 or b2 or b3:
            ends_a = {1: range(1, la + 1), 2: a2, 3: a3}
            ends_b = {1: range(1, lb + 1), 2: b2, 3: b3}
            piece_score = self.piece_score
            for di, dj in self.SHAPES[1:]:
                js = ends_b[dj]
                if not js:
                    continue
                for i in ends_a[di]:
                    pa, row = a[i - di : i], i * width
                    for j in js:
                        s = piece_score(pa, b[j - dj : j])
                        if s[0] > 0:
                            cell = pieces[row + j]
                            if cell is None:
                                pieces[row + j] = [(di, dj, s[0], s[1])]
                            else:
                                cell.append((di, dj, s[0], s[1]))
        best = [0.0] * ((la + 1) * width)
        back: list[tuple[int, int, bool]] = [_LEFT] * ((la + 1) * width)  # (row 0: all left)
        for i in range(1, la + 1):
            row = i * width
            best[row] = best[row - width]
            back[row] = _UP
            for k in range(row + 1, row + width):
                cand, choice = best[k - width], _UP
                if best[k - 1] > cand:
                    cand, choice = best[k - 1], _LEFT
                cell = pieces[k]
                if cell is not None:
                    for di, dj, score, strong in cell:
                        total = best[k - di * width - dj] + score
                        if total > cand:
                            cand, choice = total, (di, dj, strong)
                best[k] = cand
                back[k] = choice
        steps: list[tuple[int, int, int, int, bool]] = []
        i, j = la, lb
        while i or j:
            di, dj, strong = back[i * width + j]
            steps.append((i - di, i, j - dj, j, strong))
            i, j = i - di, j - dj
        steps.reverse()
        # Keep strong pieces; keep weak (plain word-for-word) ones only in a block that is
        # word for word (same length on both sides) or chained to a strong piece.
        is_piece = [i2 > i1 and j2 > j1 for i1, i2, j1, j2, _ in steps]
        keep = [is_piece[k] and (steps[k][4] or even) for k in range(len(steps))]
        for order in (range(len(steps)), range(len(steps) - 1, -1, -1)):
            linked = False
            for k in order:
                if not is_piece[k]:
                    linked = False
                elif keep[k]:
                    linked = True
                elif linked:
                    keep[k] = True
        return [
            (a[i1:i2], b[j1:j2], strong)
            for k, (i1, i2, j1, j2, strong) in enumerate(steps)
            if keep[k]
        ]


def chain_units(chain: list[tuple[int, int, float]]) -> list[tuple[int, int, int, int]]:
    """Cut a chain of seeds into units of sentences to align word by word.

    Seeds that share a sentence belong together (a sentence split in two, or two merged in
    one); a sentence skipped on both sides between two units becomes a unit of its own.
    Returns inclusive sentence ranges (s0, s1, t0, t1) in order.
    """
    units: list[list[int]] = []
    for s, t, _ in sorted(chain):
        if units and (s <= units[-1][1] or t <= units[-1][3]):
            u = units[-1]
            u[1], u[3] = max(u[1], s), max(u[3], t)
        else:
            if units:
                u = units[-1]
                if s > u[1] + 1 and t > u[3] + 1:
                    units.append([u[1] + 1, s - 1, u[3] + 1, t - 1])
            units.append([s, s, t, t])
    return [(u[0], u[1], u[2], u[3]) for u in units]


class _WordTally:
    """The running totals of one passage's word alignment: matched weight on each side,
    content words aligned and substituted, and the substitutions found, as token ranges.

    (A class rather than closures over shared counters: closures that call one another
    form a reference cycle, which kept both documents of every pair alive until the
    garbage collector's next pass, and made each pass walk thousands of their tokens.)
    """

    def __init__(self, ca: Canonical, cb: Canonical, blocks: _BlockAligner) -> None:
        self.ka, self.kb, self.wa, self.wb = ca.keys, cb.keys, ca.weights, cb.weights
        self.blocks = blocks
        self.subs: list[tuple[int, int, int, int, bool]] = []
        self.matched_a = 0.0
        self.matched_b = 0.0
        self.aligned = 0
        self.substituted = 0

    def add_equal(self, i_list: Sequence[int], j_list: Sequence[int]) -> None:
        """Count the tokens ``i_list`` and ``j_list`` as the same words, kept."""
        wa, wb = self.wa, self.wb
        weights = [wa[i] for i in i_list]
        self.matched_a += sum(weights)
        self.matched_b += sum([wb[j] for j in j_list])
        self.aligned += len(weights) - weights.count(0.0)  # content words (weights >= 0)

    def add_span(self, a0: int, a1: int, b0: int, b1: int) -> None:
        """:meth:`add_equal` of the tokens ``[a0, a1)`` and ``[b0, b1)`` (slices are cheaper
        than gathering token by token)."""
        weights = self.wa[a0:a1]
        self.matched_a += sum(weights)
        self.matched_b += sum(self.wb[b0:b1])
        self.aligned += len(weights) - weights.count(0.0)

    def add_word(self, i: int, j: int, strong: bool) -> None:
        """:meth:`add_piece` of one word for one word (most pieces), kept lean."""
        w_a, w_b = self.wa[i], self.wb[j]
        if self.ka[i] == self.kb[j]:  # the same word, met again inside a rewritten run
            self.matched_a += w_a
            self.matched_b += w_b
            self.aligned += w_a != 0.0
        elif w_a or w_b:  # ("the" -> "a" is grammar, not spinning)
            self.subs.append((i, i + 1, j, j + 1, strong))
            self.substituted += 1
            self.aligned += 1
            if strong:  # a substitute is evidence of copying only when a spinner could make it
                self.matched_a += w_a
                self.matched_b += w_b

    def add_piece(self, i_list: list[int], j_list: list[int], strong: bool) -> None:
        """Count a piece the block aligner paired: a substitution, or the same words."""
        if len(i_list) == 1 and len(j_list) == 1:
            self.add_word(i_list[0], j_list[0], strong)
            return
        ka, kb, wa, wb = self.ka, self.kb, self.wa, self.wb
        if len(i_list) == len(j_list) and [ka[i] for i in i_list] == [kb[j] for j in j_list]:
            self.add_equal(i_list, j_list)  # the same words, met again inside a rewritten run
            return
        if not _contiguous(i_list, j_list):
            return  # a substitution is a contiguous run on both sides
        weights_a = [wa[i] for i in i_list]
        weights_b = [wb[j] for j in j_list]
        content_a = len(weights_a) - weights_a.count(0.0)
        content_b = len(weights_b) - weights_b.count(0.0)
        if not content_a and not content_b:
            return  # "the" -> "a": grammar, not spinning
        self.subs.append((i_list[0], i_list[-1] + 1, j_list[0], j_list[-1] + 1, strong))
        n = max(content_a, 1)
        self.substituted += n
        self.aligned += n
        if strong:
            self.matched_a += sum(weights_a)
            self.matched_b += sum(weights_b)

    def run(
        self,
        i_all: list[int],
        j_all: list[int],
        ops: list[tuple[str, int, int, int, int]],
        min_equal: int,
    ) -> tuple[list[int], list[int]]:
        """Align two token lists by their edit script; returns the tokens left unpaired on
        each side. The first pass (``min_equal`` 1) aligns whole units, contiguous runs of
        tokens."""
        wa = self.wa
        split, word_score = self.blocks.split, self.blocks.word_score
        left_a: list[int] = []
        left_b: list[int] = []
        for op, i1, i2, j1, j2 in ops:
            if op == "equal":
                if min_equal == 1:
                    a0, b0 = i_all[i1], j_all[j1]
                    self.add_span(a0, a0 + i2 - i1, b0, b0 + j2 - j1)
                    continue
                i_list, j_list = i_all[i1:i2], j_all[j1:j2]
                if i2 - i1 >= min_equal or any(wa[i] >= 3.0 for i in i_list):
                    self.add_equal(i_list, j_list)
                else:
                    left_a.extend(i_list)
                    left_b.extend(j_list)
            elif op == "replace":
                if i2 - i1 == 1 and j2 - j1 == 1 and min_equal == 1:
                    # One word for one word, the spinner's commonest edit: no search.
                    i, j = i_all[i1], j_all[j1]
                    score, strong = word_score(i, j)
                    if score > 0:
                        self.add_word(i, j, strong)
                    else:
                        left_a.append(i)
                        left_b.append(j)
                    continue
                i_list, j_list = i_all[i1:i2], j_all[j1:j2]
                used_a: set[int] = set()
                used_b: set[int] = set()
                if min_equal == 1:
                    for pa, pb, strong in split(i_list, j_list):
                        self.add_piece(pa, pb, strong)
                        used_a.update(pa)
                        used_b.update(pb)
                else:
                    # Between moved runs only the words next to an anchor belong together.
                    for ia, jb in _edge_runs(i_list, j_list):
                        ia = [i for i in ia if i not in used_a]
                        jb = [j for j in jb if j not in used_b]
                        if not ia or not jb:
                            continue
                        for pa, pb, strong in split(ia, jb):
                            if not strong:
                                continue  # moved words pair up only through the thesaurus
                            self.add_piece(pa, pb, strong)
                            used_a.update(pa)
                            used_b.update(pb)
                if used_a:
                    left_a.extend(i for i in i_list if i not in used_a)
                else:
                    left_a.extend(i_list)
                if used_b:
                    left_b.extend(j for j in j_list if j not in used_b)
                else:
                    left_b.extend(j_list)
            elif op == "delete":
                left_a.extend(i_all[i1:i2])
            else:
                left_b.extend(j_all[j1:j2])
        return left_a, left_b


def align_words(
    ca: Canonical,
    cb: Canonical,
    units: list[tuple[int, int, int, int]],
    lexicon: Lexicon,
    params: AlignParams,
    matches: KeyMatches | None = None,
    blocks: _BlockAligner | None = None,
) -> WordAlignment:
    """Align the words of a passage, unit by unit.

    A unit is a token range of a, ``[a_lo, a_hi)``, and the range of b that rewrites it
    (one sentence each, or the sentences of a split or merge). Aligning units rather than
    whole passages keeps difflib's matching local and fast. Two passes per unit: difflib in
    order, then once more over the words it left unpaired on both sides, which recovers
    clauses the rewrite moved ("X said in a briefing that Y" for "Y, X said in a briefing").
    """
    ka, kb = ca.keys, cb.keys
    ta, tb = ca.analysis.text, cb.analysis.text
    sa, ea, sb, eb = ca.analysis.starts, ca.analysis.ends, cb.analysis.starts, cb.analysis.ends
    wa, wb = ca.weights, cb.weights
    if blocks is None:
        blocks = _BlockAligner(ca, cb, lexicon, matches)
    else:
        blocks.new_passage()
    tally = _WordTally(ca, cb, blocks)
    subs = tally.subs
    unit_weights_a: list[float] = []
    unit_weights_b: list[float] = []
    for a_lo, a_hi, b_lo, b_hi in units:
        before_a, before_b = tally.matched_a, tally.matched_b
        first_sub = len(subs)
        unit_keys_a, unit_keys_b = ka[a_lo:a_hi], kb[b_lo:b_hi]
        if unit_keys_a == unit_keys_b:
            # A sentence kept word for word (a reprint, or one the spinner left alone):
            # the edit script would be one run of equal words.
            tally.add_span(a_lo, a_hi, b_lo, b_hi)
            left_a: list[int] = []
            left_b: list[int] = []
        else:
            left_a, left_b = tally.run(
                list(range(a_lo, a_hi)),
                list(range(b_lo, b_hi)),
                _opcodes(unit_keys_a, unit_keys_b),
                1,
            )
        # A second pass looks for moved clauses: only worth it when both sides kept a run
        # of content words the first pass could not place.
        if (
            len(left_a) >= params.moved_min
            and len(left_b) >= params.moved_min
            and not {ka[i] for i in left_a if wa[i] > 0}.isdisjoint(
                kb[j] for j in left_b if wb[j] > 0
            )
        ):
            tally.run(left_a, left_b, _opcodes([ka[i] for i in left_a], [kb[j] for j in left_b]), 2)
        # In a loose unit (two sentences on one subject rather than one rewritten), words
        # paired only by position are not swaps: keep those the thesaurus explains.
        explained = (tally.matched_a - before_a) + (tally.matched_b - before_b)
        unit_a, unit_b = sum(wa[a_lo:a_hi]), sum(wb[b_lo:b_hi])
        unit_weights_a.append(unit_a)
        unit_weights_b.append(unit_b)
        total = unit_a + unit_b
        if total and explained / total < params.loose_unit:
            weak = [x for x in subs[first_sub:] if not x[4]]
            if weak:
                subs[first_sub:] = [x for x in subs[first_sub:] if x[4]]
                n_weak = sum(max(1, sum(1 for i in range(x[0], x[1]) if wa[i] > 0)) for x in weak)
                tally.substituted -= n_weak
                tally.aligned -= n_weak

    subs.sort()
    # (Positional arguments: a hundred substitutions a pair, and keywords cost twice the call.)
    substitutions = [
        Substitution(ta[sa[i1] : ea[i2 - 1]], tb[sb[j1] : eb[j2 - 1]], sa[i1], sb[j1])
        for i1, i2, j1, j2, _ in subs
    ]
    return WordAlignment(
        substitutions=substitutions,
        matched_weight_a=tally.matched_a,
        matched_weight_b=tally.matched_b,
        total_weight_a=sum(unit_weights_a),
        total_weight_b=sum(unit_weights_b),
        aligned_words=tally.aligned,
        substituted_words=tally.substituted,
        spans=subs,
    )


@dataclass(slots=True)
class AlignedPassage:
    """A passage with the word alignment behind it (kept for facts and judgement)."""

    passage: Passage
    words: WordAlignment
    token_spans: tuple[int, int, int, int]  # a_lo, a_hi, b_lo, b_hi


def _near(
    chain: list[tuple[int, int, float]], accepted: list[tuple[int, int, int, int]], reach: int
) -> bool:
    """A lone pair lying just after or before an accepted passage, in the same order in
    both texts: adjacent in one text, within ``reach`` sentences in the other (the other
    edition may have sentences of its own in between)."""
    s, t, _ = chain[0]
    for s0, s1, t0, t1 in accepted:
        for ds, dt in ((s - s1, t - t1), (s0 - s, t0 - t)):
            if ds > 0 and dt > 0 and min(ds, dt) <= 2 and max(ds, dt) <= reach:
                return True
    return False


def _lone_pair(
    chain: list[tuple[int, int, float]], strong: set[tuple[int, int]]
) -> tuple[int, int, float] | None:
    """The seed a chain rests on alone, if it rests on one: a single pair, or a pair with
    one weak diagonal neighbour (which adds little evidence of its own)."""
    if len(chain) == 1:
        return chain[0]
    if len(chain) == 2:
        own = [seed for seed in chain if (seed[0], seed[1]) in strong]
        if len(own) == 1:
            return own[0]
    return None


def align(
    ca: Canonical, cb: Canonical, lexicon: Lexicon, params: AlignParams | None = None
) -> list[AlignedPassage]:
    """All reused passages between two canonicalised documents, in order of text a."""
    params = params or AlignParams()
    sents_a, sents_b = ca.analysis.sentences, cb.analysis.sentences
    out: list[AlignedPassage] = []
    accepted: list[tuple[int, int, int, int]] = []  # sentence ranges of accepted passages
    pending: list[tuple[list[tuple[int, int, float]], AlignedPassage, float]] = []
    if not sents_a or not sents_b:
        return out
    matches = match_keys(ca, cb, lexicon)
    seeds, strong = seed_pairs(ca, cb, lexicon, params, matches)
    blocks = _BlockAligner(ca, cb, lexicon, matches)
    for chain in chain_seeds(seeds):
        s0, s1 = chain[0][0], max(s for s, _, _ in chain)
        t0, t1 = min(t for _, t, _ in chain), max(t for _, t, _ in chain)
        a_lo, a_hi = sents_a[s0].lo, sents_a[s1].hi
        b_lo, b_hi = sents_b[t0].lo, sents_b[t1].hi
        units = [
            (sents_a[u0].lo, sents_a[u1].hi, sents_b[v0].lo, sents_b[v1].hi)
            for u0, u1, v0, v1 in chain_units(chain)
        ]
        words = align_words(ca, cb, units, lexicon, params, matches, blocks)
        evidence = words.matched_weight_a + words.matched_weight_b
        total = words.total_weight_a + words.total_weight_b
        similarity = evidence / total if total else 0.0
        if evidence / 2 < params.passage_evidence or similarity < params.passage_similarity:
            continue
        passage = Passage(
            a_start=sents_a[s0].start,
            a_end=sents_a[s1].end,
            b_start=sents_b[t0].start,
            b_end=sents_b[t1].end,
            similarity=similarity,
            substitutions=words.substitutions,
            aligned_words=words.aligned_words,
            substituted_words=words.substituted_words,
        )
        aligned = AlignedPassage(passage, words, (a_lo, a_hi, b_lo, b_hi))
        lone = _lone_pair(chain, strong)
        if lone is not None:
            # Judge a lone pair by how much of the shorter side is explained: a sentence
            # reused inside a longer one ("..., analysts say" plus a new clause) still counts.
            # A seed with only a weak neighbour is judged by itself (two headlines naming
            # the same man beside two first sentences about him are two stories).
            if len(chain) > 1:
                s, t = lone[0], lone[1]
                lone_unit = (sents_a[s].lo, sents_a[s].hi, sents_b[t].lo, sents_b[t].hi)
                lone_words = align_words(ca, cb, [lone_unit], lexicon, params, matches, blocks)
            else:
                lone_words = words
            contained = max(
                lone_words.matched_weight_a / (lone_words.total_weight_a or 1.0),
                lone_words.matched_weight_b / (lone_words.total_weight_b or 1.0),
            )
            if contained < params.single_similarity:
                pending.append((chain, aligned, contained))
                continue
        out.append(aligned)
        accepted.append((s0, s1, t0, t1))
    # Second look at lone pairs: next to a confirmed passage, a looser rewrite is believable.
    for chain, aligned, contained in pending:
        if contained >= params.single_near_similarity and _near(chain, accepted, params.near_reach):
            out.append(aligned)
    out.sort(key=lambda p: (p.passage.a_start, p.passage.b_start))
    return out
