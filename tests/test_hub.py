"""The hub's bibliography: references.bib is exactly what citekit makes of tests/hub/stubs.bib.

The stubs are resolved by the real CLI (a subprocess) against the loopback replay servers
loaded with the constructed facts in tests/hub/facts.json; the result must equal the
committed references.bib byte for byte and agree with ../shared/seed-papers.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citekit.library import load
from citekit.model import Record
from tests.conftest import require_shared
from tests.hub.rebuild import TARGET, rebuild, run_cli
from tests.hub.replay import STUBS, facts, register
from tests.servers.fixtures import ReplayServers

DEAD = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    workdir = tmp_path_factory.mktemp("hub")
    text, done = rebuild(workdir)
    assert done.returncode == 0, done.stderr
    return text, json.loads(done.stdout)


def test_committed_references_bib_is_exactly_what_citekit_produces(
    rebuilt: tuple[str, dict[str, object]],
) -> None:
    text, _ = rebuilt
    assert TARGET.read_bytes() == text.encode("utf-8"), (
        "references.bib is stale: run `python -m tests.hub.rebuild` and commit the result"
    )


def test_every_hub_entry_ends_in_the_expected_state(
    rebuilt: tuple[str, dict[str, object]],
) -> None:
    _, report = rebuilt
    states = {i["key"]: i["state"] for i in report["items"]}  # type: ignore[index]
    hand = {
        "openai2022chatgpt",
        "radford2018improving",
        "radford2019language",
        "lambert2022illustrating",
        "knox2011augmenting",
    }
    # Issue #17: the four ML papers' venues come from DBLP (no hand-typed venue left).
    upgraded = {"brown2020language", "ouyang2022training", "wei2022chain", "chung2024scaling"}
    assert {k for k, s in states.items() if s == "unchanged"} == hand
    assert {k for k, s in states.items() if s == "upgraded"} == upgraded
    assert {k for k, s in states.items() if s == "resolved"} == set(states) - hand - upgraded
    sources = {i["key"]: i.get("source") for i in report["items"]}  # type: ignore[index]
    assert {sources[k] for k in upgraded} == {"dblp"}
    assert report["upgraded_by"] == {"dblp": 4}  # type: ignore[index]
    assert report["summary"]["ambiguous"] == 0  # type: ignore[index]


def test_stubs_keep_only_identifiers_groups_and_what_no_source_knows() -> None:
    from citekit.library import load as load_bib

    for record in load_bib(STUBS).records:
        if record.arxiv_id or record.doi:
            assert not (record.title or record.author or record.container_title), record.key
            assert not (record.volume or record.page or record.editor), record.key


def test_no_lookalike_was_accepted(rebuilt: tuple[str, dict[str, object]]) -> None:
    text, _ = rebuilt
    records = load_text(text)
    lookalike_dois = {w["doi"] for w in facts()["lookalikes"]}
    assert len(lookalike_dois) >= 8
    assert not {r.doi for r in records} & lookalike_dois
    titles = {r.title.casefold() for r in records}
    assert not {w["title"].casefold() for w in facts()["lookalikes"]} & titles


def load_text(text: str) -> tuple[Record, ...]:
    from citekit.library import loads

    return loads(text).records


def _by_seed_id(records: tuple[Record, ...], paper: dict[str, object]) -> Record:
    arxiv = paper.get("arxiv")
    doi = paper.get("doi")
    for record in records:
        if isinstance(arxiv, dict) and record.arxiv_id == arxiv["id"]:
            return record
        if isinstance(doi, dict) and doi.get("crossref_doi") and record.doi == doi["crossref_doi"]:
            return record
    for record in records:
        if record.title.casefold() == str(paper["title"]).casefold():
            return record
    raise AssertionError(f"{paper['id']} is missing from references.bib")


def test_resolved_entries_match_the_seed_facts() -> None:
    seed = json.loads(require_shared("seed-papers.json").read_text(encoding="utf-8"))
    records = load(TARGET).records
    assert len(records) == len(seed["papers"])
    counts = {}
    for paper in seed["papers"]:
        record = _by_seed_id(records, paper)
        assert record.title.casefold() == paper["title"].casefold(), paper["id"]
        names = [(n.given, " ".join(filter(None, (n.particle, n.family)))) for n in record.author]
        literal = [
            (a.get("given", ""), a["family"]) if "family" in a else ("", "")
            for a in paper["authors"]
        ]
        if paper["id"] == "chatgpt_blog":
            assert [n.literal for n in record.author] == ["OpenAI"]
        else:
            assert names == literal, paper["id"]
        assert list(record.collections) == paper["collections"], paper["id"]
        counts[paper["id"]] = len(record.author)
        arxiv = paper.get("arxiv")
        if arxiv:
            assert (record.arxiv_id, record.arxiv_class) == (arxiv["id"], arxiv["primary_category"])
        venue = paper.get("venue") or {}
        if venue.get("booktitle") and venue.get("volume"):
            assert record.container_title == venue["booktitle"], paper["id"]
            assert record.volume == str(venue["volume"]), paper["id"]
        if paper.get("pages"):
            assert record.page.replace("-", "--") == paper["pages"], paper["id"]
        assert record.issued is not None and record.issued.year == paper["year"], paper["id"]
    assert (counts["gpt3"], counts["flan"], counts["instructgpt"], counts["cot"]) == (31, 35, 20, 9)


def test_tamer_comes_from_crossref_as_a_proceedings_paper() -> None:
    (tamer,) = [r for r in load(TARGET).records if r.key == "knox2009interactively"]
    assert tamer.doi == "10.1145/1597735.1597738"
    assert tamer.type == "paper-conference"
    assert (
        tamer.container_title
        == "Proceedings of the Fifth International Conference on Knowledge Capture"
    )
    assert (tamer.page, tamer.isbn) == ("9-16", "9781605586588")
    assert tamer.publisher == "Association for Computing Machinery"
    assert "@inproceedings{knox2009interactively," in TARGET.read_text(encoding="utf-8")


def test_second_run_makes_no_request_and_changes_nothing(
    tmp_path: Path, replay_servers: ReplayServers
) -> None:
    register(replay_servers.arxiv, replay_servers.crossref)
    shutil.copyfile(STUBS, tmp_path / "references.bib")
    urls = (replay_servers.arxiv.url, replay_servers.crossref.url)
    first = run_cli(tmp_path, ["resolve"], *urls)
    assert first.returncode == 0, first.stderr
    assert replay_servers.arxiv.count("id_list") == 1  # five ids, one batched request
    assert "5 unchanged" in first.stderr
    after_first = (tmp_path / "references.bib").read_bytes()
    replay_servers.arxiv.reset_log()
    replay_servers.crossref.reset_log()
    second = run_cli(tmp_path, ["resolve"], *urls)
    assert second.returncode == 0, second.stderr
    assert replay_servers.arxiv.count() + replay_servers.crossref.count() == 0
    assert "; 0 requests" in second.stderr
    assert (tmp_path / "references.bib").read_bytes() == after_first


def test_build_offline_on_a_fresh_clone_needs_no_network(tmp_path: Path) -> None:
    shutil.copyfile(TARGET, tmp_path / "references.bib")
    done = run_cli(tmp_path, ["build", "--offline", "--json"], DEAD, DEAD)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["requests"] == 0
    assert report["summary"]["unchanged"] == 11
    assert (tmp_path / "references.bib").read_bytes() == TARGET.read_bytes()
    assert not (tmp_path / ".citekit" / "cache.sqlite").exists()


def test_committed_exports_are_exactly_what_build_produces(tmp_path: Path) -> None:
    """exports/ is derived: `citekit build --offline` rewrites it byte for byte."""
    committed = TARGET.parent / "exports"
    shutil.copyfile(TARGET, tmp_path / "references.bib")
    done = run_cli(tmp_path, ["build", "--offline"], DEAD, DEAD)
    assert done.returncode == 0, done.stderr
    built = tmp_path / "exports"
    names = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file()
    )
    for name in names:
        assert (built / name).read_bytes() == (committed / name).read_bytes(), (
            f"exports/{name} is stale: run `citekit build --offline` and commit the result"
        )


def test_shipped_library_has_no_developer_note() -> None:
    """Issue #15 item 5: the file users import opens with an entry, names nothing outside."""
    text = TARGET.read_text(encoding="utf-8")
    assert text.startswith("@"), text[:200]
    assert "../" not in text and "tests.hub" not in text and "stubs" not in text.casefold()
