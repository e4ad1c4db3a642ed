"""The Spark engine: the same steps on Apache Spark, through PySpark DataFrames.

Per-document and per-pair work (fingerprints, alignments, spin scores) is the very code of
:mod:`unspin.dedup.steps`, mapped over partitions; everything between is DataFrame
operations:

* candidate pairs: postings exploded from the fingerprints, a window per feature gives each
  bucket's size and each member's rank (by document number), members are joined with their
  bucket's ``reps`` lowest-ranked members and the pairs counted: exactly
  :func:`~unspin.dedup.steps.bucket_pairs` and :func:`~unspin.dedup.steps.count_pairs`;
* verification: every candidate pair is aligned (a cluster has cores to spare; the local
  engine's skipping of connected pairs is sequential by nature and does not change the
  clusters, only the work);
* connected components: large-star / small-star (Kiveris et al., "Connected Components in
  MapReduce and Beyond", SoCC 2014), iterated until the edges stop changing; each component
  is labelled by its lowest document number, as union-find labels it locally;
* originals and relations as in the local engine.

:func:`cluster_frame` takes and returns DataFrames (for a real cluster: ``python -m
unspin.dedup.spark --help`` and docs/spark.md); :func:`run_spark` is the engine behind
``unspin dedup --engine spark``, which reads documents on the driver (same checks of bad
input as the local engine) and stages them as Parquet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from unspin.dedup.steps import (
    CONTAINED,
    RELATED,
    STRONG,
    WEAK_ONLY,
    DedupParams,
    Edge,
    Member,
    Row,
    cluster_members,
    content_chars,
    fingerprints,
    name_candidates,
    pick_original,
    screen,
    spin_probability,
    verify,
)
from unspin.dedup.store import pack, unpack
from unspin.dedup.summary import Reporter, Silent, Summary
from unspin.models import Document

STAGE_BATCH = 4096  # documents a Parquet row group when staging
EDGE_SCHEMA = (
    "a long, b long, shared long, verdict string, score double, coverage_a double, "
    "coverage_b double, spin_rate double, original string, method string"
)
FINGERPRINT_SCHEMA = "num long, n_feats int, chars long, feats array<long>, surface array<long>"
_ALIGN = "align"  # a screened pair the fingerprints did not settle


def spark_available() -> str | None:
    """Why the Spark engine cannot run here (None when it can)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'unspin[spark]')"
    import shutil

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "Java is not installed (Spark needs Java 17+)"
    return None


def session(master: str | None = None, jobs: int | None = None) -> Any:
    """The active Spark session, or a new one (``local[jobs]`` unless ``master`` says)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    cores = jobs or os.cpu_count() or 1
    spark = (
        SparkSession.builder.master(master or f"local[{cores}]")
        .appName("unspin-dedup")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, 2 * cores)))
        .config("spark.driver.memory", os.environ.get("UNSPIN_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# ---------------------------------------------------------------------------------------------
# Per-partition functions (run in Spark's Python workers)


def _fingerprint_part(params: DedupParams) -> Callable[[Iterable[Any]], Iterator[tuple]]:
    def run(rows: Iterable[Any]) -> Iterator[tuple]:
        batch: list[tuple[int, Document]] = []

        def flush() -> Iterator[tuple]:
            fps = fingerprints([d for _, d in batch], params)
            for (num, doc), (feats, surface) in zip(batch, fps, strict=True):
                yield (num, len(feats), content_chars(doc), feats.view(np.int64).tolist(),
                       surface.view(np.int64).tolist())  # fmt: skip
            batch.clear()

        for r in rows:
            batch.append((r.num, unpack(r.blob)))
            if len(batch) >= 64:
                yield from flush()
        yield from flush()

    return run


def _edge_tuple(e: Edge) -> tuple:
    return (e.a, e.b, e.shared, e.verdict, e.score, e.coverage_a, e.coverage_b, e.spin_rate,
            e.original, e.method)  # fmt: skip


def _screen_part(params: DedupParams, mode: str) -> Callable[[Iterable[Any]], Iterator[tuple]]:
    """Pairs judged from their fingerprints (EDGE_SCHEMA); the others come out with the
    verdict ``align`` (or ``weak_only`` when screening, as the local engine hands back)."""

    def run(rows: Iterable[Any]) -> Iterator[tuple]:
        def fp(feats: list[int], surface: list[int]) -> tuple[np.ndarray, np.ndarray]:
            return (
                np.array(feats, dtype=np.int64).view(np.uint64),
                np.array(surface, dtype=np.int64).view(np.uint64),
            )

        for r in rows:
            found = screen(r.a, r.b, fp(r.fa, r.sa), fp(r.fb, r.sb), r.shared, params)
            if isinstance(found, Edge):
                yield _edge_tuple(found)
            else:
                verdict = WEAK_ONLY if found == WEAK_ONLY and mode == "screen" else _ALIGN
                yield (r.a, r.b, r.shared, verdict, 0.0, 0.0, 0.0, 0.0, None, None)

    return run


class _Prepared:
    """Prepared documents of a partition, the most recent kept (pairs arrive sorted by a)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.cache: OrderedDict[int, Any] = OrderedDict()

    def get(self, num: int, blob: bytes) -> Any:
        from unspin.compare import prepare

        c = self.cache.get(num)
        if c is None:
            c = self.cache[num] = prepare(unpack(blob))
            if len(self.cache) > self.size:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(num)
        return c


