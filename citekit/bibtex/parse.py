"""The load path of :mod:`citekit.library`: bibtexparser's splitter plus citekit's checks.

Only the splitter runs (``parse_stack=[]``): values arrive raw, with their braces, quotes,
``#`` concatenations and macro names. This module expands ``@string`` macros itself
(bounded: :data:`MAX_VALUE`, :data:`MAX_GROWTH`), checks that every block bibtexparser
returned is accounted for, and turns each entry into a Record through
:func:`citekit.bibtex.fields.record_from_fields`. Like biber, it reads an undefined macro
as empty, the first of a repeated field and a stray control byte, each reported as a
:class:`Notice` with its line; keyless entries (``@article{,``) are read as entries.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import LibraryError
from ..model import Record
from .entry import MAX_DEPTH, Original, field_line, read_entry, repeated_fields
from .latex import use_preamble, walks
from .preamble import definitions
from .values import MAX_VALUE, Budget, Context, Notice, expand

__all__ = [
    "MAX_DEPTH",
    "MAX_FAILED",
    "MAX_VALUE",
    "Notice",
    "Original",
    "parse_text",
    "repeated_fields",
]

#: Unreadable blocks after which a file is not read further (each is reported; more would
#: only cost time: a file of 250,000 broken lines is refused after the first hundred).
MAX_FAILED = 100

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
#: The characters of :data:`_BINARY`, as the bytes that encode them in UTF-8.
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
# A line that starts with "@" but that bibtexparser did not read as a block: a broken entry.
# (An "@" inside a comment line, as in an e-mail address, is fine.)
_STRAY_AT = re.compile(r"^[^\S\n]*@", re.MULTILINE)
_LINE_START_BLOCK = re.compile(r"^[^\S\n]*(@)[A-Za-z]\w*[ \t]*[{(]", re.MULTILINE)


#: Blocks read between two collections of the youngest GC generation (see parse_text).
_COLLECT = 2_000
#: pylatexenc parses that call for a collection (each leaves ~10-40 objects in cycles).
_WALKS = 1_000


def parse_text(
    text: str,
    path: str,
    problems: list[LibraryError] | None = None,
    *,
    strings: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
) -> tuple[tuple[str | Original, ...], tuple[Record, ...]]:
    """Chunks (verbatim text or entries) and the records of a whole file.

    The first problem raises :class:`LibraryError`; with a ``problems`` list, every problem
    is appended to it instead and the blocks concerned are kept as plain text (``check``
    reports them all; such a result must never be saved). ``strings`` are ``@string``
    macros defined before this file (another file of the same library); the file's own
    definitions are added to it. Lenient readings (undefined macro, repeated field,
    control character) go to ``notices``.
    """
    from .split import RawEntry, split_blocks

    ctx = Context(path, _macros(strings), Budget(len(text)), [] if notices is None else notices)
    lines = _LineIndex(text)
    _control_characters(text, lines, ctx)
    # bibtexparser logs each failed block; citekit reports them itself, once, with the line.
    _quiet(logging.getLogger("bibtexparser"))
    # = parse_string(text, parse_stack=[]), block for block, 2x faster
    parsed, stopped = split_blocks(text, MAX_FAILED)
    use_preamble(definitions(p.value for p in parsed.preambles()))  # \acro, \MF for decode
    for failed in parsed.failed():
        if _lenient(failed) is None:
            _fail(_failure(failed, path), problems)
    if stopped < len(text):
        message = f"more than {MAX_FAILED} unreadable blocks: stopped reading here"
        _fail(LibraryError(path, message, lines.line(stopped)), problems)
    chunks: list[str | Original] = []
    records: list[Record] = []
    cursor = 0
    pending = ""
    starts: set[int] = set()  # where the blocks that begin with "@" begin
    first_lines: dict[str, int] = {}  # each key read, and the line of its entry
    # The list itself: each block is let go once read, and bibtexparser's dicts of entries
    # and strings go with ``parsed``, so the parsed objects of the whole file are never
    # all alive beside the records (100,000 entries: a few hundred MB).
    blocks: list[Any] = parsed.blocks
    del parsed
    # A problem caught keeps its traceback, which holds this frame and so every block: the
    # youngest generation is collected now and then when there is one (the reader runs
    # with the cyclic GC paused). pylatexenc leaves a few small cycles a parse (the class
    # it defines per call): collected once there are enough of them to matter. A
    # collection scans every object made since the last one (~15 ms per 1,000 entries).
    walked = walks()
    read: Callable[[Any, str, int, Context], Original | None]
    for index in range(len(blocks)):
        block, blocks[index] = blocks[index], None
        if index % _COLLECT == _COLLECT - 1 and (walks() - walked >= _WALKS or problems):
            gc.collect(0)
            walked = walks()
        if problems is not None and len(problems) > 2 * MAX_FAILED and cursor < stopped:
            message = f"more than {2 * MAX_FAILED} problems: stopped reading here"
            _fail(LibraryError(path, message, lines.line(cursor)), problems)
            stopped = cursor  # the rest is kept as text; such a result is never saved
            break
        if type(block) is RawEntry and _after_space(text, cursor, block.offset):
            # a well-formed entry knows where it starts and its line: nothing to look up
            raw, at, line = block.raw, block.offset, block.start_line + 1
            gap = text[cursor:at]
            starts.add(at)  # its raw text starts with its "@"
            read = _entry_of
        else:
            raw = block.raw or ""
            at = text.find(raw, cursor)
            line = block.start_line + 1 if getattr(block, "offset", -1) == at else lines.line(at)
            gap = text[cursor:at]
            if at < 0 or gap.strip():
                where = lines.line(cursor + len(gap) - len(gap.lstrip()))
                message = "text here is not part of any entry; check the syntax"
                _fail(LibraryError(path, message, where), problems)
                if at < 0:
                    continue
            if type(block).__name__ != "ImplicitComment":
                starts.add(at + raw.find("@"))
            block = _lenient(block) or block
            read = _block
        try:
            original = read(block, raw, line, ctx)
        except LibraryError as error:
            _fail(error, problems)
            original = None
        if original is not None and _key_again(original, first_lines, path, problems):
            original = None
        if original is not None:
            chunks.append(pending + gap)
            chunks.append(original)
            records.append(original.record)
            pending = ""
        else:
            pending += gap + raw
        cursor = at + len(raw)
    chunks.append(pending + text[cursor:])
    if walks() - walked >= _WALKS or problems:
        gc.collect(0)  # the cycles of the last blocks, not to be left to the caller
    _account_for_starts(text[:stopped], starts, lines, path, problems)
    if problems is not None:
        del problems[3 * MAX_FAILED :]  # enough to act on; the rest only costs time
    _name_entries(ctx.notices, chunks)
    if strings is not None:
        strings.update(ctx.strings)
    return tuple(c for c in chunks if c != ""), tuple(records)


def _key_again(
    original: Original, first_lines: dict[str, int], path: str, problems: list[LibraryError] | None
) -> bool:
    """Whether ``original`` repeats the key of an entry read before it (reported).

    bibtexparser reports a repeated key itself, except where an entry is one it failed and
    citekit reads leniently (a repeated field): such an entry and another with its key
    were both read, and saving the library kept only one of them.
    """
    key = original.record.key
    if not key:
        return False  # keyless entries are each read (`check` lists them)
    first = first_lines.get(key)
    if first is None:
        first_lines[key] = original.line
        return False
    message = (
        f"duplicate key {key!r} (first at line {first}); rename or merge one of the two entries"
    )
    _fail(LibraryError(path, message, original.line), problems)
    return True


def _quiet(log: logging.Logger) -> None:
    """Give ``log`` a handler that drops its records, once (one more per file read piled
    up in a long-running process)."""
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def _name_entries(notices: list[Notice], chunks: Sequence[str | Original]) -> None:
    """Give the notices found before the entries were read the key of their entry."""
    from bisect import bisect_right

    entries = [c for c in chunks if isinstance(c, Original)]
    starts = [c.line for c in entries]
    for i, notice in enumerate(notices):
        at = bisect_right(starts, notice.line) - 1
        if notice.key or at < 0:
            continue
        entry = entries[at]
        if notice.line <= entry.line + entry.raw.count("\n"):
            notices[i] = Notice(notice.kind, notice.line, notice.message, entry.record.key)


def _macros(strings: dict[str, str] | None) -> dict[str, str]:
    return {**_PREDEFINED, **(strings or {})}


def _lenient(block: Any) -> Any:
    """The entry inside a block bibtexparser failed but biber reads: a repeated field
    (the first one counts; reported by :func:`_entry`) or a second keyless entry."""
    kind = type(block).__name__
    if kind == "DuplicateFieldKeyBlock":
        return block.ignore_error_block
    if kind == "DuplicateBlockKeyBlock" and block.key == "":
        return block.ignore_error_block
    return None


def _control_characters(text: str, lines: _LineIndex, ctx: Context) -> None:
    """A stray control byte is kept and reported (biber reads it; bibtex ignores it)."""
    if not _has_control_characters(text):
        return  # the usual file
    seen = 0
    for match in _BINARY.finditer(text):
        line = lines.line(match.start())
        if line != seen:  # one warning per line
            ctx.warn("control-character", line, f"control character {match.group()!r}")
            seen = line


def _has_control_characters(text: str) -> bool:
    """Whether :data:`_BINARY` matches somewhere in ``text``.

    The regular expression tests each character through its set (~60 ms on 12 MB);
    deleting those bytes from the UTF-8 encoding takes a third of that. In UTF-8 a byte
    below 0x80 only ever encodes that ASCII character (and a lone surrogate, which
    ``surrogatepass`` encodes, only bytes from 0x80 up), so some were deleted exactly
    when the text holds one of those characters.
    """
    encoded = text.encode("utf-8", "surrogatepass")
    return len(encoded.translate(None, _BINARY_BYTES)) != len(encoded)


def _account_for_starts(
    text: str,
    starts: set[int],
    lines: _LineIndex,
    path: str,
    problems: list[LibraryError] | None,
) -> None:
    """Count the blocks independently of the parser: every ``@type{`` that begins a line
    must begin a block it returned, or an entry was swallowed by the one before it."""
    if text.count("@") == len(starts):
        return  # every "@" of the file begins a block: nothing can hide (the usual case)
    for match in _LINE_START_BLOCK.finditer(text):
        if match.start(1) not in starts:
            line = lines.line(match.start(1))
            message = "an entry starts here inside the one before it; check that one's braces"
            _fail(LibraryError(path, message, line), problems)


def _fail(error: LibraryError, problems: list[LibraryError] | None) -> None:
    if problems is None:
        raise error
    problems.append(error)


def _after_space(text: str, start: int, end: int) -> bool:
    """Whether ``text`` holds only white space from ``start`` to ``end`` (>= ``start``).

    A block whose raw text starts with "@" at ``end`` is then the first place from
    ``start`` where that text occurs: ``text.find(raw, start)`` need not look for it.
    """
    return start <= end and (start == end or text[start:end].isspace())


def _entry_of(block: Any, raw: str, line: int, ctx: Context) -> Original:
    """The Original of a :class:`~citekit.bibtex.split.RawEntry`."""
    fields, lines = block.fields, block.lines
    return read_entry(block.entry_type, block.key, fields, lines, raw, line, ctx, split=True)


def _block(block: Any, raw: str, line: int, ctx: Context) -> Original | None:
    """The Original of an entry; None for any other block (after checking it)."""
    kind = type(block).__name__
    if kind == "RawEntry":
        return _entry_of(block, raw, line, ctx)
    if kind == "Entry":
        fields = [(f.key, f.value) for f in block.fields]
        lines = [f.start_line for f in block.fields]
        return read_entry(block.entry_type, block.key, fields, lines, raw, line, ctx, split=False)
    if kind == "String":
        ctx.key = ""
        value = expand(block.value, ctx, field_line(block.start_line, line), "")
        ctx.strings[block.key.lower()] = value
    elif kind == "ImplicitComment" and (stray := _STRAY_AT.search(raw)):
        at_line = line + raw.count("\n", 0, stray.start())
        message = "a line starting with '@' is not a readable entry; check its syntax"
        raise LibraryError(ctx.path, message, at_line)
    return None


class _LineIndex:
    """Offset → 1-based line, by bisecting the newline offsets (built once, when asked
    more than a few times: most files ask once or twice, for a leading comment)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None
        self.asked = 0

    def line(self, offset: int) -> int:
        from bisect import bisect_right

        if self.starts is None:
            self.asked += 1
            if self.asked <= _COUNTED:
                return self.text.count("\n", 0, offset) + 1
            self.starts = [m.end() for m in re.finditer("\n", self.text)]
        return bisect_right(self.starts, offset) + 1


#: Line lookups answered by counting, before the newline offsets are indexed.
_COUNTED = 8


def _failure(block: Any, path: str) -> LibraryError:
    kind = type(block).__name__
    line = (block.start_line or 0) + 1
    if kind == "DuplicateBlockKeyBlock":
        key = block.key
        previous = getattr(block, "_previous_block", None)
        first = getattr(previous, "start_line", None)
        where = f" (first at line {first + 1})" if isinstance(first, int) else ""
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
