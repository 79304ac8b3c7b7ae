"""The data vendored under tests/data is what its README says it is (#15 item 10)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.conftest import DATA, VENDORED, require_shared


def _readme_hashes() -> dict[str, str]:
    """sha256 per file name, as the READMEs of tests/data record them (one line or row
    naming the file, then its 64-hex digest)."""
    found: dict[str, str] = {}
    for readme in DATA.glob("*/README.md"):
        for part in re.split(r"\n\s*\n|\n(?=\|)", readme.read_text(encoding="utf-8")):
            found |= _hashes_in(part)
    return found


def _hashes_in(part: str) -> dict[str, str]:
    """The first file name of a paragraph or table row, and the digest that follows it."""
    found: dict[str, str] = {}
    name = ""
    for token in re.findall(r"`([^`]+)`", part):
        if token.endswith((".bib", ".bib.gz", ".json")) and not name:
            name = Path(token).name.removesuffix(".gz")
        elif re.fullmatch(r"[0-9a-f]{64}", token) and name:
            found[name] = token
            name = ""
    return found


@pytest.mark.parametrize("relative", sorted(VENDORED))
def test_every_vendored_file_is_in_the_repository_with_a_readme(relative: str) -> None:
    copy = DATA / VENDORED[relative]
    assert copy.is_file(), copy
    readme = copy.parent / "README.md"
    assert readme.is_file() and "licen" in readme.read_text(encoding="utf-8").casefold()
    assert DATA in require_shared(relative).parents or require_shared(relative).is_file()


@pytest.mark.parametrize(
    "name",
    [
        "cdl.bib",
        "glottolog-sala.bib",
        "glottolog-zurich.bib",
        "biblatex-examples.bib",
        "csl-data.json",
        "schema-26.json",
    ],
)
def test_vendored_bytes_are_the_recorded_ones(name: str) -> None:
    relative = next(
        r for r, copy in VENDORED.items() if Path(copy).name.removesuffix(".gz") == name
    )
    data = Path(require_shared(relative)).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _readme_hashes()[name]
