"""Issue #18 build 2: several library files read as one (``--bib`` repeated, ``bib = [...]``).

@string macros of any file are visible in all (biber's papers.bib + definitions.bib, the
IEEEabrv.bib pattern), whatever the order; each entry is written back to its own file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.config import load_settings
from citekit.errors import ConfigError, LibraryError
from citekit.library import load_all, save

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "realworld"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "citekit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _project(tmp_path: Path) -> None:
    (tmp_path / "papers.bib").write_bytes((CORPUS / "biber-papers-excerpt.bib").read_bytes())
    (tmp_path / "defs.bib").write_bytes((CORPUS / "biber-definitions.bib").read_bytes())


@pytest.mark.parametrize("order", [("papers.bib", "defs.bib"), ("defs.bib", "papers.bib")])
def test_macros_of_any_file_are_visible_in_every_order(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    _project(tmp_path)
    run = _run(tmp_path, "--bib", order[0], "--bib", order[1], "check", "--json")
    report = json.loads(run.stdout)
    assert report["entries"] == 254
    assert not [p for p in report["problems"] if p["kind"] == "undefined-string"]
    alone = json.loads(_run(tmp_path, "--bib", "papers.bib", "check", "--json").stdout)
    assert [p for p in alone["problems"] if p["kind"] == "undefined-string"]


def test_bib_list_in_settings(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "citekit.toml").write_text('bib = ["papers.bib", "defs.bib"]\n', encoding="utf-8")
    settings = load_settings(tmp_path, env={})
    assert settings.bib_paths == (tmp_path / "papers.bib", tmp_path / "defs.bib")
    run = _run(tmp_path, "export", "csl", "-o", "-")
    assert run.returncode == 0, run.stderr
    items = {i["id"]: i for i in json.loads(run.stdout)}
    assert items["AardalHLT02"]["container-title"] == "Operations Research"
    (tmp_path / "citekit.toml").write_text("bib = []\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(tmp_path, env={})
    # #12 item 8: every file of the list must stay inside the project
    (tmp_path / "citekit.toml").write_text('bib = ["papers.bib", "../x.bib"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="outside the project"):
        load_settings(tmp_path, env={})


def test_each_entry_is_written_back_to_its_own_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text("@string{jn = {Journal N}}\n\n@article{one, title = {One}, journal = jn}\n")
    b.write_text("@article{two,\n  title = {Two},\n  journal = jn,\n}\n")
    library = load_all([a, b])
    one, two = library.records
    assert two.container_title == "Journal N"
    fresh = one.with_(key="three", title="Three")
    updated = library.with_records([one, two.with_(volume="7"), fresh])
    assert save(updated)
    assert a.read_text().startswith("@string{jn = {Journal N}}\n\n@article{one,")
    assert "three" in a.read_text() and "three" not in b.read_text()
    text_b = b.read_text()
    assert "volume" in text_b and "= jn," in text_b  # the unchanged field keeps its macro
    assert [r.key for r in load_all([a, b]).records] == ["one", "three", "two"]


def test_a_key_in_two_files_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text("@misc{same, title = {A}}\n")
    b.write_text("@misc{same, title = {B}}\n")
    with pytest.raises(LibraryError, match="also in"):
        load_all([a, b])
    run = _run(tmp_path, "--bib", "a.bib", "--bib", "b.bib", "check")
    assert run.returncode == 1 and "also in" in run.stdout
