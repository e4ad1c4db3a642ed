import numpy as np

from unspin.canonical import canonicalise, key_forms, match_keys, match_matrix, token_weight
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


def test_token_flags_mark_grammar_and_lone_numbers():
    c = canonicalise(analyse(document_from_text("x", "The 3 trains and a few dozen men left.")))
    stop, number = c.token_flags()
    assert c.keys == ["the", "3", "trains", "and", "a", "few", "dozen", "men", "left"]
    assert stop == [True, False, False, True, True, True, False, False, False]
    # "a" opens number phrases ("a few") but is no number on its own.
    assert number == [False, True, False, False, False, True, True, False, False]


def test_key_index_and_columns_follow_the_sentence_table():
    c = canonicalise(analyse(document_from_text("x", "The train left. The train came back.")))
    keys, mat = c.sentence_table()
    index = c.key_index()
    assert list(index) == keys and [index[k] for k in keys] == list(range(len(keys)))
    cols = c.key_columns(index)
    assert cols is c.key_columns(index)  # cached for the document's own index
    assert [cols[t] for t in range(len(c.keys))] == [index.get(k) for k in c.keys]
    assert cols[0] is None  # "the" weighs nothing: not in the table
    assert c.key_columns({"left": 7}) == [None, None, 7, None, None, None, None]


def test_columns_noted_with_the_sentence_table_are_the_index_looked_up(seed_original, seed_spun):
    for doc in (seed_original, seed_spun):
        c = canonicalise(analyse(doc))
        index = c.key_index()  # (builds the table, noting each token's column on the way)
        assert c.key_columns(index) == [index.get(k) for k in c.keys]


def test_key_matches_flat_reads_like_the_matrix():
    lex = default_lexicon()
    a = canonicalise(analyse(document_from_text("a", "The train left Pyongyang.")))
    b = canonicalise(analyse(document_from_text("b", "The educate left Pyongyang quickly.")))
    m = match_keys(a, b, lex)
    flat, width, capped_at = m.flat()
    assert width == m.full.shape[1] and capped_at == m.full.size
    for i in range(m.full.shape[0]):
        assert bool(flat[capped_at + i]) == bool(m.capped_a[i])
        for j in range(width):
            assert bool(flat[i * width + j]) == bool(m.full[i, j])
    assert m.related("train", "educate", lex) and not m.related("train", "quickly", lex)


def test_match_matrix_agrees_with_related_word_by_word():
    # The vectorised search (a's neighbourhood against b's forms, hits traced back to
    # keys) must say what the lexicon says pair by pair, wherever a's entry is searched.
    lex = default_lexicon()
    keys_a = "train party leader expected members capital officials big kim 2019 trains".split()
    keys_b = "educate social gathering chief anticipated customers cash officers large".split()
    keys_b += ["kim", "trained", "peskov"]
    exact, full = match_matrix(keys_a, keys_b, lex)
    capped = key_forms(keys_a, lex).capped
    for i, a in enumerate(keys_a):
        for j, b in enumerate(keys_b):
            assert exact[i, j] == (a == b)
            if not capped[i]:
                assert full[i, j] == lex.related(a, b), (a, b)


def test_neighbourhood_traces_positions_back_to_keys():
    lex = default_lexicon()
    keys = ["train", "peskov", "party", "leader"]
    forms = key_forms(keys, lex)
    near = forms.neighbourhood(lex)
    assert near is forms.neighbourhood(lex)  # built once
    positions = np.arange(len(near.ids))
    owners = near.keys_at(positions)
    for p in range(0, len(near.ids), 37):
        k = int(owners[p])
        mine = set(lex.forms(keys[k]))
        assert near.ids[p] in mine or any(near.ids[p] in lex.neighbours(f) for f in mine)
    assert owners[: near.n_own].tolist() == forms.owner.tolist()
    # "peskov" has no thesaurus neighbours: only its own forms belong to it.
    assert 1 not in owners[near.n_own :].tolist()


def test_key_entries_agree_with_token_weight(seed_original, seed_spun):
    # key_entries reads Zipf values and neighbour flags from bytes tables, for many keys
    # at once: it must give what token_weight and token_flags give a key at a time.
    from unspin.canonical import _NUMBER_ALONE, key_entries
    from unspin.lexicon import Lexicon
    from unspin.normalise import STOP_WORDS

    def _key_entry(key: str, lexicon: Lexicon):  # one key at a time, the plain way
        weight, immutable = token_weight(key, lexicon)
        return weight, immutable, key in STOP_WORDS, key[0].isdigit() or key in _NUMBER_ALONE

    lex = Lexicon()  # fresh: nothing primed or cached yet
    keys = analyse(seed_original).keys + analyse(seed_spun).keys
    keys += ["korea's", "peskov's", "zzqx's", "a", "x", "7", "2019", "dozens", "a few", "'s"]
    keys = list(dict.fromkeys(keys + ["party", "social gathering", "trained", "munitions"]))
    entries = key_entries(keys, lex)
    assert list(entries) == keys
    reference = Lexicon()
    for key in keys:
        assert entries[key] == _key_entry(key, reference), key
    assert any(e[1] for e in entries.values()) and any(not e[1] for e in entries.values())


