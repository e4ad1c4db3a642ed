"""``unspin dedup`` with the local engine: known clusters, naming, edge cases, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from unspin.cli import app
from unspin.dedup import DedupParams, dedup
from unspin.dedup.cluster import UnionFind, components
from unspin.dedup.steps import (
    Edge,
    Member,
    attachments,
    bucket_pairs,
    core_counts,
    count_pairs,
    name_candidates,
    pick_original,
    support_counts,
)

from .conftest import SEED_ORIGINAL, SEED_SPUN
from .test_judge import OTHER, SPUN, STORY

runner = CliRunner()

WEATHER = (
    "Heavy snow closed schools across the northern valleys on Monday, and the regional "
    "council said roads over the high passes would stay shut until Wednesday at least. "
    "Drivers were told to carry chains, and two ski resorts opened early after a metre of "
    "fresh powder fell overnight near the border."
)
FOOTBALL = (
    "United came from two goals down to beat City 3-2 in a thrilling derby at Old Trafford "
    "on Saturday. Marcus Fenwick scored twice in the last ten minutes before Joel Okafor "
    "headed the winner in stoppage time, sending the home crowd into raptures."
)


def _seed_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n", 1)[1] if text.startswith("date ") else text


def known_corpus() -> tuple[list[dict], dict[str, tuple[str, str, set[str]]]]:
    """Records and the expected (cluster, role, accepted relations) of each id."""
    orig, spun = _seed_text(SEED_ORIGINAL), _seed_text(SEED_SPUN)
    records = [
        {"id": "weather", "text": WEATHER},
        {"id": "kim-spun", "text": spun, "date": "2023-09-14"},
        {"id": "bank-spun", "text": SPUN},
        {"id": "kim", "text": orig, "date": "2023-09-12"},
        {"id": "football", "text": FOOTBALL},
        {"id": "bank", "text": STORY},
        {
            "id": "kim-reprint",
            "text": "Advertisement\n" + orig + "\nRead more: world news\n",
            "date": "2023-09-13",
        },
        {"id": "snow", "text": OTHER},
    ]
    expected = {
        "weather": ("weather", "unique", {"unrelated"}),
        "football": ("football", "unique", {"unrelated"}),
        "snow": ("snow", "unique", {"unrelated"}),
        "kim": ("kim", "original", {"unrelated"}),
        "kim-spun": ("kim", "copy", {"spun_copy", "partial_reuse"}),
        "kim-reprint": ("kim", "copy", {"near_duplicate"}),
        "bank": ("bank", "original", {"unrelated"}),
        "bank-spun": ("bank", "copy", {"spun_copy"}),
    }
    return records, expected


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    records, _ = known_corpus()
    return write_jsonl(tmp_path_factory.mktemp("dedup") / "corpus.jsonl", records)


@pytest.fixture(scope="module")
def local_rows(corpus) -> list[dict]:
    return [r.to_json() for r in dedup([corpus], jobs=1).rows]


def test_known_clusters(local_rows):
    _, expected = known_corpus()
    records, _ = known_corpus()
    assert [r["id"] for r in local_rows] == [r["id"] for r in records]  # input order
    for r in local_rows:
        cluster, role, relations = expected[r["id"]]
        assert (r["cluster"], r["role"]) == (cluster, role), r
        assert r["relation"] in relations, r
        assert set(r) == {"id", "cluster", "role", "relation"}


def test_workers_give_the_same_rows(corpus, local_rows):
    assert [r.to_json() for r in dedup([corpus], jobs=2).rows] == local_rows


def test_earliest_date_names_the_original(tmp_path):
    records = [
        {"id": "bank", "text": STORY, "date": "2024-03-02"},
        {"id": "bank-spun", "text": SPUN, "date": "2024-03-01"},
    ]
    rows = dedup([write_jsonl(tmp_path / "c.jsonl", records)], jobs=1).rows
    assert [(r.id, r.cluster, r.role) for r in rows] == [
        ("bank", "bank-spun", "copy"),
        ("bank-spun", "bank-spun", "original"),
    ]


def test_least_spun_member_is_the_original_without_dates(tmp_path):
    records = [{"id": "spun", "text": SPUN}, {"id": "story", "text": STORY}]
    rows = dedup([write_jsonl(tmp_path / "c.jsonl", records)], jobs=1).rows
    assert {r.id: r.role for r in rows} == {"spun": "copy", "story": "original"}


def test_empty_and_one_document(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = dedup([empty], out=out, jobs=1)
    assert result.rows == [] and out.read_text() == ""
    assert result.summary.documents == 0 and result.summary.clusters == 0
    one = write_jsonl(tmp_path / "one.jsonl", [{"id": "only", "text": STORY}])
    rows = [r.to_json() for r in dedup([one], out=out, jobs=1).rows]
    assert rows == [{"id": "only", "cluster": "only", "role": "unique", "relation": "unrelated"}]
    assert json.loads(out.read_text()) == rows[0]


def test_cli_writes_rows_pairs_and_summary(corpus, local_rows, tmp_path):
    out, pairs = tmp_path / "out.jsonl", tmp_path / "pairs.jsonl"
    r = runner.invoke(
        app, ["dedup", str(corpus), "--out", str(out), "--pairs", str(pairs), "-j", "1"]
    )
    assert r.exit_code == 0, r.output
    assert [json.loads(x) for x in out.read_text().splitlines()] == local_rows
    assert "8 documents" in r.output and "clusters" in r.output
    edges = [json.loads(x) for x in pairs.read_text().splitlines()]
    assert edges and {e["stage"] for e in edges} <= {"candidate", "relation"}
    kim = [e for e in edges if {e["a"], e["b"]} == {"kim", "kim-reprint"}]
    assert kim and kim[0]["verdict"] == "near_duplicate" and kim[0]["score"] > 0.5


def test_bad_record_exit_2_or_skipped(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "bank", "text": STORY})
        + "\n{not json\n"
        + json.dumps({"id": "bank-spun", "text": SPUN})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["dedup", str(path), "--out", str(out), "-j", "1"])
    assert r.exit_code == 2 and f"{path}:2" in r.output and not out.exists()
    r = runner.invoke(app, ["dedup", str(path), "--out", str(out), "-j", "1", "--skip-bad"])
    assert r.exit_code == 0, r.output
    assert f"{path}:2" in r.output and "skipped" in r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["id"], x["role"]) for x in rows] == [("bank", "original"), ("bank-spun", "copy")]


def test_duplicate_ids_are_bad_input(tmp_path):
    path = write_jsonl(tmp_path / "dup.jsonl", [{"id": "x", "text": STORY}] * 2)
    r = runner.invoke(app, ["dedup", str(path), "--out", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2 and "duplicate id 'x'" in r.output and f"{path}:2" in r.output


def test_path_ids_name_txt_files_by_path(tmp_path):
    for topic, text in (("money", STORY), ("sport", SPUN)):
        (tmp_path / "in" / topic).mkdir(parents=True)
        (tmp_path / "in" / topic / "001.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = runner.invoke(app, ["dedup", str(tmp_path / "in"), "--out", str(out), "-j", "1"])
    assert r.exit_code == 2 and "--path-ids" in r.output
    r = runner.invoke(
        app, ["dedup", str(tmp_path / "in"), "--out", str(out), "-j", "1", "--path-ids"]
    )
    assert r.exit_code == 0, r.output
    rows = {x["id"]: x for x in map(json.loads, out.read_text().splitlines())}
    assert rows["sport/001"]["cluster"] == "money/001"


# --- the steps ---------------------------------------------------------------------------------


def test_bucket_pairs_pair_members_with_the_lowest_ranks():
    p = DedupParams(reps=2, max_postings=4)
    feats = np.array([7, 7, 7, 7, 9, 9, 5] + [3] * 5, dtype=np.uint64)
    nums = np.array([4, 1, 3, 2, 8, 6, 1, 1, 2, 3, 4, 5], dtype=np.int64)
    keys = bucket_pairs(feats, nums, p)
    got = sorted((int(k >> np.uint64(32)), int(k & np.uint64(0xFFFFFFFF))) for k in keys)
    # bucket 7 = [1, 2, 3, 4]: every member with 1, and 3, 4 with 2; bucket 9 = [6, 8];
    # bucket 5 has one member, bucket 3 more than max_postings: both dropped.
    assert got == [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (6, 8)]
    a, b, shared = count_pairs(
        np.concatenate([keys, keys, keys]), np.full(10, 30, dtype=np.int64), p
    )
    assert len(a) == 6 and set(shared.tolist()) == {3}


def test_union_find_labels_by_lowest_member():
    labels = components(7, [(5, 6), (3, 5), (1, 2), (6, 3)])
    assert labels.tolist() == [0, 1, 1, 3, 4, 3, 3]
    uf = UnionFind(3)
    assert uf.union(2, 1) and not uf.union(1, 2) and uf.connected(2, 1)


def test_name_candidates_dates_then_completeness():
    p = DedupParams(completeness=0.9, name_candidates=2)
    ms = [Member(0, 50, 9, None), Member(1, 100, 9, None), Member(2, 95, 9, None)]
    ms.append(Member(3, 99, 9, None))
    assert [m.num for m in name_candidates(ms, p)] == [1, 3]
    dated = [Member(0, 10, 9, "2024-01-02"), Member(1, 100, 9, None)]
    dated.append(Member(2, 50, 9, "2024-01-01"))
    assert [m.num for m in name_candidates(dated, p)] == [2]
    cands = [Member(4, 100, 500, None), Member(2, 100, 500, None)]
    assert pick_original(cands, {4: 0.9, 2: 0.95}) == 2  # a tie to one decimal: input order
    assert pick_original(cands, {4: 0.1, 2: 0.95}) == 4
    reprint = [Member(1, 100, 520, None), Member(3, 100, 500, None)]
    assert pick_original(reprint, {1: 0.1, 3: 0.1}) == 3  # boilerplate added: the copy


def test_core_counts_ignore_what_no_other_member_has():
    source = np.array([1, 2, 3, 4, 5, 6], dtype=np.uint64)
    spun = np.array([1, 2, 3, 4, 5, 6], dtype=np.uint64)
    partial = np.array([2, 3, 10, 11, 12, 13, 14, 15, 16], dtype=np.uint64)
    assert core_counts([source, spun, partial]) == [6, 6, 2]
    assert core_counts([source]) == [0]


def test_weak_edges_attach_lone_documents_only():
    def edge(a, b, verdict, cov_a, cov_b, score=0.9):
        return Edge(a, b, 5, verdict, score, cov_a, cov_b, 0.0, None)

    assert edge(0, 1, "partial_reuse", 0.85, 0.3).strong
    assert edge(0, 1, "spun_copy", 0.65, 0.6).strong
    assert not edge(0, 1, "partial_reuse", 0.3, 0.2).strong
    # Strong components {0, 1} and {2, 3}; 4 and 5 are alone. 4 quotes both stories (more of
    # it from the second), 5 quotes the first: neither merges the two stories.
    labels = np.array([0, 0, 2, 2, 4, 5])
    sizes = np.bincount(labels, minlength=6)
    weak = [
        edge(1, 4, "partial_reuse", 0.1, 0.2),
        edge(3, 4, "partial_reuse", 0.1, 0.3),
        edge(0, 5, "partial_reuse", 0.2, 0.15),
        edge(1, 2, "partial_reuse", 0.1, 0.1),  # two stories sharing a paragraph: no join
    ]
    assert attachments(weak, labels, sizes) == [(4, 3), (5, 0)]


def test_exact_aligns_every_pair_and_agrees_on_clusters(corpus, local_rows, tmp_path):
    quick_pairs, exact_pairs = tmp_path / "q.jsonl", tmp_path / "e.jsonl"
    quick = dedup([corpus], jobs=1, pairs=quick_pairs)
    exact = dedup([corpus], jobs=1, pairs=exact_pairs, exact=True)
    assert [r.to_json() for r in quick.rows] == local_rows
    assert [r.cluster for r in exact.rows] == [r.cluster for r in quick.rows]
    methods = [json.loads(x)["method"] for x in quick_pairs.read_text().splitlines()]
    assert "features" in methods  # the reprint is settled from fingerprints
    exact_methods = {json.loads(x)["method"] for x in exact_pairs.read_text().splitlines()}
    assert exact_methods == {"alignment"}
    assert quick.summary.by_features > 0 and exact.summary.by_features == 0
    r = runner.invoke(app, ["dedup", str(corpus), "--out", str(tmp_path / "o"), "--exact"])
    assert r.exit_code == 0, r.output


def test_core_counts_ignore_what_only_a_few_members_of_a_large_cluster_share():
    story = np.arange(1, 7, dtype=np.uint64)
    source = story
    # Three of nine spun copies picked the same synonym once: a feature of their spinner's.
    lucky = np.append(story, np.uint64(100))
    copies = [lucky] * 3 + [story] * 6
    counts = core_counts([source, *copies])
    assert counts == [6] * 10  # the lucky copies are no more complete than the source


def test_a_copy_cut_short_is_not_named_over_its_source():
    story = np.arange(1, 21, dtype=np.uint64)
    # The source, three full reprints and six copies cut after the first half: the core
    # (held by at least half the members) is the first half, which every member holds.
    full = [story] * 4
    cut = [story[:10]] * 6
    feats = [*full, *cut]
    cores = core_counts(feats)
    assert len(set(cores)) == 1  # the core cannot tell them apart
    support = support_counts(feats)
    assert support[0] == 20 and support[-1] == 10  # the full copies hold all 20
    members = [
        Member(n, core, 900 if n < 4 else 450, None, sup)
        for n, (core, sup) in enumerate(zip(cores, support, strict=True))
    ]
    cands = name_candidates(members, DedupParams(name_candidates=10))
    assert cands[0].num == 0  # most supported first
    spin = dict.fromkeys(range(10), 0.15)
    assert pick_original(cands, spin) == 0  # not the shortest text, a cut copy
    assert support_counts([story]) == [0]


def test_features_a_spinner_made_do_not_count_as_support():
    story = np.arange(1, 21, dtype=np.uint64)
    # Of twelve copies, two picked the same synonyms: three features of their spinner's.
    lucky = np.append(story, np.arange(100, 103, dtype=np.uint64))
    feats = [story, lucky, lucky, *[story] * 10]
    support = support_counts(feats)
    assert support[0] == support[1] == 20  # the source is as supported as the lucky copies
