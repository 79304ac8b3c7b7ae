"""#12 item 7 and #13 items 5-6: no Zotero answer crashes, loops or holds citekit.

Each case runs ``citekit sync zotero`` as a user does (a subprocess) against the loopback
Web API (tests/servers/zotero.py) answering something hostile or broken. Before the fix:
``Backoff: -1`` / ``nan`` / ``soon`` and ``Retry-After: -5`` were ``internal error:
ValueError``; an item without ``data``, ``data`` as a string, a page that is an object
and a version ``"v1"`` were internal errors; a server ignoring ``start`` with
``Total-Results: 1000000000`` got thousands of GETs and never stopped; pyzotero 1.6.11's
non-daemon ``threading.Timer`` kept the process alive ``Retry-After`` seconds after
citekit was done; a closed port cost about a minute of silent retries ending in "did not
answer usefully … (last HTTP status none)".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.zotero import ZoteroServer, serve

from .harness import SECRET_KEY, citekit_env, no_traceback, run_citekit
from .papers import complete


@pytest.fixture
def zotero(tmp_path: Path) -> Iterator[ZoteroServer]:
    (tmp_path / "references.bib").write_text(complete(3), encoding="utf-8")
    with serve(ZoteroServer(SECRET_KEY)) as server:
        yield server


def sync(project: Path, url: str, *args: str, timeout: float = 60.0) -> tuple[int, str, str]:
    env = citekit_env(project, CITEKIT_ZOTERO_URL=url)
    done = run_citekit(project, "sync", "zotero", *args, env=env, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("Zotero:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("header", ["Backoff: -1", "Backoff: nan", "Backoff: soon", "Backoff: inf"])
def test_invalid_backoff_is_ignored(tmp_path: Path, zotero: ZoteroServer, header: str) -> None:
    name, _, value = header.partition(": ")
    zotero.inject("backoff", "GET", "/items", headers={name: value}, times=3)
    code, _out, err = sync(tmp_path, zotero.url)
    assert code == 0 and no_traceback(err), err
    assert len(zotero.live_items()) == 3


def test_negative_retry_after_on_a_429_is_ignored(tmp_path: Path, zotero: ZoteroServer) -> None:
    zotero.inject("status", "POST", "/items", status=429, headers={"Retry-After": "-5"})
    code, _out, err = sync(tmp_path, zotero.url)
    assert code == 0 and no_traceback(err), err
    assert len(zotero.live_items()) == 3


@pytest.mark.parametrize(
    "body",
    [
        [{"key": "ABCD2345", "version": 3}],  # no data
        [{"key": "ABCD2345", "version": 3, "data": "a string"}],
        {"key": "ABCD2345", "data": {}},  # a page that is an object
        [{"key": "ABCD2345", "version": "v1", "data": {"version": "v1", "itemType": "book"}}],
        [{"key": "ABCD2345", "data": {"version": 3, "itemType": "book", "tags": 7}}],
        [7],
    ],
    ids=["no-data", "data-string", "page-object", "version-v1", "tags-number", "entry-number"],
)
def test_items_of_an_unexpected_shape_are_one_line(
    tmp_path: Path, zotero: ZoteroServer, body: Any
) -> None:
    zotero.inject("status", "GET", "/items", status=200, body=body)
    code, out, err = sync(tmp_path, zotero.url)
    assert code == 1 and no_traceback(out + err), err
    line = one_line(err)
    assert "unexpected shape" in line and "nothing more was sent" in line
    assert not zotero.writes()


def test_a_server_ignoring_start_is_read_twice_then_refused(
    tmp_path: Path, zotero: ZoteroServer
) -> None:
    for n in range(100):
        zotero.add_item(itemType="book", title=f"Someone else's book {n}")
    zotero.ignore_start, zotero.claimed_total = True, "1000000000"
    started = time.monotonic()
    code, _out, err = sync(tmp_path, zotero.url)
    assert code == 1 and no_traceback(err), err
    assert "start=100 was ignored" in one_line(err)
    assert len(zotero.reads()) == 2 and not zotero.writes()
    assert time.monotonic() - started < 30


def test_retry_after_on_the_last_answer_does_not_hold_the_process(
    tmp_path: Path, zotero: ZoteroServer
) -> None:
    """pyzotero's Timer thread (non-daemon) used to keep the process alive for 90 s."""
    zotero.inject("backoff", "POST", "/items", headers={"Retry-After": "90", "Backoff": "3600"})
    started = time.monotonic()
    code, _out, err = sync(tmp_path, zotero.url, timeout=60)
    assert code == 0, err
    assert time.monotonic() - started < 30
    assert len(zotero.live_items()) == 3


def test_a_wait_longer_than_the_limit_stops_with_when_to_retry(
    tmp_path: Path, zotero: ZoteroServer
) -> None:
    zotero.inject("status", "POST", "/collections", status=429, headers={"Retry-After": "7200"})
    started = time.monotonic()
    code, _out, err = sync(tmp_path, zotero.url)
    assert code == 1 and no_traceback(err), err
    line = one_line(err)
    assert "wait 2.0 h" in line and "run the sync again after" in line and "UTC" in line
    assert time.monotonic() - started < 30


def test_a_wait_within_the_limit_is_shown_on_stderr(tmp_path: Path, zotero: ZoteroServer) -> None:
    zotero.inject("status", "POST", "/items", status=503, headers={"Retry-After": "1"})
    code, _out, err = sync(tmp_path, zotero.url)
    assert code == 0, err
    assert "Zotero: HTTP 503; waiting 1 s" in err


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("http://127.0.0.1:1", "connection refused"),
        ("http://zotero-api.invalid", "could not be resolved"),
    ],
)
def test_an_unreachable_server_is_one_line_fast_naming_the_cause(
    tmp_path: Path, url: str, cause: str
) -> None:
    (tmp_path / "references.bib").write_text(complete(2), encoding="utf-8")
    started = time.monotonic()
    code, out, err = sync(tmp_path, url)
    elapsed = time.monotonic() - started
    assert code == 1 and no_traceback(out + err), err
    line = one_line(err)
    assert cause in line and url in line, line
    assert "retrying" in err  # the short retries are shown while they happen
    assert elapsed < 20, elapsed
