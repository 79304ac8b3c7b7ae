"""resolve / add / build end to end: the real arxiv stack and Crossref GETs on loopback servers.

Replay facts here are CONSTRUCTED (formats from ../shared/samples via tests/servers).
Commands run through click's CliRunner; the fault matrix runs the same pipeline with an
injected sleep, so retries and backoff take no wall time.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from citekit.cli import cli
from citekit.config import load_settings
from citekit.library import load
from citekit.progress import progress_bar
from citekit.resolve import pipeline
from tests.servers.fixtures import FakeClock, ReplayServers

RESNET = "1512.03385"
RESNET_DOI = "10.1109/cvpr.2016.90"
TAMER_DOI = "10.1145/1597735.1597738"
STUBS = f"""@misc{{he2015deep,
  eprint        = {{{RESNET}}},
  archiveprefix = {{arXiv}},
  groups        = {{Vision}},
}}

@misc{{knox2009interactively,
  doi           = {{{TAMER_DOI}}},
}}
"""


def register(servers: ReplayServers) -> None:
    """A preprint whose conference version Crossref finds by title, and a DOI work."""
    authors = ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    servers.arxiv.add(
        RESNET,
        "Deep Residual Learning for Image Recognition",
        authors,
        published="2015-12-10T19:51:55Z",
        primary="cs.CV",
        categories=["cs.CV"],
    )
    servers.crossref.add(
        RESNET_DOI,
        "Deep Residual Learning for Image Recognition",
        [("Kaiming", "He"), ("Xiangyu", "Zhang"), ("Shaoqing", "Ren"), ("Jian", "Sun")],
        type="proceedings-article",
        container="2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
        issued=(2016, 6),
        page="770-778",
        publisher="IEEE",
    )
    servers.crossref.add(
        "10.5555/citekit-test.residual-survey",
        "Deep Residual Learning for Image Recognition: A Survey",
        [("Ann", "Example")],
        issued=(2017,),
        container="Journal of Constructed Examples",
    )
    servers.crossref.add(
        TAMER_DOI,
        "Interactively shaping agents via human reinforcement",
        [("W. Bradley", "Knox"), ("Peter", "Stone")],
        type="proceedings-article",
        container="Proceedings of the fifth international conference on Knowledge capture",
        issued=(2009, 9),
        page="9-16",
        publisher="ACM",
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replay_servers: ReplayServers) -> Path:
    register(replay_servers)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CITEKIT_MAILTO", "citekit-tests@example.org")
    (tmp_path / "references.bib").write_text(STUBS, encoding="utf-8")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def requests(servers: ReplayServers) -> int:
    return servers.arxiv.count() + servers.crossref.count()


def test_resolve_upgrades_the_preprint_and_completes_the_doi(
    project: Path, replay_servers: ReplayServers
) -> None:
    result = run("resolve", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {i["key"]: i["state"] for i in report["items"]} == {
        "he2015deep": "upgraded",
        "knox2009interactively": "resolved",
    }
    text = (project / "references.bib").read_text(encoding="utf-8")
    assert "@inproceedings{he2015deep," in text
    assert "pages         = {770--778}" in text
    assert f"doi           = {{{RESNET_DOI}}}" in text
    assert f"eprint        = {{{RESNET}}}" in text and "primaryclass  = {cs.CV}" in text
    assert "Survey" not in text
    (he,) = [r for r in load(project / "references.bib").records if r.key == "he2015deep"]
    assert he.issued is not None and he.issued.year == 2016  # the published year, not 2015
    assert he.publisher == "IEEE" and he.genre == ""  # nothing of the preprint's venue
    assert "1 resolved, 1 upgraded (crossref 1) (2 entries); 3 requests" in result.stderr
    # The second run asks nothing and changes nothing.
    replay_servers.arxiv.reset_log()
    replay_servers.crossref.reset_log()
    again = run("resolve")
    assert again.exit_code == 0 and requests(replay_servers) == 0
    assert (project / "references.bib").read_text(encoding="utf-8") == text


def test_dry_run_prints_the_diff_and_writes_nothing(project: Path) -> None:
    before = (project / "references.bib").read_bytes()
    result = run("resolve", "--dry-run")
    assert result.exit_code == 0
    assert "+@inproceedings{he2015deep," in result.stdout
    assert "-@misc{he2015deep," in result.stdout
    assert "dry run, nothing written" in result.stderr
    assert (project / "references.bib").read_bytes() == before


def test_offline_makes_no_request_and_names_what_it_could_not_resolve(
    project: Path, replay_servers: ReplayServers
) -> None:
    before = (project / "references.bib").read_bytes()
    result = run("resolve", "--offline")
    assert result.exit_code == 1
    assert requests(replay_servers) == 0
    assert "he2015deep: error: arxiv: not in the cache" in result.stderr
    assert "knox2009interactively: error" in result.stderr
    assert result.stderr.strip().endswith("not resolved: he2015deep, knox2009interactively")
    assert (project / "references.bib").read_bytes() == before
    # Online once, then offline works from the cache alone.
    assert run("resolve").exit_code == 0
    replay_servers.arxiv.reset_log()
    replay_servers.crossref.reset_log()
    assert run("resolve", "--offline", "--refresh").exit_code == 2
    assert run("resolve", "--offline").exit_code == 0
    assert requests(replay_servers) == 0


def test_user_fields_are_kept_reported_and_taken_with_accept_upstream(project: Path) -> None:
    mine = STUBS.replace("  doi ", "  title         = {My own title},\n  doi ")
    (project / "references.bib").write_text(mine, encoding="utf-8")
    result = run("resolve")
    assert result.exit_code == 0
    assert "title: yours 'My own title', source 'Interactively shaping agents" in result.stderr
    assert "title         = {My own title}" in (project / "references.bib").read_text()
    taken = run("resolve", "--refresh", "--accept-upstream", "--json")
    assert taken.exit_code == 0
    text = (project / "references.bib").read_text(encoding="utf-8")
    assert "My own title" not in text
    assert "Interactively shaping agents via human reinforcement" in text


def test_a_preprint_resolved_earlier_is_upgraded_when_published_but_only_with_provenance(
    project: Path, replay_servers: ReplayServers
) -> None:
    preprint = "@misc{wolf2099later,\n  eprint = {2401.00001},\n  archiveprefix = {arXiv},\n}\n"
    (project / "references.bib").write_text(preprint, encoding="utf-8")
    title = "A Constructed Preprint That Is Published Later"
    replay_servers.arxiv.add(
        "2401.00001", title, ["Ann Wolf", "Bo Li"], published="2024-01-01T00:00:00Z"
    )
    assert run("resolve").exit_code == 0
    as_preprint = (project / "references.bib").read_text(encoding="utf-8")
    assert "@misc{wolf2099later," in as_preprint and "year          = {2024}" in as_preprint
    replay_servers.crossref.add(
        "10.5555/citekit-test.later",
        title,
        [("Ann", "Wolf"), ("Bo", "Li")],
        type="journal-article",
        container="Journal of Constructed Examples",
        issued=(2025, 3),
        volume="7",
        page="1-20",
    )
    # Without the provenance record every field is the user's: nothing is mixed in.
    provenance = project / ".citekit-cache" / "provenance.json"
    saved = provenance.read_bytes()
    provenance.unlink()
    kept = run("resolve", "--refresh", "--json")
    assert kept.exit_code == 0
    (item,) = json.loads(kept.stdout)["items"]
    assert item["state"] == "unchanged" and "--accept-upstream" in item["message"]
    assert {"type", "issued"} <= {d["field"] for d in item["differences"]}
    assert (project / "references.bib").read_text(encoding="utf-8") == as_preprint
    # With it, citekit's own preprint fields give way to the published record as a whole.
    provenance.write_bytes(saved)
    upgraded = run("resolve", "--refresh", "--json")
    (item,) = json.loads(upgraded.stdout)["items"]
    assert item["state"] == "upgraded"
    text = (project / "references.bib").read_text(encoding="utf-8")
    assert "@article{wolf2099later," in text and "year          = {2025}" in text
    assert "journal       = {Journal of Constructed Examples}" in text
    assert "eprint        = {2401.00001}" in text


def test_protected_entries_are_never_touched(project: Path, replay_servers: ReplayServers) -> None:
    protected = "@misc{mine,\n  eprint = {1512.03385},\n  citekit-protect = {true},\n}\n"
    (project / "references.bib").write_text(protected, encoding="utf-8")
    result = run("resolve", "--refresh", "--json")
    assert result.exit_code == 0
    (item,) = json.loads(result.stdout)["items"]
    assert (item["state"], item["message"]) == ("unchanged", "protected (citekit-protect)")
    assert requests(replay_servers) == 0
    assert (project / "references.bib").read_text(encoding="utf-8") == protected


def test_add_resolves_assigns_keys_groups_and_refuses_duplicates(
    project: Path, replay_servers: ReplayServers
) -> None:
    (project / "references.bib").write_text("", encoding="utf-8")
    result = run("add", "https://arxiv.org/abs/1512.03385v1", "--group", "Vision/ResNets")
    assert result.exit_code == 0, result.output
    records = load(project / "references.bib").records
    assert [(r.key, r.collections, r.doi) for r in records] == [
        ("he2016deep", ("Vision/ResNets",), RESNET_DOI)
    ]
    again = run("add", RESNET_DOI, "arXiv:1512.03385", "--json")
    assert again.exit_code == 0
    assert [i["state"] for i in json.loads(again.stdout)["items"]] == ["unchanged", "unchanged"]
    assert "already in the library as he2016deep" in again.stdout
    assert len(load(project / "references.bib").records) == 1


def test_add_title_and_generic_title(project: Path, replay_servers: ReplayServers) -> None:
    (project / "references.bib").write_text("", encoding="utf-8")
    replay_servers.crossref.add(
        "10.1038/nature14539",
        "Deep learning",
        [("Yann", "LeCun"), ("Yoshua", "Bengio"), ("Geoffrey", "Hinton")],
        issued=(2015, 5),
        container="Nature",
    )
    replay_servers.crossref.add(
        "10.5555/citekit-test.goodfellow2016",
        "Deep Learning",
        [("Ian", "Goodfellow"), ("Yoshua", "Bengio"), ("Aaron", "Courville")],
        type="book",
        issued=(2016,),
        publisher="MIT Press",
    )
    generic = run("add", "Deep Learning", "--json")
    assert generic.exit_code == 1
    (item,) = json.loads(generic.stdout)["items"]
    assert item["state"] == "ambiguous"
    assert {c["doi"] for c in item["candidates"]} >= {
        "10.1038/nature14539",
        "10.5555/citekit-test.goodfellow2016",
    }
    assert (project / "references.bib").read_text(encoding="utf-8") == ""
    titled = run("add", "Deep Residual Learning for Image Recognition")
    assert titled.exit_code == 0, titled.output
    (record,) = load(project / "references.bib").records
    assert record.doi == RESNET_DOI


def test_add_invalid_and_unknown_inputs(project: Path, replay_servers: ReplayServers) -> None:
    result = run("add", "arXiv:2005.1", "https://example.org/a-post", "10.5555/no-such-doi")
    assert result.exit_code == 1
    lines = result.stderr
    assert "arXiv:2005.1: invalid" in lines
    assert "https://example.org/a-post: invalid" in lines
    assert "10.5555/no-such-doi: not-found" in lines
    assert "1 not-found, 2 invalid" in lines


def test_help_of_every_command() -> None:
    for command in ("resolve", "add", "build"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


# -- faults: each one fails only its item; a re-run picks up where it stopped ---------------
FAULTS = [
    ("status", {"status": 429, "retry_after": "0"}),
    ("status", {"status": 429}),
    ("status", {"status": 500}),
    ("status", {"status": 502}),
    ("status", {"status": 503}),
    ("delay", {"delay": 1.0}),
    ("garbage", {}),
    ("truncate", {}),
    ("drop", {}),
]


@pytest.mark.parametrize("source", ["arxiv", "crossref"])
@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=lambda v: str(v))
def test_fault_fails_one_item_and_a_rerun_finishes(
    project: Path,
    replay_servers: ReplayServers,
    fake_clock: FakeClock,
    source: str,
    kind: str,
    options: dict[str, object],
) -> None:
    (project / "citekit.toml").write_text("timeout = 0.3\n", encoding="utf-8")
    settings = load_settings(project)
    server = replay_servers.arxiv if source == "arxiv" else replay_servers.crossref
    match = "id_list" if source == "arxiv" else "/works/10.1145"
    server.fail(kind, match=match, times=None, **options)
    failed_key = "he2015deep" if source == "arxiv" else "knox2009interactively"
    other_key = "knox2009interactively" if source == "arxiv" else "he2015deep"

    first = pipeline.resolve(settings, sleep=fake_clock.sleep)
    states = {o.key: o.state for o in first.resolution.report}
    assert states == {
        failed_key: "error",
        other_key: "resolved" if source == "arxiv" else "upgraded",
    }
    assert not first.resolution.ok
    records = {r.key: r for r in load(project / "references.bib").records}
    assert records[failed_key].title == ""  # nothing written for the failed item
    assert records[other_key].title != ""

    server.clear_faults()
    replay_servers.arxiv.reset_log()
    replay_servers.crossref.reset_log()
    second = pipeline.resolve(settings, sleep=fake_clock.sleep)
    assert second.resolution.ok
    assert {o.key: o.state for o in second.resolution.report}[other_key] == "unchanged"
    # Only the failed item is asked again; the other one came from the file and the cache.
    if source == "arxiv":
        assert replay_servers.arxiv.count("id_list") == 1
        assert replay_servers.crossref.count("/works/10.1145") == 0
    else:
        assert replay_servers.crossref.count("/works/10.1145") == 1
        assert replay_servers.arxiv.count() == 0


@pytest.mark.slow
def test_150_arxiv_stubs_take_two_polite_requests_and_a_rerun_none(
    tmp_path: Path, replay_servers: ReplayServers, fake_clock: FakeClock
) -> None:
    ids = [f"2301.{n:05d}" for n in range(150)]
    for n, arxiv_id in enumerate(ids):
        title = f"Constructed Paper Number {n} on Topic {n * 7919 % 104729}"
        replay_servers.arxiv.add(arxiv_id, title, [f"Author{n} Example"])
    stubs = "\n".join(f"@misc{{p{n},\n  eprint = {{{i}}},\n}}\n" for n, i in enumerate(ids))
    (tmp_path / "references.bib").write_text(stubs, encoding="utf-8")
    settings = load_settings(tmp_path)
    run = pipeline.resolve(settings, sleep=fake_clock.sleep, clock=fake_clock)
    assert run.resolution.counts()["resolved"] == 150, run.resolution.summary()
    assert replay_servers.arxiv.count("id_list") == 2
    assert sum(fake_clock.sleeps) >= 3.0  # the second request waited its turn
    replay_servers.arxiv.reset_log()
    replay_servers.crossref.reset_log()
    again = pipeline.resolve(settings, sleep=fake_clock.sleep, clock=fake_clock)
    assert again.requests == 0 and requests(replay_servers) == 0
    assert again.resolution.counts()["unchanged"] == 150


def test_transient_faults_are_retried_and_the_empty_page_too(
    project: Path, replay_servers: ReplayServers, fake_clock: FakeClock
) -> None:
    replay_servers.crossref.fail("status", status=503, times=2)
    replay_servers.arxiv.empty_pages(1)
    done = pipeline.resolve(load_settings(project), sleep=fake_clock.sleep)
    assert done.resolution.ok, [o.line() for o in done.resolution.report]
    assert fake_clock.sleeps  # backoff happened, on the fake clock


def test_build_writes_references_and_exports(project: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    assert (project / "exports").is_dir()
    assert any((project / "exports").iterdir())
    assert "@inproceedings{he2015deep," in (project / "references.bib").read_text()


def test_add_dry_run_writes_nothing(project: Path, replay_servers: ReplayServers) -> None:
    (project / "references.bib").write_text("", encoding="utf-8")
    result = run("add", RESNET, "--dry-run")
    assert result.exit_code == 0
    assert "+@inproceedings{he2016deep," in result.stdout
    assert (project / "references.bib").read_text(encoding="utf-8") == ""
    assert not (project / ".citekit-cache" / "provenance.json").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    with progress_bar(10, "resolving", quiet) as advance:
        for _ in range(10):
            advance(None)
    assert quiet.getvalue() == ""
    terminal = _Terminal()
    with progress_bar(10, "resolving", terminal) as advance:
        for _ in range(10):
            advance(None)
    assert "resolving" in terminal.getvalue()
