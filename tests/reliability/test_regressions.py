"""Regression tests for bugs the reliability suite found in other modules (one per fix)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from citekit.errors import CitekitError
from citekit.library import load
from citekit.model import Date, Name, Record
from citekit.resolve.entries import find_duplicate
from citekit.resolve.match import assess
from tests.servers.fixtures import ReplayServers

from .harness import citekit_env, run_citekit, settings_file
from .papers import arxiv_id, register

AUTHORS = (Name("Okafor", "Ada"), Name("Lindqvist", "Bo"))


def paper(title: str, **fields: object) -> Record:
    return Record(type="article", title=title, author=AUTHORS, issued=Date(2021), **fields)  # type: ignore[arg-type]


def test_titles_that_differ_only_in_a_number_are_not_the_same_work() -> None:
    """match: "Study 7" was upgraded to the journal version of "Study 0" (same authors)."""
    ref = paper("Constructed Study Number 7 of Reliable Bibliographies")
    hit = paper("Constructed Study Number 0 of Reliable Bibliographies").with_(
        type="article-journal", issued=Date(2022)
    )
    assert "the numbers in the titles differ" in assess(ref, hit, "upgrade").failures
    same = paper("Constructed Study Number 7 of Reliable Bibliographies").with_(
        type="article-journal", issued=Date(2022)
    )
    assert not assess(ref, same, "upgrade").failures


def test_two_arxiv_ids_or_two_dois_are_two_works() -> None:
    """entries.find_duplicate: a near-identical title hid a new paper as "already present"."""
    old = paper("Llama 2: Open Foundation Models", arxiv_id="2307.09288")
    new = paper("Llama 2: Open Foundation Models", arxiv_id="2307.09289")
    assert find_duplicate(new, [old]) is None
    assert find_duplicate(new.with_(arxiv_id=""), [old]) is old  # no id: the title decides
    a = paper("Same Title", doi="10.5555/a")
    assert find_duplicate(paper("Same Title", doi="10.5555/b"), [a]) is None
    assert find_duplicate(paper("Same Title", doi="10.5555/A"), [a]) is a


def test_adding_eight_numbered_papers_adds_eight(
    tmp_path: Path, replay_servers: ReplayServers
) -> None:
    """End to end: papers 0 and 7 share authors and differ in one digit of the title."""
    register(replay_servers.arxiv, replay_servers.crossref, 8)
    settings_file(tmp_path, timeout=20.0)
    env = citekit_env(
        tmp_path,
        CITEKIT_ARXIV_URL=replay_servers.arxiv.url,
        CITEKIT_CROSSREF_URL=replay_servers.crossref.url,
    )
    for i in (0, 7):
        done = run_citekit(tmp_path, "add", arxiv_id(i), env=env)
        assert done.returncode == 0, done.stderr
    records = load(tmp_path / "references.bib").records
    assert sorted(r.arxiv_id for r in records) == [arxiv_id(0), arxiv_id(7)]
    seven = next(r for r in records if r.arxiv_id == arxiv_id(7))
    assert "Number 7" in seven.title and seven.doi != records[0].doi


def test_an_update_that_landed_unrecorded_is_not_taken_for_a_zotero_edit(tmp_path: Path) -> None:
    """zotero sync: killed after an update landed but before its answer was recorded, then
    the .bib changed back: the next sync took Zotero's value (citekit's own write) for a
    user's edit in Zotero and kept it forever. Now the update is recorded as pending."""
    from citekit.config import Settings
    from citekit.library import loads
    from citekit.zotero.credentials import Credentials
    from citekit.zotero.sync import SyncOptions, sync_zotero
    from tests.servers.zotero import ZoteroServer, serve

    from .harness import SECRET_KEY
    from .papers import complete

    def records(variant: str) -> tuple[Record, ...]:
        return loads(complete(2, variant=variant)).records

    with serve(ZoteroServer(SECRET_KEY)) as server:
        settings = Settings(root=tmp_path, cache_dir=".citekit", zotero_url=server.url)
        credentials = Credentials("user", "4242", SECRET_KEY)
        sleeps: list[float] = []
        once = SyncOptions(sleep=sleeps.append, max_rounds=1)
        assert sync_zotero(records(" A"), settings, credentials, once).ok
        server.inject("lost", method="POST", path="/items")  # lands, then no answer
        sync_zotero(records(" B"), settings, credentials, once)
        assert {i["title"] for i in server.live_items()} == {
            "Finished Entry 0 B",
            "Finished Entry 1 B",
        }
        report = sync_zotero(records(" A"), settings, credentials, SyncOptions(sleep=sleeps.append))
        assert report.ok, report.lines()
        assert {i["title"] for i in server.live_items()} == {
            "Finished Entry 0 A",
            "Finished Entry 1 A",
        }
        assert not report.kept


def test_ten_thousand_authors_are_compared_in_linear_time() -> None:
    """match._overlap compared every name with every name: 10^8 steps, build hung."""
    import time

    people = tuple(Name(f"Family{n}", f"G{n}") for n in range(10_000))
    ref = Record(type="article", title="Ten Thousand Authors", author=people, issued=Date(2021))
    cand = ref.with_(type="article-journal", author=people[::-1], issued=Date(2022))
    start = time.monotonic()
    assert "second author" in assess(ref, cand, "upgrade").evidence
    assert time.monotonic() - start < 5


