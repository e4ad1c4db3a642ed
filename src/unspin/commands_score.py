"""``unspin score``: is a text machine-spun, and where? (no source needed)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from unspin.cli_common import ProgressOpt, SkipOpt, fail, progress_bar, skipped
from unspin.documents import BadInputError, read_documents
from unspin.jsonl import json_line

# Evidence spans shown per document in the terminal view (JSON gets them all).
_SHOWN_EVIDENCE = 6


def register(app: typer.Typer) -> None:
    """Add the ``score`` command to the ``unspin`` application."""

    @app.command("score")
    def score_cmd(
        paths: Annotated[
            list[Path], typer.Argument(help="Files or folders (.txt, .jsonl[.gz], .parquet).")
        ],
        json_out: Annotated[
            bool, typer.Option("--json", help="JSON Lines, as the contract says.")
        ] = False,
        skip_bad: SkipOpt = False,
        threshold: Annotated[
            float | None,
            typer.Option(
                "--threshold",
                min=0.0,
                max=1.0,
                help="Probability from which a text is called spun (default: the model's).",
            ),
        ] = None,
        model_dir: Annotated[
            Path | None,
            typer.Option(
                "--model",
                help="A model folder from scripts/train_score.py; 'neural' = --neural.",
            ),
        ] = None,
        neural: Annotated[
            bool,
            typer.Option(
                "--neural",
                help="Add the neural stage (word embeddings; pip install 'unspin[neural]').",
            ),
        ] = False,
        progress: ProgressOpt = None,
    ) -> None:
        """Spot machine-spun text with no source at hand.

        For each document: a calibrated probability that it was spun, a yes/no at the
        model's documented threshold, and the words that look substituted.
        """
        from unspin.score import load_model, score_documents

        if model_dir is not None and str(model_dir) == "neural" and not model_dir.exists():
            model_dir, neural = None, True  # `--model neural`: the shipped model's neural stage
        try:
            model = load_model(model_dir)
        except (OSError, ValueError) as e:
            raise fail(f"cannot load the score model: {e}", 1) from None
        if neural:
            _check_neural(model)
        docs = read_documents(paths, on_error=skipped if skip_bad else None)
        results = score_documents(docs, model, threshold, neural=neural)
        try:
            if json_out:
                _write_json(results, progress)
            else:
                _write_table(results, progress)
        except BadInputError as e:
            raise fail(str(e)) from None
        except BrokenPipeError:
            sys.stderr.close()  # `unspin score ... | head`: the reader left


def _check_neural(model) -> None:
    """Fail early, with the pip command, when the neural stage cannot run (exit 2: the
    request cannot be served as asked)."""
    from unspin.score_neural import NeuralUnavailable, word_vectors

    if model.neural is None:
        raise fail(
            "this score model has no neural stage (train it with "
            "`python scripts/train_score.py --neural`)"
        )
    try:
        word_vectors()
    except NeuralUnavailable as e:
        from rich.markup import escape

        raise fail(escape(str(e))) from None  # "[neural]" is not Rich markup


def _write_json(results: Iterable, progress: bool | None) -> None:
    """One contract object a line, in input order, written as each document is scored."""
    out = sys.stdout
    with progress_bar(progress, "scoring") as bar:
        task = bar.add_task("scoring", total=None)
        for r in results:
            out.write(json_line(r.to_json()))
            bar.advance(task)


def _write_table(results: Iterable, progress: bool | None) -> None:
    """A table for people: verdict, probability, and the first evidence spans."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    table.add_column("document", overflow="fold")
    table.add_column("spun?")
    table.add_column("probability", justify="right")
    table.add_column("words", justify="right")
    table.add_column("looks substituted (likely original)", overflow="fold")
    with progress_bar(progress, "scoring") as bar:
        task = bar.add_task("scoring", total=None)
        for r in results:
            shown = ", ".join(
                f"{e.text} ({e.likely_original})" if e.likely_original else e.text
                for e in r.evidence[:_SHOWN_EVIDENCE]
            )
            more = len(r.evidence) - _SHOWN_EVIDENCE
            if more > 0:
                shown += f", ... (+{more})"
            verdict = "[bold red]spun[/]" if r.spun else "[green]no[/]"
            table.add_row(r.id, verdict, f"{r.spin_probability:.1%}", str(r.words_scored), shown)
            bar.advance(task)
    Console().print(table)
