"""``citekit export html``: the page's structure, escaping, links, CSP and size (no browser).

The page in a real browser (search, collections, copy buttons, no-JS view, hostile data)
is tested in tests/browser/test_hub_page.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.format import format_entries
from citekit.library import load
from citekit.model import Date, Name, Record
from citekit.writers.bibtex import format_biblatex, format_bibtex_for_styles
from citekit.writers.csljson import format_csljson
from citekit.writers.html import format_html, safe_url
from tests.export_records import hub, torture

ROOT = Path(__file__).resolve().parent.parent
HUB_BIB = ROOT / "references.bib"


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each ``<pre data-fmt>``."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.pre: list[tuple[str, str]] = []
        self._fmt: str | None = None
        self._buf: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "pre" and dict(attrs).get("data-fmt"):
            self._fmt, self._buf = dict(attrs)["data-fmt"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._fmt:
            self.pre.append((self._fmt, "".join(self._buf)))
            self._fmt = None

    def handle_data(self, data: str) -> None:
        if self._fmt:
            self._buf.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


@pytest.fixture(scope="module")
def hub_page() -> str:
    return format_html(load(HUB_BIB).records)


def test_committed_hub_page_is_small(hub_page: str) -> None:
    assert len(hub_page.encode("utf-8")) < 80_000
    committed = ROOT / "exports" / "index.html"
    assert committed.read_text(encoding="utf-8") == hub_page


def test_every_entry_once_per_collection_in_the_styles_order(hub_page: str) -> None:
    records = load(HUB_BIB).records
    page = Page(hub_page)
    keys = [a["data-key"] for a in page.all("li", **{"class": "entry"})]
    assert sorted(set(keys)) == sorted(r.key for r in records)
    filed = sum(len(r.collections) for r in records)
    assert len(keys) == filed  # InstructGPT is in two collections, so listed twice
    order = [r.key for r in sorted_by_style(records)]
    sections = [a["data-c"] for a in page.all("section")]
    assert sections == [
        "LLM Hub",
        "LLM Hub/GPT series",
        "LLM Hub/Prompting and instruction tuning",
        "LLM Hub/RLHF",
    ]
    gpt = [k for k in order if "LLM Hub/GPT series" in by_key(records)[k].collections]
    assert keys[: len(gpt)] == gpt


def sorted_by_style(records: tuple[Record, ...]) -> list[Record]:
    return [records[i] for i, _ in format_entries(records, "apa")]


def by_key(records: tuple[Record, ...]) -> dict[str, Record]:
    return {r.key: r for r in records}


def test_navigation_counts_entries_in_and_below_each_collection(hub_page: str) -> None:
    counts = dict(re.findall(r'data-c="([^"]*)"[^>]*>[^<]*<span class="n">(\d+)</span>', hub_page))
    assert counts == {
        "": "11",
        "LLM Hub": "11",
        "LLM Hub/GPT series": "5",
        "LLM Hub/Prompting and instruction tuning": "2",
        "LLM Hub/RLHF": "5",
    }


def test_copy_texts_are_what_export_writes(hub_page: str) -> None:
    records = load(HUB_BIB).records
    page = Page(hub_page)
    first = {}
    for fmt, text in page.pre:
        first.setdefault(fmt, []).append(text)
    whole_bibtex = format_bibtex_for_styles(records)
    for record in records:
        assert format_bibtex_for_styles([record]) in first["bibtex"]
        assert format_bibtex_for_styles([record]) in whole_bibtex
        assert format_biblatex([record]) in first["biblatex"]
        line = format_csljson([record]).splitlines()[1]
        assert line in format_csljson(records)
    assert format_csljson([records[0]]) in first["csl"]


def test_csp_allows_only_the_pages_own_style_and_script(hub_page: str) -> None:
    (meta,) = Page(hub_page).all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = str(meta["content"])
    style = hub_page.split("<style>", 1)[1].split("</style>", 1)[0]
    script = hub_page.split("<script>", 1)[1].split("</script>", 1)[0]
    for source, kind in ((style, "style-src"), (script, "script-src")):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in policy
    assert policy.startswith("default-src 'none';")
    assert "unsafe" not in policy


def test_nothing_is_fetched_and_no_inline_handler(hub_page: str) -> None:
    page = Page(hub_page)
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], tag
        assert "src" not in attrs, tag
    assert [a["href"] for a in page.all("link")] == ["data:,"]
    assert hub_page.count("<script") == 1


def test_links_doi_arxiv_and_url(hub_page: str) -> None:
    hrefs = [a["href"] for a in Page(hub_page).all("a") if a.get("rel")]
    assert "https://doi.org/10.1145/1597735.1597738" in hrefs
    assert "https://arxiv.org/abs/1707.06347" in hrefs
    assert "https://arxiv.org/pdf/1707.06347" in hrefs
    assert "https://openai.com/blog/chatgpt/" in hrefs
    assert all(str(h).startswith(("https://", "http://")) for h in hrefs)


HOSTILE = Record(
    key="evil2024",
    type="webpage",
    title="<script>alert(1)</script> & <img src=x onerror=alert(2)>",
    author=(Name(family="<b>Mallory</b>", given='"><svg onload=alert(3)>'),),
    container_title="</style><script>alert(4)</script>",
    url="javascript:alert(5)",
    doi='10.1/"><script>alert(6)</script>',
    issued=Date(2024),
    collections=('<i>Bad</i>/x"y',),
)


def test_hostile_metadata_stays_text() -> None:
    page = format_html([HOSTILE, *hub()[:2]], title="<script>alert(7)</script>")
    parsed = Page(page)
    assert page.count("<script") == 1 and "<svg" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;script&gt;alert(7)&lt;/script&gt;</title>" in page
    hrefs = [str(a["href"]) for a in parsed.all("a")]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    doi = [h for h in hrefs if h.startswith("https://doi.org/")]
    assert doi and '"' not in doi[0] and "<" not in doi[0]
    assert not [t for t, _ in parsed.tags if t in ("b", "svg", "img")]
    assert {a["data-c"] for a in parsed.all("section")} >= {'<i>Bad</i>/x"y', "<i>Bad</i>"}
    texts = [text for fmt, text in parsed.pre if fmt == "bibtex"]
    assert format_bibtex_for_styles([HOSTILE]) in texts


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//example.org/x", False),
        ("https://exa mple.org", False),
        ("https://example.org/\x00", False),
        ("ftp://example.org", False),
        ("", False),
    ],
)
def test_only_http_urls_become_links(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_unfiled_entries_and_other_styles() -> None:
    records = [*hub()[:3], *(r.with_(collections=()) for r in torture()[:3])]
    page = format_html(records, style="ieee", title="Reading list")
    parsed = Page(page)
    assert "<h2 id=" in page and "Not in a collection" in page
    assert [a["data-c"] for a in parsed.all("section")][-1] == "/"
    assert "[1] " in page and "<title>Reading list</title>" in page
    entries = parsed.all("li", **{"class": "entry"})
    assert len({a["data-key"] for a in entries}) == len(records)


def test_same_records_same_bytes() -> None:
    records = hub() + torture()
    assert format_html(records) == format_html(list(records))


def test_cli_export_html(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    args = ["export", "html", "-o", str(out), "--style", "ieee", "--title", "LLM Hub papers"]
    result = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), *args])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<title>LLM Hub papers</title>" in text and "<code>ieee</code>" in text
    assert "wrote" in result.stderr and str(out) in result.stderr


def test_cli_export_html_to_stdout_and_bad_style() -> None:
    result = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), "export", "html", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert html.unescape(result.stdout).count("knox2009interactively") >= 3
    bad = CliRunner().invoke(cli, ["--bib", str(HUB_BIB), "export", "html", "--style", "nope"])
    assert bad.exit_code == 1 and "unknown CSL style" in bad.output
    assert "Traceback" not in bad.output
