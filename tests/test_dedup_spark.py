"""The Spark engine (local[2]): the same clusters as the local engine, and its components.

Skipped when pyspark or Java is missing. One Spark session serves every test."""

from __future__ import annotations

import json

import pytest

from unspin.dedup import dedup
from unspin.dedup.cluster import components
from unspin.dedup.spark import spark_available

from .test_dedup import known_corpus, write_jsonl

pytestmark = pytest.mark.skipif(spark_available() is not None, reason=str(spark_available()))


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("unspin-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def test_engines_give_identical_output(spark, tmp_path):
    records, expected = known_corpus()
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    out_local, out_spark = tmp_path / "local.jsonl", tmp_path / "spark.jsonl"
    pairs = tmp_path / "pairs.jsonl"
    local = dedup([corpus], out=out_local, jobs=1)
    sp = dedup([corpus], out=out_spark, engine="spark", jobs=2, pairs=pairs)
    assert out_spark.read_bytes() == out_local.read_bytes()
    assert {r.id: (r.cluster, r.role) for r in sp.rows} == {k: v[:2] for k, v in expected.items()}
    assert sp.summary.clusters == local.summary.clusters == 2
    assert sp.summary.candidate_pairs == local.summary.candidate_pairs
    edges = [json.loads(x) for x in pairs.read_text().splitlines()]
    assert {(e["a"], e["b"]) for e in edges} >= {("kim-spun", "kim"), ("bank-spun", "bank")}


def test_empty_corpus_on_spark(spark, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert dedup([empty], engine="spark").rows == []


def test_large_star_small_star_matches_union_find(spark):
    from unspin.dedup.spark import connected_components

    # A long chain (the worst case for label propagation), a star, a pair and a triangle.
    edges = [(i, i + 1) for i in range(10, 18)] + [(40, k) for k in range(41, 44)]
    edges += [(3, 1), (7, 8), (8, 9), (9, 7)]
    df = spark.createDataFrame(edges, "src long, dst long")
    labels, rounds = connected_components(df)
    got = {r.num: r.label for r in labels.collect()}
    expected = components(50, edges)
    nodes = {n for e in edges for n in e}
    assert got == {n: int(expected[n]) for n in nodes}
    assert rounds < 10
