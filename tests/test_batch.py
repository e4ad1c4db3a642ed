import pytest

from unspin.batch import Pair, _Worker, compare_pairs, last_uses, read_pairs
from unspin.documents import BadInputError

from .conftest import SEED_ORIGINAL, SEED_SPUN


def test_read_pairs_resolves_relative_paths_and_reports_bad_lines(tmp_path):
    f = tmp_path / "pairs.tsv"
    f.write_text("a.txt\tb.txt\n\nonly-one\n/abs/x.txt\t/abs/y.txt\n", encoding="utf-8")
    errors = []
    pairs = list(read_pairs(f, errors.append))
    assert pairs[0] == Pair(1, str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert pairs[1] == Pair(4, "/abs/x.txt", "/abs/y.txt")
    assert [e.line for e in errors] == [3]
    with pytest.raises(BadInputError, match=":3:"):
        list(read_pairs(f))


def test_compare_pairs_reports_missing_documents_per_pair(tmp_path):
    pairs = [
        Pair(1, str(SEED_ORIGINAL), str(SEED_SPUN)),
        Pair(2, str(SEED_ORIGINAL), str(tmp_path / "missing.txt")),
    ]
    results = list(compare_pairs(pairs))
    assert results[0].comparison is not None and results[0].error is None
    assert results[1].comparison is None and "no such file" in str(results[1].error)


def test_last_uses_name_documents_no_later_pair_needs():
    pairs = [Pair(1, "a", "b"), Pair(2, "a", "c"), Pair(3, "c", "c"), Pair(4, "d", "b")]
    assert last_uses(pairs) == [(), ("a",), ("c",), ("d", "b")]


def test_workers_forget_documents_after_their_last_pair():
    pairs = [
        Pair(1, str(SEED_ORIGINAL), str(SEED_SPUN)),
        Pair(2, str(SEED_SPUN), str(SEED_SPUN)),
    ]
    worker = _Worker()
    first, second = (worker(p, done) for p, done in zip(pairs, last_uses(pairs), strict=True))
    assert first.comparison is not None and second.comparison is not None
    assert not worker.cache  # both documents forgotten after the pair that used them last
    # Without the release list a worker keeps what it prepared (the LRU alone bounds it).
    worker(pairs[0])
    assert set(worker.cache) == {str(SEED_ORIGINAL), str(SEED_SPUN)}


def test_compare_pairs_in_worker_processes_matches_one_process():
    pairs = [
        Pair(1, str(SEED_ORIGINAL), str(SEED_SPUN)),
        Pair(2, str(SEED_SPUN), str(SEED_ORIGINAL)),
        Pair(3, str(SEED_ORIGINAL), str(SEED_SPUN)),
    ]
    one = [r.comparison.to_json() for r in compare_pairs(pairs)]
    two = [r.comparison.to_json() for r in compare_pairs(pairs, jobs=2)]
    assert one == two


def test_batch_collector_sets_the_collector_back():
    import gc

    from unspin.batch import batch_collector

    before = gc.get_threshold()
    with batch_collector():
        assert gc.get_threshold()[0] >= 20_000
        assert gc.get_freeze_count() > 0  # what was alive at the start is set aside
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # ... also when the batch stops early (a reader that leaves, an error).
    with pytest.raises(RuntimeError), batch_collector():
        raise RuntimeError
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
