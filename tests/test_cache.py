"""The sqlite payload cache: freshness on an injected clock, offline and refresh modes."""

from __future__ import annotations

from pathlib import Path

from citekit.sources.cache import TTL_METADATA, Cache


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_miss_does_not_create_the_directory(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".citekit")
    assert cache.get("arxiv", "2005.14165", TTL_METADATA) is None
    assert not (tmp_path / ".citekit").exists()


def test_put_then_get_round_trips_bytes(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".citekit")
    cache.put("arxiv", "2005.14165", b'{"title": "L\xc3\xa9"}')
    assert cache.get("arxiv", "2005.14165", TTL_METADATA) == b'{"title": "L\xc3\xa9"}'
    assert cache.get("crossref", "2005.14165", TTL_METADATA) is None
    assert cache.path.is_file()


def test_survives_a_new_process(tmp_path: Path) -> None:
    Cache(tmp_path).put("crossref", "work:10.1/x", b"one")
    assert Cache(tmp_path).get("crossref", "work:10.1/x", 60) == b"one"


def test_put_replaces_older_answer(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("s", "r", b"old")
    cache.put("s", "r", b"new")
    assert cache.get("s", "r", 60) == b"new"


def test_max_age_on_injected_clock(tmp_path: Path) -> None:
    clock = Clock()
    cache = Cache(tmp_path, clock=clock)
    cache.put("s", "r", b"x")
    clock.now += 100
    assert cache.get("s", "r", 100) == b"x"
    clock.now += 1
    assert cache.get("s", "r", 100) is None


def test_offline_returns_stale_answers(tmp_path: Path) -> None:
    clock = Clock()
    Cache(tmp_path, clock=clock).put("s", "r", b"x")
    clock.now += 10 * TTL_METADATA
    assert Cache(tmp_path, clock=clock).get("s", "r", 1) is None
    assert Cache(tmp_path, offline=True, clock=clock).get("s", "r", 1) == b"x"


def test_refresh_always_misses_but_stores(tmp_path: Path) -> None:
    Cache(tmp_path).put("s", "r", b"old")
    fresh = Cache(tmp_path, refresh=True)
    assert fresh.get("s", "r", TTL_METADATA) is None
    fresh.put("s", "r", b"new")
    assert Cache(tmp_path).get("s", "r", TTL_METADATA) == b"new"


def test_damaged_file_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    cache = Cache(tmp_path)
    assert cache.get("s", "r", 60) is None
    cache.put("s", "r", b"x")
    assert cache.get("s", "r", 60) == b"x"
    assert (tmp_path / "cache.sqlite.damaged").is_file()
