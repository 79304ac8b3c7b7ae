"""exports/: every file, atomic and unchanged on a no-op rebuild; the export CLI commands."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import rispy
from click.testing import CliRunner

from citekit.cli import cli
from citekit.exports import CSL_JSON, RIS, ZOTERO_ITEMS, ZOTERO_RDF, export_files, write_all
from tests.conftest import require_shared
from tests.export_records import hub, torture

ALL = hub() + torture()


def test_write_all_writes_every_export(tmp_path: Path) -> None:
    changed = write_all(ALL, tmp_path)
    expected = {tmp_path / p for p in (CSL_JSON, ZOTERO_RDF, ZOTERO_ITEMS, RIS)}
    assert expected <= set(changed)
    assert set(changed) == {p for p in tmp_path.rglob("*") if p.is_file()}
    csl = json.loads((tmp_path / CSL_JSON).read_text(encoding="utf-8"))
    assert [i["id"] for i in csl] == [r.key for r in ALL]
    assert len(rispy.loads((tmp_path / RIS).read_text(encoding="utf-8"))) == len(ALL)


def test_biblatex_export_when_the_library_core_provides_it(tmp_path: Path) -> None:
    from citekit.writers import bibtex

    write_all(ALL, tmp_path)
    text = (tmp_path / "references-biblatex.bib").read_text(encoding="utf-8")
    assert text == bibtex.format_biblatex(ALL)


def test_unchanged_rebuild_rewrites_nothing(tmp_path: Path) -> None:
    write_all(ALL, tmp_path)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    past = 1_000_000_000
    for path in files:
        os.utime(path, (past, past))
    assert write_all(ALL, tmp_path) == []
    assert all(p.stat().st_mtime == past for p in files)
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_changed_record_rewrites_only_what_changed(tmp_path: Path) -> None:
    write_all(ALL, tmp_path)
    edited = [ALL[0].with_(title=ALL[0].title + " (revised)"), *ALL[1:]]
    changed = write_all(edited, tmp_path)
    assert tmp_path / CSL_JSON in changed and tmp_path / RIS in changed
    assert "(revised)" in (tmp_path / CSL_JSON).read_text(encoding="utf-8")


def test_exports_are_deterministic() -> None:
    assert export_files(ALL) == export_files(list(ALL))
    for text in export_files(ALL).values():
        assert text.endswith("\n") and "\r" not in text


# --- items.json against the pinned Zotero schema -----------------------------------------


def zotero_schema() -> dict[str, Any]:
    path = require_shared("samples/zotero/weblibrary_schema.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_items_json_is_valid_web_api_json() -> None:
    schema = zotero_schema()
    fields = {t["itemType"]: {f["field"] for f in t["fields"]} for t in schema["itemTypes"]}
    creators = {
        t["itemType"]: {c["creatorType"] for c in t["creatorTypes"]} for t in schema["itemTypes"]
    }
    data = json.loads(export_files(ALL)[ZOTERO_ITEMS])
    keys = {c["key"] for c in data["collections"]}
    for coll in data["collections"]:
        assert coll["parentCollection"] is False or coll["parentCollection"] in keys
        assert 0 < len(coll["name"]) <= 255 and "/" not in coll["name"]
    assert len(data["items"]) == len(ALL)
    structural = {"itemType", "creators", "tags", "collections"}
    for record, item in zip(ALL, data["items"], strict=True):
        itype = item["itemType"]
        assert set(item) - structural <= fields[itype], record.key
        assert {c["creatorType"] for c in item["creators"]} <= creators[itype]
        assert set(item["collections"]) <= keys
        assert len(item["collections"]) == len(record.collections)
        assert all(set(t) == {"tag"} for t in item["tags"])


def test_items_json_collection_tree_matches_the_groups() -> None:
    data = json.loads(export_files(ALL)[ZOTERO_ITEMS])
    by_key = {c["key"]: c for c in data["collections"]}

    def path(key: str) -> str:
        coll = by_key[key]
        parent = coll["parentCollection"]
        return f"{path(parent)}/{coll['name']}" if parent else coll["name"]

    for record, item in zip(ALL, data["items"], strict=True):
        assert sorted(path(k) for k in item["collections"]) == sorted(record.collections)


# --- CLI ------------------------------------------------------------------------------------


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from citekit.writers import bibtex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(bibtex.format_bibtex(ALL), encoding="utf-8")
    return tmp_path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_cli_export_csl_default_path_and_stdout(library: Path) -> None:
    result = invoke("export", "csl")
    assert result.exit_code == 0, result.output
    items = json.loads((library / "exports" / CSL_JSON).read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == [r.key for r in ALL]
    result = invoke("export", "csl", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout) == items


def test_cli_export_ris_to_a_file(library: Path) -> None:
    result = invoke("export", "ris", "-o", "out.ris")
    assert result.exit_code == 0, result.output
    assert len(rispy.loads((library / "out.ris").read_text(encoding="utf-8"))) == len(ALL)


def test_cli_export_zotero_to_a_directory(library: Path) -> None:
    result = invoke("export", "zotero", "-o", "zot")
    assert result.exit_code == 0, result.output
    assert (library / "zot" / "library.rdf").read_text(encoding="utf-8").startswith("<?xml")
    data = json.loads((library / "zot" / "items.json").read_text(encoding="utf-8"))
    assert len(data["items"]) == len(ALL)


def test_cli_export_all_then_up_to_date(library: Path) -> None:
    result = invoke("export", "all")
    assert result.exit_code == 0, result.output
    assert (library / "exports" / ZOTERO_RDF).is_file()
    result = invoke("export", "all")
    assert result.exit_code == 0 and "up to date" in result.output


def test_cli_export_without_a_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("export", "csl")
    assert result.exit_code == 1
    assert "references.bib" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["csl", "ris", "zotero", "all"])
def test_cli_export_help(command: str) -> None:
    result = invoke("export", command, "--help")
    assert result.exit_code == 0 and "--output" in result.output


def test_cli_export_warns_about_unresolved_stubs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(
        "@misc{stub1,\n  eprint = {2005.14165},\n  archiveprefix = {arXiv},\n}\n", encoding="utf-8"
    )
    result = invoke("export", "csl", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "1 unresolved" in result.stderr and "stub1" in result.stderr
    assert [i["id"] for i in json.loads(result.stdout)] == ["stub1"]


# --- derived: one pass over the unmodelled fields ------------------------------------------

_EXTRAS = [
    ("subtitle", "A Subtitle"),
    ("TitleAddon", "{an addon}"),
    ("journalsubtitle", "{Letters}"),
    ("hhtype", "{grammar}"),
    ("langid", "{english}"),
    ("crossref", "{parent}"),
    ("XData", "{shared}"),
]


def _derived_by_definition(records: list[Any]) -> list[Any]:
    """:func:`derived` as it reads: children completed, then the title parts joined."""
    from citekit.writers import inherit

    return [inherit._titles(r) for r in inherit.inherit(records)]


@pytest.mark.parametrize("links", [False, True])
def test_derived_is_inherit_then_title_parts(links: bool) -> None:
    from citekit.model import Record
    from citekit.writers.inherit import derived

    extras = [e for e in _EXTRAS if links or e[0].lower() not in ("crossref", "xdata")]
    records = [r.with_(extra=()) for r in ALL]
    records += [
        Record(key=f"k{i}", title="Main Title", container_title="Journal", extra=(extra,))
        for i, extra in enumerate(extras)
    ]
    records += [
        Record(key="parent", type="book", title="Parent Book", entry_type="book"),
        Record(key="shared", type="book", publisher="Shared Press", entry_type="xdata"),
        Record(key="many", title="T", extra=(("hhtype", "x"), ("subtitle", "S"))),
    ]
    done = derived(records)
    assert done == _derived_by_definition(records)
    assert done[len(ALL)].title == "Main Title. A Subtitle"  # title parts joined either way
    children = [i for i, r in enumerate(records) if r.extra_get("crossref")]
    assert [done[i] != records[i] for i in children] == ([True] if links else [])
    assert derived(ALL) == _derived_by_definition(ALL)
