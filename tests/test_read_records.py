"""exports.read_records (issue 14 item 3): an export reads the library a slice at a time,
and gets exactly the records and the errors of a whole-file load."""

from __future__ import annotations

import gc
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from citekit import exports, slices
from citekit.errors import LibraryError
from citekit.library import load
from citekit.model import Record

ENTRY = """@article{{paper{n},
  author  = {{M{{\\"u}}ller, J{{\\'o}}zsef and {{OpenAI}} and 王, 小明}},
  title   = {{On {{GPT}}-{n} and $O(n)$ \\& na{{\\"\\i}}ve things}},
  journal = {{Journal of Constructed Examples}},
  year    = {n},
  month   = jan,
  doi     = {{10.5555/constructed.{n}}},
}}
"""


#: A title that only pylatexenc reads (an unknown command with a broken option): each such
#: value leaves reference cycles whose frames lead to the reader's.
PYLATEXENC = "On \\foo[ {GPT}"


def library(count: int, head: str = "% constructed\n\n") -> str:
    return head + "\n".join(ENTRY.format(n=1000 + n) for n in range(count))


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slices, "SLICE", 7)
    monkeypatch.setattr(slices, "MIN_SLICE", 3)


def test_slices_give_the_records_of_a_whole_load(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(library(40) + "\n@comment{the end}\n", encoding="utf-8")
    assert exports.read_records(bib) == list(load(bib).records)
    assert len(exports.read_records(bib)) == 40


def test_what_needs_the_whole_file_is_read_whole(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    macros = '@string{jce = "Journal of Constructed Examples"}\n\n'
    bib.write_text(library(30, macros).replace("{Journal of Constructed Examples}", "jce"), "utf-8")
    assert [r.container_title for r in exports.read_records(bib)] == [
        "Journal of Constructed Examples"
    ] * 30
    broken = library(30).replace("constructed.1020}", "constructed.1020", 1)
    bib.write_text(broken, encoding="utf-8")
    with pytest.raises(LibraryError) as whole:
        load(bib)
    with pytest.raises(LibraryError) as sliced:
        exports.read_records(bib)
    assert str(sliced.value) == str(whole.value) and sliced.value.line == whole.value.line
    twice = library(30) + "\n" + ENTRY.format(n=1001)  # a key of the first slice again
    bib.write_text(twice, encoding="utf-8")
    with pytest.raises(LibraryError, match="duplicate key 'paper1001'"):
        exports.read_records(bib)
    latin1 = library(30).replace("王, 小明", "Dupré, Zoë").encode("latin-1")
    bib.write_bytes(latin1)  # not UTF-8: whatever load makes of it (an error, or records)
    assert outcome(exports.read_records, bib) == outcome(lambda p: list(load(p).records), bib)


def outcome(read: Callable[[Path], list[Record]], path: Path) -> object:
    try:
        return read(path)
    except LibraryError as error:
        return (str(error), error.line)


@pytest.mark.parametrize("pylatexenc", [False, True])
def test_a_slice_leaves_no_garbage_behind_with_the_collector_paused(
    tmp_path: Path, pylatexenc: bool
) -> None:
    text = library(40)
    if pylatexenc:
        text = text.replace("title   = {On {GPT}", "title   = {" + PYLATEXENC)
    bib = tmp_path / "references.bib"
    bib.write_text(text, encoding="utf-8")

    # Before bibtexparser's tracebacks were dropped, a whole load left ~840 objects here, in
    # cycles that held every block read (what a slice holds is freed by the next slice).
    assert readers_garbage(lambda: load(bib)) == []
    assert readers_garbage(lambda: exports.read_records(bib)) == []


def readers_garbage(read: Callable[[], object]) -> list[str]:
    """What the cyclic collector finds of the reader's after ``read()`` ran with it paused:
    its blocks, records and frames (other threads of the test process, such as servers of
    earlier tests, may leave garbage of their own meanwhile: that is not counted)."""
    gc.collect()
    gc.disable()  # as a one-shot export or a load runs
    try:
        read()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return [_what(o) for o in gc.garbage if _what(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _what(thing: object) -> str:
    """The reader's objects by name ("" for any other)."""
    if isinstance(thing, types.FrameType):
        code = thing.f_code
        return f"frame {code.co_name}" if "citekit" in code.co_filename else ""
    kind = type(thing)
    return kind.__name__ if kind.__module__.startswith(("citekit", "bibtexparser")) else ""


def test_several_files_are_each_read_a_slice_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--bib a --bib b``: each file sliced (no whole load), the records of load_all."""
    import citekit.library

    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text(library(20), encoding="utf-8")
    b.write_text(library(20).replace("{paper1", "{other1"), encoding="utf-8")
    expected = list(citekit.library.load_all([a, b]).records)

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("read whole")

    with monkeypatch.context() as patched:
        patched.setattr(citekit.library, "load_all", whole)
        patched.setattr(citekit.library, "load", whole)
        assert exports.read_all_records([a, b]) == expected


def test_several_files_sharing_macros_or_a_key_read_as_load_all(tmp_path: Path) -> None:
    from citekit.library import load_all

    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text('@string{jce = "Journal of Constructed Examples"}\n', encoding="utf-8")
    b.write_text(library(20).replace("{Journal of Constructed Examples}", "jce"), "utf-8")
    records = exports.read_all_records([a, b])
    assert records == list(load_all([a, b]).records) and len(records) == 20
    assert {r.container_title for r in records} == {"Journal of Constructed Examples"}
    a.write_text(library(20), encoding="utf-8")
    b.write_text(library(20).replace("{paper1", "{other1", 19), encoding="utf-8")
    with pytest.raises(LibraryError) as whole:
        load_all([a, b])
    with pytest.raises(LibraryError) as sliced:
        exports.read_all_records([a, b])
    assert str(sliced.value) == str(whole.value) and "also in" in str(whole.value)


@pytest.mark.parametrize("pylatexenc", [False, True])
def test_a_load_leaves_no_cycles_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pylatexenc: bool
) -> None:
    """A whole load (check, build, resolve) runs with the cyclic collector paused and leaves
    nothing for it, so the parsed blocks of the whole file are never kept alive by a cycle.

    bibtexparser's error for the file's leading comment (read with the next block's
    opening) held a traceback whose frames led to the reader's, which hold every block:
    403 objects were left here before its traceback was dropped. pylatexenc's walker
    ended each parse with an exception whose traceback led, frame by frame, to the
    reader's: every block and record read so far stayed alive until the collector ran
    (found in a profile of glottolog-sala.bib: 38,000 objects a 2,000-entry slice, 5-10%
    of an export). Now the reader's objects are freed whether or not anything is collected.
    """
    from citekit.bibtex import latex, parse

    text = library(40)
    if pylatexenc:
        text = text.replace("title   = {On {GPT}", "title   = {" + PYLATEXENC)
    bib = tmp_path / "references.bib"
    bib.write_text(text, encoding="utf-8")

    def garbage_after_load(every: int) -> list[str]:
        monkeypatch.setattr(parse, "_COLLECT", every)
        monkeypatch.setattr(parse, "_WALKS", every)  # 10**9: never collects
        latex._decode_latex.cache_clear()  # pylatexenc's results of an earlier test
        walked = parse.walks()
        found = readers_garbage(lambda: load(bib))
        assert (parse.walks() > walked) == pylatexenc
        return found

    assert garbage_after_load(10**9) == []
    assert garbage_after_load(7) == []


def test_pylatexenc_leaves_nothing_of_the_reader_to_collect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no collection at all, nothing of the reader's is left for the collector after
    values were parsed by pylatexenc: its walker's tracebacks no longer tie the blocks
    and records read so far to a cycle (they were freed only once the reader collected)."""
    import types as builtin_types

    from citekit.bibtex import latex, parse

    bib = tmp_path / "references.bib"
    bib.write_text(library(40).replace("title   = {On {GPT}", "title   = {" + PYLATEXENC), "utf-8")
    monkeypatch.setattr(parse, "gc", builtin_types.SimpleNamespace(collect=lambda generation=2: 0))
    latex._decode_latex.cache_clear()  # pylatexenc's results of an earlier test
    walked = latex.walks()
    assert readers_garbage(lambda: load(bib)) == []
    assert latex.walks() == walked + 40


def test_a_load_that_made_no_cycle_does_not_collect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collecting costs ~15 ms per 1,000 entries: only a load that made cycles pays it."""
    from citekit.bibtex import latex, parse

    bib = tmp_path / "references.bib"
    bib.write_text(library(40), encoding="utf-8")
    monkeypatch.setattr(parse, "_COLLECT", 7)
    collected: list[int] = []
    monkeypatch.setattr(parse.gc, "collect", lambda generation=2: collected.append(generation))
    load(bib)
    assert collected == []
    bib.write_text(library(40).replace("title   = {On {GPT}", "title   = {" + PYLATEXENC), "utf-8")
    latex._decode_latex.cache_clear()  # pylatexenc's results of an earlier test
    load(bib)
    assert collected == []  # 40 parses leave a few hundred objects: not worth a collection
    monkeypatch.setattr(parse, "_WALKS", 1)
    latex._decode_latex.cache_clear()
    load(bib)
    assert collected == [0] * (40 // 7 + 1)  # every 7 blocks, and at the end
