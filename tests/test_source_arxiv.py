"""ArxivSource against the loopback arXiv server: real ``arxiv`` + ``requests`` HTTP."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from citekit.config import Settings
from citekit.errors import NotCached, NotFound, RateLimited, SourceUnavailable
from citekit.model import Name
from citekit.sources.arxiv import ArxivSource, parse_entry, split_name
from citekit.sources.cache import Cache
from citekit.sources.http import RetryPolicy, parse_retry_after
from tests.servers.arxiv import ArxivServer, error_feed
from tests.servers.fixtures import FakeClock

GPT3 = "2005.14165"
AUTHORS_34 = [f"Author{i} Family{i}" for i in range(33)] + ["Dirk Wübben"]


def _source(
    server: ArxivServer, cache_dir: Path, clock: FakeClock, *, offline: bool = False, **kw: object
) -> ArxivSource:
    settings = Settings(arxiv_url=server.url, timeout=float(kw.pop("timeout", 5.0)))  # type: ignore[arg-type]
    cache = Cache(cache_dir, offline=offline, refresh=bool(kw.pop("refresh", False)))
    return ArxivSource(settings, cache, sleep=clock.sleep, clock=clock, **kw)  # type: ignore[arg-type]


def _stamps(server: ArxivServer, clock: FakeClock) -> list[float]:
    """The fake-clock time of every request the server receives, as it arrives."""
    stamps: list[float] = []
    server.on_request = lambda _request: stamps.append(clock.now)
    return stamps


def _gaps(stamps: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(stamps)]


def _ids(n: int) -> list[str]:
    return [f"2101.{i:05d}" for i in range(1, n + 1)]


@pytest.fixture
def server(arxiv_server: ArxivServer) -> ArxivServer:
    arxiv_server.add(
        GPT3,
        "Language Models are\n   Few-Shot Learners",
        ["Tom B. Brown", "Benjamin Mann", "Dario Amodei"],
        summary="  Recent work has demonstrated\n substantial gains.",
        published="2020-05-28T17:29:03Z",
        updated="2020-07-22T19:47:17Z",
        versions=4,
        primary="cs.CL",
    )
    arxiv_server.add(
        "hep-th/9901001",
        "An old-style paper",
        ["Juan Martín Maldacena"],
        published="1999-01-04T10:00:00Z",
        primary="hep-th",
        journal_ref="Adv.Theor.Math.Phys. 2 (1998) 231",
        doi="10.4310/ATMP.1998.v2.n2.a1",
    )
    arxiv_server.add("1707.08567", "Proceedings of Workshop AEW10", AUTHORS_34, primary="cs.IT")
    return arxiv_server


def test_150_ids_take_two_requests_three_seconds_apart(
    arxiv_server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    ids = _ids(150)
    for i in ids:
        arxiv_server.add(i, f"Paper {i}", ["Ada Lovelace"])
    stamps = _stamps(arxiv_server, fake_clock)
    started = time.monotonic()
    source = _source(arxiv_server, tmp_path, fake_clock)
    results = source.fetch(ids)
    assert time.monotonic() - started < 10  # the 3 s wait is on the fake clock
    assert arxiv_server.count() == 2 == source.requests_made
    sizes = [len(r.param("id_list").split(",")) for r in arxiv_server.requests]
    assert sizes == [100, 50]
    assert all(r.param("max_results") == "100" for r in arxiv_server.requests)
    assert _gaps(stamps) == [pytest.approx(3.0)]
    assert fake_clock.sleeps == [pytest.approx(3.0)]
    assert [results[i].title for i in ids] == [f"Paper {i}" for i in ids]  # type: ignore[union-attr]


def test_delay_below_three_seconds_is_raised_to_three(
    arxiv_server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    arxiv_server.add(GPT3, "T", ["A B"])
    settings = Settings(arxiv_url=arxiv_server.url, arxiv_delay=0.5)
    source = ArxivSource(settings, Cache(tmp_path), sleep=fake_clock.sleep, clock=fake_clock)
    source.fetch([GPT3])
    source.search("anything")
    assert fake_clock.sleeps == [pytest.approx(3.0)]


def test_warm_rerun_makes_no_request_whatever_the_batch(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    first = _source(server, tmp_path, fake_clock).fetch([GPT3, "hep-th/9901001", "2101.99999"])
    server.reset_log()
    again = _source(server, tmp_path, fake_clock)
    second = again.fetch(["2101.99999", "arXiv:hep-th/9901001", GPT3])
    assert server.count() == 0 and again.requests_made == 0
    assert second[GPT3] == first[GPT3]
    assert isinstance(second["2101.99999"], NotFound)


def test_offline_never_sends_and_names_what_is_missing(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    _source(server, tmp_path, fake_clock).fetch([GPT3])
    server.reset_log()
    offline = _source(server, tmp_path, fake_clock, offline=True)
    out = offline.fetch([GPT3, "1707.08567"])
    assert server.count() == 0 and offline.requests_made == 0
    assert out[GPT3].title == "Language Models are Few-Shot Learners"  # type: ignore[union-attr]
    missing = out["1707.08567"]
    assert isinstance(missing, NotCached) and "1707.08567" in str(missing)
    with pytest.raises(NotCached):
        offline.search("Few-Shot Learners")
    assert server.count() == 0


def test_refresh_asks_again(server: ArxivServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    _source(server, tmp_path, fake_clock).fetch([GPT3])
    _source(server, tmp_path, fake_clock, refresh=True).fetch([GPT3])
    assert server.count() == 2


def test_record_fields(server: ArxivServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    out = _source(server, tmp_path, fake_clock).fetch([GPT3, "hep-th/9901001"])
    gpt3, old = out[GPT3], out["hep-th/9901001"]
    assert not isinstance(gpt3, Exception) and not isinstance(old, Exception)
    assert gpt3.title == "Language Models are Few-Shot Learners"
    assert gpt3.abstract == "Recent work has demonstrated substantial gains."
    assert gpt3.issued is not None and gpt3.issued.iso() == "2020-05-28"  # v1, not updated
    assert (gpt3.type, gpt3.genre, gpt3.publisher) == ("article", "preprint", "arXiv")
    assert (gpt3.arxiv_id, gpt3.number, gpt3.arxiv_version) == (GPT3, GPT3, "")
    assert gpt3.arxiv_class == "cs.CL"
    assert gpt3.doi == "10.48550/arxiv.2005.14165".replace("arxiv", "arXiv")
    assert [a.family for a in gpt3.author] == ["Brown", "Mann", "Amodei"]
    assert old.doi == "10.4310/atmp.1998.v2.n2.a1"  # the authors' own DOI wins
    assert old.note == "Adv.Theor.Math.Phys. 2 (1998) 231"
    assert old.author == (Name(family="Maldacena", given="Juan Martín"),)


def test_versions_kept_only_when_named(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    out = _source(server, tmp_path, fake_clock).fetch(
        [f"{GPT3}v2", GPT3, f"{GPT3}v9", "hep-th/9901001v1"]
    )
    assert server.count() == 1
    assert out[f"{GPT3}v2"].arxiv_version == "v2"  # type: ignore[union-attr]
    assert out[f"{GPT3}v2"].url.endswith("2005.14165v2")  # type: ignore[union-attr]
    assert out[GPT3].arxiv_version == ""  # type: ignore[union-attr]
    assert isinstance(out[f"{GPT3}v9"], NotFound)
    assert out["hep-th/9901001v1"].arxiv_id == "hep-th/9901001"  # type: ignore[union-attr]


def test_34_authors_in_order_with_unicode(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    record = _source(server, tmp_path, fake_clock).fetch(["1707.08567"])["1707.08567"]
    assert not isinstance(record, Exception)
    assert len(record.author) == 34
    assert [a.display() for a in record.author] == AUTHORS_34
    assert record.author[-1] == Name(family="Wübben", given="Dirk")


def test_missing_id_is_not_found_and_rest_resolves(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    out = _source(server, tmp_path, fake_clock).fetch([GPT3, "2101.99999"])
    assert server.count() == 1
    assert isinstance(out["2101.99999"], NotFound) and "no such paper" in str(out["2101.99999"])
    assert out[GPT3].title  # type: ignore[union-attr]


def test_malformed_id_is_invalid_without_a_request(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    out = _source(server, tmp_path, fake_clock).fetch(["abc", GPT3])
    error = out["abc"]
    assert isinstance(error, NotFound) and error.status == 400
    assert "not a valid arXiv id" in str(error) and "'abc'" not in str(error)
    assert server.count() == 1 and "abc" not in server.requests[0].raw_path


def test_error_feed_marks_that_id_invalid_and_asks_again_for_the_rest(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    bad = "0808.05394"
    server.fail("status", status=400, body=error_feed(bad).encode(), match=bad)
    out = _source(server, tmp_path, fake_clock).fetch([GPT3, bad, "hep-th/9901001"])
    error = out[bad]
    assert isinstance(error, NotFound) and error.status == 400
    assert f"incorrect id format for {bad}" in str(error)
    assert out[GPT3].title and out["hep-th/9901001"].title  # type: ignore[union-attr]
    assert server.count() == 2 and bad not in server.requests[1].raw_path


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock, status: int
) -> None:
    server.fail("status", status=status, times=2)
    stamps = _stamps(server, fake_clock)
    source = _source(server, tmp_path, fake_clock)
    assert source.fetch([GPT3])[GPT3].title  # type: ignore[union-attr]
    assert server.count() == 3
    assert all(gap >= 3.0 for gap in _gaps(stamps))  # backoff never shortens the spacing


def test_persistent_503_fails_every_id_of_that_batch_only(
    arxiv_server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    ids = _ids(150)
    for i in ids:
        arxiv_server.add(i, f"Paper {i}", ["Ada Lovelace"])
    arxiv_server.fail("status", status=503, times=None, match="id_list=2101.00001%2C")
    source = _source(arxiv_server, tmp_path, fake_clock)
    out = source.fetch(ids)
    failed = [i for i in ids if isinstance(out[i], SourceUnavailable)]
    assert failed == ids[:100]
    error = out[ids[0]]
    assert isinstance(error, SourceUnavailable) and error.status == 503
    assert str(error) == "arxiv 2101.00001: HTTP 503; try again later"
    assert all(out[i].title == f"Paper {i}" for i in ids[100:])  # type: ignore[union-attr]
    assert source.requests_made == RetryPolicy().attempts + 1
    # nothing was cached for the failed ids: offline they are NotCached, not NotFound
    offline = _source(arxiv_server, tmp_path, fake_clock, offline=True).fetch(ids[:1])
    assert isinstance(offline[ids[0]], NotCached)


def test_429_honours_retry_after(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, retry_after="7")
    stamps = _stamps(server, fake_clock)
    assert _source(server, tmp_path, fake_clock).fetch([GPT3])[GPT3].title  # type: ignore[union-attr]
    assert fake_clock.sleeps == [pytest.approx(7.0)]
    assert _gaps(stamps) == [pytest.approx(7.0)]
    assert server.count() == 2


def test_429_without_retry_after_backs_off_then_gives_up(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, times=None)
    error = _source(server, tmp_path, fake_clock).fetch([GPT3])[GPT3]
    assert isinstance(error, RateLimited) and error.status == 429
    assert "rate limited" in str(error)
    assert server.count() == RetryPolicy().attempts


def test_retry_after_beyond_the_bound_is_not_waited_out(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("status", status=429, retry_after="3600", times=None)
    error = _source(server, tmp_path, fake_clock).fetch([GPT3])[GPT3]
    assert isinstance(error, RateLimited) and error.retry_after == 3600
    assert server.count() == 1 and sum(fake_clock.sleeps) < 60


@pytest.mark.parametrize("kind", ["truncate", "garbage", "drop"])
def test_broken_answers_are_retried(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock, kind: str
) -> None:
    server.fail(kind)
    record = _source(server, tmp_path, fake_clock).fetch(["1707.08567"])["1707.08567"]
    assert len(record.author) == 34  # type: ignore[union-attr]
    assert server.count() == 2


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("truncate", "connection failed (ProtocolError)"),
        ("garbage", "unreadable answer"),
        ("drop", "connection failed (ConnectionError)"),
    ],
)
def test_persistently_broken_answers_fail_as_unavailable(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock, kind: str, reason: str
) -> None:
    server.fail(kind, times=None)
    error = _source(server, tmp_path, fake_clock).fetch([GPT3])[GPT3]
    assert isinstance(error, SourceUnavailable) and not isinstance(error, NotFound)
    assert reason in str(error)


def test_html_page_with_status_200_is_not_taken_for_no_results(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.fail("garbage", times=None)
    error = _source(server, tmp_path, fake_clock).fetch([GPT3])[GPT3]
    assert isinstance(error, SourceUnavailable)


def test_timeout(server: ArxivServer, tmp_path: Path, fake_clock: FakeClock) -> None:
    server.fail("delay", delay=1.0, times=None)
    source = _source(server, tmp_path, fake_clock, timeout=0.2, retry=RetryPolicy(attempts=2))
    error = source.fetch([GPT3])[GPT3]
    assert isinstance(error, SourceUnavailable) and "no answer within 0.2 s" in str(error)


@pytest.mark.parametrize("claim_total", [True, False])
def test_empty_first_page_is_asked_again(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock, claim_total: bool
) -> None:
    server.empty_pages(1, claim_total=claim_total)
    out = _source(server, tmp_path, fake_clock).fetch([GPT3])
    assert out[GPT3].title  # type: ignore[union-attr]
    assert server.count() == 2


def test_refused_connection(tmp_path: Path, fake_clock: FakeClock) -> None:
    settings = Settings(arxiv_url="http://127.0.0.1:9/api/query", timeout=2)
    source = ArxivSource(settings, Cache(tmp_path), sleep=fake_clock.sleep, clock=fake_clock)
    error = source.fetch([GPT3])[GPT3]
    assert isinstance(error, SourceUnavailable) and "connection failed" in str(error)
    assert source.requests_made == RetryPolicy().attempts


def test_search_by_title_and_author(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    source = _source(server, tmp_path, fake_clock)
    found = source.search("Language Models are Few-Shot Learners!", "Tom B. Brown")
    assert [r.arxiv_id for r in found] == [GPT3]
    query = server.requests[0].param("search_query")
    assert query == 'ti:"Language Models are Few-Shot Learners" AND au:Brown'
    assert server.requests[0].param("max_results") == "5"
    assert source.search("Language Models are Few-Shot Learners!", "Tom B. Brown") == found
    assert server.count() == 1
    assert source.search("No such title") == []


def test_parse_entry_is_pure_and_normalises() -> None:
    payload = {
        "id": "1111.2011v2",
        "title": "  A\n  wrapped   title ",
        "authors": ["Adrian Del Maestro", "Martin Luther King Jr.", "OpenAI"],
        "summary": "  Two spaces\n and a break.",
        "published": "2011-11-08T20:52:03+00:00",
        "updated": "2012-04-02T16:46:57+00:00",
        "doi": "10.1103/PhysRevB.85.115117",
        "journal_ref": "Phys. Rev. B 85, 115117 (2012)",
        "primary_category": "cond-mat.str-el",
    }
    record = parse_entry(payload, version="v2")
    assert record.title == "A wrapped title"
    assert record.abstract == "Two spaces and a break."
    assert record.issued is not None and record.issued.iso() == "2011-11-08"
    assert (record.arxiv_id, record.arxiv_version) == ("1111.2011", "v2")
    assert record.doi == "10.1103/physrevb.85.115117"
    assert record.note == "Phys. Rev. B 85, 115117 (2012)"
    assert record.author[1] == Name(family="King", given="Martin Luther", suffix="Jr.")
    assert record.author[2] == Name(literal="OpenAI")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Peter H. N. de With", Name(family="With", given="Peter H. N.", particle="de")),
        ("Ludwig van der Berg", Name(family="Berg", given="Ludwig", particle="van der")),
        ("Dirk Wübben", Name(family="Wübben", given="Dirk")),
        ("Zhang", Name(literal="Zhang")),
    ],
)
def test_split_name(name: str, expected: Name) -> None:
    assert split_name(name) == expected


def test_unreadable_entry_is_not_taken_for_a_missing_paper(
    server: ArxivServer, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server.add("2201.11903", "No dates", ["Jason Wei"], published="")
    error = _source(server, tmp_path, fake_clock).fetch(["2201.11903"])["2201.11903"]
    assert isinstance(error, SourceUnavailable) and not isinstance(error, NotFound)
    assert "without id or dates" in str(error) and server.count() == 1


def test_retry_policy_bounds() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0)
    for retry, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (6, 8.0)]:
        waits = [policy.backoff(retry) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
    assert policy.wait_for(0, 12.0) == 12.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412460.0) == 20.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_arxiv_text_loses_bidi_override_characters() -> None:
    from citekit.sources.http import squash

    assert squash(" A\u202e B\x00\n C\u2066 ") == "A B C"
