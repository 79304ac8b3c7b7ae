"""``check``: duplicates by key, DOI and arXiv id, missing fields, stubs, parse problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.check import check_file, check_library
from citekit.library import loads

from .torture import TORTURE

LIBRARY = """\
@article{chung2024scaling,
  author = {Chung, Hyung Won},
  title = {Scaling Instruction-Finetuned Language Models},
  journal = {JMLR}, year = 2024,
  doi = {10.5555/ABC},
  eprint = {2210.11416v5}, archiveprefix = {arXiv},
}

@misc{chung2022preprint,
  author = {Chung, Hyung Won},
  title = {Scaling Instruction-Finetuned Language Models},
  year = 2022,
  doi = {10.48550/arXiv.2210.11416},
}

@inproceedings{copy,
  author = {Someone, A},
  title = {Same DOI, other case},
  booktitle = {Proc.}, year = 2020,
  doi = {10.5555/abc},
}

@misc{stub2020, eprint = {2005.14165}, archiveprefix = {arXiv}, groups = {Hub}}

@article{nojournal, author = {A, B}, title = {No Journal}}

@article{Copy, author = {C, D}, title = {Key differs only in case}, journal = {J}, year = 2001}
"""


def _kinds(text: str) -> list[tuple[str, str, int | None]]:
    report = check_library(loads(text, "refs.bib"))
    return [(p.kind, p.key, p.line) for p in report.problems]


def test_every_kind_of_problem_is_found_with_its_line() -> None:
    assert _kinds(LIBRARY) == [
        ("duplicate-key", "Copy", 27),
        ("duplicate-doi", "copy", 16),
        ("duplicate-arxiv", "chung2022preprint", 9),
        ("stub", "stub2020", 23),
        ("missing-field", "nojournal", 25),
    ]


def test_messages_say_what_to_do() -> None:
    report = check_library(loads(LIBRARY, "refs.bib"))
    messages = {p.kind: p.message for p in report.problems}
    assert messages["duplicate-arxiv"] == (
        "same arXiv id 2210.11416 as chung2024scaling (line 1); merge the two entries"
    )
    assert messages["missing-field"] == "missing journal, year"
    assert "citekit resolve" in messages["stub"]
    assert not report.ok and report.entries == 6


def test_clean_torture_set_has_no_problems() -> None:
    from citekit.writers.bibtex import format_bibtex

    report = check_library(loads(format_bibtex(TORTURE)))
    assert report.problems == () and report.ok


def test_every_unreadable_block_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.bib"
    text = (
        "@article{a, title = {x}}\n"  # 1: readable, lacks author, journal, year
        "@article{a, title = {y}}\n"  # 2: duplicate key
        "@article{b, journal = undefinedmacro}\n"  # 3: undefined @string (a warning)
        "@misc{c, title = {Fine}}\n"  # 4: fine
        "@article{d, title = {open\n"  # 5: never closed
    )
    path.write_text(text, encoding="utf-8")
    report = check_file(path)
    assert [(p.kind, p.key, p.line) for p in report.problems] == [
        ("parse", "", 2),
        ("undefined-string", "b", 3),
        ("parse", "", 5),
    ]
    assert report.entries == 0 and report.as_dict()["ok"] is False
    assert path.read_text(encoding="utf-8") == text


def test_a_control_byte_is_a_warning_with_its_line(tmp_path: Path) -> None:
    # Issue #18: one \x01 in an abstract refused a 911-entry file as "binary data".
    path = tmp_path / "ctl.bib"
    path.write_bytes(b"@article{a,\n title={x},\n abstract={at 300\x01C}}\n")
    report = check_file(path)
    assert [(p.kind, p.key, p.line) for p in report.problems] == [
        ("control-character", "a", 3),
        ("missing-field", "a", 1),
    ]
    assert report.entries == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("@article{a, title = {Gr\u00f6\u00dfe}}\n".encode("latin-1"), "not UTF-8 text"),
        (b"@article{a,\n title={x}}\n\x00", "binary data"),
    ],
)
def test_unreadable_bytes_are_one_parse_problem(tmp_path: Path, data: bytes, words: str) -> None:
    path = tmp_path / "bad.bib"
    path.write_bytes(data)
    report = check_file(path)
    assert [p.kind for p in report.problems] == ["parse"]
    assert words in report.problems[0].message and report.problems[0].line is not None
