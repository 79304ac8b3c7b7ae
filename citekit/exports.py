"""Every derived file of ``exports/``, built from the records alone (no network).

``citekit build`` and ``citekit export all`` call :func:`write_all`. Every file goes
through :func:`citekit.fileio.write_atomic`, so a build whose inputs did not change
rewrites nothing and leaves mtimes alone. Each file's text is a pure function of the
records, which is what lets a test compare the committed ``exports/`` byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .fileio import write_atomic
from .model import Record
from .progress import tracked
from .writers.csljson import format_csljson
from .writers.ris import format_ris
from .writers.zotero import collection_key, collection_paths, record_to_item
from .writers.zotero_rdf import format_zotero_rdf

__all__ = [
    "BIBLATEX",
    "BIBTEX",
    "CSL_JSON",
    "RIS",
    "ZOTERO_ITEMS",
    "ZOTERO_RDF",
    "export_files",
    "format_zotero_items",
    "write_all",
]

#: Paths of the exports, relative to the exports directory.
CSL_JSON = Path("references.json")
ZOTERO_RDF = Path("zotero/library.rdf")
ZOTERO_ITEMS = Path("zotero/items.json")
RIS = Path("references.ris")
BIBLATEX = Path("references-biblatex.bib")
BIBTEX = Path("references-bibtex.bib")  # `export bibtex`'s default: build makes it too (#15.8)


def format_zotero_items(records: Sequence[Record]) -> str:
    """``items.json``: the collections and items as Zotero Web API JSON.

    ``{"collections": [{"key", "name", "parentCollection"}], "items": [item, ...]}``,
    one collection or item per line.
    Collection keys are stable keys derived from the path (:func:`collection_key`), so
    an item's ``collections`` can be read against the list; sync assigns its own keys.
    """
    paths = collection_paths(records)
    keys = {path: collection_key(path) for path in paths}
    collections: list[dict[str, Any]] = []
    for path in paths:
        parent = path.rpartition("/")[0]
        collections.append(
            {
                "key": keys[path],
                "name": path.rpartition("/")[2],
                "parentCollection": keys[parent] if parent else False,
            }
        )
    # One item at a time: each is encoded as soon as it is made (100,000 item dicts held
    # together cost far more than their JSON text).
    items = (record_to_item(r, keys) for r in records)
    body = f'{{"collections": {_json_lines(collections)},\n"items": {_json_lines(items)}}}'
    return body + "\n"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_lines(objects: Iterable[Any]) -> str:
    """A JSON array with one object per line (diffable, and the C encoder stays in use)."""
    lines = [_ENCODE(o) for o in objects]
    if not lines:
        return "[]"
    return "[\n" + ",\n".join(lines) + "\n]"


def _biblatex_writer() -> Callable[[Sequence[Record]], str] | None:
    """The BibLaTeX writer of ``writers/bibtex.py`` when the library core provides one."""
    try:
        from .writers.bibtex import format_biblatex
    except ImportError:
        return None
    return format_biblatex


def _renderers() -> dict[Path, Callable[[Sequence[Record]], str]]:
    """Relative path → the function that renders that export, in a fixed order."""
    files: dict[Path, Callable[[Sequence[Record]], str]] = {
        CSL_JSON: format_csljson,
        ZOTERO_RDF: format_zotero_rdf,
        ZOTERO_ITEMS: format_zotero_items,
        RIS: format_ris,
    }
    biblatex = _biblatex_writer()
    if biblatex is not None:
        from .writers.bibtex import format_bibtex

        files[BIBLATEX] = biblatex
        files[BIBTEX] = format_bibtex
    return files


def export_files(records: Sequence[Record]) -> dict[Path, str]:
    """Relative path → text of every export, in a fixed order."""
    return {relative: render(records) for relative, render in _renderers().items()}


def write_all(records: Sequence[Record], exports_dir: Path) -> list[Path]:
    """Write every export under ``exports_dir``; return the files whose bytes changed.

    One file at a time: only one export's text is held at once (on 100,000 entries they
    add up to several hundred MB), and on a terminal each shows a bar while it renders.
    """
    changed = []
    for relative, render in _renderers().items():
        path = Path(exports_dir) / relative
        with tracked(records, f"writing {relative}") as items:
            text = render(items)
        if write_atomic(path, text):
            changed.append(path)
        del text  # before the next one is rendered
    return changed
