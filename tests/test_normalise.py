import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unspin.documents import document_from_text
from unspin.normalise import (
    SPACES,
    analyse,
    boilerplate_spans,
    is_boilerplate_line,
    non_space,
    non_space_before,
)


def test_token_spans_point_into_raw_text(seed_spun):
    a = analyse(seed_spun)
    for s, e, k in zip(a.starts, a.ends, a.keys, strict=True):
        assert seed_spun.text[s:e].lower().replace("\u2019", "'") == k


def test_keys_fold_case_and_curly_quotes():
    a = analyse(document_from_text("x", "Korea\u2019s leader didn't go."))
    assert a.keys[:3] == ["korea's", "leader", "didn't"]


def test_hyphens_split_words_numbers_stay_whole():
    a = analyse(
        document_from_text("x", "An eco-friendly train cost 1,500.75 dollars in the 1990s.")
    )
    assert "eco" in a.keys and "friendly" in a.keys
    assert "1,500.75" in a.keys and "1990s" in a.keys


def test_sentences_respect_abbreviations_and_lines():
    text = "Navy Adm. Kim Myong Sik spoke. He left at 7 p.m. Tuesday.\nNew line here"
    a = analyse(document_from_text("x", text))
    got = [text[s.start : s.end] for s in a.sentences]
    assert got == ["Navy Adm. Kim Myong Sik spoke.", "He left at 7 p.m. Tuesday.", "New line here"]


def test_seed_boilerplate_is_masked_not_removed(seed_original, seed_spun):
    for doc, expected in (
        (seed_original, ["Advertisement", "SHARE URL berhasil di salin.", "Tags:Keywords:"]),
        (seed_spun, ["Mikhail Svetlov | Getty Photographs Information | Getty Photographs"]),
    ):
        a = analyse(doc)
        masked = [doc.text[s:e].strip() for s, e in a.masked]
        for line in expected:
            assert line in masked
        # No token comes from a masked span.
        for s in a.starts:
            assert not any(ms <= s < me for ms, me in a.masked)


def test_date_prefix_is_not_compared(seed_original):
    a = analyse(seed_original)
    assert "2023" not in a.keys[:3] and a.keys[0] == "north"


def test_boilerplate_lines():
    for line in [
        "Advertisement",
        "Share this article",
        "Read more: other story",
        "Tags: a, b",
        "Photo: AP",
        "Copyright 2024 Example",
        "Jane Doe | Getty Images",
        "AP Photo/Lee Jin-man",
        "REUTERS/Kim Hong-Ji",
        "AFP via Getty Images",
        "(AP)",
        "Photograph: Alastair Grant/AP",
        "File photo: Reuters",
        "Chip Somodevilla/Getty Images",
        "Images courtesy of Reuters",
    ]:
        assert is_boilerplate_line(line), line
    for line in [
        "The minister said the deal was done.",
        "Kim arrived in Russia on Tuesday",
        "Share prices fell sharply on Monday after the report.",
        # An agency's name opening a sentence is news; "Apple" and "April" are no agency
        # (both were masked once, with 41 other paragraphs of the BBC set).
        "Reuters reported that the bank had cut 300 jobs.",
        "Apple had been unwilling to raise the cost of the single.",
        "April was the warmest month on record",
        "Approximately 50,000 people in Canada have been diagnosed with MS",
        # A headline naming an agency has words of its own (the last BBC line masked).
        "Weak dollar hits Reuters",
        "New images show Mars surface",
    ]:
        assert not is_boilerplate_line(line), line
    assert boilerplate_spans("Text.\nAdvertisement\nMore.") == [(6, 20)]


def test_tokens_are_the_token_pattern_matches():
    # analyse splits on TOKEN_RE instead of iterating its matches: same spans, every case.
    from unspin.normalise import TOKEN_RE

    text = (
        "İstanbul ΣΑΣ naïve don\u2018t 1,000th x² 12_ ½ a_b Korea\u2019s 3.5.6x 7:30pm\n"
        "Advertisement\nfine.\u201d Next 2nds, 1990s"
    )
    a = analyse(document_from_text("x", text))
    kept = [m.span() for m in TOKEN_RE.finditer(text) if not text[m.start() :].startswith("Adv")]
    assert list(zip(a.starts, a.ends, strict=True)) == kept
    assert a.keys == [text[s:e].lower().replace("\u2019", "'") for s, e in kept]


def test_long_words_before_a_full_stop_end_sentences():
    # Only short words can be abbreviations: the read-back stops past the longest one.
    text = "He met Sept. Five men. They left Septembers. Then Corp. Inc went. A. Lincoln spoke."
    a = analyse(document_from_text("x", text))
    got = [text[s.start : s.end] for s in a.sentences]
    assert got == [
        "He met Sept. Five men.",
        "They left Septembers.",
        "Then Corp. Inc went.",
        "A. Lincoln spoke.",
    ]


