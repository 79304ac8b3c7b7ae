"""Issue #18, build 7: entry types survive the BibLaTeX export, map to BibTeX's and CSL's.

Before: ``@inbook`` → ``@incollection``, ``@manual`` → ``@report``, ``@xdata``/``@set``/
``@video``/``@booklet``/``@periodical``/``@standard``/``@legislation``/``@bookinbook`` →
``@misc`` in the BibLaTeX export, and ``document`` in CSL; each case below fails there.
"""

from __future__ import annotations

import json

import pytest

from citekit.library import loads
from citekit.writers.bibtex import format_biblatex, format_bibtex
from citekit.writers.csljson import format_csljson

# (biblatex type, its BibTeX type, its CSL type)
CASES = [
    ("inbook", "inbook", "chapter"),
    ("bookinbook", "inbook", "book"),
    ("manual", "manual", "report"),
    ("booklet", "booklet", "pamphlet"),
    ("xdata", "misc", "document"),
    ("set", "misc", "document"),
    ("video", "misc", "motion_picture"),
    ("movie", "misc", "motion_picture"),
    ("periodical", "misc", "periodical"),
    ("standard", "misc", "standard"),
    ("legislation", "misc", "legislation"),
    ("mvbook", "book", "book"),
    ("collection", "book", "book"),
    ("suppcollection", "incollection", "chapter"),
    ("report", "techreport", "report"),
    ("thesis", "phdthesis", "thesis"),
    ("online", "misc", "webpage"),
]


def _entry(etype: str) -> str:
    return f"@{etype}{{k{etype}, title = {{A {etype}}}, author = {{Doe, Jane}}, date = 2020}}\n"


@pytest.mark.parametrize(("etype", "bibtex", "csl"), CASES)
def test_types_in_each_format(etype: str, bibtex: str, csl: str) -> None:
    records = loads(_entry(etype)).records
    assert format_biblatex(records).startswith(f"@{etype}{{")
    assert format_bibtex(records).startswith(f"@{bibtex}{{")
    assert json.loads(format_csljson(records))[0]["type"] == csl


def test_a_masters_thesis_is_one_in_bibtex() -> None:
    lib = loads("@thesis{t, title = {T}, author = {A, B}, type = {mathesis}, year = 2020}\n")
    assert format_bibtex(lib.records).startswith("@mastersthesis{")


def test_manual_keeps_its_organization() -> None:
    records = loads("@manual{m, title = {T}, organization = {CTAN}, year = 2020}\n").records
    assert "organization  = {CTAN}" in format_biblatex(records)
    assert "institution" not in format_biblatex(records)
