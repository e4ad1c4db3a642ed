"""``unspin serve``'s HTTP API, in-process (no socket): results, writes, limits, errors."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import httpx
import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")  # starlette's TestClient notice

from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from unspin.cli import app as cli_app  # noqa: E402
from unspin.compare import compare  # noqa: E402
from unspin.documents import document_from_text  # noqa: E402
from unspin.index import Index  # noqa: E402
from unspin.score import score_document  # noqa: E402
from unspin.serve import create_app  # noqa: E402
from unspin.serve.schemas import MAX_TEXT_CHARS  # noqa: E402

from .conftest import SEED_ORIGINAL, SEED_SPUN  # noqa: E402

TOKEN = "correct horse battery staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STORIES = {
    "rates": "The central bank raised interest rates on Thursday. Governor Maria Lopez said "
    "inflation remained far too high. Markets in Frankfurt fell after the announcement.",
    "snow": "Heavy snow closed schools across the north on Monday. Drivers were told to stay "
    "at home as temperatures fell to minus ten. Rail services were cut by half.",
}


@pytest.fixture(scope="module")
def seeds() -> tuple[str, str]:
    return SEED_ORIGINAL.read_text(encoding="utf-8"), SEED_SPUN.read_text(encoding="utf-8")


def _make_index(folder: Path) -> Path:
    with Index(folder, create=True) as idx:
        docs = [document_from_text(k, v) for k, v in STORIES.items()]
        docs.append(document_from_text(SEED_ORIGINAL.stem, SEED_ORIGINAL.read_text("utf-8")))
        idx.add(docs)
    return folder


@pytest.fixture()
def index_dir(tmp_path: Path) -> Path:
    return _make_index(tmp_path / "idx")


@pytest.fixture()
def client(index_dir: Path):
    with TestClient(create_app(index_dir, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module")
def bare():
    """No index, no token: what `unspin serve` with no options gives."""
    with TestClient(create_app(None)) as c:
        yield c


def _is_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# -- reading ----------------------------------------------------------------------------------


def test_compare_is_the_library_result(bare, seeds):
    a, b = seeds
    r = bare.post("/compare", json={"a": {"text": a, "id": "wire"}, "b": {"text": b}})
    assert r.status_code == 200
    expected = compare(document_from_text("wire", a), document_from_text("b", b)).to_json()
    assert r.json() == expected
    assert r.json()["verdict"] == "spun_copy"
    assert "view" not in r.json()


def test_compare_view_carries_the_texts(bare, seeds):
    a, b = seeds
    r = bare.post("/compare?view=true", json={"a": {"text": a}, "b": {"text": b}})
    body = r.json()
    view = body.pop("view")
    assert view["a_text"] == a and view["b_text"] == b
    assert view["a_title"] == "Text A" and view["b_title"] == "Text B"
    assert view["a_skip"] and view["a_skip"][0][0] == 0  # the "date ..." line is metadata
    subs = {(s["a"], s["b"]) for p in body["passages"] for s in p["substitutions"]}
    assert ("party", "social gathering") in subs


def test_compare_date_field_decides_the_original(bare):
    text = STORIES["rates"]
    spun = text.replace("raised", "elevated").replace("remained", "stayed")
    r = bare.post(
        "/compare",
        json={"a": {"text": spun, "date": "2024-05-02"}, "b": {"text": text, "date": "2024-05-01"}},
    )
    assert r.status_code == 200
    assert r.json()["original"] == "b"


def test_score_is_the_library_result(bare, seeds):
    r = bare.post("/score", json={"text": seeds[1], "id": "003"})
    assert r.status_code == 200
    assert r.json() == score_document(document_from_text("003", seeds[1])).to_json()
    assert r.json()["spun"] is True


def test_check_finds_the_seed_source(client, seeds):
    r = client.post("/check?view=true", json={"text": seeds[1], "id": "suspect"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "suspect" and body["verdict"] == "spun_copy"
    best = body["matches"][0]
    assert best["id"] == SEED_ORIGINAL.stem
    view = best["view"]
    assert view["a_text"] == seeds[0] and view["b_text"] == seeds[1]
    assert view["result"]["passages"] and view["result"]["b"]["id"] == "suspect"
    plain = client.post("/check", json={"text": seeds[1], "id": "suspect"}).json()
    assert "view" not in plain["matches"][0]


def test_check_unrelated_text_has_no_match(client):
    r = client.post("/check", json={"text": "Completely different words about gardening."})
    assert r.json() == {"id": "query", "verdict": "unrelated", "matches": []}


def test_health(client, bare):
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["writes_enabled"] is True
    assert h["index"]["documents"] == 3
    assert "folder" not in h["index"]  # no server path given away
    assert bare.get("/health").json()["index"] is None


def test_index_endpoints_without_an_index(bare, seeds):
    for r in (
        bare.post("/check", json={"text": seeds[1]}),
        bare.get("/documents/x"),
    ):
        assert "--index" in _is_error(r, 503)


# -- writing ----------------------------------------------------------------------------------


def test_add_get_remove_with_token(client):
    doc = {"id": "new/1", "text": "A brand new story about the harbour.", "date": "2024-01-02"}
    r = client.post("/documents", json=doc, headers=AUTH)
    assert r.json() == {"added": 1, "replaced": 0, "ids": ["new/1"]}
    got = client.get("/documents/new/1").json()
    assert (got["id"], got["text"], got["date"]) == ("new/1", doc["text"], "2024-01-02")
    r = client.post("/documents", json=[doc, {"id": "two", "text": "More."}], headers=AUTH)
    assert r.json() == {"added": 1, "replaced": 1, "ids": ["new/1", "two"]}
    assert client.delete("/documents/new/1", headers=AUTH).json() == {"removed": "new/1"}
    _is_error(client.get("/documents/new/1"), 404)
    _is_error(client.delete("/documents/new/1", headers=AUTH), 404)


def test_add_is_all_or_nothing(client):
    docs = [{"id": "x", "text": "One."}, {"id": "y", "text": "Two."}, {"id": "x", "text": "3."}]
    assert "given twice" in _is_error(client.post("/documents", json=docs, headers=AUTH), 409)
    _is_error(client.get("/documents/y"), 404)
    assert client.get("/health").json()["index"]["documents"] == 3


def test_writes_refused_without_the_token(client):
    doc = {"id": "x", "text": "Some text."}
    r = client.post("/documents", json=doc)
    assert "Bearer" in _is_error(r, 401) and r.headers["www-authenticate"] == "Bearer"
    bad = {"Authorization": "Bearer nope"}
    _is_error(client.post("/documents", json=doc, headers=bad), 401)
    _is_error(client.delete("/documents/rates", headers=bad), 401)
    _is_error(client.delete("/documents/rates", headers={"Authorization": "Basic eDp5"}), 401)
    assert client.get("/documents/rates").status_code == 200  # still there
    _is_error(client.get("/documents/x"), 404)


def test_writes_disabled_without_a_server_token(index_dir):
    with TestClient(create_app(index_dir, token=None)) as c:
        message = _is_error(c.post("/documents", json={"id": "x", "text": "T."}, headers=AUTH), 403)
        assert "--token" in message and "UNSPIN_TOKEN" in message
        _is_error(c.delete("/documents/rates", headers=AUTH), 403)
        assert c.get("/health").json()["writes_enabled"] is False


# -- limits and bad requests --------------------------------------------------------------------


def test_oversized_body_is_refused_before_reading(index_dir):
    with TestClient(create_app(index_dir, token=TOKEN, max_bytes=10_000)) as c:
        big = json.dumps({"a": {"text": "word " * 3000}, "b": {"text": "x"}})
        assert "10,000 bytes" in _is_error(c.post("/compare", content=big), 413)

        def chunks():  # no Content-Length: the limit is enforced while reading
            for _ in range(20):
                yield b" " * 1000

        _is_error(c.post("/compare", content=chunks()), 413)
        _is_error(c.post("/documents", content=big, headers=AUTH), 413)
        assert c.post("/compare", json={"a": {"text": "x"}, "b": {"text": "y"}}).status_code == 200


def test_text_over_the_schema_limit(index_dir):
    with TestClient(create_app(index_dir, max_bytes=10 * MAX_TEXT_CHARS)) as c:
        body = {"a": {"text": "a" * (MAX_TEXT_CHARS + 1)}, "b": {"text": "b"}}
        assert "body.a.text" in _is_error(c.post("/compare", json=body), 422)


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("/compare", b"{", "malformed JSON"),
        ("/compare", b"", "body"),
        ("/compare", b"[1, 2]", "body"),
        ("/compare", b'{"a": {"text": "x"}}', "body.b"),
        ("/compare", b'{"a": {"text": ""}, "b": {"text": "x"}}', "body.a.text"),
        ("/compare", b'{"a": {"text": "  \\n "}, "b": {"text": "x"}}', "empty text"),
        ("/compare", b'{"a": {"text": 5}, "b": {"text": "x"}}', "body.a.text"),
        ("/compare", b'{"a": {"text": "\\ud800"}, "b": {"text": "x"}}', "body.a.text"),
        ("/compare", b'{"a": {"text": "x", "path": "/etc/passwd"}, "b": {"text": "x"}}', "path"),
        ("/compare", b'{"a": {"text": "x", "date": " 2024-02-03"}, "b": {"text": "x"}}', "date"),
        ("/compare", b'{"a": {"text": "x", "date": "yesterday"}, "b": {"text": "x"}}', "date"),
        ("/compare", b'{"a": {"text": "x", "id": "a\\u0000b"}, "b": {"text": "x"}}', "id"),
        ("/score", b'{"text": null}', "body.text"),
        ("/score", b"\xff\xfe", "body"),  # not UTF-8
        ("/check", b'{"text": "x", "id": ""}', "body.id"),
        ("/documents", b'{"text": "no id"}', "body"),
        ("/documents", b"[]", "body"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_message(client, path, body, needle):
    r = client.post(path, content=body, headers={"Content-Type": "application/json", **AUTH})
    assert needle in _is_error(r, 422)
    assert isinstance(r.json()["detail"], list)


def test_wrong_content_type_and_unknown_routes(client):
    r = client.post("/compare", content=b"a=1", headers={"Content-Type": "text/plain"})
    assert 400 <= r.status_code < 500 and r.json()["error"]
    _is_error(client.get("/nowhere"), 404)
    _is_error(client.get("/compare"), 405)
    _is_error(client.get("/static/../../etc/passwd"), 404)
    _is_error(client.get("/static/index.py"), 404)
    _is_error(client.post("/compare", content=b"{}", headers={"Content-Length": "x"}), 400)


def test_a_full_queue_says_busy():
    """Past max_queue waiting requests, the next one gets 503 at once, not a long wait."""
    from unspin.serve.app import ApiError, _Service

    service = _Service(None, None, create_index=False, max_queue=1)
    release = threading.Event()

    async def scenario() -> str:
        first = asyncio.ensure_future(service.run(release.wait))
        await asyncio.sleep(0.05)  # the first request is in the engine now
        try:
            await service.run(lambda: "ran")
        except ApiError as e:
            return f"{e.status} {e.message}"
        finally:
            release.set()
            await first
        return "no error"

    answer = asyncio.run(scenario())
    assert answer.startswith("503 the server is busy")
    assert asyncio.run(service.run(lambda: "ran")) == "ran"  # and it recovers
    service.close()


def test_concurrent_requests_agree(bare, seeds):
    """Requests run in worker threads at once: each gets the same, complete answer."""
    a, b = seeds
    answers: list[dict] = []

    def one() -> None:
        answers.append(bare.post("/compare", json={"a": {"text": a}, "b": {"text": b}}).json())

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 6 and all(x == answers[0] for x in answers)


# -- the page ---------------------------------------------------------------------------------


def test_page_and_its_files(bare):
    r = bare.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    for needle in ('id="text-a"', 'id="text-b"', 'id="compare-btn"', 'id="check-btn"'):
        assert needle in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from elsewhere
    for name in ("viewer.js", "viewer.css", "page.js", "page.css"):
        assert f'"static/{name}"' in html
        asset = bare.get(f"/static/{name}")
        assert asset.status_code == 200 and len(asset.content) > 500


def test_openapi_documents_every_endpoint(bare):
    spec = bare.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) >= {"/compare", "/check", "/score", "/documents", "/health"}
    assert "delete" in paths["/documents/{doc_id}"] and "get" in paths["/documents/{doc_id}"]
    assert "413" in paths["/compare"]["post"]["responses"]


# -- the command --------------------------------------------------------------------------------


def test_serve_command_options_and_errors(tmp_path):
    runner = CliRunner()
    help_text = runner.invoke(cli_app, ["serve", "--help"]).output
    for option in (
        "--index",
        "--host",
        "--port",
        "--token",
        "--max-bytes",
        "--workers",
        "--max-queue",
    ):
        assert option in help_text
    r = runner.invoke(cli_app, ["serve", "--index", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no such index" in r.output
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file.txt").write_text("x")
    r = runner.invoke(cli_app, ["serve", "--index", str(tmp_path / "junk")])
    assert r.exit_code == 2 and "no index here" in r.output


def test_serve_command_runs_a_server(tmp_path):
    """`python -m unspin serve` end to end: a socket on loopback, the token from the
    environment, the index given by --index."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = _make_index(tmp_path / "idx")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "UNSPIN_TOKEN": TOKEN}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "unspin", "serve", "--index", str(folder), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        health = None
        while health is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
            except httpx.HTTPError:
                time.sleep(0.1)
        assert health is not None, proc.stderr.read().decode() if proc.poll() else "no answer"
        assert health["writes_enabled"] is True and health["index"]["documents"] == 3
        r = httpx.delete(f"http://127.0.0.1:{port}/documents/snow", headers=AUTH)
        assert r.json() == {"removed": "snow"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_command_defaults_match_the_library():
    from unspin import commands_serve
    from unspin.serve import DEFAULT_MAX_BYTES, DEFAULT_MAX_QUEUE

    assert commands_serve._MAX_BYTES == DEFAULT_MAX_BYTES
    assert commands_serve._MAX_QUEUE == DEFAULT_MAX_QUEUE
