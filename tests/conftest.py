"""Shared fixtures: the real seed pair that started the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.build import stale_modules
from unspin.documents import read_document
from unspin.models import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SEED_ORIGINAL = SEEDS / "000_84929002fb0b65f4.txt"
SEED_SPUN = SEEDS / "003_24709a69db771866.txt"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test compiled modules older than their sources (an editable install
    imports the compiled module, so the edit would go untested)."""
    stale = stale_modules()
    if stale:
        raise pytest.UsageError(
            f"unspin's compiled {', '.join(stale)} predate their sources: run "
            "`pip install -e .` again (or `UNSPIN_PURE_PYTHON=1 pip install -e .` and remove "
            "src/unspin/*.so and src/unspin__mypyc*.so to test pure Python)"
        )


@pytest.fixture(scope="session")
def seed_original() -> Document:
    return read_document(SEED_ORIGINAL)


@pytest.fixture(scope="session")
def seed_spun() -> Document:
    return read_document(SEED_SPUN)
