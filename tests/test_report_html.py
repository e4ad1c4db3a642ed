"""The HTML report: one self-contained page whose embedded data is exactly the result."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.models import Comparison, Passage, Substitution
from unspin.report import render_html, write_html
from unspin.report.html import viewer_data

from .report_sample import load_documents, make_comparison, sample_comparison

DATA = re.compile(
    r'<script type="application/json" id="unspin-data">(.*?)</script>', re.DOTALL | re.IGNORECASE
)


def embedded(page: str) -> dict:
    """The JSON object embedded in a page (what the viewer will JSON.parse)."""
    found = DATA.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return sample_comparison()


@pytest.fixture(scope="module")
def page(comparison: Comparison) -> str:
    return render_html(comparison)


def test_single_complete_document(page: str, comparison: Comparison) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == 1 and page.rstrip().endswith("</html>")
    assert page.count("<body") == 1
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None
    assert comparison.a.id in title.group(1) and comparison.b.id in title.group(1)


def test_no_external_references(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert "@import" not in page and "url(" not in page


def test_viewer_inlined(page: str) -> None:
    js = (files("unspin") / "static" / "viewer.js").read_text(encoding="utf-8")
    css = (files("unspin") / "static" / "viewer.css").read_text(encoding="utf-8")
    assert "window.UnspinViewer" in page
    assert js.strip() in page and css.strip() in page


def test_embedded_json_is_the_result(page: str, comparison: Comparison) -> None:
    data = embedded(page)
    assert data["result"] == comparison.to_json()
    assert data["a_text"] == comparison.a.text and data["b_text"] == comparison.b.text
    assert data["a_title"] == comparison.a.title
    assert data["b_title"] == comparison.b.id  # no title: the id stands in
    assert data["a_skip"] == [list(span) for span in comparison.a.skip]


def test_contains_both_texts_words(page: str) -> None:
    data = embedded(page)
    for word in ("Vladivostok", "Unification Ministry", "Jeon Ha Gyu"):
        assert word in data["a_text"] and word in page
    for word in ("Linked Push", "Protection Ministry", "tens of thousands and thousands"):
        assert word in data["b_text"] and word in page


def test_sample_offsets_point_at_their_words(comparison: Comparison) -> None:
    """Guards the fixture itself: a wrong sample would make every other test meaningless."""
    a, b = comparison.a.text, comparison.b.text
    for p in comparison.passages:
        for s in p.substitutions:
            assert a[s.a_start : s.a_start + len(s.a)] == s.a
            assert b[s.b_start : s.b_start + len(s.b)] == s.b
            assert p.a_start <= s.a_start < p.a_end and p.b_start <= s.b_start < p.b_end
    for f in comparison.changed_facts:
        assert a[f.a_start : f.a_start + len(f.a)] == f.a
        assert b[f.b_start : f.b_start + len(f.b)] == f.b


def test_script_tag_in_text_cannot_break_out() -> None:
    a, b = load_documents()
    evil = "</script><script>alert(1)</script><!-- <script> </SCRIPT > ]]> &amp; \u2028"
    a = replace(a, id="a</script>", text=evil + a.text)
    b = replace(b, title="<b>title</b>", text=b.text + "\n" + evil)
    comparison = sample_comparison(a, b)
    page = render_html(comparison)
    # Only the page's own three script elements end in the page.
    assert len(re.findall(r"</script", page, re.IGNORECASE)) == 3
    payload = DATA.search(page)
    assert payload is not None and "<" not in payload.group(1)
    data = embedded(page)
    assert data["a_text"] == a.text and data["b_text"] == b.text
    assert data["result"] == comparison.to_json()
    assert "<title>unspin: a&lt;/script&gt; vs" in page


def test_astral_and_lone_surrogates_survive(tmp_path: Path) -> None:
    a_text = "😀 emoji first, then the shared words 🎉"
    b_text = "the shared words \ud800 with a lone surrogate"
    at, bt = a_text.index("shared"), b_text.index("shared")
    passage = Passage(
        at, at + 16, bt, bt + 16, 1.0, [Substitution("words", "words", at + 7, bt + 7)]
    )
    comparison = make_comparison(a_text, b_text, [passage])
    path = write_html(comparison, tmp_path / "deep" / "er" / "report.html")
    data = embedded(path.read_text(encoding="utf-8"))
    assert data["a_text"] == a_text and data["b_text"] == b_text


def test_write_html(tmp_path: Path, comparison: Comparison) -> None:
    path = write_html(comparison, tmp_path / "out" / "r.html")
    assert path.is_file()
    assert path.read_text(encoding="utf-8") == render_html(comparison)


def test_empty_comparison_renders() -> None:
    comparison = make_comparison("", "", verdict="unrelated")
    data = embedded(render_html(comparison))
    assert data["result"]["passages"] == [] and data["a_text"] == ""


def test_viewer_data_is_json_serialisable(comparison: Comparison) -> None:
    assert json.loads(json.dumps(viewer_data(comparison))) == viewer_data(comparison)


def test_viewer_js_never_injects_html_or_fetches() -> None:
    """The viewer's safety rests on building text with DOM APIs and staying offline."""
    js = (files("unspin") / "static" / "viewer.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.DOTALL)
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert banned not in code
    for banned in ("fetch(", "XMLHttpRequest", "http://", "https://", "import("):
        assert banned not in code


@settings(max_examples=60, deadline=None)
@given(a_text=st.text(max_size=60), b_text=st.text(max_size=60))
def test_any_text_round_trips(a_text: str, b_text: str) -> None:
    page = render_html(make_comparison(a_text, b_text))
    payload = DATA.search(page)
    assert payload is not None and "<" not in payload.group(1)
    data = embedded(page)
    assert data["a_text"] == a_text and data["b_text"] == b_text