def _verify_part(rows: Iterable[Any]) -> Iterator[tuple]:
    cache = _Prepared()
    for r in rows:
        e = verify(r.a, r.b, cache.get(r.a, r.blob_a), cache.get(r.b, r.blob_b), r.shared)
        yield _edge_tuple(e)


def _spin_part(rows: Iterable[Any]) -> Iterator[tuple]:
    for r in rows:
        yield (r.label, r.num, spin_probability(unpack(r.blob)))


# ---------------------------------------------------------------------------------------------
# DataFrame steps


def candidate_pairs(feats: Any, params: DedupParams) -> Any:
    """(a, b, shared) from a DataFrame of (num, n_feats, feats)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    postings = feats.select("num", F.explode("feats").alias("feature"))
    w = Window.partitionBy("feature")
    ranked = (
        postings.withColumn("size", F.count("*").over(w))
        .where((F.col("size") >= 2) & (F.col("size") <= params.max_postings))
        .withColumn("rank", F.row_number().over(w.orderBy("num")) - 1)
    )
    reps = ranked.where(F.col("rank") < params.reps).select(
        "feature", F.col("num").alias("a"), F.col("rank").alias("ra")
    )
    members = ranked.select("feature", F.col("num").alias("b"), F.col("rank").alias("rb"))
    counted = (
        members.join(reps, "feature")
        .where(F.col("ra") < F.col("rb"))
        .groupBy("a", "b")
        .agg(F.count("*").alias("shared"))
    )
    na = feats.select(F.col("num").alias("a"), F.col("n_feats").alias("na"))
    nb = feats.select(F.col("num").alias("b"), F.col("n_feats").alias("nb"))
    floor = F.least(
        F.lit(params.min_shared),
        F.greatest(F.lit(2), F.floor(F.least("na", "nb") / 3)),
    )
    return (
        counted.join(na, "a")
        .join(nb, "b")
        .where(F.col("shared") >= floor)
        .select("a", "b", "shared")
    )


def align_pairs(pairs: Any, docs: Any) -> Any:
    """Edges (EDGE_SCHEMA) of pairs (a, b, shared), texts from docs (num, blob)."""
    from pyspark.sql import functions as F

    ba = docs.select(F.col("num").alias("a"), F.col("blob").alias("blob_a"))
    bb = docs.select(F.col("num").alias("b"), F.col("blob").alias("blob_b"))
    joined = pairs.join(ba, "a").join(bb, "b").repartition("a").sortWithinPartitions("a", "b")
    spark = pairs.sparkSession
    return spark.createDataFrame(joined.rdd.mapPartitions(_verify_part), EDGE_SCHEMA)


def judge_pairs(
    pairs: Any, docs: Any, fps: Any, params: DedupParams, mode: str
) -> tuple[Any, Any, int]:
    """Pairs (a, b, shared) judged from fingerprints (FINGERPRINT_SCHEMA) where clear and
    aligned otherwise: (edges, pairs screened out as weak-only, edges judged from
    fingerprints). ``mode`` as the local engine's: ``screen`` or ``judge``."""
    from pyspark.sql import functions as F

    fa = fps.select(
        F.col("num").alias("a"), F.col("feats").alias("fa"), F.col("surface").alias("sa")
    )
    fb = fps.select(
        F.col("num").alias("b"), F.col("feats").alias("fb"), F.col("surface").alias("sb")
    )
    spark = pairs.sparkSession
    screened = _checkpoint(
        spark.createDataFrame(
            pairs.join(fa, "a").join(fb, "b").rdd.mapPartitions(_screen_part(params, mode)),
            EDGE_SCHEMA,
        )
    )
    decided = screened.where(~F.col("verdict").isin(_ALIGN, WEAK_ONLY))
    weak_only = screened.where(F.col("verdict") == WEAK_ONLY).select("a", "b", "shared")
    aligned = align_pairs(
        screened.where(F.col("verdict") == _ALIGN).select("a", "b", "shared"), docs
    )
    return decided.union(aligned), weak_only, decided.count()


