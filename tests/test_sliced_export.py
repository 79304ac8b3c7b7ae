"""``export csl`` of a large library by several processes, a slice each (#14 target 2).

Every case compares the sliced export with the whole-file export of the same library
(``--encoding utf-8`` takes the whole-file path): the same bytes, the same notes, the same
error with the same line, and an old file left alone when there is an error. The CLI runs
as its own process, as a user runs it: forking the test process (with its server threads)
is not what users do.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit import exports, slices
from citekit.library import load
from tests.test_read_records import library as read_records_library

ROOT = Path(__file__).resolve().parents[1]

#: Entries enough for three slices of MIN_SLICE with two workers.
COUNT = 600


def library(count: int = COUNT, head: str = "% constructed\n\n") -> str:
    return read_records_library(count, head)


def export(bib: Path, out: str, *, jobs: int = 2, whole: bool = False) -> tuple[int, str]:
    """``citekit export csl -o out`` in its own process: exit code and stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITEKIT_JOBS": str(jobs)}
    encoding = ["--encoding", "utf-8"] if whole else []
    args = [sys.executable, "-m", "citekit", "--bib", str(bib), *encoding, "export", "csl"]
    run = subprocess.run(
        [*args, "-o", out], capture_output=True, text=True, env=env, cwd=bib.parent, timeout=120
    )
    assert "Traceback" not in run.stderr
    return run.returncode, run.stderr.replace(str(bib.parent), "DIR")


def same_as_whole(bib: Path, by_encoding: bool = True) -> tuple[int, str]:
    """Export in slices and whole; assert the same result; return the sliced one's.

    The whole-file export is the one ``--encoding utf-8`` takes, or (``by_encoding``
    False: a file that is not UTF-8 is reported differently when an encoding is given)
    one process's, which reads such a file whole too.
    """
    sliced = export(bib, "sliced.json")
    whole = export(bib, "whole.json", whole=by_encoding, jobs=2 if by_encoding else 1)
    assert sliced == (whole[0], whole[1].replace("whole.json", "sliced.json"))
    if sliced[0] == 0:
        assert (bib.parent / "sliced.json").read_bytes() == (bib.parent / "whole.json").read_bytes()
    return sliced


def test_slices_give_the_bytes_and_the_notes_of_the_whole_file(tmp_path: Path) -> None:
    head = (
        "% constructed\n"
        '@string{jce = "Journal of Constructed Examples"}\n'
        '@preamble{"\\newcommand{\\TUB}{TUGboat}"}\n\n'
    )
    text = library(head=head).replace("{Journal of Constructed Examples}", "jce")
    last = "@article{paper1599,"
    text = text.replace(last, "@article{late, title = {On \\TUB}, journal = {\\TUB}}\n" + last)
    text = text.replace("@article{paper1300,", "@article{,")  # no key: left out, said so
    text = text.replace('title   = {On {GPT}-1450 and $O(n)$ \\& na{\\"\\i}ve things},', "")
    bib = tmp_path / "references.bib"
    bib.write_text(text, encoding="utf-8")
    code, notes = same_as_whole(bib)
    assert code == 0
    assert "skipped 1 entry without a citation key" in notes
    assert "1 unresolved entry exported without metadata (paper1450)" in notes
    assert "wrote sliced.json (600 entries)" in notes
    written = (tmp_path / "sliced.json").read_text(encoding="utf-8")
    assert '"container-title": "TUGboat"' in written  # the header's @preamble, in slice 3
    assert written.count("Journal of Constructed Examples") == 599  # its @string too


@pytest.mark.parametrize("ends", ["mixed", "crlf", "bom"])
def test_a_slice_is_read_with_the_line_ends_of_the_whole_file(tmp_path: Path, ends: str) -> None:
    """A file that mixes line ends is read as it is, CRs and all; a slice of it may have
    CRLF only, which alone would be converted: its abstracts' paragraph breaks then came
    out where the whole file has none (found in review)."""
    text = library(head="").replace(  # no header: it would be read with every slice
        "@article{paper1010,", "@article{para, abstract = {One.\n\nTwo.}}\n@article{paper1010,"
    )
    if ends == "mixed":  # the second half CRLF: its slices have no bare LF
        late = "@article{late, abstract = {A.\n\nB.}}\n@article{paper1500,"
        text = text.replace("@article{paper1500,", late)
        half = text.index("@article{paper1200,")
        text = text[:half] + text[half:].replace("\n", "\r\n")
    elif ends == "crlf":
        text = text.replace("\n", "\r\n")
    else:
        text = "\ufeff" + text
    bib = tmp_path / "references.bib"
    bib.write_bytes(text.encode("utf-8"))
    assert same_as_whole(bib)[0] == 0
    assert b"Two." in (tmp_path / "sliced.json").read_bytes()


