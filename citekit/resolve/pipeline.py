"""The resolve / add / build runs: library file + cache + sources + policy, wired together.

The CLI calls these and renders the result; they print nothing.

Provenance (which field values citekit itself wrote, so a later run may update them)
is kept in ``provenance.json`` in the cache directory, beside ``cache.sqlite``. It is
git-ignored with the cache: on a fresh clone every present field counts as the user's,
which can only make citekit more careful, never overwrite anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .. import keys
from ..config import Settings
from ..fileio import write_atomic
from ..library import Library, load_all, pieces, save
from ..model import Record
from ..progress import progress_bar
from ..sources.cache import Cache
from .diff import unified
from .finders import (
    Ambiguous,
    CrossrefByDoi,
    CrossrefSearch,
    DblpSearch,
    Finder,
    OpenAlexSearch,
    Published,
    published_version,
)
from .outcome import Outcome, Resolution
from .resolver import Resolver

__all__ = ["Run", "add", "build", "load_provenance", "published_in_cache", "resolve"]

PROVENANCE = "provenance.json"
Progress = Callable[[Outcome], None]


@dataclass(frozen=True)
class Run:
    """What one run did: the resolution, the diff of the library, what was written."""

    resolution: Resolution
    diff: str
    written: bool
    requests: int
    exports: tuple[Path, ...] = ()
    keyless: int = 0  # entries without a key, which the exports left out
    exported: int = 0  # entries the exports hold

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` report."""
        out = self.resolution.as_dict()
        out["requests"] = self.requests
        out["written"] = self.written
        if self.exports:
            out["exports"] = [str(p) for p in self.exports]
        return out


def _load(settings: Settings) -> Library:
    """Every library file of the settings, read as one (``--bib`` given more than once)."""
    return load_all(settings.bib_paths, encoding=settings.encoding or None)


def load_provenance(settings: Settings) -> dict[str, dict[str, Any]]:
    """What citekit wrote on earlier runs, by citation key ({} when there is no record)."""
    path = settings.cache_path / PROVENANCE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}  # no (readable) record: every field is the user's
    return data if isinstance(data, dict) else {}


def _save_provenance(settings: Settings, data: dict[str, dict[str, Any]]) -> None:
    if data == load_provenance(settings):
        return
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(settings.cache_path / PROVENANCE, text)