def _checkpoint(df: Any) -> Any:
    """Cut the lineage of an iterated DataFrame (and materialise it)."""
    return df.localCheckpoint(eager=True)


def _large_star(edges: Any) -> Any:
    from pyspark.sql import functions as F

    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    m = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
    return (
        both.join(m, "src")
        .where(F.col("dst") > F.col("src"))
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
        .distinct()
    )


def _small_star(edges: Any) -> Any:
    from pyspark.sql import functions as F

    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    smaller = both.where(F.col("dst") < F.col("src"))
    m = smaller.groupBy("src").agg(F.min("dst").alias("m"))
    spokes = (
        smaller.join(m, "src")
        .where(F.col("dst") != F.col("m"))
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    )
    return spokes.union(m.select("src", F.col("m").alias("dst"))).distinct()


def connected_components(edges: Any, max_rounds: int = 100) -> tuple[Any, int]:
    """(num, label) for every node on an edge (src, dst): label = the lowest node of its
    component. Large-star then small-star until the edge set stops changing; each round
    is checkpointed. Returns the labels and the number of rounds."""
    from pyspark.sql import functions as F

    e = _checkpoint(
        edges.select(
            F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst")
        ).distinct()
    )
    rounds, size = 0, e.count()
    while rounds < max_rounds:
        rounds += 1
        new = _checkpoint(_small_star(_large_star(e)))
        new_size = new.count()
        # Both are sets of distinct edges: the same size and one inside the other is equality.
        same = new_size == size and new.exceptAll(e).isEmpty()
        e, size = new, new_size
        if same:
            break
    # Converged: every node points at its component's lowest node (a star).
    nodes = e.select(F.col("src").alias("num"), F.col("dst").alias("label")).union(
        e.select(F.col("dst").alias("num"), F.col("dst").alias("label"))
    )
    return nodes.groupBy("num").agg(F.min("label").alias("label")), rounds


