"""End-to-end tests of the command line, on the seeds and on bad input."""

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from unspin.cli import app

from .conftest import SEED_ORIGINAL, SEED_SPUN

runner = CliRunner()


def test_compare_json_on_seeds():
    r = runner.invoke(app, ["compare", str(SEED_ORIGINAL), str(SEED_SPUN), "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    assert j["verdict"] in ("partial_reuse", "spun_copy") and j["original"] == "a"
    assert j["spin_rate"] >= 0.15


def test_compare_terminal_view_and_html(tmp_path):
    page = tmp_path / "report.html"
    r = runner.invoke(app, ["compare", str(SEED_ORIGINAL), str(SEED_SPUN), "--html", str(page)])
    assert r.exit_code == 0, r.output
    assert "Spun copy" in r.stdout or "reuse" in r.stdout.lower()
    assert "Protection" in r.stdout
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Linked Push" in html


def test_pairs_jsonl_in_input_order(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        f"{SEED_ORIGINAL}\t{SEED_SPUN}\n{SEED_SPUN}\t{SEED_ORIGINAL}\n\n"
        f"{SEED_ORIGINAL}\t{SEED_ORIGINAL}\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["original"] for row in rows[:2]] == ["a", "b"]
    assert rows[2]["verdict"] == "near_duplicate"


def test_pairs_paths_relative_to_the_pairs_file(tmp_path):
    (tmp_path / "a.txt").write_text("Kim met Putin in Vladivostok on Wednesday.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Kim met Putin in Vladivostok on Wednesday.", encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a.txt\tb.txt\n", encoding="utf-8")
    r = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["a"]["id"] == "a"


def test_bad_pairs_line_names_file_and_line(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{SEED_ORIGINAL}\t{SEED_SPUN}\njust-one-path\n", encoding="utf-8")
    r = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json"])
    assert r.exit_code == 2
    assert f"{pairs}:2:" in r.stderr
    r = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json", "--skip-bad"])
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == 1 and "skipped" in r.stderr


@pytest.mark.parametrize(
    "content, message",
    [(b"\xff\xfe bad", "UTF-8"), (b"\x00\x01", "binary"), (b"   ", "empty")],
)
def test_bad_document_exit_2(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    r = runner.invoke(app, ["compare", str(SEED_ORIGINAL), str(bad), "--json"])
    assert r.exit_code == 2
    assert str(bad) in r.stderr and message in r.stderr
    assert r.stdout == ""


def test_malformed_jsonl_names_the_line(tmp_path):
    bad = tmp_path / "docs.jsonl"
    bad.write_text('{"id": "x", "text": "fine"}\n{broken\n', encoding="utf-8")
    r = runner.invoke(app, ["compare", str(SEED_ORIGINAL), str(bad)])
    assert r.exit_code == 2 and f"{bad}:2:" in r.stderr


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["compare", str(SEED_ORIGINAL)]).exit_code == 2
    pairs = tmp_path / "p.tsv"
    pairs.write_text("", encoding="utf-8")
    r = runner.invoke(app, ["compare", str(SEED_ORIGINAL), str(SEED_SPUN), "--pairs", str(pairs)])
    assert r.exit_code == 2


@pytest.mark.skipif(shutil.which("unspin") is None, reason="console script not installed")
def test_console_script_end_to_end():
    out = subprocess.run(
        ["unspin", "compare", str(SEED_ORIGINAL), str(SEED_SPUN), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["original"] == "a"
    v = subprocess.run(
        [sys.executable, "-m", "unspin", "--version"], capture_output=True, text=True, check=True
    )
    assert v.stdout.startswith("unspin ")


def test_pairs_with_jobs_keeps_input_order(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    lines = [f"{SEED_ORIGINAL}\t{SEED_SPUN}", f"{SEED_SPUN}\t{SEED_ORIGINAL}"] * 20
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json"])
    two = runner.invoke(app, ["compare", "--pairs", str(pairs), "--json", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert [json.loads(x)["original"] for x in two.stdout.splitlines()][:4] == ["a", "b", "a", "b"]


def test_compare_starts_without_the_heavy_imports_it_does_not_need(tmp_path):
    """Start-up is a feature (0.5 s): `unspin compare --json` must not load pydantic (typer
    0.29 does, to coerce every option: 0.1 s more), FastAPI, the server, or Rich (JSON out
    and no error: nothing to draw)."""
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("The cat sat on the mat.\n", encoding="utf-8")
    two.write_text("Stock markets fell sharply on Monday.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "unspin.cli", "compare", str(one), str(two)]
        + ["--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "unspin.compare" in loaded  # (the listing is read right)
    assert not {"pydantic", "fastapi", "unspin.serve", "rich"} & loaded


def test_pairs_as_json_lines_off_a_terminal_start_without_rich(tmp_path):
    """A batch in a script (stderr not a terminal, JSON out) draws nothing, so it does not
    import Rich either; ``--progress`` still asks for the bar."""
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{SEED_ORIGINAL}\t{SEED_SPUN}\n", encoding="utf-8")
    base = [sys.executable, "-X", "importtime", "-m", "unspin.cli", "compare", "--pairs"]

    def loaded(*extra: str) -> set[str]:
        proc = subprocess.run(
            [*base, str(pairs), "--json", *extra], capture_output=True, text=True, check=True
        )
        assert json.loads(proc.stdout)["original"] == "a"
        return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}

    assert "rich" not in loaded()
    assert "rich.progress" in loaded("--progress")
