"""BibTeX with plain.bst reads both flavours with zero errors; every warning is explained."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ..conftest import require_binary
from .common import FLAVOURS, SETS, WRITERS, record_sets

pytestmark = pytest.mark.consumer

#: Every warning plain.bst may give on citekit's output, and why it is right to give it.
EXPLAINED = {
    # A web page (special2023chars) has no author; plain.bst sorts by author or key.
    r"to sort, need author or key in \w+": "web pages without an author",
    # King's book has an author and the estate as editor; plain.bst prints only one.
    r"can't use both author and editor fields in \w+": "a book with author and editor",
    # BibLaTeX flavour only: plain.bst knows neither @online/@report/@thesis/@software/
    # @dataset nor journaltitle/date/institution for theses, which biber reads instead.
    r'entry type for "\w+" isn\'t style-file defined': "biblatex entry types",
    r"empty (journal|year|institution|school|booktitle|publisher) in \w+": "biblatex fields",
    r"empty year in \w+": "biblatex date",
}
_BIBLATEX_ONLY = set(list(EXPLAINED)[2:])


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("which", SETS)
def test_bibtex_reads_every_entry(tmp_path: Path, which: str, flavour: str) -> None:
    bibtex = require_binary("bibtex")
    records = record_sets()[which]
    (tmp_path / "refs.bib").write_text(WRITERS[flavour](records), encoding="utf-8")
    (tmp_path / "refs.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    run = subprocess.run(
        [bibtex, "-terse", "refs"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    log = (tmp_path / "refs.blg").read_text(encoding="utf-8", errors="replace")
    assert run.returncode in (0, 1), log
    assert "error message" not in log, log
    bbl = (tmp_path / "refs.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem{") == len(records)
    allowed = {p for p in EXPLAINED if flavour == "biblatex" or p not in _BIBLATEX_ONLY}
    for warning in re.findall(r"^Warning--(.*)$", log, re.MULTILINE):
        assert any(re.fullmatch(p, warning) for p in allowed), f"unexplained: {warning}"