def cluster_frame(
    docs: Any, params: DedupParams | None = None, summary: Summary | None = None
) -> tuple[Any, Any]:
    """Cluster a DataFrame of documents (num long, id string, date string, blob binary:
    zlib-compressed pickle of :class:`~unspin.models.Document`).

    Returns (rows, edges): rows (num, id, cluster, role, relation) for every document, and
    every aligned pair (EDGE_SCHEMA plus ``stage``). With ``summary``, each stage is
    materialised to time it and count what it made."""
    from pyspark.sql import functions as F

    params = params or DedupParams()
    summary = summary or Summary("spark")
    spark = docs.sparkSession
    docs = docs.cache()

    with summary.stage("fingerprint"):
        feats = spark.createDataFrame(
            docs.select("num", "blob").rdd.mapPartitions(_fingerprint_part(params)),
            FINGERPRINT_SCHEMA,
        ).cache()
        summary.documents = feats.count()
    with summary.stage("candidates"):
        pairs = _checkpoint(candidate_pairs(feats, params))
        summary.candidate_pairs = pairs.count()
    with summary.stage("verify"):
        edges, weak_only, by_features = judge_pairs(pairs, docs, feats, params, "screen")
        edges = _checkpoint(edges)
        # As the local engine: pairs that can only be a partial reuse are aligned when they
        # touch a document the strong edges left alone.
        strong_labels, _ = connected_components(_strong_edges(edges))
        in_cluster = _checkpoint(strong_labels).select("num")
        lone = weak_only.join(
            in_cluster.withColumnRenamed("num", "a"), "a", "left_anti"
        ).union(weak_only.join(in_cluster.withColumnRenamed("num", "b"), "b", "left_anti")
        ).distinct().select("a", "b", "shared")  # fmt: skip
        edges = _checkpoint(edges.union(align_pairs(lone, docs)))
        summary.verified_pairs = edges.count()
        summary.weak_only = weak_only.count()
        summary.by_features += by_features
        related = edges.where(F.col("verdict").isin(*RELATED))
        summary.related_pairs = related.count()
    with summary.stage("components"):
        labels = _checkpoint(_components(related))
    with summary.stage("name"):
        originals, scored = _originals(labels, feats, docs, params)
        originals = _checkpoint(originals)
        summary.spin_scored = scored
    with summary.stage("relations"):
        relations, more, by_features = _relations(labels, originals, edges, docs, feats, params)
        relations = _checkpoint(relations)
        summary.relation_pairs = more.count()
        summary.by_features += by_features
    all_edges = edges.withColumn("stage", F.lit("candidate")).union(
        more.withColumn("stage", F.lit("relation"))
    )
    ids = docs.select("num", "id")
    orig_ids = docs.select(F.col("num").alias("orig"), F.col("id").alias("orig_id"))
    rows = (
        ids.join(labels, "num", "left")
        .join(originals, "label", "left")
        .join(orig_ids, "orig", "left")
        .join(relations, "num", "left")
        .select(
            "num",
            "id",
            F.coalesce("orig_id", "id").alias("cluster"),
            F.when(F.col("orig").isNull(), "unique")
            .when(F.col("orig") == F.col("num"), "original")
            .otherwise("copy")
            .alias("role"),
            F.when(
                F.col("orig").isNotNull() & (F.col("orig") != F.col("num")),
                F.coalesce("relation", F.lit("unrelated")),
            )
            .otherwise("unrelated")
            .alias("relation"),
        )
    )
    return rows, all_edges


def _is_strong() -> Any:
    """The rule of :attr:`~unspin.dedup.steps.Edge.strong` as a column."""
    from pyspark.sql import functions as F

    big = F.greatest("coverage_a", "coverage_b") >= CONTAINED
    return F.col("verdict").isin(*STRONG) | ((F.col("verdict") == "partial_reuse") & big)


def _strong_edges(edges: Any) -> Any:
    """(src, dst) of the strong edges."""
    from pyspark.sql import functions as F

    return edges.where(_is_strong()).select(F.col("b").alias("src"), F.col("a").alias("dst"))


