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

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from unspin.canonical import Canonical, KeyMatches, match_keys
from unspin.lexicon import Lexicon
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


def _sentence_matrices(ca: Canonical, cb: Canonical, matches: KeyMatches, params: AlignParams):
    """Sentence x sentence similarity (with synonyms) and exact-anchor weight.

    The similarity is the weighted Dice overlap, or, when higher, a discounted containment
    (one sentence wholly inside a longer rewrite).
    """

    _, wa = ca.sentence_table()
    _, wb = cb.sentence_table()
    exact, full = matches.exact, matches.full
    f32 = np.float32
    ia, ib = (wa > 0).astype(f32), (wb > 0).astype(f32)
    exact_f, full_f = exact.astype(f32), full.astype(f32)
    # m_a[s, t]: weight of sentence s's words that have a partner in sentence t; m_b likewise.
    m_a = wa @ ((full_f @ ib.T) > 0).astype(f32)
    m_b = ((ia @ full_f) > 0).astype(f32) @ wb.T
    anchors = wa @ ((exact_f @ ib.T) > 0).astype(f32)
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
    strong = {(int(s), int(t)) for s, t in zip(*np.nonzero(ok), strict=True)}
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
    seeds = [(int(s), int(t), float(sim[s, t])) for s, t in zip(s_idx, t_idx, strict=True)]
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


_NUMBERISH = frozenset(
    """a an few several many some couple dozen dozens hundreds thousands millions billions
    tens scores one two three four five six seven eight nine ten twenty hundred thousand
    million billion half""".split()
)


_NUMBER_GLUE = frozenset({"a", "an", "and", "of"})


