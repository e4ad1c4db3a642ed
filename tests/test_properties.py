"""Invariants that must hold for any input: spans inside their texts, strings at offsets."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.compare import compare
from unspin.documents import document_from_text

WORDS = (
    "the train left Pyongyang on Sunday with party officials and military leaders . "
    "analysts say North Korea may have tens of millions of artillery shells , "
    "Associated Press reporters saw 425 miles of track in 2019 ’s winter ; "
    "prices fell 3.5 % as Kim met Putin in Vladivostok ."
).split()
SWAPS = {
    "train": "educate",
    "party": "social gathering",
    "military": "armed forces",
    "leaders": "chiefs",
    "millions": "thousands and thousands",
    "Associated": "Linked",
    "Press": "Push",
    "fell": "dropped",
    "say": "state",
    "officials": "officers",
}
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "  ", " \u2014 "]


@st.composite
def texts(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=120))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps, strict=True))


@st.composite
def spun_pairs(draw):
    a = draw(texts())
    tokens = a.split(" ")
    out = []
    for t in tokens:
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue  # drop a word
        out.append(SWAPS.get(t, t) if choice < 5 else t)
    if draw(st.booleans()):
        out = out[len(out) // 2 :] + out[: len(out) // 2]  # reorder halves
    return a, " ".join(out)


def check_invariants(a: str, b: str) -> None:
    c = compare(document_from_text("a", a), document_from_text("b", b))
    j = json.loads(json.dumps(c.to_json()))
    assert 0.0 <= j["score"] <= 1.0 and 0.0 <= j["spin_rate"] <= 1.0
    assert 0.0 <= j["coverage"]["a"] <= 1.0 and 0.0 <= j["coverage"]["b"] <= 1.0
    for p in c.passages:
        assert 0 <= p.a_start < p.a_end <= len(a)
        assert 0 <= p.b_start < p.b_end <= len(b)
        for s in p.substitutions:
            assert a[s.a_start : s.a_start + len(s.a)] == s.a and s.a
            assert b[s.b_start : s.b_start + len(s.b)] == s.b and s.b
            assert p.a_start <= s.a_start < p.a_end
            assert p.b_start <= s.b_start < p.b_end
    for f in c.changed_facts:
        assert a[f.a_start : f.a_start + len(f.a)] == f.a
        assert b[f.b_start : f.b_start + len(f.b)] == f.b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spun_pairs())
def test_spans_and_substitutions_point_into_the_texts(pair):
    check_invariants(*pair)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=300))
def test_arbitrary_unicode_never_breaks_offsets(a, b):
    check_invariants(a, b)
    check_invariants(a, a + b)
