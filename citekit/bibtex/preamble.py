"""Commands a file's ``@preamble`` defines, so decoding can expand them (pure, stdlib only).

TUGboat's bibliography, for one, opens with ``@preamble{"\\def\\MF{{\\sc Metafont}}" # …}``
and writes ``\\MF`` and ``\\acro{PDF}`` in its titles. :func:`definitions` reads ``\\def``,
``\\newcommand``, ``\\renewcommand`` and ``\\providecommand`` (also starred, also with
``\\ifx\\undefined…`` guards around them: every definition found counts, the first one of a
name wins as with ``\\providecommand``); arguments are ``#1``…``#9``, an optional
argument's default is ignored. Anything else in the preamble (``\\usepackage``, counters) is
not text and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .richtext import Definition

__all__ = ["definitions", "preamble_blocks", "preamble_text"]

_DEF = re.compile(r"\\[egx]?def\s*\\([A-Za-z]+|[^A-Za-z\s])((?:\s*#\d)*)\s*(?=\{)")
_NEWCOMMAND = re.compile(
    r"\\(?:new|renew|provide)command\s*\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))"
    r"\s*(?:\[\s*(\d)\s*\])?\s*(?:\[[^\]]*\])?\s*(?=\{)"
)


_PREAMBLE_START = re.compile(r"@\s*preamble\s*([{(])", re.IGNORECASE)


def preamble_blocks(text: str) -> str:
    """The ``@preamble{…}`` blocks of a .bib file's ``text`` as written, one per line."""
    if "@" not in text:
        return ""
    out: list[str] = []
    pos = 0
    while (match := _PREAMBLE_START.search(text, pos)) is not None:
        if match.group(1) == "{":
            end = _group_end(text, match.end() - 1)
        else:
            end = _quoted_aware_paren_end(text, match.end())
        if end >= len(text):
            break  # never closed: bibtex would not read it either
        out.append(text[match.start() : end + 1] + "\n")
        pos = end + 1
    return "".join(out)


def _quoted_aware_paren_end(text: str, start: int) -> int:
    """The ``)`` closing ``@preamble(…`` at brace depth 0 (or ``len(text)``)."""
    return _closer_at_depth0(text, start, ")")


def preamble_text(value: str) -> str:
    """The TeX of a raw ``@preamble`` value: its ``"…"``/``{…}`` pieces joined at ``#``."""
    pieces: list[str] = []
    pos = 0
    while pos < len(value):
        char = value[pos]
        if char == '"':
            end = _quoted_end(value, pos)
            pieces.append(value[pos + 1 : end])
            pos = end + 1
        elif char == "{":
            end = _group_end(value, pos)
            pieces.append(value[pos + 1 : end])
            pos = end + 1
        else:
            pos += 1  # "#", spaces; a macro name between pieces has no text we could know
    return "".join(pieces)


def definitions(values: Iterable[str]) -> dict[str, Definition]:
    """Name → definition for every command the raw ``@preamble`` ``values`` define."""
    found: dict[str, Definition] = {}
    for value in values:
        tex = preamble_text(value)
        for match in _DEF.finditer(tex):
            body = _body(tex, match.end())
            if body is not None:
                found.setdefault(match.group(1), Definition(match.group(2).count("#"), body))
        for match in _NEWCOMMAND.finditer(tex):
            body = _body(tex, match.end())
            if body is not None:
                name = match.group(1) or match.group(2)
                found.setdefault(name, Definition(int(match.group(3) or 0), body))
    return found


def _body(tex: str, start: int) -> str | None:
    """The content of the brace group at ``start``; None if it never closes."""
    end = _group_end(tex, start)
    return tex[start + 1 : end] if end < len(tex) else None


def _group_end(text: str, start: int) -> int:
    """The index of the brace closing the group that opens at ``start`` (or ``len(text)``)."""
    depth = 0
    pos = start
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth == 0:
            return pos
        pos += 1
    return len(text)


def _quoted_end(text: str, start: int) -> int:
    """The closing ``"`` of a quoted piece (quotes inside braces do not count)."""
    return _closer_at_depth0(text, start + 1, '"')


def _closer_at_depth0(text: str, start: int, closer: str) -> int:
    """The first ``closer`` from ``start`` outside any brace group (or ``len(text)``)."""
    depth = 0
    for pos in range(start, len(text)):
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == closer and depth == 0:
            return pos
    return len(text)
