"""``citekit check``: the library's problems, one line each (library core)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from . import (
    Failure,
    cli,
    existing_library,
    note,
    one_line,
    plural,
    settings_of,
    write_json,
)

if TYPE_CHECKING:
    from ..check import CheckReport


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check the library: parse errors, duplicates (key, DOI, arXiv id), missing fields, stubs,
    and preprints whose published version is already in the cache (preprint-published).

    Exits 1 when anything needs fixing.
    """
    from ..check import check_files

    existing_library(ctx)
    settings = settings_of(ctx)
    report = _with_published(
        ctx, check_files(settings.bib_paths, encoding=settings.encoding or None)
    )
    if as_json:
        write_json(report.as_dict())
    else:
        for problem in report.problems:
            file = problem.file or report.path
            where = f"{file}:{problem.line}" if problem.line else file
            who = f" {problem.key}:" if problem.key else ""
            click.echo(one_line(f"{where}:{who} {problem.message} [{problem.kind}]"))
    if not report.ok:
        raise Failure(summary(report))
    note(f"{report.path}: {plural(report.entries, 'entry')}, no problems")


def summary(report: CheckReport) -> str:
    """``3 problems in 2 of 3 entries``; ``1 problem: 1 block cannot be read; …``.

    Counts the entries that have a problem, not all of them; a file with unreadable
    blocks is checked no further, and the line says so rather than "in 0 entries".
    """
    problems = plural(len(report.problems), "problem")
    unreadable = sum(1 for p in report.problems if p.kind == "parse")
    if unreadable:
        blocks = plural(unreadable, "block cannot", "blocks cannot")
        them = "it" if unreadable == 1 else "them"
        return f"{problems}: {blocks} be read; fix {them}, then check again for the rest"
    affected = len({p.key for p in report.problems})
    return f"{problems} in {affected} of {plural(report.entries, 'entry')}"


def _with_published(ctx: click.Context, report: CheckReport) -> CheckReport:
    """``report`` plus one ``preprint-published`` problem per preprint the cache can upgrade."""
    from ..check import CheckReport, Problem
    from ..library import load
    from ..resolve.pipeline import published_in_cache

    if any(p.kind == "parse" for p in report.problems):
        return report
    settings = settings_of(ctx)
    library = load(settings.bib_path)
    found = published_in_cache(settings, library.records)
    extra = tuple(
        Problem(
            "preprint-published",
            key,
            library.line_of(key),
            f"published in {p.record.container_title or 'a venue'}"
            f" ({p.record.issued.year if p.record.issued else 'n.d.'}, found by {p.source}):"
            " run `citekit resolve` to upgrade it",
        )
        for key, p in found.items()
    )
    return CheckReport(report.path, report.entries, report.problems + extra)
