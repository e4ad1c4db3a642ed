"""The FastAPI application behind ``unspin serve``: a thin HTTP layer over the library.

Every endpoint reads a JSON body, turns it into :class:`~unspin.models.Document` objects
and calls the same function as the command line (``compare``, ``check``, ``score_document``,
``Index.add``/``remove``/``get``), returning its ``to_json()`` unchanged. What this module
adds is what a server needs and a command does not:

* limits: a body-size cap answered (413) before a huge body is read, and text lengths in
  the schema, so that one request cannot ask for unbounded work;
* errors as JSON ``{"error": message, "detail": [...]}`` with a 4xx status for every bad
  request, never a 500;
* writes (adding and removing documents) only with the operator's token;
* one engine thread: the engine's caches are not proven thread-safe (and the GIL lets one
  alignment run at a time anyway), so comparing, checking, scoring and writing to the index
  run one after another in a dedicated thread, in arrival order. Requests waiting for it
  are coroutines, not threads, so the event loop and the cheap endpoints (``/health``, the
  page, ``GET /documents``) stay responsive under load. More cores are used with more
  processes (``unspin serve --workers N``). Each thread reads the index through its own
  SQLite connection (WAL: readers do not wait for the writer).

The server never opens a file named by a request: documents come in the body, the index
folder is fixed by the operator, and the page's static files are read once at start-up from
a fixed list.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from unspin import __version__
from unspin.documents import BadInputError, document_from_text
from unspin.index import Index
from unspin.models import Document
from unspin.serve.limits import BodyLimit, json_error
from unspin.serve.responses import (
    AddOut,
    CheckOut,
    CompareOut,
    DocumentOut,
    ErrorOut,
    HealthOut,
    RemoveOut,
    ScoreOut,
)
from unspin.serve.schemas import CompareIn, DocumentIn, DocumentsIn, TextIn

T = TypeVar("T")

# Requests that may wait for the engine: at ~35 ms of CPU for two 800-word texts, about
# nine seconds of work; beyond it clients are told to come back (503) rather than queued.
DEFAULT_MAX_QUEUE = 256

# Two texts at the schema's limit fit, with room for JSON escapes; a list of documents to
# add may need more (--max-bytes).
DEFAULT_MAX_BYTES = 2_000_000

# The page's files, served from memory under /static/ (see _static_files).
_STATIC = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "viewer.js": "text/javascript; charset=utf-8",
    "viewer.css": "text/css; charset=utf-8",
}
# The page loads nothing from elsewhere and runs no inline script.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ApiError(Exception):
    """A request that cannot be served: the status and the message the client gets."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


# ---------------------------------------------------------------------------------------------
# State: the index, the engine thread, the token