@pytest.mark.parametrize(
    "change",
    [
        "string after the first entry",
        "preamble after the entries",
        "crossref",
        "a key in two slices",
        "broken entry in the third slice",
        "latin-1 in the second slice",
    ],
)
def test_what_a_slice_cannot_read_alone_is_read_whole(tmp_path: Path, change: str) -> None:
    """Each gives the whole file's result: the records, or the error with its line (and
    the file written before stays as it was)."""
    bib = tmp_path / "references.bib"
    text = library()
    if change == "string after the first entry":
        text = text.replace("{Journal of Constructed Examples}", "jce")
        text = text.replace("@article{paper1001,", '@string{jce = "J. C. E."}\n@article{paper1001,')
    elif change == "preamble after the entries":
        text = text.replace("{paper1000,\n  author  = {", "{paper1000,\n  author  = {\\TUB and ")
        text += '\n@preamble{"\\newcommand{\\TUB}{Tug Boat}"}\n'
    elif change == "crossref":
        text = text.replace("year    = 1599,", "year    = 1599,\n  crossref = {paper1000},")
    elif change == "a key in two slices":
        text = text.replace("{paper1550,", "{paper1003,")
    elif change == "broken entry in the third slice":
        text = text.replace("constructed.1520}", "constructed.1520")
    data = text.encode("utf-8")
    if change == "latin-1 in the second slice":
        data = data.replace(
            "王, 小明},\n  title   = {On {GPT}-1300".encode(), b"Dupr\xe9}, title={X"
        )
    bib.write_bytes(data)
    old = b"[]\n"
    (tmp_path / "sliced.json").write_bytes(old)
    (tmp_path / "whole.json").write_bytes(old)
    code, notes = same_as_whole(bib, by_encoding=not change.startswith("latin-1"))
    broken = change in (
        "a key in two slices",
        "broken entry in the third slice",
        "latin-1 in the second slice",
    )
    assert code == (1 if broken else 0), notes
    if broken:
        assert (tmp_path / "sliced.json").read_bytes() == old
        left = sorted(p.name for p in tmp_path.iterdir() if p.name != ".citekit.lock")
        assert left == ["references.bib", "sliced.json", "whole.json"]  # no temp file
        assert re.search(r"references\.bib:\d+: (duplicate key 'paper1003'|this entry|byte)", notes)


def test_stdout_gets_the_whole_text_or_nothing(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(library(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITEKIT_JOBS": "2"}
    args = [sys.executable, "-m", "citekit", "--bib", str(bib), "export", "csl", "-o", "-"]
    good = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert good.returncode == 0
    assert export(bib, "whole.json", whole=True)[0] == 0
    assert good.stdout == (tmp_path / "whole.json").read_bytes()
    bib.write_text(library().replace("constructed.1520}", "constructed.1520"), encoding="utf-8")
    bad = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert bad.returncode == 1 and bad.stdout == b""
    assert re.search(rb"references\.bib:\d+: this entry cannot be read", bad.stderr)


def test_a_preamble_counts_in_every_slice_read_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: ``read_records`` read each slice with only its own ``@preamble``, so an
    entry after the first slice lost the file's commands ("TUB" for ``\\TUB``)."""
    monkeypatch.setattr(slices, "SLICE", 7)
    bib = tmp_path / "references.bib"
    head = '@preamble{"\\newcommand{\\TUB}{TUGboat}"}\n\n'
    text = library(30, head) + "\n@article{late, title = {On \\TUB}, journal = {\\TUB}}\n"
    bib.write_text(text, encoding="utf-8")
    records = exports.read_records(bib)
    assert records == list(load(bib).records)
    assert "TUGboat" in records[-1].container_title


def test_jobs_come_from_the_environment_or_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEKIT_JOBS", "3")
    assert slices.jobs() == 3
    monkeypatch.setenv("CITEKIT_JOBS", "no")
    assert slices.jobs() == min(len(os.sched_getaffinity(0)), slices.MAX_JOBS)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))
    assert slices.jobs() == slices.MAX_JOBS == 8


def test_slices_are_cut_where_blocks_start_and_sized_for_the_workers(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(library(1000), encoding="utf-8")
    one, two = slices.cut(bib), slices.cut(bib, workers=2)
    assert one is None  # a single process reads up to SLICE entries at once
    assert two is not None and len(two) == 4  # a quarter of each worker's share
    assert all(two.data[a:b].lstrip().startswith(b"@article{") for a, b in two.bounds)
    assert sum(len(two.read(i)) for i in range(len(two))) == 1000


CRASH = """
import os, sys
from pathlib import Path
from citekit import slices

def work(records):
    if any(r.key == "paper1300" for r in records):
        os._exit(9)  # as the kernel's OOM killer ends a process: no goodbye
    return len(records)

cut = slices.cut(Path(sys.argv[1]), 2)
print(list(slices.map_slices(cut, work, 2)))
"""


def test_a_worker_that_dies_ends_the_map_with_none_instead_of_a_hang(tmp_path: Path) -> None:
    """A worker killed mid-slice (out of memory): the caller is told (None, and the export
    then reads the file in one process), where multiprocessing.Pool waited forever."""
    bib = tmp_path / "references.bib"
    bib.write_text(library(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", CRASH, str(bib)], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    results = ast.literal_eval(run.stdout)  # ints and None, printed by the script above
    assert results[-1] is None and all(r == 250 for r in results[:-1]) and len(results) <= 2


_LINE_START_BLOCK = re.compile(rb"^[^\S\n]*@(\w*)[ \t]*(?=[{(])", re.M)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["@a{", "@Misc (", "@ {", " ", "\t", "\r", "\x0b", "\n", "x", "@", "{", "%"]
        )
    )
)
def test_block_starts_are_those_of_the_line_start_pattern(pieces: list[str]) -> None:
    """The fast search for block starts finds what the multi-line pattern finds."""
    data = "".join(pieces).encode()
    expected = [(m.start(), m.group(1).lower()) for m in _LINE_START_BLOCK.finditer(data)]
    assert slices._block_starts(data) == expected


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        (b"@a{x, title={T}}", False),
        (b"@a{x, crossref = {y}}", True),
        (b"@a{x, CrossRef={y}}", True),
        (b"@a{x, XDATA={y}}", True),
        (b"@a{x, note={see the crossref}}", False),  # a word, not a field
        (b"@a{x, mycrossref={y}}", False),
    ],
)
def test_crossref_and_xdata_fields_are_found_in_any_case(text: bytes, linked: bool) -> None:
    assert exports._links(text) is linked
