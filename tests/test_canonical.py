from unspin.canonical import canonicalise, match_matrix, token_weight
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon
from unspin.normalise import analyse


def test_weights_favour_names_numbers_and_rare_words():
    lex = default_lexicon()
    assert token_weight("the", lex) == (0.0, False)
    w_common, _ = token_weight("government", lex)
    w_rare, _ = token_weight("munitions", lex)
    w_name, immutable = token_weight("peskov", lex)
    w_num, _ = token_weight("2019", lex)
    assert 0 < w_common < w_rare < w_name
    assert immutable and w_num >= w_common


def test_canonicalise_is_parallel_to_tokens():
    c = canonicalise(analyse(document_from_text("x", "The train left Pyongyang.")))
    assert len(c.weights) == len(c.keys) == 4
    assert c.weights[0] == 0.0


def test_match_matrix_finds_synonyms_and_exact():
    lex = default_lexicon()
    exact, full = match_matrix(
        ["train", "party", "kim"], ["educate", "social gathering", "kim"], lex
    )
    assert exact.tolist() == [[False] * 3, [False] * 3, [False, False, True]]
    assert full[0, 0] and full[1, 1] and full[2, 2]
    assert not full[0, 2] and not full[2, 0]
