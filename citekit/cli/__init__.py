"""The command line: thin click commands over the library, and the one error boundary.

Exit codes: 0 ok, 1 failure (something the user must look at), 2 usage.
Data goes to stdout; messages and progress go to stderr. No traceback reaches a user
unless ``--debug`` is given. Heavy modules are imported inside the commands that need
them, so ``citekit --help`` stays fast.

This module is the frame (root group, boundary, shared helpers); the commands live in
the modules imported at the bottom, by area.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click

from .. import __version__
from ..config import Settings, load_settings
from ..errors import CitekitError

__all__ = ["main"]

_F = TypeVar("_F", bound=Callable[..., Any])
#: What ``str.splitlines`` splits at, and the other C0/C1 controls.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with its control characters and line separators escaped (``\\n``): a key
    or value read from a hostile file cannot break a message across lines."""
    return _BREAKS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def note(message: str) -> None:
    """Print ``citekit: message`` on stderr (every message of every command), one line."""
    click.echo(f"citekit: {one_line(message)}", err=True)


def plural(count: int, word: str, words: str = "") -> str:
    """``1 entry``, ``3 entries``, ``0 problems``: a count with its noun in agreement."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {words or (word[:-1] + 'ies' if word.endswith('y') else word + 's')}"


def html_note(entries: int, limit: int) -> None:
    """Say so when ``build``/``export all`` left the HTML page out (``html_max_entries``)."""
    from ..exports import HTML, html_left_out

    if html_left_out(entries, limit):
        note(
            f"{HTML} not written (left as it was): {plural(entries, 'entry')} is more than "
            f"html_max_entries = {limit}; `citekit export html` writes it (about 20 ms an entry)"
        )


class Failure(click.ClickException):
    """A finished command that must exit 1 after its output (e.g. ``check`` found problems)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        if self.message:
            note(self.message)


class _Boundary(click.Group):
    """Turns every CitekitError, and any unexpected exception, into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        # Seen before click consumes them: with --json, a failure is a JSON object too.
        rest = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        rest = rest[: rest.index("--")] if "--" in rest else rest
        ctx.meta["citekit.json"] = "--json" in rest
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _json_error(ctx, exc.format_message(), exc.exit_code)
            raise
        except CitekitError as exc:
            _die(ctx, str(exc), exc)
        except OSError as exc:
            _die(ctx, _os_message(exc), exc)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            note("interrupted; files were left as they were")
            sys.exit(130)
        except Exception as exc:  # the boundary: nothing unexpected may print a traceback
            _die(ctx, f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", exc)


def _os_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    text = str(exc.strerror or exc)
    if "citekit" in text:  # citekit's own wording (fileio) already says what to do
        return f"{where}{text}"
    return f"{where}{text}; check the path and its permissions"


def _die(ctx: click.Context, message: str, exc: BaseException) -> NoReturn:
    debug = bool(ctx.find_root().params.get("debug"))
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    _json_error(ctx, message, 1)
    note(message)
    sys.exit(1)


def _json_error(ctx: click.Context, message: str, exit_code: int) -> None:
    """With ``--json``, a failed command still prints an object on stdout: scripts that
    parse stdout get ``{"ok": false, "error": …}`` instead of nothing (the line goes to
    stderr as always)."""
    if ctx.find_root().meta.get("citekit.json"):
        write_json({"ok": False, "error": message, "exit_code": exit_code})


def settings_of(ctx: click.Context) -> Settings:
    """The Settings the root command built (every command takes them from here)."""
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def existing_library(ctx: click.Context, hint: str = "create it or pass --bib PATH") -> Path:
    """The library file of the settings; a missing one is a one-line error ending in ``hint``.

    With several files (``--bib`` given again), every one must exist; the first is returned.
    """
    from ..errors import LibraryError

    for path in settings_of(ctx).bib_paths:
        if not path.is_file():
            raise LibraryError(str(path), f"no such library file; {hint}")
    return settings_of(ctx).bib_path


def writes_library(command: _F) -> _F:
    """Run a command that writes the library, its exports or sync state under the lock.

    A second citekit process on the same library waits for the first (``lock_timeout``
    seconds, then a one-line error); see :mod:`citekit.lock`.

    A missing library file is refused before anything is touched (no lock file, no
    export): a typo in ``--bib`` must never turn into an empty library written over the
    exports. Only commands that add entries (``may_create``: ``add``, ``import-md``) may
    create it (:func:`creates_library`), and they say so.
    """
    return _locked(command, may_create=False)


def creates_library(command: _F) -> _F:
    """:func:`writes_library` for commands that add entries: a missing library is created."""
    return _locked(command, may_create=True)


def _locked(command: _F, *, may_create: bool) -> _F:
    """The lock wrapper of :func:`writes_library` and :func:`creates_library`."""

    @functools.wraps(command)
    def locked(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        from ..lock import library_lock

        settings = settings_of(ctx)
        existed = settings.bib_path.exists()
        if not may_create:
            existing_library(ctx)
        exports, cache = settings.exports_path, settings.cache_path
        sweep = (settings.bib_path.parent, exports, exports / "zotero", cache)
        with library_lock(settings.bib_path, settings.lock_timeout, notify=note, sweep=sweep):
            result = command(ctx, *args, **kwargs)
        if not existed and settings.bib_path.exists():
            note(f"created {settings.bib_path}: it did not exist")
        return result

    return cast(_F, locked)


def write_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (``--json`` output of every command)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def write_output(
    text: str | Iterable[str], output: str | None, default: Path
) -> tuple[Path | None, bool]:
    """Write ``text`` (or its chunks, in order) to ``output`` ("-" = stdout) or
    ``default``; atomic for files.

    Returns the file (None for stdout) and whether its bytes changed: a file that already
    held ``text`` is left alone, and the caller must not say it "wrote" it.
    """
    if output == "-":
        for chunk in [text] if isinstance(text, str) else text:
            click.echo(chunk, nl=False)
        return None, True
    from ..fileio import write_atomic

    path = Path(output) if output else default
    return path, write_atomic(path, text)


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citekit")
@click.option(
    "--bib",
    "bib",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="The library file (default: ./references.bib or [tool.citekit] bib). Give it again "
    "for more files: their @string macros are shared, entries go back to their own file.",
)
@click.option(
    "--encoding",
    default=None,
    help="The library's encoding when the file does not say (e.g. windows-1252, gb18030).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, bib: tuple[str, ...], encoding: str | None, debug: bool) -> None:
    """citekit: a bibliography that resolves itself.

    references.bib is the source of truth; everything in exports/ is derived from it.
    """
    try:
        settings = load_settings(Path("."))
    except CitekitError as exc:
        _die(ctx, str(exc), exc)
    if bib:
        settings = settings.with_(bib=bib[0], more_bib=tuple(bib[1:]))
    if encoding:
        settings = settings.with_(encoding=encoding)
    ctx.obj = settings


#: Set by :func:`main`: the process ends with the command (not so under CliRunner).
_ONE_SHOT = {"process": False}


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    _ONE_SHOT["process"] = True
    cli.main(args=list(argv) if argv is not None else None, prog_name="citekit")


@cli.group()
def export() -> None:
    """Write the library in another format (bibtex, biblatex, csl, zotero, ris, html, all)."""


# The command modules register themselves on `cli` and `export` when imported; they
# import only click and this frame at module level, so `citekit --help` stays light.
from . import (  # noqa: E402, F401
    check_cmds,
    export_cmds,
    import_cmds,
    resolve_cmds,
    sync_cmds,
)
