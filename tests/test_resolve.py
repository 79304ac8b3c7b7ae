"""The resolution policy (citekit.resolve.resolver + citekit.resolve.merge) over in-memory sources.

These fakes implement citekit's own source protocol (``ArxivLike`` / ``CrossrefLike``),
not the ``arxiv`` or ``habanero`` libraries: the real stacks are exercised against the
loopback servers in ``test_cli_resolve.py`` and ``test_hub.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from citekit.errors import NotCached, NotFound, SourceError, SourceUnavailable
from citekit.model import Date, Name, Record
from citekit.resolve.merge import canonical, merge
from citekit.resolve.resolver import Resolver, find_duplicate, is_protected


def person(given: str, family: str) -> Name:
    return Name(family=family, given=given)


PREPRINT = Record(
    type="article",
    title="Proximal Policy Optimization Algorithms",
    author=(person("John", "Schulman"), person("Filip", "Wolski")),
    issued=Date(2017, 7, 20),
    arxiv_id="1707.06347",
    arxiv_class="cs.LG",
    doi="10.48550/arXiv.1707.06347",
    genre="preprint",
    publisher="arXiv",
    number="1707.06347",
)
PUBLISHED = Record(
    type="paper-conference",
    title="Proximal policy optimization algorithms",
    author=(person("John", "Schulman"), person("Filip", "Wolski")),
    issued=Date(2018),
    container_title="Proceedings of a Conference",
    page="1-10",
    doi="10.1000/ppo",
    publisher="Some Press",
)
LOOKALIKE = Record(
    type="article-journal",
    title="Proximal Policy Optimization with Trust Regions for Robots",
    author=(person("Ann", "Other"),),
    issued=Date(2019),
    doi="10.1000/other",
)


class FakeArxiv:
    def __init__(
        self, records: Mapping[str, Record | SourceError] = (), hits: Sequence[Record] = ()
    ):
        self.records = dict(records)
        self.hits = list(hits)
        self.calls: list[object] = []

    def fetch(self, ids: Sequence[str]) -> dict[str, Record | SourceError]:
        self.calls.append(list(ids))
        return {
            i: self.records.get(i.split("v")[0], NotFound("arxiv", i, "no such paper")) for i in ids
        }

    def search(self, title: str, author: str = "", max_results: int = 5) -> list[Record]:
        self.calls.append(("search", title))
        return self.hits


class FakeCrossref:
    def __init__(self, works: Mapping[str, Record | SourceError] = (), hits: Sequence[Record] = ()):
        self.works = dict(works)
        self.hits = list(hits)
        self.calls: list[object] = []

    def work(self, doi: str) -> Record:
        self.calls.append(("work", doi))
        assert not doi.startswith("10.48550/"), "arXiv DOIs must never reach Crossref"
        found = self.works.get(doi)
        if isinstance(found, SourceError):
            raise found
        if found is None:
            raise NotFound("crossref", doi, "Resource not found.", 404)
        return found

    def search(self, title: str, author: str = "", rows: int = 5) -> list[Record]:
        self.calls.append(("search", title, author))
        if isinstance(self.hits, SourceError):
            raise self.hits
        return self.hits


def stub(**fields: object) -> Record:
    return Record(key="schulman2017proximal", type="article", entry_type="misc", **fields)


def test_arxiv_stub_without_published_version_resolves_to_the_preprint() -> None:
    arxiv, crossref = FakeArxiv({"1707.06347": PREPRINT}), FakeCrossref(hits=[LOOKALIKE])
    result = Resolver(arxiv, crossref).library([stub(arxiv_id="1707.06347")], {})
    (outcome,) = result.report
    assert outcome.state == "resolved"
    record = result.records[0]
    assert record.title == PREPRINT.title and record.author == PREPRINT.author
    assert record.key == "schulman2017proximal"
    assert crossref.calls == [("search", PREPRINT.title, "Schulman")]
    assert result.ok
    assert result.provenance["schulman2017proximal"]["title"] == PREPRINT.title


def test_upgrade_through_crossref_search_is_whole_record_and_keeps_arxiv_fields() -> None:
    arxiv, crossref = FakeArxiv({"1707.06347": PREPRINT}), FakeCrossref(hits=[LOOKALIKE, PUBLISHED])
    result = Resolver(arxiv, crossref).library([stub(arxiv_id="1707.06347")], {})
    assert result.report[0].state == "upgraded"
    record = result.records[0]
    assert (record.type, record.container_title, record.page) == (
        "paper-conference",
        "Proceedings of a Conference",
        "1-10",
    )
    assert record.issued == Date(2018) and record.doi == "10.1000/ppo"
    assert (record.arxiv_id, record.arxiv_class) == ("1707.06347", "cs.LG")
    # Nothing of the preprint's venue leaks into the published record.
    assert record.genre == "" and record.number == "" and record.publisher == "Some Press"
    assert record.entry_type == ""


def test_doi_in_arxiv_record_goes_to_crossref_and_arxiv_dois_never_do() -> None:
    with_doi = PREPRINT.with_(doi="10.1000/ppo")
    arxiv, crossref = FakeArxiv({"1707.06347": with_doi}), FakeCrossref({"10.1000/ppo": PUBLISHED})
    result = Resolver(arxiv, crossref).library([stub(doi="10.48550/arXiv.1707.06347")], {})
    assert result.report[0].state == "upgraded"
    assert crossref.calls == [("work", "10.1000/ppo")]
    assert arxiv.calls == [["1707.06347"]]


def test_all_arxiv_ids_go_in_one_batch() -> None:
    arxiv = FakeArxiv({"1707.06347": PREPRINT, "2005.14165": PREPRINT.with_(arxiv_id="2005.14165")})
    stubs = [stub(arxiv_id="1707.06347").with_(key="a"), stub(arxiv_id="2005.14165").with_(key="b")]
    Resolver(arxiv, FakeCrossref()).library(stubs, {})
    assert arxiv.calls == [["1707.06347", "2005.14165"]]


def test_every_failure_has_its_state_and_leaves_the_entry_as_it_was() -> None:
    arxiv = FakeArxiv({"1": SourceUnavailable("arxiv", "1", "HTTP 503 after 3 tries", 503)})
    crossref = FakeCrossref(
        {"10.1000/gone": NotFound("crossref", "10.1000/gone", "Resource not found.", 404)}
    )
    stubs = [
        stub(arxiv_id="1").with_(key="unavailable"),
        stub(doi="10.1000/gone").with_(key="gone"),
        stub(arxiv_id="9999.99999").with_(key="missing"),
        stub().with_(key="nothing"),
    ]
    result = Resolver(arxiv, crossref).library(stubs, {})
    assert [o.state for o in result.report] == ["error", "not-found", "not-found", "invalid"]
    assert result.records == tuple(stubs)
    assert not result.ok
    assert "503" in result.report[0].message
    assert result.summary() == "2 not-found, 1 invalid, 1 error (4 entries)"


def test_ambiguous_published_version_leaves_the_stub_and_lists_candidates() -> None:
    twin = PUBLISHED.with_(doi="10.1000/twin", container_title="Another Venue")
    crossref = FakeCrossref(hits=[PUBLISHED, twin])
    result = Resolver(FakeArxiv({"1707.06347": PREPRINT}), crossref).library(
        [stub(arxiv_id="1707.06347")], {}
    )
    (outcome,) = result.report
    assert outcome.state == "ambiguous"
    assert {c["doi"] for c in outcome.candidates} == {"10.1000/ppo", "10.1000/twin"}
    assert result.records[0].title == ""


def test_user_fields_are_kept_and_reported_and_accept_upstream_takes_them() -> None:
    mine = stub(arxiv_id="1707.06347", title="PPO, as I like to call it")
    for accept in (False, True):
        result = Resolver(
            FakeArxiv({"1707.06347": PREPRINT}), FakeCrossref(), accept_upstream=accept
        ).library([mine], {})
        outcome = result.report[0]
        assert outcome.state == "resolved"
        if accept:
            assert result.records[0].title == PREPRINT.title
            assert outcome.differences == ()
        else:
            assert result.records[0].title == "PPO, as I like to call it"
            assert [d.field for d in outcome.differences] == ["title"]
            assert result.records[0].author == PREPRINT.author  # empty fields are filled


def test_complete_entries_make_no_request_and_hand_written_ones_are_unchanged() -> None:
    arxiv, crossref = FakeArxiv(), FakeCrossref()
    published = PUBLISHED.with_(key="done", arxiv_id="1707.06347")
    blog = Record(
        key="blog",
        type="webpage",
        title="A post",
        author=(Name(literal="OpenAI"),),
        issued=Date(2022),
        url="https://openai.com/blog/chatgpt/",
    )
    protected = stub(arxiv_id="1707.06347", extra=(("citekit-protect", "true"),)).with_(key="p")
    result = Resolver(arxiv, crossref).library([published, blog, protected], {})
    assert [o.state for o in result.report] == ["unchanged"] * 3
    assert arxiv.calls == [] and crossref.calls == []
    assert is_protected(protected)
    assert result.records == (published, blog, protected)


def test_preprint_is_checked_for_publication_and_offline_miss_is_not_a_failure() -> None:
    done = PREPRINT.with_(key="schulman2017proximal")
    crossref = FakeCrossref(hits=[LOOKALIKE])
    result = Resolver(FakeArxiv(), crossref).library([done], {})
    assert result.report[0].state == "unchanged" and len(crossref.calls) == 1
    for failure in (
        NotCached("crossref", "x", "not in the cache"),
        SourceUnavailable("crossref", "x", "HTTP 503 after 4 tries", 503),
    ):
        crossref.hits = failure  # type: ignore[assignment]
        result = Resolver(FakeArxiv(), crossref).library([done], {})
        assert result.report[0].state == "unchanged" and result.ok
        assert "not checked" in result.report[0].message
        assert failure.message in result.report[0].message
        assert result.records == (done,)
    # Two possible published versions: the complete preprint stays, candidates listed.
    crossref.hits = [PUBLISHED, PUBLISHED.with_(doi="10.1000/twin", container_title="Other")]
    result = Resolver(FakeArxiv(), crossref).library([done], {})
    assert result.report[0].state == "unchanged" and len(result.report[0].candidates) == 2
    assert result.records == (done,)


def test_upgrade_of_an_earlier_preprint_needs_provenance() -> None:
    done = PREPRINT.with_(key="k")
    owned = {
        n: canonical(getattr(done, n))
        for n in (
            "type",
            "issued",
            "genre",
            "publisher",
            "number",
            "doi",
            "title",
            "author",
            "arxiv_class",
        )
    }
    resolver = Resolver(FakeArxiv(), FakeCrossref(hits=[PUBLISHED]))
    upgraded = resolver.library([done], {"k": owned})
    assert upgraded.report[0].state == "upgraded"
    assert upgraded.records[0].container_title == PUBLISHED.container_title
    assert upgraded.records[0].genre == ""
    # Without provenance every field is the user's: no venue mix, differences reported.
    kept = resolver.library([done], {})
    assert kept.report[0].state == "unchanged"
    assert kept.records[0].issued == done.issued and kept.records[0].container_title == ""
    assert {"type", "issued"} <= {d.field for d in kept.report[0].differences}
    assert "--accept-upstream" in kept.report[0].message


def test_preprint_onto_hand_written_venue_adds_only_the_work_fields() -> None:
    hand = Record(
        key="k",
        type="paper-conference",
        entry_type="inproceedings",
        arxiv_id="1707.06347",
        container_title="Advances in Neural Information Processing Systems",
        volume="33",
        page="1877-1901",
        issued=Date(2017),
    )
    result = Resolver(FakeArxiv({"1707.06347": PREPRINT}), FakeCrossref()).library([hand], {})
    record = result.records[0]
    assert result.report[0].state == "resolved"
    assert record.title == PREPRINT.title and record.author == PREPRINT.author
    assert (record.type, record.container_title, record.volume, record.page) == (
        "paper-conference",
        hand.container_title,
        "33",
        "1877-1901",
    )
    assert record.publisher == "" and record.genre == "" and record.doi == ""
    assert result.report[0].differences == ()  # 2017 agrees with 2017-07-20


def test_merge_drops_citekit_fields_the_source_no_longer_has_but_keeps_user_fields() -> None:
    current = Record(title="T", genre="preprint", note="mine")
    result = merge(current, Record(title="T"), {"genre": "preprint"})
    assert result.record.genre == "" and result.record.note == "mine"


def test_add_by_title_crossref_then_arxiv_and_duplicates_are_refused() -> None:
    arxiv = FakeArxiv({"1707.06347": PREPRINT}, hits=[PREPRINT])
    crossref = FakeCrossref(hits=[LOOKALIKE])
    named = lambda new, existing: [r.with_(key=f"new{i}") for i, r in enumerate(new)]  # noqa: E731
    result = Resolver(arxiv, crossref).add(
        ["Proximal Policy Optimization Algorithms", "arXiv:1707.06347", "doi:foo"],
        [],
        assign_keys=named,
        groups=["RL"],
    )
    states = [o.state for o in result.report]
    assert states == ["resolved", "unchanged", "invalid"]
    (record,) = result.records
    assert record.key == "new0" and record.collections == ("RL",)
    assert "already in the library as new0" in result.report[1].message
    again = Resolver(arxiv, crossref).add(
        ["10.48550/arXiv.1707.06347"], result.records, assign_keys=named
    )
    assert again.report[0].state == "unchanged" and again.records == result.records


def test_add_generic_title_is_ambiguous() -> None:
    hits = [
        Record(
            type="article-journal",
            title="Deep learning",
            doi="10.1038/nature14539",
            author=(person("Yann", "LeCun"),),
            issued=Date(2015),
        ),
        Record(
            type="book",
            title="Deep Learning",
            author=(person("Ian", "Goodfellow"),),
            issued=Date(2016),
        ),
    ]
    result = Resolver(FakeArxiv(), FakeCrossref(hits=hits)).add(
        ["Deep Learning"], [], assign_keys=lambda n, e: n
    )
    assert result.report[0].state == "ambiguous"
    assert len(result.report[0].candidates) == 2
    assert result.records == ()


def test_find_duplicate() -> None:
    pool = [PUBLISHED.with_(key="a", arxiv_id="1707.06347")]
    assert find_duplicate(Record(doi="10.1000/PPO"), pool) is pool[0]
    assert find_duplicate(Record(arxiv_id="1707.06347"), pool) is pool[0]
    assert find_duplicate(PREPRINT.with_(arxiv_id=""), pool) is pool[0]
    assert find_duplicate(LOOKALIKE, pool) is None
