from unspin.compare import compare
from unspin.documents import document_from_text
from unspin.judge import JudgeParams, coverage

STORY = (
    "The central bank raised interest rates by a quarter point on Thursday, its fifth "
    "increase this year. Governor Maria Lopez said inflation remained far too high. "
    "Markets in Frankfurt fell sharply after the announcement, led by property shares. "
    "Economists at Deutsche Bank expect one more rise before the summer. "
    "The bank will publish new forecasts in March, officials said."
)
SPUN = (
    "The central lender lifted interest charges by a quarter point on Thursday, its fifth "
    "boost this yr. Governor Maria Lopez stated inflation stayed much too high. "
    "Markets in Frankfurt dropped sharply following the statement, led by property stocks. "
    "Economists at Deutsche Bank anticipate one more increase before the summertime. "
    "The bank will issue fresh forecasts in March, officers said."
)
OTHER = (
    "Heavy snow closed schools across the north on Monday. Drivers were told to stay at "
    "home as temperatures fell to minus ten. Rail services were cut by half."
)


def _cmp(a, b, da=None, db=None):
    doc_a = document_from_text("a", (f"date {da} " if da else "") + a)
    doc_b = document_from_text("b", (f"date {db} " if db else "") + b)
    return compare(doc_a, doc_b)


def test_verdicts():
    assert _cmp(STORY, STORY + "\nAdvertisement\n").verdict == "near_duplicate"
    spun = _cmp(STORY, SPUN)
    assert spun.verdict == "spun_copy" and spun.spin_rate >= 0.15
    partial = _cmp(STORY, OTHER + " " + SPUN.split(". ")[1] + ". " + SPUN.split(". ")[2] + ".")
    assert partial.verdict == "partial_reuse"
    unrelated = _cmp(STORY, OTHER)
    assert unrelated.verdict == "unrelated" and unrelated.passages == []
    assert unrelated.original is None and unrelated.score < 0.05


def test_score_grows_with_evidence():
    one = _cmp(STORY, OTHER + " " + SPUN.split(". ")[1] + ". " + SPUN.split(". ")[2] + ".")
    whole = _cmp(STORY, SPUN)
    assert 0 < one.score < whole.score <= 1


def test_original_by_date_then_by_rarity():
    assert _cmp(STORY, SPUN, "2024-01-02", "2024-01-05").original == "a"
    assert _cmp(SPUN, STORY, "2024-01-05", "2024-01-02").original == "b"
    by_text = _cmp(SPUN, STORY)
    assert by_text.original == "b"  # the spun side has the rarer substitutes
    assert "rarer" in by_text.original_reason


def test_verdict_thresholds_are_parameters():
    spun_doc = document_from_text("b", SPUN)
    strict = JudgeParams(spin_threshold=0.9)
    assert compare(document_from_text("a", STORY), spun_doc, judge_params=strict).verdict != (
        "spun_copy"
    )


def test_coverage_counts_non_space_characters():
    assert coverage("ab  cd", [(0, 2)], 4) == 0.5
    assert coverage("ab  cd", [(0, 6), (1, 3)], 4) == 1.0
    assert coverage("", [], 0) == 0.0


def test_original_falls_back_on_the_spin_detector(seed_original, seed_spun):
    # With the rarity vote switched off, the spin detector names the spun text as the copy.
    params = JudgeParams(min_rarity_votes=10_000)
    c = compare(seed_original, seed_spun, judge_params=params)
    assert c.original == "a" and c.original_reason == "the other text reads as machine-spun"
    c = compare(seed_spun, seed_original, judge_params=params)
    assert c.original == "b"
    off = JudgeParams(min_rarity_votes=10_000, use_spin_score=False)
    assert compare(seed_original, seed_spun, judge_params=off).original_reason != (
        "the other text reads as machine-spun"
    )


def test_rarity_vote_is_the_mean_clipped_zipf_gap_of_single_word_swaps(seed_original, seed_spun):
    from unspin.align import align
    from unspin.compare import prepare
    from unspin.judge import rarity_vote
    from unspin.lexicon import default_lexicon

    lex = default_lexicon()
    ca, cb = prepare(seed_original, lex), prepare(seed_spun, lex)
    passages = align(ca, cb, lex)
    expected = []  # word by word, straight from the lexicon
    for ap in passages:
        for i1, i2, j1, j2, _ in ap.words.spans:
            if i2 - i1 == 1 and j2 - j1 == 1 and ca.weights[i1] and cb.weights[j1]:
                za, zb = lex.zipf(ca.keys[i1]), lex.zipf(cb.keys[j1])
                if za and zb:
                    expected.append(max(-2.0, min(2.0, za - zb)))
    gap, votes = rarity_vote(passages, ca, cb, lex)
    assert votes == len(expected) >= 5
    assert gap == sum(expected) / len(expected) and gap > 0  # 003 has the rarer words
