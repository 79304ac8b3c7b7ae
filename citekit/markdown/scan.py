"""Text runs with their links: the pure part of reading Markdown (no parser imported here).

A *unit* is what a reader takes in one go: a paragraph, a list item, a table cell, an
HTML block. :class:`UnitBuilder` is fed the unit's text and links in order (by the
Markdown walk in :mod:`citekit.markdown.importer`) and finds the bare URLs itself, outside code
spans and outside explicit links. :func:`hit_title` picks the text a reader would take
as the title of one link in a unit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from ..identifiers import strip_trailing

__all__ = ["Hit", "Unit", "UnitBuilder", "hit_context", "hit_title", "html_attr", "html_unit"]

# A bare URL ends at whitespace, quotes, angle brackets and any CJK or full-width
# character (the hub writes "…解读 https://…" and "链接：https://…，").
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9_.@/-])(?:https?://|www\.)[^\s<>\"'`\x00\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*_"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Hit:
    """One link in a unit: ``text[start:end]`` is its text in the unit."""

    start: int
    end: int
    url: str
    text: str = ""  # the link's own text ("" for bare URLs and autolinks)
    image: bool = False


@dataclass(frozen=True, slots=True)
class Unit:
    """The plain text of a unit (code spans included, markup dropped) and its links."""

    text: str
    hits: tuple[Hit, ...]


@dataclass
class UnitBuilder:
    """Collects a unit's text and links; :meth:`build` adds the bare URLs."""

    parts: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)  # the text with code and links blanked
    hits: list[Hit] = field(default_factory=list)
    normalize: Callable[[str], str] = str  # percent-encodes a URL as the parser does
    _open: tuple[int, str, str] | None = None  # (start, href, title attribute)
    _pictured: bool = False  # the open link shows an image (a badge, a logo)

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)

    def text(self, content: str, *, scannable: bool = True) -> None:
        """Append text; ``scannable=False`` for code spans, whose URLs are not links."""
        self.parts.append(content)
        blank = scannable and self._open is None
        self.masked.append(content if blank else "\x00" * len(content))

    def open_link(self, href: str, title: str = "") -> None:
        """Start an explicit link (Markdown, autolink or ``<a href>``)."""
        self._open = (self.size, href, title)
        self._pictured = False

    def close_link(self) -> None:
        """End the explicit link started last; its text is what was appended since."""
        if self._open is None:
            return
        start, href, title = self._open
        self._open = None
        own = "".join(self.parts)[start:].strip()
        if _looks_like_url(own, href):
            own = ""
        # A link showing only an image is a badge or a logo, not a resource.
        badge = self._pictured and not own
        self.hits.append(Hit(start, self.size, href.strip(), own or title.strip(), badge))

    def image(self, src: str, alt: str = "") -> None:
        """An image: reported (and skipped) as a link of its own, or makes its link a badge."""
        if self._open is not None:
            self._pictured = True
            return
        self.hits.append(Hit(self.size, self.size, src.strip(), alt.strip(), image=True))

    def build(self) -> Unit:
        """The unit, with bare URLs found in the scannable text."""
        if self._open is not None:
            self.close_link()
        text, masked = "".join(self.parts), "".join(self.masked)
        hits = list(self.hits)
        for match in _BARE_URL.finditer(masked):
            url = strip_trailing(match.group(), _TRAILING, _PAIRS)
            if "." not in url.split("//", 1)[-1]:
                continue  # "https://" alone, or a host with no dot
            full = url if "://" in url else "https://" + url
            hits.append(Hit(match.start(), match.start() + len(url), full))
        hits.sort(key=lambda h: (h.start, h.end))
        # Every URL spelt the way the parser spells link destinations ("a}b" -> "a%7Db").
        return Unit(text, tuple(replace(h, url=self.normalize(h.url)) for h in hits))


def _looks_like_url(text: str, href: str) -> bool:
    low = text.lower()
    return low == href.lower() or low.startswith(("http://", "https://", "www.", "mailto:"))


def hit_title(unit: Unit, index: int) -> str:
    """The text a reader takes as the title of ``unit.hits[index]``.

    The link's own text; else the text since the previous link (the hub's "title, then
    its URL on the next line"); else the rest of the line after it. A generic link text
    (``[paper]``, ``code``, ``链接``) gives way to the text the line opens with.
    """
    hit = unit.hits[index]
    if hit.text and not _generic(hit.text):
        return hit.text
    if hit.text:
        start = unit.text.rfind("\n", 0, hit.start) + 1
        first = next(h.start for h in unit.hits if h.start >= start)
        return unit.text[start:first].strip() or hit.text
    before = unit.hits[index - 1].end if index else 0
    text = unit.text[before : hit.start].strip()
    if text:
        return text
    after = unit.hits[index + 1].start if index + 1 < len(unit.hits) else len(unit.text)
    return unit.text[hit.end : after].split("\n", 1)[0].strip()


_GENERIC = frozenset(
    {"paper", "papers", "pdf", "code", "blog", "post", "link", "here", "website", "site"}
    | {"homepage", "project", "page", "demo", "slides", "video", "repo", "github", "arxiv"}
    | {"download", "official", "article", "论文", "代码", "链接", "博客", "项目", "主页", "原文"}
)


def _generic(text: str) -> bool:
    """Whether a link text names a kind of link rather than a work (``[paper]``, ``Code``)."""
    return re.sub(r"[\W_]+", " ", text).strip().casefold() in _GENERIC


def hit_context(unit: Unit, index: int) -> str:
    """The line(s) of text around one link (where invite words are looked for)."""
    hit = unit.hits[index]
    start = unit.text.rfind("\n", 0, hit.start) + 1
    end = unit.text.find("\n", hit.end)
    return unit.text[start : end if end >= 0 else len(unit.text)]


class _HtmlUnit(HTMLParser):
    """Feeds an HTML block's text, ``<a href>`` and ``<img src>`` into a builder."""

    _BREAKS = frozenset({"br", "p", "li", "tr", "div", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self, normalize: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = UnitBuilder(normalize=normalize)
        self._code = 0  # depth of <code>/<pre>: URLs there are examples, not links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and values.get("href"):
            self.builder.open_link(values["href"], values.get("title", ""))
        elif tag == "img" and values.get("src"):
            self.builder.image(values["src"], values.get("alt", ""))
        elif tag in ("code", "pre"):
            self._code += 1
        elif tag in self._BREAKS:
            self.builder.text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.builder.close_link()
        elif tag in ("code", "pre"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data: str) -> None:
        self.builder.text(data, scannable=not self._code)


def html_unit(source: str, normalize: Callable[[str], str] = str) -> Unit:
    """An HTML block as a unit (anchors, images, bare URLs in its text)."""
    parser = _HtmlUnit(normalize)
    parser.feed(source)
    parser.close()
    return parser.builder.build()


def html_attr(tag: str, name: str) -> str:
    """The value of ``href`` or ``src`` in one inline HTML tag, entities decoded."""
    match = (_HREF if name == "href" else _SRC).search(tag)
    if not match:
        return ""
    return html.unescape(next(g for g in match.groups() if g is not None))
