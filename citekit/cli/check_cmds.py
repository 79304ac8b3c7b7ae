"""``citekit check``: the library's problems, one line each (library core)."""

from __future__ import annotations

import click

from . import Failure, cli, existing_library, note, write_json


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check the library: parse errors, duplicates (key, DOI, arXiv id), missing fields, stubs.

    Exits 1 when anything needs fixing.
    """
    from ..check import check_file

    report = check_file(existing_library(ctx))
    if as_json:
        write_json(report.as_dict())
    else:
        for problem in report.problems:
            where = f"{report.path}:{problem.line}" if problem.line else report.path
            who = f" {problem.key}:" if problem.key else ""
            click.echo(f"{where}:{who} {problem.message} [{problem.kind}]")
    if not report.ok:
        raise Failure(f"{len(report.problems)} problem(s) in {report.entries} entries")
    note(f"{report.path}: {report.entries} entries, no problems")
