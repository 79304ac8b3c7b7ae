"""The load path of :mod:`citekit.library`: bibtexparser's splitter plus citekit's checks.

Only the splitter runs (``parse_stack=[]``): values arrive raw, with their braces, quotes,
``#`` concatenations and macro names. This module expands ``@string`` macros itself, checks
that every block bibtexparser returned is accounted for, and turns each entry into a Record
through :func:`citekit.writers.bibtex.record_from_fields`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from ..errors import LibraryError
from ..model import Record
from .fields import record_from_fields

__all__ = ["Original", "parse_text"]

#: BibTeX's predefined month macros (plain.bst), so ``month = jan`` needs no @string.
_PREDEFINED = {
    m[:3].lower(): m
    for m in [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
}
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TYPE = re.compile(r"@\s*([A-Za-z][\w-]*)")
# A line that starts with "@" but that bibtexparser did not read as a block: a broken entry.
# (An "@" inside a comment line, as in an e-mail address, is fine.)
_STRAY_AT = re.compile(r"^[^\S\n]*@", re.MULTILINE)
_LINE_START_BLOCK = re.compile(r"^[^\S\n]*(@)[A-Za-z]\w*[ \t]*[{(]", re.MULTILINE)
_BRACE = re.compile(r"[{}]")
_MACRO = re.compile(r"[^\s\"#%'(),={}]+")


@dataclass(frozen=True)
class Original:
    """An entry as read: its record, exact text, raw fields, type as written and line."""

    record: Record
    raw: str
    raw_fields: tuple[tuple[str, str], ...]
    type_text: str
    line: int


def parse_text(
    text: str, path: str, problems: list[LibraryError] | None = None
) -> tuple[tuple[str | Original, ...], tuple[Record, ...]]:
    """Chunks (verbatim text or entries) and the records of a whole file.

    The first problem raises :class:`LibraryError`; with a ``problems`` list, every problem
    is appended to it instead and the blocks concerned are kept as plain text (``check``
    reports them all; such a result must never be saved).
    """
    try:
        _refuse_binary(text, path)
    except LibraryError as error:
        _fail(error, problems)
        return (text,), ()
    from .split import split

    # bibtexparser logs each failed block; citekit reports them itself, once, with the line.
    logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
    parsed = split(text)  # = parse_string(text, parse_stack=[]), block for block, 2x faster
    for failed in parsed.failed_blocks:
        _fail(_failure(failed, parsed, _LineIndex(text), path), problems)
    strings: dict[str, str] = dict(_PREDEFINED)
    chunks: list[str | Original] = []
    records: list[Record] = []
    cursor = 0
    pending = ""
    line, counted = 1, 0  # lines are counted as the blocks go by (one pass over the text)
    starts: set[int] = set()  # where the blocks that begin with "@" begin
    block: Any
    for block in parsed.blocks:
        raw = block.raw or ""
        at = text.find(raw, cursor)
        gap = text[cursor:at]
        if at < 0 or gap.strip():
            where = _LineIndex(text).line(cursor + len(gap) - len(gap.lstrip()))
            message = "text here is not part of any entry; check the syntax"
            _fail(LibraryError(path, message, where), problems)
            if at < 0:
                continue
        line += text.count("\n", counted, at)
        counted = at
        if type(block).__name__ != "ImplicitComment":
            starts.add(at + raw.find("@"))
        try:
            original = _block(block, raw, line, strings, path)
        except LibraryError as error:
            _fail(error, problems)
            original = None
        if original is not None:
            chunks += [pending + gap, original]
            records.append(original.record)
            pending = ""
        else:
            pending += gap + raw
        cursor = at + len(raw)
    chunks.append(pending + text[cursor:])
    _account_for_starts(text, starts, path, problems)
    return tuple(c for c in chunks if c != ""), tuple(records)


def _account_for_starts(
    text: str, starts: set[int], path: str, problems: list[LibraryError] | None
) -> None:
    """Count the blocks independently of the parser: every ``@type{`` that begins a line
    must begin a block it returned, or an entry was swallowed by the one before it."""
    if text.count("@") == len(starts):
        return  # every "@" of the file begins a block: nothing can hide (the usual case)
    for match in _LINE_START_BLOCK.finditer(text):
        if match.start(1) not in starts:
            line = text.count("\n", 0, match.start(1)) + 1
            message = "an entry starts here inside the one before it; check that one's braces"
            _fail(LibraryError(path, message, line), problems)


def _fail(error: LibraryError, problems: list[LibraryError] | None) -> None:
    if problems is None:
        raise error
    problems.append(error)


def _block(block: Any, raw: str, line: int, strings: dict[str, str], path: str) -> Original | None:
    """The Original of an entry; None for any other block (after checking it)."""
    kind = type(block).__name__
    if kind == "Entry":
        return _entry(block, raw, line, strings, path)
    if kind == "String":
        strings[block.key.lower()] = _expand(block.value, strings, path, line)
    elif kind == "ImplicitComment" and (stray := _STRAY_AT.search(raw)):
        at_line = line + raw.count("\n", 0, stray.start())
        message = "a line starting with '@' is not a readable entry; check its syntax"
        raise LibraryError(path, message, at_line)
    return None


def _refuse_binary(text: str, path: str) -> None:
    match = _BINARY.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise LibraryError(
            path,
            f"control character {match.group()!r}: this is binary data, not a .bib file",
            line,
        )


class _LineIndex:
    """Offset → 1-based line, by bisecting the newline offsets (one pass over the text)."""

    def __init__(self, text: str) -> None:
        self.starts = [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        from bisect import bisect_right

        return bisect_right(self.starts, offset) + 1


def _failure(block: Any, parsed: Any, lines: _LineIndex, path: str) -> LibraryError:
    kind = type(block).__name__
    line = (block.start_line or 0) + 1
    if kind == "DuplicateBlockKeyBlock":
        key = block.key
        first = next(
            (b.start_line + 1 for b in parsed.blocks if getattr(b, "key", None) == key), None
        )
        where = f" (first at line {first})" if first is not None else ""
        return LibraryError(
            path, f"duplicate key {key!r}{where}; rename or merge one of the two entries", line
        )
    if kind == "DuplicateFieldKeyBlock":
        names = sorted(getattr(block, "duplicate_keys", []) or [])
        fields = ", ".join(repr(n) for n in names) or "a field"  # repr: a name may hold a newline
        return LibraryError(path, f"the entry repeats {fields}; keep one of them", line)
    error = getattr(block, "error", None)
    reason = str(getattr(error, "abort_reason", "") or getattr(error, "message", "") or error)
    detail = " ".join(reason.replace("`", "'").split()) or "unreadable"
    return LibraryError(
        path,
        f"this entry cannot be read ({detail.rstrip('.')}); check it for unbalanced braces, "
        "a missing comma or a truncated end",
        line,
    )


def _entry(block: Any, raw: str, line: int, strings: dict[str, str], path: str) -> Original:
    type_match = _TYPE.match(raw)
    type_text = type_match.group(1) if type_match else block.entry_type
    raw_fields = tuple((f.key, f.value) for f in block.fields)
    contents = [(f.key, _content(f, strings, path, line)) for f in block.fields]
    try:
        record = record_from_fields(block.entry_type, block.key, contents)
    except ValueError as exc:
        raise LibraryError(path, f"entry {block.key!r}: {exc}", line) from None
    return Original(record, raw, raw_fields, type_text, line)


def _content(field: Any, strings: dict[str, str], path: str, entry_line: int) -> str:
    """:func:`_expand` of one field; its line is worked out only when a message needs it."""
    value: str = field.value
    if value[:1] == "{" and value[-1:] == "}" and "#" not in value and _closes_at_end(value):
        return value[1:-1]  # the common case, as in _expand
    return _expand(value, strings, path, _field_line(field, entry_line), field.key)


def _field_line(field: Any, entry_line: int) -> int:
    start = getattr(field, "start_line", None)
    return start + 1 if isinstance(start, int) else entry_line


def _expand(value: str, strings: dict[str, str], path: str, line: int, name: str = "") -> str:
    """The content of a raw value: delimiters removed, ``#`` joined, macros expanded."""
    if value[:1] == "{" and "#" not in value and value[-1:] == "}" and _closes_at_end(value):
        return value[1:-1]
    pieces: list[str] = []
    pos = 0
    while pos < len(value):
        piece, pos = _piece(value, pos, strings, path, line, name)
        pieces.append(piece)
        pos = _skip_space(value, pos)
        if pos < len(value):
            if value[pos] != "#":
                where = f"field {name!r}" if name else "@string"
                raise LibraryError(
                    path,
                    f"{where}: unexpected text after the value (a missing comma?)",
                    line,
                )
            pos = _skip_space(value, pos + 1)
    return "".join(pieces)


def _closes_at_end(value: str) -> bool:
    """Whether the brace opening ``value`` is closed by its last character."""
    if value.count("{") == 1:
        return True  # the common case: no inner group
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


def _piece(
    value: str, pos: int, strings: dict[str, str], path: str, line: int, name: str
) -> tuple[str, int]:
    pos = _skip_space(value, pos)
    ch = value[pos]
    if ch in '{"':
        end = _group_end(value, pos)
        return value[pos + 1 : end], end + 1
    match = _MACRO.match(value, pos)
    if not match:
        raise LibraryError(path, f"field {name!r}: cannot read the value", line)
    word = match.group()
    if word.isdigit():
        return word, match.end()
    if word.lower() not in strings:
        raise LibraryError(
            path,
            f"field {name!r} uses @string {word!r}, which is not defined before it; "
            "define it or brace the value",
            line,
        )
    return strings[word.lower()], match.end()


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
