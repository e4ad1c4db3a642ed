import importlib.util
from pathlib import Path

import unspin
from benchmarks.bench_compare import _compile_bytecode


def test_the_bench_leaves_unspin_compiled_as_an_installed_copy_is():
    _compile_bytecode()
    root = Path(unspin.__file__).parent
    for src in root.rglob("*.py"):
        assert Path(importlib.util.cache_from_source(str(src))).exists(), src
    assert _compile_bytecode() == 0  # nothing left to compile
