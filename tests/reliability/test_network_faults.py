"""Network faults end to end: ``citekit resolve`` against misbehaving loopback servers.

Every fault of the resolution issue (429 with Retry-After, 500, 502, 503, 504, a delay past
the timeout, a truncated body, a garbage body, a dropped connection) on every request to
arXiv or to Crossref, plus three servers written here on raw sockets: one that accepts and
never answers, one that answers one byte every 0.2 s, and one that announces a 2 GB
``Content-Length`` and sends 1 KB. For each: the run ends within a bound (``timeout = 0.5``
in ``citekit.toml``; retries and arXiv's 3 s spacing included), under a 1.5 GB address
space limit, with exit 1, one ``<key>: error: <source> …`` line per failed entry, no
traceback, the library still whole, the other entry resolved; and a run without the
fault then completes. The cases run side by side (each its own servers and project).
"""

from __future__ import annotations

import resource
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from citekit.library import load
from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer

from .harness import citekit_env, no_traceback, run_citekit, settings_file
from .papers import register, stubs

BOUND = 45.0  # seconds one faulty run may take (worst case: arXiv, 4 attempts, 3 s apart)
MEMORY = 1536 * 1024 * 1024
STANDARD = [
    ("status", {"status": 429, "retry_after": "1"}),
    ("status", {"status": 500}),
    ("status", {"status": 502}),
    ("status", {"status": 503}),
    ("status", {"status": 504}),
    ("delay", {"delay": 2.0}),
    ("truncate", {}),
    ("garbage", {}),
    ("drop", {}),
]
RAW = ["never-answers", "one-byte-at-a-time", "2-GB-content-length"]


@dataclass
class Case:
    source: str  # "arxiv" | "crossref"
    fault: str
    options: dict[str, object]

    @property
    def name(self) -> str:
        extra = self.options.get("status", "")
        return f"{self.source}-{self.fault}{extra}"


class RawServer:
    """A misbehaving HTTP server on a raw socket (port 0), one thread per connection."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.closed = threading.Event()
        if behaviour != "never-answers":  # that one never even accepts
            threading.Thread(target=self._serve, daemon=True).start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(30)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                if self.behaviour == "one-byte-at-a-time":
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    conn.sendall(head + b"Content-Length: 4000\r\n\r\n")
                    for _ in range(4000):
                        if self.closed.wait(0.2):
                            return
                        conn.sendall(b" ")
                else:  # 2-GB-content-length: announce 2 GB, send 1 KB, then nothing
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
                    conn.sendall(head + b"Content-Length: 2147483648\r\n\r\n" + b"<" * 1024)
                    self.closed.wait(60)
            except OSError:
                return

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


@contextmanager
def servers_for(case: Case) -> Iterator[dict[str, str]]:
    """Working replay servers, one of them faulty (or replaced by a RawServer)."""
    with ArxivServer() as arxiv, CrossrefServer() as crossref:
        register(arxiv, crossref, 2)
        urls = {"CITEKIT_ARXIV_URL": arxiv.url, "CITEKIT_CROSSREF_URL": crossref.url}
        raw = RawServer(case.fault) if case.fault in RAW else None
        if raw is not None:
            key = "CITEKIT_ARXIV_URL" if case.source == "arxiv" else "CITEKIT_CROSSREF_URL"
            urls[key] = raw.root + ("/api/query" if case.source == "arxiv" else "")
        elif case.fault != "none":
            server = arxiv if case.source == "arxiv" else crossref
            server.fail(case.fault, times=None, **case.options)  # type: ignore[arg-type]
        try:
            yield urls
        finally:
            if raw is not None:
                raw.close()


def limit_memory() -> None:
    """preexec_fn: a run that tried to hold a 2 GB body would fail, not swap."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_case(case: Case, root: Path) -> list[str]:
    """One fault: the bounded, clear failure, then a clean re-run. Returns what went wrong."""
    project = root / case.name
    project.mkdir()
    (project / "references.bib").write_text(stubs(2), encoding="utf-8")
    settings_file(project, timeout=0.5)
    problems: list[str] = []
    with servers_for(case) as urls:
        start = time.monotonic()
        done = run_citekit_limited(project, citekit_env(project, **urls))
        elapsed = time.monotonic() - start
    lines = done.stderr.strip().splitlines()
    failed = [ln for ln in lines if ": error: " in ln or ": not-found: " in ln]
    print(f"{case.name}: {elapsed:.1f} s, {failed}")
    if elapsed > BOUND:
        problems.append(f"took {elapsed:.1f} s")
    if done.returncode != 1 or not no_traceback(done.stderr):
        problems.append(f"exit {done.returncode}: {done.stderr[-800:]}")
    if not failed or not all(f": error: {case.source}" in ln for ln in failed):
        problems.append(f"no clear error line: {lines}")
    if len(load(project / "references.bib").records) != 3:
        problems.append("entries lost")
    # The re-run checks recovery, not speed: a healthy server on a loaded machine may take
    # longer than the fault run's 0.5 s timeout (the whole-request deadline is 3x that).
    settings_file(project, timeout=10)
    with servers_for(Case(case.source, "none", {})) as urls:
        again = run_citekit(project, "resolve", env=citekit_env(project, **urls), timeout=120)
    if again.returncode != 0:
        problems.append(f"the re-run failed: {again.stderr[-800:]}")
    return [f"{case.name}: {p}" for p in problems]


def run_citekit_limited(project: Path, env: dict[str, str]) -> Any:
    import subprocess
    import sys

    from .harness import witness

    done = subprocess.run(
        [sys.executable, "-m", "citekit", "resolve"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND * 2,
        preexec_fn=limit_memory,
    )
    witness(project, done.stdout, done.stderr, "resolve (fault)")
    return done


def all_cases() -> list[Case]:
    cases = [Case(s, f, o) for s in ("arxiv", "crossref") for f, o in STANDARD]
    return cases + [Case(s, f, {}) for s in ("arxiv", "crossref") for f in RAW]


@pytest.mark.slow
def test_every_network_fault_is_bounded_clear_and_recoverable(tmp_path: Path) -> None:
    cases = all_cases()
    work: Callable[[Case], list[str]] = lambda c: run_case(c, tmp_path)  # noqa: E731
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(work, cases))
    problems = [p for found in results for p in found]
    assert not problems, problems
    print(f"network faults: {len(cases)} injected through the CLI, each bounded and recovered")
