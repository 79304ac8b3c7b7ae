"""``citekit import-md``: a Markdown resource list's links as stub entries with collections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import cli, creates_library, note, one_line, settings_of, write_json


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
@creates_library
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
    from ..markdown.importer import import_file

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
                click.echo(one_line(_import_line(item)))
    tail = " (dry run: nothing written)" if dry_run else ""
    note(plan.summary() + tail)


def _import_line(item: Any) -> str:
    """``added    radford2018improving  report  line 129  Hub/Papers``, or a skip's reason."""
    where = f"line {item.line}"
    if item.status == "skipped":
        target = item.url or item.text
        return f"skipped  {where}: {item.reason}: {target}"
    return f"{item.status:<8} {item.key}  {item.type}  {where}  {item.collection}"
