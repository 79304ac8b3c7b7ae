"""A library file read a slice of entries at a time: in this process, or in several.

An export needs only the records, never the file's blocks, raw text or fields: reading a
few thousand entries at a time keeps only their records alive (a 100,000-entry export
peaked at 1.3 GiB when the whole file was parsed at once), and slices can be read, and
rendered, by worker processes side by side (:func:`map_slices`).

A slice reads exactly as it does in the whole file:

* it is cut where bibtexparser itself starts a block (``@type{`` at the start of a line),
  so no block is split;
* it is read after the file's *header* (the text before the first entry), so the
  ``@string`` macros and ``@preamble`` commands the entries use are defined for it as they
  are for the whole file. A file with such a block after its first entry is read whole:
  a slice could not know what was defined before it (a ``@preamble`` counts for the whole
  file, wherever it is).

Whatever else needs the whole text is also read whole (:func:`cut` returns None): a
backslash before a newline (bibtexparser then counts lines over the whole file), a NUL
byte, a file too small to be worth cutting. A slice that cannot be read alone (a problem
to report with its line, text that is not UTF-8) is reported as None: the caller then
reads the whole file, which gives the error its right line, or the right records.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TypeVar, cast

from .errors import CitekitError, LibraryError
from .model import Record

__all__ = ["SLICE", "ReadWhole", "Slices", "cut", "jobs", "map_slices"]

#: Entries in a slice read by one process at a time.
SLICE = 2_000
#: The fewest entries in a slice handed to a worker process (each costs a task and a reply).
MIN_SLICE = 250

#: Where bibtexparser starts a block (as :data:`citekit.bibtex.split._CUT`), with its type,
#: when only white space is before it on its line (:func:`_block_starts`).
_AT_BLOCK = re.compile(rb"@(\w*)[ \t]*(?=[{(])")
#: Blocks that define something for the entries after them (or, ``@preamble``, for all).
_DEFINITION = re.compile(rb"@\s*(?:string|preamble)\b", re.I)
#: Blocks that are not entries (exactly these: the header must hold no entry, since it is
#: read with every slice).
_NOT_ENTRIES = frozenset({b"comment", b"preamble", b"string"})

T = TypeVar("T")


class ReadWhole(CitekitError):
    """A slice cannot be read alone: the caller reads the whole file instead (which gives
    the records, or the error with its line). Caught by the caller; a citekit error all
    the same, so that a caller that forgot would still end with one line, not a traceback."""


@dataclass(frozen=True)
class Slices:
    """A file cut into slices of entries; each reads as it does in the whole file."""

    path: Path
    data: bytes
    header: bytes
    bounds: tuple[tuple[int, int], ...]
    newline: str = "\n"  # the whole file's line end, as it is read (a slice may differ)

    def __len__(self) -> int:
        return len(self.bounds)

    def read(self, index: int) -> tuple[Record, ...]:
        """The records of slice ``index``.

        Raises :class:`LibraryError` or :class:`UnicodeDecodeError` when the slice cannot
        be read alone: the whole file must then be read to say where the problem is.
        """
        from .library import slice_records

        start, end = self.bounds[index]
        return slice_records(self.header + self.data[start:end], str(self.path), self.newline)


def cut(path: Path, workers: int = 1) -> Slices | None:
    """``path`` cut into slices, or None when it must be read whole (see the module's
    docstring) or is too small to be worth cutting.

    Read in this process (``workers`` 1), a slice holds :data:`SLICE` entries; read by
    several, about a quarter of each worker's share (at least :data:`MIN_SLICE`), so that
    the workers finish together.
    """
    data = Path(path).read_bytes()  # bytes: 1 byte a character where a str may take 2 or 4
    starts = _block_starts(data)
    size = SLICE if workers < 2 else max(MIN_SLICE, min(SLICE, -(-len(starts) // (4 * workers))))
    if len(starts) <= size or b"\x00" in data or b"\\\n" in data:
        return None
    first = next((at for at, kind in starts if kind not in _NOT_ENTRIES), len(data))
    if _DEFINITION.search(data, first):
        return None
    body = [at for at, _ in starts if at >= first]
    cuts = [first, *body[size::size], len(data)]
    bounds = tuple((a, b) for a, b in pairwise(cuts) if a < b)
    from .bibtex.encoding import line_end

    newline = line_end(data.count(b"\r\n"), data.count(b"\n"), b"\r" in data)
    return Slices(Path(path), data, data[:first], bounds, newline)


def _block_starts(data: bytes) -> list[tuple[int, bytes]]:
    """Where each block of ``data`` starts (the start of its line), and its type in lower
    case: an ``@type{`` (or ``@type(``) with only white space before it on its line."""
    from .bibtex.split import at_line_start

    return [(start, match.group(1).lower()) for start, match in at_line_start(_AT_BLOCK, data)]


#: The most processes an export uses unless ``CITEKIT_JOBS`` says more: each holds a slice's
#: records (tens of MiB), and past a few the writing process is the bottleneck anyway.
MAX_JOBS = 8


def jobs() -> int:
    """How many processes an export may read with: ``CITEKIT_JOBS``, or the CPUs this
    process may run on, at most :data:`MAX_JOBS` (``CITEKIT_JOBS=1``: this process only)."""
    given = os.environ.get("CITEKIT_JOBS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_JOBS)


def map_slices(
    slices: Slices, work: Callable[[tuple[Record, ...]], T], workers: int
) -> Iterator[T | None]:
    """``work(records)`` of each of the ``slices``, in file order, computed by ``workers``
    processes.

    An item is None when its slice cannot be read alone: the caller reads the whole file
    (to raise its error, with the right line). ``work`` runs in the worker processes and
    only its result comes back: records cost far more to send than what is made of them.
    Worker processes are forked (they inherit the file's bytes instead of being sent
    them); where fork is not available, everything runs in this process.
    """
    import multiprocessing

    if workers < 2 or len(slices) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return (_run(slices, work, i) for i in range(len(slices)))
    return _in_pool(slices, work, min(workers, len(slices)))


def _in_pool(
    slices: Slices, work: Callable[[tuple[Record, ...]], T], workers: int
) -> Iterator[T | None]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, context, _start_worker, (slices, work)) as pool:
        futures = [pool.submit(_run_in_worker, i) for i in range(len(slices))]
        try:
            for future in futures:
                yield cast("T | None", future.result())  # what _run returned, in the worker
        except BrokenProcessPool:
            # A worker died (killed, out of memory): its slice will never come. The
            # caller reads the file in one process instead, which needs less memory.
            yield None
        finally:
            # An error, Ctrl-C or a caller that stops reading: no slice is started after
            # it, and leaving the ``with`` waits for the ones under way (a second or so).
            for future in futures:
                future.cancel()


#: What a worker process reads and does (set once, by :func:`_start_worker`).
_WORKER: tuple[Slices, Callable[[tuple[Record, ...]], object]] | None = None


def _start_worker(slices: Slices, work: Callable[[tuple[Record, ...]], object]) -> None:
    """Runs first in each worker (forked: ``slices`` is inherited, never pickled)."""
    import signal
    import sys

    global _WORKER
    _WORKER = (slices, work)
    # Ctrl-C is the parent's to handle (it stops the workers); a worker reports through its
    # results only, so its stderr is no terminal to draw progress on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker


def _run_in_worker(index: int) -> object:
    assert _WORKER is not None, "a worker runs only after _start_worker"
    return _run(*_WORKER, index)


def _run(slices: Slices, work: Callable[[tuple[Record, ...]], T], index: int) -> T | None:
    """``work`` of the records of slice ``index``, with the cyclic GC paused throughout.

    The reader pauses it while it parses (:func:`citekit.library.loads`); resumed between
    reading and ``work``, it would scan every object of the slice, all of them young and
    none in a cycle, and again as they aged (~5% of an export). Paused until the records
    are let go, it finds only the few objects that outlive the slice. The cycles that
    pylatexenc leaves are collected by the reader itself, when it made any.
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _read_and_work(slices, work, index)
    finally:
        if paused:
            gc.enable()


def _read_and_work(slices: Slices, work: Callable[[tuple[Record, ...]], T], index: int) -> T | None:
    try:
        records = slices.read(index)
    except (LibraryError, UnicodeDecodeError):
        return None
    return work(records)