def test_numbered_keys_give_the_tables_and_forms_strings_give():
    # Sentence tables and key forms are built from key numbers (KeyTable): they must be
    # what the same keys as strings give.
    from unspin.canonical import KeyTable

    lex = default_lexicon()
    text = "The train left Pyongyang. Trains left, and the party trained 3 men in Pyongyang."
    c = canonicalise(analyse(document_from_text("x", text)), lex)
    assert isinstance(c.key_table, KeyTable) and c.key_table.serves(lex)
    keys, mat = c.sentence_table()
    content = [k for k, w in zip(c.keys, c.weights, strict=True) if w > 0]
    assert keys == list(dict.fromkeys(content))  # columns in order of first appearance
    assert [c.key_table.keys[n] for n in c.key_ids.tolist()] == c.keys
    assert mat[1, keys.index("pyongyang")] == c.weights[c.keys.index("pyongyang")]
    numbered, plain = c.key_forms(lex), key_forms(keys, lex)
    for field in ("ids", "owner", "form_ids", "form_ptr", "form_keys", "capped"):
        assert getattr(numbered, field).tolist() == getattr(plain, field).tolist(), field


def test_a_full_key_table_is_replaced_and_old_documents_still_compare(monkeypatch):
    import unspin.canonical as canonical
    from unspin.compare import compare_prepared

    lex = default_lexicon()
    small = canonical.KeyTable(lex, limit=30)
    monkeypatch.setitem(lex.derived, "key_table", small)
    text_a = "The train left Pyongyang on Monday with three hundred soldiers on board."
    text_b = "The educate left Pyongyang on Monday with 3 hundred troopers on board."
    a = canonicalise(analyse(document_from_text("a", text_a)), lex)
    assert a.key_table is small
    filler = " ".join(f"word{i}" for i in range(40))  # more new keys than the table holds
    canonicalise(analyse(document_from_text("f", filler)), lex)
    b = canonicalise(analyse(document_from_text("b", text_b)), lex)
    assert b.key_table is not small and len(small) <= 30
    # Numbers are read only within a document's own table: the pair still compares as
    # a pair weighed in one table does.
    across = compare_prepared(a, b, lex)
    fresh = compare_prepared(canonicalise(analyse(document_from_text("a", text_a)), lex), b, lex)
    assert across.to_json() == fresh.to_json()
    assert across.verdict != "unrelated" and across.passages[0].substitutions


def test_threads_number_keys_without_mixing_them_up(monkeypatch):
    # The server compares in threads: keys numbered at the same time, across a table
    # that fills up, must still give every document its own weights and keys.
    from concurrent.futures import ThreadPoolExecutor

    import unspin.canonical as canonical

    lex = default_lexicon()
    texts = [
        f"Report {i}: the train{i} left Pyongyang with {i} soldiers and word{i}x, word{i}y."
        for i in range(60)
    ]
    expected = [
        canonicalise(analyse(document_from_text(str(i), t)), lex) for i, t in enumerate(texts)
    ]
    monkeypatch.setitem(lex.derived, "key_table", canonical.KeyTable(lex, limit=50))
    with ThreadPoolExecutor(8) as pool:
        got = list(
            pool.map(
                lambda it: canonicalise(analyse(document_from_text(str(it[0]), it[1])), lex),
                enumerate(texts),
            )
        )
    for want, have in zip(expected, got, strict=True):
        assert have.weights == want.weights and have.token_flags() == want.token_flags()
        assert [have.key_table.keys[n] for n in have.key_ids.tolist()] == have.keys
        assert have.sentence_table()[0] == want.sentence_table()[0]


def test_key_table_zipf_is_the_lexicons_for_known_and_unknown_words():
    lex = default_lexicon()
    c = canonicalise(
        analyse(document_from_text("z", "The zorblaxian trains trained 42 Putin's cats.")), lex
    )
    got = c.key_table.zipf(c.key_ids, lex).tolist()
    assert got == [lex.zipf(k) for k in c.keys]
    assert got[c.keys.index("zorblaxian")] == 0.0 and got[c.keys.index("cats")] > 0
