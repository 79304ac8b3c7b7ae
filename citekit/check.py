"""``citekit check``: what is wrong with a library, as data (pure over a loaded Library).

Problems found: the file cannot be read (with its line), duplicates by key, DOI or arXiv id
(a preprint and its published version that kept the ``eprint`` are duplicates), entries
without a key or with a key the writers refuse, required fields missing for the entry type,
stubs still waiting to be resolved, and ``crossref``/``xdata``/``related`` fields naming a
key the library does not have. What the reader accepted leniently, as biber does (an
undefined ``@string``, a repeated field, a control character), is reported too, with its
line: the entry is kept, but the file says something it probably did not mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .errors import IdentifierError
from .identifiers import ARXIV_DOI_PREFIX, is_arxiv_doi, normalize_doi
from .keys import referenced_keys, valid_key
from .library import Library, Shelf, diagnose_all
from .model import Record
from .writers.inherit import inherit

__all__ = [
    "CheckReport",
    "Problem",
    "check_file",
    "check_files",
    "check_library",
    "required_fields",
]

#: CSL type → required Record attributes; a tuple inside means "one of".
_REQUIRED: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "article-journal": ("author", "title", "container_title", "issued"),
    "paper-conference": ("author", "title", "container_title", "issued"),
    "chapter": (("author", "editor"), "title", "container_title", "publisher", "issued"),
    "book": (("author", "editor"), "title", "publisher", "issued"),
    "report": ("author", "title", "publisher", "issued"),
    "thesis": ("author", "title", "publisher", "issued"),
    "article": ("author", "title", "issued"),
    "webpage": ("title", "url"),
    "post-weblog": ("title", "url"),
    "software": ("title", ("url", "doi")),
    "dataset": ("title", ("url", "doi")),
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix. ``kind`` is parse, duplicate-key, duplicate-doi, duplicate-arxiv,
    missing-key, invalid-key, missing-field, stub, dangling-reference, or one of the reader's
    warnings (undefined-string, repeated-field, control-character)."""

    kind: str
    key: str
    line: int | None
    message: str
    file: str = ""  # set when the library is several files: the one the line is in

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if not self.file:
            del out["file"]
        return out


@dataclass(frozen=True)
class CheckReport:
    """The outcome of a check: the file, how many entries it has, and the problems."""

    path: str
    entries: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "entries": self.entries,
            "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
        }


def check_file(path: Path, *, encoding: str | None = None) -> CheckReport:
    """Read ``path`` and check it. A file with blocks that cannot be read reports every one
    of them as a ``parse`` problem (and 0 entries: the library cannot be loaded as it is)."""
    return check_files([path], encoding=encoding)


def check_files(paths: Sequence[Path], *, encoding: str | None = None) -> CheckReport:
    """:func:`check_file` of several files read as one library (shared ``@string``s; a key
    in two files is a parse problem). Each problem names its file when there are several."""
    library, errors = diagnose_all(paths, encoding=encoding)
    several = len(paths) > 1
    if errors:
        parse = [Problem("parse", "", e.line, e.message, e.path if several else "") for e in errors]
        problems = sorted([*parse, *_warnings(library)], key=lambda p: (p.file, p.line or 0))
        return CheckReport(str(paths[0]), 0, tuple(problems))
    return check_library(library)


def _warnings(library: Library) -> Iterator[Problem]:
    parts = library.parts if isinstance(library, Shelf) else (library,)
    for part in parts:
        file = part.path if isinstance(library, Shelf) else ""
        yield from (Problem(n.kind, n.key, n.line, n.message, file) for n in part.warnings)


def check_library(library: Library) -> CheckReport:
    """Every problem of a loaded library, in file order within each kind."""
    records = library.records
    keyless = iter(library.keyless_lines())
    problems = [
        *_warnings(library),
        *_duplicates(library, records),
        *(p for r in inherit(records) for p in _record_problems(library, r, keyless)),
        *_dangling(library, records),
    ]
    if isinstance(library, Shelf):
        problems = [p if p.file else replace(p, file=library.file_of(p.key)) for p in problems]
    return CheckReport(library.path, len(records), tuple(problems))


