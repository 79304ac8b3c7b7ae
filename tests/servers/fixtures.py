"""Pytest fixtures for the arXiv and Crossref replay servers (loaded by tests/conftest.py).

* ``arxiv_server`` / ``crossref_server``: a running server with nothing registered;
  ``CITEKIT_ARXIV_URL`` / ``CITEKIT_CROSSREF_URL`` point at it for the test.
* ``replay_servers``: both, as ``replay_servers.arxiv`` and ``replay_servers.crossref``.
* ``fake_clock``: a monotonic clock whose ``sleep`` advances it instantly and records
  every wait, for ``ArxivSource(..., sleep=fake_clock.sleep, clock=fake_clock)`` and
  ``CrossrefSource(..., sleep=fake_clock.sleep)``.

Register facts on the servers (``arxiv_server.add(...)``, ``crossref_server.add(...)``,
``crossref_server.search_results(...)``); see :mod:`tests.servers.arxiv` and
:mod:`tests.servers.crossref`. Settings built with ``load_settings()`` inside the test pick
up the URLs from the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .arxiv import ArxivServer
from .crossref import CrossrefServer

__all__ = ["FakeClock", "ReplayServers"]


class FakeClock:
    """``clock()`` returns fake seconds; ``sleep(s)`` advances them and logs ``s``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)


@dataclass
class ReplayServers:
    arxiv: ArxivServer
    crossref: CrossrefServer


@pytest.fixture
def arxiv_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    with ArxivServer() as server:
        assert isinstance(server, ArxivServer)
        monkeypatch.setenv("CITEKIT_ARXIV_URL", server.url)
        yield server


@pytest.fixture
def crossref_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrossrefServer]:
    with CrossrefServer() as server:
        assert isinstance(server, CrossrefServer)
        monkeypatch.setenv("CITEKIT_CROSSREF_URL", server.url)
        yield server


@pytest.fixture
def replay_servers(arxiv_server: ArxivServer, crossref_server: CrossrefServer) -> ReplayServers:
    return ReplayServers(arxiv_server, crossref_server)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
