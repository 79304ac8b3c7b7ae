"""Fuzzing the reader: arbitrary bytes and mutated real .bib files into ``citekit check``.

Properties, for every input: ``check`` exits 0 or 1, never with a traceback or an
"internal error"; every problem is one output line (the JSON report and the text report
agree line for line); a parse problem names a line inside the file; ``library.loads``
either returns a library or raises LibraryError with a line. Inputs are bounded in size
and each example has a deadline, so a hang fails the test instead of stalling CI.

Seeds: the shared real-world .bib files (``../shared/bench-data``), cut into windows of
whole entries, and a CONSTRUCTED torture snippet of hard BibTeX syntax. The long run is
``python benchmarks/fuzz_reader.py`` (by hand; it counts the inputs it tried).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.bibtex.encoding import encode
from citekit.errors import LibraryError
from citekit.library import dumps, loads
from tests.conftest import require_shared

from .harness import invoke, no_traceback

MAX_BYTES = 6_000
DEADLINE_MS = 5_000
BENCH = ("biblatex-examples.bib", "cdl.bib", "glottolog-zurich.bib", "glottolog-sala.bib")
#: CONSTRUCTED: the syntax that trips readers (strings, concatenation, comments, quotes,
#: nested braces, a preamble, odd key characters, @comment swallowing, a trailing comma).
TORTURE = r"""@string{acm = "ACM Press"}
@preamble{"\newcommand{\noopsort}[1]{}"}
% a comment line with @ and { unbalanced
@comment{anything {goes} here @article{not, an = entry}}
@inproceedings{k:1-2_x.y,
  author    = {M{\"u}ller, J{\"o}rg and {World Health Organization} and de la Fuente, José},
  title     = "The {GPT}-3 \& {\LaTeX} {{nested {deep}}} story: 50\% $x^2$",
  booktitle = acm # " proceedings, " # {vol.~} # 3,
  year      = 2020,
  month     = jan,
  pages     = {1--10},
  url       = {https://example.org/a_b%20c#frag},
}
@misc{trailing,
  title = {Trailing comma},
  note = {a "quoted" value},
}
"""

RUN = settings(
    max_examples=150,
    deadline=DEADLINE_MS,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_PROBLEM_LINE = re.compile(r"^references\.bib(?::(\d+))?: .+ \[[a-z-]+\]$")
_ENTRY_START = re.compile(rb"^@", re.MULTILINE)


def assert_check_holds(project: Path, data: bytes) -> None:
    """Run ``check`` and ``check --json`` on ``data`` and assert the reader's contract."""
    (project / "references.bib").write_bytes(data)
    text = invoke(project, "check")
    as_json = invoke(project, "check", "--json")
    for result in (text, as_json):
        assert result.exit_code in (0, 1), (result.exit_code, result.output[-500:])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert no_traceback(result.output), result.output[-500:]
        assert all(line.startswith("citekit: ") for line in result.stderr.splitlines())
    report = json.loads(as_json.stdout)
    assert (text.exit_code == 0) == report["ok"] == (as_json.exit_code == 0)
    lines = text.stdout.splitlines()
    assert len(lines) == len(report["problems"])  # one problem, one line
    total = data.count(b"\n") + 1
    for line, problem in zip(lines, report["problems"], strict=True):
        match = _PROBLEM_LINE.match(line)
        assert match, line
        if problem["kind"] == "parse":
            assert problem["line"] is not None and 1 <= problem["line"] <= total, problem
            assert report["entries"] == 0


def assert_loads_holds(text: str) -> None:
    """``loads`` returns a library that writes back as it came, or a LibraryError with a line."""
    try:
        library = loads(text)
    except LibraryError as exc:
        assert exc.line is not None and exc.line >= 1, str(exc)
        assert "\n" not in str(exc), str(exc)
        return
    # Saved as it came: the same text, line ends (CRLF, or mixed kept as they are) and BOM.
    assert encode(dumps(library), library.encoding, "<string>") == text.encode("utf-8")


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    """Windows of ~12 whole entries from each shared file, plus the torture snippet."""
    seeds = [TORTURE.encode()]
    for name in BENCH:
        data = require_shared(f"bench-data/{name}").read_bytes()
        starts = [m.start() for m in _ENTRY_START.finditer(data)]
        for i in range(0, len(starts) - 12, max(1, len(starts) // 8)):
            seeds.append(data[starts[i] : starts[i + 12]][:MAX_BYTES])
    return seeds


#: Mutations that keep most of the file intact: a byte flipped to BibTeX syntax,
#: a span deleted or duplicated, a cut at any point, CRLF or a BOM.
_SYNTAX = [b"{", b"}", b"@", b'"', b"#", b",", b"=", b"%", b"\\", b"\n", b"\x00", b"\xff", b"\r\n"]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "cut", "crlf", "bom"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(_SYNTAX))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        elif kind == "cut":
            del data[at:]
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        else:
            data[0:0] = b"\xef\xbb\xbf"
    return bytes(data[:MAX_BYTES])


@RUN
@given(data=st.binary(max_size=2_000))
def test_check_survives_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    assert_check_holds(tmp_path, data)


@RUN
@given(
    text=st.lists(
        st.sampled_from([*'@{}"#,=%\\\n ', "@article{", "title = ", "a", "é"]), max_size=120
    ).map("".join)
)
def test_loads_on_bibtex_shaped_noise(text: str) -> None:
    assert_loads_holds(text)


def test_check_survives_mutated_real_files(tmp_path: Path, corpus: list[bytes]) -> None:
    @RUN
    @given(data=mutated(corpus))
    def case(data: bytes) -> None:
        assert_check_holds(tmp_path, data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        assert_loads_holds(text)

    case()


def test_the_unmutated_seeds_load(corpus: list[bytes]) -> None:
    """The seeds themselves are readable (else the mutations would test nothing new)."""
    loaded = 0
    for seed in corpus:
        try:
            loaded += len(loads(seed.decode("utf-8")).records) > 0
        except LibraryError:
            continue
    assert loaded >= len(corpus) // 2


def test_a_broken_entry_is_named_by_its_line(tmp_path: Path) -> None:
    """A concrete case of the property: the line of the damage, one line, exit 1."""
    text = TORTURE.replace("  year      = 2020,", "  year      = {2020,")
    assert_check_holds(tmp_path, text.encode())
    result = invoke(tmp_path, "check")
    assert result.exit_code == 1
    assert re.search(r"^references\.bib:\d+: ", result.stdout, re.MULTILINE), result.stdout


def test_mixed_line_ends_are_saved_as_they_came() -> None:
    """Found by the mutation property: a CRLF file with one LF (at its start, or in an
    entry) was saved with CRLF everywhere."""
    for text in (
        "\n@misc{a,\r\n  title = {x},\r\n}\r\n",
        "@misc{a,\r\n  title = {x},\n}\r\n@misc{b,\r\n  title = {y},\r\n}\r\n",
    ):
        assert_loads_holds(text)
        assert [r.title for r in loads(text).records] == ["x", "y"][: text.count("@")]


def test_a_key_holding_a_line_break_is_one_line_in_check(tmp_path: Path) -> None:
    """Found by the mutation property: ``@inproceedings{k\\n:1-2_x.y,`` printed its
    invalid-key problem over two lines."""
    assert_check_holds(tmp_path, b"@misc{k\n:1-2_x.y,\r\n  title = {x},\r\n}\r\n")
    text = invoke(tmp_path, "check").stdout
    assert text.startswith("references.bib:1: k\\n:1-2_x.y: the key holds"), text
