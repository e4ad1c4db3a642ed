"""A realistic sample Comparison for the report tests, built from two real example texts.

The report renderers must be tested against something that looks like the engine's output
without depending on the engine (written in parallel). So this module hand-aligns a few
passages of ``examples/seeds/000_*.txt`` (an AP article) with their spun rewrite in
``003_*.txt``, locating every offset with ``str.find`` so the offsets are exactly right.
Passages are deliberately listed out of order in B, as a real alignment would be.
"""

from __future__ import annotations

import re
from pathlib import Path

from unspin.models import ChangedFact, Comparison, Document, Passage, Substitution

SEEDS = Path("/work/shared/examples/seeds")
_FALLBACK = Path(__file__).resolve().parents[1] / "examples" / "seeds"

# (A sentence, B sentence, [(word in A, word in B), ...]) in the order they appear in A.
# Each pair of words is searched left to right inside its passage.
_ALIGNMENTS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "North Korea’s official Korean Central News Agency said Kim boarded his personal "
        "train Sunday afternoon, accompanied by unspecified members of the country’s ruling "
        "party, government and military.",
        "North Korea’s formal information company stated Kim boarded his personal train from "
        "the cash, Pyongyang, on Sunday afternoon, and that he was accompanied by unspecified "
        "customers of the country’s ruling social gathering, federal government and military.",
        [
            ("official", "formal"),
            ("Korean Central News Agency", "information company"),
            ("said", "stated"),
            ("members", "customers"),
            ("party", "social gathering"),
            ("government", "federal government"),
        ],
    ),
    (
        "spokesperson of South Korea’s Defense Ministry, said in a briefing",
        "spokesperson of South Korea’s Protection Ministry, reported in a briefing",
        [("Defense Ministry", "Protection Ministry"), ("said", "reported")],
    ),
    (
        "Kim Jong Un is apparently bringing Jo Chun Ryong, a ruling party official in charge "
        "of munitions policies who accompanied the leader on recent tours of factories "
        "producing artillery shells and missiles",
        "Kim Jong Un also looks to be bringing Jo Chun Ryong, a ruling celebration official in "
        "charge of munitions policies who experienced accompanied the chief on his modern tours "
        "to factories making artilleries and missiles",
        [
            ("party", "celebration"),
            ("leader", "chief"),
            ("recent", "modern"),
            ("producing", "making"),
            ("artillery shells", "artilleries"),
        ],
    ),
    (
        "North Korea may have tens of millions of artillery shells and rockets based on Soviet "
        "designs that could give a huge boost to the Russian army",
        "North Korea has maybe tens of thousands and thousands of artillery shells and rockets "
        "primarily based on Soviet models that could potentially give a big strengthen to the "
        "Russian army",
        [
            ("tens of millions", "tens of thousands and thousands"),
            ("designs", "models"),
            ("huge", "big"),
            ("boost", "strengthen"),
        ],
    ),
    (
        "Kim may also seek badly needed energy and food aid, analysts say.",
        "Kim could seek terribly necessary electricity and food stuff aid",
        [
            ("may also", "could"),
            ("badly", "terribly"),
            ("needed", "necessary"),
            ("energy", "electricity"),
            ("food", "food stuff"),
        ],
    ),
    (
        "Kim’s delegation likely includes his foreign minister, Choe Sun Hui, and his top two "
        "military officials, Korean People’s Army Marshals Ri Pyong Chol and Pak Jong Chon.",
        "Kim’s delegation very likely includes his foreign minister, Choe Sunshine Hui, and his "
        "major armed forces officers, which include Korean People’s Military Marshals Ri Pyong "
        "Chol and Pak Jong Chon.",
        [
            ("Sun", "Sunshine"),
            ("top two", "major"),
            ("military officials", "armed forces officers"),
            ("Army", "Military"),
        ],
    ),
    (
        "the eastern Russian city of Vladivostok, where Putin arrived Monday to attend an "
        "international forum that runs through Wednesday, according to Russia’s TASS news "
        "agency.",
        "the eastern Russian city of Vladivostok, wherever Putin arrived Monday to go to an "
        "intercontinental discussion board that runs through Wednesday, in accordance to "
        "Russia’s TASS news agency.",
        [
            ("where", "wherever"),
            ("attend", "go to"),
            ("international", "intercontinental"),
            ("forum", "discussion board"),
            ("according", "in accordance"),
        ],
    ),
    (
        "the Covid-19 pandemic, during which North Korea imposed tight border controls for "
        "more than three years.",
        "the Covid-19 pandemic, which had pressured North Korea to enforce tight border "
        "controls for more than a few yrs",
        [("imposed", "enforce"), ("three years", "a few yrs")],
    ),
]

