import numpy as np
import pytest

from unspin.lexicon import Lexicon, default_lexicon, table_hashes, word_hash


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


def test_ids_found_across_the_whole_hash_range(lex):
    # Hashes above 2**63 do not fit numpy's int64: the search must still find them.
    words = [lex.word(i) for i in range(0, len(lex), len(lex) // 400)]
    assert any(word_hash(w) >= 2**63 for w in words)
    assert any(word_hash(w) < 2**63 for w in words)
    assert all(lex.word(lex.id(w)) == w for w in words)


def test_related_is_the_thesaurus_graph(lex):
    # related() binary-searches sorted rows; it must agree with reading the rows whole.
    words = ["train", "party", "capital", "leader", "expected", "big", "run", "kim", "2019"]
    words += [lex.word(i) for i in range(1000, len(lex), len(lex) // 60)]

    def reference(a: str, b: str) -> bool:
        if a == b:
            return True
        fa, fb = lex.forms(a), lex.forms(b)
        if set(fa) & set(fb):
            return True
        return any(lex.neighbours(x) & set(fb) for x in fa)

    for a in words:
        for b in words:
            assert lex.related(a, b) == reference(a, b), (a, b)
            assert lex.related(a, b) == lex.related(b, a)


def test_neighbour_runs_are_the_neighbour_table_in_pieces(lex):
    import numpy as np

    ids = np.array([lex.id(w) for w in ["train", "party", "make", "kim", "leader"]])
    neigh, which = lex.neighbour_table(ids, 600)
    runs, entry, degree = lex.neighbour_runs(ids, 600)
    assert np.array_equal(np.concatenate(runs), neigh)
    assert np.array_equal(np.repeat(entry, degree), which)


def test_phrases_are_the_tables_multi_word_entries(lex, tmp_path):
    assert lex.is_phrase(["social", "gathering"])
    assert lex.is_phrase(["tens", "of", "thousands"]) == (lex.id("tens of thousands") is not None)
    assert not lex.is_phrase(["gathering", "social"])
    # The shipped phrase list is exactly the entries with a space in them, and a table
    # built without the list derives the same set from its words.
    blob, _ = lex.word_blob()
    entries = {w for w in blob.decode("utf-8").split("\n") if " " in w}
    lex.is_phrase(["social", "gathering"])
    assert lex._phrases - {""} == entries
    folder = lex._words_path.parent
    for f in folder.iterdir():
        if f.name != "phrases.txt":
            (tmp_path / f.name).symlink_to(f)
    older = Lexicon(tmp_path)
    assert older.is_phrase(["social", "gathering"]) and older._phrases - {""} == entries


def test_forms_of_many_words_match_one_by_one(lex):
    words = ["trains", "train", "qwzxv", "social gathering", "trains"]
    assert lex.forms_of(words) == [lex.forms(w) for w in words]
    lex._forms_cache.clear()  # misses are looked up
    assert lex.forms_of(words) == [lex.forms(w) for w in words]


def test_prime_fills_the_cache_with_what_forms_would_find():
    fresh, plain = Lexicon(), Lexicon()
    words = ["trains", "went", "better", "social gathering", "qwzxv", "Korea\u2019s", "news"]
    fresh.prime(words)
    assert [fresh._forms_cache[w] for w in words] == [plain.forms(w) for w in words]
    assert any(len(fresh._forms_cache[w]) > 1 for w in words)  # lemmas were handed out


def test_the_build_script_writes_the_multi_word_entries(tmp_path):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "build_lexicon.py"
    spec = importlib.util.spec_from_file_location("build_lexicon", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_phrases(tmp_path, ["train", "social gathering", "tens of thousands", "a"])
    lines = (tmp_path / "phrases.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["social gathering", "tens of thousands"]


def test_run_positions_reads_csr_rows_in_one_gather():
    from unspin.lexicon import run_positions

    got = run_positions(np.array([5, 0, 9]), np.array([2, 0, 3]))
    assert got.tolist() == [5, 6, 9, 10, 11]
    assert run_positions(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


def test_table_hashes_are_the_word_hashes():
    words = ["the", "party", "social gathering", "Zürich", "1.13bn", ""]
    got = table_hashes(words)
    assert got.dtype == np.uint64 and got.tolist() == [word_hash(w) for w in words]
    assert table_hashes([]).tolist() == []
