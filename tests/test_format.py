"""Formatted bibliographies through citeproc-py: golden APA, four styles, the CLI."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.errors import ConfigError
from citekit.format import format_bibliography, style_path
from citekit.model import Record
from tests.export_records import hub, torture

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_KEYS = ["brown2020language", "knox2009interactively", "openai2022chatgpt"]
ALL = hub() + torture()


def pick(keys: list[str]) -> list[Record]:
    by_key = {r.key: r for r in ALL}
    return [by_key[k] for k in keys]


def as_text(entries: list[str]) -> str:
    return "\n".join(f"{e}\n" for e in entries)


def test_apa_golden_text() -> None:
    got = as_text(format_bibliography(pick(GOLDEN_KEYS), "apa", "text"))
    assert got == (GOLDEN / "format_apa.txt").read_text(encoding="utf-8")


def test_apa_golden_html() -> None:
    entries = format_bibliography(pick(GOLDEN_KEYS), "apa", "html")
    got = '<div class="csl-bib-body">\n' + "".join(f"  {e}\n" for e in entries) + "</div>\n"
    assert got == (GOLDEN / "format_apa.html").read_text(encoding="utf-8")


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", re.sub(r"<[^>]+>", "", text).casefold()))


@pytest.mark.parametrize("style", ["apa", "ieee", "nature", "chicago-author-date"])
def test_required_styles_render_every_entry(style: str) -> None:
    entries = format_bibliography(ALL, style, "text")
    assert len(entries) == len(ALL)
    text = _words("\n".join(entries))
    for record in ALL:
        assert " ".join(_words(record.title).split()[:3]) in text, record.key
        first = record.author[0] if record.author else None
        if first is not None:
            assert _words(first.literal or first.family) in text, record.key


def test_cjk_names_are_not_initialised() -> None:
    (entry,) = format_bibliography(pick(["wang2021cjk"]), "apa", "text")
    assert entry.startswith("王小明, 山田太郎, & 김민준.")


def test_chicago_keeps_full_given_names() -> None:
    """chicago-author-date says initialize="false" for bibliography names (as pandoc prints)."""
    (entry,) = format_bibliography(pick(["radford2018improving"]), "chicago-author-date")
    assert entry.startswith("Radford, Alec, Karthik Narasimhan, Tim Salimans, and Ilya Sutskever.")
    (apa,) = format_bibliography(pick(["radford2018improving"]), "apa")
    assert apa.startswith("Radford, A., Narasimhan, K., Salimans, T., & Sutskever, I.")


def test_numeric_labels_are_separated_from_the_entry() -> None:
    entries = format_bibliography(pick(GOLDEN_KEYS), "ieee", "text")
    assert [e[:4] for e in entries] == ["[1] ", "[2] ", "[3] "]


def test_html_is_well_formed_and_escapes_data() -> None:
    entries = format_bibliography(ALL, "apa", "html")
    body = ET.fromstring("<body>" + "".join(entries) + "</body>")
    text = "".join(body.itertext())
    assert "Bayesscher Netze & Co." in text  # & escaped in data, nocase kept as text
    assert "<span" not in text


def test_style_by_path_and_errors(tmp_path: Path) -> None:
    path = style_path("apa")
    assert path.suffix == ".csl" and path.is_file()
    assert format_bibliography(pick(GOLDEN_KEYS), str(path)) == format_bibliography(
        pick(GOLDEN_KEYS), "apa"
    )
    with pytest.raises(ConfigError, match="unknown CSL style"):
        format_bibliography(ALL, "no-such-style")
    with pytest.raises(ConfigError, match="no such CSL style file"):
        format_bibliography(ALL, str(tmp_path / "missing.csl"))
    with pytest.raises(ConfigError, match="text or html"):
        format_bibliography(ALL, "apa", "latex")


# --- the CLI, on a real references.bib written by the library core -----------------------


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bibtex = pytest.importorskip("citekit.writers.bibtex")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(bibtex.format_bibtex(ALL), encoding="utf-8")
    return tmp_path


def golden_entries() -> list[str]:
    return (GOLDEN / "format_apa.txt").read_text(encoding="utf-8").split("\n\n")


def test_cli_format_apa_from_the_bib(library: Path) -> None:
    result = CliRunner().invoke(cli, ["format", "--style", "apa", *GOLDEN_KEYS[:2]])
    assert result.exit_code == 0, result.output
    got = [e.strip() for e in result.stdout.split("\n\n")]
    assert got == [e.strip() for e in golden_entries()[:2]]


def test_cli_format_blog_post_from_the_bib(library: Path) -> None:
    result = CliRunner().invoke(cli, ["format", "openai2022chatgpt"])
    assert result.stdout.strip() == golden_entries()[2].strip()


HUB_BIB = Path(__file__).resolve().parent.parent / "references.bib"


def hub_format(*keys: str) -> list[str]:
    result = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), "format", "--style", "apa", *keys])
    assert result.exit_code == 0, result.output
    return [e.strip() for e in result.stdout.split("\n\n")]


def hub_golden() -> list[str]:
    text = (GOLDEN / "format_apa_hub.txt").read_text(encoding="utf-8")
    return [e.strip() for e in text.split("\n\n")]


def test_hub_apa_golden_gpt3_and_tamer() -> None:
    """``citekit format --style apa`` on the project's own references.bib (the hub)."""
    assert hub_format(*GOLDEN_KEYS[:2]) == hub_golden()[:2]


def test_hub_apa_golden_chatgpt_blog_post() -> None:
    assert hub_format(GOLDEN_KEYS[2]) == hub_golden()[2:]


def test_cli_format_html_to_a_file(library: Path) -> None:
    result = CliRunner().invoke(
        cli, ["format", "--format", "html", "-o", "bib.html", "knox2009interactively"]
    )
    assert result.exit_code == 0, result.output
    html = (library / "bib.html").read_text(encoding="utf-8")
    assert html.startswith('<div class="csl-bib-body">') and "TAMER" in html
    ET.fromstring(html)


def test_cli_format_every_entry_by_default(library: Path) -> None:
    result = CliRunner().invoke(cli, ["format", "--style", "nature"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().split("\n\n")) == len(ALL)


def test_cli_format_unknown_key_and_style(library: Path) -> None:
    result = CliRunner().invoke(cli, ["format", "nosuchkey"])
    assert result.exit_code == 1 and "nosuchkey" in result.output
    result = CliRunner().invoke(cli, ["format", "--style", "nosuch"])
    assert result.exit_code == 1 and "unknown CSL style" in result.output
    assert "Traceback" not in result.output


def test_cli_format_help() -> None:
    result = CliRunner().invoke(cli, ["format", "--help"])
    assert result.exit_code == 0 and "--style" in result.output