def _components(related: Any) -> Any:
    """(num, label) of every document in a cluster: components of the strong edges, then
    each document alone after them attached to its best weak partner's component (the
    rule of :func:`~unspin.dedup.steps.attachments`), then components again."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    strong = _strong_edges(related)
    weak = related.where(~_is_strong())
    labels, _ = connected_components(strong)
    labels = _checkpoint(labels)
    sizes = labels.groupBy("label").agg(F.count("*").alias("size"))
    node = labels.join(sizes, "label")

    def side(x: str, y: str) -> Any:
        lx = node.select(F.col("num").alias(x), F.col("label").alias("lx"), "size")
        ly = node.select(F.col("num").alias(y), F.col("label").alias("ly"))
        return (
            weak.join(lx, x, "left")
            .join(ly, y, "left")
            .select(
                F.col(x).alias("x"),
                F.col(y).alias("partner"),
                F.col(f"coverage_{x}").alias("cov"),
                "score",
                F.coalesce("lx", F.col(x)).alias("lx"),
                F.coalesce("ly", F.col(y)).alias("ly"),
                F.coalesce("size", F.lit(1)).alias("size"),
            )
            .where((F.col("lx") != F.col("ly")) & (F.col("size") == 1))
        )

    options = side("a", "b").union(side("b", "a"))
    w = Window.partitionBy("x").orderBy(F.desc("cov"), F.desc("score"), F.asc("partner"))
    attach = (
        options.withColumn("k", F.row_number().over(w))
        .where(F.col("k") == 1)
        .select(F.col("x").alias("src"), F.col("partner").alias("dst"))
    )
    final, _ = connected_components(strong.union(attach))
    return final


def _originals(labels: Any, feats: Any, docs: Any, params: DedupParams) -> tuple[Any, int]:
    """(label, orig) for every component, by the rule of the steps."""
    from pyspark.sql import functions as F

    spark = labels.sparkSession
    info = labels.join(feats.select("num", "feats", "chars"), "num").join(
        docs.select("num", "date"), "num"
    )
    grouped = info.groupBy("label").agg(
        F.collect_list(F.struct("num", "feats", "chars", "date")).alias("members")
    )

    def candidates(r: Any) -> tuple[int, list[tuple[int, int, int, str | None, int]]]:
        members = sorted(r.members, key=lambda m: m.num)
        ms = cluster_members(
            [m.num for m in members],
            [np.array(m.feats, dtype=np.int64).view(np.uint64) for m in members],
            [m.chars for m in members],
            [m.date for m in members],
        )
        return r.label, [
            (m.num, m.core, m.chars, m.date, m.support) for m in name_candidates(ms, params)
        ]

    cands = grouped.rdd.map(candidates).cache()
    single = cands.filter(lambda kv: len(kv[1]) == 1).map(lambda kv: (kv[0], kv[1][0][0]))
    multi = cands.filter(lambda kv: len(kv[1]) > 1)
    ask = spark.createDataFrame(
        multi.flatMap(lambda kv: [(kv[0], c[0]) for c in kv[1]]), "label long, num long"
    )
    scored = spark.createDataFrame(
        ask.join(docs.select("num", "blob"), "num").rdd.mapPartitions(_spin_part),
        "label long, num long, spin double",
    )
    n_scored = scored.count()
    spins = scored.rdd.map(lambda r: (r.label, (r.num, r.spin))).groupByKey()

    def pick(kv: Any) -> tuple[int, int]:
        label, (cs, sp) = kv
        members = [Member(*c) for c in cs]
        return label, pick_original(members, dict(sp))

    picked = multi.join(spins).map(pick)
    return spark.createDataFrame(single.union(picked), "label long, orig long"), n_scored


def _relations(
    labels: Any, originals: Any, edges: Any, docs: Any, fps: Any, params: DedupParams
) -> tuple[Any, Any, int]:
    """(num, relation) of every copy, the edges judged to get the ones not known, and how
    many of those were judged from fingerprints."""
    from pyspark.sql import functions as F

    copies = (
        labels.join(originals, "label")
        .where(F.col("num") != F.col("orig"))
        .select(
            "num",
            F.least("num", "orig").alias("a"),
            F.greatest("num", "orig").alias("b"),
        )
    )
    known = copies.join(edges.select("a", "b", "verdict"), ["a", "b"], "left")
    missing = known.where(F.col("verdict").isNull()).select("a", "b", F.lit(0).alias("shared"))
    more, _, by_features = judge_pairs(missing, docs, fps, params, "judge")
    more = _checkpoint(more)
    filled = known.join(
        more.select("a", "b", F.col("verdict").alias("v2")), ["a", "b"], "left"
    ).select("num", F.coalesce("verdict", "v2").alias("relation"))
    return filled, more, by_features


# ---------------------------------------------------------------------------------------------
# The engine behind the CLI


def stage_documents(
    docs: Iterable[Document], folder: Path, reporter: Reporter
) -> tuple[Path, list[str]]:
    """Write documents to Parquet (num, id, date, blob) in input order, in row groups, so
    the driver never holds the corpus; returns the file and the ids."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("num", pa.int64()), ("id", pa.string()), ("date", pa.string()), ("blob", pa.binary())]
    )
    path = folder / "docs.parquet"
    ids: list[str] = []
    advance = reporter.start("read", None)
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[Document] = []

        def flush() -> None:
            start = len(ids) - len(batch)
            writer.write_table(
                pa.table(
                    {
                        "num": list(range(start, len(ids))),
                        "id": [d.id for d in batch],
                        "date": [d.date for d in batch],
                        "blob": [pack(d) for d in batch],
                    },
                    schema=schema,
                )
            )
            advance(len(batch))
            batch.clear()

        for d in docs:
            ids.append(d.id)
            batch.append(d)
            if len(batch) >= STAGE_BATCH:
                flush()
        if batch:
            flush()
    reporter.stop("read")
    return path, ids


