"""Tokens, sentences and boilerplate, every one with its span in the raw text.

Nothing here rewrites the text: offsets must stay Python indices into the document exactly
as read. Normalisation happens in the token *keys* (lower case, curly quotes folded), and
boilerplate (ads, share buttons, tag lists, photo credits) is *masked*, kept out of the
comparison but never out of the offsets.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

from unspin.models import Document

# Numbers keep their inner separators ("1,000", "3.5", "7:30"); words keep inner
# apostrophes ("didn't", "Korea's"); hyphens split words, so "green-and-yellow" and
# "eco-friendly-and-yellow" still share "and yellow". A word starts with a letter, a number
# with a digit, and anything else made of word characters ("_x", "3pm") is one token too.
TOKEN_RE = re.compile(
    r"[^\W\d_]++(?:['\u2019][^\W\d_]++)*+|\d+(?:[.,:]\d+)*(?:st|nd|rd|th|s)?\b|\w+", re.UNICODE
)


def _split_pattern(letter: str, digit: str, flags: re.RegexFlag) -> re.Pattern[str]:
    """:data:`TOKEN_RE` as one group, for re.split (which returns the gaps and the tokens),
    written to be fast: the pattern opens with the one character class every token opens
    with, so that ``re`` skips the gaps between tokens a character at a time instead of
    trying all three kinds of token at each; the first character, read back, then says
    which kind it opened. The same tokens (tested against TOKEN_RE) for a sixth fewer
    instructions."""
    return re.compile(
        rf"(\w(?:(?<={letter}){letter}*+(?:['\u2019]{letter}++)*+"
        rf"|(?<={digit}){digit}*(?:[.,:]{digit}+)*(?:st|nd|rd|th|s)?\b|\w*))",
        flags,
    )


_TOKEN_SPLIT = _split_pattern(r"[^\W\d_]", r"\d", re.UNICODE)
# The same again in ASCII classes, for texts none of whose non-ASCII characters is a word
# character (curly quotes, dashes and "£" are not: most news). There [A-Za-z] and [0-9]
# match exactly what [^\W\d_] and \d match, and re tests them against a bitmap instead of
# looking each character's category up; \w and \b are ASCII too, the same on such texts.
_TOKEN_SPLIT_ASCII = _split_pattern("[A-Za-z]", "[0-9]", re.ASCII)
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_WORD_CHAR = re.compile(r"\w")

# Lower case as Python itself folds it. Compiled with mypyc, ``s.lower()`` would run
# mypyc's own case mapping, which folds a final Greek capital sigma to "σ" where Python
# gives "ς" (keys would then differ between the compiled and the pure build); called
# through a plain callable, it is CPython's method whatever runs this module.
_lower: Callable[[str], str] = str.lower

_QUOTE_PAIRS = (("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u201c", '"'), ("\u201d", '"'))

# The characters ``str.split()`` cuts at, those for which ``str.isspace()`` holds (the
# tests check the list against every code point), and by code point up to the last of
# them, U+3000, whether a character is *not* one (every later code point is not).
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NOT_SPACE = np.ones(0x3002, dtype=bool)
_NOT_SPACE[[ord(c) for c in SPACES]] = False

# Words that carry grammar rather than content: spinners mostly leave them, and two
# unrelated news texts share them in bulk, so they weigh little as evidence.
STOP_WORDS = frozenset(
    """a about above after again against all also although am among an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each either even ever every few for from further had has have having he her
    here hers herself him himself his how however i if in into is it its itself just
    least less many may me might more most much must my myself neither no nor not now of
    off often on once one only or other our ours ourselves out over own per perhaps
    rather same shall she should since so some still such than that the their theirs
    them themselves then there these they this those though through thus to too under
    until up upon us very was we were what when where whether which while who whom whose
    why will with within without would yet you your yours yourself yourselves s t said
    says say told according mr mrs ms""".split()
)

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen sen rep gov lt col capt sgt adm st jr sr co inc ltd corp vs
    etc no fig jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e p.m
    a.m mt ft""".split()
)

_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
# The ASCII characters for which ``c.isalpha() or c == "."`` holds.
_ASCII_LETTERS_DOT = string.ascii_letters + "."

# A sentence ends at . ! ? (plus closing quotes/brackets) before white space and a capital,
# digit or opening quote; a line break always ends one. (The pattern opens with one
# character class, not a repeat, so that re skips to the next . ! or ? in a fast scan
# instead of trying the whole pattern at every character: a third of the instructions.)
_SENTENCE_END = re.compile(r"[.!?][.!?]*[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")