class _Service:
    """What the endpoints share: the index folder, per-thread connections, the engine
    thread, the token."""

    def __init__(
        self, index_dir: Path | None, token: str | None, create_index: bool, max_queue: int
    ) -> None:
        self.index_dir = index_dir
        self.token = token or None
        self.max_queue = max_queue
        self._queued = 0  # requests waiting for or in the engine (changed in the event loop)
        # One thread for the engine: see the module docstring. Made on first use, so that
        # the app can be started again after a shutdown (each test client runs its lifespan).
        self._engine: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._opened: list[Index] = []
        self._opened_lock = threading.Lock()
        if index_dir is not None:
            # Open once now, so that a wrong folder fails at start-up, not on first request.
            self._keep(Index(index_dir, create=create_index))

    def _keep(self, idx: Index) -> Index:
        with self._opened_lock:
            self._opened.append(idx)
        self._local.index = idx
        return idx

    def index(self) -> Index:
        """This thread's connection to the index (SQLite connections are per thread)."""
        if self.index_dir is None:
            raise ApiError(
                503,
                "this server has no index: start it with `unspin serve --index DIR` to "
                "check texts against an archive and to store documents",
            )
        idx = getattr(self._local, "index", None)
        if idx is None:
            idx = self._keep(Index(self.index_dir, create=False))
        return idx

    def close(self) -> None:
        if self._engine is not None:
            self._engine.shutdown(wait=True, cancel_futures=True)
            self._engine = None
        with self._opened_lock:
            for idx in self._opened:
                # Closing from another thread may fail: the process is ending anyway.
                with suppress(sqlite3.Error):
                    idx.close()
            self._opened.clear()
        self._local = threading.local()  # every thread opens a fresh connection if restarted

    async def run(self, work: Callable[[], T]) -> T:
        """Runs ``work`` in the engine thread, after the requests that came before it.

        The queue is bounded: past ``max_queue`` waiting requests the server says it is
        busy (503) at once, rather than holding bodies in memory for minutes.
        """
        if self._queued >= self.max_queue:
            raise ApiError(
                503,
                f"the server is busy ({self._queued} requests waiting); try again shortly",
                {"Retry-After": "2"},
            )
        if self._engine is None:
            self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-engine")
        self._queued += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._engine, work)
        finally:
            self._queued -= 1

    def require_index(self) -> None:
        """Say at once when there is no index, rather than after waiting for the engine."""
        if self.index_dir is None:
            self.index()  # raises the explanatory 503

    def require_writer(self, credentials: HTTPAuthorizationCredentials | None) -> None:
        """Writes need the operator's token; say how to get it when missing or wrong."""
        if self.token is None:
            raise ApiError(
                403,
                "writes are disabled on this server: the operator can enable them by "
                "starting it with --token (or the UNSPIN_TOKEN environment variable)",
            )
        given = credentials.credentials if credentials is not None else ""
        if not given or not secrets.compare_digest(
            given.encode("utf-8", "surrogatepass"), self.token.encode("utf-8")
        ):
            raise ApiError(
                401,
                "this endpoint needs the server's token: send `Authorization: Bearer <token>`"
                if not given
                else "wrong token",
                headers={"WWW-Authenticate": "Bearer"},
            )


# ---------------------------------------------------------------------------------------------
# Requests to documents


def _document(body: TextIn, default_id: str, default_title: str | None = None) -> Document:
    """A library document from a request body, read like a ``.txt`` file: a leading
    ``date YYYY-MM-DD`` line is the date; an explicit ``date`` field wins."""
    doc = document_from_text(body.id or default_id, body.text, source="<request>")
    title = body.title or (None if body.id else default_title)
    return Document(
        id=doc.id,
        text=doc.text,
        date=body.date or doc.date,
        title=title,
        source=doc.source,
        skip=doc.skip,
    )


def _view_texts(result: Any) -> dict[str, Any]:
    """The viewer's data for a comparison less the result itself (sent alongside)."""
    from unspin.report.html import viewer_data

    data = viewer_data(result)
    del data["result"]
    return data


def _public_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """Index statistics without the server's file-system path."""
    return {k: v for k, v in stats.items() if k != "folder"}


# ---------------------------------------------------------------------------------------------
# The application


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A body that is not JSON text in UTF-8."},
    413: {"model": ErrorOut, "description": "Request body over the size limit."},
    422: {"model": ErrorOut, "description": "Malformed JSON or a field breaking the schema."},
    503: {"model": ErrorOut, "description": "Too many requests waiting: try again shortly."},
}
_INDEX_ERRORS: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorOut, "description": "No index on this server, or the server is busy."},
}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong token."},
    403: {"model": ErrorOut, "description": "Writes are disabled on this server."},
    409: {"model": ErrorOut, "description": "The same id twice in one request."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No document with this id in the index."},
}