def test_token_pattern_matches_the_plain_alternation():
    # TOKEN_RE lists words first and matches them possessively, for speed: it must cut
    # every text exactly as the plain pattern (numbers first, greedy) does.
    import re

    from unspin.normalise import TOKEN_RE

    plain = re.compile(
        r"\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?\b|[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\w+", re.UNICODE
    )
    text = (
        "İstanbul ΣΑΣ naïve don\u2018t don' 'tis rock'n'roll 1,000th x² ²x 12_ _x ½ a_b "
        "Korea\u2019s 3.5.6x 7:30pm 3abc 2nds 1990s 1st, e.g. U.S. £5.50 — 20%! ١٢٣ abc١"
    )
    assert [m.span() for m in TOKEN_RE.finditer(text)] == [m.span() for m in plain.finditer(text)]


def _reference_analyse(text: str) -> tuple[list, list, list]:
    """The plain definition analyse's fast paths must meet: TOKEN_RE's matches, keys as
    slices of the text folded whole (per token when folding changes its length), and a
    sentence break at every line break and at every sentence end found line by line (a
    full stop after an abbreviation or an initial is none, however far back it reads)."""
    from bisect import bisect_left

    from unspin.normalise import _ABBREVIATIONS, _QUOTE_PAIRS, _SENTENCE_END, TOKEN_RE, _folded

    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    low = _folded(text)
    keys = [
        low[s:e]
        if low is not None
        else text[s:e].lower().translate(str.maketrans(dict(_QUOTE_PAIRS)))
        for s, e in spans
    ]
    breaks, line_start = [], 0
    for line in text.splitlines(keepends=True):
        line_end = line_start + len(line)
        for m in _SENTENCE_END.finditer(text, line_start, line_end):
            j = k = m.start()
            while k > line_start and (text[k - 1].isalpha() or text[k - 1] == "."):
                k -= 1
            word = text[k:j].lower()
            if text[j] != "." or not (word in _ABBREVIATIONS or len(word) == 1):
                breaks.append(m.end())
        breaks.append(line_end)
        line_start = line_end
    sentences, prev, starts = [], 0, [s for s, _ in spans]
    for br in breaks:
        k = bisect_left(starts, br, prev)
        if k > prev:
            end = br
            while text[end - 1].isspace():
                end -= 1
            sentences.append((starts[prev], end, prev, k))
        prev = k
    return spans, keys, sentences


_TRICKY = "aZé İΣσς’‘ʼ“”'\".!?)( \n\r\u2028\x1c_0123456789²½١£—-,:stndrh"


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_TRICKY, max_size=40) | st.text(max_size=30))
@example("3pm 12abc 1,000x 1.5th 2nds _x a_b x² ²x don't Korea’s ١٢٣ abc١")
def test_split_patterns_cut_as_the_token_pattern(text):
    # The split patterns open with \w and read the first character back to choose the kind
    # of token: they must cut exactly where TOKEN_RE matches (the ASCII one on ASCII text).
    from unspin.normalise import _TOKEN_SPLIT, _TOKEN_SPLIT_ASCII, TOKEN_RE

    tokens = [m.group() for m in TOKEN_RE.finditer(text)]
    assert _TOKEN_SPLIT.split(text)[1::2] == tokens
    if text.isascii():
        assert _TOKEN_SPLIT_ASCII.split(text)[1::2] == tokens


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_TRICKY, max_size=80) | st.text(max_size=40))
@example("ΟΔΟΣ.Α ΟΔΟΣ Σ'Α")  # a capital sigma folds by its neighbours, across token ends
@example("Ann é. Bob 7 Ωé. 8")  # letters before a full stop, not ASCII
def test_analyse_meets_the_plain_definition(text):
    # ASCII token classes, NUL-joined folding and one sentence search a segment are
    # shortcuts: tokens, keys and sentences must be what the plain definition gives.
    text = "x " + text  # never a date prefix
    a = analyse(document_from_text("x", text))
    spans, keys, sentences = _reference_analyse(text)
    if a.masked:
        return  # boilerplate lines: the reference knows nothing of masking
    assert list(zip(a.starts, a.ends, strict=True)) == spans
    assert a.keys == keys
    assert [(s.start, s.end, s.lo, s.hi) for s in a.sentences] == sentences


def test_spaces_are_the_characters_str_split_cuts_at():
    assert set(SPACES) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain ASCII text,\twith tabs\nand lines.\r\n",
        "Curly \u201cquotes\u201d\u00a0and\u3000ideographic\u2009spaces \u00a3120",
        "Lone \ud800 surrogate\x85next \U0001f600 emoji\u2028end",
    ],
)
def test_non_space_before_counts_as_splitting_does(text):
    before = non_space_before(text)
    assert len(before) == len(text) + 1
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1, 3):
            assert before[end] - before[start] == non_space(text, start, end)
