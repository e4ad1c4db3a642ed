"""The real case that started the project: a wire story and a spun copy of a longer edition."""

import gc
import json

import pytest

from unspin.compare import compare
from unspin.normalise import analyse


@pytest.fixture(scope="module")
def result(seed_original, seed_spun):
    return compare(seed_original, seed_spun)


def test_verdict_original_and_spin(result):
    assert result.verdict in ("partial_reuse", "spun_copy")
    assert result.original == "a"
    assert result.spin_rate >= 0.15
    assert result.score > 0.9


def test_passages_recover_the_rewritten_sentences(result, seed_original):
    sentences = analyse(seed_original).sentences
    covered = [s for s in sentences if any(p.a_start <= s.start < p.a_end for p in result.passages)]
    # About half of 000's 17 sentences have a spun counterpart in 003.
    assert len(covered) >= 8
    text = seed_original.text
    must = [
        "Kim’s delegation likely includes",
        "tens of millions of artillery shells",
        "Kim Jong Un is apparently bringing Jo Chun Ryong",
    ]
    for phrase in must:
        at = text.index(phrase)
        assert any(p.a_start <= at < p.a_end for p in result.passages), phrase
    # Rudenko's quote has no counterpart in 003: no passage may claim it.
    at = text.index("Deputy foreign minister Andrei Rudenko")
    assert not any(p.a_start <= at < p.a_end for p in result.passages)


def test_no_passage_pairs_unrelated_sentences(result, seed_original, seed_spun):
    # Every passage shares rare anchors (names, numbers) or is mostly explained.
    for p in result.passages:
        assert p.similarity >= 0.35
        a_words = set(seed_original.text[p.a_start : p.a_end].lower().split())
        b_words = set(seed_spun.text[p.b_start : p.b_end].lower().split())
        assert len(a_words & b_words) >= 5


def test_substitutions_and_facts(result):
    subs = {(s.a, s.b) for p in result.passages for s in p.substitutions}
    for pair in [
        ("Defense", "Protection"),
        ("party", "social gathering"),
        ("Sun", "Sunshine"),
        ("train", "prepare"),
        ("millions", "thousands and thousands"),
    ]:
        assert pair in subs or any(pair[0] in a and pair[1] in b for a, b in subs), pair
    facts = {(f.a, f.b, f.kind) for f in result.changed_facts}
    assert ("tens of millions", "tens of thousands and thousands", "number") in facts
    assert ("three years", "a few yrs", "number") in facts
    assert ("Sun", "Sunshine", "name") in facts


def test_json_follows_the_contract(result):
    j = json.loads(json.dumps(result.to_json()))
    assert set(j) >= {
        "a",
        "b",
        "verdict",
        "score",
        "coverage",
        "spin_rate",
        "original",
        "passages",
        "changed_facts",
    }
    assert j["a"] == {"id": "000_84929002fb0b65f4", "chars": len(result.a.text)}
    assert set(j["coverage"]) == {"a", "b"}
    for p in j["passages"]:
        assert set(p) == {"a_start", "a_end", "b_start", "b_end", "similarity", "substitutions"}
        for s in p["substitutions"]:
            assert set(s) == {"a", "b", "a_start", "b_start"}
    for f in j["changed_facts"]:
        assert f["kind"] in ("number", "name", "date", "other")


def test_swapped_order_names_b(seed_original, seed_spun):
    swapped = compare(seed_spun, seed_original)
    assert swapped.original == "b"


def test_a_comparison_leaves_no_reference_cycle(seed_original, seed_spun):
    """Everything a comparison builds is freed as soon as it is dropped, without waiting
    for the garbage collector: a batch of a million pairs must not hold each pair's
    documents until the collector's next pass (which then walks all their tokens)."""
    compare(seed_original, seed_spun)  # (caches filled once: the thesaurus, the key table)
    gc.collect()
    gc.disable()
    try:
        result = compare(seed_original, seed_spun)
        assert result.passages
        del result
        assert gc.collect() == 0
    finally:
        gc.enable()