_BOILERPLATE_LINE = re.compile(
    r"""^\W*(
        advertisement|advertising|sponsored(\s+content)?|
        share(\s+this)?(\s+(article|story|page|on\s+\w+))?|share\s+url.*|
        tags?\s*:.*|keywords?\s*:.*|read\s+more\b.*|related\s*:.*|more\s+on\s+this\s+story.*|
        click\s+here\b.*|subscribe\b.*|sign\s+up\b.*|follow\s+us\b.*|
        copyright\b.*|\u00a9.*|all\s+rights\s+reserved.*|
        (image|photo|picture)(\s+(caption|source|copyright|credit))?\s*:.*|
        listen\s+to\s+this\s+article.*|skip\s+to\b.*|continue\s+reading.*|
        story\s+continues\s+below.*|recommended(\s+stories)?|watch\s*:.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
# At most 14 words (the most the rules below look at), matched without backtracking.
_FEW_WORDS = re.compile(r"\S++(?:\s++\S++){0,13}+\s*+$")
_CREDIT_HINT = re.compile(r"\b(getty|ap photo|afp|reuters|shutterstock|photograph|images)\b", re.I)
# A short line opening with an agency's name is its credit ("AP Photo/Lee Jin-man",
# "REUTERS/Kim Hong-ji", "Getty Images"); a sentence that opens with one ("Reuters reported
# that ...") is news, and "Apple" or "April" open with no agency at all.
_AGENCY_CREDIT = re.compile(r"^\W*(getty|ap|afp|reuters)\b", re.I)
# Lower-case words a credit line may hold besides names.
_CREDIT_WORDS = frozenset(
    "via by for and of the from file photo photos image images photograph photographs courtesy"
    " handout credit".split()
)
_LETTER_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class Sentence:
    """A sentence's character span and its tokens' index range ``[lo, hi)``."""

    start: int
    end: int
    lo: int
    hi: int


@dataclass(slots=True)
class Analysis:
    """A document cut into tokens and sentences, boilerplate masked.

    Tokens are parallel lists (cheaper than one object per token on hot paths). Masked
    tokens are not listed at all: ``sentences`` index the kept tokens only.
    """

    doc: Document
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # lower case, quotes folded
    sentences: list[Sentence] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)  # boilerplate spans
    content_chars: int = 0  # characters of the text outside masked spans, spaces excluded
    _sentence_starts: frozenset[int] | None = None

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def sentence_starts(self) -> frozenset[int]:
        """Indices of tokens that open a sentence (capitalised for grammar, not as names)."""
        if self._sentence_starts is None:
            self._sentence_starts = frozenset(s.lo for s in self.sentences)
        return self._sentence_starts

    def __len__(self) -> int:
        return len(self.keys)


def non_space(text: str, start: int = 0, end: int | None = None) -> int:
    """Characters of ``text[start:end]`` that are not white space (what coverage counts).

    (``str.split`` cuts at exactly the characters ``\\s`` matches, and is much faster.)"""
    return len("".join(text[start:end].split()))


def non_space_before(text: str) -> np.ndarray:
    """For every offset ``i`` of ``text`` (0 to ``len(text)``), how many of the characters
    before it are not white space: :func:`non_space` of any span is then a difference of
    two entries. One pass in numpy over the code points, twice as fast as splitting the
    text once, and a document's coverage asks for many spans."""
    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:  # (surrogatepass: a str may hold lone surrogates, which are not white space)
        codes = np.minimum(
            np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32),
            len(_NOT_SPACE) - 1,
        )
    before = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(_NOT_SPACE[codes], out=before[1:])
    return before


