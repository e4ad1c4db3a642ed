import numpy as np

from unspin.align import AlignParams, _key_sentences, _reach, align, align_words, chain_seeds
from unspin.canonical import canonicalise
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon
from unspin.normalise import analyse

ORIGINAL = (
    "North Korean leader Kim Jong Un arrived in Russia on Tuesday for a meeting with "
    "President Vladimir Putin. Kim boarded his personal train in Pyongyang on Sunday "
    "afternoon, accompanied by members of the ruling party. The weather in Vladivostok "
    "was mild. Analysts say Moscow wants artillery shells from Pyongyang."
)
SPUN = (
    "Analysts say Moscow desires artillery shells from Pyongyang. "
    "North Korean chief Kim Jong Un arrived in Russia on Tuesday for a assembly with "
    "President Vladimir Putin. Kim boarded his own educate in Pyongyang on Sunday "
    "afternoon, accompanied by customers of the ruling social gathering."
)


def _prep(text):
    return canonicalise(analyse(document_from_text("x", text)))


def test_spun_passages_and_substitutions():
    lex = default_lexicon()
    ca, cb = _prep(ORIGINAL), _prep(SPUN)
    passages = align(ca, cb, lex)
    # Two passages: the moved last sentence, and the first two sentences in order.
    assert len(passages) == 2
    by_a = sorted(passages, key=lambda p: p.passage.a_start)
    first = by_a[0].passage
    assert ORIGINAL[first.a_start : first.a_end].startswith("North Korean leader")
    assert ORIGINAL[first.a_start : first.a_end].endswith("ruling party.")
    assert SPUN[first.b_start : first.b_end].endswith("ruling social gathering.")
    subs = {(s.a, s.b) for s in first.substitutions}
    assert {
        ("leader", "chief"),
        ("train", "educate"),
        ("party", "social gathering"),
        ("members", "customers"),
    } <= subs
    for s in first.substitutions:
        assert ORIGINAL[s.a_start : s.a_start + len(s.a)] == s.a
        assert SPUN[s.b_start : s.b_start + len(s.b)] == s.b
    # The unrelated weather sentence is in no passage.
    weather = ORIGINAL.index("The weather")
    assert not any(p.passage.a_start <= weather < p.passage.a_end for p in passages)


def test_unrelated_texts_have_no_passage():
    lex = default_lexicon()
    a = _prep(
        "Stock markets fell sharply on Monday as investors worried about interest rates. "
        "The central bank is expected to raise rates again next month."
    )
    b = _prep(
        "The striker scored twice as United beat Chelsea on Saturday. "
        "The manager praised his young side after the match."
    )
    assert align(a, b, lex) == []


def test_chain_seeds_keeps_reordered_blocks_apart():
    seeds = [(0, 2, 0.9), (1, 3, 0.8), (2, 0, 0.9), (3, 1, 0.7), (5, 5, 0.6)]
    chains = chain_seeds(seeds)
    assert sorted(len(c) for c in chains) == [1, 2, 2]
    # A split sentence (one a sentence, two b sentences) stays one chain.
    assert len(chain_seeds([(0, 0, 0.5), (0, 1, 0.5), (1, 2, 0.9)])) == 1


def test_thresholds_are_parameters():
    lex = default_lexicon()
    ca, cb = _prep(ORIGINAL), _prep(SPUN)
    strict = AlignParams(passage_evidence=1e9)
    assert align(ca, cb, lex, strict) == []


def _aligner(text_a, text_b):
    from unspin.align import _BlockAligner
    from unspin.canonical import match_keys

    lex = default_lexicon()
    ca, cb = _prep(text_a), _prep(text_b)
    return _BlockAligner(ca, cb, lex, match_keys(ca, cb, lex)), ca, cb


def _words(c, tokens):
    return " ".join(c.keys[t] for t in tokens)


def test_block_split_phrases_numbers_and_plain_swaps():
    blocks, ca, cb = _aligner(
        "members of the ruling party met for three years",
        "customers of the ruling social gathering met for a few yrs",
    )
    # One word for a thesaurus phrase: "party" -> "social gathering".
    ((pa, pb, strong),) = blocks.split([4], [4, 5])
    assert (_words(ca, pa), _words(cb, pb), strong) == ("party", "social gathering", True)
    # A number phrase is one piece: "three" -> "a few".
    pieces = blocks.split([7, 8], [8, 9, 10])
    assert [(_words(ca, a), _words(cb, b), st) for a, b, st in pieces][0] == (
        "three",
        "a few",
        True,
    )
    # Word for word: a plain swap of content words is kept, but weak.
    assert blocks.split([0], [0]) == [([0], [0], False)]
    assert blocks.word_score(1, 1) == (2.0, True)  # "of" -> "of"
    assert blocks.word_score(0, 1)[0] < 0  # content never turns into grammar


