"""Messages that tell the truth (issue #15, item 7): each line says what happened, in the
right stream, with nouns that agree with their counts; ``--json`` answers even a failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from citekit.cli import cli, plural
from citekit.zotero.report import SyncReport

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(cwd: Path, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    shutil.copyfile(ROOT / "references.bib", tmp_path / "references.bib")
    return tmp_path


def test_export_does_not_say_wrote_when_the_file_was_unchanged(library: Path) -> None:
    first = _run(library, "export", "csl")
    assert first.exit_code == 0 and "citekit: wrote exports/references.json" in first.stderr
    second = _run(library, "export", "csl")
    assert second.exit_code == 0
    assert "wrote" not in second.stderr
    assert "citekit: exports/references.json is up to date (11 entries)" in second.stderr


def test_build_reports_written_files_on_stderr_with_the_prefix(library: Path) -> None:
    done = _run(library, "build", "--offline")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""  # data only on stdout, and build prints no data
    wrote = [line for line in done.stderr.splitlines() if "wrote" in line]
    assert wrote and all(line.startswith("citekit: wrote exports/") for line in wrote)


@pytest.mark.parametrize("value", ["notanumber", "42x", ""])
def test_a_non_numeric_library_id_is_a_usage_error(library: Path, value: str) -> None:
    done = _run(library, "sync", "zotero", "--library-id", value)
    assert done.exit_code == 2
    assert "--library-id" in done.stderr and "not a number" in done.stderr


def test_a_dry_run_prune_says_what_would_happen() -> None:
    report = SyncReport(library="user 4242", dry_run=True, trashed=["gone2020"])
    text = "\n".join(report.lines())
    assert "moved" not in text
    assert "- item gone2020 (would move to the Zotero trash)" in text
    assert "1 to move to the trash" in report.summary()
    done = SyncReport(library="user 4242", trashed=["gone2020"])
    assert "- item gone2020 (moved to the Zotero trash)" in done.lines()


def test_sync_summary_counts_agree_with_their_nouns() -> None:
    report = SyncReport(library="user 4242", collections_created=["A"], created=["x"])
    assert report.summary().startswith("zotero user 4242: created 1 collection and 1 item,")


def test_check_with_one_good_and_one_broken_entry_tells_the_truth(tmp_path: Path) -> None:
    done = _run(tmp_path, "--bib", str(EXAMPLES / "broken.bib"), "check")
    assert done.exit_code == 1
    last = done.stderr.splitlines()[-1]
    assert "0 entries" not in last and "(s)" not in last
    assert (
        last == "citekit: 1 problem: 1 block cannot be read; fix it, then check again for the rest"
    )


def test_check_counts_the_entries_that_have_problems(tmp_path: Path) -> None:
    done = _run(tmp_path, "--bib", str(EXAMPLES / "check.bib"), "check")
    assert done.exit_code == 1
    assert done.stderr.splitlines()[-1] == "citekit: 3 problems in 2 of 3 entries"


def test_one_entry_is_an_entry(tmp_path: Path) -> None:
    bib = tmp_path / "one.bib"
    bib.write_text("@misc{a, title = {T}, url = {https://example.org/}}\n", encoding="utf-8")
    done = _run(tmp_path, "--bib", str(bib), "check")
    assert done.exit_code == 0
    assert done.stderr == f"citekit: {bib}: 1 entry, no problems\n"
    export = _run(tmp_path, "--bib", str(bib), "export", "ris")
    assert "(1 entry)" in export.stderr and "1 entries" not in export.stderr


def test_resolve_summary_counts_errors_as_a_noun() -> None:
    from citekit.resolve.outcome import Outcome, Resolution

    report = tuple(Outcome(key=f"k{i}", input=f"k{i}", state="error") for i in range(3))
    assert Resolution(records=(), report=report).summary() == "3 errors (3 entries)"
    one = Resolution(records=(), report=report[:1])
    assert one.summary() == "1 error (1 entry)"


def test_plural() -> None:
    assert [plural(n, "entry") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(3, "problem") == "3 problems"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--bib", "missing.bib", "check", "--json"), 1),
        (("--bib", "missing.bib", "resolve", "--offline", "--json"), 1),
        (("sync", "zotero", "--library-id", "x", "--json"), 2),
    ],
)
def test_json_prints_an_error_object_when_a_command_fails(
    tmp_path: Path, args: tuple[str, ...], code: int
) -> None:
    done = _run(tmp_path, *args)
    assert done.exit_code == code
    error = json.loads(done.stdout)
    assert error["ok"] is False and error["exit_code"] == code and error["error"]
    assert error["error"] in done.stderr


def test_a_check_that_could_not_run_is_named_without_json(library: Path) -> None:
    """#15 item 6: no network said "11 unchanged; 4 requests", exit 0, and only --json
    told that schulman2017proximal's published-version check had failed."""
    done = _run(library, "resolve")  # conftest points every source at a closed port
    assert done.exit_code == 0  # the entries are fine as they are ...
    summary = done.stderr.splitlines()[-1]
    # ... but the run says what it could not do, and for which entry
    assert "1 check could not run (schulman2017proximal)" in summary
    assert any(
        line.startswith("schulman2017proximal: unchanged: not checked for a published version")
        for line in done.stderr.splitlines()
    )


def test_offline_does_not_report_the_checks_it_was_told_to_skip(library: Path) -> None:
    done = _run(library, "resolve", "--offline")
    assert done.exit_code == 0
    assert done.stderr == "citekit: resolve: 11 unchanged (11 entries); 0 requests\n"
