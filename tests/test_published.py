"""Issue #17: published versions without DOIs, found through DBLP and OpenAlex.

Every test runs the real resolve pipeline (or a real source) against the loopback
servers loaded with the hub's CONSTRUCTED facts (tests/hub/facts.json, in the recorded
shapes of the real APIs; see tests/servers/dblp.py and openalex.py), on a fake clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from citekit.config import Settings, load_settings
from citekit.errors import ConfigError, RateLimited, SourceUnavailable
from citekit.model import Date, Record
from citekit.resolve import pipeline
from citekit.resolve.venues import canonical
from citekit.sources.cache import Cache
from citekit.sources.dblp import DblpSource
from citekit.sources.http import RetryPolicy
from tests.hub.replay import facts, register
from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer
from tests.servers.dblp import DblpServer, Publication
from tests.servers.fixtures import FakeClock
from tests.servers.openalex import OpenAlexServer

PAPERS = {  # key: (eprint, container, volume, issue, pages)
    "brown2020language": (
        "2005.14165",
        "Advances in Neural Information Processing Systems",
        "33",
        "",
        "1877-1901",
    ),
    "ouyang2022training": (
        "2203.02155",
        "Advances in Neural Information Processing Systems",
        "35",
        "",
        "27730-27744",
    ),
    "wei2022chain": (
        "2201.11903",
        "Advances in Neural Information Processing Systems",
        "35",
        "",
        "24824-24837",
    ),
    "chung2024scaling": ("2210.11416", "Journal of Machine Learning Research", "25", "70", "1-53"),
}
PPO = "1707.06347"


@dataclass
class World:
    arxiv: ArxivServer
    crossref: CrossrefServer
    dblp: DblpServer
    openalex: OpenAlexServer


@pytest.fixture
def world() -> Iterator[World]:
    with ArxivServer() as a, CrossrefServer() as c, DblpServer() as d, OpenAlexServer() as o:
        assert isinstance(a, ArxivServer) and isinstance(c, CrossrefServer)
        assert isinstance(d, DblpServer) and isinstance(o, OpenAlexServer)
        register(a, c, d, o)
        yield World(a, c, d, o)


def _stubs(*keys: str) -> str:
    ids = {k: v[0] for k, v in PAPERS.items()} | {"schulman2017proximal": PPO}
    return "".join(
        f"@misc{{{k},\n  eprint        = {{{ids[k]}}},\n  archiveprefix = {{arXiv}},\n}}\n\n"
        for k in keys
    )


def _resolve(
    tmp_path: Path, world: World, bib: str, dry_run: bool = False, **changes: object
) -> pipeline.Run:
    if bib:
        (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    settings = Settings(
        root=tmp_path,
        cache_dir=".cache",
        arxiv_url=world.arxiv.url,
        crossref_url=world.crossref.url,
        dblp_url=world.dblp.url,
        openalex_url=world.openalex.url,
        mailto="citekit-tests@example.org",
        timeout=2.0,
    ).with_(**changes)
    clock = FakeClock()
    return pipeline.resolve(settings, dry_run=dry_run, sleep=clock.sleep, clock=clock)


def _outcomes(run: pipeline.Run) -> dict[str, tuple[str, str, Record | None]]:
    return {o.key: (o.state, o.source, o.record) for o in run.resolution.report}


def _assert_published(record: Record | None, key: str) -> None:
    eprint, container, volume, issue, pages = PAPERS[key]
    assert record is not None
    assert (record.container_title, record.volume, record.issue, record.page) == (
        container,
        volume,
        issue,
        pages,
    ), key
    assert record.arxiv_id == eprint and record.arxiv_class  # the arXiv identity stays
    assert record.genre == "" and record.type in ("paper-conference", "article-journal")


def test_each_hub_paper_is_upgraded_by_dblp(tmp_path: Path, world: World) -> None:
    run = _resolve(tmp_path, world, _stubs(*PAPERS))
    outcomes = _outcomes(run)
    for key in PAPERS:
        state, source, record = outcomes[key]
        assert (state, source) == ("upgraded", "dblp"), key
        _assert_published(record, key)
    brown = outcomes["brown2020language"][2]
    assert brown is not None and brown.editor[0].family == "Larochelle"  # from /rec/KEY.bib
    assert brown.publisher == "Curran Associates, Inc."
    assert "4 upgraded (dblp 4)" in run.resolution.summary()
    assert run.resolution.as_dict()["upgraded_by"] == {"dblp": 4}
    assert world.dblp.count("/rec/") == 4


def test_each_hub_paper_is_upgraded_by_openalex_when_dblp_is_down(
    tmp_path: Path, world: World
) -> None:
    world.dblp.fail("status", status=503, times=None)
    run = _resolve(tmp_path, world, _stubs(*PAPERS))
    outcomes = _outcomes(run)
    for key in PAPERS:
        state, source, record = outcomes[key]
        assert (state, source) == ("upgraded", "openalex"), key
        _assert_published(record, key)
    # After two failed searches in a row the run stops asking DBLP (4 tries each).
    assert world.dblp.count() == 8


def test_openalex_finds_the_published_work_that_lists_the_arxiv_copy(
    tmp_path: Path, world: World
) -> None:
    """OpenAlex files the arXiv DOI under the JMLR work itself: found by that DOI."""
    world.dblp.fail("status", status=503, times=None)
    jmlr = "Journal of Machine Learning Research"
    chung = next(
        w for w in world.openalex.works if w["primary_location"]["source"]["display_name"] == jmlr
    )
    chung["doi"] = "https://doi.org/10.48550/arxiv.2210.11416"
    run = _resolve(tmp_path, world, _stubs("chung2024scaling"))
    state, source, record = _outcomes(run)["chung2024scaling"]
    assert (state, source) == ("upgraded", "openalex")
    _assert_published(record, "chung2024scaling")
    assert world.openalex.count("10.48550%2Farxiv.2210.11416") == 1  # /works/doi:<arXiv DOI>


def test_a_failing_source_is_named_and_the_preprint_still_resolves(
    tmp_path: Path, world: World
) -> None:
    """Crossref and OpenAlex answered (nothing published): DBLP's outage is a note, not an error."""
    world.dblp.fail("status", status=503, times=None)
    run = _resolve(tmp_path, world, _stubs("schulman2017proximal"))
    (outcome,) = run.resolution.report
    assert outcome.state == "resolved"
    assert "dblp not asked for a published version (HTTP 503" in outcome.message


