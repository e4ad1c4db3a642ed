"""Shared fixtures: the real seed pair that started the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.documents import read_document
from unspin.models import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SEED_ORIGINAL = SEEDS / "000_84929002fb0b65f4.txt"
SEED_SPUN = SEEDS / "003_24709a69db771866.txt"


@pytest.fixture(scope="session")
def seed_original() -> Document:
    return read_document(SEED_ORIGINAL)


@pytest.fixture(scope="session")
def seed_spun() -> Document:
    return read_document(SEED_SPUN)
