import pytest

from unspin.lexicon import Lexicon, default_lexicon, word_hash


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return default_lexicon()


@pytest.mark.parametrize(
    "a, b",
    [
        ("train", "educate"),
        ("trained", "educated"),
        ("associated", "linked"),
        ("press", "push"),
        ("party", "social gathering"),
        ("capital", "cash"),
        ("defense", "protection"),
        ("officials", "officers"),
    ],
)
def test_spinner_swaps_are_related(lex, a, b):
    assert lex.related(a, b) and lex.related(b, a)


@pytest.mark.parametrize("a, b", [("train", "kim"), ("pyongyang", "moscow"), ("2019", "2020")])
def test_unrelated_words(lex, a, b):
    assert not lex.related(a, b)


def test_frequencies_order_common_and_rare(lex):
    assert lex.zipf("news") > lex.zipf("tidings") > 0
    assert lex.zipf("qwzxv") == 0.0


def test_immutables_and_words(lex):
    assert lex.has_synonyms("train")
    assert not lex.has_synonyms("peskov")
    i = lex.id("social gathering")
    assert i is not None and lex.word(i) == "social gathering"
    assert lex.id("not a word at all") is None


def test_hash_is_stable():
    # The on-disk table is keyed by this hash: it must never change between versions.
    assert word_hash("train") == 0xB9E25AACF295904E
    assert word_hash("train") != word_hash("Train")
