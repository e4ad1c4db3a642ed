"""Fuzzing ``unspin serve`` against its own OpenAPI schema (schemathesis, in-process).

Every generated request must get an answer that is not a server error and that matches
the documented status codes, content types and response shapes. Writes are exercised
with the token (so they reach the index) and without it. The number of examples is
bounded so that the run stays a few seconds; ``UNSPIN_FUZZ_EXAMPLES`` raises it for a
longer hunt.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from unspin.serve import create_app  # noqa: E402

from .test_serve_api import TOKEN, _make_index  # noqa: E402

EXAMPLES = int(os.environ.get("UNSPIN_FUZZ_EXAMPLES", "25"))


def _api_schema():
    # Built at import, not through schemathesis' fixture loader (which pytest 9.2 broke).
    scratch = Path(tempfile.mkdtemp(prefix="unspin-fuzz-"))
    atexit.register(shutil.rmtree, scratch, True)  # no fixture to clean up after us
    folder = _make_index(scratch / "idx")
    # Room for texts just over the schema's limit, so that they get the 422 the schema
    # promises (the 413 of the body limit is tested in test_serve_api.py).
    app = create_app(folder, token=TOKEN, max_bytes=5_000_000)
    # The coverage phase sends every boundary case of the schema (texts at their maximum
    # length, for each field...): over a minute. The fuzzing phase, bounded, stays fast.
    config = schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": False}}}
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


schema = _api_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_answers_as_documented(case):
    authorised = case.method in ("POST", "DELETE") and case.path.startswith("/documents")
    headers = {"Authorization": f"Bearer {TOKEN}"} if authorised else None
    # positive_data_acceptance is left out: it also flags cases whose body schemathesis
    # itself made invalid (seen with the body `0`), and rejecting schema-valid data is
    # covered by test_serve_api.py; every other default check runs.
    case.call_and_validate(
        headers=headers,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
