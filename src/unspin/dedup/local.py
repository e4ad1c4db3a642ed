"""The local engine: one machine, every core, memory bounded by design.

Stages (each timed in the summary):

1. **fingerprint**: documents stream in, are numbered in input order and written to a
   :class:`~unspin.dedup.store.DocStore` on disk; worker processes fingerprint them; the
   (feature, number) postings are spilled to hash partitions on disk.
2. **candidates**: each postings partition is sorted in memory on its own and turned into
   candidate pair keys (:func:`~unspin.dedup.steps.bucket_pairs`), spilled again by pair; each
   pair partition is counted (:func:`~unspin.dedup.steps.count_pairs`).
3. **verify**: candidate pairs, strongest first, are aligned by the workers, which fetch
   the two texts from the store and keep recently prepared documents. A pair whose documents
   are already connected through verified edges is skipped: it cannot change the clusters.
   Pairs go out in rounds; inside a round, a pair that would be connected if the round's
   earlier pairs verify waits for the next round instead of being aligned for nothing.
4. **components** (union-find, built while verifying), **name** (originals:
   :func:`~unspin.dedup.steps.name_candidates`, spin scores by the workers) and **relations**
   (each copy aligned with its original unless that pair was verified already).

Memory: the postings and pairs live on disk; in memory are a few numbers per document
(ids, feature counts, union-find parents), the candidate pairs (three integers each)
and the verified edges.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from unspin.canonical import Canonical
from unspin.compare import prepare
from unspin.dedup.cluster import UnionFind, groups, rows
from unspin.dedup.steps import (
    WEAK_ONLY,
    DedupParams,
    Edge,
    Member,
    Row,
    attachments,
    bucket_pairs,
    candidate_order,
    cluster_members,
    content_chars,
    count_pairs,
    fingerprints,
    name_candidates,
    pick_original,
    screen,
    spin_probability,
    verify,
)
from unspin.dedup.store import DocStore, Spill, pack
from unspin.dedup.summary import Reporter, Silent, Summary
from unspin.models import Document

READ_BATCH = 256  # documents a fingerprint task
PAIR_CHUNK = 64  # pairs a verification task (most are judged from fingerprints: cheap)
CACHE_DOCUMENTS = 512  # prepared documents kept per worker

# Worker state (set by the pool initializer; the serial path uses the same functions).
_STATE: dict[str, Any] = {}


def _init(store: str | None, params: DedupParams) -> None:
    _STATE.clear()
    _STATE["store_path"] = store
    _STATE["params"] = params
    _STATE["cache"] = OrderedDict()
    _STATE["fingerprints"] = OrderedDict()


def _store() -> DocStore:
    st = _STATE.get("store")
    if st is None:
        st = _STATE["store"] = DocStore(Path(_STATE["store_path"]))
    return st


def _prepared(num: int) -> Canonical:
    cache: OrderedDict[int, Canonical] = _STATE["cache"]
    c = cache.get(num)
    if c is None:
        c = cache[num] = prepare(_store().get(num))
        if len(cache) > CACHE_DOCUMENTS:
            cache.popitem(last=False)
    else:
        cache.move_to_end(num)
    return c


def _fingerprint_task(docs: list[Document]) -> list[tuple[bytes, np.ndarray, np.ndarray, int]]:
    """Per document: the store's blob, features, surface and content characters."""
    params: DedupParams = _STATE["params"]
    fps = fingerprints(docs, params)
    return [(pack(d), f, s, content_chars(d)) for (f, s), d in zip(fps, docs, strict=True)]


def _fingerprint_of(num: int) -> tuple[np.ndarray, np.ndarray]:
    cache: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = _STATE["fingerprints"]
    fp = cache.get(num)
    if fp is None:
        fp = cache[num] = _store().fingerprint(num)
        if len(cache) > 8 * CACHE_DOCUMENTS:
            cache.popitem(last=False)
    else:
        cache.move_to_end(num)
    return fp


def _candidates_task(groups: list[list[int]]) -> list[tuple[int, list[Member]]]:
    """Naming candidates of clusters (label = lowest member), from the stored features."""
    store, params = _store(), _STATE["params"]
    out = []
    for members in groups:
        feats, chars, dates = zip(*map(store.naming_info, members), strict=True)
        ms = cluster_members(members, list(feats), list(chars), list(dates))
        out.append((members[0], name_candidates(ms, params)))
    return out