def test_a_block_of_synonyms_in_place_is_what_the_search_finds():
    # A block swapped word for word by thesaurus neighbours splits into that diagonal, all
    # of it strong (no phrase piece can beat a synonym a word); with one non-synonym,
    # split and the search still agree.
    blocks, ca, cb = _aligner(
        "they said big red cars left quickly today",
        "they said large crimson automobiles left rapidly today",
    )
    block_a, block_b = [2, 3, 4, 5, 6], [2, 3, 4, 5, 6]
    assert all(
        blocks.word_score(i, j) == (2.0, True) for i, j in zip(block_a, block_b, strict=True)
    )
    diagonal = [([i], [j], True) for i, j in zip(block_a, block_b, strict=True)]
    assert blocks.split(block_a, block_b) == diagonal == blocks._search(block_a, block_b, False)
    blocks, ca, cb = _aligner(
        "they said big red cars left quickly today",
        "they said large crimson jets left rapidly today",
    )
    assert blocks.word_score(4, 4)[1] is False  # "cars" -> "jets": no synonym
    assert blocks.split(block_a, block_b) == blocks._search(block_a, block_b, False)


def test_block_runs_and_passage_reset():
    blocks, ca, cb = _aligner(
        "the social gathering went on", "the party went on in tens of thousands"
    )
    assert blocks._run(0, [1, 2], 2, 2) == (True, True)  # "social gathering": an entry
    assert blocks._run(1, [5, 6, 7], 3, 3)[0]  # "tens of thousands": a number phrase
    assert blocks._run(0, [3, 4, 0], 3, 3) == (False, False)  # not contiguous, no phrase
    assert blocks.piece_score([1, 2], [1]) == (2.5, True)
    assert blocks.word_score(3, 2) == (2.0, True)
    assert blocks._scores
    blocks.new_passage()
    assert not blocks._scores


def test_long_uneven_runs_are_searched_at_their_ends():
    blocks, ca, cb = _aligner(
        "leader spoke about many different things of no interest to us today",
        "chief said",
    )
    pieces = blocks.split(list(range(12)), [0, 1])
    assert (["leader"], ["chief"]) in [
        ([ca.keys[t] for t in a], [cb.keys[t] for t in b]) for a, b, _ in pieces
    ]
    assert all(a[0] < 4 or a[0] >= 8 for a, _, _ in pieces)


def test_unchanged_sentences_align_as_kept_words():
    # A unit whose two sentences are the same words (a reprint, or a sentence the spinner
    # left alone) is all kept words, exactly as the edit script would have it.
    lex = default_lexicon()
    text = "Kim boarded his personal train in Pyongyang on Sunday afternoon."
    ca, cb = _prep(text), _prep(text.replace("Kim", "KIM"))
    spun = _prep("Kim boarded his own educate in Pyongyang on Sunday afternoon.")
    n = len(ca.keys)
    kept = align_words(ca, cb, [(0, n, 0, n)], lex, AlignParams())
    content = sum(1 for w in ca.weights if w > 0)
    assert kept.substitutions == [] and kept.spans == []
    assert kept.aligned_words == content and kept.substituted_words == 0
    assert kept.matched_weight_a == kept.total_weight_a == sum(ca.weights)
    assert kept.matched_weight_b == kept.total_weight_b == sum(cb.weights)
    # The same unit with swaps still goes through the edit script.
    swapped = align_words(ca, spun, [(0, n, 0, len(spun.keys))], lex, AlignParams())
    assert [(s.a, s.b) for s in swapped.substitutions] == [("train", "educate")]


def test_sentence_reach_equals_the_dense_product():
    # _reach walks only the matched key pairs; it must give exactly the thresholded product
    # of the match matrix with the other side's key-by-sentence incidence.
    rng = np.random.default_rng(3)
    for density in (0.0, 0.02, 0.3):
        full = rng.random((40, 55)) < density
        weights_b = (rng.random((9, 55)) < 0.15) * rng.random((9, 55)).astype(np.float32)
        rows, cols = np.divmod(np.flatnonzero(full), full.shape[1])
        got = _reach(rows, cols, 40, _key_sentences(weights_b), 9)
        dense = (full.astype(np.float32) @ (weights_b > 0).T.astype(np.float32)) > 0
        assert got.dtype == np.float32 and np.array_equal(got > 0, dense)