def is_boilerplate_line(line: str) -> bool:
    """Lines a publisher wraps around a story: ads, share prompts, tags, photo credits."""
    s = line.strip()
    if not s:
        return False
    if _BOILERPLATE_LINE.match(s):
        return True
    if not _FEW_WORDS.match(s):  # a paragraph: spare counting its words
        return False
    words = len(s.split())
    # Photo credits: "Mikhail Svetlov | Getty Images | Getty Images".
    if "|" in s and words <= 14 and not s.endswith((".", "?", "!", '"', "\u201d")):
        return True
    if words > 8 or s.endswith((".", "?", "!")):
        return False
    if _AGENCY_CREDIT.match(s):
        return True
    # A credit names people and agencies ("Photograph: Alastair Grant/AP", "File photo:
    # Reuters"); a headline that names an agency has lower-case words of its own ("Weak
    # dollar hits Reuters", the one BBC line this rule masked before it asked).
    return bool(_CREDIT_HINT.search(s)) and all(
        not w[0].islower() or _lower(w) in _CREDIT_WORDS for w in _LETTER_WORDS.findall(s)
    )


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of boilerplate lines."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if is_boilerplate_line(line):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _sentence_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets where sentences end inside ``text[start:end]``, line breaks excluded.

    Searched over many lines at once, this also finds full stops that end a line (the
    look-ahead runs on over the line break), which a search line by line would not: such a
    break is followed by nothing but white space up to the line's own break, so it cuts
    the tokens exactly where the line break does."""
    breaks = []
    for m in _SENTENCE_END.finditer(text, start, end):
        # The word before the full stop: an abbreviation or an initial does not end a sentence.
        j = m.start()
        if text[j] == ".":
            # Read back no further than the longest abbreviation: a longer word is neither.
            stop = max(start, j - _LONGEST_ABBREVIATION - 1)
            k = _word_start(text, stop, j)
            word = _lower(text[k:j])
            if j - k <= _LONGEST_ABBREVIATION and (word in _ABBREVIATIONS or len(word) == 1):
                continue
        breaks.append(m.end())
    return breaks


def _word_start(text: str, stop: int, j: int) -> int:
    """Where the run of letters and full stops that ends at ``j`` starts (``stop`` at the
    earliest). An ASCII window is stripped in one C call, any other read char by char."""
    window = text[stop:j]
    if window.isascii():
        return stop + len(window.rstrip(_ASCII_LETTERS_DOT))
    k = j
    while k > stop and (text[k - 1].isalpha() or text[k - 1] == "."):
        k -= 1
    return k


def _folded(text: str) -> str | None:
    """The whole text lower-cased with quotes folded, when that keeps every offset.

    Folding once and slicing is much cheaper than folding token by token; a few characters
    change length when lower-cased (the Turkish dotted I), and then we fold per token.
    """
    low = _lower(text)
    for curly, straight in _QUOTE_PAIRS:  # str.replace is far faster than str.translate
        if curly in low:
            low = low.replace(curly, straight)
    return low if len(low) == len(text) else None


def _fold_tokens(tokens: list[str]) -> list[str]:
    """Each token lower-cased with quotes folded, in three C calls over the tokens joined
    by NULs rather than one call a token.

    NUL is never part of a token, and it ends a word for the one context-sensitive case
    mapping (Greek capital sigma, final or not), so each key comes out as if its token
    were folded alone.
    """
    low = _lower("\0".join(tokens))
    for curly, straight in _QUOTE_PAIRS:
        if curly in low:
            low = low.replace(curly, straight)
    return low.split("\0")


def _token_splitter(text: str) -> re.Pattern[str]:
    """The fastest pattern that cuts ``text`` exactly as :data:`TOKEN_RE` does."""
    if not text.isascii():
        others = set(_ASCII_RUNS.sub("", text))
        if any(map(_WORD_CHAR.match, others)):
            return _TOKEN_SPLIT
    return _TOKEN_SPLIT_ASCII


def analyse(doc: Document) -> Analysis:
    """Tokenise and sentence-split a document, masking boilerplate and metadata spans."""
    text = doc.text
    masked = sorted(list(doc.skip) + boilerplate_spans(text))
    out = Analysis(doc=doc, masked=masked)
    starts, ends, keys = out.starts, out.ends, out.keys
    split = _token_splitter(text).split
    # Keys are slices of the whole text folded at once, except that a capital sigma folds
    # by what surrounds it: only then fold the text itself, when its length allows.
    low = _folded(text) if "\u03a3" in text else None

    # Segments of text between masked spans; sentences end at line breaks and at
    # sentence-final punctuation.
    segments = []
    pos = 0
    for a, b in masked:
        if a > pos:
            segments.append((pos, a))
        pos = max(pos, b)
    if pos < len(text):
        segments.append((pos, len(text)))

    before = non_space_before(text)  # (content_chars: white space left out)
    for seg_start, seg_end in segments:
        segment = text[seg_start:seg_end]
        line_ends = accumulate(map(len, segment.splitlines(keepends=True)), initial=seg_start)
        next(line_ends)  # the segment's start
        breaks = sorted([*_sentence_breaks(text, seg_start, seg_end), *line_ends])
        out.content_chars += int(before[seg_end]) - int(before[seg_start])
        # Splitting on the token pattern gives gaps and tokens in turn; their lengths,
        # summed up, are the offsets (all in C: far cheaper than a match object a token).
        parts = split(segment)
        if len(parts) == 1:
            continue
        offsets = list(accumulate(map(len, parts), initial=seg_start))
        seg_starts = offsets[1:-1:2]
        seg_ends = offsets[2:-1:2]
        base = len(keys)
        starts.extend(seg_starts)
        ends.extend(seg_ends)
        if low is not None:
            keys.extend(map(low.__getitem__, map(slice, seg_starts, seg_ends)))
        else:
            keys.extend(_fold_tokens(parts[1::2]))
        # The tokens up to each break make a sentence, from its first token to its last
        # non-space character.
        sentences = out.sentences
        prev = 0
        for br in breaks:
            k = bisect_left(seg_starts, br, prev)
            if k > prev:
                s = seg_starts[prev]
                sentences.append(Sentence(s, s + len(text[s:br].rstrip()), base + prev, base + k))
            prev = k
    return out