def _numberish(keys: list[str]) -> bool:
    """A run made only of number words and their glue ("a few", "tens of thousands")."""
    return all(k[0].isdigit() or k in _NUMBERISH or k in _NUMBER_GLUE for k in keys) and any(
        k[0].isdigit() or (k in _NUMBERISH and k not in ("a", "an")) for k in keys
    )


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Word-level edit script: runs of equal words and the blocks between them.

    The longest common subsequence of the words (rapidfuzz, in C++). A short run of
    grammar words matched between two edits ("the" in "X the Y" for "P the Q") is no
    anchor: it is folded into the block around it. Every run of edits between two anchors
    becomes one block, as difflib reports them.
    """
    raw = [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in Indel.opcodes(a, b)
    ]
    out: list[tuple[str, int, int, int, int]] = []
    last = len(raw) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(raw):
        if (
            tag == "equal"
            and 0 < k < last
            and i2 - i1 <= 2
            and all(w in STOP_WORDS for w in a[i1:i2])
        ):
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


def _is_name(c: Canonical, i: int) -> bool:
    """A capitalised token that does not open its sentence."""
    a = c.analysis
    return a.text[a.starts[i]].isupper() and i not in a.sentence_starts


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


class _BlockAligner:
    """Splits a replaced run into word or phrase substitutions and gaps.

    Inside a run that difflib could not match ("three years" vs "a few yrs to protect its
    health system"), a small dynamic programme picks pieces of up to three words a side:
    thesaurus-related pieces score most, number phrases next, plain word-for-word swaps
    least, and words left over are insertions or deletions. Plain swaps are kept only where
    they hang together with an anchor, so that unrelated clauses are not paired word by word.
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
        self.lexicon = lexicon
        self.matches = matches
        self._scores: dict[tuple[int, int, int, int], tuple[float, bool]] = {}
        self._words: dict[tuple[int, int], tuple[float, bool]] = {}

    def _same_kind(self, i: int, j: int) -> bool:
        """Could token i of a have been swapped for token j of b without a thesaurus? Only
        if they are the same kind of token: a name for a name, a number for a number, a
        common word for a common word ("Putin" never becomes "walks")."""
        ki, kj = self.ka[i], self.kb[j]
        if ki[0].isdigit() != kj[0].isdigit():
            return False
        return _is_name(self.ca, i) == _is_name(self.cb, j)

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
        """:meth:`piece_score` of one token for one token (the common case, kept lean)."""
        key = (i, j)
        cached = self._words.get(key)
        if cached is None:
            cached = self._words[key] = self._word_score(i, j)
        return cached

    def _word_score(self, i: int, j: int) -> tuple[float, bool]:
        ki, kj = self.ka[i], self.kb[j]
        stop_i, stop_j = ki in STOP_WORDS, kj in STOP_WORDS
        if stop_i != stop_j:
            return -1.0, False  # "is" -> "check": grammar never turns into content
        if (
            self.matches.related(ki, kj, self.lexicon)
            if self.matches is not None
            else self.lexicon.related(ki, kj)
        ):
            return 2.0, True
        if self.wa[i] > 0 and self.wb[j] > 0 and self._same_kind(i, j):
            return 0.5, False
        return (0.1, False) if stop_i and stop_j else (-1.0, False)

    def _phrase_ok(self, keys: list[str]) -> bool:
        """Could this run be one side of a phrase substitution at all? (cheap filter)"""
        if _numberish(keys):
            return True
        return self.lexicon.may_be_phrase(keys) and bool(self.lexicon.forms(" ".join(keys)))

    def _piece_score(self, a: list[int], b: list[int]) -> tuple[float, bool]:
        ka = [self.ka[i] for i in a]
        kb = [self.kb[j] for j in b]
        if self.lexicon.related(" ".join(ka), " ".join(kb)):
            return 2.5, True
        if _numberish(ka) and _numberish(kb):
            # A number phrase is one unit: "millions" -> "thousands and thousands" whole,
            # not "millions" -> "thousands" plus two stray words.
            return 1.0 + 0.6 * (max(len(ka), len(kb)) - 1), True
        return -1.0, False

    def _one_to_few(
        self, a: list[int], b: list[int], even: bool
    ) -> list[tuple[list[int], list[int], bool]]:
        """One word against a run of two or three: the word against the best window of the
        run (what the general search would find, found directly)."""
        options: list[tuple[float, list[int], list[int], bool]] = []
        run = a if len(b) == 1 else b
        windows = [run[i : i + n] for n in range(1, len(run) + 1) for i in range(len(run) - n + 1)]
        for w in windows:
            pa, pb = (w, b) if len(b) == 1 else (a, w)
            score, strong = self.piece_score(pa, pb)
            if score > 0:
                options.append((score, pa, pb, strong))
        if not options:
            return []
        _, pa, pb, strong = max(options, key=lambda o: o[0])
        return [(pa, pb, strong)] if strong or even else []

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
            score, strong = self.piece_score(a, b)
            return [(a, b, strong)] if score > 0 else []
        if (
            even
            and la <= self.MAX_BLOCK
            and not any(
                _numberish([self.ka[i]]) or _numberish([self.kb[j]])
                for i, j in zip(a, b, strict=True)
            )
        ):
            # Word for word, as spinners mostly swap: pair by position, no search needed.
            out = []
            for i, j in zip(a, b, strict=True):
                score, strong = self.piece_score([i], [j])
                if score > 0:
                    out.append(([i], [j], strong))
            return out
        if min(la, lb) == 1 and max(la, lb) <= 3:
            return self._one_to_few(a, b, even)
        if la > self.MAX_BLOCK or lb > self.MAX_BLOCK:
            if la == lb:
                # A long run replaced word for word: only the thesaurus says which are swaps.
                out = []
                for i, j in zip(a, b, strict=True):
                    score, strong = self.piece_score([i], [j])
                    if strong:
                        out.append(([i], [j], True))
                return out
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
        # Which runs of 2-3 words could be one side of a phrase substitution at all.
        ok_a = {
            (i, n)
            for n in (2, 3)
            for i in range(n, la + 1)
            if self._phrase_ok([self.ka[x] for x in a[i - n : i]])
        }
        ok_b = {
            (j, n)
            for n in (2, 3)
            for j in range(n, lb + 1)
            if self._phrase_ok([self.kb[x] for x in b[j - n : j]])
        }
        # Every piece that can end at cell (i, j), scored once: (di, dj, score, strong).
        pieces: dict[tuple[int, int], list[tuple[int, int, float, bool]]] = {}
        for i in range(1, la + 1):
            for j in range(1, lb + 1):
                score, strong = self.word_score(a[i - 1], b[j - 1])
                if score > 0:
                    pieces[(i, j)] = [(1, 1, score, strong)]
        for di, dj in self.SHAPES[1:]:
            for i in range(di, la + 1):
                if di > 1 and (i, di) not in ok_a:
                    continue
                for j in range(dj, lb + 1):
                    if dj > 1 and (j, dj) not in ok_b:
                        continue
                    score, strong = self.piece_score(a[i - di : i], b[j - dj : j])
                    if score > 0:
                        pieces.setdefault((i, j), []).append((di, dj, score, strong))
        best = [[0.0] * (lb + 1) for _ in range(la + 1)]
        back: list[list[tuple[int, int, bool] | None]] = [[None] * (lb + 1) for _ in range(la + 1)]
        for i in range(la + 1):
            row, up = best[i], best[i - 1] if i else None
            for j in range(lb + 1):
                if i == 0 and j == 0:
                    continue
                cand = -1e9
                choice: tuple[int, int, bool] | None = None
                if up is not None and up[j] > cand:
                    cand, choice = up[j], (1, 0, False)
                if j > 0 and row[j - 1] > cand:
                    cand, choice = row[j - 1], (0, 1, False)
                for di, dj, score, strong in pieces.get((i, j), ()):
                    total = best[i - di][j - dj] + score
                    if total > cand:
                        cand, choice = total, (di, dj, strong)
                row[j], back[i][j] = cand, choice
        steps: list[tuple[int, int, int, int, bool]] = []
        i, j = la, lb
        while i or j:
            step = back[i][j]
            assert step is not None
            di, dj, strong = step
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


def align_words(
    ca: Canonical,
    cb: Canonical,
    units: list[tuple[int, int, int, int]],
    lexicon: Lexicon,
    params: AlignParams,
    matches: KeyMatches | None = None,
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
    blocks = _BlockAligner(ca, cb, lexicon, matches)
    subs: list[tuple[int, int, int, int, bool]] = []
    state = {"matched_a": 0.0, "matched_b": 0.0, "aligned": 0, "substituted": 0}

    def add_equal(i_list: list[int], j_list: list[int]) -> None:
        state["matched_a"] += sum(wa[i] for i in i_list)
        state["matched_b"] += sum(wb[j] for j in j_list)
        state["aligned"] += sum(1 for i in i_list if wa[i] > 0)

    def add_piece(i_list: list[int], j_list: list[int], strong: bool) -> None:
        if [ka[i] for i in i_list] == [kb[j] for j in j_list]:
            add_equal(i_list, j_list)  # the same words, met again inside a rewritten run
            return
        if not _contiguous(i_list, j_list):
            return  # a substitution is a contiguous run on both sides
        content_a = sum(1 for i in i_list if wa[i] > 0)
        content_b = sum(1 for j in j_list if wb[j] > 0)
        if not content_a and not content_b:
            return  # "the" -> "a": grammar, not spinning
        subs.append((i_list[0], i_list[-1] + 1, j_list[0], j_list[-1] + 1, strong))
        n = max(content_a, 1)
        state["substituted"] += n
        state["aligned"] += n
        if strong:  # a substitute is evidence of copying only when a spinner could make it
            state["matched_a"] += sum(wa[i] for i in i_list)
            state["matched_b"] += sum(wb[j] for j in j_list)

    def run(i_all: list[int], j_all: list[int], min_equal: int) -> tuple[list[int], list[int]]:
        """Align two token lists; returns the tokens left unpaired on each side."""
        left_a: list[int] = []
        left_b: list[int] = []
        for op, i1, i2, j1, j2 in _opcodes([ka[i] for i in i_all], [kb[j] for j in j_all]):
            i_list, j_list = i_all[i1:i2], j_all[j1:j2]
            if op == "equal":
                if i2 - i1 >= min_equal or any(wa[i] >= 3.0 for i in i_list):
                    add_equal(i_list, j_list)
                else:
                    left_a.extend(i_list)
                    left_b.extend(j_list)
            elif op == "replace":
                used_a: set[int] = set()
                used_b: set[int] = set()
                # Between moved runs only the words next to an anchor belong together.
                spans = [(i_list, j_list)] if min_equal == 1 else _edge_runs(i_list, j_list)
                for ia, jb in spans:
                    ia = [i for i in ia if i not in used_a]
                    jb = [j for j in jb if j not in used_b]
                    if not ia or not jb:
                        continue
                    for pa, pb, strong in blocks.split(ia, jb):
                        if min_equal > 1 and not strong:
                            continue  # moved words pair up only through the thesaurus
                        add_piece(pa, pb, strong)
                        used_a.update(pa)
                        used_b.update(pb)
                left_a.extend(i for i in i_list if i not in used_a)
                left_b.extend(j for j in j_list if j not in used_b)
            elif op == "delete":
                left_a.extend(i_list)
            else:
                left_b.extend(j_list)
        return left_a, left_b

    for a_lo, a_hi, b_lo, b_hi in units:
        before = dict(state)
        first_sub = len(subs)
        left_a, left_b = run(list(range(a_lo, a_hi)), list(range(b_lo, b_hi)), 1)
        # A second pass looks for moved clauses: only worth it when both sides kept a run
        # of content words the first pass could not place.
        if (
            len(left_a) >= params.moved_min
            and len(left_b) >= params.moved_min
            and not {ka[i] for i in left_a if wa[i] > 0}.isdisjoint(
                kb[j] for j in left_b if wb[j] > 0
            )
        ):
            run(left_a, left_b, 2)
        # In a loose unit (two sentences on one subject rather than one rewritten), words
        # paired only by position are not swaps: keep those the thesaurus explains.
        explained = (state["matched_a"] - before["matched_a"]) + (
            state["matched_b"] - before["matched_b"]
        )
        total = sum(wa[a_lo:a_hi]) + sum(wb[b_lo:b_hi])
        if total and explained / total < params.loose_unit:
            weak = [x for x in subs[first_sub:] if not x[4]]
            if weak:
                subs[first_sub:] = [x for x in subs[first_sub:] if x[4]]
                n_weak = sum(max(1, sum(1 for i in range(x[0], x[1]) if wa[i] > 0)) for x in weak)
                state["substituted"] -= n_weak
                state["aligned"] -= n_weak

    subs.sort()
    substitutions = [
        Substitution(
            a=ta[sa[i1] : ea[i2 - 1]], b=tb[sb[j1] : eb[j2 - 1]], a_start=sa[i1], b_start=sb[j1]
        )
        for i1, i2, j1, j2, _ in subs
    ]
    return WordAlignment(
        substitutions=substitutions,
        matched_weight_a=state["matched_a"],
        matched_weight_b=state["matched_b"],
        total_weight_a=sum(sum(wa[u[0] : u[1]]) for u in units),
        total_weight_b=sum(sum(wb[u[2] : u[3]]) for u in units),
        aligned_words=int(state["aligned"]),
        substituted_words=int(state["substituted"]),
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
    for chain in chain_seeds(seeds):
        s0, s1 = chain[0][0], max(s for s, _, _ in chain)
        t0, t1 = min(t for _, t, _ in chain), max(t for _, t, _ in chain)
        a_lo, a_hi = sents_a[s0].lo, sents_a[s1].hi
        b_lo, b_hi = sents_b[t0].lo, sents_b[t1].hi
        units = [
            (sents_a[u0].lo, sents_a[u1].hi, sents_b[v0].lo, sents_b[v1].hi)
            for u0, u1, v0, v1 in chain_units(chain)
        ]
        words = align_words(ca, cb, units, lexicon, params, matches)
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
                lone_words = align_words(ca, cb, [lone_unit], lexicon, params, matches)
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
