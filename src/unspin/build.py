"""How this install runs the comparison: compiled by mypyc (see ``setup.py``) or pure Python.

Both run the same source and give the same results; the compiled build is faster. In an
editable install a compiled module sits next to its source and is imported instead of it,
so an edit to the source does nothing until the package is installed again:
:func:`stale_modules` names such modules (the test suite checks it before running).
"""

from __future__ import annotations

import json
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.metadata import PackageNotFoundError, distribution
from importlib.util import find_spec
from pathlib import Path

# The modules setup.py compiles (keep in step with its COMPILED).
COMPILED = ("align", "canonical", "compare", "facts", "judge", "lexicon", "normalise")


def _compiled_path(name: str) -> Path | None:
    """Where ``unspin.<name>`` loads from, when that is a C extension (found without
    importing it)."""
    spec = find_spec(f"unspin.{name}")
    origin = spec.origin if spec is not None else None
    if origin is not None and origin.endswith(tuple(EXTENSION_SUFFIXES)):
        return Path(origin)
    return None


def compiled_modules() -> list[str]:
    """The modules of :data:`COMPILED` that load from a C extension."""
    return [name for name in COMPILED if _compiled_path(name) is not None]


def stale_modules() -> list[str]:
    """Compiled modules whose source file changed after they were built, in an editable
    install (an installed wheel's files all date from its installation)."""
    if not _editable():
        return []
    return [
        name
        for name in COMPILED
        if (path := _compiled_path(name)) is not None and is_stale(path, name)
    ]


def _editable() -> bool:
    """Whether unspin is installed in editable mode (PEP 610's record of the install)."""
    try:
        record = distribution("unspin").read_text("direct_url.json")
    except PackageNotFoundError:
        return True  # run from a source tree without installing: treat it as editable
    return bool(record) and json.loads(record).get("dir_info", {}).get("editable", False)


def is_stale(compiled: Path, name: str) -> bool:
    """Whether the source ``<name>.py`` beside the compiled module ``compiled`` is newer."""
    source = compiled.parent / f"{name}.py"
    return source.exists() and source.stat().st_mtime > compiled.stat().st_mtime


def describe() -> str:
    """One line for ``unspin --version``."""
    compiled = compiled_modules()
    if not compiled:
        return "pure Python"
    if len(compiled) == len(COMPILED):
        return "compiled with mypyc"
    return "compiled with mypyc: " + ", ".join(compiled)