def test_no_source_answering_is_an_error(tmp_path: Path, world: World) -> None:
    for server in (world.crossref, world.dblp, world.openalex):
        server.fail("status", status=503, times=None)
    run = _resolve(tmp_path, world, _stubs("schulman2017proximal"))
    (outcome,) = run.resolution.report
    assert outcome.state == "error" and outcome.message.startswith("crossref:")


def test_a_corr_only_hit_is_not_a_published_version(tmp_path: Path, world: World) -> None:
    run = _resolve(tmp_path, world, _stubs("schulman2017proximal"))
    state, source, record = _outcomes(run)["schulman2017proximal"]
    assert world.dblp.count("/search/publ/api") == 1  # DBLP answered with its CoRR record
    assert world.openalex.count("/works") == 2  # title and arXiv DOI: only the preprint
    assert (state, source) == ("resolved", "")
    assert record is not None and record.genre == "preprint" and not record.container_title


def test_a_lookalike_is_rejected(tmp_path: Path, world: World) -> None:
    """Same title, another first author, a 2023 workshop: never GPT-3's published version."""
    world.dblp.publications.pop("conf/nips/BrownMRSKDNSSAA20")
    world.openalex.works.clear()
    title = "Language Models are Few-Shot Learners"
    world.dblp.add(
        Publication(
            key="conf/nips/Smith23",
            title=title,
            authors=["Jane Smith", "Tom B. Brown"],
            venue="FMDM@NeurIPS",
            year=2023,
        )
    )
    run = _resolve(tmp_path, world, _stubs("brown2020language"))
    state, _, record = _outcomes(run)["brown2020language"]
    assert state == "resolved" and record is not None and record.genre == "preprint"


def test_dblp_and_crossref_disagreeing_on_the_venue_is_ambiguous(
    tmp_path: Path, world: World
) -> None:
    arxiv = next(p for p in facts()["arxiv"] if p["id"] == "2005.14165")
    people = [tuple(a.rsplit(" ", 1)) for a in arxiv["authors"]]
    world.crossref.add(
        "10.5555/emnlp.2020.fewshot",
        arxiv["title"],
        people,
        type="proceedings-article",
        container="Proceedings of the 2020 Conference on Empirical Methods in Natural Language"
        " Processing",
        issued=(2020, 11),
    )
    world.crossref.searches.insert(0, ("few-shot learners", ["10.5555/emnlp.2020.fewshot"]))
    run = _resolve(tmp_path, world, _stubs("brown2020language"))
    (outcome,) = run.resolution.report
    assert outcome.state == "ambiguous"
    assert "crossref and dblp disagree on the venue" in outcome.message
    assert len(outcome.candidates) == 2


