"""Issue #18 build 8: dates, titles and names as biblatex reads them.

Before: ``date = {1984/1986}`` (ranges, EDTF, datetimes) gave no issued date at all;
``month = {July 30th}`` lost month and day; ``subtitle`` was not in the CSL title;
``given={John}, family={Smith}`` became ``{"family": "given=John", …}``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citekit.bibtex.dates import month_day, parse_date
from citekit.library import load, loads
from citekit.model import Date, Name
from citekit.writers.bibtex import format_biblatex, format_bibtex
from citekit.writers.csljson import format_csljson
from citekit.writers.inherit import derived

CORPUS = Path(__file__).resolve().parent / "data" / "realworld"


@pytest.mark.parametrize(
    ("key", "csl"),
    [
        ("range1", {"date-parts": [[1034]]}),  # open end: the start is what CSL can say
        ("season1", {"date-parts": [[2003]], "season": 1}),
        ("time1", {"date-parts": [[2001, 1, 3]]}),
        ("mill1", {"date-parts": [[2016, 1, 19]]}),
    ],
)
def test_biber_dateformats_read_into_csl(key: str, csl: dict[str, object]) -> None:
    records = {r.key: r for r in load(CORPUS / "biber-dateformats.bib").records}
    items = {i["id"]: i for i in json.loads(format_csljson([records[key]]))}
    assert items[key]["issued"] == csl


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("1984/1986", Date(1984, end=Date(1986))),
        ("1996-12-10/1996-12-12", Date(1996, 12, 10, end=Date(1996, 12, 12))),
        ("2020-03~", Date(2020, 3, circa=True)),
        ("2020-21", Date(2020, season=1)),
        ("2020-05-28T10:30:00+02:00", Date(2020, 5, 28)),
        ("1996/..", Date(1996, end=Date())),
        ("-0379-02", Date(-379, 2)),
        ("1996-13-03", None),
        ("199X", None),
    ],
)
def test_parse_date(text: str, date: Date | None) -> None:
    assert parse_date(text) == date


def test_a_range_round_trips_through_both_bibtex_flavours_and_csl() -> None:
    library = loads("@book{a, title = {T}, date = {1984/1986}}\n")
    record = library.records[0]
    assert json.loads(format_csljson([record]))[0]["issued"] == {"date-parts": [[1984], [1986]]}
    for text in (format_bibtex([record]), format_biblatex([record])):
        assert loads(text).records[0].issued == record.issued


@pytest.mark.parametrize(
    ("month", "expected"),
    [("July 30th", (7, 30)), ("30 July", (7, 30)), ("jul", (7, None)), ("Spring", (None, None))],
)
def test_ordinal_months(month: str, expected: tuple[int | None, int | None]) -> None:
    assert month_day(month) == expected
    record = loads(f"@book{{a, title = {{T}}, year = 2020, month = {{{month}}}}}\n").records[0]
    assert record.issued is not None
    assert (record.issued.month, record.issued.day) == expected


def test_subtitle_and_titleaddon_are_appended_for_csl() -> None:
    text = (
        "@book{a, title = {Main}, subtitle = {A Study}, titleaddon = {Reprint}}\n"
        "@book{b, title = {Why?}, subtitle = {Because}}\n"
    )
    library = loads(text)
    titles = [i["title"] for i in json.loads(format_csljson(derived(library.records)))]
    # CSL-JSON titles are in sentence case (#15 item 4): "A Study" reads as Title Case
    assert titles == ["Main. A study. Reprint", "Why? Because"]
    assert "subtitle" in format_biblatex(library.records)  # the .bib keeps the field


def test_extended_name_format() -> None:
    text = (
        "@book{a, title = {T}, author = {given={John}, family={Smith} and "
        "family=Rabble, prefix=von, given=Richard, useprefix=true}}\n"
    )
    record = loads(text).records[0]
    assert record.author == (
        Name(family="Smith", given="John"),
        Name(family="Rabble", given="Richard", particle="von"),
    )
