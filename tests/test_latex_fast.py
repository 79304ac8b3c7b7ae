"""citekit.bibtex.texaccents (latex.decode's accent fast path) decodes exactly as pylatexenc does.

The oracle is the module's own slow path (``_decode_latex``, uncached), run on every
value that the fast path accepts: constructed accents and near-misses, every LaTeX
value of the shared real-world files, and a generated library.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.bibtex import latex
from citekit.bibtex.texaccents import balanced, decode_accents
from tests.conftest import require_shared

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
_VALUE = re.compile(r"=\s*\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")

CONSTRUCTED = [
    'M{\\"u}ller',
    'M\\"uller',
    'M\\"{u}ller',
    "Garc{\\'\\i}a",
    "Garc\\'\\i{}a",
    "Garc\\'{\\i}a",
    "{\\v{S}}koda",
    "{\\v S}koda",
    "\\v{S}koda",
    "\\v Skoda",
    "{\\O}stergaard",
    "Erd{\\H{o}}s",
    "Stra{\\ss}e",
    "Stra\\ss{}e",
    "Stra\\ss e",
    "\\o and \\O",
    '{\\aa}ngstr{\\"o}m',
    "{\\c{C}}elik",
    "Fran{\\c c}ois",
    "\\k{a} \\r{u} \\u{g} \\.{z} \\={a} \\^{o} \\`{e} \\~{n}",
    '{\\"U}ber {Bayes} and {\\"Ueber} die',
    '{M{\\"u}ller} {GPT}-3 models',
    '{{\\"U}ber} alles',
    "Tom \\& Jerry 100\\% \\_x\\_ \\#1",
    "a~b and a ~ b",
    "pre--training -- an {\\'e}tude --- done",
    'na{\\"\\i}ve {\\L}ukasz {\\l}{\\ae}{\\AE}{\\oe}{\\OE}',
    "\\i\\j and \\ij",
    "{\\em emphasis} \\textit{x}",
    "$O(n \\log n)$ with {\\'e}",
    "\\'",
    '\\"{}',
    "a\\\\b",
    "\\'e\\'E \\' e",
    "{\\'{e}}",
    '{\\"\\i}',
    "% comment-like 5%",
    # issue #14/#18: math kept as written, formatting commands over plain text
    "$x^2$ and {\\sc Conniver} in H$_2$O",
    "\\emph{in vivo} 3\\textsuperscript{rd} and \\textsubscript{x}",
    "{\\LaTeX} and \\TeX{} {\\em a {b}} \\textbf{}",
    "{$x$} and {\\em  spaced } {$\\alpha$-helix} ``quoted''",
    '\\emph{$x$ y} -- $a--b$ {\\bf {\\"u}}',
    # found by test_random_mixtures: a group opened inside math, closed after it
    '$\\emph{${\\"u}',
    "$  $",  # found by test_random_mixtures: white space inside math
    "$%$",  # found by test_random_mixtures: a bare % inside math
    # commands named by a digit or "?" (glottolog: Lao\2, \??): their name outside titles
    "Lao\\2: Desc; Mon\\3",
    "\\?? <N>",
    *["\\2{x}", "\\2[x] \\2*", "{\\2}", "\\2\\3 a\\2~b \\2 x Lao\\2x", "\\\\2", "\\2{}x"],
    "$50\\%$ of $x$",
    "$\\2$\\2",  # found by test_random_mixtures: \2 in math is kept (the fast path dropped it)
]


def slow(value: str, protect: bool) -> str:
    return str(latex._decode_latex.__wrapped__(value, protect))


def check(value: str) -> None:
    latex.use_preamble({})
    for protect in (False, True):
        fast = latex._fast(value, protect)
        if fast is None and not protect and latex._SYMBOL_COMMAND.search(value):
            # Lao\2: wherever decode might take that shortcut, it must agree
            fast = latex._fast(latex._SYMBOL_COMMAND.sub(r"\1", value), protect)
        if fast is None:
            continue  # not the fast path's business
        assert latex.decode(value, protect=protect) == slow(value, protect), (value, protect)


@pytest.mark.parametrize("value", CONSTRUCTED)
def test_constructed(value: str) -> None:
    check(value)


def test_the_fast_path_takes_the_common_cases() -> None:
    for value in ['M{\\"u}ller', "Garc{\\'\\i}a", "{\\v{S}}koda", "Stra{\\ss}e", "a \\& b"]:
        assert decode_accents(value) is not None, value
    for value in ["{\\em x}", "$x$", '{\\"Ueber} die', "\\textit{x}", "\\'"]:
        assert decode_accents(value) is None, value


@pytest.mark.parametrize("name", ["cdl", "glottolog-sala", "glottolog-zurich", "biblatex-examples"])
def test_every_latex_value_of_real_files(name: str) -> None:
    text = require_shared(f"bench-data/{name}.bib").read_text(encoding="utf-8")
    values = {m.group(1) for m in _VALUE.finditer(text) if "\\" in m.group(1)}
    for value in values:
        check(value)


def test_generated_library() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from gen_library import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    text = "".join(generate(3000, seed=5)) + "".join(generate(2000, seed=5, profile="latex"))
    for value in {m.group(1) for m in _VALUE.finditer(text) if "\\" in m.group(1)}:
        check(value)


PIECES = ['{\\"u}', "\\'e", "\\v{s}", "{\\ss}", "\\o", " ", "{", "}", "ab", "A", "~", "\\&",
          "--", "\\i", "{\\'\\i}", "\\c c", "%", "{GPT}", "\\H{o}", "$x^2$", "$", "\\emph{",
          "\\emph{ab}", "{\\sc ", "{\\em A}", "\\textsuperscript{rd}", "{\\LaTeX}", "``",
          "''", "\\2", "\\?", "\\\\", "["]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=10))
def test_random_mixtures(pieces: list[str]) -> None:
    check("".join(pieces))  # unbalanced ones are left to pylatexenc


def balanced_by_counting(text: str) -> bool:
    """The reference: a running depth that never goes below 0 and ends at 0."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="{}{}a\\ ", max_size=40))
def test_balanced_agrees_with_counting(text: str) -> None:
    """``balanced`` strips innermost groups level by level (a few passes of C), then counts."""
    assert balanced(text) == balanced_by_counting(text)
    deep = "{" * 9 + text + "}" * 9  # past the passes: the counting rest
    assert balanced(deep) == balanced_by_counting(deep)
