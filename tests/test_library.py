"""references.bib load → save loses nothing; broken files are refused with their line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.errors import LibraryError
from citekit.library import Library, dumps, load, loads, save
from citekit.model import Date, Name, Record
from citekit.writers.bibtex import format_bibtex

from .conftest import require_shared

MALFORMED = Path(__file__).parent / "data" / "malformed"

SAMPLE = """\
% A comment line before everything, kept as it is.
@string{jcomp = "The Computer Journal"}
@preamble{"\\newcommand{\\noop}[1]{}"}

@comment{jabref-meta: databaseType:bibtex;}

@article{knuth1984literate,
  Author = {Knuth, Donald E.},
  title = {Literate {Programming} with $x^2$},
  journal = jcomp # " (UK)",
  year = 1984,
  month = may,
  volume = {27}, number = {2},
  pages = {97--111},
  mrnumber = {MR0123},
  timestamp = {2020-01-01},
}

@misc{brown2020language,
  eprint        = {2005.14165},
  archiveprefix = {arXiv},
  groups        = {LLM Hub/GPT series},
}

@book{asyik1982,
  author = {Abdul Gani Asyik, and {OpenAI}},
  title = "A Trailing Comma",
  year = {1982},
}
"""


def test_unchanged_library_is_byte_identical() -> None:
    library = loads(SAMPLE)
    assert dumps(library) == SAMPLE
    assert [r.key for r in library.records] == [
        "knuth1984literate",
        "brown2020language",
        "asyik1982",
    ]


def test_records_are_decoded() -> None:
    knuth, stub, asyik = loads(SAMPLE).records
    assert knuth.title == 'Literate <span class="nocase">Programming</span> with $x^2$'
    assert knuth.container_title == "The Computer Journal (UK)"
    assert knuth.issued is not None and (knuth.issued.year, knuth.issued.month) == (1984, 5)
    assert (knuth.volume, knuth.issue, knuth.page) == ("27", "2", "97-111")
    assert knuth.extra == (("mrnumber", "MR0123"), ("timestamp", "2020-01-01"))
    assert stub.is_stub and stub.collections == ("LLM Hub/GPT series",)
    assert asyik.author == (Name(family="Asyik", given="Abdul Gani"), Name(literal="OpenAI"))


def test_changed_entry_keeps_raw_text_of_unchanged_fields() -> None:
    library = loads(SAMPLE)
    knuth = library.records[0]
    text = dumps(library.with_records([knuth.with_(volume="28", doi="10.1093/comjnl/27.2.97")]))
    entry = text[text.index("@article{") : text.index("@misc{")]
    # Untouched fields keep their exact text, name case and place; @string use survives.
    assert "  Author        = {Knuth, Donald E.},\n" in entry
    assert "title         = {Literate {Programming} with $x^2$}," in entry
    assert 'journal       = jcomp # " (UK)",' in entry
    assert "month         = may," in entry
    assert "mrnumber      = {MR0123}," in entry
    assert "volume        = {28}," in entry
    assert "doi           = {10.1093/comjnl/27.2.97}," in entry
    assert entry.index("volume") < entry.index("number") < entry.index("doi")
    # Everything else in the file is untouched.
    assert text.replace(entry, "") == SAMPLE.replace(
        SAMPLE[SAMPLE.index("@article{") : SAMPLE.index("@misc{")], ""
    )
    assert loads(text).records[0] == knuth.with_(volume="28", doi="10.1093/comjnl/27.2.97")


def test_with_records_replaces_in_place_and_appends_new() -> None:
    library = loads(SAMPLE)
    first, stub, _ = library.records
    resolved = stub.with_(title="Language Models are Few-Shot Learners", issued=None)
    new = first.with_(key="new2024", title="A New One")
    updated = library.with_records([new, resolved])
    assert [r.key for r in updated.records] == [
        "knuth1984literate",
        "brown2020language",
        "asyik1982",
        "new2024",
    ]
    assert updated.records[1] == resolved
    text = dumps(updated)
    assert text.startswith(SAMPLE[: SAMPLE.index("@misc{")])
    assert text.rstrip().endswith("}") and text.index("new2024") > text.index("asyik1982")
    assert dumps(loads(text)) == text  # a rebuild is byte-identical


@pytest.mark.parametrize("key", ["", "has space", "a,b", "x{y"])
def test_records_need_a_writable_key(key: str) -> None:
    library = loads(SAMPLE)
    with pytest.raises(LibraryError, match="cannot be written to BibTeX"):
        library.with_records([library.records[0].with_(key=key)])


def test_save_writes_atomically_and_only_when_changed(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    path.write_text(SAMPLE, encoding="utf-8")
    library = load(path)
    before = path.stat().st_mtime_ns
    assert save(library) is False
    assert path.stat().st_mtime_ns == before
    changed = library.with_records([library.records[0].with_(volume="99")])
    assert save(changed) is True
    assert load(path).records[0].volume == "99"
    assert [p.name for p in tmp_path.iterdir()] == ["references.bib"]  # no temp file left


def test_missing_file_is_empty_and_empty_file_is_valid(tmp_path: Path) -> None:
    missing = load(tmp_path / "nope.bib")
    assert missing.records == ()
    assert save(missing) is False and not (tmp_path / "nope.bib").exists()
    (tmp_path / "empty.bib").write_text("", encoding="utf-8")
    empty = load(tmp_path / "empty.bib")
    assert empty.records == () and dumps(empty) == ""
    assert loads("\n% only a comment\n").records == ()


def test_new_library_gets_entries_in_citekit_layout(tmp_path: Path) -> None:
    library = load(tmp_path / "references.bib")
    record = loads(SAMPLE).records[0].with_(extra=())
    assert save(library.with_records([record])) is True
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert text.startswith("@article{knuth1984literate,\n  author        = {Knuth, Donald E.},")
    assert load(tmp_path / "references.bib").records == (record.with_(entry_type="article"),)


def test_crlf_and_bom_are_read(tmp_path: Path) -> None:
    library = loads("\ufeff" + SAMPLE.replace("\n", "\r\n"))
    assert len(library.records) == 3
    assert dumps(library) == SAMPLE
    path = tmp_path / "crlf.bib"
    path.write_bytes(SAMPLE.replace("\n", "\r\n").encode())
    assert save(load(path)) is False  # unchanged: the file keeps its line endings
    assert save(load(path), path) is False


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("unbalanced-braces.bib", 8, "cannot be read"),
        ("missing-comma.bib", 9, "missing comma"),
        ("duplicate-key.bib", 10, "duplicate key 'good1' (first at line 1)"),
        ("truncated.bib", 8, "end of file"),
        ("binary-garbage.bib", 8, "binary data"),
        ("latin1.bib", 9, "not UTF-8 text; it is probably"),
    ],
)
def test_malformed_corpus(tmp_path: Path, name: str, line: int, words: str) -> None:
    path = tmp_path / name
    path.write_bytes((MALFORMED / name).read_bytes())
    with pytest.raises(LibraryError) as caught:
        load(path)
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == (MALFORMED / name).read_bytes()


def test_an_undefined_string_is_read_as_empty_with_a_warning(tmp_path: Path) -> None:
    # Issue #18: bibtex and biber warn and read an undefined macro as ""; citekit refused
    # the whole file before.
    path = tmp_path / "undefined-string.bib"
    path.write_bytes((MALFORMED.parent / "lenient" / "undefined-string.bib").read_bytes())
    library = load(path)
    assert [(w.kind, w.line) for w in library.warnings] == [("undefined-string", 10)]
    assert "'jcomp'" in library.warnings[0].message
    assert [r.key for r in library.records] == ["good1", "bad"]
    assert library.records[1].container_title == ""


def test_a_line_starting_with_at_outside_entries_is_refused() -> None:
    with pytest.raises(LibraryError) as caught:
        loads("@article{a, title={x}}\nstray text\n@article no brace here\n")
    assert caught.value.line == 3
    text = "% written by me@example.org\n@article{a, title={x}}\n"
    assert len(loads(text).records) == 1  # an e-mail address in a comment is fine


@pytest.mark.parametrize(
    "name", ["glottolog-sala.bib", "glottolog-zurich.bib", "cdl.bib", "biblatex-examples.bib"]
)
def test_real_files_keep_every_entry_and_every_byte(name: str) -> None:
    import bibtexparser

    path = require_shared(f"bench-data/{name}")
    library = load(path)
    text = path.read_text(encoding="utf-8")
    assert len(library.records) == len(bibtexparser.parse_string(text, parse_stack=[]).entries)
    assert len({r.key for r in library.records}) == len(library.records)
    assert dumps(library) == text.replace("\r\n", "\n")


def test_sala_trailing_comma_names_are_kept() -> None:
    library = load(require_shared("bench-data/glottolog-sala.bib"))
    assert len(library.records) == 8089
    assert "0" in {r.key for r in library.records}  # biber drops this key; citekit keeps it
    asyik = [r for r in library.records if any(n.family == "Asyik" for n in r.author)]
    assert asyik, "the trailing-comma author must be read"


def test_library_is_a_frozen_value() -> None:
    library = loads(SAMPLE)
    assert isinstance(library, Library)
    with pytest.raises(AttributeError):
        library.records = ()  # type: ignore[misc]


# --- property: whatever changes, what is saved reads back as the records that were saved ----

_EDITS = {
    "title": st.sampled_from(["A New Title", "GPT-4 & Co", "On $x^2$", "Über {alles}"]),
    "volume": st.sampled_from(["", "28", "1--2"]),
    "container_title": st.sampled_from(["", "Nature", "Proc. of {ACL}"]),
    "issued": st.sampled_from([None, Date(2001), Date(1984, 5), Date(2020, 2, 29)]),
    "doi": st.sampled_from(["", "10.1000/XYZ"]),
    "author": st.sampled_from([(), (Name(family="Doe", given="Jane"),), (Name(literal="WHO"),)]),
    "extra": st.sampled_from([(), (("mrnumber", "MR0123"),), (("note2", "x"),)]),
    "publisher_place": st.sampled_from(["", "Geneva"]),
    "arxiv_id": st.sampled_from(["", "2005.14165"]),
}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_edit_saves_and_reads_back(data: st.DataObject) -> None:
    library = loads(SAMPLE)
    edited = []
    for record in library.records:
        names = data.draw(st.sets(st.sampled_from(sorted(_EDITS)), max_size=3))
        edited.append(record.with_(**{n: data.draw(_EDITS[n]) for n in names}))
    text = dumps(library.with_records(edited))
    back = loads(text).records
    assert [r.with_(entry_type="") for r in back] == [
        _normalised(r).with_(entry_type="") for r in edited
    ]
    assert dumps(loads(text)) == text


def _normalised(record: Record) -> Record:
    """What reading does to a value no writer can keep apart (the type is refined by
    content: an arXiv eprint makes a @misc a preprint, implying publisher and number)."""
    back = loads(format_bibtex([record])).records[0]
    return record.with_(
        type=back.type,
        publisher=back.publisher,
        number=back.number,
        genre=back.genre,
        page=back.page,
        issue=back.issue,
    )


def test_blocks_are_counted_independently_of_the_parser() -> None:
    from citekit.bibtex.parse import _account_for_starts, _LineIndex

    text = "@misc{a, title={b}}\n  @Book{c, title={d}}\n% @notastart{\n"
    lines = _LineIndex(text)
    _account_for_starts(text, {0, text.index("@Book")}, lines, "x.bib", None)  # all accounted for
    with pytest.raises(LibraryError) as caught:
        _account_for_starts(text, {0}, lines, "x.bib", None)  # as if the parser swallowed @Book
    assert caught.value.line == 2


@pytest.mark.parametrize("repeated_in", ["first", "second"])
def test_a_key_read_twice_is_refused_even_when_an_entry_repeats_a_field(
    tmp_path: Path, repeated_in: str
) -> None:
    """Regression (found by test_fuzz_reader): bibtexparser does not see the key of an entry
    that repeats a field (citekit reads it leniently), so two entries with one key were
    both read, and saving kept one of them: the other was lost without a word."""
    first = "@misc{a,\n  title = {X},\n  year = {1},\n  year = {2}\n}\n"
    second = "@misc{a,\n  title = {Y},\n  year = {3}\n}\n"
    if repeated_in == "second":
        first = first.replace("  year = {1},\n  year = {2}\n", "  year = {1}\n")
        second = second.replace("year = {3}\n", "year = {3},\n  year = {4}\n")
    path = tmp_path / "references.bib"
    path.write_text(first + second, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}:{first.count(chr(10)) + 1}: duplicate key 'a' (first at line 1); "
        "rename or merge one of the two entries"
    )
    from citekit.check import check_file

    report = check_file(path)
    refused = [p for p in report.problems if p.kind == "parse"]
    assert [p.line for p in refused] == [first.count("\n") + 1]
    assert "duplicate key 'a'" in refused[0].message


def test_reading_files_does_not_pile_up_log_handlers() -> None:
    """bibtexparser's log is silenced with one NullHandler, not one more per file read
    (a long-running process reading many files grew the list without end)."""
    import logging

    log = logging.getLogger("bibtexparser")
    for _ in range(3):
        loads("@misc{a, title = {x}}\n")
    assert sum(isinstance(h, logging.NullHandler) for h in log.handlers) == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_abstract_paragraphs_survive_a_file_that_mixes_line_ends(newline: str) -> None:
    """A file with CRLF and LF line ends is read as it is (CR is white space): an
    abstract's CRLF blank line is still a paragraph break (it was read as a space)."""
    text = (
        "@article{a, title = {A},\r\n  abstract = {One.\r\n\r\nTwo.\r\n \r\nThree.}}\r\n"
        f"@article{{b, title = {{B}},{newline}  abstract = {{Four.{newline}{newline}Five.}}}}\n"
    )
    records = {r.key: r for r in loads(text).records}
    assert records["a"].abstract == "One.\n\nTwo.\n\nThree."
    assert records["b"].abstract == "Four.\n\nFive."
