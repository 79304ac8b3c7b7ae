"""Load ``references.bib`` into records and save it back without losing anything.

Everything that is not an entry (``@string``, ``@preamble``, ``@comment``, free text between
entries, blank lines) is kept as the exact text it was. An entry whose record did not change
is written back byte for byte; a changed entry is rewritten in citekit's layout, but every
field whose value did not change keeps its original raw text (``{Bayesian}``, ``$x^2$``,
``jan``, ``foo # " and more"``) and its place. New records are appended at the end.

Every block bibtexparser reports is accounted for: the text between blocks must be blank,
and any block it could not parse (``failed_blocks``), a duplicate key or text BibTeX would
misread is a :class:`~citekit.errors.LibraryError` that names the line. Nothing is written
in that case. What biber reads with a warning (an undefined ``@string``, a repeated field,
a control byte) is read the same way and listed in :attr:`Library.warnings`. The file's
encoding, byte-order mark and line ends are kept (:mod:`citekit.bibtex.encoding`); several
files can be read as one (:func:`load_all`, :class:`Shelf`). bibtexparser's name-splitting and LaTeX
middlewares are not used (lossy and slow); names and LaTeX are handled by
:mod:`citekit.bibtex.names` and :mod:`citekit.bibtex.latex`.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .bibtex.encoding import Encoding, decode, encode
from .bibtex.parse import Notice, Original, parse_text
from .errors import LibraryError
from .fileio import write_atomic
from .keys import valid_key
from .model import Record
from .progress import status
from .writers.bibtex import FIELD_ORDER, entry_fields, format_entry

__all__ = [
    "Library",
    "Notice",
    "Shelf",
    "diagnose",
    "diagnose_all",
    "dumps",
    "load",
    "load_all",
    "loads",
    "pieces",
    "save",
]


@dataclass(frozen=True)
class Library:
    """A loaded library: its records in file order, plus what is needed to write it back."""

    path: str
    records: tuple[Record, ...]
    _chunks: tuple[str | Original, ...] = field(default=(), repr=False, compare=False)
    _lines: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    _renamed: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    #: How the file is stored (kept on save: encoding, byte-order mark, line ends).
    encoding: Encoding = field(default=Encoding(), repr=False, compare=False)
    #: What was read leniently, as biber reads it (undefined macro, repeated field, …).
    warnings: tuple[Notice, ...] = field(default=(), repr=False, compare=False)

    def with_records(
        self, records: Sequence[Record], renamed: Mapping[str, str] | None = None
    ) -> Library:
        """A copy where a record with a known key replaces it in place; new keys are appended.

        ``renamed`` (old key → new key) lets a record replace the entry it was read as
        under its new key, in that entry's place (``keys.rename_provisional``).
        An entry read without a key (``@article{,``) cannot be addressed: it stays as it is
        in the file, and given back unchanged here it is ignored (``check`` reports it).
        """
        keyless = [r for r in self.records if not r.key]
        records = [r for r in records if r.key or r not in keyless]
        for record in records:
            if not valid_key(record.key):
                what = record.title[:40] or record.doi or record.arxiv_id or record.url
                raise LibraryError(
                    self.path,
                    f"citation key {record.key!r} ({what}) cannot be written to BibTeX; "
                    "give it a key without spaces, commas, braces or quotes",
                )
        renames = {**self._renamed, **(renamed or {})}
        replacing = {r.key: r for r in records}
        kept = tuple(replacing.pop(renames.get(r.key, r.key), r) for r in self.records)
        added = tuple(r for r in records if replacing.pop(r.key, None) is not None)
        return Library(
            self.path,
            kept + added,
            self._chunks,
            self._lines,
            renames,
            self.encoding,
            self.warnings,
        )

    @property
    def preamble(self) -> str:
        """The file's ``@preamble`` blocks as written, one per line ("" when it has none).

        The BibTeX exports carry them, so commands defined there (and used in the
        entries, which the exports keep as TeX) still typeset.
        """
        from .bibtex.preamble import preamble_blocks

        return preamble_blocks("".join(c for c in self._chunks if isinstance(c, str)))

    def line_of(self, key: str) -> int | None:
        """The 1-based line where the entry ``key`` starts in the file, when it was read."""
        return self._lines.get(key)

    def file_of(self, key: str) -> str:
        """The file the entry ``key`` was read from (new entries go to :attr:`path`)."""
        return self.path

    def keyless_lines(self) -> list[int]:
        """The lines of the entries read without a key (``@article{,``), in file order."""
        return [c.line for c in self._chunks if isinstance(c, Original) and not c.record.key]

    @property
    def changed(self) -> bool:
        """Whether saving would change the file (a record differs, was added or removed)."""
        originals = [c for c in self._chunks if isinstance(c, Original)]
        if len(originals) != len(self.records):
            return True
        return any(o.record != r for o, r in zip(originals, self.records, strict=True))


@dataclass(frozen=True)
class Shelf(Library):
    """Several library files read as one (``--bib a.bib --bib b.bib``).

    ``records`` are all of them, file after file; ``@string`` macros of every file are
    visible in all; :meth:`with_records` sends each record back to the file it came from
    (new ones to the first file) and :func:`save` writes each file that changed.
    """

    parts: tuple[Library, ...] = ()

    def with_records(
        self, records: Sequence[Record], renamed: Mapping[str, str] | None = None
    ) -> Library:
        owner: dict[str, int] = {}
        for index, part in enumerate(self.parts):
            for record in part.records:
                owner.setdefault(record.key, index)
        renames = dict(renamed or {})
        old_of = {new: old for old, new in renames.items()}
        buckets: list[list[Record]] = [[] for _ in self.parts]
        for record in records:
            if not record.key:
                at = next((i for i, p in enumerate(self.parts) if record in p.records), 0)
            else:
                at = owner.get(record.key, owner.get(old_of.get(record.key, ""), 0))
            buckets[at].append(record)
        parts = tuple(
            part.with_records(bucket, {o: n for o, n in renames.items() if owner.get(o) == i})
            for i, (part, bucket) in enumerate(zip(self.parts, buckets, strict=True))
        )
        return _shelf(parts)

    def line_of(self, key: str) -> int | None:
        return next((p.line_of(key) for p in self.parts if p.line_of(key) is not None), None)

    def file_of(self, key: str) -> str:
        return next((p.path for p in self.parts if p.line_of(key) is not None), self.path)

    def keyless_lines(self) -> list[int]:
        return [line for p in self.parts for line in p.keyless_lines()]

    @property
    def changed(self) -> bool:
        return any(p.changed for p in self.parts)


def _shelf(parts: Sequence[Library]) -> Library:
    if len(parts) == 1:
        return parts[0]
    records = tuple(r for p in parts for r in p.records)
    warnings = tuple(w for p in parts for w in p.warnings)
    first = parts[0]
    return Shelf(
        first.path, records, encoding=first.encoding, warnings=warnings, parts=tuple(parts)
    )


def _across(parts: Sequence[Library]) -> list[LibraryError]:
    """A key in two files: each file's entry could not be written back to its own file."""
    seen: dict[str, str] = {}
    out: list[LibraryError] = []
    for part in parts:
        for record in part.records:
            low = record.key.lower()
            if low and low in seen and seen[low] != part.path:
                message = f"key {record.key!r} is also in {seen[low]}; rename one of the two"
                out.append(LibraryError(part.path, message, part.line_of(record.key)))
            seen.setdefault(low, part.path)
    return out


def load_all(paths: Sequence[Path], *, encoding: str | None = None) -> Library:
    """The library made of every file in ``paths`` (one file: :func:`load`'s library).

    Macros defined in any file are visible in all, whatever the order (the IEEEabrv.bib
    pattern): a file that used a macro defined only in a later one is read again.
    """
    strings: dict[str, str] = {}
    parts = [load(p, encoding=encoding, strings=strings) for p in paths]
    for i, part in enumerate(parts):
        if len(parts) > 1 and any(w.kind == "undefined-string" for w in part.warnings):
            parts[i] = load(paths[i], encoding=encoding, strings=dict(strings))
    for error in _across(parts):
        raise error
    return _shelf(parts)


def diagnose_all(
    paths: Sequence[Path], *, encoding: str | None = None
) -> tuple[Library, tuple[LibraryError, ...]]:
    """:func:`diagnose` of several files read as one (see :func:`load_all`)."""
    strings: dict[str, str] = {}
    found = [diagnose(p, encoding=encoding, strings=strings) for p in paths]
    for i, (part, _) in enumerate(found):
        if len(found) > 1 and any(w.kind == "undefined-string" for w in part.warnings):
            found[i] = diagnose(paths[i], encoding=encoding, strings=dict(strings))
    parts = [part for part, _ in found]
    errors = tuple([e for _, errs in found for e in errs] + _across(parts))
    return _shelf(parts), errors


def load(
    path: Path, *, encoding: str | None = None, strings: dict[str, str] | None = None
) -> Library:
    """The library in ``path``; a missing file is an empty library.

    ``encoding`` overrides what the file says (``--encoding``); ``strings`` are the
    ``@string`` macros of the files read before this one, and receive this file's own.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Library(str(path), ())
    text, stored = decode(data, str(path), encoding)
    return _build(text, str(path), stored, strings=strings)


def loads(text: str, path: str = "<string>") -> Library:
    """The library in ``text`` (``path`` only names it in messages)."""
    text, stored = decode(text.encode("utf-8", "surrogatepass"), path)
    return _build(text, path, stored)


def slice_records(data: bytes, path: str, newline: str) -> tuple[Record, ...]:
    """The records of ``data``, a slice of the UTF-8 file ``path`` whose line end is
    ``newline`` (:func:`citekit.bibtex.encoding.line_end` of the whole file: a slice of a
    file that mixes line ends may have one kind only, and must still be read as the file
    is). Raises :class:`UnicodeDecodeError` for a slice that is not UTF-8 (the whole file
    then says what it is)."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    if newline != "\n":
        text = text.replace(newline, "\n")
    return _build(text, path, Encoding(newline=newline)).records


def diagnose(
    path: Path, *, encoding: str | None = None, strings: dict[str, str] | None = None
) -> tuple[Library, tuple[LibraryError, ...]]:
    """Every problem of the file at ``path`` (in line order) and what could be read of it.

    For reports (``citekit check``): a library read with problems is never to be saved.
    Warnings (what was read leniently) are in the library's ``warnings``.
    """
    path = Path(path)
    try:
        text, stored = decode(path.read_bytes(), str(path), encoding)
    except FileNotFoundError:
        return Library(str(path), ()), ()
    except LibraryError as error:
        return Library(str(path), ()), (error,)
    problems: list[LibraryError] = []
    library = _build(text, str(path), stored, problems, strings)
    return library, tuple(sorted(problems, key=lambda e: e.line or 0))


def _build(
    text: str,
    path: str,
    stored: Encoding,
    problems: list[LibraryError] | None = None,
    strings: dict[str, str] | None = None,
) -> Library:
    # Parsing allocates hundreds of thousands of objects and frees none: the cyclic
    # collector would rescan them again and again for nothing. A one-shot caller
    # (cli.export_cmds._load_for_good) freezes them afterwards, so that it never does.
    was_enabled = gc.isenabled()
    gc.disable()
    notices: list[Notice] = []
    try:
        with status(f"reading {Path(path).name}"):  # on a terminal, when it takes a while
            chunks, records = parse_text(text, path, problems, strings=strings, notices=notices)
    finally:
        if was_enabled:
            gc.enable()
    lines = {c.record.key: c.line for c in chunks if isinstance(c, Original)}
    empty: Mapping[str, str] = MappingProxyType({})
    return Library(path, records, chunks, MappingProxyType(lines), empty, stored, tuple(notices))


def dumps(library: Library) -> str:
    """The library as BibTeX text: unchanged parts verbatim, changed entries re-rendered.

    (Several files: their texts one after the other, for a diff.)"""
    return "".join(pieces(library))


def pieces(library: Library) -> list[str]:
    """:func:`dumps` in pieces: one per part of the file as read (an entry, or the text
    between entries; "" for a removed entry), then one for the appended records.

    Two libraries that share the file they were read from (one made from the other by
    :meth:`Library.with_records`) give lists of the same length, aligned part by part, so
    a diff need only look at the pieces that differ.
    """
    if isinstance(library, Shelf):
        return [piece for part in library.parts for piece in pieces(part)]
    by_key = {r.key: r for r in library.records if r.key}
    out: list[str] = []
    for chunk in library._chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        key = chunk.record.key
        if not key:
            out.append(chunk.raw)  # a keyless entry cannot change: it stays as written
            continue
        record = by_key.pop(library._renamed.get(key, key), None)
        if record is None:
            out.append("")  # removed by the caller
        else:
            out.append(chunk.raw if record == chunk.record else _rerender(record, chunk))
    last = next((p for p in reversed(out) if p), "")
    tail = "\n" if by_key and last and not last.endswith("\n") else ""
    for record in by_key.values():
        fields = entry_fields(record, "bibtex")
        tail += ("\n" if tail or last else "") + format_entry(*fields, key=record.key)
    out.append(tail)
    return out


def save(library: Library, path: Path | None = None) -> bool:
    """Write the library atomically to ``path`` (default: where it came from).

    Returns False, touching nothing, when nothing changed: an unchanged library is not
    rewritten, and an empty one does not create a file. The file keeps its encoding,
    byte-order mark and line ends; a character its encoding cannot hold is refused.
    """
    if isinstance(library, Shelf) and (path is None or Path(path) == Path(library.path)):
        written = [save(part) for part in library.parts]  # each file where it came from
        return any(written)
    target = Path(path) if path is not None else Path(library.path)
    unchanged = not library.changed and target == Path(library.path)
    if unchanged and (target.exists() or not library.records):
        return False
    return write_atomic(target, encode(dumps(library), library.encoding, str(target)))


# Field names that write the same record attribute; a change to one is a change to all.
_GROUPS = {
    "journaltitle": "journal",
    "location": "address",
    "eprinttype": "archiveprefix",
    "eprintclass": "primaryclass",
    "month": "year",
    "date": "year",
}


def _canon(name: str) -> str:
    low = name.lower()
    return _GROUPS.get(low, low)


def _rerender(record: Record, original: Original) -> str:
    """A changed entry in citekit's layout; unchanged fields keep their raw text and place."""
    old_type, old_fields = entry_fields(original.record, "bibtex")
    new_type, new_fields = entry_fields(record, "bibtex")
    old, new = _by_group(old_fields), _by_group(new_fields)
    changed = {g for g in old.keys() | new.keys() if old.get(g) != new.get(g)}
    out: list[tuple[str, str]] = []
    for name, raw in original.raw_fields:
        group = _canon(name)
        if group not in changed:
            out.append((name, raw))
        elif group in new:
            out.extend(new.pop(group))  # the new value takes the old one's place
    for group in sorted(changed & new.keys(), key=_order):
        # a field the entry did not have goes where citekit's order puts it among the others
        later = (i for i, (name, _) in enumerate(out) if _order(_canon(name)) > _order(group))
        at = next(later, len(out))
        out[at:at] = new[group]
    etype = original.type_text if new_type == old_type else new_type
    return format_entry(etype, out, key=record.key).rstrip("\n")


def _order(group: str) -> int:
    return FIELD_ORDER.index(group) if group in FIELD_ORDER else len(FIELD_ORDER)


def _by_group(fields: Sequence[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, value in fields:
        groups.setdefault(_canon(name), []).append((name, value))
    return groups
