"""Issue #18: the real-world corpus through the real readers of citekit's BibTeX exports.

For every file of ``tests/data/realworld/`` that citekit reads:

* the BibLaTeX export passes ``biber --tool --validate-datamodel`` with no warning that the
  input file did not already have (before #18, ``@inbook`` → ``@incollection`` and friends
  gave "Missing mandatory field"/"Invalid field" warnings on files that were clean);
* the BibTeX export runs through ``bibtex`` with ``plain.bst`` with no error the input
  does not already give;
* one ``pdflatex`` + ``biber`` run typesets the LaTeX-heavy entries (their text, not the
  names of their commands).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from citekit.library import Library, load
from citekit.writers.bibtex import format_biblatex, format_bibtex

from ..conftest import require_binary

pytestmark = pytest.mark.consumer

CORPUS = Path(__file__).resolve().parent.parent / "data" / "realworld"


def _readable() -> list[Path]:
    out = []
    for path in sorted(CORPUS.glob("*.bib")):
        try:
            load(path)
        except Exception:
            continue
        out.append(path)
    return out


READABLE = _readable()


def _biber_warnings(biber: str, source: Path, tmp: Path) -> set[str]:
    run = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--nolog", "-O", str(tmp / "o.bib"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = set()
    for line in (run.stdout + run.stderr).splitlines():
        if line.startswith(("WARN", "ERROR")) and "WARNINGS:" not in line:
            message = line.split(" - ", 1)[-1]
            message = re.sub(r"\([^()]*\.bib\)|/tmp/\S+|line \d+", "", message)
            # a value is quoted as the file has it: "1995--1996" and "1995–1996" are one warning
            found.add(re.sub(r"'[^']*'", "'…'", message).strip())
    return found


def test_biblatex_exports_add_no_biber_warning(tmp_path: Path) -> None:
    """All files at once (biber's start-up is most of its time): the inputs, then the exports."""
    biber = require_binary("biber")
    inputs: list[str] = []
    exports: list[str] = []
    for path in READABLE:
        try:  # biber reads UTF-8 (the 8-bit and UTF-16 files are the reader tests' business)
            inputs.append(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError:
            continue
        library = load(path)
        cited = [r for r in library.records if r.key]  # the exports skip keyless entries
        exports.append(format_biblatex(cited, library.preamble))
    before = _biber_warnings(biber, _write(tmp_path / "inputs.bib", "\n".join(inputs)), tmp_path)
    after = _biber_warnings(biber, _write(tmp_path / "exports.bib", "\n".join(exports)), tmp_path)
    assert after - before == set()


def _bibtex_errors(bibtex: str, bib: Path, tmp: Path) -> list[str]:
    work = tmp / bib.stem
    work.mkdir()
    shutil.copy(bib, work / "refs.bib")
    (work / "refs.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    subprocess.run([bibtex, "-terse", "refs"], cwd=work, capture_output=True, check=False)
    log = (work / "refs.blg").read_text(encoding="utf-8", errors="replace")
    # an error is a message followed by "---line N of file", or one bibtex stops on
    errors = re.findall(r"^(.*)---line \d+ of file", log, re.MULTILINE)
    errors += re.findall(
        r"^(I was expecting .*|I'm skipping .*|A bad cross reference.*)$", log, re.M
    )
    return sorted(re.sub(r"\d+", "N", e) for e in errors)


@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_bibtex_export_adds_no_bibtex_error(tmp_path: Path, path: Path) -> None:
    bibtex = require_binary("bibtex")
    library = load(path)
    export = tmp_path / "export.bib"
    cited = [r for r in library.records if r.key]  # the exports skip keyless entries
    export.write_text(format_bibtex(cited, library.preamble), encoding="utf-8")
    before = _bibtex_errors(bibtex, path, tmp_path)
    after = _bibtex_errors(bibtex, export, tmp_path)
    assert [e for e in after if e not in before] == []


HEAVY = r"""@preamble{ "\providecommand{\acro}[1]{\textsc{#1}}\providecommand{\TUB}{TUGboat}" }

@article{heavy,
  author = {Franc{\ocirc{u}}, Jan and Nguy{\~{\^e}}n, V{\u{a}}n and {\v R}eh{\r u}{\v r}ek, Radim},
  title = {3\textsuperscript{rd} \acro{PDF} study of {\sc Conniver}: In\textsubscript{x}Ga$_{1-x}$N
           and ``Anomalous'' \emph{results} in \TUB},
  journal = {J. \LaTeX{} \& \TeX},
  year = 2020,
}
"""


def test_pdflatex_and_biber_typeset_latex_heavy_entries(tmp_path: Path) -> None:
    pdflatex = require_binary("pdflatex")
    biber = require_binary("biber")
    pdftotext = shutil.which("pdftotext")
    library: Library = load(_write(tmp_path / "in.bib", HEAVY))
    _write(tmp_path / "refs.bib", format_biblatex(library.records, library.preamble))
    _write(
        tmp_path / "doc.tex",
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
        "\\usepackage[backend=biber,safeinputenc]{biblatex}\\addbibresource{refs.bib}"
        "\\begin{document}\\nocite{*}\\printbibliography\\end{document}\n",
    )
    for command in ([pdflatex, "-interaction=nonstopmode", "doc"], [biber, "doc"]):
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout[-3000:]
    run = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "doc"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0 and "Undefined control sequence" not in log, log[-3000:]
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert "\\acro{PDF}" in bbl and "\\TUB" in bbl  # passed through as TeX, not as text
    if pdftotext:
        subprocess.run([pdftotext, "doc.pdf", "doc.txt"], cwd=tmp_path, check=True)
        text = " ".join((tmp_path / "doc.txt").read_text(encoding="utf-8").split())
        # (pdftotext reads accents of T1 fonts as separate marks: ASCII words are checked)
        for typeset in ("TUGboat", "3rd PDF study of Conniver", "Franc", "Nguy", "results"):
            assert typeset in text, text
        assert "acro" not in text and "textbackslash" not in text, text


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
