"""The build: which modules mypyc compiles, and the checks around a compiled install."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from unspin import __version__, build

ROOT = Path(__file__).resolve().parents[1]


def test_setup_compiles_the_modules_the_package_reports():
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    listed = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED"
    )
    assert tuple(ast.literal_eval(listed)) == build.COMPILED
    for name in build.COMPILED:
        assert (ROOT / "src" / "unspin" / f"{name}.py").exists()


def test_a_source_newer_than_its_compiled_module_is_stale(tmp_path):
    source, compiled = tmp_path / "align.py", tmp_path / "align.cpython-311-x86_64-linux-gnu.so"
    source.write_text("x = 1\n")
    compiled.write_bytes(b"\0")
    os.utime(source, (1_000, 1_000))
    os.utime(compiled, (2_000, 2_000))
    assert not build.is_stale(compiled, "align")
    os.utime(source, (3_000, 3_000))
    assert build.is_stale(compiled, "align")


def test_the_installed_modules_are_not_stale_and_version_says_how_they_run():
    assert build.stale_modules() == []
    compiled = build.compiled_modules()
    assert set(compiled) <= set(build.COMPILED)
    expected = "pure Python" if not compiled else "compiled with mypyc"
    assert build.describe().startswith(expected)
    out = subprocess.run(
        [sys.executable, "-m", "unspin", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"unspin {__version__} ({build.describe()})"