def test_nips_2017_and_neurips_2020_names() -> None:
    nips = Record(type="paper-conference", container_title="NIPS", issued=Date(2017))
    neurips = Record(type="paper-conference", container_title="NeurIPS", issued=Date(2020))
    full = "Advances in Neural Information Processing Systems"
    assert (canonical(nips).container_title, canonical(nips).volume) == (full, "30")
    assert (canonical(neurips).container_title, canonical(neurips).volume) == (full, "33")
    assert canonical(nips, "short").container_title == "NIPS 2017"
    assert canonical(neurips, "short").container_title == "NeurIPS 2020"
    icml = canonical(Record(container_title="ICML", issued=Date(2020)))
    assert (
        icml.container_title
        == "Proceedings of the 37th International Conference on Machine Learning"
    )
    assert (icml.volume, icml.collection_title) == (
        "119",
        "Proceedings of Machine Learning Research",
    )


def test_short_venue_names_setting(tmp_path: Path, world: World) -> None:
    run = _resolve(tmp_path, world, _stubs("brown2020language"), venue_names="short")
    _, _, record = _outcomes(run)["brown2020language"]
    assert record is not None and record.container_title == "NeurIPS 2020"


@pytest.mark.parametrize("venue", ["MATH-AI@NeurIPS", "NeurIPS 2022 Workshop on Robustness"])
def test_a_workshop_keeps_its_own_name(venue: str) -> None:
    paper = Record(type="paper-conference", container_title=venue, issued=Date(2022))
    assert canonical(paper) == paper


def test_a_workshop_paper_found_on_dblp_stays_a_workshop_paper(
    tmp_path: Path, world: World
) -> None:
    world.dblp.publications.pop("conf/nips/Wei0SBIXCLZ22")
    world.openalex.works.clear()
    wei = next(p for p in facts()["arxiv"] if p["id"] == "2201.11903")
    world.dblp.add(
        Publication(
            key="conf/nips/Wei22w",
            title=wei["title"],
            authors=wei["authors"],
            venue="MATH-AI@NeurIPS",
            year=2022,
            booktitle="NeurIPS 2022 Workshop MATH-AI: Toward Human-Level Mathematical Reasoning",
        )
    )
    run = _resolve(tmp_path, world, _stubs("wei2022chain"))
    state, source, record = _outcomes(run)["wei2022chain"]
    assert (state, source) == ("upgraded", "dblp")
    assert record is not None
    assert record.container_title.startswith("NeurIPS 2022 Workshop MATH-AI")
    assert record.volume == "" and record.publisher == ""


def test_unknown_venue_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="venue_names"):
        load_settings(tmp_path, {"CITEKIT_VENUE_NAMES": "tiny"})
    with pytest.raises(ConfigError, match="published_sources"):
        load_settings(tmp_path, {"CITEKIT_PUBLISHED_SOURCES": "crossref scholar"})


def test_check_reports_a_preprint_whose_published_version_is_cached(
    tmp_path: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from citekit.cli import cli

    first = _resolve(tmp_path, world, _stubs("brown2020language"), published_sources="crossref")
    assert first.resolution.report[0].state == "resolved"  # a preprint, written
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CITEKIT_CACHE_DIR", str(tmp_path / ".cache"))
    monkeypatch.setenv("CITEKIT_PUBLISHED_SOURCES", "crossref dblp openalex")
    before = CliRunner().invoke(cli, ["check", "--json"], prog_name="citekit")
    assert "preprint-published" not in before.output  # DBLP's answer is not cached yet
    _resolve(tmp_path, world, "", dry_run=True)  # asks DBLP; the library is not written
    requests = world.dblp.count() + world.openalex.count()
    result = CliRunner().invoke(cli, ["check", "--json"], prog_name="citekit")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["kind"], problem["key"]) == ("preprint-published", "brown2020language")
    assert (
        "Advances in Neural Information Processing Systems (2020, found by dblp)"
        in (problem["message"])
    )
    assert world.dblp.count() + world.openalex.count() == requests  # the cache alone


# -- the DBLP source on its own ------------------------------------------------------------
def _dblp(tmp_path: Path, server: DblpServer, clock: FakeClock, **changes: object) -> DblpSource:
    settings = Settings(root=tmp_path, dblp_url=server.url, timeout=0.5).with_(**changes)
    return DblpSource(settings, Cache(tmp_path / "c"), sleep=clock.sleep, clock=clock)


@pytest.fixture
def dblp_server() -> Iterator[DblpServer]:
    with DblpServer() as server:
        assert isinstance(server, DblpServer)
        for publication in facts()["dblp"]:
            server.add(Publication(**publication))
        yield server