def _record_problems(library: Library, record: Record, keyless: Iterator[int]) -> Iterator[Problem]:
    line = library.line_of(record.key)
    if not record.key:
        what = record.title[:50] or record.entry_type or "an entry"
        yield Problem(
            "missing-key",
            "",
            next(keyless, None),
            f"{what!r} has no citation key; give it one (exports skip it)",
        )
        return
    if not valid_key(record.key):
        message = "the key holds a space, a quote, a comma or another character BibTeX or "
        message += "LaTeX cannot take in a citation key; rename it"
        yield Problem("invalid-key", record.key, line, message)
    if record.is_stub:
        ident = record.doi or (f"arXiv:{record.arxiv_id}" if record.arxiv_id else record.url)
        yield Problem("stub", record.key, line, f"stub for {ident}: run `citekit resolve`")
        return
    missing = [] if record.is_data_only else required_fields(record)
    if missing:
        names = ", ".join(missing)
        yield Problem("missing-field", record.key, line, f"missing {names}")


def required_fields(record: Record) -> list[str]:
    """The BibTeX names of the required fields ``record`` lacks for its type.

    ``record`` should be completed from its ``crossref``/``xdata`` parents first
    (:func:`citekit.bibtex.inherit.inherit`): what it inherits is not missing.
    """
    wanted = _REQUIRED.get(record.type, ("title",))
    missing: list[str] = []
    for need in wanted:
        options = need if isinstance(need, tuple) else (need,)
        if not any(getattr(record, attr) for attr in options):
            missing.append(" or ".join(_bibtex_name(record, attr) for attr in options))
    return missing


def _bibtex_name(record: Record, attr: str) -> str:
    if attr == "container_title":
        return "journal" if record.type == "article-journal" else "booktitle"
    if attr == "publisher":
        return {"report": "institution", "thesis": "school"}.get(record.type, "publisher")
    return {"issued": "year"}.get(attr, attr)


def _duplicates(library: Library, records: Sequence[Record]) -> Iterator[Problem]:
    for kind, label, ident in (
        ("duplicate-key", "key", lambda r: r.key.lower()),
        ("duplicate-doi", "DOI", _doi),
        ("duplicate-arxiv", "arXiv id", _arxiv),
    ):
        groups: dict[str, list[Record]] = {}
        for record in records:
            value = ident(record)
            if value:
                groups.setdefault(value, []).append(record)
        for value, group in groups.items():
            if len(group) < 2:
                continue
            first, *others = group
            for other in others:
                where = library.line_of(first.key)
                at = f" (line {where})" if where else ""
                yield Problem(
                    kind,
                    other.key,
                    library.line_of(other.key),
                    f"same {label} {value} as {first.key}{at}; merge the two entries",
                )


def _dangling(library: Library, records: Sequence[Record]) -> Iterator[Problem]:
    """``crossref``/``xdata``/``related`` naming a key the library does not have."""
    known = {r.key for r in records}
    for record in records:
        for field, key in referenced_keys(record):
            if key not in known:
                yield Problem(
                    "dangling-reference",
                    record.key,
                    library.line_of(record.key),
                    f"{field} = {{{key}}} names no entry of this library; fix or remove it",
                )


def _doi(record: Record) -> str:
    """The normalised DOI, except arXiv's own (those are compared as arXiv ids)."""
    if not record.doi:
        return ""
    try:
        doi = normalize_doi(record.doi)
    except IdentifierError:
        return record.doi.strip().lower()
    return "" if doi.startswith(ARXIV_DOI_PREFIX) else doi


def _arxiv(record: Record) -> str:
    """The versionless arXiv id, from ``eprint`` or from an arXiv DOI."""
    if record.arxiv_id:
        return record.arxiv_id.lower()
    if record.doi and is_arxiv_doi(record.doi):
        return re.sub(r"v\d+$", "", normalize_doi(record.doi)[len(ARXIV_DOI_PREFIX) :])
    return ""
