"""``unspin serve``: the HTTP API and the web page, a thin layer over the library.

:func:`create_app` builds the FastAPI application (testable in-process, no socket needed);
``unspin serve`` runs it with uvicorn.
"""

from unspin.serve.app import DEFAULT_MAX_BYTES, DEFAULT_MAX_QUEUE, create_app

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_QUEUE", "create_app"]