# How a verification task treats its pairs: "screen" (while forming clusters: pairs the
# fingerprints do not settle are handed back, marked "align" or "weak_only"), "judge" (copy
# against original: judged from fingerprints when clear, else aligned), "align" (always
# aligned).
Mode = str
Pair = tuple[int, int, int]  # (a, b, shared features)
Marked = tuple[str, Pair]  # a pair handed back by a screening task


def _verify_task(task: tuple[Mode, list[Pair]]) -> list[Edge | Marked]:
    mode, pairs = task
    params: DedupParams = _STATE["params"]
    out: list[Edge | Marked] = []
    for a, b, shared in pairs:
        if mode != "align":
            found = screen(a, b, _fingerprint_of(a), _fingerprint_of(b), shared, params)
            if isinstance(found, Edge):
                out.append(found)
                continue
            if mode == "screen":
                out.append((WEAK_ONLY if found == WEAK_ONLY else "align", (a, b, shared)))
                continue
        out.append(verify(a, b, _prepared(a), _prepared(b), shared))
    return out


def _spin_task(nums: list[int]) -> list[tuple[int, float]]:
    store = _store()
    return [(n, spin_probability(store.get(n))) for n in nums]


class _Runner:
    """Runs tasks in worker processes (or in this one for ``jobs=1``), a bounded number in
    flight, results in submission order."""

    def __init__(self, jobs: int, store: Path, params: DedupParams) -> None:
        self.jobs = jobs
        self.pool = None
        if jobs > 1:
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            ctx = ctx or mp.get_context()
            self.pool = ctx.Pool(jobs, initializer=_init, initargs=(str(store), params))
        _init(str(store), params)

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        if self.pool is None:
            yield from map(fn, tasks)
            return
        pending: deque = deque()
        for t in tasks:
            pending.append(self.pool.apply_async(fn, (t,)))
            if len(pending) >= 4 * self.jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        st = _STATE.pop("store", None)
        if st is not None:
            st.close()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_local(
    docs: Iterable[Document],
    params: DedupParams | None = None,
    jobs: int | None = None,
    workdir: str | Path | None = None,
    reporter: Reporter | None = None,
    pairs_out: Callable[[Edge, str, str, str], None] | None = None,
) -> tuple[list[Row], Summary]:
    """Cluster ``docs``; one row per document in input order, and the run's summary.

    ``workdir``: where the spill files and document store go (a temporary folder inside it,
    removed at the end); default the system's temporary folder. ``pairs_out`` receives every
    aligned pair (edge, id a, id b, stage)."""
    params = params or DedupParams()
    jobs = jobs or os.cpu_count() or 1
    reporter = reporter or Silent()
    summary = Summary("local")
    with tempfile.TemporaryDirectory(prefix="unspin-dedup-", dir=workdir) as tmp:
        folder = Path(tmp)
        store_path = folder / "docs.sqlite"
        store = DocStore(store_path, create=True)
        runner = _Runner(jobs, store_path, params)
        try:
            ids, n_feats = _fingerprint(docs, store, runner, folder, summary, reporter)
            store.close()
            a, b, shared = _candidates(folder, n_feats, params, summary, reporter)
            uf, edges = _verify(len(ids), a, b, shared, runner, summary, reporter)
            with summary.stage("components"):
                labels = uf.labels()
            originals = _name(labels, params, runner, summary, reporter)
            relations = _relations(labels, originals, edges, runner, summary, reporter)
        finally:
            runner.close()
    out = list(rows(ids, labels, originals, relations))
    summary.count(out)
    if pairs_out is not None:
        for key in sorted(edges):
            e, stage = edges[key]
            pairs_out(e, ids[e.a], ids[e.b], stage)
    summary.finish()
    return out, summary