def run_spark(
    docs: Iterable[Document],
    params: DedupParams | None = None,
    jobs: int | None = None,
    workdir: str | Path | None = None,
    reporter: Reporter | None = None,
    pairs_out: Callable[[Edge, str, str, str], None] | None = None,
    master: str | None = None,
) -> tuple[list[Row], Summary]:
    """Cluster ``docs`` on Spark; rows in input order and the summary (as the local engine)."""
    reason = spark_available()
    if reason:
        raise RuntimeError(f"the Spark engine cannot run: {reason}")
    reporter = reporter or Silent()
    summary = Summary("spark")
    with tempfile.TemporaryDirectory(prefix="unspin-spark-", dir=workdir) as tmp:
        with summary.stage("read"):
            path, ids = stage_documents(docs, Path(tmp), reporter)
        if not ids:
            summary.finish()
            return [], summary
        spark = session(master, jobs)
        frame = spark.read.parquet(str(path))
        advance = reporter.start("spark", None)
        rows_df, edges_df = cluster_frame(frame, params, summary)
        with summary.stage("collect"):
            out = [
                Row(r.num, r.id, r.cluster, r.role, r.relation)
                for r in rows_df.orderBy("num").toLocalIterator()
            ]
        advance(len(out))
        reporter.stop("spark")
        if pairs_out is not None:
            for r in edges_df.orderBy("a", "b").toLocalIterator():
                e = Edge(r.a, r.b, r.shared, r.verdict, r.score, r.coverage_a, r.coverage_b,
                         r.spin_rate, r.original, r.method)  # fmt: skip
                pairs_out(e, ids[e.a], ids[e.b], r.stage)
    summary.count(out)
    summary.finish()
    return out, summary


# ---------------------------------------------------------------------------------------------
# spark-submit entry point (see docs/spark.md)


def read_frame(spark: Any, inputs: list[str]) -> Any:
    """Documents from JSON Lines or Parquet anywhere Spark reads (s3a://, gs://, hdfs://),
    numbered by (file, position in file), as (num, id, date, blob)."""
    from pyspark.sql import functions as F

    parquet = all(p.rstrip("/").endswith(".parquet") for p in inputs)
    raw = spark.read.parquet(*inputs) if parquet else spark.read.json(inputs)
    if "date" not in raw.columns:
        raw = raw.withColumn("date", F.lit(None).cast("string"))
    ordered = raw.select(
        F.col("id").cast("string").alias("id"),
        "text",
        F.substring(F.col("date").cast("string"), 1, 10).alias("date"),
        F.input_file_name().alias("file"),
        F.monotonically_increasing_id().alias("pos"),
    )
    numbered = ordered.rdd.sortBy(lambda r: (r.file, r.pos)).zipWithIndex()

    def to_row(item: tuple[Any, int]) -> tuple[int, str, str | None, bytes]:
        r, num = item
        return (num, r.id, r.date, pack(Document(id=r.id, text=r.text, date=r.date)))

    return spark.createDataFrame(
        numbered.map(to_row), "num long, id string, date string, blob binary"
    )


def main(argv: list[str] | None = None) -> int:
    """``spark-submit -m unspin.dedup.spark --input s3a://bucket/news/ --output s3a://...``"""
    ap = argparse.ArgumentParser(prog="unspin.dedup.spark", description=main.__doc__)
    ap.add_argument("--input", nargs="+", required=True, help="JSON Lines or Parquet paths")
    ap.add_argument("--output", required=True, help="folder for the rows (JSON Lines parts)")
    ap.add_argument("--pairs", help="folder for the aligned pairs (JSON Lines parts)")
    defaults = DedupParams()
    ap.add_argument("--min-shared", type=int, default=defaults.min_shared)
    ap.add_argument("--max-postings", type=int, default=defaults.max_postings)
    args = ap.parse_args(argv)
    spark = session()
    params = DedupParams(min_shared=args.min_shared, max_postings=args.max_postings)
    summary = Summary("spark")
    t0 = time.perf_counter()
    rows, edges = cluster_frame(read_frame(spark, args.input), params, summary)
    rows.orderBy("num").drop("num").write.mode("overwrite").json(args.output)
    if args.pairs:
        edges.write.mode("overwrite").json(args.pairs)
    print(
        json.dumps({**summary.to_json(), "wall_seconds": round(time.perf_counter() - t0, 1)}),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
