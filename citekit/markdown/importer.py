"""Read a Markdown resource list into links under their headings (the one markdown-it user).

The walk turns markdown-it-py tokens (CommonMark + tables, raw HTML on) into
:class:`Found` links, each with the heading path above it and its source line:

* paragraphs, list items (nested too), table cells and HTML blocks are *units*
  (:mod:`citekit.markdown.scan`): explicit links, autolinks, reference-style links, ``<a href>``
  and bare URLs count; URLs in code spans and code blocks do not. Backslash escapes
  (``language\\_understanding``, ``\\~ai-lab``) are resolved by the parser first.
* in a table, a link without text of its own takes the neighbouring cell as its title,
  or the text-only rows above it (the hub writes a title row, then a URL row).
  Text-only rows that no link claims are reported as "a title without a link".

What a link becomes is decided in :mod:`citekit.markdown.links`; merging into a library in
:mod:`citekit.markdown.plan`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import CitekitError
from ..model import Record
from .links import Link
from .plan import ImportPlan, Placed, collection_name, heading_matches, plan_import
from .scan import Unit, UnitBuilder, hit_context, hit_title, html_attr, html_unit

__all__ = ["Document", "Found", "import_file", "plan_document", "scan_markdown"]


@dataclass(frozen=True, slots=True)
class Found:
    """A link and where it stood: its 1-based line and the headings above it."""

    link: Link
    line: int
    path: tuple[str, ...]  # heading texts as written, outermost first (the title H1 excluded)


@dataclass(frozen=True, slots=True)
class Document:
    """A scanned document: its title (a single leading H1), its links, its headings."""

    title: str
    found: tuple[Found, ...]
    headings: tuple[tuple[str, ...], ...]  # every heading's path, in document order


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[Unit, ...]
    line: int
    header: bool


# YAML front matter (Jekyll, Hugo, MkDocs) is metadata, not a setext heading: blank it,
# keeping its lines so that line numbers stay right.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def scan_markdown(text: str) -> Document:
    """Every link of a Markdown document, with its heading path and line."""
    text = _FRONT_MATTER.sub(lambda m: "\n" * m.group().count("\n"), text, count=1)
    tokens = _parser().parse(text)
    title = _title_heading(tokens)
    walker = _Walker(title)
    walker.walk(tokens)
    return Document(title, tuple(walker.found), tuple(walker.headings))


def plan_document(
    text: str,
    existing: Sequence[Record],
    *,
    stem: str,
    assign: Callable[[tuple[Record, ...], set[str]], Iterable[Record]],
    root: str | None = None,
    section: str | None = None,
) -> ImportPlan:
    """What importing the Markdown ``text`` into ``existing`` would do.

    The collection root is ``root`` when given ("" for none), else the document's title
    H1, else ``stem`` (the file name without suffix). ``section`` keeps only the links
    under a matching heading (see :func:`citekit.markdown.plan.heading_matches`).
    """
    document = scan_markdown(text)
    base = root if root is not None else (document.title or stem)
    found = list(document.found)
    if section is not None:
        if not any(heading_matches(section, path) for path in document.headings):
            names = "; ".join(p[-1] for p in document.headings if p)
            raise CitekitError(f"no heading matches {section!r}; headings are: {names}")
        found = [f for f in found if heading_matches(section, f.path)]
    placed = [Placed(f.link, f.line, collection_name(base, f.path)) for f in found]
    return plan_import(existing, placed, assign)


@functools.cache
def _parser() -> Any:
    """CommonMark with tables and raw HTML (the hub's tables; ``<a href>`` anchors)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _normalize(url: str) -> str:
    """``url`` percent-encoded the way markdown-it encodes link destinations."""
    return str(_parser().normalizeLink(url))


def _title_heading(tokens: list[Any]) -> str:
    """The text of the document's H1 when there is exactly one and no heading before it."""
    levels = [(t.tag, i) for i, t in enumerate(tokens) if t.type == "heading_open"]
    h1 = [i for tag, i in levels if tag == "h1"]
    if len(h1) != 1 or levels[0][1] != h1[0]:
        return ""
    return _inline_unit(tokens[h1[0] + 1]).text.strip()


class _Walker:
    """Walks the token stream once, keeping the heading stack."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.stack: list[tuple[int, str]] = []
        self.found: list[Found] = []
        self.headings: list[tuple[str, ...]] = []

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.stack)

    def walk(self, tokens: list[Any]) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                unit = _inline_unit(tokens[i + 1])
                self._heading(int(token.tag[1]), unit)
                self._unit(unit, _line(token))  # a linked heading's link belongs under it
                i += 3
                continue
            if token.type == "table_open":
                i = self._table(tokens, i)
                continue
            if token.type == "inline":
                self._unit(_inline_unit(token), _line(token))
            elif token.type == "html_block":
                self._unit(html_unit(token.content, _normalize), _line(token))
            i += 1

    def _heading(self, level: int, unit: Unit) -> None:
        name = " ".join(unit.text.split())
        if level == 1 and name == self.title and not self.headings:
            self.headings.append(())
            return  # the document's title is the collection root, not a level
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, name))
        self.headings.append(self.path)

    def _add(self, link: Link, line: int) -> None:
        self.found.append(Found(replace(link, hints=self.path), line, self.path))

    def _unit(self, unit: Unit, line: int) -> None:
        for index, hit in enumerate(unit.hits):
            link = Link(hit.url, hit_title(unit, index), hit_context(unit, index), image=hit.image)
            self._add(link, line + unit.text.count("\n", 0, hit.start))

    def _table(self, tokens: list[Any], i: int) -> int:
        rows: list[_Row] = []
        header = False
        cells: list[Unit] = []
        line = _line(tokens[i])
        while tokens[i].type != "table_close":
            token = tokens[i]
            if token.type in ("thead_open", "thead_close"):
                header = token.type == "thead_open"
            elif token.type == "tr_open":
                cells, line = [], _line(token)
            elif token.type == "inline":
                cells.append(_inline_unit(token))
            elif token.type == "tr_close":
                rows.append(_Row(tuple(cells), line, header))
            i += 1
        for link, row_line in _table_links(rows):
            self._add(link, row_line)
        return i + 1


def _line(token: Any) -> int:
    return int(token.map[0]) + 1 if token.map else 0


def _inline_unit(token: Any) -> Unit:
    """An inline token's text and links (emphasis dropped, code spans kept as text)."""
    builder = UnitBuilder(normalize=_normalize)
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "text_special"):
            builder.text(child.content)
        elif kind in ("softbreak", "hardbreak"):
            builder.text("\n")
        elif kind == "code_inline":
            builder.text(child.content, scannable=False)
        elif kind == "link_open":
            builder.open_link(str(child.attrs.get("href", "")), str(child.attrs.get("title", "")))
        elif kind == "link_close":
            builder.close_link()
        elif kind == "image":
            builder.image(str(child.attrs.get("src", "")), child.content)
        elif kind == "html_inline":
            _inline_html(builder, child.content)
    return builder.build()