# (word in A, word in B, kind): substitutions that change what the text asserts.
_FACTS: list[tuple[str, str, str]] = [
    ("tens of millions", "tens of thousands and thousands", "number"),
    ("Sun", "Sunshine", "name"),
    ("three years", "a few yrs", "number"),
    ("Defense Ministry", "Protection Ministry", "name"),
]

_WORD = re.compile(r"\w+")


def _seed(prefix: str) -> Path:
    for folder in (SEEDS, _FALLBACK):
        found = sorted(folder.glob(f"{prefix}_*.txt"))
        if found:
            return found[0]
    raise FileNotFoundError(f"no {prefix}_*.txt in {SEEDS} or {_FALLBACK}")


def _find(text: str, needle: str, start: int = 0) -> int:
    at = text.find(needle, start)
    if at < 0:
        raise ValueError(f"sample text not found: {needle!r}")
    return at


def load_documents() -> tuple[Document, Document]:
    """The two real example texts, read exactly as the engine would (no cleaning)."""
    a_path, b_path = _seed("000"), _seed("003")
    a_text = a_path.read_text(encoding="utf-8")
    b_text = b_path.read_text(encoding="utf-8")
    date = re.match(r"\s*date (\d{4}-\d{2}-\d{2})\s*", a_text)
    a = Document(
        id=a_path.stem,
        text=a_text,
        date=date.group(1) if date else None,
        title="Kim Jong Un arrives in Russia (AP)",
        source=str(a_path),
        skip=((0, date.end()),) if date else (),
    )
    b = Document(id=b_path.stem, text=b_text, source=str(b_path))
    return a, b


def sample_comparison(a: Document | None = None, b: Document | None = None) -> Comparison:
    """A spun-copy Comparison of the two seeds, with hand-located passages and facts.

    ``a``/``b`` may replace the documents (e.g. to inject hostile text); passages are then
    located in the replacements, which must still contain the aligned sentences.
    """
    if a is None or b is None:
        a, b = load_documents()
    passages: list[Passage] = []
    for a_sent, b_sent, pairs in _ALIGNMENTS:
        a0, b0 = _find(a.text, a_sent), _find(b.text, b_sent)
        subs: list[Substitution] = []
        a_cur, b_cur = a0, b0
        for wa, wb in pairs:
            a_at, b_at = _find(a.text, wa, a_cur), _find(b.text, wb, b_cur)
            subs.append(Substitution(a=wa, b=wb, a_start=a_at, b_start=b_at))
            a_cur, b_cur = a_at + len(wa), b_at + len(wb)
        aligned = len(_WORD.findall(a_sent))
        substituted = sum(len(_WORD.findall(wa)) for wa, _ in pairs)
        passages.append(
            Passage(
                a_start=a0,
                a_end=a0 + len(a_sent),
                b_start=b0,
                b_end=b0 + len(b_sent),
                similarity=round(1 - substituted / max(aligned, 1), 4),
                substitutions=subs,
                aligned_words=aligned,
                substituted_words=substituted,
            )
        )
    facts: list[ChangedFact] = []
    for wa, wb, kind in _FACTS:
        sub = next(s for p in passages for s in p.substitutions if (s.a, s.b) == (wa, wb))
        facts.append(ChangedFact(wa, wb, kind, sub.a_start, sub.b_start))  # type: ignore[arg-type]
    covered_a = sum(p.a_end - p.a_start for p in passages)
    covered_b = sum(p.b_end - p.b_start for p in passages)
    aligned_total = sum(p.aligned_words for p in passages)
    substituted_total = sum(p.substituted_words for p in passages)
    return Comparison(
        a=a,
        b=b,
        verdict="spun_copy",
        score=0.91,
        coverage_a=covered_a / len(a.text),
        coverage_b=covered_b / len(b.text),
        spin_rate=substituted_total / max(aligned_total, 1),
        original="a",
        passages=passages,
        changed_facts=facts,
        original_reason="containment",
    )


def make_comparison(
    a_text: str,
    b_text: str,
    passages: list[Passage] | None = None,
    facts: list[ChangedFact] | None = None,
    verdict: str = "partial_reuse",
    original: str | None = None,
) -> Comparison:
    """A small Comparison over arbitrary texts, for edge cases (hostile text, bad spans)."""
    return Comparison(
        a=Document(id="doc-a", text=a_text),
        b=Document(id="doc-b", text=b_text),
        verdict=verdict,  # type: ignore[arg-type]
        score=0.5,
        coverage_a=0.5,
        coverage_b=0.5,
        spin_rate=0.25,
        original=original,  # type: ignore[arg-type]
        passages=passages or [],
        changed_facts=facts or [],
    )
