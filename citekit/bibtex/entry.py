"""One entry's fields → its :class:`Original` (record, raw text and fields), for
:mod:`citekit.bibtex.parse`: field names read as BibTeX reads them, values expanded
(:mod:`citekit.bibtex.values`), repeated fields reported, the record made by
:func:`citekit.bibtex.fields.record_from_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import LibraryError
from ..model import Record
from .fields import record_from_fields
from .values import Context, closes_at_end, expand

__all__ = ["MAX_DEPTH", "Field", "Original", "field_line", "read_entry", "repeated_fields"]

#: The deepest brace nesting a value may have (LaTeX decoding recurses into each level).
MAX_DEPTH = 100

_TYPE = re.compile(r"@\s*([A-Za-z][\w-]*)")
_BRACE = re.compile(r"[{}]")


def repeated_fields(names: Sequence[str]) -> list[str]:
    """The field names that occur more than once, compared as BibTeX does (any case).

    The one definition of a repeated field, for the reader (a warning) and ``check``.
    """
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        low = name.lower()
        if low in seen and low not in out:
            out.append(low)
        seen.add(low)
    return out


@dataclass(frozen=True)
class Original:
    """An entry as read: its record, exact text, raw fields, type as written and line."""

    record: Record
    raw: str
    raw_fields: tuple[tuple[str, str], ...]
    type_text: str
    line: int


#: A field as the splitter gives it: name, raw value, 0-based line of its ``=`` (or None).
Field = tuple[str, str, int | None]


def read_entry(
    etype: str,
    key: str,
    fields: Sequence[Field],
    raw: str,
    line: int,
    ctx: Context,
    *,
    split: bool,
) -> Original:
    """The Original of an entry from its fields as the splitter gives them (``split``: its
    values were matched by the splitter's grammar, see :func:`_content`)."""
    type_match = _TYPE.match(raw)
    type_text = type_match.group(1) if type_match else etype
    ctx.key = key
    raw_fields = tuple([(name, value) for name, value, _ in fields])
    names = [_name(name) if "%" in name else name for name, _ in raw_fields]
    if len({name.lower() for name in names}) < len(names):
        for name in repeated_fields(names):
            first = next(f for f in fields if _name(f[0]).lower() == name)
            message = f"entry {key!r} repeats the field {name!r}; the first one counts"
            ctx.warn("repeated-field", field_line(first[2], line), message)
    contents = [
        (name, _content(field[1], field, ctx, line, split))
        for name, field in zip(names, fields, strict=True)
    ]
    for name, content in contents:
        if content.count("{") > MAX_DEPTH and _depth(content) > MAX_DEPTH:
            message = f"field {name!r} nests braces more than {MAX_DEPTH} levels deep"
            raise LibraryError(ctx.path, f"entry {key!r}: {message}", line)
    try:
        record = record_from_fields(etype, key, contents)
    except ValueError as exc:
        raise LibraryError(ctx.path, f"entry {key!r}: {exc}", line) from None
    return Original(record, raw, raw_fields, type_text, line)


def _name(key: str) -> str:
    """A field name without the comment lines before it (``% old value`` on the line above,
    as biber's own test files have): BibTeX reads the name after them."""
    if "%" not in key:
        return key
    lines = [ln.strip() for ln in key.splitlines() if ln.strip() and not ln.strip().startswith("%")]
    return lines[-1] if lines else key


def _depth(value: str) -> int:
    """The deepest brace nesting in ``value``."""
    depth = deepest = 0
    for match in _BRACE.finditer(value):
        depth += 1 if match.group() == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def _content(value: str, field: Field, ctx: Context, entry_line: int, split: bool) -> str:
    """:func:`_expand` of one field's ``value``; its line is worked out only when a message
    needs it.

    A value the splitter matched (``split``) is one brace group from its first character
    to its last when it starts with ``{`` and has no ``#``: its grammar (an atom, or atoms
    joined by ``#``) says so. The splitter reads ``\\{`` as an escaped brace where
    :func:`closes_at_end` counts every brace, so only a value without one skips that test.
    """
    if value[:1] != "{" or value[-1:] != "}" or "#" in value:
        pass  # quoted, a macro, a number or a concatenation
    elif (split and "\\{" not in value and "\\}" not in value) or closes_at_end(value):
        return value[1:-1]  # the common case, as in _expand
    return expand(value, ctx, field_line(field[2], entry_line), field[0])


def field_line(start: int | None, entry_line: int) -> int:
    """The 1-based line of a field whose 0-based line is ``start`` (unknown: the entry's)."""
    return start + 1 if isinstance(start, int) else entry_line
