"""The reader's fast paths give what the paths they skip give.

* :func:`citekit.bibtex.split._heads` finds the block starts ``_CUT`` (a multi-line
  ``^…`` expression) finds;
* :func:`citekit.bibtex.parse._has_control_characters` says whether ``_BINARY`` matches;
* :func:`citekit.bibtex.fields.record_from_fields` reads an entry of lower-case, unique
  names (its dict built in C) as it reads the same entry with names in other cases;
* a value of digits is its own content, as :func:`citekit.bibtex.values.expand` reads it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from citekit.bibtex.fields import record_from_fields
from citekit.bibtex.parse import _BINARY, _has_control_characters
from citekit.bibtex.split import _CUT, _heads
from citekit.bibtex.values import Budget, Context, expand

# Characters that matter to a block start: white space of every kind (newline or not,
# ASCII or not), "@", word characters and the delimiters that may follow.
_HEAD_TEXT = st.text(
    alphabet=st.sampled_from(list("@{(a_1 \t\r\n\x0b\x0c\x1c\x85\u2028\u3000é}#,=")),
    max_size=60,
)


@given(_HEAD_TEXT)
def test_heads_are_the_cut_expression_s(text: str) -> None:
    assert _heads(text) == [(m.start(), m.end() + 1) for m in _CUT.finditer(text)]


def test_heads_on_odd_lines() -> None:
    for text in ["@a{", " \t@a {", "x @a{", "\n\u3000@b(", "a\n\r@c{\n@ d{", "@@a{", "@a@b{"]:
        assert _heads(text) == [(m.start(), m.end() + 1) for m in _CUT.finditer(text)]


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF) | st.sampled_from("\ud800\U0001f600")))
def test_control_characters_found_as_the_expression_finds_them(text: str) -> None:
    assert _has_control_characters(text) == (_BINARY.search(text) is not None)


_NAMES = ["title", "author", "year", "month", "url", "eprint", "archiveprefix", "pages", "doi"]
_NAMES += ["publisher", "address", "date", "howpublished", "entrysubtype", "mrnumber", "note"]
_VALUES = ["", "2020", "jan", "A {T}itle", "Knuth, D. and Doe, J.", "2005.14165", "arXiv"]
_VALUES += ["\\url{https://x.org}", "https://x.org", "1--10", "2021-03-04", "webpage", "x"]


@given(
    st.sampled_from(["article", "misc", "book", "online", "thesis", "techreport"]),
    st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_VALUES)), max_size=8),
    st.data(),
)
def test_lower_case_names_read_as_other_cases(
    etype: str, fields: list[tuple[str, str]], data: st.DataObject
) -> None:
    unique = list(dict(fields).items())  # the fast path: lower-case names, none repeated
    cased = [(data.draw(st.sampled_from([n, n.upper(), n.title()])), v) for n, v in unique]
    fast = record_from_fields(etype, "k", unique)
    slow = record_from_fields(etype, "k", cased)
    spelled = dict(zip([n for n, _ in unique], [n for n, _ in cased], strict=True))
    assert fast.extra == tuple((n.lower(), v) for n, v in slow.extra)
    assert fast == slow.with_(extra=tuple((n.lower(), v) for n, v in slow.extra))
    assert [spelled[n] for n, _ in fast.extra] == [n for n, _ in slow.extra]


@given(st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=5))
def test_digits_are_their_own_content(value: str) -> None:
    ctx = Context("x.bib", {}, Budget(100), [])
    if value.isdigit():
        assert expand(value, ctx, 1, "year") == value
    assert ctx.notices == []
