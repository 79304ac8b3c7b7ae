"""biber validates citekit's BibLaTeX against biblatex's data model: no ERROR, no WARN."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ..conftest import require_binary
from .common import SETS, record_sets

pytestmark = pytest.mark.consumer


@pytest.mark.parametrize("which", SETS)
def test_biber_validates_the_biblatex_flavour(tmp_path: Path, which: str) -> None:
    from citekit.writers.bibtex import format_biblatex

    biber = require_binary("biber")
    records = record_sets()[which]
    source = tmp_path / "refs.bib"
    source.write_text(format_biblatex(records), encoding="utf-8")
    run = subprocess.run(
        [
            biber,
            "--tool",
            "--validate-datamodel",
            "--nolog",
            "-O",
            str(tmp_path / "out.bib"),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = run.stdout + run.stderr
    problems = [line for line in report.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert problems == [], report
    assert run.returncode == 0, report
    # biber re-emits every entry it read (it drops what it cannot parse).
    written = (tmp_path / "out.bib").read_text(encoding="utf-8")
    assert written.count("\n@") + written.startswith("@") == len(records)
