"""One comparison as a Rich report in the terminal.

Shows the same things as the HTML viewer, in the same words, for people who live in a shell:
a summary panel, the aligned passages side by side with their substitutions highlighted,
and the changed facts. Everything goes through ``rich.text.Text`` objects, never markup
strings, so brackets in a document cannot be read as Rich markup; control characters are
replaced by visible symbols so a hostile text cannot drive the terminal with escape codes.
On a console without colour (a pipe, a log file, ``NO_COLOR``) highlights would vanish, so
substituted words are bracketed instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from unspin.models import Comparison, Passage

__all__ = ["render_terminal", "verdict_sentence"]

VERDICT_NAMES = {
    "unrelated": "Unrelated",
    "partial_reuse": "Partial reuse",
    "near_duplicate": "Near duplicate",
    "spun_copy": "Spun copy",
}
VERDICT_STYLES = {
    "unrelated": "bold green",
    "partial_reuse": "bold blue",
    "near_duplicate": "bold dark_orange",
    "spun_copy": "bold red",
}
# Why an original was chosen, in plain words (same wording as viewer.js).
REASONS = {
    "date": "it carries the earlier date",
    "substitute rarity": (
        "its wording is the ordinary one, while the other text uses the rarer synonyms "
        "typical of spinning software"
    ),
    "containment": "the other text contains it and adds material around it",
}

STYLE_SUB_A = "red"
STYLE_SUB_B = "bold yellow"
STYLE_FACT = "bold white on red"
STYLE_DIM = "dim"

_OTHER = {"a": "B", "b": "A"}
_SIMILARITY = "Under each passage number: its similarity; above each text: its character range."
# C0/C1 control characters (escape sequences start with ESC or CSI) shown as symbols;
# newlines and tabs are layout and stay; carriage returns are dropped so CRLF reads cleanly.
_CONTROL = {c: 0x2400 + c for c in range(32) if chr(c) not in "\n\t"}
_CONTROL.update({0x7F: 0x2421, 0x0D: None})
_CONTROL.update({c: 0xFFFD for c in range(0x80, 0xA0)})


def _clean(text: str) -> str:
    return text.translate(_CONTROL)


def verdict_sentence(verdict: str, original: str | None) -> str:
    """The verdict in plain words, e.g. ``Spun copy: B rewrites A by swapping words...``."""
    orig = {"a": "A", "b": "B"}.get(original or "")
    copy = _OTHER.get(original or "")
    if verdict == "spun_copy":
        what = (
            f"{copy} rewrites {orig} by swapping words for synonyms"
            if orig
            else "one text rewrites the other by swapping words for synonyms"
        )
    elif verdict == "near_duplicate":
        what = (
            f"{copy} is a lightly edited copy of {orig}"
            if orig
            else "A and B are essentially the same text, up to small edits"
        )
    elif verdict == "partial_reuse":
        what = (
            f"{copy} reuses some passages of {orig}; most of each text is not shared"
            if orig
            else "A and B share some passages; most of each text is not shared"
        )
    elif verdict == "unrelated":
        what = "no reuse worth reporting between A and B"
    else:
        what = "unrecognised verdict"
    return f"{VERDICT_NAMES.get(verdict, verdict)}: {what}"


def _pct(x: float) -> str:
    v = max(0.0, min(1.0, x)) * 100
    if 0 < v < 1:
        return "<1%"
    if 99 < v < 100:
        return ">99%"
    return f"{v:.0f}%"


def _plain(console: Console) -> bool:
    """True when styles will not show, so highlights must be made of characters."""
    return console.no_color or console.color_system is None


@dataclass(frozen=True, slots=True)
class _Mark:
    start: int
    end: int
    style: str
    fact: bool


def _disjoint(marks: Iterable[_Mark]) -> list[_Mark]:
    """Marks sorted by start, facts winning over substitutions on the same words.

    Engine output is not trusted to be tidy: overlapping marks would nest brackets in plain
    mode, so any mark overlapping an already kept one is dropped.
    """
    kept: list[_Mark] = []
    for mark in sorted(marks, key=lambda m: (not m.fact, m.start, m.end)):
        if all(mark.end <= k.start or mark.start >= k.end for k in kept):
            kept.append(mark)
    return sorted(kept, key=lambda m: m.start)


def _highlighted(text: str, start: int, end: int, marks: list[_Mark], plain: bool) -> Text:
    """``text[start:end]`` with the marks (clipped to it) styled, or bracketed when plain."""
    out = Text()
    cursor = start
    for mark in marks:
        s, e = max(mark.start, cursor), min(mark.end, end)
        if e <= s:
            continue
        out.append(_clean(text[cursor:s]))
        word = _clean(text[s:e])
        out.append(f"[{word}]" if plain else word, style=mark.style)
        cursor = e
    out.append(_clean(text[cursor:end]))
    return out


def _side_marks(comparison: Comparison, passage: Passage, side: str) -> list[_Mark]:
    length = len(getattr(comparison, side).text)
    style = STYLE_SUB_A if side == "a" else STYLE_SUB_B
    marks: list[_Mark] = []
    for sub in passage.substitutions:
        start = getattr(sub, f"{side}_start")
        marks.append(_Mark(start, start + len(getattr(sub, side)), style, fact=False))
    for fact in comparison.changed_facts:
        start = getattr(fact, f"{side}_start")
        marks.append(_Mark(start, start + len(getattr(fact, side)), STYLE_FACT, fact=True))
    lo, hi = getattr(passage, f"{side}_start"), getattr(passage, f"{side}_end")
    inside = [m for m in marks if 0 <= m.start < m.end <= length and m.start < hi and m.end > lo]
    return _disjoint(inside)


def _span(comparison: Comparison, passage: Passage, side: str) -> tuple[int, int] | None:
    length = len(getattr(comparison, side).text)
    start = max(0, getattr(passage, f"{side}_start"))
    end = min(length, getattr(passage, f"{side}_end"))
    return (start, end) if end > start else None


def _summary(comparison: Comparison) -> Panel:
    c = comparison
    headline = Text(verdict_sentence(c.verdict, c.original), style=VERDICT_STYLES.get(c.verdict))

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Score", Text.assemble(_pct(c.score), ("  strength of the evidence", STYLE_DIM)))
    grid.add_row(
        "Coverage A",
        Text.assemble(_pct(c.coverage_a), ("  of A lies inside reused passages", STYLE_DIM)),
    )
    grid.add_row(
        "Coverage B",
        Text.assemble(_pct(c.coverage_b), ("  of B lies inside reused passages", STYLE_DIM)),
    )
    grid.add_row(
        "Spin rate",
        Text.assemble(_pct(c.spin_rate), ("  of aligned words swapped for synonyms", STYLE_DIM)),
    )
    if c.original in ("a", "b"):
        doc = getattr(c, c.original)
        original = Text.assemble(
            (c.original.upper(), "bold"),
            f" ({_clean(doc.id)})",
            f"; {_OTHER[c.original]} was derived from it",
        )
        if c.original_reason:
            reason = REASONS.get(c.original_reason, c.original_reason)
            original.append(f", judged so because {_clean(reason)}", style=STYLE_DIM)
    else:
        original = Text("could not be determined", style=STYLE_DIM)
    grid.add_row("Original", original)
    n_subs = sum(len(p.substitutions) for p in c.passages)
    grid.add_row(
        "Found",
        Text(
            f"{len(c.passages)} reused passage{'s' if len(c.passages) != 1 else ''}, "
            f"{n_subs} substituted word{'s' if n_subs != 1 else ''}, "
            f"{len(c.changed_facts)} changed fact{'s' if len(c.changed_facts) != 1 else ''}"
        ),
    )
    docs = Text.assemble(
        ("A ", "bold"),
        _clean(c.a.id),
        f"  ({len(c.a.text):,} characters)\n",
        ("B ", "bold"),
        _clean(c.b.id),
        f"  ({len(c.b.text):,} characters)",
        style=STYLE_DIM,
    )
    return Panel(
        Group(headline, Text(), grid, Text(), docs),
        title=Text("unspin", style="bold"),
        title_align="left",
        border_style=VERDICT_STYLES.get(c.verdict, "bold").replace("bold ", ""),
        padding=(1, 2),
    )


def _passages(comparison: Comparison, plain: bool) -> Table:
    c = comparison
    table = Table(
        title="Reused passages",
        title_justify="left",
        title_style="bold",
        caption=(
            Text(f"Substituted words are [bracketed]. {_SIMILARITY}")
            if plain
            else Text.assemble(
                "Replaced words in A in ",
                ("red", STYLE_SUB_A),
                ", their replacements in B in ",
                ("bold yellow", STYLE_SUB_B),
                ", changed facts in ",
                ("white on red", STYLE_FACT),
                f". {_SIMILARITY}",
            )
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAVY,
        show_lines=True,
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True, style="bold")
    table.add_column(Text.assemble("A  ", (_clean(c.a.id), STYLE_DIM)), ratio=1, overflow="fold")
    table.add_column(Text.assemble("B  ", (_clean(c.b.id), STYLE_DIM)), ratio=1, overflow="fold")
    # Same numbering as the HTML viewer: reading order of A.
    ordered = sorted(c.passages, key=lambda p: (p.a_start, p.b_start))
    for number, passage in enumerate(ordered, start=1):
        cells: list[Text] = []
        for side in ("a", "b"):
            span = _span(c, passage, side)
            if span is None:
                cells.append(Text("(outside the text)", style=STYLE_DIM))
                continue
            text = getattr(c, side).text
            cell = Text(f"{span[0]}–{span[1]}\n", style=STYLE_DIM)
            cell.append_text(
                _highlighted(text, span[0], span[1], _side_marks(c, passage, side), plain)
            )
            cells.append(cell)
        label = Text(str(number))
        label.append(f"\n{_pct(passage.similarity)}", style=STYLE_DIM)
        table.add_row(label, *cells)
    return table


def _context(text: str, start: int, end: int, style: str, plain: bool, radius: int = 40) -> Text:
    """A changed fact with a little of the sentence around it, on one line."""
    length = len(text)
    start, end = max(0, start), min(length, end)
    left = " ".join(text[max(0, start - radius) : start].split())
    right = " ".join(text[end : end + radius].split())
    if start - radius > 0:
        left = "…" + left.partition(" ")[2] if " " in left else "…" + left
    if end + radius < length:
        right = (right.rpartition(" ")[0] if " " in right else right) + "…"
    pad_left = " " if start > 0 and text[start - 1].isspace() else ""
    pad_right = " " if end < length and text[end].isspace() else ""
    word = _clean(text[start:end])
    out = Text(_clean(left) + pad_left, style=STYLE_DIM)
    out.append(f"[{word}]" if plain else word, style=style)
    out.append(pad_right + _clean(right), style=STYLE_DIM)
    return out


def _facts(comparison: Comparison, plain: bool) -> Table:
    c = comparison
    table = Table(
        title="Changed facts",
        title_justify="left",
        title_style="bold",
        caption=Text("Substitutions that change what the text asserts."),
        caption_justify="left",
        box=box.SIMPLE_HEAVY,
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("In A", ratio=1, overflow="fold")
    table.add_column("In B", ratio=1, overflow="fold")
    for number, fact in enumerate(c.changed_facts, start=1):
        cells: list[Text] = []
        for side in ("a", "b"):
            text = getattr(c, side).text
            start = getattr(fact, f"{side}_start")
            end = start + len(getattr(fact, side))
            if 0 <= start < end <= len(text):
                cells.append(_context(text, start, end, STYLE_FACT, plain))
            else:
                cells.append(Text(_clean(getattr(fact, side)), style=STYLE_FACT))
        table.add_row(str(number), Text(_clean(fact.kind)), *cells)
    return table


def render_terminal(comparison: Comparison, console: Console) -> None:
    """Prints the report for one comparison on ``console``.

    Passages are printed whole (Rich folds them to the column width) because a truncated
    passage would hide exactly the substitutions the reader is looking for.
    """
    plain = _plain(console)
    console.print(_summary(comparison))
    if comparison.passages:
        console.print(_passages(comparison, plain))
        console.print()
    else:
        console.print(Text("No reuse found: the two texts share no passage.", style="bold"))
    if comparison.changed_facts:
        console.print(_facts(comparison, plain))
    else:
        console.print(Text("No changed facts.", style=STYLE_DIM))
