"""``unspin serve``: the HTTP API and web page (see :mod:`unspin.serve`), run by uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from unspin.cli_common import fail, stderr

# Defaults as in unspin.serve (not imported here: FastAPI would slow every command's start).
_MAX_BYTES = 2_000_000
_MAX_QUEUE = 256

# How a worker process (``--workers`` > 1) learns the settings: uvicorn starts workers by
# importing an application factory, so the settings travel in the environment.
_ENV_INDEX = "UNSPIN_SERVE_INDEX"
_ENV_MAX_BYTES = "UNSPIN_SERVE_MAX_BYTES"
_ENV_MAX_QUEUE = "UNSPIN_SERVE_MAX_QUEUE"
_ENV_TOKEN = "UNSPIN_TOKEN"


def app_from_env():
    """Application factory for uvicorn's worker processes (settings from the environment)."""
    from unspin.serve import create_app

    index = os.environ.get(_ENV_INDEX) or None
    return create_app(
        Path(index) if index else None,
        token=os.environ.get(_ENV_TOKEN) or None,
        max_bytes=int(os.environ[_ENV_MAX_BYTES]),
        max_queue=int(os.environ[_ENV_MAX_QUEUE]),
    )


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the ``unspin`` application."""

    @app.command("serve")
    def serve_cmd(
        index: Annotated[
            Path | None,
            typer.Option("--index", help="The index folder for /check and /documents (optional)."),
        ] = None,
        host: Annotated[
            str, typer.Option("--host", help="Address to listen on (loopback by default).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
        token: Annotated[
            str | None,
            typer.Option(
                "--token",
                envvar=_ENV_TOKEN,
                show_envvar=True,
                help="Enables POST/DELETE /documents for clients sending "
                "`Authorization: Bearer TOKEN`. Without it, writes are refused.",
            ),
        ] = None,
        max_bytes: Annotated[
            int,
            typer.Option("--max-bytes", min=1024, help="Largest request body accepted."),
        ] = _MAX_BYTES,
        max_queue: Annotated[
            int,
            typer.Option(
                "--max-queue", min=1, help="Requests that may wait per process; more get 503."
            ),
        ] = _MAX_QUEUE,
        workers: Annotated[
            int,
            typer.Option("--workers", min=1, help="Server processes (one core each)."),
        ] = 1,
        create: Annotated[
            bool,
            typer.Option("--create", help="Create an empty index at --index if there is none."),
        ] = False,
    ) -> None:
        """Serve the HTTP API and the web page (open http://HOST:PORT/ in a browser).

        POST /compare, /check, /score; GET /documents/{id}, /health; POST /documents and
        DELETE /documents/{id} with the token. The API is described at /openapi.json.
        """
        import uvicorn

        from unspin.index import IndexUnusable
        from unspin.serve import create_app

        if index is not None and not create and not index.exists():
            raise fail(f"{index}: no such index folder (build one with `unspin index add`)")
        try:
            application = create_app(
                index, token, max_bytes, create_index=create, max_queue=max_queue
            )
        except IndexUnusable as e:
            raise fail(str(e)) from None
        if host not in ("127.0.0.1", "localhost", "::1"):
            stderr().print(
                f"[yellow]unspin: note:[/] listening on {host}: reachable from other machines",
                highlight=False,
            )
        stderr().print(
            f"unspin {'with index ' + str(index) if index else 'without an index'}, writes "
            f"{'enabled (token)' if token else 'disabled (no --token)'}: "
            f"http://{'[' + host + ']' if ':' in host else host}:{port}/",
            highlight=False,
        )
        if workers == 1:
            uvicorn.run(application, host=host, port=port, log_level="warning")
            return
        # Several processes: each builds its own application from the environment.
        os.environ[_ENV_INDEX] = str(index.resolve()) if index else ""
        os.environ[_ENV_MAX_BYTES] = str(max_bytes)
        os.environ[_ENV_MAX_QUEUE] = str(max_queue)
        if token:
            os.environ[_ENV_TOKEN] = token
        uvicorn.run(
            "unspin.commands_serve:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
