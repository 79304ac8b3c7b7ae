"""CrossrefSource against the loopback Crossref server: real HTTP (citekit's bounded GET)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citekit.config import Settings
from citekit.errors import IdentifierError, NotCached, NotFound, RateLimited, SourceUnavailable
from citekit.model import Date, Name
from citekit.sources.cache import Cache
from citekit.sources.crossref import CrossrefSource, parse_work
from citekit.sources.http import RetryPolicy
from tests.servers.crossref import CrossrefServer, work_message
from tests.servers.fixtures import FakeClock

TAMER = "10.1145/1597735.1597738"
MAILTO = "secret-person@example.org"


def _source(
    server: CrossrefServer,
    cache_dir: Path,
    clock: FakeClock,
    *,
    mailto: str = MAILTO,
    offline: bool = False,
    warnings: list[str] | None = None,
    **settings: Any,
) -> CrossrefSource:
    config = Settings(crossref_url=server.url, mailto=mailto, **settings)
    sink = warnings if warnings is not None else []
    return CrossrefSource(
        config, Cache(cache_dir, offline=offline), sleep=clock.sleep, warn=sink.append
    )


@pytest.fixture
def server(crossref_server: CrossrefServer) -> CrossrefServer:
    crossref_server.add(
        TAMER,
        "Interactively shaping agents via human reinforcement",
        [("W. Bradley", "Knox"), ("Peter", "Stone")],
        type="proceedings-article",
        container="Proceedings of the fifth international conference on Knowledge capture",
        issued=(2009, 9, 1),
        page="9\u201316",
        publisher="ACM",
        event="K-CAP '09: Fifth International Conference on Knowledge Capture",
        isbn=["9781605586588"],
        **{"publisher-location": "New York, NY, USA"},
    )
    crossref_server.add(
        "10.18653/v1/2021.mrl-1.1",
        "Language Models are Few-shot Multilingual Learners",
        [("Genta Indra", "Winata"), ("Andrea", "Madotto")],
        type="proceedings-article",
        issued=(2021,),
    )
    return crossref_server


def test_work_proceedings_article(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    record = _source(server, tmp_path, fake_clock).work(f"https://doi.org/{TAMER.upper()}")
    assert server.requests[0].path == f"/works/{TAMER}"
    assert record.type == "paper-conference"
    assert record.title == "Interactively shaping agents via human reinforcement"
    assert record.author == (Name("Knox", "W. Bradley"), Name("Stone", "Peter"))
    assert record.container_title.startswith("Proceedings of the fifth")
    assert record.event_title.startswith("K-CAP '09")
    assert record.page == "9-16"
    assert (record.publisher, record.publisher_place) == ("ACM", "New York, NY, USA")
    assert record.isbn == "9781605586588"
    assert record.issued == Date(2009, 9, 1)
    assert record.doi == TAMER


def test_mailto_goes_in_the_user_agent_and_nowhere_in_errors(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    warnings: list[str] = []
    source = _source(server, tmp_path, fake_clock, warnings=warnings)
    source.work(TAMER)
    assert f"mailto:{MAILTO}" in server.requests[0].headers["user-agent"]
    assert warnings == []
    server.fail("status", status=503, times=None)
    with pytest.raises(SourceUnavailable) as caught:
        source.work("10.1000/other")
    assert MAILTO not in str(caught.value) and MAILTO not in repr(caught.value.args)


def test_missing_mailto_warns_once(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    warnings: list[str] = []
    source = _source(server, tmp_path, fake_clock, mailto="", warnings=warnings)
    source.work(TAMER)
    source.search("Few-shot Learners")
    assert len(warnings) == 1 and "CITEKIT_MAILTO" in warnings[0]
    assert "mailto" not in server.requests[0].headers["user-agent"]


def test_offline_without_requests_and_no_warning(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    _source(server, tmp_path, fake_clock).work(TAMER)
    server.reset_log()
    warnings: list[str] = []
    offline = _source(server, tmp_path, fake_clock, offline=True, mailto="", warnings=warnings)
    assert offline.work(TAMER).page == "9-16"
    with pytest.raises(NotCached) as caught:
        offline.work("10.1000/never-fetched")
    assert "10.1000/never-fetched" in str(caught.value)
    with pytest.raises(NotCached):
        offline.search("anything")
    assert server.count() == 0 and offline.requests_made == 0 and warnings == []


def test_warm_rerun_makes_no_request(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    first = _source(server, tmp_path, fake_clock)
    first.work(TAMER)
    hits = first.search("Interactively shaping agents", "Knox")
    with pytest.raises(NotFound):
        first.work("10.1000/missing")
    server.reset_log()
    again = _source(server, tmp_path, fake_clock)
    assert again.work(f"doi:{TAMER}.") == first.work(TAMER)
    assert again.search("Interactively  shaping agents", "Knox") == hits
    with pytest.raises(NotFound):
        again.work("10.1000/MISSING")
    assert server.count() == 0 and again.requests_made == 0


def test_404_is_not_found(server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    with pytest.raises(NotFound) as caught:
        _source(server, tmp_path, fake_clock).work("10.1371/notarealdoi")
    assert caught.value.status == 404
    assert str(caught.value) == (
        "crossref 10.1371/notarealdoi: Crossref has no record of this DOI; check it"
    )
    assert server.count() == 1  # a 404 is an answer, not retried


def test_arxiv_doi_is_never_sent(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    source = _source(server, tmp_path, fake_clock)
    with pytest.raises(NotFound) as caught:
        source.work("10.48550/arXiv.2005.14165")
    assert "DataCite" in str(caught.value)
    assert server.count() == 0 and source.requests_made == 0


def test_invalid_doi(server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    with pytest.raises(IdentifierError, match="not-a-doi"):
        _source(server, tmp_path, fake_clock).work("not-a-doi")
    assert server.count() == 0


def test_429_with_retry_after(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, retry_after="5")
    assert _source(server, tmp_path, fake_clock).work(TAMER).doi == TAMER
    assert fake_clock.sleeps == [pytest.approx(5.0)] and server.count() == 2


def test_429_without_retry_after_then_rate_limited(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, times=None)
    with pytest.raises(RateLimited) as caught:
        _source(server, tmp_path, fake_clock).work(TAMER)
    assert caught.value.status == 429 and "wait a few minutes" in str(caught.value)
    attempts = RetryPolicy().attempts
    assert server.count() == attempts and len(fake_clock.sleeps) == attempts - 1
    assert fake_clock.sleeps == sorted(fake_clock.sleeps)  # exponential, jitter within halves


def test_long_retry_after_is_not_waited(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, retry_after="86400", times=None)
    with pytest.raises(RateLimited) as caught:
        _source(server, tmp_path, fake_clock).work(TAMER)
    assert caught.value.retry_after == 86400 and server.count() == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_retried_then_unavailable(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock, status: int
) -> None:
    server.fail("status", status=status, times=1)
    source = _source(server, tmp_path, fake_clock)
    assert source.work(TAMER).doi == TAMER
    server.fail("status", status=status, times=None)
    with pytest.raises(SourceUnavailable) as caught:
        source.work("10.1000/other")
    assert caught.value.status == status
    assert str(caught.value) == f"crossref 10.1000/other: HTTP {status}; try again later"
    # the failure left nothing behind: offline it is NotCached, not NotFound
    with pytest.raises(NotCached):
        _source(server, tmp_path, fake_clock, offline=True).work("10.1000/other")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("garbage", "unreadable answer"),
        ("truncate", "connection failed (truncated answer"),
        ("drop", "connection failed (RemoteDisconnected)"),
    ],
)
def test_broken_answers(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock, kind: str, reason: str
) -> None:
    server.fail(kind, times=1)
    source = _source(server, tmp_path, fake_clock)
    assert source.work(TAMER).doi == TAMER
    server.fail(kind, times=None)
    with pytest.raises(SourceUnavailable) as caught:
        source.search("Few-shot Learners")
    assert reason in str(caught.value)


def test_non_json_200_is_unavailable(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=200, body=b"<html>maintenance</html>", times=None)
    with pytest.raises(SourceUnavailable, match="unreadable answer"):
        _source(server, tmp_path, fake_clock).work(TAMER)


def test_timeout(server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    server.fail("delay", delay=1.0, times=None)
    source = CrossrefSource(
        Settings(crossref_url=server.url, mailto=MAILTO, timeout=0.2),
        Cache(tmp_path),
        sleep=fake_clock.sleep,
        retry=RetryPolicy(attempts=2),
    )
    with pytest.raises(SourceUnavailable, match="no answer in time"):
        source.work(TAMER)


def test_search_parameters_and_results(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.search_results("few-shot learners", ["10.18653/v1/2021.mrl-1.1"])
    source = _source(server, tmp_path, fake_clock)
    found = source.search("Language Models are Few-Shot Learners", "Brown", rows=50)
    request = server.requests[0]
    assert request.path == "/works"
    assert request.param("query.bibliographic") == "Language Models are Few-Shot Learners"
    assert request.param("query.author") == "Brown"
    assert request.param("rows") == "5"
    assert [r.title for r in found] == ["Language Models are Few-shot Multilingual Learners"]
    assert found[0].author[0] == Name("Winata", "Genta Indra")


def test_search_without_author_omits_the_parameter(
    server: CrossrefServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    found = _source(server, tmp_path, fake_clock).search("Interactively shaping agents")
    assert "query.author" not in server.requests[0].query
    assert found[0].doi == TAMER


# -- parse_work (pure) ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("crossref", "csl", "genre"),
    [
        ("journal-article", "article-journal", ""),
        ("proceedings-article", "paper-conference", ""),
        ("book-chapter", "chapter", ""),
        ("posted-content", "article", "preprint"),
        ("report", "report", ""),
        ("dataset", "dataset", ""),
        ("book", "book", ""),
        ("monograph", "book", ""),
        ("dissertation", "thesis", ""),
        ("peer-review", "document", ""),
    ],
)
def test_type_mapping(crossref: str, csl: str, genre: str) -> None:
    record = parse_work(work_message("10.1000/x", "T", [], type=crossref))
    assert (record.type, record.genre) == (csl, genre)


def test_parse_names_editors_and_markup() -> None:
    message = work_message(
        "10.1000/CH",
        "The <i>E. coli</i> &amp; friends",
        [("Ada", "Lovelace"), "OpenAI", {"given": "John", "family": "Smith", "suffix": "Jr."}],
        type="book-chapter",
        container="A Book",
        editors=[("Grace", "Hopper")],
        subtitle="a subtitle",
        page="e1\u2014e9",
        issued=(2020, 5),
        **{"abstract": "<jats:p>First.</jats:p>\n<jats:p>Second.</jats:p>"},
    )
    record = parse_work(message)
    assert record.title == "The E. coli & friends: a subtitle"
    assert record.author == (
        Name("Lovelace", "Ada"),
        Name(literal="OpenAI"),
        Name("Smith", "John", suffix="Jr."),
    )
    assert record.editor == (Name("Hopper", "Grace"),)
    assert record.page == "e1-e9"
    assert record.issued == Date(2020, 5)
    assert record.abstract == "First. Second."
    assert record.doi == "10.1000/ch"


def test_missing_issued_date_falls_back_or_stays_empty() -> None:
    message = work_message("10.1109/x", "T", [], issued=())
    assert message["issued"] == {"date-parts": [[None]]}  # as in the IEEE recording
    assert parse_work(message).issued is None
    message["published-online"] = {"date-parts": [[2004, 6]]}
    assert parse_work(message).issued == Date(2004, 6)


def test_answer_text_loses_control_and_bidi_override_characters_but_keeps_rtl_marks() -> None:
    from citekit.sources.crossref import parse_work

    record = parse_work(
        {
            "DOI": "10.1/x",
            "type": "journal-article",
            "title": [
                "Evil\u202etxt.exe\x07 and\u2067 isolated\u2069 \u05e9\u05dc\u05d5\u05dd\u200f"
            ],
        }
    )
    assert record.title == "Eviltxt.exe and isolated \u05e9\u05dc\u05d5\u05dd\u200f"
