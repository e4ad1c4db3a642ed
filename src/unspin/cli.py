"""The ``unspin`` command line: a thin layer over the library (see INTERFACE.md).

Every option maps to a library parameter; the CLI only reads arguments, reports errors
(one line naming the file and line, exit code 2 for bad input) and writes output: JSON
Lines on stdout for machines, Rich views for people, progress on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unspin import __version__
from unspin.cli_common import (
    JobsOpt,
    ProgressOpt,
    SkipOpt,
    fail,
    progress_bar,
    skipped,
    stderr,
)
from unspin.documents import BadInputError, read_document
from unspin.jsonl import json_line

app = typer.Typer(
    name="unspin",
    help="Find where a text came from, even after it was spun.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class CliError(Exception):
    """A failure to report as one line with an exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _version(value: bool) -> None:
    if value:
        from unspin.build import describe

        typer.echo(f"unspin {__version__} ({describe()})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Find where a text came from, even after it was spun."""


@app.command()
def compare(
    a: Annotated[
        Path | None, typer.Argument(help="The first document (.txt, .jsonl, .parquet).")
    ] = None,
    b: Annotated[Path | None, typer.Argument(help="The second document.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the contract's JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a side-by-side HTML page to FILE.")
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--pairs", help="Compare many pairs: FILE holds two paths a line, tab between."
        ),
    ] = None,
    skip_bad: SkipOpt = False,
    jobs: JobsOpt = 1,
    progress: ProgressOpt = None,
) -> None:
    """Compare two texts: is one a (spun) copy of the other, what was reused and changed."""
    from unspin.compare import compare as compare_docs

    try:
        if pairs is not None:
            if a is not None or b is not None:
                raise CliError("give either two documents or --pairs FILE, not both")
            if html is not None:
                raise CliError("--html shows one pair; it does not go with --pairs")
            _compare_pairs(pairs, json_out, skip_bad, progress, jobs)
            return
        if a is None or b is None:
            raise CliError("compare needs two documents (or --pairs FILE)")
        result = compare_docs(read_document(a), read_document(b))
        if html is not None:
            from unspin.report import write_html

            write_html(result, html)
        if json_out:
            sys.stdout.write(json_line(result.to_json()))
        else:
            from rich.console import Console

            from unspin.report import render_terminal

            render_terminal(result, Console())
            if html is not None:
                stderr().print(f"HTML report written to {html}", highlight=False)
    except BadInputError as e:
        raise fail(str(e), 2) from None
    except CliError as e:
        raise fail(str(e), e.code) from None
    except BrokenPipeError:
        sys.stderr.close()  # `unspin ... | head`: the reader left, nothing more to say


def _compare_pairs(
    pairs: Path, json_out: bool, skip_bad: bool, progress: bool | None, jobs: int
) -> None:
    """Batch comparison (see :mod:`unspin.batch`), JSON Lines in input order."""
    from unspin.batch import compare_pairs, read_pairs

    items = list(read_pairs(pairs, skipped if skip_bad else None))
    out = sys.stdout
    if not json_out:
        from rich.console import Console

        console = Console()
    with progress_bar(progress, "comparing") as bar:
        task = bar.add_task("comparing", total=len(items))
        for r in compare_pairs(items, jobs):
            bar.advance(task)
            if r.error is not None:
                err = BadInputError(pairs, f"pair on this line: {r.error}", r.pair.line)
                if not skip_bad:
                    raise err
                skipped(err)
                continue
            result = r.comparison
            assert result is not None
            if json_out:
                out.write(json_line(result.to_json()))
            else:
                console.print(
                    f"{result.a.id}\t{result.b.id}\t{result.verdict}\t{result.score:.3f}\t"
                    f"spin {result.spin_rate:.2f}\toriginal {result.original or '-'}",
                    highlight=False,
                    soft_wrap=True,
                )


from unspin.commands_index import register as _register_index  # noqa: E402

_register_index(app)

from unspin.commands_score import register as _register_score  # noqa: E402

_register_score(app)

from unspin.commands_dedup import register as _register_dedup  # noqa: E402

_register_dedup(app)

from unspin.commands_serve import register as _register_serve  # noqa: E402

_register_serve(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
