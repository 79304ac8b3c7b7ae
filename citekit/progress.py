"""Progress on stderr for runs longer than a moment; silent when stderr is not a terminal.

Three shapes, all transient (the line is gone when the phase ends) and all drawn by rich:

* :func:`progress_bar` — ``advance(item)`` per finished item (resolve, add);
* :func:`tracked` — a sequence whose iteration moves a bar (each export file);
* :func:`status` — a spinner with the time elapsed, for a phase with no count to show
  (reading the library, a Zotero sync).

A phase that may be short waits ``delay`` seconds before it draws anything, so a small
library prints nothing; only a phase that lasts shows it is alive.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, overload

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["DELAY", "progress_bar", "status", "tracked"]

#: Fewer items than this finish too fast for a bar to help.
MIN_ITEMS = 3
#: Seconds a phase runs before its progress appears (about a second, as the issue asks).
DELAY = 0.8

T = TypeVar("T")


def _terminal(stream: TextIO | None) -> TextIO | None:
    """``stream`` (default stderr) when it is a terminal, else None."""
    stream = stream if stream is not None else sys.stderr
    try:
        return stream if stream.isatty() else None
    except (AttributeError, ValueError):  # closed or not a real stream
        return None


def _bar(stream: TextIO, spinner: bool = False) -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream)
    if spinner:
        columns: tuple[Any, ...] = (SpinnerColumn(), TextColumn("{task.description}"))
        return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


class _Deferred:
    """A rich Progress that starts drawing only once ``delay`` seconds have gone by."""

    def __init__(self, bar: Progress, delay: float) -> None:
        self.bar = bar
        self.due = time.monotonic() + delay
        self.started = False

    def poke(self) -> None:
        if not self.started and time.monotonic() >= self.due:
            self.started = True
            self.bar.start()

    def stop(self) -> None:
        if self.started:
            self.bar.stop()


@contextmanager
def progress_bar(
    total: int, label: str, stream: TextIO | None = None, delay: float = 0.0
) -> Iterator[Callable[[Any], None]]:
    """Yield ``advance(item)``; draws a bar only when ``stream`` (stderr) is a terminal."""
    out = _terminal(stream)
    if total < MIN_ITEMS or out is None:
        yield lambda _item: None
        return
    shown = _Deferred(_bar(out), delay)
    task = shown.bar.add_task(label, total=total)
    shown.poke()

    def advance(_item: Any) -> None:
        shown.bar.advance(task)
        shown.poke()

    try:
        yield advance
    finally:
        shown.stop()


@contextmanager
def tracked(
    items: Sequence[T], label: str, stream: TextIO | None = None, delay: float = DELAY
) -> Iterator[Sequence[T]]:
    """``items`` as a sequence whose iteration moves a bar labelled ``label``.

    For a writer that takes the whole sequence: the bar shows how far the pass under way
    has gone (a writer that reads the records twice fills it twice).
    """
    out = _terminal(stream)
    if len(items) < MIN_ITEMS or out is None:
        yield items
        return
    shown = _Deferred(_bar(out), delay)
    task = shown.bar.add_task(label, total=len(items))

    def update(done: int) -> None:
        shown.bar.update(task, completed=done)
        shown.poke()

    try:
        yield _Tracked(items, update)
    finally:
        shown.stop()


class _Tracked(Sequence[T]):
    """A read-only view of a sequence that reports how far an iteration has gone."""

    def __init__(self, items: Sequence[T], update: Callable[[int], None]) -> None:
        self._items = items
        self._update = update
        self._step = max(1, len(items) // 200)  # a few hundred redraws at most

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        step, update = self._step, self._update
        for done, item in enumerate(self._items, start=1):
            yield item
            if done % step == 0:
                update(done)
        update(len(self._items))


@contextmanager
def status(label: str, stream: TextIO | None = None, delay: float = DELAY) -> Iterator[None]:
    """A spinner with ``label`` and the time elapsed while the block runs (terminal only).

    It appears after ``delay`` seconds (a timer thread: the phase itself reports nothing).
    """
    out = _terminal(stream)
    if out is None:
        yield
        return
    shown = _Deferred(_bar(out, spinner=True), 0.0)
    shown.bar.add_task(label, total=None)
    lock = threading.Lock()
    done = False

    def start() -> None:
        with lock:
            if not done:
                shown.poke()

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            done = True
            shown.stop()
