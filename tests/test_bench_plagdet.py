"""PAN measures against hand-computed values, and the evaluation script against an oracle.

Spans are (src_start, src_end, susp_start, susp_end); a case or detection is the set of its
source and suspicious characters, so (0, 100, 0, 100) has 200 characters.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ lives at the repository root, outside src/
    sys.path.insert(0, str(ROOT))

from benchmarks import eval_compare  # noqa: E402
from benchmarks.plagdet import (  # noqa: E402
    evaluate,
    evaluate_pairs,
    granularity,
    macro_precision,
    macro_recall,
    plagdet_score,
)
from benchmarks.spinner import Spinner  # noqa: E402
from benchmarks.testsets import Case, CaseBuilder, synthetic_articles, write_cases  # noqa: E402
from unspin.models import Comparison, Document, Passage  # noqa: E402

CASE = (0, 100, 0, 100)


def test_perfect_detection() -> None:
    r = evaluate({"p": [CASE]}, {"p": [CASE]})
    assert (r.precision, r.recall, r.granularity, r.plagdet) == (1, 1, 1, 1)


def test_half_coverage() -> None:
    # Detection covers half the case on both sides: 100 of 200 characters.
    r = evaluate({"p": [CASE]}, {"p": [(0, 50, 0, 50)]})
    assert r.recall == 0.5 and r.precision == 1 and r.granularity == 1
    assert r.plagdet == pytest.approx(2 / 3)


def test_overshooting_detection_halves_precision() -> None:
    r = evaluate({"p": [CASE]}, {"p": [(0, 200, 0, 200)]})
    assert r.recall == 1 and r.precision == 0.5
    assert r.plagdet == pytest.approx(2 / 3)


def test_split_detection_granularity_two() -> None:
    r = evaluate({"p": [CASE]}, {"p": [(0, 50, 0, 50), (50, 100, 50, 100)]})
    assert r.recall == 1 and r.precision == 1 and r.granularity == 2
    assert r.plagdet == pytest.approx(1 / math.log2(3))  # 0.6309...


def test_granularity_averages_over_detected_cases_only() -> None:
    cases = {"p": [CASE, (200, 300, 200, 300), (400, 500, 400, 500)]}
    dets = {"p": [(0, 50, 0, 50), (50, 100, 50, 100), (200, 300, 200, 300)]}
    assert granularity(cases, dets) == 1.5  # (2 + 1) / 2 detected cases; the third is missed
    assert macro_recall(cases, dets) == pytest.approx(2 / 3)


def test_no_detections_and_no_cases_edge_cases() -> None:
    # Cases but no detections anywhere: precision and recall 0 (PAN's convention), gran 1.
    r = evaluate({"p": [CASE]}, {"p": []})
    assert (r.precision, r.recall, r.granularity, r.plagdet) == (0, 0, 1, 0)
    # Detections but no cases (an unrelated pair flagged): both 0 as well.
    r = evaluate({"u": []}, {"u": [CASE]})
    assert (r.precision, r.recall, r.plagdet) == (0, 0, 0)
    # Nothing to find and nothing found: perfect.
    r = evaluate({"u": []}, {"u": []})
    assert (r.precision, r.recall, r.granularity, r.plagdet) == (1, 1, 1, 1)


def test_detection_must_overlap_on_both_sides() -> None:
    # Right place in the suspicious text, wrong place in the source: not a detection.
    r = evaluate({"p": [CASE]}, {"p": [(500, 600, 0, 100)]})
    assert r.recall == 0 and r.precision == 0 and r.detected_cases == 0


def test_pairs_do_not_interact() -> None:
    r = evaluate({"p1": [CASE], "p2": [CASE]}, {"p1": [CASE], "p3": [CASE]})
    assert r.recall == 0.5  # p2's case is missed; p1's found
    assert r.precision == 0.5  # p3's detection is a false positive
    assert r.plagdet == pytest.approx(0.5)


def test_macro_averaging_by_hand() -> None:
    # Pair 1: detection shifted by half: 50 + 50 of the case's 200 chars, and of its own 200.
    # Pair 2: a 100-char case (40 source + 60 suspicious) that nothing detects.
    cases = {1: [CASE], 2: [(0, 40, 0, 60)]}
    dets = {1: [(50, 150, 50, 150)]}
    assert macro_recall(cases, dets) == pytest.approx((0.5 + 0) / 2)
    assert macro_precision(cases, dets) == pytest.approx(0.5)
    r = evaluate(cases, dets)
    assert r.plagdet == pytest.approx(2 * 0.25 * 0.5 / 0.75)  # 1/3
    # Two detections overlapping each other count their shared characters once.
    r = evaluate_pairs([([CASE], [(0, 60, 0, 60), (40, 100, 40, 100)])])
    assert r.recall == 1 and r.granularity == 2
    assert r.precision == 1


def test_plagdet_score_values() -> None:
    assert plagdet_score(0, 0, 1) == 0
    assert plagdet_score(1, 1, 1) == 1
    assert plagdet_score(0.5, 1, 1) == pytest.approx(2 / 3)
    assert plagdet_score(1, 1, 2) == pytest.approx(0.63092975)
    assert plagdet_score(0.25, 0.75, 2) == pytest.approx(0.375 / math.log2(3))
    assert plagdet_score(1, 1, 0.5) == 0  # granularity below 1 is invalid


def test_bad_spans_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate({"p": [(10, 5, 0, 1)]}, {})


# ---------------------------------------------------------------------------------------------
# The evaluation script, driven by stand-in engines (the real one lives in unspin.compare)

FAKE = {"a": {"train": "educate|coach", "party": "social gathering", "leader": "chief"}}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    spinner = Spinner(sources=("a",), seed=0, thesauri=FAKE)
    articles = synthetic_articles(vocab=["train", "party", "leader"])
    builder = CaseBuilder(articles=articles, sources=("a",), spinner=spinner)
    return builder.build(3, seed=4)


def oracle_for(cases: list[Case]):  # type: ignore[no-untyped-def]
    """A detector that returns the truth: what a perfect engine would answer."""
    index = {(c.source.id, c.suspicious.id): c for c in cases}

    def compare(a: Document, b: Document) -> Comparison:
        case, swapped = index.get((a.id, b.id)), False
        if case is None:
            case, swapped = index[(b.id, a.id)], True
        passages = [
            Passage(*((t[2], t[3], t[0], t[1]) if swapped else t), similarity=1.0)
            for t in case.truth
        ]
        verdict = sorted(case.expected)[-1]
        original = None if verdict == "unrelated" else ("b" if swapped else "a")
        return Comparison(a, b, verdict, 1.0, 1.0, 1.0, 0.0, original, passages, [])

    return compare


def blind(a: Document, b: Document) -> Comparison:
    """A detector that finds nothing."""
    return Comparison(a, b, "unrelated", 0.0, 0.0, 0.0, 0.0, None, [], [])


def test_eval_with_oracle_is_perfect(cases: list[Case]) -> None:
    summary, records = eval_compare.evaluate(cases, compare_fn=oracle_for(cases))
    assert summary["plagdet"]["all"]["plagdet"] == 1
    assert summary["verdicts"]["accuracy"] == 1
    assert summary["derived_judged_unrelated"] == 0
    assert summary["unrelated_judged_related"] == 0
    assert summary["original"]["all"]["accuracy"] == 1
    derived = [r for r in records if r["kind"] != "unrelated"]
    assert all(r["calls"] == 2 for r in derived)
    assert set(summary["plagdet"]["by_group"]) >= {"reprint", "spun@0.15", "spun@0.5"}


def test_eval_with_blind_detector(cases: list[Case]) -> None:
    summary, _ = eval_compare.evaluate(cases, compare_fn=blind)
    assert summary["plagdet"]["all"]["recall"] == 0
    assert summary["plagdet"]["by_group"]["unrelated"]["plagdet"] == 1
    assert summary["derived_judged_unrelated"] == 1
    assert summary["unrelated_judged_related"] == 0
    assert summary["original"]["all"]["undecided"] == 1


def test_eval_cli_from_cases_file(cases: list[Case], tmp_path: Path) -> None:
    write_cases(cases, tmp_path / "set")
    pairs = (tmp_path / "set" / "pairs.tsv").read_text().splitlines()
    assert len(pairs) == len(cases) and all(len(p.split("\t")) == 2 for p in pairs)
    first = pairs[0].split("\t")[1]
    with open(first, encoding="utf-8", newline="") as fh:
        assert fh.read() == cases[0].suspicious.text
    out = tmp_path / "eval.json"

    def crashing(a: Document, b: Document) -> Comparison:
        if "unrelated" in a.id:
            raise RuntimeError("boom")
        return oracle_for(cases)(a, b)

    argv = ["--cases", str(tmp_path / "set" / "cases.jsonl"), "--json", str(out), "--quiet"]
    assert eval_compare.main(argv, compare_fn=crashing) == 0
    data = json.loads(out.read_text())
    n_unrelated = sum(c.kind == "unrelated" for c in cases)
    assert data["summary"]["errors"] == n_unrelated
    assert data["summary"]["original"]["all"]["accuracy"] == 1
    assert len(data["cases"]) == len(cases)
