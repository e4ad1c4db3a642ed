"""Judging pairs from fingerprints alone: overlaps, verdicts, and what is left to align."""

import random
import re

import numpy as np
import pytest

from unspin.dedup.quick import Overlap, QuickParams, pair_overlap, quick_judgement
from unspin.dedup.steps import WEAK_ONLY, DedupParams, Edge, fingerprints, screen
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon
from unspin.normalise import STOP_WORDS

from .conftest import SEED_ORIGINAL

ARTICLE = SEED_ORIGINAL.read_text(encoding="utf-8").split("\n", 1)[1]  # the date line aside
OTHER = (
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three "
    "months to December, from $639m year-earlier. The firm, which is now one of the biggest "
    "investors in Google, benefited from sales of high-speed internet connections and "
    "higher advert sales. TimeWarner said fourth quarter sales rose 2% to $11.1bn from "
    "$10.9bn. Its profits were buoyed by one-off gains which offset a profit dip at Warner "
    "Bros, and less users for AOL. Time Warner said on Friday that it now owns 8% of "
    "search-engine Google. But its own internet business, AOL, had mixed fortunes."
)


def _spin(text: str, rate: float, seed: int = 1) -> str:
    """A tiny context-blind spinner: swap a share of the words that have a one-word
    thesaurus neighbour which itself has neighbours (so the swap keeps the features)."""
    lexicon = default_lexicon()
    rng = random.Random(seed)

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in STOP_WORDS or rng.random() >= rate:
            return word
        options = sorted(
            lexicon.word(n)
            for i in lexicon.forms(low)[:1]
            for n in lexicon.neighbours(i)
            if " " not in lexicon.word(n) and lexicon.has_synonyms(lexicon.word(n))
        )
        return rng.choice(options) if options else word

    return re.sub(r"[A-Za-z]+", swap, text)


def _fps(*texts: str):
    docs = [document_from_text(f"d{i}", t) for i, t in enumerate(texts)]
    return fingerprints(docs, DedupParams())


def _judge(a: str, b: str):
    (fa, sa), (fb, sb) = _fps(a, b)
    return pair_overlap(fa, fb, sa, sb)


def test_overlap_counts_shared_hashes():
    arr = np.array([1, 2, 3, 5], dtype=np.uint64)
    other = np.array([2, 3, 4], dtype=np.uint64)
    ov = pair_overlap(arr, other, arr[:2], other[:1])
    assert (ov.features_a, ov.features_b, ov.shared) == (4, 3, 2)
    assert (ov.surface_a, ov.surface_b, ov.surface_shared) == (2, 1, 1)
    assert ov.inside_a == 0.5 and ov.inside_b == pytest.approx(2 / 3)


def test_a_reprint_is_a_near_duplicate():
    ov = _judge(ARTICLE, "Advertisement\n" + ARTICLE + "\nShare this article\n")
    judged = quick_judgement(ov)
    assert judged is not None and judged.verdict == "near_duplicate"
    assert judged.spin_rate == 0.0


def test_a_spun_copy_is_spun_and_its_rate_is_estimated():
    spun = _spin(ARTICLE, 0.4)
    assert spun != ARTICLE
    ov = _judge(ARTICLE, spun)
    judged = quick_judgement(ov)
    assert judged is not None and judged.verdict == "spun_copy"
    assert 0.1 < judged.spin_rate < 0.6
    assert min(judged.coverage_a, judged.coverage_b) > 0.5


def test_a_cut_reprint_is_a_partial_reuse_that_lies_inside():
    half = ARTICLE[: len(ARTICLE) // 2].rsplit(".", 1)[0] + "."
    judged = quick_judgement(_judge(ARTICLE, half))
    assert judged is not None and judged.verdict == "partial_reuse"
    assert judged.coverage_b > 0.9  # the cut copy lies inside the original
    edge = Edge(0, 1, 0, judged.verdict, 1.0, judged.coverage_a, judged.coverage_b, 0.0, None)
    assert edge.strong


def test_unrelated_or_thin_pairs_are_left_alone():
    assert quick_judgement(_judge(ARTICLE, OTHER)) is None
    thin = Overlap(5, 200, 5, 10, 300, 10)  # five features: too little to go on
    assert quick_judgement(thin) is None
    # A rate between the two lines is aligned.
    gray = QuickParams(reprint_rate=0.01, spun_rate=0.5)
    assert quick_judgement(_judge(ARTICLE, _spin(ARTICLE, 0.4)), gray) is None


def test_screen_hands_back_weak_only_pairs_and_respects_exact_mode():
    fa, fb, fo = _fps(ARTICLE, ARTICLE + "\nMore text here.", OTHER)
    params = DedupParams()
    edge = screen(0, 1, fa, fb, 7, params)
    assert isinstance(edge, Edge) and edge.method == "features" and edge.shared == 7
    assert edge.related and edge.strong
    assert screen(0, 2, fa, fo, 3, params) == WEAK_ONLY
    assert screen(0, 1, fa, fb, 7, DedupParams(quick=None)) is None
