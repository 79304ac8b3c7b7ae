"""A fast twin of bibtexparser's splitter: the same blocks, about twice as fast.

:func:`split` returns exactly what ``bibtexparser.parse_string(text, parse_stack=[])``
returns (the same block types, keys, raw text, field values and line numbers), but reads
well-formed entries with a few C-level regular expressions instead of bibtexparser's
mark-by-mark Python loop, which is half of the time citekit spends loading a library.

How it stays exact:

* bibtexparser starts a new block at every ``@type{`` or ``@type(`` at the start of a
  line, even inside an unclosed one (its error recovery). The text is therefore cut at
  those points, and each piece is parsed on its own.
* A piece that is one plain, well-formed ``{``-delimited entry (braced values nested up
  to four levels, quoted values without braces, bare words, ``#`` concatenations) is
  read by :data:`_HEAD`, :data:`_FIELD` and :data:`_CLOSE`, which encode bibtexparser's
  rules: a mark character right after a backslash is no mark, quotes inside braces and
  ``,`` or ``=`` inside a value are text, the field key is the stripped text before ``=``.
  Such an entry comes out as a :class:`RawEntry` (plain tuples); :func:`split` turns it
  into bibtexparser's ``Entry`` for whoever wants that.
* Anything else (``@string``, ``@comment``, ``@preamble``, ``(``-delimited blocks,
  broken entries, text after an entry) is handed to bibtexparser's own ``Splitter`` for
  that piece alone, and its line numbers are shifted. A file with a backslash before a
  newline goes to bibtexparser whole: its line count skips such newlines.
* bibtexparser's warnings for the pieces it reads are silenced: the lookahead would
  add a false one, and citekit reports failed blocks itself (see :mod:`citekit.bibtex.parse`).

``tests/test_bibsplit.py`` checks block-for-block equality with bibtexparser on the
shared real-world files, a generated library and a corpus of broken and odd inputs.
bibtexparser is imported here as well as in :mod:`citekit.bibtex.parse` because this module
builds bibtexparser's own block objects for it; nothing else sees them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, AnyStr, NamedTuple

__all__ = ["Blocks", "RawEntry", "at_line_start", "split", "split_blocks"]

# A block start at the start of a line (after optional whitespace), as bibtexparser's
# ``_BLOCK_START`` plus its ``_is_at_line_start`` test.
_CUT = re.compile(r"^[^\S\n]*@\w*[ \t]*(?=[{(])", re.M)
# The same without its "^…" (at_line_start checks the line start): a pattern that begins with a
# literal is searched for that character, where "^" in multi-line mode is tried at every
# position of the text (five times slower).
_AT = re.compile(r"@\w*[ \t]*(?=[{(])")
# Text inside braces: runs without marks, or backslashes with the character they escape.
# Possessive quantifiers: no backtracking, so a match is the one bibtexparser finds.
_INNER = r"(?:[^{}\\]++|\\++[\s\S])"


def _nest(inner: str) -> str:
    return r"\{(?:" + _INNER + "|" + inner + r")*+\}"


_BRACED = _nest(_nest(_nest(r"\{" + _INNER + r"*+\}")))
_QUOTED = r'"(?:[^"{}\\]++|\\++[^{}])*+"'
_BARE = r'[^\s{}",=\\#@]++'
_ATOM = f"(?:{_BRACED}|{_QUOTED}|{_BARE})"
_VALUE = rf"{_ATOM}(?:\s*+#\s*+{_ATOM})*+"
_KEY = r'[^{}",=\\@]*+'
# A well-formed entry is its head, then fields up to one that ends with "}", or up to a
# "}" after a field's comma, then only white space to the end of its piece:
# _HEAD (_FIELD ending with ",")* (_FIELD ending with "}" | _CLOSE), as one regular
# expression that read each entry twice (once whole, once for its fields).
_HEAD = re.compile(rf"[^\S\n]*+@(\w*)[ \t]*+\{{({_KEY}),")
_FIELD = re.compile(rf"({_KEY})=(\s*+)({_VALUE})(\s*+[,}}])")
_CLOSE = re.compile(r"\s*+\}")
_SPECIAL = ("comment", "preamble", "string")


class RawEntry(NamedTuple):
    """A well-formed entry as :func:`split_blocks` reads it: plain data, none of
    bibtexparser's objects (building an ``Entry`` and a ``Field`` per field that the reader
    takes apart at once cost about a tenth of its time)."""

    entry_type: str  # lower-case, as bibtexparser's Entry.entry_type
    key: str
    fields: tuple[tuple[str, str], ...]  # (name, raw value): the entry's raw fields as kept
    lines: list[int]  # the 0-based line of each field's "="
    start_line: int  # 0-based, as bibtexparser's Block.start_line
    raw: str
    offset: int  # where ``raw`` starts in the text


class Blocks:
    """The blocks of a text in file order (bibtexparser's blocks and :class:`RawEntry`),
    added by bibtexparser's ``Library.add`` rule: an entry or ``@string`` whose key was
    seen before becomes a ``DuplicateBlockKeyBlock``."""

    def __init__(self) -> None:
        self.blocks: list[Any] = []
        self._entries: dict[str, Any] = {}
        self._strings: dict[str, Any] = {}

    def add(self, block: Any) -> Any:
        """Append ``block`` (or the duplicate-key block it becomes); returns what was added."""
        if isinstance(block, RawEntry) and self._entries.setdefault(block.key, block) is block:
            self.blocks.append(block)  # the common case: a well-formed entry, a new key
            return block
        return self._add(block)

    def _add(self, block: Any) -> Any:
        from bibtexparser.model import DuplicateBlockKeyBlock, Entry, String

        if isinstance(block, RawEntry | Entry):
            seen = self._entries
        elif isinstance(block, String):
            seen = self._strings
        else:
            self.blocks.append(block)
            return block
        previous = seen.setdefault(block.key, block)
        if previous is not block:
            duplicate = _to_entry(block) if isinstance(block, RawEntry) else block
            block = DuplicateBlockKeyBlock(
                start_line=duplicate.start_line,
                raw=duplicate.raw,
                key=duplicate.key,
                previous_block=previous,
                duplicate_block=duplicate,
            )
        self.blocks.append(block)
        return block

    def preambles(self) -> list[Any]:
        """The ``@preamble`` blocks."""
        from bibtexparser.model import Preamble

        return [b for b in self.blocks if isinstance(b, Preamble)]

    def failed(self) -> list[Any]:
        """The blocks bibtexparser could not read (as ``Library.failed_blocks``)."""
        from bibtexparser.model import ParsingFailedBlock

        return [b for b in self.blocks if isinstance(b, ParsingFailedBlock)]


def split(text: str, max_failed: int | None = None) -> tuple[Any, int]:
    """``text`` split into a bibtexparser ``Library`` of raw blocks (no middleware), and the
    offset where splitting stopped: :func:`split_blocks` with bibtexparser's own objects."""
    from bibtexparser.library import Library

    blocks, stopped = split_blocks(text, max_failed)
    library = Library()
    library.add(
        [_to_entry(b) if isinstance(b, RawEntry) else b for b in blocks.blocks],
        fail_on_duplicate_key=False,
    )
    return library, stopped


def split_blocks(text: str, max_failed: int | None = None) -> tuple[Blocks, int]:
    """The blocks of ``text`` (well-formed entries as :class:`RawEntry`), and the offset
    where splitting stopped: ``len(text)``, or earlier once more than ``max_failed``
    blocks failed (a file of 250,000 broken ``@a{`` lines need not be read to its end to be
    refused; bibtexparser reads each broken piece at ~0.5 ms)."""
    from bibtexparser.splitter import Splitter

    library = Blocks()
    if "\\\n" in text:
        for block in Splitter(text).split().blocks:
            _drop_traceback(block)
            library.add(block)
        return library, len(text)
    # Each piece runs from one cut to the next; ``ahead`` also takes in the next block's
    # opening (``@type{``), so that bibtexparser, when it reads a piece, aborts an unclosed
    # block exactly as it does on the whole file (same message, same raw text).
    entries = library._entries
    heads = _heads(text)
    if not heads or heads[0][0] != 0:
        heads.insert(0, (0, 0))
    heads.append((len(text), len(text)))
    line = failed = 0
    for (start, _), (end, ahead) in pairwise(heads):
        if max_failed is not None and failed > max_failed:
            return library, start
        head = _HEAD.match(text, start, end)
        entry = _entry(text, head, end, line) if head is not None else None
        if type(entry) is RawEntry and entries.setdefault(entry.key, entry) is entry:
            library.blocks.append(entry)  # Blocks.add's common case, inline
        elif entry is not None:
            added = library.add(entry)
            failed += not isinstance(entry, RawEntry) or added is not entry
        elif not text[start:end].isspace() and start < end:
            stop = text.count("\n", start, end) if ahead > end else None
            failed += _add_piece(library, Splitter(text[start:ahead]), line, stop)
        line += text.count("\n", start, end)
    return library, len(text)


def _heads(text: str) -> list[tuple[int, int]]:
    """Where each match of :data:`_CUT` in ``text`` starts, and one past its end."""
    return [(start, match.end() + 1) for start, match in at_line_start(_AT, text)]


def at_line_start(
    pattern: re.Pattern[AnyStr], text: AnyStr
) -> Iterator[tuple[int, re.Match[AnyStr]]]:
    """The matches of ``pattern`` (one that starts with ``@``) that only white space other
    than a newline precedes on their line, each with the start of its line: those of
    ``^[^\\S\\n]*`` followed by ``pattern`` in multi-line mode.

    A pattern that starts with a literal is searched for by that character, where ``^`` in
    multi-line mode is tried at every position (12 MB: ~10 ms instead of ~100 ms). No match
    holds another ``@``, so none hides a block start. The text between the line start and
    the match holds no newline, so ``isspace`` (Unicode for str, ASCII for bytes) is
    ``[^\\S\\n]`` of a str or bytes pattern there.
    """
    newline = "\n" if isinstance(text, str) else b"\n"
    for match in pattern.finditer(text):
        at = match.start()
        start = text.rfind(newline, 0, at) + 1
        if start == at or text[start:at].isspace():
            yield start, match


def _add_piece(library: Blocks, splitter: Any, line: int, stop: int | None) -> int:
    """Blocks bibtexparser reads in one piece, moved to their place in the file; returns
    how many of them failed.

    ``stop`` is the line (within the piece) where the next piece starts, if there is one.
    """
    from bibtexparser.model import ParsingFailedBlock

    log = logging.getLogger("bibtexparser.splitter")
    quiet, log.disabled = log.disabled, True  # it would also warn about the lookahead
    try:
        blocks = splitter.split().blocks
    finally:
        log.disabled = quiet
    failed = 0
    for block in blocks:
        _drop_traceback(block)
    for block in blocks:
        if stop is not None and block.start_line is not None and block.start_line >= stop:
            break  # the opening of the next piece, read only for its effect on this one
        _shift(block, line)
        added = library.add(block)
        failed += isinstance(block, ParsingFailedBlock) or isinstance(added, ParsingFailedBlock)
    return failed


def _drop_traceback(block: Any) -> None:
    """Forget where bibtexparser raised the error of a block it could not read.

    The traceback's frames lead, through their callers, to the frames reading the whole
    file, whose variables hold every block read so far; and the block holds its error:
    a cycle that kept all of that alive until the cyclic collector ran (which a load
    pauses). The message is all the reader uses.
    """
    error = getattr(block, "error", None)
    if isinstance(error, BaseException):
        error.__traceback__ = None
        error.__context__ = None


def _entry(text: str, head: re.Match[str], end: int, line: int) -> Any:
    """The :class:`RawEntry` of the entry whose head is ``head`` (the DuplicateFieldKeyBlock
    bibtexparser makes of one that repeats a field name), when the piece up to ``end`` is
    one well-formed entry: None otherwise, and for ``@string``, ``@comment`` or
    ``@preamble``, which bibtexparser reads its own way. ``line``: the piece's first line."""
    entry_type, key = head.group(1, 2)
    entry_type = entry_type.lower()
    if entry_type.startswith(_SPECIAL):
        return None
    at = head.start(1) - 1
    entry_line = line + text.count("\n", head.start(), at)
    field_line = entry_line + text.count("\n", at, head.end())
    fields: list[tuple[str, str]] = []
    lines: list[int] = []
    field = _FIELD.match
    pos = head.end()
    while True:
        match = field(text, pos, end)
        if match is None:
            close = _CLOSE.match(text, pos, end)
            if close is None:
                return None
            pos = close.end()
            break
        name, space, value, tail = match.groups()
        if "\n" in name:
            field_line += name.count("\n")  # a field's line is the line of its "="
        fields.append((name.strip(), value))
        lines.append(field_line)
        if "\n" in value:
            field_line += value.count("\n")
        if "\n" in space or "\n" in tail:  # rare: white space around "=" or the value
            field_line += space.count("\n") + tail.count("\n")
        pos = match.end()
        if text[pos - 1] == "}":
            break
    if pos < end and not text[pos:end].isspace():
        return None
    entry = RawEntry(entry_type, key.strip(), tuple(fields), lines, entry_line, text[at:pos], at)
    if len(dict(fields)) == len(fields):
        return entry
    from bibtexparser.model import DuplicateFieldKeyBlock

    keys = [name for name, _ in fields]
    return DuplicateFieldKeyBlock({k for k in keys if keys.count(k) > 1}, _to_entry(entry))


def _to_entry(entry: RawEntry) -> Any:
    """bibtexparser's Entry of a :class:`RawEntry`."""
    from bibtexparser.model import Entry, Field

    fields = [Field(n, v, line) for (n, v), line in zip(entry.fields, entry.lines, strict=True)]
    return Entry(entry.entry_type, entry.key, fields, entry.start_line, entry.raw)


def _shift(block: Any, offset: int) -> None:
    """Move a block parsed from a piece of the file (and its fields) down by ``offset`` lines."""
    inner = getattr(block, "ignore_error_block", None)
    for item in (block, inner) if inner is not None and inner is not block else (block,):
        if item._start_line_in_file is not None:
            item._start_line_in_file += offset
        for field in getattr(item, "fields", ()):
            if field._start_line is not None:
                field._start_line += offset
