"""Issue #12 item 6: memory stays bounded whatever a server sends, and no request worker
outlives its deadline.

* A CONSTRUCTED Crossref answers one DOI with a 2 MB gzip body that inflates to 2 GB
  (``Content-Encoding: gzip``). Under a 1.5 GB address-space limit, ``resolve`` ends with
  one line for that entry and writes the good entry of the same run (before: the HTTP
  client inflated the whole body, 4 times, and the run died of MemoryError).
* A server that trickles a body one byte every 50 ms: after the source gives up at its
  deadline, its request thread stops reading (before: the abandoned thread read on).
* OpenAlex (pyalex's fetch, on citekit's bounded ``requests`` session): the same bomb is
  refused at 16 MB decoded, and the trickle stops at the deadline (before: pyalex's own
  session set no timeout and inflated and read any body whole). DBLP: the trickle stops at
  the deadline too (before: one ``read()`` call read on in the abandoned thread).
"""

from __future__ import annotations

import resource
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from citekit.config import Settings
from citekit.errors import SourceUnavailable
from citekit.library import load
from citekit.sources.cache import Cache
from citekit.sources.crossref import CrossrefSource
from citekit.sources.dblp import DblpSource
from citekit.sources.http import RetryPolicy
from citekit.sources.openalex import OpenAlexSource
from tests.servers.base import Request, Response
from tests.servers.crossref import CrossrefServer
from tests.servers.openalex import OpenAlexServer

from .harness import citekit_env, no_traceback, witness

MEMORY = 1536 * 1024 * 1024
INFLATED_MB = 2048
PEAK_BOUND = 400 * 1024 * 1024  # citekit itself needs ~60 MiB; the body is capped at 16 MiB


def gzip_bomb(megabytes: int) -> bytes:
    """A valid gzip member of ``megabytes`` MiB of zeros, built from one repeated block."""
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    size = (megabytes << 20) & 0xFFFFFFFF
    return (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        + block * megabytes
        + end
        + struct.pack("<II", crc, size)
    )


class BombServer(CrossrefServer):
    """Crossref, except that ``10.5555/bomb`` answers with the gzip bomb."""

    bomb = b""

    def respond(self, request: Request) -> Response:
        if request.path.lower().endswith("/10.5555/bomb"):
            return Response(200, self.bomb, "application/json", {"Content-Encoding": "gzip"})
        return super().respond(request)


def _run_measured(
    project: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], int]:
    """``citekit resolve`` under the memory limit, and its peak resident memory (bytes),
    polled from /proc while it runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "citekit", "resolve"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit_memory,
    )
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), peak


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def test_a_gzip_bomb_from_crossref_is_one_line_in_bounded_memory(tmp_path: Path) -> None:
    library = "@misc{bomb,\n  doi = {10.5555/bomb},\n}\n\n@misc{ok,\n  doi = {10.5555/ok},\n}\n"
    (tmp_path / "references.bib").write_text(library, encoding="utf-8")
    (tmp_path / "citekit.toml").write_text("timeout = 20.0\n", encoding="utf-8")
    with BombServer() as crossref:
        crossref.bomb = gzip_bomb(INFLATED_MB)
        assert len(crossref.bomb) < 3 * 1024 * 1024
        crossref.add(
            "10.5555/ok", "A Good Work", [("Ada", "Okafor")], issued=(2020,), container="J"
        )
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=crossref.url)
        done, peak = _run_measured(tmp_path, env)
    assert peak < PEAK_BOUND, f"peak resident memory {peak >> 20} MiB"
    witness(tmp_path, done.stdout, done.stderr, "resolve (gzip bomb)")
    assert no_traceback(done.stderr), done.stderr[-2000:]
    assert done.returncode == 1, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("bomb:")]
    assert len(lines) == 1 and "error: crossref" in lines[0], done.stderr
    records = {r.key: r for r in load(tmp_path / "references.bib").records}
    assert records["ok"].title == "A Good Work"


@contextmanager
def trickle_server(length: int = 4000, every: float = 0.05) -> Iterator[tuple[str, list[int]]]:
    """A server announcing ``length`` bytes of body and sending one byte per ``every`` s;
    ``sent[0]`` counts the body bytes it managed to send (a closed peer stops it)."""
    listener = socket.create_server(("127.0.0.1", 0))
    sent = [0]
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                conn.sendall(head + f"Content-Length: {length}\r\n\r\n".encode())
                try:
                    for _ in range(length):
                        if done.is_set():
                            break
                        conn.sendall(b" ")
                        sent[0] += 1
                        time.sleep(every)
                except OSError:
                    pass  # the client hung up: what we want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", sent
    finally:
        done.set()
        thread.join(timeout=5)
        listener.close()


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "citekit-request" and t.is_alive()]


def _source(name: str, url: str, timeout: float, cache: Path) -> Any:
    kind = {"crossref": CrossrefSource, "openalex": OpenAlexSource, "dblp": DblpSource}[name]
    settings = Settings(**{f"{name}_url": url}, mailto="", timeout=timeout)
    return kind(settings, Cache(cache), sleep=lambda _s: None, retry=RetryPolicy(attempts=1))


class OpenAlexBomb(OpenAlexServer):
    """OpenAlex, except that every work answers with the gzip bomb."""

    bomb = b""

    def respond(self, request: Request) -> Response:
        if request.path.startswith("/works/"):
            return Response(200, self.bomb, "application/json", {"Content-Encoding": "gzip"})
        return super().respond(request)


def test_a_gzip_bomb_from_openalex_is_refused_at_the_cap(tmp_path: Path) -> None:
    OpenAlexBomb.bomb = gzip_bomb(64)  # inflates to 64 MiB, 4 times the cap
    with OpenAlexBomb() as server:
        source = _source("openalex", server.url, 10.0, tmp_path)
        with pytest.raises(SourceUnavailable, match="larger than 16 MB"):
            source.work("10.5555/bomb")


@pytest.mark.parametrize("name", ["crossref", "openalex", "dblp"])
@pytest.mark.parametrize("timeout", [0.2])
def test_no_request_thread_reads_on_after_its_deadline(
    tmp_path: Path, timeout: float, name: str
) -> None:
    with trickle_server() as (url, sent):
        source = _source(name, url, timeout, tmp_path)
        start = time.monotonic()
        with pytest.raises(SourceUnavailable):
            if name == "dblp":
                source.record("conf/slow/Slow20")
            else:
                source.work("10.5555/slow")
        assert time.monotonic() - start < 3 * timeout + 1.0
        time.sleep(timeout + 0.3)  # one read at most after the deadline
        assert _request_threads() == []
        at_deadline = sent[0]
        time.sleep(0.5)
        assert sent[0] <= at_deadline + 2  # nobody is reading any more
