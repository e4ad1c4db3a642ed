"""What every ``unspin`` command shares: the stderr console, one-line errors, skipped-
record notices, progress bars and the common options.

Rich is imported when first needed, not at start: ``unspin compare A B --json`` that meets
no error never needs it (about 40 ms of every start).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, cast

import typer

from unspin.documents import BadInputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


@cache
def stderr() -> Console:
    """The console on stderr (errors, notices, progress bars), made on first use."""
    from rich.console import Console

    return Console(stderr=True)


JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")]
SkipOpt = Annotated[
    bool, typer.Option("--skip-bad", help="Report bad records on stderr and go on.")
]
ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one error line and return the exit to raise (2: bad usage or input)."""
    stderr().print(f"[bold red]unspin: error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def skipped(err: BadInputError) -> None:
    """``--skip-bad``: say what was left out, and go on."""
    stderr().print(f"[yellow]unspin: skipped:[/] {err}", highlight=False, soft_wrap=True)


class NoProgress:
    """What :func:`progress_bar` gives when no bar is shown: the calls the commands make of
    a rich ``Progress``, doing nothing. (rich takes a twentieth of a second to import:
    ``unspin compare a b --json`` in a script should not pay it.)"""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None) -> TaskID:
        return cast("TaskID", 0)

    def advance(self, task: TaskID, advance: float = 1) -> None:
        return None

    def remove_task(self, task: TaskID) -> None:
        return None


def progress_bar(show: bool | None, what: str) -> Progress | NoProgress:
    """A transient bar on stderr, shown on a terminal unless told otherwise."""
    if show is False or (show is None and not sys.stderr.isatty()):
        return NoProgress()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = stderr()
    return Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not (console.is_terminal if show is None else show),
        transient=True,
    )
