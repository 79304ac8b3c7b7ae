"""The command line: thin click commands over the library, and the one error boundary.

Exit codes: 0 ok, 1 failure (something the user must look at), 2 usage.
Data goes to stdout; messages and progress go to stderr. No traceback reaches a user
unless ``--debug`` is given. Heavy modules are imported inside the commands that need
them, so ``citekit --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .config import Settings, load_settings
from .errors import CitekitError

__all__ = ["main"]


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


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="citekit")


@cli.group()
def export() -> None:
    """Write the library in another format (bibtex, biblatex, csl, zotero, ris, all)."""


# --- library commands: check, export bibtex / biblatex (library core) ---------------------


# --- resolution commands: resolve, add, build ---------------------------------------------


# --- export commands: export csl / zotero / ris / all, format -----------------------------


# --- zotero sync -----------------------------------------------------------------------------


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
