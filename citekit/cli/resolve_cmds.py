"""The resolution commands: ``resolve``, ``add`` and ``build``."""

from __future__ import annotations

from typing import Any

import click

from . import (
    Failure,
    cli,
    creates_library,
    html_note,
    note,
    plural,
    settings_of,
    write_json,
    writes_library,
)

_OFFLINE_HELP = "Use only the cache; never touch the network."
_DRY_RUN_HELP = "Print the diff of references.bib; write nothing."
_JSON_HELP = "Print the report as JSON on stdout."


def _unchecked(result: Any, offline: bool) -> list[Any]:
    """Complete entries whose "published yet?" check could not run (the network failed).

    They stay unchanged, which is right, but the run must not look like a clean one
    (issue #15 item 6). With ``--offline`` an uncached check is the user's choice and
    not news.
    """
    if offline:
        return []
    return [
        o for o in result.report if o.state == "unchanged" and o.message.startswith("not checked")
    ]


def _resolution_output(
    run: Any, as_json: bool, verb: str, dry_run: bool = False, offline: bool = False
) -> None:
    """Report a resolve/add/build run: JSON (or the dry-run diff) on stdout; per-item lines,
    differences, candidates and a one-line summary on stderr, which names every check
    that could not run."""
    result = run.resolution
    unchecked = _unchecked(result, offline)
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
            quiet = quiet and outcome not in unchecked
            if not quiet:
                click.echo(outcome.line(), err=True)
            for diff in outcome.differences:
                click.echo(f"  {diff.field}: yours {diff.old!r}, source {diff.new!r}", err=True)
            for cand in outcome.candidates:
                ident = cand.get("doi") or cand.get("arxiv") or "no id"
                what = f"{cand['title']!r} ({cand['author']}, {cand['year']}) {ident}"
                click.echo(f"  candidate: {what}, similarity {cand['similarity']}", err=True)
    tail = "; dry run, nothing written" if dry_run else ""
    if unchecked:
        keys = ", ".join(o.key for o in unchecked)
        checks = plural(len(unchecked), "check")
        tail = f"; {checks} could not run ({keys}): run again when the network is back{tail}"
    requests = "request" if run.requests == 1 else "requests"
    note(f"{verb}: {result.summary()}; {run.requests} {requests}{tail}")
    if not result.ok:
        failed = [o.key or o.input for o in result.report if o.failed]
        raise Failure(f"not resolved: {', '.join(failed)}")


def _warn(message: str) -> None:
    note(f"warning: {message}")


@cli.command()
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
@click.option("--refresh", is_flag=True, help="Ask the sources again, ignoring the cache.")
@click.option("--dry-run", is_flag=True, help=_DRY_RUN_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
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
    from ..resolve import pipeline

    run = pipeline.resolve(
        settings_of(ctx),
        offline=offline,
        refresh=refresh,
        dry_run=dry_run,
        accept_upstream=accept_upstream,
        warn=_warn,
    )
    _resolution_output(run, as_json, "resolve", dry_run, offline)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="ID|URL|TITLE...")
@click.option("--group", "groups", multiple=True, help="Put the new entries in this collection.")
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
@click.option("--dry-run", is_flag=True, help=_DRY_RUN_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
@creates_library
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
    from ..resolve import pipeline

    run = pipeline.add(
        settings_of(ctx), inputs, groups=groups, offline=offline, dry_run=dry_run, warn=_warn
    )
    _resolution_output(run, as_json, "add", dry_run, offline)


@cli.command()
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
@writes_library
def build(ctx: click.Context, offline: bool, as_json: bool) -> None:
    """Resolve references.bib, then regenerate every export in exports/.

    Entries that are already complete need no network, so `citekit build --offline`
    works on a fresh clone.
    """
    from ..resolve import pipeline

    settings = settings_of(ctx)
    run = pipeline.build(settings, offline=offline, warn=_warn)
    if not as_json:
        for path in run.exports:
            note(f"wrote {path}")  # a message, not data: stderr, like every other line
    if run.keyless:  # the exports leave them out (#18): say so, as `export` does
        what = "entry" if run.keyless == 1 else "entries"
        note(f"exports skipped {run.keyless} {what} without a key; `citekit check` shows where")
    html_note(run.exported, settings.html_max_entries)
    _resolution_output(run, as_json, "build", offline=offline)
