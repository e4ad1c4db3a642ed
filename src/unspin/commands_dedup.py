"""``unspin dedup``: cluster a corpus into groups of texts that reuse one another."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unspin.cli_common import ProgressOpt, SkipOpt, fail, progress_bar, skipped, stderr
from unspin.documents import BadInputError

if TYPE_CHECKING:
    from rich.progress import Progress

    from unspin.cli_common import NoProgress


class _Bars:
    """One transient progress bar per stage, on stderr."""

    def __init__(self, bar: Progress | NoProgress) -> None:
        self.bar = bar
        self.tasks: dict[str, object] = {}

    def start(self, stage: str, total: int | None) -> Callable[[int], None]:
        task = self.bar.add_task(stage, total=total)
        self.tasks[stage] = task
        return lambda n: self.bar.advance(task, n)  # type: ignore[arg-type]

    def stop(self, stage: str) -> None:
        task = self.tasks.pop(stage, None)
        if task is not None:
            self.bar.remove_task(task)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add the ``dedup`` command to the ``unspin`` application."""

    @app.command("dedup")
    def dedup_cmd(
        paths: Annotated[
            list[Path], typer.Argument(help="Files or folders (.txt, .jsonl[.gz], .parquet).")
        ],
        out: Annotated[
            Path, typer.Option("--out", help="Write one JSON line per document to FILE.")
        ],
        engine: Annotated[
            str, typer.Option("--engine", help="local (this machine) or spark (PySpark).")
        ] = "local",
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
        ] = None,
        pairs: Annotated[
            Path | None,
            typer.Option("--pairs", help="Also write every verified pair (JSON Lines) to FILE."),
        ] = None,
        exact: Annotated[
            bool,
            typer.Option(
                "--exact",
                help="Align every verified pair (slower) instead of judging clear ones "
                "from their fingerprints.",
            ),
        ] = False,
        path_ids: Annotated[
            bool,
            typer.Option(
                "--path-ids",
                help="Name .txt documents by their path under the folder (business/001).",
            ),
        ] = False,
        spark_master: Annotated[
            str | None,
            typer.Option("--spark-master", help="Spark master URL (default local[JOBS])."),
        ] = None,
        workdir: Annotated[
            Path | None,
            typer.Option("--workdir", help="Folder for temporary files (default: system's)."),
        ] = None,
        summary_json: Annotated[
            bool, typer.Option("--summary-json", help="The summary as JSON on stderr.")
        ] = False,
        skip_bad: SkipOpt = False,
        progress: ProgressOpt = None,
    ) -> None:
        """Cluster a corpus: every group of texts that reuse one another, its original named.

        One output line per document: {"id", "cluster", "role", "relation"}. A summary
        (documents, clusters, copies by relation, time per stage) goes to stderr.
        """
        from unspin.dedup import dedup

        if engine not in ("local", "spark"):
            raise fail(f"unknown engine {engine!r} (expected local or spark)")
        if engine == "spark":
            from unspin.dedup.spark import spark_available

            reason = spark_available()
            if reason:
                raise fail(f"--engine spark: {reason}", 1)
        try:
            with progress_bar(progress, "dedup") as bar:
                result = dedup(
                    paths,
                    out=out,
                    engine=engine,  # type: ignore[arg-type]
                    jobs=jobs or os.cpu_count() or 1,
                    pairs=pairs,
                    skip_bad=skip_bad,
                    on_error=skipped,
                    path_ids=path_ids,
                    workdir=workdir,
                    spark_master=spark_master,
                    reporter=_Bars(bar),
                    exact=exact,
                )
        except BadInputError as e:
            raise fail(f"{e} (nothing was written)") from None
        if summary_json:
            sys.stderr.write(json.dumps(result.summary.to_json()) + "\n")
        else:
            for line in result.summary.lines():
                stderr().print(line, highlight=False, soft_wrap=True)