def test_control_characters_in_answers_never_reach_the_library() -> None:
    """sources: a NUL or ESC in a Crossref/arXiv answer made a .bib citekit then refused."""
    from citekit.sources.arxiv import parse_entry
    from citekit.sources.crossref import parse_work
    from tests.servers.crossref import work_message

    dirty = "a\x00b\x07c\x1b[31md\x7fe\x0bf"
    work = parse_work(work_message("10.5555/x", dirty, [(dirty, dirty)], container=dirty))
    entry = parse_entry({"id": "2101.00001", "title": dirty, "authors": [dirty]})
    for text in (work.title, work.container_title, work.author[0].family, entry.title):
        assert text.replace(" ", "") == "abc[31mdef", repr(text)


def test_a_huge_title_is_searched_by_its_first_words() -> None:
    """crossref: a 100 KB title (from an arXiv answer) became a URL no server accepts."""
    from citekit.sources.crossref import _bounded

    query = _bounded("word " * 20_000)
    assert 0 < len(query) <= 300 and query.endswith("word")
    assert _bounded("  short   title ") == "short title"


def test_a_request_that_trickles_is_cut_at_its_deadline() -> None:
    """sources: the clients' timeout bounds each read; one byte per 0.2 s hung forever."""
    import time

    import pytest

    from citekit.sources.http import Problem, within

    start = time.monotonic()
    with pytest.raises(Problem, match=r"no complete answer within 0\.2 s"):
        within(0.2, lambda: time.sleep(5))
    assert time.monotonic() - start < 2
    assert within(1, lambda: 42) == 42
    with pytest.raises(KeyError):
        within(1, lambda: {}["missing"])


def test_crossref_down_costs_two_items_not_every_item(tmp_path: Path, crossref_server: Any) -> None:
    """crossref: a hanging Crossref cost every entry its full retry budget (500 x ~20 s)."""
    import pytest

    from citekit.config import load_settings
    from citekit.errors import SourceUnavailable
    from citekit.sources.cache import Cache
    from citekit.sources.crossref import CrossrefSource

    crossref_server.fail("status", status=503, times=None)
    source = CrossrefSource(load_settings(tmp_path), Cache(tmp_path), sleep=lambda _s: None)
    messages = []
    for i in range(5):
        with pytest.raises(SourceUnavailable) as caught:
            source.work(f"10.5555/down.{i}")
        messages.append(str(caught.value))
    assert crossref_server.count() == 2 * 4  # two items, four attempts each
    assert "not asked: Crossref failed 2 times in a row" in messages[-1]
    assert "HTTP 503" in messages[-1]


def test_a_repeated_field_whose_name_holds_a_newline_is_still_one_line() -> None:
    """bibtex.parse: found by atheris; the message quoted a field name across two lines.

    Since #18 a repeated field is read as biber reads it (the first counts) and reported as
    a warning: the warning must be one line too."""
    from citekit.library import loads

    text = (
        "@misc{k,\n  booktitle = {x} #,ye \n  3ar = 2020,\n"
        "  ooktitle = {y} #,ye \n  3ar = 2020, month = jan,\n}\n"
    )
    library = loads(text)
    assert [r.key for r in library.records] == ["k"]
    assert [w.kind for w in library.warnings] == ["repeated-field"]
    assert "\n" not in library.warnings[0].message


def test_two_interrupted_updates_in_a_row_still_converge(tmp_path: Path) -> None:
    """zotero sync: the second interrupted update overwrote what the first had sent, so its
    landed value was again taken for a user's edit (seen by the SIGKILL suite)."""
    from citekit.config import Settings
    from citekit.library import loads
    from citekit.zotero.credentials import Credentials
    from citekit.zotero.sync import SyncOptions, sync_zotero
    from tests.servers.zotero import ZoteroServer, serve

    from .harness import SECRET_KEY
    from .papers import complete

    def records(variant: str) -> tuple[Record, ...]:
        return loads(complete(2, variant=variant)).records

    with serve(ZoteroServer(SECRET_KEY)) as server:
        settings = Settings(root=tmp_path, cache_dir=".citekit", zotero_url=server.url)
        credentials = Credentials("user", "4242", SECRET_KEY)
        quiet: list[float] = []
        once = SyncOptions(sleep=quiet.append, max_rounds=1, max_retries=0)
        assert sync_zotero(records(" A"), settings, credentials, once).ok
        server.inject("lost", method="POST", path="/items")  # B lands, no answer
        sync_zotero(records(" B"), settings, credentials, once)
        server.inject("status", method="POST", path="/items", status=503, times=9)
        with contextlib.suppress(CitekitError):
            sync_zotero(records(" A"), settings, credentials, once)  # A never lands
        server.faults.clear()
        report = sync_zotero(records(" A"), settings, credentials, SyncOptions(sleep=quiet.append))
        titles = {i["title"] for i in server.live_items()}
    assert titles == {"Finished Entry 0 A", "Finished Entry 1 A"}, report.lines()
