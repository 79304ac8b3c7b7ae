"""Issue #18: citekit keeps as many entries of each real-world file as ``bibtex`` does.

``bibtex`` with plain.bst and ``\\citation{*}`` (a ``\\nocite{*}`` run) counts the
``\\bibitem``s it makes of each file of tests/data/realworld/; citekit must read the same
number of entries. bibtex reads bytes, so UTF-16 files are given to it converted to UTF-8;
files citekit refuses for their encoding are read with the ``--encoding`` its advice names.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from citekit.library import load

from ..conftest import require_binary

pytestmark = pytest.mark.consumer

CORPUS = Path(__file__).resolve().parents[1] / "data" / "realworld"
#: Files citekit reads only with the encoding its refusal names.
ENCODING = {
    "bibtexparser-gbk_test.bib": "gb18030",
    "jabref-encoding-windows-1252-but-utf-8-declared--decoding-fails.bib": "cp1252",
    "jabref-tiny-BE-noBOM.bib": "utf-16-be",
}
#: Files citekit refuses although bibtex reads them, and why.
REFUSED = {
    # A "%" comment holding a comma inside an entry: bibtexparser's splitter ends the field
    # name at the comma. citekit refuses the file naming line 68 rather than guess.
    "biber-xdata.bib": 68,
}
FILES = sorted(p.name for p in CORPUS.glob("*.bib") if p.name not in REFUSED)


def _bibtex_count(tmp_path: Path, data: bytes) -> int:
    bibtex = require_binary("bibtex")
    (tmp_path / "refs.bib").write_bytes(data)
    (tmp_path / "refs.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    subprocess.run(
        [bibtex, "-terse", "refs"], cwd=tmp_path, capture_output=True, check=False, timeout=120
    )
    bbl = (tmp_path / "refs.bbl").read_bytes()
    return bbl.count(b"\\bibitem{")


@pytest.mark.parametrize("name", FILES)
def test_citekit_keeps_as_many_entries_as_bibtex(tmp_path: Path, name: str) -> None:
    library = load(CORPUS / name, encoding=ENCODING.get(name))
    text_bytes = (CORPUS / name).read_bytes()
    if library.encoding.codec.startswith("utf-16") or ENCODING.get(name, "").startswith("utf-16"):
        codec = ENCODING.get(name) or library.encoding.codec
        text_bytes = text_bytes.decode(codec).lstrip("\ufeff").encode("utf-8")
    assert len(library.records) == _bibtex_count(tmp_path, text_bytes)


@pytest.mark.parametrize(("name", "line"), sorted(REFUSED.items()))
def test_what_citekit_refuses_is_one_line_with_its_line(name: str, line: int) -> None:
    from citekit.errors import LibraryError

    with pytest.raises(LibraryError) as caught:
        load(CORPUS / name)
    assert caught.value.line == line
