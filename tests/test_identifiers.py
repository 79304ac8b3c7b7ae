"""Identifier parsing and normalisation (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citekit.errors import IdentifierError
from citekit.identifiers import (
    Identifier,
    arxiv_doi,
    is_arxiv_doi,
    looks_like_identifier,
    normalize_doi,
    parse_identifier,
)

ARXIV_CASES = [
    ("2005.14165", "2005.14165", ""),
    ("2005.14165v4", "2005.14165", "v4"),
    ("arXiv:2005.14165", "2005.14165", ""),
    ("ARXIV:2005.14165V2", "2005.14165", "v2"),
    ("  arXiv: 2203.02155  ", "2203.02155", ""),
    ("0704.0001", "0704.0001", ""),
    ("hep-th/9901001", "hep-th/9901001", ""),
    ("hep-th/9901001v3", "hep-th/9901001", "v3"),
    ("arXiv:math.GT/0309136", "math.GT/0309136", ""),
    ("Math.gt/0309136v1", "math.GT/0309136", "v1"),
    ("https://arxiv.org/abs/2005.14165", "2005.14165", ""),
    ("https://arxiv.org/abs/2005.14165v4", "2005.14165", "v4"),
    ("http://arxiv.org/pdf/2005.14165v4.pdf", "2005.14165", "v4"),
    ("https://arxiv.org/pdf/2005.14165", "2005.14165", ""),
    ("https://arxiv.org/html/2201.11903v6", "2201.11903", "v6"),
    ("https://www.arxiv.org/abs/hep-th/9901001", "hep-th/9901001", ""),
    ("http://export.arxiv.org/abs/quant-ph/0201082v1", "quant-ph/0201082", "v1"),
    ("https://arxiv.org/abs/2005.14165.", "2005.14165", ""),
    ("(arXiv:2005.14165),", "2005.14165", ""),
    ("10.48550/arXiv.2005.14165", "2005.14165", ""),
    ("arxiv.org/abs/2005.14165v2", "2005.14165", "v2"),
    ("www.arxiv.org/pdf/hep-th/9901001", "hep-th/9901001", ""),
    ("https://doi.org/10.48550/ARXIV.2203.02155", "2203.02155", ""),
]

DOI_CASES = [
    ("10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("doi:10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("DOI: 10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("https://doi.org/10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("http://dx.doi.org/10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("doi.org/10.1145/1597735.1597738", "10.1145/1597735.1597738"),
    ("https://doi.org/10.1145%2F1597735.1597738", "10.1145/1597735.1597738"),
    ("10.1145/1597735.1597738.", "10.1145/1597735.1597738"),
    ("10.1145/1597735.1597738;", "10.1145/1597735.1597738"),
    ("(10.1145/1597735.1597738)", "10.1145/1597735.1597738"),
    ("<https://doi.org/10.1145/1597735.1597738>", "10.1145/1597735.1597738"),
    ("10.1109/ICSTW55395.2022.00035", "10.1109/icstw55395.2022.00035"),
    (
        "10.1002/(SICI)1097-4636(199706)35:4<473::AID-JBM7>3.0.CO;2-Q",
        "10.1002/(sici)1097-4636(199706)35:4<473::aid-jbm7>3.0.co;2-q",
    ),
    ("10.1016/S0140-6736(20)30183-5).", "10.1016/s0140-6736(20)30183-5"),
]


@pytest.mark.parametrize(("text", "value", "version"), ARXIV_CASES)
def test_arxiv_forms(text: str, value: str, version: str) -> None:
    assert parse_identifier(text) == Identifier("arxiv", value, version)


@pytest.mark.parametrize(("text", "doi"), DOI_CASES)
def test_doi_forms(text: str, doi: str) -> None:
    assert parse_identifier(text) == Identifier("doi", doi)
    assert normalize_doi(text) == doi


def test_doi_comparison_is_case_insensitive() -> None:
    assert parse_identifier("10.1109/ICSTW.1") == parse_identifier(
        "https://doi.org/10.1109/icstw.1"
    )


def test_other_urls_are_kept() -> None:
    url = "https://openai.com/research/instruction-following"
    assert parse_identifier(url) == Identifier("url", url)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "foo",
        "Attention is all you need",
        "arXiv:2005.1",
        "arXiv:abc",
        "doi:foo",
        "10.1/x",
        "https://arxiv.org/list/cs.CL/recent",
        "https://doi.org/not-a-doi",
        "2005.14165vx",
    ],
)
def test_garbage_names_the_input(text: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(text)
    assert repr(text) in str(caught.value)


def test_arxiv_doi_helpers() -> None:
    assert arxiv_doi("2005.14165") == "10.48550/arXiv.2005.14165"
    assert is_arxiv_doi("10.48550/arXiv.2005.14165")
    assert is_arxiv_doi("https://doi.org/10.48550/ARXIV.2005.14165")
    assert not is_arxiv_doi("10.1145/1597735.1597738")
    assert not is_arxiv_doi("garbage")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005.14165", True),
        ("arXiv:2005.1", True),  # a malformed attempt: report it invalid, do not search it
        ("doi:foo", True),
        ("https://example.org/post", True),
        ("10.1145/1597735.1597738", True),
        ("hep-th/99", True),
        ("arxiv.org/abs/nothing", True),
        ("dx.doi.org/10.1145/1", True),
        ("Proximal Policy Optimization Algorithms", False),
        ("Deep Learning", False),
        ("Word2Vec", False),
        ("GPT-4", False),
        ("", False),
    ],
)
def test_looks_like_identifier(text: str, expected: bool) -> None:
    assert looks_like_identifier(text) is expected


@given(
    yymm=st.integers(min_value=701, max_value=2912).filter(lambda n: 1 <= n % 100 <= 12),
    number=st.integers(min_value=1, max_value=99999),
    version=st.integers(min_value=0, max_value=30),
    form=st.sampled_from(
        ["{}", "arXiv:{}", "https://arxiv.org/abs/{}", "https://arxiv.org/pdf/{}.pdf"]
    ),
)
def test_new_style_ids_round_trip(yymm: int, number: int, version: int, form: str) -> None:
    arxiv_id = f"{yymm:04d}.{number:05d}"
    suffix = f"v{version}" if version else ""
    found = parse_identifier(form.format(arxiv_id + suffix))
    assert (found.kind, found.value, found.version) == ("arxiv", arxiv_id, suffix)
    assert str(found) == arxiv_id + suffix
