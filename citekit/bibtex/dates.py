"""BibTeX/BibLaTeX date text → :class:`~citekit.model.Date` (pure).

``date`` fields as biblatex reads them: ISO 8601 (``2020``, ``2020-05``, ``2020-05-28``),
with a time (``2020-05-28T10:30:00Z``: the time is dropped), EDTF level 1 (``2020-21``
seasons, ``1984~`` / ``1984?`` approximate or uncertain, negative years ``-0379``),
ranges (``1984/1986``, ``1996-12-10/1996-12-12``) and open ranges (``1996/``, ``1996/..``).
``month`` fields as people write them: ``jan``, ``7``, ``July``, ``July 30th``, ``30 July``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Date
from .latex import collapse

__all__ = ["MONTHS", "month_day", "parse_date"]

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}

_ONE = re.compile(
    r"^(-?\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"([~?%]?)$"
)
_MONTH_WORD = re.compile(r"[A-Za-z]+")
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")


@lru_cache(maxsize=4096)  # dates repeat, and a Date is immutable
def parse_date(value: str) -> Date | None:
    """A ``date`` field's text → Date (a range has its ``end``); None when unreadable."""
    text = collapse(value).strip()
    if "/" not in text:
        return _one(text)
    start_text, _, end_text = text.partition("/")
    start = _one(start_text)
    if start is None:
        return None
    if end_text in ("", ".."):
        return _with_end(start, Date())
    end = _one(end_text)
    if end is None or end.end is not None:
        return None
    return _with_end(start, end)


def _with_end(start: Date, end: Date) -> Date:
    return Date(start.year, start.month, start.day, start.literal, end, start.season, start.circa)


def _one(text: str) -> Date | None:
    match = _ONE.match(text)
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    circa = bool(match.group(4))
    if month is not None and 21 <= month <= 24 and day is None:
        return Date(year=year, season=month - 20, circa=circa)
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return Date(year=year, month=month, day=day, circa=circa)


@lru_cache(maxsize=1024)
def month_day(value: str) -> tuple[int | None, int | None]:
    """A ``month`` field's text → (month, day): ``jul`` → (7, None), ``July 30th`` → (7, 30)."""
    text = collapse(value).strip("{}").strip().lower().rstrip(".")
    if text.isdigit():
        return (int(text), None) if 1 <= int(text) <= 12 else (None, None)
    if text in MONTHS:
        return MONTHS[text], None
    words = _MONTH_WORD.findall(text)
    months = [MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in MONTHS]
    if len(months) != 1:
        return None, None
    days = [int(d) for d in _DAY.findall(text) if 1 <= int(d) <= 31]
    return months[0], days[0] if len(days) == 1 else None