def _fingerprint(
    docs: Iterable[Document],
    store: DocStore,
    runner: _Runner,
    folder: Path,
    summary: Summary,
    reporter: Reporter,
) -> tuple[list[str], np.ndarray]:
    """Number, store and fingerprint every document; spill postings."""
    ids: list[str] = []
    counts: list[int] = []
    spill = Spill(folder, "postings")
    advance = reporter.start("fingerprint", None)
    pending: deque[list[Document]] = deque()

    def batches() -> Iterator[list[Document]]:
        for batch in _batches(docs, READ_BATCH):
            pending.append(batch)
            yield batch

    with summary.stage("fingerprint"):
        for results in runner.map(_fingerprint_task, batches()):
            batch = pending.popleft()
            rows = []
            for doc, (blob, feats, surface, chars) in zip(batch, results, strict=True):
                num = len(ids)
                ids.append(doc.id)
                counts.append(len(feats))
                spill.add(feats, np.full(len(feats), num, dtype=np.uint32))
                rows.append((num, blob, doc.date, feats, surface, chars))
            store.add_many(rows)
            advance(len(batch))
        spill.flush()
    reporter.stop("fingerprint")
    summary.postings = spill.records
    return ids, np.array(counts, dtype=np.int64)


def _candidates(
    folder: Path, n_feats: np.ndarray, params: DedupParams, summary: Summary, reporter: Reporter
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (a, b, shared), strongest first, from the spilled postings."""
    postings = Spill(folder, "postings")
    pairs = Spill(folder, "pairs")
    advance = reporter.start("candidates", 2 * postings.parts)
    with summary.stage("candidates"):
        for feats, nums in postings.partitions():
            assert nums is not None
            pairs.add(bucket_pairs(feats, nums.astype(np.int64), params))
            advance(1)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for keys, _ in pairs.partitions():
            found.append(count_pairs(keys, n_feats, params))
            advance(1)
        if found:
            a, b, shared = (np.concatenate(x) for x in zip(*found, strict=True))
        else:
            a = b = shared = np.zeros(0, dtype=np.int64)
        order = candidate_order(a, b, shared)
    reporter.stop("candidates")
    summary.candidate_pairs = len(a)
    return a[order], b[order], shared[order]


def _verify(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    shared: np.ndarray,
    runner: _Runner,
    summary: Summary,
    reporter: Reporter,
) -> tuple[UnionFind, dict[tuple[int, int], tuple[Edge, str]]]:
    """Verify candidate pairs, strongest first, skipping pairs already connected by strong
    edges: screened from their fingerprints in rounds, the few they do not settle aligned
    in rounds of their own; then align the pairs screened out as partial reuse at best
    that touch a document still alone, and attach lone documents by their weak edges
    (:func:`~unspin.dedup.steps.attachments`)."""
    uf = UnionFind(n)
    edges: dict[tuple[int, int], tuple[Edge, str]] = {}
    weak: list[Edge] = []  # related but not strong: attach lone documents afterwards
    weak_only: list[Pair] = []
    undecided: list[Pair] = []
    round_size = max(1024, 1024 * runner.jobs)
    advance = reporter.start("verify", len(a))

    def take(results: Iterator[list[Edge | Marked]]) -> None:
        for result in results:
            for e in result:
                if not isinstance(e, Edge):
                    (weak_only if e[0] == WEAK_ONLY else undecided).append(e[1])
                    continue
                summary.verified_pairs += 1
                summary.by_features += e.method == "features"
                edges[(e.a, e.b)] = (e, "candidate")
                if e.related:
                    summary.related_pairs += 1
                    if e.strong:
                        uf.union(e.a, e.b)
                    else:
                        weak.append(e)

    def align(pairs: list[Pair]) -> None:
        """Align pairs in rounds, skipping the ones connected meanwhile (_round)."""
        todo = deque(sorted(pairs, key=lambda p: (-p[2], p[0], p[1])))
        while todo:
            batch, deferred = _round(uf, todo, round_size)
            todo.extendleft(reversed(deferred))
            batch.sort()  # a worker's chunk shares documents
            take(runner.map(_verify_task, [("align", c) for c in _batches(batch, PAIR_CHUNK)]))

    al, bl, sl = a.tolist(), b.tolist(), shared.tolist()
    with summary.stage("verify"):
        for start in range(0, len(al), round_size):
            stop = min(start + round_size, len(al))
            batch = [
                (al[i], bl[i], sl[i]) for i in range(start, stop) if not uf.connected(al[i], bl[i])
            ]
            advance(stop - start)
            batch.sort()  # a worker's chunk shares documents
            take(runner.map(_verify_task, [("screen", c) for c in _batches(batch, PAIR_CHUNK)]))
            if len(undecided) >= round_size or stop == len(al):
                pairs, undecided[:] = list(undecided), []
                align(pairs)
        # Pairs that can only be a partial reuse matter to documents the strong edges left
        # alone (a partial reuse attaches nothing else); the others are never aligned.
        summary.weak_only = len(weak_only)
        labels = uf.labels()
        sizes = np.bincount(labels, minlength=n)
        lone = sorted(p for p in weak_only if sizes[labels[p[0]]] == 1 or sizes[labels[p[1]]] == 1)
        take(runner.map(_verify_task, [("align", c) for c in _batches(lone, PAIR_CHUNK)]))
    reporter.stop("verify")
    with summary.stage("components"):
        labels = uf.labels()
        sizes = np.bincount(labels, minlength=n)
        for x, partner in attachments(weak, labels, sizes):
            uf.union(x, partner)
    return uf, edges


def _round(uf: UnionFind, todo: deque[Pair], size: int) -> tuple[list[Pair], list[Pair]]:
    """Up to ``size`` pairs to align now, and the pairs to look at again next round.

    A pair already connected is dropped; one that would be connected by this round's pairs
    if they verify is deferred (the overlay ``joined`` unites roots tentatively)."""
    joined: dict[int, int] = {}

    def root(x: int) -> int:
        r = uf.find(x)
        while r in joined:
            r = joined[r]
        return r

    batch: list[Pair] = []
    deferred: list[Pair] = []
    while todo and len(batch) < size:
        pair = todo.popleft()
        x, y = pair[0], pair[1]
        if uf.connected(x, y):
            continue
        rx, ry = root(x), root(y)
        if rx == ry:
            deferred.append(pair)
            continue
        joined[max(rx, ry)] = min(rx, ry)
        batch.append(pair)
    return batch, deferred


def _name(
    labels: np.ndarray,
    params: DedupParams,
    runner: _Runner,
    summary: Summary,
    reporter: Reporter,
) -> dict[int, int]:
    """Each cluster's original: component label -> number of the original."""
    originals: dict[int, int] = {}
    ask: dict[int, list[Member]] = {}
    with summary.stage("name"):
        clusters = [g.tolist() for g in groups(labels)]
        advance = reporter.start("name", len(clusters))
        for result in runner.map(_candidates_task, _batches(clusters, 16)):
            for label, cands in result:
                if len(cands) == 1:
                    originals[label] = cands[0].num
                else:
                    ask[label] = cands
            advance(len(result))
        nums = sorted({m.num for cands in ask.values() for m in cands})
        spin: dict[int, float] = {}
        for result in runner.map(_spin_task, _batches(nums, 8)):
            spin.update(result)
        summary.spin_scored = len(nums)
        for label, cands in ask.items():
            originals[label] = pick_original(cands, spin)
    reporter.stop("name")
    return originals


def _relations(
    labels: np.ndarray,
    originals: dict[int, int],
    edges: dict[tuple[int, int], tuple[Edge, str]],
    runner: _Runner,
    summary: Summary,
    reporter: Reporter,
) -> dict[int, str]:
    """Each copy's verdict against its cluster's original (aligned now when needed)."""
    relations: dict[int, str] = {}
    missing: list[tuple[int, int, int]] = []
    with summary.stage("relations"):
        for members in groups(labels):
            orig = originals[int(labels[members[0]])]
            for m in members.tolist():
                if m == orig:
                    continue
                key = (min(m, orig), max(m, orig))
                known = edges.get(key)
                if known is not None:
                    relations[m] = known[0].verdict
                else:
                    missing.append((key[0], key[1], 0))
        missing.sort()
        advance = reporter.start("relations", len(missing))
        tasks = [("judge", chunk) for chunk in _batches(missing, PAIR_CHUNK)]
        for result in runner.map(_verify_task, tasks):
            for e in result:
                assert isinstance(e, Edge)
                summary.by_features += e.method == "features"
                edges[(e.a, e.b)] = (e, "relation")
                copy = e.b if originals[int(labels[e.a])] == e.a else e.a
                relations[copy] = e.verdict
            advance(len(result))
        summary.relation_pairs = len(missing)
    reporter.stop("relations")
    return relations
