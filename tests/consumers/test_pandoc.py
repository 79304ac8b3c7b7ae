"""pandoc reads both flavours: every entry, with titles and authors equal to the records.

Known, justified differences (normalised below, each listed once):

* pandoc converts titles to sentence case, except brace-protected words: titles are
  compared case-insensitively, and every word citekit protects must keep its case exactly.
* pandoc typesets ``'`` as ``’`` (smart quotes).
* pandoc's BibTeX reader does not interpret math: ``{\\ensuremath{\\alpha}}`` (how ASCII
  BibTeX writes α) comes out as ``\\alpha``. Its BibLaTeX reader, on UTF-8 input, gives α.
* A particle is a ``dropping-particle`` for pandoc, citekit's ``particle`` either way.
* Math (``{$x^2$}``) loses its dollar signs in pandoc's CSL-JSON; the TeX inside stays.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from citekit.bibtex.case import implied_tokens
from citekit.model import Name, Record, plain_text

from ..conftest import require_binary
from .common import FLAVOURS, SETS, WRITERS, record_sets

pytestmark = pytest.mark.consumer

_GREEK = {"alpha": "α", "beta": "β", "Omega": "Ω"}
_MATH = re.compile(r"\$([^$\s][^$]*)\$")
_NOCASE = re.compile(r'<span class="nocase">(.*?)</span>')


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("which", SETS)
def test_pandoc_reads_titles_and_authors(tmp_path: Path, which: str, flavour: str) -> None:
    pandoc = require_binary("pandoc")
    records = record_sets()[which]
    source = tmp_path / "refs.bib"
    source.write_text(WRITERS[flavour](records), encoding="utf-8")
    run = subprocess.run(
        [pandoc, "-f", flavour, "-t", "csljson", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    items = {item["id"]: item for item in json.loads(run.stdout)}
    assert sorted(items) == sorted(r.key for r in records)
    for record in records:
        item = items[record.key]
        _assert_title(record, _normalise(item.get("title", "")))
        assert [_name(n) for n in item.get("author", [])] == [_ours(n) for n in record.author], (
            record.key
        )


def _normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")
    return re.sub(r"\\(alpha|beta|Omega)", lambda m: _GREEK[m.group(1)], text)


def _assert_title(record: Record, title: str) -> None:
    want = _MATH.sub(r"\1", plain_text(record.title))
    assert title.casefold() == want.casefold(), record.key
    protected = [want[a:b] for a, b in implied_tokens(want)]
    protected += _NOCASE.findall(record.title)
    for words in protected:
        assert words in title, (record.key, words)


def _name(item: dict[str, Any]) -> tuple[str, ...]:
    if "literal" in item:
        return ("literal", item["literal"])
    particle = item.get("non-dropping-particle") or item.get("dropping-particle", "")
    return (item.get("family", ""), item.get("given", ""), particle, item.get("suffix", ""))


def _ours(name: Name) -> tuple[str, ...]:
    if name.literal:
        return ("literal", name.literal)
    return (name.family, name.given, name.particle, name.suffix)
