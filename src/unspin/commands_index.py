"""``unspin index add|stats|remove`` and ``unspin check``: the CLI over an index folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unspin.cli_common import (
    JobsOpt,
    ProgressOpt,
    SkipOpt,
    fail,
    progress_bar,
    skipped,
    stderr,
)
from unspin.documents import BadInputError, read_documents
from unspin.jsonl import json_line

IndexOpt = Annotated[Path, typer.Option("--index", help="The index folder.")]


def _open(folder: Path, create: bool):
    from unspin.index import Index, IndexUnusable

    try:
        return Index(folder, create=create)
    except IndexUnusable as e:
        raise fail(str(e)) from None


def register(app: typer.Typer) -> None:
    """Add the index and check commands to the ``unspin`` app."""
    index_app = typer.Typer(
        help="Build and maintain a persistent index (one folder, SQLite inside).",
        no_args_is_help=True,
    )
    app.add_typer(index_app, name="index")

    @index_app.command("add")
    def index_add(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders of documents.")],
        index: IndexOpt,
        jobs: JobsOpt = 1,
        skip_bad: SkipOpt = False,
        progress: ProgressOpt = None,
    ) -> None:
        """Add documents (an id added again replaces its document); all or nothing."""
        idx = _open(index, create=True)
        on_error = skipped if skip_bad else None
        try:
            with progress_bar(progress, "indexing") as bar:
                task = bar.add_task("indexing", total=None)
                report = idx.add(
                    read_documents(paths, on_error=on_error),
                    jobs=jobs,
                    progress=lambda n: bar.advance(task, n),
                    on_error=on_error,
                )
        except BadInputError as e:
            raise fail(f"{e} (nothing was added)") from None
        finally:
            idx.close()
        stderr().print(
            f"added {report.added}, replaced {report.replaced}"
            + (f", skipped {len(report.skipped)}" if report.skipped else "")
            + f" in {index}",
            highlight=False,
        )

    @index_app.command("stats")
    def index_stats(
        index: IndexOpt,
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Documents, size on disk, fingerprint settings."""
        idx = _open(index, create=False)
        stats = idx.stats()
        idx.close()
        if json_out:
            sys.stdout.write(json_line(stats))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(show_header=False, box=None)
        for k, v in stats.items():
            table.add_row(k.replace("_", " "), f"{v:,.0f}" if isinstance(v, float) else str(v))
        Console().print(table)

    @index_app.command("remove")
    def index_remove(
        ids: Annotated[list[str], typer.Argument(help="Ids of documents to remove.")],
        index: IndexOpt,
    ) -> None:
        """Remove documents by id; all or nothing."""
        idx = _open(index, create=False)
        missing = idx.remove(ids)
        idx.close()
        for m in missing:
            stderr().print(f"[yellow]unspin: not in the index:[/] {m}", highlight=False)
        stderr().print(f"removed {len(ids) - len(missing)} from {index}", highlight=False)

    @app.command("check")
    def check_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Files or folders of query documents.")],
        index: IndexOpt,
        json_out: Annotated[
            bool, typer.Option("--json", help="JSON Lines, as the contract says.")
        ] = False,
        jobs: JobsOpt = 1,
        skip_bad: SkipOpt = False,
        progress: ProgressOpt = None,
    ) -> None:
        """Find the sources of each document in the index."""
        from rich.console import Console

        from unspin.check import check_many

        idx = _open(index, create=False)
        on_error = skipped if skip_bad else None
        out = sys.stdout
        console = Console()
        try:
            docs = list(read_documents(paths, on_error=on_error))
            with progress_bar(progress, "checking") as bar:
                task = bar.add_task("checking", total=len(docs))
                for r in check_many(docs, idx, jobs=jobs):
                    bar.advance(task)
                    if json_out:
                        out.write(json_line(r.to_json()))
                        continue
                    best = r.matches[0] if r.matches else None
                    console.print(
                        f"{r.query.id}\t{r.verdict}"
                        + (
                            f"\t{best.source.id}\tscore {best.comparison.score:.2f}"
                            f"\tspin {best.comparison.spin_rate:.2f}"
                            if best
                            else ""
                        )
                        + (f"\t(+{len(r.matches) - 1} more)" if len(r.matches) > 1 else ""),
                        highlight=False,
                        soft_wrap=True,
                    )
        except BadInputError as e:
            raise fail(str(e)) from None
        finally:
            idx.close()
