"""Issue #18, build 6: LaTeX text commands → CSL rich text; preamble commands; unknown ones.

Every case here was literal LaTeX (or ``{\\textbackslash}`` text) in CSL-JSON and in both
BibTeX exports before: each test fails on the code before the change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citekit.bibtex.latex import decode, encode
from citekit.bibtex.texmath import rich_math
from citekit.library import load, loads
from citekit.model import csl_text, plain_text
from citekit.writers.bibtex import format_biblatex, format_bibtex
from citekit.writers.csljson import format_csljson

SC = '<span style="font-variant:small-caps;">{}</span>'
NOCASE = '<span class="nocase">{}</span>'


@pytest.mark.parametrize(
    ("latex", "rich"),
    [
        (r"3\textsuperscript{rd} edition", "3<sup>rd</sup> edition"),
        (r"In\textsubscript{x}Ga", "In<sub>x</sub>Ga"),
        (r"An \emph{Italic} word", "An <i>Italic</i> word"),
        (r"\textit{a} \textbf{b}", "<i>a</i> <b>b</b>"),
        (r"{\em Italic} and {\bf bold}", "<i>Italic</i> and <b>bold</b>"),
        (r"{\sc CONNIVER} manual", SC.format("CONNIVER") + " manual"),
        (r"\textsc{Small} caps", SC.format("Small") + " caps"),
        (r"\enquote{Quoted} text", "\u201cQuoted\u201d text"),
        ("``Anomalous'' results", "\u201cAnomalous\u201d results"),
        (r"A \mbox{B} c", "A B c"),
        (r"see \url{http://x.org/a_b}", "see http://x.org/a_b"),
        (r"see \href{http://x.org}{the site}", "see the site"),
        (r"Writing in \LaTeX{} and \TeX", "Writing in LaTeX and TeX"),
        (r"Franc{\ocirc{u}}", "Franců"),
        (r"Nguy{\~{\^e}}n", "Nguyễn"),
        (r"\textsubring{a} \textsubdot{s}", "\u1e01 \u1e63"),
        ("$x^2$ stays math", "$x^2$ stays math"),  # the record keeps TeX math
    ],
)
def test_text_commands_become_csl_rich_text(latex: str, rich: str) -> None:
    assert decode(latex, protect=True) == rich
    assert decode(latex) == plain_text(rich)


@pytest.mark.parametrize(
    ("text", "csl"),
    [
        ("H$_2$O", "H<sub>2</sub>O"),
        ("$\\alpha$-helix", "α-helix"),
        ("$^{13}$C", "<sup>13</sup>C"),
        ("In$_{1-x}$Ga$_x$N", "In<sub>1\u2212x</sub>Ga<sub>x</sub>N"),
        ("$O(n \\log n)$ time", "O(n log n) time"),
        ("$x \\leq 1$", "x ≤ 1"),
        ("$\\frac{a}{b}$ kept", "$\\frac{a}{b}$ kept"),  # not simple: stays TeX inside math
        ("costs $5 and $6", "costs $5 and $6"),  # dollars, not math
    ],
)
def test_simple_math_becomes_unicode_in_csl(text: str, csl: str) -> None:
    assert rich_math(text) == csl


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\unknownmacro{x} y", "x y"),  # its argument's text
        (r"Lao\2", "Lao2"),  # Glottolog's marker: its name
        (r"\foo y", "foo y"),  # never glued to the next word
        (r"\MF{} fonts", "MF fonts"),
    ],
)
def test_unknown_commands_keep_text_never_a_backslash(latex: str, text: str) -> None:
    assert decode(latex) == text
    rich = decode(latex, protect=True)
    assert csl_text(rich) == text
    assert plain_text(rich) == text
    # ... and the BibTeX writers write the command back as TeX, not as \textbackslash text
    written = encode(rich, protect=True)
    assert "textbackslash" not in written
    assert decode(written, protect=True) == rich


def test_tex_spans_from_outside_cannot_carry_dangerous_commands() -> None:
    hostile = '<span class="tex" data-tex="\\input{/etc/passwd}">x</span>'
    assert "\\input" not in encode(hostile, protect=True)
    hostile = '<span class="tex" data-tex="\\foo{\\input{x}}">x</span>'
    assert "\\input" not in encode(hostile, protect=True)


@pytest.mark.parametrize(
    "rich",
    [
        '3<sup>rd</sup> <i>Italic <span class="nocase">Bayesian</span></i> GPT-4',
        SC.format("Conniver") + " and <b>bold</b> H<sub>2</sub>O",
        "\u201cQuoted\u201d and a literal <i> tag",
        "unclosed <b>bold and </i> stray",
    ],
)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_rich_text_round_trips_through_the_bibtex_writers(rich: str, ascii_only: bool) -> None:
    latex = encode(rich, ascii_only=ascii_only, protect=True)
    assert decode(latex, protect=True) == rich
    assert encode(decode(latex, protect=True), ascii_only=ascii_only, protect=True) == latex


def test_typed_tex_quotes_stay_quotes_through_the_writer() -> None:
    for text in ("two `` backticks", "two '' apostrophes"):
        assert decode(encode(text)) == text


def test_stacked_accents_are_nested_commands_in_ascii_bibtex() -> None:
    assert encode("Nguyễn") == r"Nguy{\~{\^{e}}}n"
    assert decode(encode("Nguyễn")) == "Nguyễn"
    lib = loads("@article{k, author = {Nguy{\\~{\\^e}}n, V{\\u{a}}n}, title = {T}}\n")
    assert format_bibtex(lib.records).isascii()


TUGBOAT = r"""@preamble{ "\def\MF{{\sc Metafont}}" # "\newcommand{\acro}[1]{\textsc{#1}}" }
@PREAMBLE{{\providecommand{\TUB}{TUGboat} \ifx\undefined\BibTeX \def\BibTeX{Bib\TeX}\fi}}

@article{tub1,
  author = {Knuth, Donald},
  title = {\acro{PDF} output from \MF{} and {\BibTeX}},
  journal = {\TUB},
  year = {1990},
}
"""


def test_preamble_commands_are_expanded_for_csl() -> None:
    lib = loads(TUGBOAT)
    item = json.loads(format_csljson(lib.records))[0]
    # sentence case with case protection (#15 item 4): Metafont is a sentence-case
    # title's proper noun, PDF and BibTeX carry their case
    assert item["title"] == NOCASE.format("PDF") + " output from " + NOCASE.format(
        "Metafont"
    ) + " and " + NOCASE.format("BibTeX")
    assert item["container-title"] == "TUGboat"
    assert "\\" not in json.dumps(item).replace('\\"', "")  # JSON's escaped quotes aside


@pytest.mark.parametrize("writer", [format_bibtex, format_biblatex])
def test_bibtex_exports_keep_preamble_commands_and_the_preamble(writer: object) -> None:
    lib = loads(TUGBOAT)
    text = writer(lib.records, lib.preamble)  # type: ignore[operator]
    assert text.startswith('@preamble{ "\\def\\MF{{\\sc Metafont}}"')
    assert "@PREAMBLE{{\\providecommand{\\TUB}{TUGboat}" in text
    assert r"\acro{PDF} output from \MF{} and \BibTeX{}" in text
    assert r"{\TUB{}}" in text
    assert "textbackslash" not in text


def test_csl_has_no_backslash_outside_math_for_latex_heavy_entries() -> None:
    lib = loads(
        r"""@article{heavy,
  title = {3\textsuperscript{rd} {\sc CONNIVER}: \emph{In\textsubscript{x}Ga$_{1-x}$N}
           ``Anomalous'' \enquote{Q} \url{http://a.b/c_d} \href{http://x}{X} \unknown{Y} \Z
           and $\frac{a}{b}$},
  author = {Franc{\ocirc{u}}, Jean and Nguy{\~{\^e}}n, V{\u{a}}n},
  journal = {J. {\LaTeX} \& \TeX},
  year = 2020,
}
"""
    )
    item = json.loads(format_csljson(lib.records))[0]
    title = item["title"]
    # the case protection is #15 item 4's (a sentence-case title: its capitals are kept)
    nc = NOCASE.format
    assert title == (
        "3<sup>rd</sup> "
        + SC.format(nc("CONNIVER"))
        + ": <i>In<sub>x</sub>"
        + nc("Ga")
        + nc("<sub>1\u2212x</sub>")
        + nc("N")
        + "</i> \u201cAnomalous\u201d \u201c"
        + nc("Q")
        + "\u201d http://a.b/c_d "
        + " ".join(map(nc, "XYZ"))
        + " and "
        + nc("$\\frac{a}{b}$")
    )
    assert [a["family"] for a in item["author"]] == ["Franců", "Nguyễn"]
    assert item["container-title"] == "J. LaTeX & TeX"


REALWORLD = Path(__file__).resolve().parent / "data" / "realworld"


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        # \ocirc is \def'd in @preamble with TeX primitives: read as the ring accent
        ("bbt-732-preamble-def-ocirc.bib", "author", ["Franců", "Krejčí"]),
        ("bbt-1115-ring-above.bib", "author", ["Řehůřek", "Sojka"]),
        ("bbt-1380-latex-commands.bib", "title", "LaTeX Companion"),
        (
            "bbt-627-math.bib",
            "title",
            '<span class="nocase">Nonequilibrium Propagation and Decay of a Bound Pair'
            " in Driven t-J Models</span>",
        ),
        (
            "bbt-1468-langle-overline.bib",
            "title",
            'Catalyst <span class="nocase">Orientation</span>-<span class="nocase">Induced'
            ' Growth</span> of <span class="nocase">Defect</span>-<span class="nocase">Free'
            ' Zinc</span>-<span class="nocase">Blende Structured</span> ⟨001̅⟩'
            ' <span class="nocase">InAs Nanowires</span>',
        ),
    ],
)
def test_realworld_latex_in_csl(name: str, field: str, expected: object) -> None:
    item = json.loads(format_csljson(load(REALWORLD / name).records))[0]
    got = [a["family"] for a in item[field]] if field == "author" else item[field]
    assert got == expected
