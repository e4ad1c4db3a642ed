from unspin.canonical import canonicalise
from unspin.compare import compare
from unspin.documents import document_from_text
from unspin.lexicon import default_lexicon
from unspin.normalise import analyse


def _facts(a: str, b: str):
    c = compare(document_from_text("a", a), document_from_text("b", b))
    return [(f.a, f.b, f.kind) for f in c.changed_facts], c


BASE = (
    "North Korea may have tens of millions of artillery shells and rockets based on Soviet "
    "designs, analysts say. The country imposed tight border controls for more than three "
    "years during the pandemic. Reporters from the Associated Press saw the green train at "
    "the border station on Monday."
)


def test_number_phrases_are_widened():
    spun = BASE.replace("tens of millions", "tens of thousands and thousands").replace(
        "three years", "a few yrs"
    )
    facts, _ = _facts(BASE, spun)
    assert ("tens of millions", "tens of thousands and thousands", "number") in facts
    assert ("three years", "a few yrs", "number") in facts


def test_names_and_dates():
    spun = BASE.replace("Associated Press", "Linked Push").replace("Monday", "Tuesday")
    facts, _ = _facts(BASE, spun)
    assert ("Associated Press", "Linked Push", "name") in facts
    assert ("Monday", "Tuesday", "date") in facts


def test_plain_synonym_swaps_are_not_facts():
    spun = BASE.replace("artillery shells", "artillery projectiles").replace("tight", "strict")
    facts, c = _facts(BASE, spun)
    assert facts == []
    assert any(s.a == "tight" and s.b == "strict" for p in c.passages for s in p.substitutions)


def test_fact_offsets_point_at_the_text():
    spun = BASE.replace("Associated Press", "Linked Push").replace("three years", "a few yrs")
    _, c = _facts(BASE, spun)
    for f in c.changed_facts:
        assert BASE[f.a_start : f.a_start + len(f.a)] == f.a
        assert spun[f.b_start : f.b_start + len(f.b)] == f.b


def test_key_kinds():
    from unspin.facts import _key_kind

    assert _key_kind("2019") == 2 and _key_kind("monday") == 2
    assert _key_kind("millions") == 1 and _key_kind("3.5") == 1
    assert _key_kind("years") == 0 and _key_kind("train") == 0


def test_date_or_number_takes_the_strongest_kind():
    from unspin.canonical import canonicalise
    from unspin.facts import _Side
    from unspin.normalise import analyse

    c = canonicalise(analyse(document_from_text("x", "Three trains left on Monday in 2019.")))
    side = _Side.of(c)
    assert side.date_or_number(0, 1) == "number"
    assert side.date_or_number(1, 3) is None
    assert side.date_or_number(0, 5) == "date"


def test_one_word_kinds_match_the_general_rule():
    from unspin.facts import _kind, _Side

    lex = default_lexicon()
    text_a = "In 2019 Kim met Putin in March. Three men ran."
    text_b = "On Monday Moon saw Trump twice. Dozens of Men left."
    ca = canonicalise(analyse(document_from_text("a", text_a)), lex)
    cb = canonicalise(analyse(document_from_text("b", text_b)), lex)
    a, b = _Side.of(ca), _Side.of(cb)
    seen = set()
    for i in range(len(ca.keys)):
        for j in range(len(cb.keys)):
            general = a.date_or_number(i, i + 1) or b.date_or_number(j, j + 1)
            if not general and a.capitalised(i, i + 1) and b.capitalised(j, j + 1):
                general = "name"
            assert _kind(a, i, i + 1, b, j, j + 1) == general
            seen.add(general)
    assert seen == {None, "number", "date", "name"}
