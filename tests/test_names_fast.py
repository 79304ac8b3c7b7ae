"""citekit.bibtex.names reads names on a fast path that must agree with the slow one.

The fast path (issue #14 target 2) finds separators at brace depth 0 in a masked copy of
the value and caches lists, names and name parts; the slow path (``_parse_slow``) reads a
character at a time, as the reader always did. The oracle is the slow path, run on
constructed names and near-misses, every author/editor value of the real-world files and
the generated libraries, and random mixtures of the pieces names are made of.
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.bibtex import latex, names
from citekit.model import OTHERS, Name

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
REALWORLD = Path(__file__).resolve().parent / "data" / "realworld"
_NAMES = re.compile(
    r"\b(?:author|editor)\s*=\s*\{((?:[^{}]|\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*)\}",
    re.IGNORECASE,
)

CONSTRUCTED = [
    "Knuth, Donald E.",
    "Donald E. Knuth and Leslie Lamport",
    "van der Waals, Johannes Diderik",
    "Johannes Diderik van der Waals",
    "de la Vall{\\'e}e Poussin, Charles Louis Xavier Joseph",
    "Ford, Jr., Henry",
    "Ford, Jr., Henry, III",
    "Abdul Gani Asyik,",
    "Abdul Gani Asyik, ,",
    ", Anna",
    "{World Health Organization}",
    "{World Health Organization} and {OpenAI}",
    '{\\"U}nal, Ay{\\c{s}}e and M{\\"u}ller, J{\\"o}rg',
    "{\\'E}mile Zola and {\\ss}tra{\\ss}e, A",
    "Jos{\\'e} {de la} Cruz",
    "{Barnes and Noble}, Inc.",
    "Barnes {and} Noble",
    "A AND B and C And D",
    "Knox, W. Bradley and others",
    "Knox, W. Bradley and {others}",
    "family=Smith, given=John, prefix=van, useprefix=true",
    'given={J{\\"o}rg}, family={M{\\"u}ller}',
    "useprefix=false",
    "a=b, c",
    "\\={A}ke, J\\={o}se",
    "Jo~Smith and A.~B.~Smith",
    "Smith,\tJohn\nand\nDoe, Jane",
    'M{\\"u}ller, J. and {\\relax Ch}ristensen, Ole',
    "{a {b {c {d}}}} e",
    "{{{{{{{{{a b}}}}}}}}} c, d",  # deeper than the mask's passes: read the slow way
    "{a, b} c, d",
    "x {a and b} y",
    "Smith, {John and Jane}",
    "{\\v{S}}koda, {\\v S}tefan",
    "\\'{E}tienne {\\'e}tienne de {\\'E}tienne",
    "{Smith}",
    "{Smith} {Jones}",
    '{\\"O}zt{\\"u}rk',
    "李, 娜 and Jozse{\\c{f}}, Jo\\'{s}e",
    # braces that do not balance: the slow path's business, still the same answer
    "Smith, John}",
    "{Smith, John",
    "} and {",
    "a}b and c{d",
    # the edges of the common shapes (_parse_common)
    "Smith, and B",
    "A and and B",
    "Smith and",
    "and Smith",
    "{{Smith}}",
    "{{Smith}} and {a,b}{c}",
    "{a,b}{c}, d",
    "Toma{\\~s}, A and Wojc{\\~i}k, {\\H{W}}ojcik",
    "Toma\\~s, A",
    "van Toma{\\~s}, A",
    "ab=c d",
    "ab=c, d=e",
    "ab = c, d",
    "A, B, C,",
    "A B,",
    "A B, and C",
    "{Smith}, John",
    "Smith , John",
    "A\u00a0and B",
    "A and\u00a0B",
    ", Anna",
    "{World and Health} and B",
    "{World Health}, B",
    "{World \\& Health}",
    "{\\relax Ch}ristensen, O",
    "van~Dyke, J",
    "Smith, A.~B.",
    "A  AND  b aNd C",
    'von Sch{\\"o}nberg, Uma and Roy Burman, B. K. and Cook, Walter Anthony, S.J.',
    "Andersson, III, Ana-María and {\\ss}",
    "Anderson, Andy and Andrea and",
    "{\\x00options}",
]


def check(value: str) -> None:
    latex.use_preamble({})
    expected = names._parse_slow(value.strip()) if value.strip() else ()
    assert names.parse_names(value) == expected, value
    assert names.parse_names(value) == expected, value  # and from the caches


@pytest.mark.parametrize("value", CONSTRUCTED)
def test_constructed(value: str) -> None:
    check(value)


def test_the_fast_path_reads_the_usual_forms() -> None:
    assert names.parse_names("van der Waals, J. D. and {OpenAI} and Knox, W. B. and others") == (
        Name(family="Waals", given="J. D.", particle="van der"),
        Name(literal="OpenAI"),
        Name(family="Knox", given="W. B."),
        OTHERS,
    )
    assert (
        names._masked("a {b, c} {d {e}} f")
        == "a \x01\x01\x01\x01\x01\x01 \x01\x01\x01\x01\x01\x01\x01 f"
    )
    assert names._masked("a {b") is None
    assert names._masked("a} b") is None
    assert names._masked("{" * 9 + "}" * 9) is None  # one pass a level: linear, bounded


def test_the_common_shapes_take_the_common_path() -> None:
    for value in [
        "Knuth, Donald E. and van der Waals, J. D. and {World Health Organization}",
        'Toma{\\~s}, J{\\"o}rg and Ford, Jr., Henry and Abdul Gani Asyik, and Jo Smith, A.~B.',
        "Leslie Lamport and Charles de la Vall{\\'e}e Poussin and others",
    ]:
        assert names._parse_common(value, ()) == names._parse_slow(value), value
    for value in ["Ford, Jr., Henry, III", "family=Smith, given=John", "x {a b} y", "A~B"]:
        assert names._parse_common(value, ()) is None, value


def test_names_built_without_the_dataclass_init_are_the_same() -> None:
    # _person and _organisation set Name's slots directly: they must set every field and
    # skip nothing the dataclass would run.
    assert len(names._SETTERS) == len(fields(Name)) == 5
    assert not hasattr(Name, "__post_init__")
    assert names._person("Müller", "Jörg") == Name(family="Müller", given="Jörg")
    assert names._organisation("OpenAI") == Name(literal="OpenAI")
    assert hash(names._person("a", "b")) == hash(Name("a", "b"))
    person = names._person("a", "b")
    assert [getattr(person, f.name) for f in fields(Name)] == ["a", "b", "", "", ""]


@pytest.mark.parametrize("path", sorted(REALWORLD.glob("*.bib")), ids=lambda p: p.name)
def test_every_name_list_of_real_files(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    for value in {m.group(1) for m in _NAMES.finditer(text)}:
        check(value)


def test_generated_libraries() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from gen_library import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    text = "".join(generate(2000, seed=7)) + "".join(generate(2000, seed=7, profile="latex"))
    for value in {m.group(1) for m in _NAMES.finditer(text)}:
        check(value)


PIECES = ["Smith", "john", "J.", "van", "der", "de la", " ", "  ", "\t", "\n", "~", ",", ", ",
          " and ", " AND ", "and", " and others", "{", "}", "{OpenAI}", "{\\'e}", "\\'e",
          "{\\\"U}", "{\\ss}", "\\v{S}", "{\\v S}", "{a b}", "{a, b}", "{x and y}", "=",
          "family=", "given=", "prefix=", "useprefix=false", "Jr.", "\u00a0", "李", "-",
          "{\\relax Ch}", "{{a} b}", "\\i", "{\\'\\i}", "É", "{\\~s}", "and{x}", "A", "nd",
          "{a,b}", "Ab=", "\u2003"]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_random_mixtures(pieces: list[str]) -> None:
    check("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab ,{}~\\'\"=\t", max_size=24))
def test_random_text(value: str) -> None:
    check(value)
