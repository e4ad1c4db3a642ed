"""Connected components over verified edges, and the output rows of each cluster.

Components are labelled by their lowest document number, whatever the engine or the order in
which edges arrived: union-find here, large-star/small-star in :mod:`unspin.dedup.spark`,
both converge to that label.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from unspin.dedup.steps import Row


class UnionFind:
    """Disjoint sets over 0 .. n-1 whose representative is always the lowest member.

    Parents are a NumPy array (8 bytes a document), so a million documents cost 8 MB."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:  # path compression
            parent[x], x = root, int(parent[x])
        return root

    def union(self, x: int, y: int) -> bool:
        """Join the sets of x and y; False when they were joined already."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        lo, hi = (rx, ry) if rx < ry else (ry, rx)
        self.parent[hi] = lo
        return True

    def connected(self, x: int, y: int) -> bool:
        return self.find(x) == self.find(y)

    def labels(self) -> np.ndarray:
        """Each element's component label (its lowest member)."""
        for x in range(len(self.parent)):
            self.find(x)
        return self.parent.copy()


def components(n: int, edges: Iterable[tuple[int, int]]) -> np.ndarray:
    """Component labels (lowest member) of the graph on 0 .. n-1 with these edges."""
    uf = UnionFind(n)
    for a, b in edges:
        uf.union(a, b)
    return uf.labels()


def groups(labels: np.ndarray) -> Iterator[np.ndarray]:
    """Members (sorted numbers) of each component of two or more, by label."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_labels[1:] != sorted_labels[:-1])))
    ends = np.concatenate((starts[1:], [len(order)]))
    for s, e in zip(starts, ends, strict=True):
        if e - s > 1:
            yield np.sort(order[s:e])


def rows(
    ids: list[str],
    labels: np.ndarray,
    originals: dict[int, int],
    relations: dict[int, str],
) -> Iterator[Row]:
    """One row per document, in input order. ``originals`` maps a component label to its
    original's number; ``relations`` a copy's number to its verdict against the original."""
    for num, doc_id in enumerate(ids):
        label = int(labels[num])
        orig = originals.get(label)
        if orig is None:
            yield Row(num, doc_id, doc_id, "unique", "unrelated")
        elif orig == num:
            yield Row(num, doc_id, doc_id, "original", "unrelated")
        else:
            yield Row(num, doc_id, ids[orig], "copy", relations.get(num, "unrelated"))
