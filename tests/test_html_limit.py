"""``build``/``export all`` leave the HTML page out above ``html_max_entries``, and say so.

The page formats every entry through citeproc-py (~20 ms each): on a 5,000-entry library
``build`` took ~95 s, most of it the page. ``export html`` writes it whatever the size.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.exports import html_left_out

ENTRY = (
    "@article{{paper{n},\n  author = {{Doe, Jane}},\n  title = {{Paper {n}}},\n"
    "  journal = {{Journal}},\n  year = {{2020}},\n  doi = {{10.5555/x.{n}}},\n}}\n"
)


def library(tmp_path: Path, count: int) -> Path:
    bib = tmp_path / "references.bib"
    bib.write_text("\n".join(ENTRY.format(n=n) for n in range(count)), encoding="utf-8")
    return bib


def invoke(tmp_path: Path, limit: str, *args: str) -> tuple[int, str]:
    env = {"CITEKIT_HTML_MAX_ENTRIES": limit, "CITEKIT_PUBLISHED_SOURCES": "crossref"}
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        done = CliRunner().invoke(cli, list(args), env=env)
    finally:
        os.chdir(old)
    return done.exit_code, done.output


@pytest.mark.parametrize("command", [["build", "--offline"], ["export", "all"]])
def test_the_page_is_left_out_above_the_limit_and_that_is_said(
    tmp_path: Path, command: list[str]
) -> None:
    library(tmp_path, 3)
    code, output = invoke(tmp_path, "2", *command)
    assert code == 0, output
    assert not (tmp_path / "exports" / "index.html").exists()
    assert (tmp_path / "exports" / "references.json").exists()
    assert "index.html not written (left as it was): 3 entries is more than" in output
    assert "html_max_entries = 2" in output


def test_at_the_limit_and_with_export_html_the_page_is_written(tmp_path: Path) -> None:
    library(tmp_path, 3)
    code, output = invoke(tmp_path, "3", "build", "--offline")
    assert code == 0, output
    assert (tmp_path / "exports" / "index.html").exists()
    assert "not written" not in output
    (tmp_path / "exports" / "index.html").unlink()
    code, output = invoke(tmp_path, "1", "export", "html")
    assert code == 0, output
    assert "paper2" in (tmp_path / "exports" / "index.html").read_text(encoding="utf-8")


def test_limit_rule() -> None:
    assert html_left_out(2001, 2000) and not html_left_out(2000, 2000)
    assert not html_left_out(10**6, None) and not html_left_out(10**6, -1)
