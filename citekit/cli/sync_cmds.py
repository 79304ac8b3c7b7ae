"""``citekit sync zotero``: push the library into a Zotero library over the Web API."""

from __future__ import annotations

import click

from . import Failure, cli, one_line, settings_of, write_json, writes_library


def _numeric_id(value: str | None) -> str | None:
    """A ``--library-id`` that is not a number is a usage error (exit 2), not a failure."""
    if value is not None and not value.strip().isdigit():
        raise click.BadParameter(f"{value!r} is not a number; Zotero library ids are numeric")
    return value.strip() if value is not None else None


@cli.group()
def sync() -> None:
    """Push the library into another tool (zotero)."""


@sync.command("zotero")
@click.option(
    "--library-id",
    default=None,
    callback=lambda ctx, param, value: _numeric_id(value),
    help="Numeric user or group id [ZOTERO_LIBRARY_ID].",
)
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
    from ..library import load_all
    from ..zotero.credentials import load_credentials
    from ..zotero.sync import SyncOptions, sync_zotero

    settings = settings_of(ctx)
    # writes_library has already refused a missing library (before taking the lock), so
    # that is reported before a missing API key.
    credentials = load_credentials(library_id=library_id, library_type=library_type)
    encoding = settings.encoding or None
    records = load_all(settings.bib_paths, encoding=encoding).records
    # Waits (rate limits, retries) are shown on stderr so a quiet terminal is explained.
    options = SyncOptions(
        dry_run=dry_run, prune=prune, notify=lambda line: click.echo(line, err=True)
    )
    from ..progress import status

    with status("syncing with Zotero"):  # a spinner on a terminal, when it takes a while
        report = sync_zotero(records, settings, credentials, options)
    if as_json:
        write_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(one_line(line))
    if not report.ok:
        raise Failure(report.summary())
