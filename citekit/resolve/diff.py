"""The ``--dry-run`` diff of the library, in time linear in the file and the changes.

``difflib.unified_diff`` over the whole file costs quadratic time on a large library
(80 % of a 20,000-entry ``build`` went there, diff or no diff). The library already knows
which of its parts changed (:func:`citekit.library.pieces` gives the old and the new text
part by part, aligned), so only the lines of a changed part are handed to difflib; the
text between changed parts is equal by construction. The output is a unified diff as
``diff -u`` / ``patch`` read it, with three lines of context.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Literal

__all__ = ["unified"]

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]
CONTEXT = 3


def unified(before: Sequence[str], after: Sequence[str], name: str) -> str:
    """The unified diff from the text ``"".join(before)`` to ``"".join(after)``.

    ``before`` and ``after`` are the same texts cut into aligned pieces (piece ``i`` of one
    stands where piece ``i`` of the other does; the shorter list is padded with "").
    """
    old, new = _lines("".join(before)), _lines("".join(after))
    ops = list(_opcodes(before, after, old, new))
    if all(tag == "equal" for tag, *_ in ops):
        return ""
    out = [f"--- {name}\n", f"+++ {name}\n"]
    for group in _Known(ops).get_grouped_opcodes(CONTEXT):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [_line(" ", line) for line in old[i1:i2]]
                continue
            out += [_line("-", line) for line in old[i1:i2]]
            out += [_line("+", line) for line in new[j1:j2]]
    return "".join(out)


def _line(mark: str, line: str) -> str:
    """One line of a hunk; a last line without its newline is marked as ``diff`` does."""
    if line.endswith("\n"):
        return mark + line
    return f"{mark}{line}\n\\ No newline at end of file\n"


class _Known(difflib.SequenceMatcher[str]):
    """difflib's hunk grouping over opcodes computed elsewhere."""

    def __init__(self, ops: list[Opcode]) -> None:
        super().__init__(None, [], [])
        self._ops = ops

    def get_opcodes(self) -> list[Opcode]:
        return self._ops


def _lines(text: str) -> list[str]:
    """``text`` as lines that keep their "\\n" (only "\\n" ends a line, as in the file)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _opcodes(
    before: Sequence[str], after: Sequence[str], old: list[str], new: list[str]
) -> Iterator[Opcode]:
    """difflib opcodes of ``old`` → ``new``: difflib inside each changed region, "equal"
    between them."""
    i = j = 0
    for lo_a, hi_a, lo_b, hi_b in _regions(before, after, len(old), len(new)):
        if lo_a > i:
            yield ("equal", i, lo_a, j, lo_b)
        matcher = difflib.SequenceMatcher(None, old[lo_a:hi_a], new[lo_b:hi_b], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            yield (tag, lo_a + i1, lo_a + i2, lo_b + j1, lo_b + j2)
        i, j = hi_a, hi_b
    if i < len(old) or j < len(new):
        yield ("equal", i, len(old), j, len(new))


def _regions(
    before: Sequence[str], after: Sequence[str], n_old: int, n_new: int
) -> Iterator[tuple[int, int, int, int]]:
    """Line ranges (old lo, old hi, new lo, new hi) that hold every differing piece.

    A range takes in every line a differing piece touches, whole; ranges that meet are
    merged. Between two ranges both texts hold the same pieces, so the same lines.
    """
    line_a = line_b = 0  # lines ended before the current piece
    pending: list[int] | None = None
    for k in range(max(len(before), len(after))):
        a = before[k] if k < len(before) else ""
        b = after[k] if k < len(after) else ""
        ends_a, ends_b = a.count("\n"), b.count("\n")
        if a != b:
            # the line the piece starts on, through the line it ends on (whole lines)
            region = [
                line_a,
                min(line_a + ends_a + 1, n_old),
                line_b,
                min(line_b + ends_b + 1, n_new),
            ]
            if pending is not None and region[0] <= pending[1]:
                pending[1], pending[3] = max(pending[1], region[1]), max(pending[3], region[3])
            else:
                if pending is not None:
                    yield (pending[0], pending[1], pending[2], pending[3])
                pending = region
        line_a += ends_a
        line_b += ends_b
    if pending is not None:
        yield (pending[0], pending[1], pending[2], pending[3])


def _range(start: int, stop: int) -> str:
    """A unified diff range (``start,length``, 1-based; as difflib writes it)."""
    length = stop - start
    first = start + 1
    if length == 1:
        return f"{first}"
    if not length:
        first -= 1  # an empty range names the line before it
    return f"{first},{length}"
