"""A writer's text in pieces, made as they are asked for (issue 14: an export of 100,000
entries is streamed to its file by :func:`citekit.fileio.write_atomic`, never held whole).

Each ``format_*`` writer is ``"".join`` of its ``*_chunks`` counterpart, so both give the
same bytes by construction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

__all__ = ["BATCH", "joined"]

#: Parts (one a record) joined into one piece: large enough that the per-piece costs
#: (encoding, a write, a comparison with the old file) vanish, small enough to stay ~1 MB.
BATCH = 1_000


def joined(parts: Iterable[str], sep: str = "", batch: int = BATCH) -> Iterator[str]:
    """``sep.join(parts)`` in pieces of ``batch`` parts each (nothing for no parts)."""
    it = iter(parts)
    lead = ""
    while group := list(itertools.islice(it, batch)):
        yield lead + sep.join(group)
        lead = sep