@contextmanager
def _resolver(
    settings: Settings,
    *,
    offline: bool,
    refresh: bool,
    accept_upstream: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> Iterator[tuple[Resolver, Callable[[], int]]]:
    from ..sources.arxiv import ArxivSource
    from ..sources.crossref import CrossrefSource
    from ..sources.dblp import DblpSource
    from ..sources.openalex import OpenAlexSource

    cache = Cache(settings.cache_path, offline=offline, refresh=refresh)
    # Tests inject a fake sleep and clock so backoff and arXiv's 3 s spacing take no time.
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    ticks: dict[str, Any] = {"clock": clock} if clock is not None else {}
    say = warn or (lambda _m: None)
    arxiv = ArxivSource(settings, cache, warn=say, **extra, **ticks)
    crossref = CrossrefSource(settings, cache, warn=say, **extra)
    dblp = DblpSource(settings, cache, warn=say, **extra, **ticks)
    openalex = OpenAlexSource(settings, cache, warn=say, **extra)
    finders = _finders(settings, crossref, dblp, openalex)
    resolver = Resolver(
        arxiv,
        crossref,
        refresh=refresh,
        accept_upstream=accept_upstream,
        progress=progress,
        finders=finders,
        venue_names=_style(settings),
    )
    sources = (arxiv, crossref, dblp, openalex)
    try:
        yield resolver, lambda: sum(s.requests_made for s in sources)
    finally:
        cache.close()


def _style(settings: Settings) -> Literal["full", "short"]:
    return "short" if settings.venue_names == "short" else "full"


def _finders(settings: Settings, crossref: Any, dblp: Any, openalex: Any) -> list[Finder]:
    """The published-version finders ``settings.published_sources`` asks for, in order."""
    wanted = settings.published_sources.replace(",", " ").split()
    finders: list[Finder] = [CrossrefByDoi(crossref)]
    finders += [CrossrefSearch(crossref)] if "crossref" in wanted else []
    finders += [DblpSearch(dblp)] if "dblp" in wanted else []
    finders += [OpenAlexSearch(openalex)] if "openalex" in wanted else []
    return finders


def published_in_cache(settings: Settings, records: Sequence[Record]) -> dict[str, Published]:
    """Preprints whose published version the cache already holds (``citekit check``).

    The finders run on the cache alone (offline: no request is ever sent); a preprint
    whose answers are not cached, or whose published version is ambiguous, is skipped.
    """
    from ..errors import CitekitError
    from ..sources.crossref import CrossrefSource
    from ..sources.dblp import DblpSource
    from ..sources.openalex import OpenAlexSource
    from .entries import arxiv_of, has_venue, is_protected

    waiting = [r for r in records if arxiv_of(r) and not has_venue(r) and not is_protected(r)]
    if not waiting or not (settings.cache_path / "cache.sqlite").is_file():
        return {}
    cache = Cache(settings.cache_path, offline=True)
    sources = (CrossrefSource(settings, cache), DblpSource(settings, cache))
    finders = _finders(settings, *sources, OpenAlexSource(settings, cache))
    found: dict[str, Published] = {}
    try:
        for record in waiting:
            try:
                published = published_version(record, finders, _style(settings))
            except (CitekitError, Ambiguous):
                continue
            if published is not None:
                found[record.key] = published
    finally:
        cache.close()
    return found


def _commit(
    settings: Settings, library: Library, result: Resolution, dry_run: bool
) -> tuple[str, bool, Library]:
    """Write the resolved library (and provenance) unless ``dry_run``.

    Returns the diff (computed for a dry run only: nobody reads it otherwise), whether
    the file was written, and the library as resolved.
    """
    updated = library.with_records(result.records, result.renamed)
    if dry_run:
        return unified(pieces(library), pieces(updated), str(settings.bib_path)), False, updated
    written = save(updated, settings.bib_path)  # an unchanged library is not rewritten
    _save_provenance(settings, result.provenance)
    return "", written, updated


def resolve(
    settings: Settings,
    *,
    offline: bool = False,
    refresh: bool = False,
    dry_run: bool = False,
    accept_upstream: bool = False,
    **hooks: Any,
) -> Run:
    """Complete the library's entries in place (``citekit resolve``)."""
    run, _ = _resolve(
        settings,
        offline=offline,
        refresh=refresh,
        dry_run=dry_run,
        accept_upstream=accept_upstream,
        **hooks,
    )
    return run


def _resolve(
    settings: Settings,
    *,
    offline: bool,
    refresh: bool = False,
    dry_run: bool = False,
    accept_upstream: bool = False,
    **hooks: Any,
) -> tuple[Run, Library]:
    """:func:`resolve`, and the library as it stands after the run."""
    library = _load(settings)
    with (
        progress_bar(len(library.records), "resolving") as advance,
        _resolver(
            settings,
            offline=offline,
            refresh=refresh,
            accept_upstream=accept_upstream,
            progress=advance,
            **hooks,
        ) as (resolver, requests),
    ):
        # An entry without a key (@article{,) cannot be written back once changed: it is
        # left as it is (check reports it), never resolved.
        keyed = [r for r in library.records if r.key]
        result = resolver.library(keyed, load_provenance(settings), settings.key_pattern)
        count = requests()
    diff, written, updated = _commit(settings, library, result, dry_run)
    return Run(result, diff, written, count), updated


def add(
    settings: Settings,
    texts: Sequence[str],
    *,
    groups: Sequence[str] = (),
    offline: bool = False,
    dry_run: bool = False,
    **hooks: Any,
) -> Run:
    """Resolve ``texts`` and append them to the library (``citekit add``)."""
    library = _load(settings)

    def assign(new: Sequence[Record], existing: Sequence[Record]) -> Sequence[Record]:
        taken = [r.key for r in existing]
        return keys.assign_keys(new, taken, settings.key_pattern)

    with (
        progress_bar(len(texts), "adding") as advance,
        _resolver(settings, offline=offline, refresh=False, progress=advance, **hooks) as (
            resolver,
            requests,
        ),
    ):
        result = resolver.add(
            texts,
            library.records,
            assign_keys=assign,
            groups=groups,
            provenance=load_provenance(settings),
        )
        count = requests()
    diff, written, _ = _commit(settings, library, result, dry_run)
    return Run(result, diff, written, count)


def build(settings: Settings, *, offline: bool = False, **hooks: Any) -> Run:
    """Resolve, write references.bib, then regenerate every export (``citekit build``)."""
    run, library = _resolve(settings, offline=offline, **hooks)
    from ..exports import write_all

    # What was written is read back, so the exports are exactly those of the file; a file
    # left as it was holds the records already in hand (reading it again cost a third).
    records = _load(settings).records if run.written else library.records
    changed = write_all(
        records,
        settings.exports_path,
        preamble=library.preamble,
        html_max_entries=settings.html_max_entries,
    )
    keyless = sum(1 for r in records if not r.key)
    exported = len(records) - keyless
    return Run(
        run.resolution, run.diff, run.written, run.requests, tuple(changed), keyless, exported
    )
