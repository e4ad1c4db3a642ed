"""Many comparisons at once: ``unspin compare --pairs``.

Pairs come from a tab-separated file (two document paths a line). Each worker prepares a
document once however many pairs name it (an LRU of prepared documents), forgets it after
the last pair that names it, and results come back in input order whatever the number of
worker processes.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from unspin.canonical import Canonical
from unspin.compare import compare_prepared, prepare
from unspin.documents import BadInputError, read_document
from unspin.models import Comparison

CACHE_DOCUMENTS = 4096  # prepared documents kept per worker


@dataclass(frozen=True, slots=True)
class Pair:
    """One line of a pairs file."""

    line: int
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class PairResult:
    """A comparison, or the bad input that prevented it."""

    pair: Pair
    comparison: Comparison | None
    error: BadInputError | None = None


def read_pairs(
    path: str | Path, on_error: Callable[[BadInputError], None] | None = None
) -> Iterator[Pair]:
    """Pairs from a pairs file; relative paths are resolved against the file's folder
    (unless they exist as given). A malformed line raises, or goes to ``on_error``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise BadInputError(path, f"cannot read ({e.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(path, "not valid UTF-8") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            err = BadInputError(path, "expected two document paths separated by a tab", n)
            if on_error is None:
                raise err
            on_error(err)
            continue
        a, b = (
            p if Path(p).is_absolute() or Path(p).exists() else str(path.parent / p) for p in parts
        )
        yield Pair(n, a, b)


def last_uses(pairs: Sequence[Pair]) -> list[tuple[str, ...]]:
    """For each pair, the documents it names that no later pair names.

    A worker forgets those once the pair is compared: a prepared document carries its
    thesaurus neighbourhood and sentence tables (hundreds of kilobytes), and keeping
    thousands that will never be asked for again costs more in memory traffic than
    preparing them did.
    """
    seen: set[str] = set()
    out: list[tuple[str, ...]] = []
    for pair in reversed(pairs):
        out.append(tuple(dict.fromkeys(p for p in (pair.a, pair.b) if p not in seen)))
        seen.update((pair.a, pair.b))
    out.reverse()
    return out


class _Worker:
    """Compares pairs, keeping recently prepared documents that later pairs still name."""

    def __init__(self) -> None:
        self.cache: OrderedDict[str, Canonical] = OrderedDict()

    def prepared(self, path: str) -> Canonical:
        c = self.cache.get(path)
        if c is None:
            c = self.cache[path] = prepare(read_document(path))
            if len(self.cache) > CACHE_DOCUMENTS:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(path)
        return c

    def __call__(self, pair: Pair, done: tuple[str, ...] = ()) -> PairResult:
        """Compare one pair, then forget the documents in ``done`` (see :func:`last_uses`)."""
        try:
            return PairResult(pair, compare_prepared(self.prepared(pair.a), self.prepared(pair.b)))
        except BadInputError as e:
            return PairResult(pair, None, e)
        finally:
            for path in done:
                self.cache.pop(path, None)


_WORKER: _Worker | None = None


def _work(task: tuple[Pair, tuple[str, ...]]) -> PairResult:
    global _WORKER
    if _WORKER is None:
        _WORKER = _Worker()
    return _WORKER(*task)


@contextmanager
def batch_collector() -> Iterator[None]:
    """Garbage collection tuned for a long batch: a comparison allocates hundreds of
    thousands of short-lived objects (lists, tuples) and almost never a reference cycle,
    so the collector's default, a scan every 700 new objects, costs several per cent for
    nothing. Everything alive when the batch starts (modules, the thesaurus) is set aside
    for good (``gc.freeze``) and the youngest generation scanned twenty times less often.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], 20_000), before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def compare_pairs(pairs: Iterable[Pair], jobs: int = 1) -> Iterator[PairResult]:
    """Compare every pair, in input order; ``jobs`` worker processes (1: in this process).

    Pairs are handed out in chunks of neighbours, so that pairs sharing a document tend to
    meet the same worker's cache. All pairs are read first: each is sent with the documents
    it is the last to name, which its worker then forgets.
    """
    items = list(pairs)
    tasks = zip(items, last_uses(items), strict=True)
    if jobs <= 1:
        worker = _Worker()
        with batch_collector():
            for task in tasks:
                yield worker(*task)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs) as pool:
        yield from pool.imap(_work, tasks, chunksize=16)