# Module level: with postponed annotations, FastAPI resolves these names in the module.
_bearer = HTTPBearer(auto_error=False, description="The token given to `unspin serve`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
View = Annotated[
    bool,
    Query(description="Also return what the web page needs to show the texts side by side."),
]


def _static_files() -> dict[str, bytes]:
    """The page and its assets, read once from the package (a fixed list of names)."""
    root = files("unspin") / "static"
    out = {name: (root / name).read_bytes() for name in (*_STATIC, "page.html")}
    return out


def create_app(
    index_dir: Path | None = None,
    token: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    create_index: bool = False,
    max_queue: int = DEFAULT_MAX_QUEUE,
) -> FastAPI:
    """The API and web page over ``index_dir`` (optional: without it, ``/compare`` and
    ``/score`` work and the index endpoints say how to get one).

    ``token`` enables ``POST /documents`` and ``DELETE /documents/{id}`` for clients that
    send it as a bearer token; without one, writes are refused. Request bodies over
    ``max_bytes`` are refused with 413. Raises :class:`unspin.index.IndexUnusable` at once
    when ``index_dir`` is not a usable index (``create_index`` creates an empty one).
    At most ``max_queue`` requests wait for the engine; more get 503 (busy).
    """
    service = _Service(index_dir, token, create_index, max_queue)
    static = _static_files()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        title="unspin",
        version=__version__,
        description=(
            "Find where a text came from, even after it was spun. The same results as the "
            "`unspin` command line (see its JSON contract), over HTTP. Writes need "
            "`Authorization: Bearer <token>` with the token the server was started with."
        ),
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(BodyLimit, max_bytes=max_bytes)

    # -- errors ---------------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return json_error(exc.status, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [_describe(e) for e in exc.errors()]
        first = detail[0] if detail else {"where": "request", "message": "invalid"}
        others = len(detail) - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        return json_error(
            422, f"invalid request: {first['where']}: {first['message']}{more}", detail
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint (see /docs for the API)"
        elif exc.status_code == 400 and message == "There was an error parsing the body":
            message = "malformed request body: expected JSON text in UTF-8"
        return json_error(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not the client's fault; say so without leaking internals.
        return json_error(500, f"internal error ({type(exc).__name__}); please report it")

    # -- the page -------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return Response(
            static["page.html"], media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS
        )

    @app.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in _STATIC:
            raise ApiError(404, "no such file")
        return Response(static[name], media_type=_STATIC[name], headers=_PAGE_HEADERS)

    # -- reading --------------------------------------------------------------------------

    @app.post("/compare", response_model=None, responses={200: {"model": CompareOut}, **_ERRORS})
    async def compare(body: CompareIn, view: View = False) -> dict[str, Any]:
        """Compare two texts: is one a (spun) copy of the other, what was reused and changed.

        The answer is the contract's comparison object (as `unspin compare --json`); with
        `view=true` it also carries both texts under `view`, for the side-by-side page.
        """
        from unspin.compare import compare as compare_docs

        a = _document(body.a, "a", "Text A")
        b = _document(body.b, "b", "Text B")

        def work() -> dict[str, Any]:
            result = compare_docs(a, b)
            out = result.to_json()
            if view:
                out["view"] = _view_texts(result)
            return out

        return await service.run(work)

    @app.post(
        "/check",
        response_model=None,
        responses={200: {"model": CheckOut}, **_ERRORS, **_INDEX_ERRORS},
    )
    async def check(body: TextIn, view: View = False) -> dict[str, Any]:
        """Find the sources of a text in the index (as `unspin check --json`).

        With `view=true` each match carries `view`: both texts and the full comparison
        (source as A, the query as B), for the side-by-side page.
        """
        from unspin.check import check as check_doc
        from unspin.report.html import viewer_data

        service.require_index()
        query = _document(body, "query", "Your text")

        def work() -> dict[str, Any]:
            idx = service.index()
            result = _index_call(lambda: check_doc(query, idx))
            out = result.to_json()
            if view:
                for m, m_out in zip(result.matches, out["matches"], strict=True):
                    m_out["view"] = viewer_data(m.comparison)
            return out

        return await service.run(work)

    @app.post("/score", response_model=None, responses={200: {"model": ScoreOut}, **_ERRORS})
    async def score(body: TextIn) -> dict[str, Any]:
        """How likely a text was machine-spun, and which words look substituted (as
        `unspin score --json`); no source needed."""
        from unspin.score import score_document

        doc = _document(body, "text")
        return await service.run(lambda: score_document(doc).to_json())

    @app.get(
        "/documents/{doc_id:path}",
        response_model=None,
        responses={200: {"model": DocumentOut}, **_NOT_FOUND, **_INDEX_ERRORS},
    )
    def get_document(doc_id: str) -> dict[str, Any]:
        """A document stored in the index, as it was added."""
        idx = service.index()
        doc = _index_call(lambda: idx.get(doc_id))
        if doc is None:
            raise ApiError(404, f"no document with id {doc_id!r} in the index")
        return {
            "id": doc.id,
            "text": doc.text,
            "date": doc.date,
            "title": doc.title,
            "url": doc.url,
        }

    @app.get("/health", response_model=None, responses={200: {"model": HealthOut}})
    def health() -> dict[str, Any]:
        """Whether the server is up, its version, and the index's statistics."""
        stats = None
        if service.index_dir is not None:
            idx = service.index()
            stats = _public_stats(_index_call(idx.stats))
        return {
            "status": "ok",
            "version": __version__,
            "writes_enabled": service.token is not None,
            "index": stats,
        }

    # -- writing --------------------------------------------------------------------------

    @app.post(
        "/documents",
        response_model=None,
        responses={200: {"model": AddOut}, **_ERRORS, **_WRITE_ERRORS, **_INDEX_ERRORS},
    )
    async def add_documents(body: DocumentsIn, credentials: Credentials) -> dict[str, Any]:
        """Add one document or a list (as `unspin index add`): all or nothing; an id added
        again replaces its document. Needs the token."""
        service.require_writer(credentials)
        service.require_index()
        items: list[DocumentIn] = body if isinstance(body, list) else [body]
        docs = [_document(d, d.id) for d in items]

        def work() -> dict[str, Any]:
            try:
                report = _index_call(lambda: service.index().add(docs))
            except BadInputError as e:  # an id given twice: which one is meant?
                raise ApiError(409, f"{e.message} (nothing was added)") from None
            return {"added": report.added, "replaced": report.replaced, "ids": [d.id for d in docs]}

        return await service.run(work)

    @app.delete(
        "/documents/{doc_id:path}",
        response_model=None,
        responses={
            200: {"model": RemoveOut},
            **_NOT_FOUND,
            **_WRITE_ERRORS,
            **_INDEX_ERRORS,
        },
    )
    async def remove_document(doc_id: str, credentials: Credentials) -> dict[str, Any]:
        """Remove a document from the index. Needs the token."""
        service.require_writer(credentials)
        service.require_index()
        missing = await service.run(lambda: _index_call(lambda: service.index().remove([doc_id])))
        if missing:
            raise ApiError(404, f"no document with id {doc_id!r} in the index")
        return {"removed": doc_id}

    return app


def _index_call(fn: Callable[[], Any]) -> Any:
    """Runs an index operation; a locked or damaged database becomes a clear 503."""
    try:
        return fn()
    except sqlite3.OperationalError as e:
        raise ApiError(
            503, f"the index is busy or unavailable ({e}); try again", {"Retry-After": "1"}
        ) from None


def _describe(error: dict[str, Any]) -> dict[str, str]:
    """One validation problem in plain words: where (``body.a.text``) and what."""
    loc = [str(p) for p in error.get("loc", ())]
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid"))
    if kind == "json_invalid":
        ctx = error.get("ctx") or {}
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        message = f"malformed JSON{at} ({ctx.get('error', 'cannot parse')})"
        loc = loc[:1]
    elif kind == "missing" and loc == ["body"]:
        message = "a JSON body is required"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return {"where": ".".join(loc) or "request", "message": message}
