"""The library commands through the real CLI: check, export bibtex|biblatex, --help everywhere."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.writers.bibtex import format_bibtex, format_bibtex_for_styles

from .torture import TORTURE

MALFORMED = Path(__file__).parent / "data" / "malformed"


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    with contextlib.chdir(tempfile.mkdtemp(dir=tmp_path)):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "citekit")
def test_help_on_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="citekit")
    assert result.exit_code == 0
    usage, blank, summary, *_ = result.stdout.splitlines()
    assert usage.startswith(" ".join(("Usage: citekit", *path)))
    assert blank == "" and summary.strip(), "every command says what it does"


def test_check_clean_library(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(format_bibtex(TORTURE), encoding="utf-8")
    code, out, err = _run(tmp_path, "--bib", str(bib), "check")
    assert (code, out) == (0, "")
    assert f"{len(TORTURE)} entries, no problems" in err


def test_check_reports_problems_and_exits_1(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{stub, eprint = {2005.14165}, archiveprefix = {arXiv}}\n"
        "@article{a, title = {T}, author = {A, B}, journal = {J}, year = 2020,"
        " eprint = {2005.14165}, archiveprefix = {arXiv}}\n",
        encoding="utf-8",
    )
    code, out, err = _run(tmp_path, "--bib", str(bib), "check")
    assert code == 1
    assert out.splitlines() == [
        f"{bib}:2: a: same arXiv id 2005.14165 as stub (line 1); merge the two entries"
        " [duplicate-arxiv]",
        f"{bib}:1: stub: stub for arXiv:2005.14165: run `citekit resolve` [stub]",
    ]
    assert err == "citekit: 2 problems in 2 of 2 entries\n"
    code, out, _ = _run(tmp_path, "--bib", str(bib), "check", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["entries"] == 2
    assert [p["kind"] for p in data["problems"]] == ["duplicate-arxiv", "stub"]


@pytest.mark.parametrize("name", sorted(p.name for p in MALFORMED.glob("*.bib")))
def test_malformed_files_give_one_line_exit_1_and_stay_untouched(tmp_path: Path, name: str) -> None:
    bib = tmp_path / name
    original = (MALFORMED / name).read_bytes()
    bib.write_bytes(original)
    for args in (["check"], ["export", "bibtex", "-o", "-"], ["export", "biblatex"]):
        code, out, err = _run(tmp_path, "--bib", str(bib), *args)
        assert code == 1, args
        lines = (out + err).strip().splitlines()
        assert any(line.startswith(f"{bib}:") or f"{bib}:" in line for line in lines)
        assert "Traceback" not in out + err
        assert bib.read_bytes() == original
    code, out, _ = _run(tmp_path, "--bib", str(bib), "check", "--json")
    problem = json.loads(out)["problems"][0]
    assert code == 1 and problem["kind"] == "parse" and isinstance(problem["line"], int)


def test_export_bibtex_and_biblatex(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(format_bibtex(TORTURE), encoding="utf-8")
    code, out, _ = _run(tmp_path, "--bib", str(bib), "export", "bibtex", "-o", "-")
    # The export is tuned for classic styles (#15 items 2, 3); the library is format_bibtex.
    assert code == 0 and out == format_bibtex_for_styles(TORTURE)
    target = tmp_path / "out" / "refs-biblatex.bib"
    code, out, err = _run(tmp_path, "--bib", str(bib), "export", "biblatex", "-o", str(target))
    assert code == 0 and out == ""
    assert f"wrote {target} ({len(TORTURE)} entries)" in err
    text = target.read_text(encoding="utf-8")
    assert "@online{openai2023gpt4," in text and "Müller" in text


@pytest.mark.parametrize("args", [["export", "bibtex"], ["check"], ["check", "--json"]])
def test_missing_library_is_a_clear_error(tmp_path: Path, args: list[str]) -> None:
    code, out, err = _run(tmp_path, "--bib", str(tmp_path / "none.bib"), *args)
    # Data on stdout only when asked for: with --json, the failure as an object (#15 item 7).
    assert code == 1 and (json.loads(out)["ok"] is False if "--json" in args else out == "")
    assert (
        err
        == f"citekit: {tmp_path / 'none.bib'}: no such library file; create it or pass --bib PATH\n"
    )


def test_export_default_path_under_exports(tmp_path: Path) -> None:
    runner = CliRunner()
    with contextlib.chdir(cwd := tempfile.mkdtemp(dir=tmp_path)):
        Path("references.bib").write_text(format_bibtex(TORTURE[:2]), encoding="utf-8")
        result = runner.invoke(cli, ["export", "bibtex"])
        assert result.exit_code == 0
        written = Path(cwd) / "exports" / "references-bibtex.bib"
        assert written.read_text(encoding="utf-8") == format_bibtex(TORTURE[:2])