def _inline_html(builder: UnitBuilder, tag: str) -> None:
    """``<a href>``, ``</a>``, ``<img src>`` and ``<br>`` inside a paragraph."""
    low = tag.lower()
    if re.match(r"<a\s", low) and html_attr(tag, "href"):
        builder.open_link(html_attr(tag, "href"))
    elif low.startswith("</a"):
        builder.close_link()
    elif re.match(r"<img\s", low) and html_attr(tag, "src"):
        builder.image(html_attr(tag, "src"))
    elif re.match(r"<br\s*/?>", low):
        builder.text("\n")


def _row_text(row: _Row) -> str:
    return " ".join(" ".join(cell.text.split()) for cell in row.cells if cell.text.strip())


def _table_links(rows: list[_Row]) -> list[tuple[Link, int]]:
    """The links of a table, titled from their cell, a neighbouring cell or rows above."""
    out: list[tuple[Link, int]] = []
    pending: list[_Row] = []  # text-only rows waiting for the URL row below them
    for row in rows:
        if not any(cell.hits for cell in row.cells):
            if not row.header and _row_text(row):
                pending.append(row)
            continue
        context = " | ".join(cell.text.strip() for cell in row.cells)
        for column, cell in enumerate(row.cells):
            for index, hit in enumerate(cell.hits):
                title = hit_title(cell, index) or _neighbour(row, column)
                note = ""
                if not title and pending:
                    title, note, orphans = _claim(pending, hit.url)
                    out.extend((Link("", text), line) for text, line in orphans)
                    pending = []
                link = Link(
                    hit.url, title, f"{context} {hit_context(cell, index)}", note, hit.image
                )
                out.append((link, row.line))
        out.extend((Link("", _row_text(r)), r.line) for r in pending)
        pending = []
    out.extend((Link("", _row_text(r)), r.line) for r in pending)
    return out


def _neighbour(row: _Row, column: int) -> str:
    """The nearest cell with text and no link: to the left first, then to the right."""
    left = [c for c in reversed(row.cells[:column]) if c.text.strip() and not c.hits]
    right = [c for c in row.cells[column + 1 :] if c.text.strip() and not c.hits]
    for cell in (*left[:1], *right[:1]):
        return cell.text.strip()
    return ""


def _claim(pending: list[_Row], url: str) -> tuple[str, str, list[tuple[str, int]]]:
    """Title, description and unclaimed rows for a URL row under text-only rows.

    A row whose text names the URL (``MNBVC`` above ``github.com/esbatmop/MNBVC``) is the
    title and the rows after it describe it; otherwise the row right above is the title
    and the rows before it had no link of their own.
    """
    target = url.lower()
    for index, row in enumerate(pending):
        name = re.sub(r"[（(].*$", "", _row_text(row)).strip().lower()
        if len(name) >= 3 and name.replace(" ", "") in target:
            note = " ".join(_row_text(r) for r in pending[index + 1 :])
            orphans = [(_row_text(r), r.line) for r in pending[:index]]
            return _row_text(row), note, orphans
    orphans = [(_row_text(r), r.line) for r in pending[:-1]]
    return _row_text(pending[-1]), "", orphans


def import_file(
    source: Path,
    bib: Path,
    *,
    key_pattern: str,
    root: str | None = None,
    section: str | None = None,
    dry_run: bool = False,
) -> tuple[ImportPlan, bool]:
    """Import the Markdown file ``source`` into the library ``bib``.

    Returns the plan and whether ``bib`` was written (never on ``dry_run``, never when
    nothing changed: a re-import leaves the file byte for byte as it was).
    """
    from .. import library
    from ..keys import assign_keys

    try:
        text = source.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise CitekitError(
            f"{source}: byte {exc.start} is not UTF-8; save the file as UTF-8 and try again"
        ) from None
    current = library.load(bib)

    def assign(records: tuple[Record, ...], taken: set[str]) -> Iterable[Record]:
        return assign_keys(records, taken=taken, pattern=key_pattern)

    plan = plan_document(
        text, current.records, stem=source.stem, assign=assign, root=root, section=section
    )
    if dry_run or not plan.changed:
        return plan, False
    return plan, library.save(current.with_records(plan.records), bib)
