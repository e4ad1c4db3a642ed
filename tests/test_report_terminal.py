"""The terminal report: readable with and without colour, robust to odd input."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from unspin.models import ChangedFact, Comparison, Passage, Substitution
from unspin.report import render_terminal
from unspin.report.terminal import verdict_sentence

from .report_sample import make_comparison, sample_comparison


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return sample_comparison()


def recorded(comparison: Comparison, width: int = 160) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    render_terminal(comparison, console)
    return console.export_text()


def coloured(comparison: Comparison) -> str:
    out = io.StringIO()
    console = Console(file=out, width=160, force_terminal=True, color_system="truecolor")
    render_terminal(comparison, console)
    return out.getvalue()


def test_summary(comparison: Comparison) -> None:
    text = recorded(comparison)
    assert "Spun copy: B rewrites A by swapping words for synonyms" in text
    for line in ("Score", "Coverage A", "Coverage B", "Spin rate", "Original"):
        assert line in text
    assert "91%" in text and f"{comparison.coverage_a * 100:.0f}%" in text
    assert comparison.a.id in text and comparison.b.id in text
    assert "the other text contains it" in text  # original_reason, in plain words


def test_substitutions_shown_bracketed_without_colour(comparison: Comparison) -> None:
    text = recorded(comparison)
    assert "\x1b[" not in text
    for passage in comparison.passages:
        for sub in passage.substitutions:
            for word in sub.a.split() + sub.b.split():
                assert word in text
    assert "[formal]" in text and "[official]" in text and "[customers]" in text


def test_changed_facts_table(comparison: Comparison) -> None:
    text = recorded(comparison)
    assert "Changed facts" in text
    assert "number" in text and "name" in text
    assert "[Sunshine]" in text and "[Sun]" in text
    assert "[three years]" in text and "[a few yrs]" in text


def test_colour_console_styles_instead_of_brackets(comparison: Comparison) -> None:
    out = coloured(comparison)
    assert "\x1b[" in out
    assert "[formal]" not in out and "formal" in out


def test_plain_console_has_no_escape_codes(comparison: Comparison) -> None:
    out = io.StringIO()
    render_terminal(comparison, Console(file=out, width=100, force_terminal=False))
    assert "\x1b" not in out.getvalue()
    assert "Spun copy" in out.getvalue()


def test_no_passages() -> None:
    text = recorded(make_comparison("some text", "other text", verdict="unrelated"))
    assert "Unrelated: no reuse worth reporting" in text
    assert "No reuse found" in text and "No changed facts" in text
    assert "could not be determined" in text


def test_hostile_text_is_shown_not_interpreted() -> None:
    a_text = "[bold red]markup[/] and \x1b[2J escape \x9b31m csi"
    b_text = "[bold red]markup[/] and \x1b[2J escape \x9b31m csi"
    passage = Passage(0, len(a_text), 0, len(b_text), 1.0)
    comparison = make_comparison(a_text, b_text, [passage])
    text = recorded(comparison)
    assert "[bold red]markup[/]" in text
    assert "\x1b[2J" not in text and "\x9b" not in text
    assert "\x1b[2J" not in coloured(comparison)


def test_long_passage_kept_whole() -> None:
    words = [f"w{i}" for i in range(600)]
    a_text = b_text = " ".join(words)
    passage = Passage(0, len(a_text), 0, len(b_text), 1.0)
    text = recorded(make_comparison(a_text, b_text, [passage]), width=100)
    assert all(w in text for w in ("w0", "w299", "w599"))


def test_bad_spans_do_not_crash() -> None:
    a_text, b_text = "alpha beta gamma delta", "alpha BETA gamma DELTA"
    subs = [
        Substitution("delta", "DELTA", 17, 17),
        Substitution("beta", "BETA", 6, 6),
        Substitution("beta gamma", "BETA gamma", 6, 6),  # overlaps the previous one
        Substitution("x", "y", -5, 10**6),  # outside both texts
    ]
    passages = [
        Passage(11, 400, 11, 16, 0.5),  # runs past the end of a
        Passage(0, 22, 0, 22, 0.9, subs),
        Passage(30, 10, -3, 2, 0.1),  # backwards in a
    ]
    facts = [
        ChangedFact("delta", "DELTA", "number", 17, 17),
        ChangedFact("q", "r", "other", 10**6, -1),
    ]
    text = recorded(make_comparison(a_text, b_text, passages, facts))
    assert "[BETA]" in text and "[DELTA]" in text
    assert "(outside the text)" in text


def test_verdict_sentences() -> None:
    assert verdict_sentence("spun_copy", "b") == (
        "Spun copy: A rewrites B by swapping words for synonyms"
    )
    assert verdict_sentence("near_duplicate", None).startswith("Near duplicate: A and B")
    assert verdict_sentence("partial_reuse", "a").startswith("Partial reuse: B reuses")
    assert verdict_sentence("something_new", None).startswith("something_new:")


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(max_size=40),
    spans=st.lists(st.tuples(st.integers(-5, 50), st.integers(-5, 50)), max_size=4),
)
def test_arbitrary_spans_never_crash(text: str, spans: list[tuple[int, int]]) -> None:
    passages = [
        Passage(s, e, e, s, 0.5, [Substitution(text[s:e] or "x", "y", s, e)]) for s, e in spans
    ]
    facts = [ChangedFact("x", text[:3], "other", e, s) for s, e in spans]
    render_terminal(make_comparison(text, text, passages, facts), Console(file=io.StringIO()))
