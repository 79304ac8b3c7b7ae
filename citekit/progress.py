"""A progress bar on stderr for runs longer than a moment; silent when not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["progress_bar"]

#: Fewer items than this finish too fast for a bar to help.
MIN_ITEMS = 3


@contextmanager
def progress_bar(
    total: int, label: str, stream: TextIO | None = None
) -> Iterator[Callable[[Any], None]]:
    """Yield ``advance(item)``; draws a rich bar only when ``stream`` is a terminal."""
    stream = stream if stream is not None else sys.stderr
    if total < MIN_ITEMS or not stream.isatty():
        yield lambda _item: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda _item: bar.advance(task)
