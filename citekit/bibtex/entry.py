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

__all__ = ["MAX_DEPTH", "Original", "field_line", "read_entry", "repeated_fields"]

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


def read_entry(
    etype: str,
    key: str,
    fields: Sequence[tuple[str, str]],
    lines: Sequence[int | None],
    raw: str,
    line: int,
    ctx: Context,
    *,
    split: bool,
) -> Original:
    """The Original of an entry from its fields as the splitter gives them: ``(name, raw
    value)`` pairs and the 0-based line of each one's ``=`` (None: unknown). ``split``:
    the values were matched by the splitter's grammar (see :func:`_contents`)."""
    type_match = _TYPE.match(raw)
    type_text = type_match.group(1) if type_match else etype
    ctx.key = key
    raw_fields = fields if isinstance(fields, tuple) else tuple(fields)
    names = [name for name, _ in raw_fields]
    if "%" in raw:  # the names are text of ``raw``: only then can one hold a comment
        names = [_name(name) for name in names]
    if len(set(map(str.lower, names))) < len(names):
        for name in repeated_fields(names):
            first = next(i for i, n in enumerate(names) if n.lower() == name)
            message = f"entry {key!r} repeats the field {name!r}; the first one counts"
            ctx.warn("repeated-field", field_line(lines[first], line), message)
    contents = _contents(names, raw_fields, lines, raw, line, ctx, split)
    try:
        record = record_from_fields(etype, key, contents)
    except ValueError as exc:
        raise LibraryError(ctx.path, f"entry {key!r}: {exc}", line) from None
    return Original(record, raw, raw_fields, type_text, line)


def _contents(
    names: list[str],
    fields: tuple[tuple[str, str], ...],
    lines: Sequence[int | None],
    raw: str,
    entry_line: int,
    ctx: Context,
    split: bool,
) -> list[tuple[str, str]]:
    """Each field's name and content: its value :func:`expand`-ed, without calling it for
    the two common cases that need nothing of it.

    A value the splitter matched (``split``) is one brace group from its first character
    to its last when it starts with ``{`` and has no ``#``: its grammar (an atom, or atoms
    joined by ``#``) says so. The splitter reads ``\\{`` as an escaped brace where
    :func:`closes_at_end` counts every brace, so only a value without one skips that test.
    A value of digits only is its own content (a number is no macro).

    Raises :class:`LibraryError` for a content nested deeper than :data:`MAX_DEPTH`; the
    contents taken from ``raw`` itself have no more braces than it has, so they are
    looked at only when ``raw`` has that many.
    """
    contents: list[tuple[str, str]] = []
    deep = raw.count("{") > MAX_DEPTH
    for name, (raw_name, value), start in zip(names, fields, lines, strict=True):
        if value[:1] != "{" or value[-1:] != "}" or "#" in value:
            content = value if value.isdigit() else None  # quoted, a macro, a concatenation
        elif (split and "\\{" not in value and "\\}" not in value) or closes_at_end(value):
            content = value[1:-1]  # the common case, as in expand
        else:
            content = None
        if content is None:
            content = expand(value, ctx, field_line(start, entry_line), raw_name)
            deep = deep or content.count("{") > MAX_DEPTH
        contents.append((name, content))
    if deep:
        for name, content in contents:
            if content.count("{") > MAX_DEPTH and _depth(content) > MAX_DEPTH:
                message = f"field {name!r} nests braces more than {MAX_DEPTH} levels deep"
                raise LibraryError(ctx.path, f"entry {ctx.key!r}: {message}", entry_line)
    return contents


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


def field_line(start: int | None, entry_line: int) -> int:
    """The 1-based line of a field whose 0-based line is ``start`` (unknown: the entry's)."""
    return start + 1 if isinstance(start, int) else entry_line
