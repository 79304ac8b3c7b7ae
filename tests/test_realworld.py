"""Issue #18: real .bib files from public test suites (tests/data/realworld/, see its README).

Every file is read without a traceback; what bibtex and biber read (an undefined macro, a
repeated field, a stray control byte, a declared 8-bit encoding, UTF-16 with a byte-order
mark, keyless entries) is read, with warnings; what cannot be read is one line of advice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.check import check_file
from citekit.errors import LibraryError
from citekit.library import load, save
from citekit.writers.inherit import inherit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "realworld"
FILES = sorted(p.name for p in CORPUS.glob("*.bib"))


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    target.write_bytes((CORPUS / name).read_bytes())
    return target


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_checked_without_a_traceback(tmp_path: Path, name: str) -> None:
    path = _copy(tmp_path, name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "citekit", "--bib", str(path), "check", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    report = json.loads(run.stdout)
    assert all(p["line"] is not None or p["kind"] == "parse" for p in report["problems"])
    assert path.read_bytes() == (CORPUS / name).read_bytes()


#: file → (entries, {problem kind: how many}) as `citekit check` reports them.
EXPECTED = {
    "bbt-472-undefined-string.bib": (2, {"undefined-string": 2}),
    "bbt-1562-repeated-field.bib": (1, {"repeated-field": 1}),
    "bbt-2300-repeated-title.bib": (7, {"repeated-field": 4}),
    "bbt-97-control-byte-excerpt.bib": (1, {"control-character": 1}),
    "jabref-encoding-windows-1252-with-header.bib": (1, {"missing-key": 1}),
    "jabref-encoding-utf-16BE-with-header.bib": (1, {"missing-key": 1}),
    "jabref-tiny-BE-withBOM.bib": (1, {}),
    "biber-encoding1.bib": (1, {}),
    "biber-encoding2.bib": (1, {}),
    "biber-encoding3.bib": (1, {}),
    "biber-encoding4.bib": (1, {}),
    "biber-encoding5.bib": (1, {}),
    "biber-encoding6.bib": (1, {}),
    "bbt-2373-crossref-children.bib": (3, {}),
    "bbt-3514-crossref-date.bib": (6, {}),
    "jabref-testbib-crossref.bib": (4, {}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_what_biber_reads_is_read_with_its_warnings(name: str) -> None:
    entries, kinds = EXPECTED[name]
    report = check_file(CORPUS / name)
    counted: dict[str, int] = {}
    for problem in report.problems:
        if problem.kind in ("duplicate-doi", "missing-field"):
            continue  # what the file's authors wrote; not what this test is about
        counted[problem.kind] = counted.get(problem.kind, 0) + 1
    assert (report.entries, counted) == (entries, kinds)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("jabref-tiny-BE-noBOM.bib", "UTF-16-BE without a byte-order mark"),
        ("jabref-encoding-windows-1252-but-utf-8-declared--decoding-fails.bib", "not UTF-8"),
        ("bibtexparser-gbk_test.bib", "gb18030: '凯撒2013'"),
    ],
)
def test_other_encodings_are_refused_with_advice_for_that_file(name: str, words: str) -> None:
    with pytest.raises(LibraryError) as caught:
        load(CORPUS / name)
    assert words in caught.value.message
    assert "\n" not in str(caught.value)


def test_the_advice_works_for_a_gbk_key() -> None:
    # Issue #18: `iconv -f latin1` turned the key 凯撒2013 into mojibake.
    library = load(CORPUS / "bibtexparser-gbk_test.bib", encoding="gb18030")
    assert [r.key for r in library.records] == ["凯撒2013"]
    assert library.records[0].container_title == "测试期刊"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("biber-encoding1.bib", "Šome title"),  # latin-9, from the Emacs coding line
        ("biber-encoding4.bib", "Żome title"),  # latin-2
        ("jabref-tiny-BE-withBOM.bib", None),
    ],
)
def test_declared_and_bom_encodings_are_decoded(name: str, title: str | None) -> None:
    library = load(CORPUS / name)
    assert library.records
    if title is not None:
        assert library.records[0].title == title


def test_a_declared_windows_1252_file_is_read_and_saved_in_windows_1252(tmp_path: Path) -> None:
    path = _copy(tmp_path, "jabref-encoding-windows-1252-with-header.bib")
    library = load(path)
    assert library.records[0].abstract == "25° C"
    added = library.records[0].with_(key="new2024", title="Größe")
    assert save(library.with_records([added]), path)
    data = path.read_bytes()
    assert data.startswith((CORPUS / path.name).read_bytes()[:-1])  # the original bytes
    assert "Größe".encode("cp1252") in data or b'Gr{\\"o}{\\ss}e' in data
    assert load(path).records[-1].title == "Größe"


def test_utf16_with_bom_keeps_bom_encoding_and_line_ends_on_save(tmp_path: Path) -> None:
    path = _copy(tmp_path, "jabref-tiny-BE-withBOM.bib")
    library = load(path)
    new = library.records[0].with_(key="added2024", title="Zürich")
    assert save(library.with_records([new]), path)
    data = path.read_bytes()
    assert data.startswith(b"\xfe\xff")
    text = data[2:].decode("utf-16-be")
    assert text.startswith((CORPUS / path.name).read_bytes()[2:].decode("utf-16-be").rstrip())
    assert [r.key for r in load(path).records] == [library.records[0].key, "added2024"]


def test_keyless_entries_are_kept_on_save_and_skipped_by_exports(tmp_path: Path) -> None:
    path = _copy(tmp_path, "jabref-encoding-windows-1252-with-header.bib")
    original = path.read_bytes()
    library = load(path)
    assert [r.key for r in library.records] == [""]
    new = library.records[0].with_(key="fresh2024", abstract="")
    assert save(library.with_records([*library.records, new]), path)
    assert path.read_bytes().startswith(original.rstrip(b"\n"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "citekit", "--bib", str(path), "export", "csl", "-o", "-"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert [item["id"] for item in json.loads(run.stdout)] == ["fresh2024"]
    assert "skipped 1 entry without a citation key" in run.stderr


def test_crossref_children_inherit_for_derived_formats() -> None:
    # Issue #18: @inbook{…, crossref={…}} exported with no container, publisher or date.
    records = {r.key: r for r in inherit(load(CORPUS / "bbt-3514-crossref-date.bib").records)}
    child = records["Hauck_2011"]
    assert child.issued is not None and child.issued.year is not None
    assert child.container_title and child.publisher
    children = {r.key: r for r in inherit(load(CORPUS / "bbt-2373-crossref-children.bib").records)}
    inbook = children["inbook"]
    assert inbook.container_title == "Global Civil Society: Dimensions of the Nonprofit Sector"
    assert inbook.title == "Lebanon"
    assert [n.family for n in inbook.editor] == ["Salamon", "Sokolowski"]


def test_macros_of_another_file_are_visible(tmp_path: Path) -> None:
    # The IEEEabrv pattern: biber's papers.bib takes its journal names from definitions.bib.
    strings: dict[str, str] = {}
    load(CORPUS / "biber-definitions.bib", strings=strings)
    papers = load(CORPUS / "biber-papers-excerpt.bib", strings=strings)
    assert not [w for w in papers.warnings if w.kind == "undefined-string"]
    alone = load(CORPUS / "biber-papers-excerpt.bib")
    assert len([w for w in alone.warnings if w.kind == "undefined-string"]) == 50  # capped
    first = papers.records[0]
    assert first.key == "AardalHLT02" and first.container_title == "Operations Research"


@pytest.mark.parametrize("name", FILES)
def test_csl_json_of_every_readable_file_is_schema_valid(name: str) -> None:
    import jsonschema

    from citekit.writers.csljson import format_csljson
    from citekit.writers.inherit import derived

    try:
        records = load(CORPUS / name).records
    except LibraryError:
        return  # refused with advice: see the tests above
    schema = json.loads((ROOT / "tests" / "data" / "schema" / "csl-data.json").read_text())
    items = json.loads(format_csljson(derived([r for r in records if r.key])))
    jsonschema.validate(items, schema)
    assert len(items) == len([r for r in records if r.key])


def test_build_skips_keyless_entries_and_says_so(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{a, title={A}, year=2020, url={https://example.org}}\n\n@misc{, title={No key}}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "citekit", "build", "--offline"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "exports skipped 1 entry without a key" in run.stderr
    items = json.loads((tmp_path / "exports" / "references.json").read_text())
    assert [i["id"] for i in items] == ["a"]
    assert "No key" in bib.read_text()
