"""The bibliography as one self-contained HTML page: ``citekit export html``.

The only module that imports ``jinja2``. The page is rendered from the templates in
``citekit/writers/templates/`` with autoescaping on, so every value of the library is
text; the one piece of markup taken as it is, each entry's formatted reference, comes
from :mod:`citekit.format`, which escapes the data before citeproc-py sees it.

The page needs no network and no server: CSS and JavaScript are inline and allowed by
their SHA-256 in a Content-Security-Policy meta tag that allows nothing else (no other
script, no inline event handler, no style attribute, no request anywhere). Links are
written only for http(s) URLs. Without JavaScript every entry is listed under its
collection's heading; with it, the collection tree and the search box filter the list
and keep their state in the URL fragment. The text is a pure function of the records,
the style and the title, so ``citekit build`` rewrites the committed page byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from ..format import format_entries
from ..model import Record, plain_text
from .bibtex import format_biblatex, format_bibtex_for_styles
from .csljson import format_csljson
from .zotero import collection_paths, normalize_path

__all__ = ["format_html", "safe_url"]

#: The heading of entries that are in no collection, and its path ("/" names no collection).
UNFILED = "Not in a collection"
UNFILED_PATH = "/"

# citeproc-py writes small caps as a style attribute, which the CSP forbids
_SMALL_CAPS = '<span style="font-variant:small-caps;">'


@dataclass
class _Entry:
    """One entry of the page, as the template shows it."""

    key: str
    type: str
    html: Any  # markupsafe.Markup: the formatted reference
    search: str
    links: list[tuple[str, str]]
    exports: list[tuple[str, str, str]]  # (format id, label, text)


@dataclass
class _Section:
    """A collection (or the unfiled entries) with the entries filed directly in it."""

    path: str
    label: str
    level: int
    ident: str
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Node:
    """A collection in the navigation tree: its name, subtree count and children."""

    path: str
    name: str
    ident: str
    count: int
    children: list[_Node] = field(default_factory=list)


def format_html(records: Sequence[Record], style: str = "apa", title: str = "Bibliography") -> str:
    """The whole page for ``records``: entries formatted and sorted by the CSL ``style``."""
    import jinja2
    from markupsafe import Markup

    env = _environment(jinja2)
    entries = [
        (records[index], _entry(records[index], Markup(_without_style_attrs(html))))
        for index, html in format_entries(records, style, "html")
    ]
    sections = _sections(entries)
    css = env.get_template("hub.css").render()
    script = env.get_template("hub.js").render()
    page: str = env.get_template("hub.html").render(
        title=title,
        style=style,
        total=len(records),
        sections=sections,
        tree=_tree(records, {s.path: s.ident for s in sections}),
        css=Markup(css),
        script=Markup(script),
        csp=_csp(css, script),
    )
    return page


def _environment(jinja2: Any) -> Any:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("citekit.writers", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _csp(css: str, script: str) -> str:
    """Nothing is allowed but this page's own style and script (by hash)."""
    return (
        "default-src 'none'; "
        f"style-src '{_sha256(css)}'; script-src '{_sha256(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _without_style_attrs(html: str) -> str:
    return html.replace(_SMALL_CAPS, '<span class="sc">')


def _entry(record: Record, html: Any) -> _Entry:
    return _Entry(
        key=record.key,
        type=record.type.replace("-", " "),
        html=html,
        search=_haystack(record),
        links=_links(record),
        exports=[
            ("bibtex", "BibTeX", format_bibtex_for_styles([record])),
            ("biblatex", "BibLaTeX", format_biblatex([record])),
            ("csl", "CSL-JSON", format_csljson([record])),
        ],
    )


def fold(text: str) -> str:
    """Lower-case text without accents, as the page's search compares it."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _haystack(record: Record) -> str:
    """What the search box matches: authors, title, venue, year and key."""
    names = [n.display() for n in (*record.author, *record.editor)]
    venue = [record.container_title, record.collection_title, record.event_title]
    year = [str(record.issued.year)] if record.issued and record.issued.year else []
    parts = [*names, plain_text(record.title), *venue, record.publisher, *year, record.key]
    return " ".join(fold(p) for p in parts if p)


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL without spaces or controls, else None."""
    url = url.strip()
    if not url or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _links(record: Record) -> list[tuple[str, str]]:
    links = []
    if record.doi:
        links.append(("DOI", "https://doi.org/" + quote(record.doi, safe="/:;()._-")))
    if record.arxiv_id:
        ident = quote(record.arxiv_id + record.arxiv_version, safe="/.")
        links.append(("arXiv", f"https://arxiv.org/abs/{ident}"))
        links.append(("PDF", f"https://arxiv.org/pdf/{ident}"))
    url = safe_url(record.url)
    if url and url not in {href for _, href in links}:
        links.append(("URL", url))
    return links


def _sections(entries: list[tuple[Record, _Entry]]) -> list[_Section]:
    """A section per collection in tree order (parents too), then the unfiled entries."""
    records = [r for r, _ in entries]
    sections = {
        path: _Section(path, path.replace("/", " › "), min(path.count("/") + 2, 6), f"c{i}")
        for i, path in enumerate(_tree_order(collection_paths(records)))
    }
    unfiled = _Section(UNFILED_PATH, UNFILED, 2, f"c{len(sections)}")
    for record, entry in entries:
        paths = dict.fromkeys(normalize_path(p) for p in record.collections if p.strip())
        for path in paths or [UNFILED_PATH]:
            sections.get(path, unfiled).entries.append(entry)
    result = list(sections.values())
    if unfiled.entries:
        result.append(unfiled)
    return result


def _tree_order(paths: list[str]) -> list[str]:
    """Depth first, children alphabetically under their parent."""
    return sorted(paths, key=lambda p: [fold(part) for part in p.split("/")])


def _tree(records: Sequence[Record], idents: dict[str, str]) -> list[_Node]:
    """The navigation tree; a node's count is the entries filed in it or below it."""
    below: dict[str, set[str]] = {}
    for record in records:
        for path in record.collections:
            parts = normalize_path(path).split("/")
            for depth in range(1, len(parts) + 1):
                below.setdefault("/".join(parts[:depth]), set()).add(record.key)
    nodes: dict[str, _Node] = {}
    roots: list[_Node] = []
    for path in _tree_order(list(below)):
        parent, _, name = path.rpartition("/")
        node = _Node(path, name, idents[path], len(below[path]))
        nodes[path] = node
        (nodes[parent].children if parent else roots).append(node)
    unfiled = sum(1 for r in records if not any(p.strip() for p in r.collections))
    if unfiled:
        roots.append(_Node(UNFILED_PATH, UNFILED, idents[UNFILED_PATH], unfiled))
    return roots
