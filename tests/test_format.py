"""Formatted bibliographies through citeproc-py: golden APA, four styles, the CLI."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.errors import ConfigError
from citekit.format import _render, format_bibliography, style_path
from citekit.model import Name, Record
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


def test_html_escapes_names() -> None:
    """Regression: names reached citeproc-py's HTML unescaped (a family name was markup)."""
    record = pick(["knox2009interactively"])[0]
    evil = record.with_(author=(Name(family="<svg onload=x>", given="<img src=y>"),))
    (entry,) = format_bibliography([evil], "apa", "html")
    assert "<svg" not in entry and "<img" not in entry
    assert "&lt;svg onload=x&gt;" in entry


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
    from citekit.writers import bibtex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(bibtex.format_bibtex(ALL), encoding="utf-8")
    return tmp_path


def golden_entries() -> list[str]:
    return (GOLDEN / "format_apa.txt").read_text(encoding="utf-8").split("\n\n")


def test_cli_format_apa_from_the_bib(library: Path) -> None:
    result = CliRunner().invoke(cli, ["format", "--style", "apa", *reversed(GOLDEN_KEYS)])
    assert result.exit_code == 0, result.output
    got = [e.strip() for e in result.stdout.split("\n\n")]
    assert got == [e.strip() for e in golden_entries()]


HUB_BIB = Path(__file__).resolve().parent.parent / "references.bib"
HUB_STYLES = ["apa", "chicago-author-date", "ieee"]


def hub_format(style: str, *keys: str) -> list[str]:
    result = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), "format", "--style", style, *keys])
    assert result.exit_code == 0, result.output
    return [e.strip() for e in result.stdout.split("\n\n")]


def hub_golden(style: str) -> list[str]:
    """tests/golden/format_<style>_hub.txt, held to pandoc's citeproc by tests/consumers."""
    text = (GOLDEN / f"format_{style}_hub.txt").read_text(encoding="utf-8")
    return [e.strip() for e in text.split("\n\n")]


@pytest.mark.parametrize("style", HUB_STYLES)
def test_hub_golden(style: str) -> None:
    """``citekit format`` on the project's own references.bib (the hub), every entry."""
    assert hub_format(style) == hub_golden(style)


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_explicit_keys_are_sorted_as_the_style_sorts(style: str) -> None:
    """Regression (#15.1): keys typed in any order came out in that order."""
    keys = ["knox2011augmenting", "chung2024scaling", "knox2009interactively"]
    got = hub_format(style, *keys)
    assert [e[:5] for e in got] == ["Chung", "Knox,", "Knox,"]
    assert "Interactively" in got[1] and "Augmenting" in got[2]
    assert got == [e for e in hub_golden(style) if e in got]


def test_library_order_does_not_leak_into_the_bibliography() -> None:
    """Regression (#15.1): APA printed Knox 2011 before Knox 2009 and Chung last."""
    entries = format_bibliography(list(reversed(hub())), "apa")
    assert entries == format_bibliography(hub(), "apa")
    firsts = [e.split(",")[0] for e in entries]
    assert firsts == sorted(firsts, key=str.casefold)
    knox = [e for e in entries if e.startswith("Knox")]
    assert ["(2009)" in knox[0], "(2011" in knox[1]] == [True, True]


def test_chicago_sorts_names_in_sort_order() -> None:
    """Radford, Alec, *Narasimhan* (2018) before Radford, Alec, *Wu* (2019), as pandoc does.

    Regression: citeproc-py dropped the sort options inside a nested macro and compared
    the names as printed ("Alec, Jeffrey Wu" < "Alec, Karthik Narasimhan").
    """
    entries = format_bibliography(hub(), "chicago-author-date")
    radford = [e for e in entries if e.startswith("Radford")]
    assert [" 2018." in radford[0], " 2019." in radford[1]] == [True, True]


def test_editor_label_is_title_cased_as_apa_says() -> None:
    """Regression (#15.1): citeproc-py ignored text-case="title" on labels: "(eds.)"."""
    (entry,) = format_bibliography(pick(["brown2020language"]), "apa")
    assert "& H. Lin (Eds.)," in entry and "(eds.)" not in entry
    (single,) = format_bibliography(pick(["goodfellow2016chapter"]), "apa")
    assert "In F. Bach (Ed.)," in single


@pytest.mark.parametrize("style", ["ieee", "chicago-author-date"])
def test_punctuation_goes_inside_the_quotes(style: str) -> None:
    """Regression (#15.1): en-US puts commas and periods inside quotes; citeproc-py did not."""
    text = "\n".join(format_bibliography(ALL, style))
    assert "”," not in text and "”." not in text
    # IEEE prints the (sentence-case, #15 item 4) title as stored, Chicago title-cases it
    assert "learners,”" in text or "Learners.”" in text


def test_quote_ending_in_its_own_mark_gets_no_second_one() -> None:
    item = {"id": "q", "type": "article-journal", "title": "Why Not?", "container-title": "J"}
    ((_, entry),) = _render([item], style_path("ieee"), "text")
    assert "“Why Not?”" in entry and "?,”" not in entry and "?”." not in entry


def test_chicago_keeps_the_case_of_arxiv() -> None:
    """Regression (#15.1): Chicago capitalised the publisher: "ArXiv"."""
    (entry,) = format_bibliography(pick(["schulman2017proximal"]), "chicago-author-date")
    assert "arXiv, July 20." in entry and "ArXiv" not in entry
    (html_entry,) = format_bibliography(
        pick(["schulman2017proximal"]), "chicago-author-date", "html"
    )
    assert "arXiv" in html_entry and "nocase" not in html_entry


NO_AUTHOR = {
    "id": "w",
    "type": "webpage",
    "title": "A Page Without Authors",
    "container-title": "Example Site",
    "URL": "https://example.org/page",
}


def test_title_substituted_for_the_author_is_printed_once() -> None:
    """Regression (#15.1): a title standing in for the author was printed again after it."""
    ((_, entry),) = _render([dict(NO_AUTHOR)], style_path("apa"), "text")
    assert entry.count("A Page Without Authors") == 1, entry
    assert entry.startswith("A Page Without Authors. (n.d.). Example Site.")
    ((_, chicago),) = _render([dict(NO_AUTHOR)], style_path("chicago-author-date"), "text")
    assert chicago.count("Example Site") == 1, chicago


def test_substituted_title_keeps_the_other_variables() -> None:
    """Only what the substitution printed is suppressed: the publisher stays."""
    report = {"id": "r", "type": "report", "title": "Anonymous Report", "publisher": "Org"}
    report["issued"] = {"date-parts": [[2020]]}
    ((_, entry),) = _render([report], style_path("apa"), "text")
    assert entry == "Anonymous Report. (2020). Org."


def test_no_retrieved_without_a_retrieval_date() -> None:
    """Regression (#15.1): "Retrieved https://…" with no date is not a sentence."""
    ((_, entry),) = _render([dict(NO_AUTHOR)], style_path("apa"), "text")
    assert "Retrieved" not in entry and entry.endswith(" https://example.org/page")
    dated = dict(NO_AUTHOR, accessed={"date-parts": [[2024, 1, 15]]})
    ((_, entry),) = _render([dated], style_path("apa"), "text")
    assert "Retrieved January 15, 2024, from https://example.org/page" in entry


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
