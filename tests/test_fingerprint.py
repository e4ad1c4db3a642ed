"""Fingerprints: words and kinds, stable hashes, batches, what survives a spinner."""

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin import fingerprint as fp
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon

from .conftest import SEED_ORIGINAL, SEED_SPUN

G, W, M, E = 1, 0, 2, 3  # grammar word, other word, immutable (DSpin), sentence end


def test_word_kinds_and_sentence_ends():
    text = (
        "The Associated Press said 10,000 people\u2014Mr Putin\u2019s aides\u2014went. "
        "Then 1.13bn left!\nNew line"
    )
    _, kinds = fp.word_stream(text)
    assert kinds.tolist() == [G, W, W, G, M, W, G, M, W, W, E, G, M, W, E, E, W, W]


def test_word_hashes_are_stable_across_machines():
    # Indexes store features made of these: a change here must bump the index format.
    assert [hex(h) for h in fp.word_hashes(["the", "party", "1.13bn"]).tolist()] == [
        "0x9ec2899314b9ecd6",
        "0xbfabe150c18b757b",
        "0x1217248af1dffe83",
    ]


def test_stream_hashes_are_the_word_hashes():
    hashes, kinds = fp.word_stream("Quarterly profits jumped 76% at TimeWarner.")
    words = hashes[kinds != E]
    assert (
        words.tolist()
        == fp.word_hashes(["quarterly", "profits", "jumped", "76", "at", "timewarner"]).tolist()
    )


def test_vocabulary_agrees_with_the_lexicon():
    lexicon = default_lexicon()
    rng = random.Random(3)
    words = [lexicon.word(i) for i in rng.sample(range(len(lexicon)), 2000)]
    words = [w for w in words if " " not in w] + ["the", "of", "zzyzx", "putin"]
    codes = fp._vocabulary(lexicon).look_up(fp.word_hashes(words))
    for word, code in zip(words, codes.tolist(), strict=True):
        if word in ("the", "of"):
            assert code == fp._LISTED_GRAMMAR
        else:
            assert (code == fp._LISTED_SWAPPABLE) == lexicon.has_synonyms(word), word


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=300), st.integers(0, 2**32))
def test_bucketed_look_up_matches_a_plain_search(values, seed):
    rng = np.random.default_rng(seed)
    listed = np.unique(rng.integers(0, 2**63, 5000, dtype=np.uint64) * np.uint64(2))
    vocab = fp._Vocabulary.build(listed[:10], listed[10:])
    keys = np.array(values, dtype=np.uint64)
    keys = np.concatenate((keys, listed[rng.integers(0, len(listed), 50)]))
    expected = np.where(np.isin(keys, listed[:10]), 1, np.where(np.isin(keys, listed[10:]), 2, 0))
    assert vocab.look_up(keys).tolist() == expected.tolist()


def test_batch_gives_what_one_by_one_gives():
    texts = [
        SEED_ORIGINAL.read_text(encoding="utf-8"),
        "",
        "Short one.",
        SEED_SPUN.read_text(encoding="utf-8"),
        "Café owners in Zürich said 3,500 jobs would go, Mr Müller told Reuters.",
    ]
    docs = [document_from_text(f"d{i}", t) for i, t in enumerate(texts)]
    together = fp.fingerprint_texts(docs)
    for doc, feats in zip(docs, together, strict=True):
        alone = fp.fingerprint_text(doc)
        assert np.array_equal(alone, feats)
        assert np.all(np.diff(feats.astype(np.float64)) >= 0)  # sorted
        assert len(np.unique(feats)) == len(feats)


def test_boilerplate_lines_change_nothing():
    body = SEED_ORIGINAL.read_text(encoding="utf-8").split("\n", 1)[1]  # no date line
    wrapped = "Advertisement\n" + body + "\nSHARE URL berhasil di salin.\nTags:Keywords:\n"
    assert np.array_equal(
        fp.fingerprint_text(document_from_text("a", body)),
        fp.fingerprint_text(document_from_text("b", wrapped)),
    )


def test_a_spun_copy_keeps_features_and_an_unrelated_text_does_not():
    original = fp.fingerprint_text(document_from_text("a", SEED_ORIGINAL.read_text("utf-8")))
    spun = fp.fingerprint_text(document_from_text("b", SEED_SPUN.read_text("utf-8")))
    other = fp.fingerprint_text(
        document_from_text(
            "c",
            "Heavy snow closed schools across the north on Monday. Drivers were told to "
            "stay at home as temperatures fell to minus ten. Rail services were cut by half.",
        )
    )
    assert len(np.intersect1d(original, spun)) >= 10
    assert len(np.intersect1d(original, other)) == 0


def test_sampling_keeps_the_same_subset_in_a_copy():
    text = SEED_ORIGINAL.read_text(encoding="utf-8")
    full = fp.fingerprint_text(document_from_text("a", text), fp.FingerprintParams(sample=1))
    half = fp.fingerprint_text(document_from_text("a", text), fp.FingerprintParams(sample=2))
    assert len(full) > 40
    assert set(half.tolist()) == {f for f in full.tolist() if f % 2 == 0}
    short = document_from_text("s", "Mr Putin met Mr Xi in Beijing on Monday.")
    assert len(fp.fingerprint_text(short, fp.FingerprintParams(sample=2))) == len(
        fp.fingerprint_text(short, fp.FingerprintParams(sample=1))
    )


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_sorted_unique_features(text):
    feats = fp.fingerprint_text(document_from_text("x", text or "x"))
    assert feats.dtype == np.uint64
    assert len(np.unique(feats)) == len(feats)
    hashes, kinds = fp.word_stream(text)
    assert len(hashes) == len(kinds)
    assert np.all((hashes == 0) == (kinds == E))
