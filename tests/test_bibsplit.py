"""citekit.bibtex.split gives block-for-block what bibtexparser's splitter gives, faster.

The oracle is bibtexparser itself (``parse_string(text, parse_stack=[])``): every test
compares the two on the same text, including types, keys, raw text, field values, line
numbers and error blocks, so a divergence in any rule shows up as a failing diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.bibtex.split import RawEntry, split, split_blocks
from citekit.bibtex.values import closes_at_end
from tests.conftest import require_shared

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def signature(library: Any) -> list[tuple[Any, ...]]:
    """Everything bibtex.parse reads from a block, and more, as plain data."""
    out: list[tuple[Any, ...]] = []
    for block in library.blocks:
        row: list[Any] = [type(block).__name__, block.start_line, block.raw]
        for item in (block, getattr(block, "ignore_error_block", None)):
            if item is None:
                continue
            for name in ("key", "entry_type", "value", "comment", "duplicate_keys"):
                if hasattr(item, name):
                    row.append((name, getattr(item, name)))
            if hasattr(item, "fields"):
                row.append([(f.key, f.value, f.start_line) for f in item.fields])
            if hasattr(item, "error"):
                row.append(str(item.error))
        out.append(tuple(row))
    return out


def assert_same(text: str) -> None:
    expected = signature(bibtexparser.parse_string(text, parse_stack=[]))
    assert signature(split(text)[0]) == expected
    assert_braced_values_close(text)


def assert_braced_values_close(text: str) -> None:
    """The reader's shortcut (bibtex.entry._content): a value the splitter matched that
    starts with ``{``, ends with ``}`` and holds no ``#`` and no escaped brace is one group."""
    for block in split_blocks(text)[0].blocks:
        for _, value in block.fields if isinstance(block, RawEntry) else []:
            braced = value[:1] == "{" and value[-1:] == "}" and "#" not in value
            if braced and "\\{" not in value and "\\}" not in value:
                assert closes_at_end(value), value


FRAGMENTS = [
    "@article{plain, author = {Knuth, Donald E.}, title = {Literate Programming}, year = 1984}",
    '@Article{cap,\n\tAuthor = {M{\\"u}ller, J.},\n\tYear = {2020}}',
    "@misc{trailing,\n  title = {A},\n}",
    "@misc{nofields}",
    "@misc{emptyfields,}",
    "@misc{deep, title = {a{b{c{d{e}}}}}}",
    "@misc{deeper, title = {a{b{c{d{e{f}}}}}}}",
    "@misc{esc, title = {a \\{ b \\} c \\\\} d}, note = {x}}",
    '@misc{quoted, title = "A title, with comma", note = "M{\\"u}ller"}',
    '@misc{qbrace, title = "a {b} c"}',
    '@misc{qesc, title = "a {"} b"}',
    '@misc{concat, title = "a" # jan # {b}, month = jan, year = 2020}',
    '@string{foo = "bar"}',
    "@String(baz = {qux})",
    '@preamble{ "\\newcommand{\\noop}[1]{}" }',
    "@comment{jabref-meta: databaseType:bibtex;}",
    "@commentary{notacomment, title = {x}}",
    "@article(paren, title = {a)b}, year = 2001)",
    "@misc{missingcomma, title = {a} year = {b}}",
    "@misc{unbalanced, title = {abc,\n",
    "@misc{at, title = {LeQua @ {CLEF}}}",
    "@misc{atline, title = {first\n@misc{inner, title = {x}}",
    "@misc{dupfield, title = {a}, Title = {b}, title = {c}}",
    "@misc{plain, title = {duplicate key}}",
    "@misc{spaced key, title = {x}}",
    "@misc{, title = {emptykey}}",
    "@misc{novalue, title = , year = {1}}",
    "@misc{eqinvalue, title = a = b, year = 1}",
    "@misc{bare, title = word, year = 1999}",
    "@misc {spacetype, title = {x}}",
    "@{notype, title = {x}}",
    "@misc{after, title = {x}} trailing words",
    "@misc{noclose, title = {x},",
    "free text between entries % with a percent",
    "@misc{cjk, author = {王, 小明 and {World Health Organization}}, title = {深層学習}}",
    "@misc{nbsp, title\u00a0= {x},\u00a0year = {1}}",
    "@misc{weird\u2028, title = {x}}",
    "@misc{key0, title = {a}, }\n",
    # line ends around "=" and before the comma: each field's line still counts them
    "@misc{lines, title =\n  {a\nb}\n  ,\n  note\n  =\n\n {c}\n, year = 1\n}",
]
SEPARATORS = ["\n", "\n\n", " ", "", "\r\n", "\n  ", "\t"]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_fragment_alone(fragment: str) -> None:
    assert_same(fragment)
    assert_same("\n% lead\n" + fragment + "\n")


def test_all_fragments_together() -> None:
    assert_same("\n\n".join(FRAGMENTS))
    assert_same("\n".join(reversed(FRAGMENTS)))


def test_backslash_newline_files_keep_bibtexparsers_line_count() -> None:
    assert_same("@misc{a, title = {line\\\nbreak}}\n@misc{b, title = {x}}\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=8))
def test_random_files_of_fragments(parts: list[tuple[str, str]]) -> None:
    assert_same("".join(f + s for f, s in parts))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='@{}(),="#\\ \n\tab%', max_size=60))
def test_random_syntax_soup(text: str) -> None:
    assert_same("@misc{k, title = {x}}\n" + text + "\n@misc{j, t = {y}}")


@pytest.mark.parametrize("name", ["cdl", "glottolog-sala", "glottolog-zurich", "biblatex-examples"])
def test_real_world_files(name: str) -> None:
    path = require_shared(f"bench-data/{name}.bib")
    assert_same(path.read_text(encoding="utf-8"))


def test_generated_library() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from gen_library import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert_same("".join(generate(2000, seed=11)))
