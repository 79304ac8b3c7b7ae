"""Every derived file of ``exports/``, built from the records alone (no network).

``citekit build`` and ``citekit export all`` call :func:`write_all`. Every file goes
through :func:`citekit.fileio.write_atomic`, so a build whose inputs did not change
rewrites nothing and leaves mtimes alone. Each file's text is a pure function of the
records, which is what lets a test compare the committed ``exports/`` byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fileio import write_atomic
from .model import Record
from .progress import tracked
from .writers.chunks import joined
from .writers.csljson import csljson_chunks
from .writers.inherit import derived

# The other writers are imported where they are used: `export csl`, the common one-shot
# command, then loads none of them (about 20 ms of its start-up).

__all__ = [
    "BIBLATEX",
    "BIBTEX",
    "CSL_JSON",
    "HTML",
    "RIS",
    "ZOTERO_ITEMS",
    "ZOTERO_RDF",
    "Piece",
    "Tally",
    "csljson_in_slices",
    "export_files",
    "format_zotero_items",
    "html_left_out",
    "read_all_records",
    "read_records",
    "write_all",
    "zotero_items_chunks",
]

#: Paths of the exports, relative to the exports directory.
CSL_JSON = Path("references.json")
ZOTERO_RDF = Path("zotero/library.rdf")
ZOTERO_ITEMS = Path("zotero/items.json")
RIS = Path("references.ris")
BIBLATEX = Path("references-biblatex.bib")
BIBTEX = Path("references-bibtex.bib")  # `export bibtex`'s default: build makes it too (#15.8)
HTML = Path("index.html")


def read_records(path: Path) -> list[Record]:
    """The records of the library at ``path``, for an export: read a slice at a time.

    :func:`citekit.library.load` keeps every entry's parsed blocks, raw text and fields
    until the whole file is read, which an export does not need: reading a slice of
    entries at a time (:mod:`citekit.slices`) keeps only their records. Whatever needs
    the whole text (a problem to report with its line, a key in two slices, an encoding
    other than UTF-8) is read whole by :func:`~citekit.library.load`: the records and
    errors are exactly its own.
    """
    from .library import load
    from .slices import cut, map_slices

    slices = cut(path)
    if slices is None:
        return list(load(path).records)
    records: list[Record] = []
    keys: set[str] = set()
    for part in map_slices(slices, list, 1):
        if part is None:  # a slice that cannot be read alone: the whole file says where
            return list(load(path).records)
        keys.update(r.key for r in part)
        records += part
        if len(keys) != len(records):  # a key in two slices: the whole file says where
            return list(load(path).records)
    return records


#: A field that ties an entry to another: completing a child needs its parent, which may
#: be in another slice (such a library is rendered whole).
_LINKS = re.compile(rb"\b(?:crossref|xdata)\s*=", re.I)


def _links(data: bytes) -> bool:
    """Whether ``data`` has a ``crossref`` or ``xdata`` field (:data:`_LINKS`). A plain
    search of the lower-cased bytes rules out most files first: a case-insensitive pattern
    that starts with a word boundary is tried at every byte (12 MB: 150 ms, against 25)."""
    low = data.lower()
    return (b"crossref" in low or b"xdata" in low) and _LINKS.search(data) is not None


@dataclass(frozen=True)
class Piece:
    """One slice of an export, made by a worker: its items' text (joined, without the
    array's brackets) and what the command reports about its entries."""

    text: str
    keys: tuple[str, ...]  # every entry's key, in file order ("" for a keyless entry)
    stubs: tuple[str, ...]  # the keys of entries that name an identifier but have no title


@dataclass
class Tally:
    """What the pieces of a sliced export held, counted as they go by."""

    pieces: int
    entries: int = 0
    keyless: int = 0
    stubs: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def add(self, piece: Piece) -> None:
        """Count ``piece``; a key an earlier piece had means the file must be read whole."""
        from .slices import ReadWhole

        keyed = [k for k in piece.keys if k]
        self.keys.update(keyed)
        self.entries += len(keyed)
        self.keyless += len(piece.keys) - len(keyed)
        self.stubs += piece.stubs
        if len(self.keys) != self.entries:
            raise ReadWhole("a key is in two slices")


def csljson_in_slices(path: Path, workers: int) -> tuple[Iterator[str], Tally] | None:
    """``export csl`` of the file ``path``, a slice at a time, by ``workers`` processes.

    The text is what :func:`csljson_chunks` makes of the file's keyed, derived records,
    one chunk per slice (and a closing one); the tally is filled in as they go by. None
    when the file must be read whole (:func:`citekit.slices.cut`) or has ``crossref`` or
    ``xdata`` fields. Iterating raises :class:`~citekit.slices.ReadWhole` when a slice
    cannot be read alone or a key is in two slices: the caller must then drop what it
    wrote and read the whole file, which gives the records, or the error with its line.
    """
    from .slices import cut, map_slices

    slices = cut(path, workers)
    if slices is None or _links(slices.data):
        return None
    tally = Tally(len(slices))
    return _csljson_text(map_slices(slices, _csl_piece, workers), tally), tally


def _csl_piece(records: Sequence[Record]) -> Piece:
    """A slice's CSL-JSON items (runs in a worker): as ``export csl`` makes them, without
    the entries that have no key."""
    from .writers.csljson import csl_lines

    items = derived([r for r in records if r.key])
    text = ",\n".join(csl_lines(items))
    return Piece(text, tuple(r.key for r in records), tuple(r.key for r in items if r.is_stub))


