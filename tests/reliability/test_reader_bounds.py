"""Issue #12 items 4, 13 and 14, through the CLI as a user runs it.

4. A .bib cannot exhaust memory or time: ``@string`` doubling is a parse problem naming
   its line; 200 nested ``\\emph{`` is one line; a file of broken blocks is refused after
   the first hundred (speed itself: ``benchmarks/bench_check_hostile.py``).
13. ``check`` and the writers agree on what a valid key and a repeated field are.
14. CRLF line ends and a UTF-8 byte-order mark survive a save.

Each of these failed before (shown in the commit message): MemoryError after 5 GB,
RecursionError with no line, 51 s for 20,000 lines, keys ``o'neil2020`` passing check,
``title``/``Title`` not flagged, the whole file turned to LF without its BOM.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .harness import run_citekit


def _check(project: Path, text: str | bytes) -> tuple[int, list[dict[str, object]], str]:
    bib = project / "references.bib"
    if isinstance(text, str):
        bib.write_text(text, encoding="utf-8")
    else:
        bib.write_bytes(text)
    done = run_citekit(project, "check", "--json", timeout=120)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    return done.returncode, json.loads(done.stdout)["problems"], done.stderr


def test_string_doubling_is_a_parse_problem_naming_its_line(tmp_path: Path) -> None:
    text = '@string{s0 = "ab"}\n'
    text += "".join(f"@string{{s{i + 1} = s{i} # s{i}}}\n" for i in range(40))
    text += "@misc{x, title = s40}\n"
    code, problems, _ = _check(tmp_path, text)
    assert code == 1
    parse = [p for p in problems if p["kind"] == "parse"]
    assert parse and "nested @string" in str(parse[0]["message"])
    assert isinstance(parse[0]["line"], int) and 2 <= parse[0]["line"] <= 42


def test_deeply_nested_braces_are_one_line(tmp_path: Path) -> None:
    text = "@misc{x, title = {" + "\\emph{" * 200 + "x" + "}" * 200 + "}}\n"
    code, problems, _ = _check(tmp_path, text)
    assert code == 1
    assert [(p["kind"], p["line"]) for p in problems] == [("parse", 1)]
    assert "more than 100 levels deep" in str(problems[0]["message"])


def test_a_file_of_broken_blocks_stops_after_a_hundred(tmp_path: Path) -> None:
    code, problems, _ = _check(tmp_path, "@a{\n" * 20000)
    assert code == 1
    assert any("stopped reading here" in str(p["message"]) for p in problems)
    assert len(problems) < 400
    code, problems, _ = _check(
        tmp_path, "".join(f"@article{{same, title={{t{i}}}}}\n" for i in range(20000))
    )
    assert code == 1 and len(problems) < 400


@pytest.mark.parametrize("key", ["o'neil2020", "a~b", "100%"])
def test_check_reports_a_key_the_writers_refuse(tmp_path: Path, key: str) -> None:
    code, problems, _ = _check(tmp_path, f"@misc{{{key}, title = {{T}}}}\n")
    assert code == 1
    assert ("invalid-key", key) in [(p["kind"], p["key"]) for p in problems]


def test_a_keyless_entry_is_reported_not_ok(tmp_path: Path) -> None:
    code, problems, _ = _check(tmp_path, "@misc{, title = {T}}\n@misc{, title = {U}}\n")
    assert code == 1
    assert [(p["kind"], p["line"]) for p in problems] == [("missing-key", 1), ("missing-key", 2)]


def test_title_and_Title_are_one_repeated_field(tmp_path: Path) -> None:
    code, problems, _ = _check(tmp_path, "@misc{k,\n  title = {A},\n  Title = {B}\n}\n")
    assert code == 1
    assert [(p["kind"], p["key"], p["line"]) for p in problems] == [("repeated-field", "k", 2)]


def test_crlf_and_bom_survive_a_save(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    original = (
        "\ufeff@misc{kept,\r\n  title = {Kept},\r\n  year = {2020},\r\n}\r\n\r\n"
        "@misc{changed,\r\n  title = {Old},\r\n  year = {2020},\r\n  url = {https://example.org/x},\r\n}\r\n"
    )
    bib.write_bytes(original.encode("utf-8"))
    # import-md appends an entry: the file is saved with one entry more
    md = tmp_path / "notes.md"
    md.write_text("- [A page](https://example.org/new-page)\n", encoding="utf-8")
    done = run_citekit(tmp_path, "import-md", str(md))
    assert done.returncode == 0, done.stderr
    data = bib.read_bytes()
    assert data.startswith(original.encode("utf-8"))  # BOM and every CRLF byte kept
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF anywhere
    assert b"example.org/new-page" in data
