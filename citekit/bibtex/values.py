"""``@string`` macro expansion of raw BibTeX values, bounded (see :data:`MAX_GROWTH`).

A raw value (``{…}``, ``"…"``, a number, a macro name, or ``#`` concatenations of those)
becomes its content; an undefined macro is read as empty and reported, as biber does.
Used by :mod:`citekit.bibtex.parse` for fields and ``@string`` definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import LibraryError

__all__ = ["MAX_GROWTH", "MAX_VALUE", "Budget", "Context", "Notice", "closes_at_end", "expand"]

_BRACE = re.compile(r"[{}]")
_MACRO = re.compile(r"[^\s\"#%'(),={}]+")
#: Warnings of one kind reported per file (a binary file would have thousands).
_MAX_NOTICES = 50

#: The longest value a macro expansion may produce (characters), and how many times the
#: file's own size all expansions together may reach: beyond either the file is refused
#: (995 bytes of ``@string{s1 = s0 # s0}`` doubling 40 times would need terabytes).
MAX_VALUE = 1 << 20
MAX_GROWTH = 64


@dataclass(frozen=True)
class Notice:
    """Something read leniently, as biber reads it, and reported as a warning.

    ``kind`` is ``undefined-string`` (read as empty), ``repeated-field`` (the first one
    counts) or ``control-character`` (kept as it is).
    """

    kind: str
    line: int
    message: str
    key: str = ""


class Budget:
    """How much text macro expansion may still produce (see :data:`MAX_GROWTH`)."""

    def __init__(self, size: int) -> None:
        self.left = MAX_GROWTH * max(size, 1024)

    def spend(self, text: str, path: str, line: int) -> str:
        if len(text) > MAX_VALUE:
            message = f"a value expands to more than {MAX_VALUE:,} characters (nested @string)"
            raise LibraryError(path, message, line)
        self.left -= len(text)
        if self.left < 0:
            message = "@string expansion grows far beyond the file's size (nested @string)"
            raise LibraryError(path, message, line)
        return text


@dataclass
class Context:
    """What reading one file needs besides its text: macros, budget, warnings."""

    path: str
    strings: dict[str, str]
    budget: Budget
    notices: list[Notice]
    key: str = ""

    def warn(self, kind: str, line: int, message: str) -> None:
        if sum(n.kind == kind for n in self.notices) < _MAX_NOTICES:
            self.notices.append(Notice(kind, line, message, self.key))


def expand(value: str, ctx: Context, line: int, name: str) -> str:
    """The content of a raw value: delimiters removed, ``#`` joined, macros expanded."""
    if value[:1] == "{" and "#" not in value and value[-1:] == "}" and closes_at_end(value):
        return value[1:-1]
    pieces: list[str] = []
    pos = 0
    while pos < len(value):
        piece, pos = _piece(value, pos, ctx, line, name)
        pieces.append(piece)
        pos = _skip_space(value, pos)
        while pos < len(value) and value[pos] == "%":  # a comment after the value
            end = value.find("\n", pos)
            pos = _skip_space(value, len(value) if end < 0 else end)
        if pos < len(value):
            if value[pos] != "#":
                where = f"field {name!r}" if name else "@string"
                raise LibraryError(
                    ctx.path,
                    f"{where}: unexpected text after the value (a missing comma?)",
                    line,
                )
            pos = _skip_space(value, pos + 1)
    if len(pieces) == 1:
        return pieces[0]
    return ctx.budget.spend("".join(pieces), ctx.path, line)


def _nested(inner: str) -> str:
    return r"\{(?:[^{}]++|" + inner + r")*+\}"


#: One brace group, with groups nested up to four deep inside it (possessive: no
#: backtracking, a run of text at a time).
_ONE_GROUP = re.compile(_nested(_nested(_nested(_nested(r"\{[^{}]*+\}")))))


def closes_at_end(value: str) -> bool:
    """Whether the brace opening ``value`` is closed by its last character."""
    if value.count("{") == 1 or _ONE_GROUP.fullmatch(value):
        return True  # the common cases: no inner group, or groups nested a few deep
    depth = 0
    for match in _BRACE.finditer(value):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start() == len(value) - 1
    return False


def _skip_space(value: str, pos: int) -> int:
    while pos < len(value) and value[pos].isspace():
        pos += 1
    return pos


def _piece(value: str, pos: int, ctx: Context, line: int, name: str) -> tuple[str, int]:
    pos = _skip_space(value, pos)
    ch = value[pos]
    if ch in '{"':
        end = _group_end(value, pos)
        return value[pos + 1 : end], end + 1
    match = _MACRO.match(value, pos)
    if not match:
        raise LibraryError(ctx.path, f"field {name!r}: cannot read the value", line)
    word = match.group()
    if word.isdigit():
        return word, match.end()
    if word.lower() not in ctx.strings:
        where = f"field {name!r}" if name else "@string"
        message = f"{where} uses @string {word!r}, which is not defined; read as empty"
        ctx.warn("undefined-string", line, message)
        return "", match.end()
    return ctx.strings[word.lower()], match.end()


def _group_end(value: str, pos: int) -> int:
    """The index of the delimiter closing the brace group or quoted string at ``pos``."""
    depth = 0
    quoted = value[pos] == '"'
    for i in range(pos + 1, len(value)):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and not quoted:
                return i
            depth -= 1
        elif ch == '"' and quoted and depth == 0:
            return i
    return len(value) - 1
