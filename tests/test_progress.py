"""Progress on stderr (issue 14 item 4): drawn on a terminal only, and only for a phase
that lasts; the sequence a writer iterates is the records, unchanged."""

from __future__ import annotations

import io
import time

from citekit.progress import progress_bar, status, tracked


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tracked_draws_a_bar_on_a_terminal_and_hands_the_same_items() -> None:
    items = tuple(range(1000))
    terminal = _Terminal()
    with tracked(items, "writing references.json", terminal, delay=0.0) as view:
        assert list(view) == list(items) and len(view) == 1000
        assert view[3] == 3 and list(view[10:12]) == [10, 11]
    assert "writing references.json" in terminal.getvalue()
    assert "1000/1000" in terminal.getvalue()


def test_nothing_is_drawn_off_a_terminal_or_for_a_short_phase() -> None:
    items = list(range(1000))
    quiet = io.StringIO()
    with tracked(items, "writing", quiet, delay=0.0) as view:
        assert view is items  # no wrapper at all off a terminal
    with status("reading references.bib", quiet, delay=0.0):
        time.sleep(0.05)
    assert quiet.getvalue() == ""
    short = _Terminal()
    with tracked(items, "writing", short) as view:  # the default delay: not reached
        assert sum(view) == sum(items)
    with status("reading references.bib", short):
        pass
    with progress_bar(1000, "writing", short, delay=60.0) as advance:
        advance(None)
    assert short.getvalue() == ""


def test_status_shows_a_spinner_while_a_long_phase_runs() -> None:
    terminal = _Terminal()
    with status("reading references.bib", terminal, delay=0.0):
        time.sleep(0.3)  # the spinner is drawn by rich's refresh thread
    assert "reading references.bib" in terminal.getvalue()