def test_dblp_is_polite_spaced_named_and_cached(tmp_path: Path, dblp_server: DblpServer) -> None:
    clock = FakeClock()
    source = _dblp(tmp_path, dblp_server, clock)
    hits = source.search("Language Models are Few-Shot Learners", "Brown")
    assert {h.extra_get("dblp") for h in hits} == {
        "conf/nips/BrownMRSKDNSSAA20",
        "journals/corr/abs-2005-14165",
    }
    corr = next(h for h in hits if h.container_title == "CoRR")
    assert (corr.type, corr.genre, corr.doi) == ("article", "preprint", "")
    source.search("Scaling Instruction-Finetuned Language Models", "Chung")
    assert clock.sleeps == [1.0]  # the second request waited out DBLP's one second
    assert all("citekit" in r.headers["user-agent"] for r in dblp_server.requests)
    again = source.search("Language Models are Few-Shot Learners", "Brown")
    assert again == hits and dblp_server.count() == 2  # from the cache


def test_dblp_jmlr_pages_become_number_and_pages(tmp_path: Path, dblp_server: DblpServer) -> None:
    (hit,) = _dblp(tmp_path, dblp_server, FakeClock()).search(
        "Scaling Instruction-Finetuned", "Chung"
    )[:1]
    assert (hit.container_title, hit.volume, hit.issue, hit.page) == (
        "J. Mach. Learn. Res.",
        "25",
        "70",
        "1-53",
    )


def test_dblp_429_is_retried_after_retry_after(tmp_path: Path, dblp_server: DblpServer) -> None:
    clock = FakeClock()
    dblp_server.fail("status", status=429, retry_after="7")
    hits = _dblp(tmp_path, dblp_server, clock).search("Chain-of-Thought Prompting", "Wei")
    assert hits and 7.0 in clock.sleeps and dblp_server.count() == 2


def test_dblp_429_for_good_is_rate_limited(tmp_path: Path, dblp_server: DblpServer) -> None:
    dblp_server.fail("status", status=429, retry_after="3600", times=None)
    with pytest.raises(RateLimited):
        _dblp(tmp_path, dblp_server, FakeClock()).search("Chain-of-Thought Prompting", "Wei")
    assert dblp_server.count() == 1  # an hour's Retry-After is not waited out


@pytest.mark.parametrize("kind", ["status", "garbage", "drop", "truncate"])
def test_dblp_5xx_and_broken_answers_are_retried_then_fail(
    tmp_path: Path, dblp_server: DblpServer, kind: str
) -> None:
    dblp_server.fail(kind, status=502, times=None)
    source = _dblp(tmp_path, dblp_server, FakeClock())
    source._retry = RetryPolicy(attempts=3)
    with pytest.raises(SourceUnavailable):
        source.search("Chain-of-Thought Prompting", "Wei")
    assert dblp_server.count() == 3
    assert source.cache.get("dblp", "search:Chain-of-Thought Prompting Wei", 1e9) is None


def test_dblp_timeouts_fail_the_item_and_then_the_run_stops_asking(
    tmp_path: Path, dblp_server: DblpServer
) -> None:
    dblp_server.fail("delay", delay=1.0, times=None)
    source = _dblp(tmp_path, dblp_server, FakeClock(), timeout=0.2)
    source._retry = RetryPolicy(attempts=2)
    for _ in range(2):
        with pytest.raises(SourceUnavailable, match=r"no answer in time|within"):
            source.search("Chain-of-Thought Prompting", "Wei")
    with pytest.raises(SourceUnavailable, match="not asked"):
        source.search("Scaling Instruction-Finetuned", "Chung")
    assert dblp_server.count() == 4


def test_a_recorded_openalex_work_parses() -> None:
    """A real OpenAlex answer (tests/data/openalex/README.md): a journal article, not a preprint."""
    import json

    from citekit.sources.openalex import parse_work

    here = Path(__file__).parent / "data" / "openalex" / "W2741809807.json"
    work = parse_work(json.loads(here.read_text(encoding="utf-8")))
    assert work.type == "article-journal" and work.genre == ""
    assert work.title.startswith("The state of OA")
    assert (work.container_title, work.volume, work.page) == ("PeerJ", "6", "e4375")
    assert work.doi == "10.7717/peerj.4375" and work.issued == Date(2018)
    assert work.author[0].family == "Piwowar" and len(work.author) == 9


def test_openalex_sends_mailto_and_knows_a_repository_is_a_preprint(
    tmp_path: Path, world: World
) -> None:
    from citekit.sources.openalex import OpenAlexSource

    settings = Settings(root=tmp_path, openalex_url=world.openalex.url, mailto="me@example.org")
    source = OpenAlexSource(settings, Cache(tmp_path / "c"))
    hits = source.search("Proximal Policy Optimization Algorithms")
    assert [(h.type, h.genre) for h in hits] == [("article", "preprint")]
    assert world.openalex.requests[0].headers["from"] == "me@example.org"
    assert "citekit" in world.openalex.requests[0].headers["user-agent"]
    assert source.search("Proximal Policy Optimization Algorithms") == hits
    assert world.openalex.count() == 1  # cached
