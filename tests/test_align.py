from unspin.align import AlignParams, align, chain_seeds
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