def _csljson_text(pieces: Iterable[Piece | None], tally: Tally) -> Iterator[str]:
    """The CSL-JSON array of the pieces' items, a chunk per piece (the bytes of
    :func:`csljson_chunks` over all of them)."""
    from .slices import ReadWhole
    from .writers.csljson import csljson_array

    def texts() -> Iterator[str]:
        for piece in pieces:
            if piece is None:
                raise ReadWhole("a slice cannot be read alone")
            tally.add(piece)
            yield piece.text

    return csljson_array(texts())


#: ``@string``: a macro one file of a library defines may be used in another.
_STRING = re.compile(rb"@\s*string\b", re.I)


def read_all_records(paths: Sequence[Path]) -> list[Record]:
    """The records of every file of the library, file after file, each read a slice at a
    time (:func:`read_records`).

    Files that share ``@string`` macros, or a key in two files (an error), are read
    whole by :func:`~citekit.library.load_all`, so the records and errors are its own.
    """
    from .library import load_all

    if len(paths) > 1 and any(_STRING.search(Path(p).read_bytes()) for p in paths):
        return list(load_all(paths).records)
    records: list[Record] = []
    owner: dict[str, Path] = {}
    for path in paths:
        part = read_records(path)
        for record in part:
            low = record.key.lower()
            if low and owner.setdefault(low, path) != path:
                return list(load_all(paths).records)  # raises it, naming both files
        records += part
    return records


def format_zotero_items(records: Sequence[Record]) -> str:
    """``items.json``: the collections and items as Zotero Web API JSON.

    ``{"collections": [{"key", "name", "parentCollection"}], "items": [item, ...]}``,
    one collection or item per line.
    Collection keys are stable keys derived from the path (:func:`collection_key`), so
    an item's ``collections`` can be read against the list; sync assigns its own keys.
    """
    return "".join(zotero_items_chunks(records))


def zotero_items_chunks(records: Sequence[Record]) -> Iterator[str]:
    """:func:`format_zotero_items` in pieces, rendered as they are asked for."""
    from .writers.zotero import collection_key, collection_paths, record_to_item

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
    yield f'{{"collections": {_json_lines(collections)},\n"items": '
    # One item at a time: each is encoded as soon as it is made (100,000 item dicts held
    # together cost far more than their JSON text), and written a piece at a time.
    opening = "[\n"
    for piece in joined((_ENCODE(record_to_item(r, keys)) for r in records), ",\n"):
        yield opening + piece
        opening = ""
    yield "[]}\n" if opening else "\n]}\n"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_lines(objects: Iterable[Any]) -> str:
    """A JSON array with one object per line (diffable, and the C encoder stays in use)."""
    lines = [_ENCODE(o) for o in objects]
    if not lines:
        return "[]"
    return "[\n" + ",\n".join(lines) + "\n]"


#: Renders one export: the records → its text, whole or in pieces.
Render = Callable[[Sequence[Record]], str | Iterable[str]]


def _renderers(preamble: str = "") -> dict[Path, Render]:
    """Relative path → the function that renders that export, in a fixed order.

    Formats without ``crossref``/``xdata`` get each child completed from its parents;
    BibLaTeX keeps them as written. Both BibTeX exports open with the library's
    ``@preamble`` blocks (commands their entries use). Every export but the HTML page
    comes in pieces, streamed to its file.
    """
    from .writers.bibtex import biblatex_chunks, bibtex_for_styles_chunks
    from .writers.html import format_html
    from .writers.ris import ris_chunks
    from .writers.zotero_rdf import zotero_rdf_chunks

    return {
        CSL_JSON: lambda records: csljson_chunks(derived(records)),
        ZOTERO_RDF: lambda records: zotero_rdf_chunks(derived(records)),
        ZOTERO_ITEMS: lambda records: zotero_items_chunks(derived(records)),
        RIS: lambda records: ris_chunks(derived(records)),
        BIBLATEX: lambda records: biblatex_chunks(records, preamble),
        BIBTEX: lambda records: bibtex_for_styles_chunks(records, preamble),
        HTML: lambda records: format_html(list(records)),
    }


def export_files(records: Sequence[Record], preamble: str = "") -> dict[Path, str]:
    """Relative path → text of every export, in a fixed order (keyless entries left out:
    they cannot be cited)."""
    records = [r for r in records if r.key]
    return {relative: _text(render(records)) for relative, render in _renderers(preamble).items()}


def _text(rendered: str | Iterable[str]) -> str:
    return rendered if isinstance(rendered, str) else "".join(rendered)


def html_left_out(entries: int, html_max_entries: int | None) -> bool:
    """Whether ``build``/``export all`` leave the HTML page out for this many entries.

    The page formats every entry with citeproc-py (about 20 ms an entry), which on a large
    library would cost more than every other export together; ``citekit export html``
    writes it whatever the size.
    """
    return html_max_entries is not None and 0 <= html_max_entries < entries


def write_all(
    records: Sequence[Record],
    exports_dir: Path,
    *,
    preamble: str = "",
    html_max_entries: int | None = None,
) -> list[Path]:
    """Write every export under ``exports_dir``; return the files whose bytes changed.

    With ``html_max_entries``, the HTML page is left out (and left as it was) for a library
    with more entries than that: see :func:`html_left_out`.

    One file at a time, each streamed to its file as it is rendered (on 100,000 entries
    the texts add up to several hundred MB), and on a terminal each shows a bar.
    """
    changed = []
    records = [r for r in records if r.key]  # a keyless entry cannot be cited
    for relative, render in _renderers(preamble).items():
        if relative == HTML and html_left_out(len(records), html_max_entries):
            continue
        path = Path(exports_dir) / relative
        with tracked(records, f"writing {relative}") as items:
            if write_atomic(path, render(items)):  # streamed: rendered as it is written
                changed.append(path)
    return changed
