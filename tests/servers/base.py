"""A reusable loopback HTTP replay server with a request log and fault injection.

Real sockets on 127.0.0.1 (port 0, so tests run in parallel), stdlib ``http.server`` in a
daemon thread: the real HTTP stacks inside ``arxiv`` (requests) and ``habanero`` (httpx)
run unchanged. A subclass answers requests in :meth:`ReplayServer.respond`; this base
class logs every request and applies injected faults first::

    with MyServer() as server:
        server.fail("status", status=503, times=2)           # next 2 requests: 503
        server.fail("status", status=429, retry_after="7")   # then one 429 + Retry-After
        server.fail("drop", match="id_list=2005.14165")      # only requests naming that id
        ...
        assert server.count() == 4
        assert server.requests[0].query["id_list"] == ["2005.14165"]

Fault kinds: ``status`` (any code, optional ``retry_after`` header and ``body``),
``delay`` (sleep ``delay`` seconds, then answer normally: drives client timeouts),
``truncate`` (announce the full Content-Length, send half the body, close),
``garbage`` (200 with a non-XML / non-JSON body), ``drop`` (close the connection without
answering). A fault applies to ``times`` matching requests (``None`` = every one).
Faulted requests are logged too (``Request.fault`` names the fault).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["Fault", "ReplayServer", "Request", "Response"]

GARBAGE = b"<html><body><h1>502 Bad Gateway</h1>\x00\xff not what you asked for</body>"


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str  # URL-decoded path
    raw_path: str  # path and query as sent
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived
    fault: str = ""

    def param(self, name: str, default: str = "") -> str:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    """What :meth:`ReplayServer.respond` returns."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """An injected fault (see the module docstring)."""

    kind: str
    match: str = ""  # substring of the raw path+query; "" matches every request
    times: int | None = 1
    status: int = 500
    retry_after: str | None = None
    body: bytes | None = None
    delay: float = 0.0


class ReplayServer:
    """Base loopback server; subclasses implement :meth:`respond`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        #: Called with each request as it arrives (e.g. to stamp it with a fake clock).
        self.on_request: Callable[[Request], None] | None = None
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    # -- public API ------------------------------------------------------------------
    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def count(self, match: str = "") -> int:
        """How many requests arrived whose raw path contains ``match``."""
        with self._lock:
            return sum(1 for r in self.requests if match in r.raw_path)

    def reset_log(self) -> None:
        """Forget the logged requests (faults stay)."""
        with self._lock:
            self.requests.clear()

    def fail(self, kind: str, **options: Any) -> Fault:
        """Inject a fault for the next matching request(s); returns it."""
        if kind not in {"status", "delay", "truncate", "garbage", "drop"}:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- for subclasses ------------------------------------------------------------------
    def respond(self, request: Request) -> Response:
        """The normal answer to ``request`` (override)."""
        return Response(404, b"Resource not found.", "text/plain")

    def garbage_response(self, request: Request) -> Response:
        """What the ``garbage`` fault sends (override to make it source-shaped)."""
        return Response(200, GARBAGE, "text/html")

    # -- internals ---------------------------------------------------------------------
    def _take_fault(self, raw_path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.match in raw_path and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = Request(
                method="GET",
                path=unquote(parts.path),
                raw_path=self.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
            )
            fault = server._take_fault(self.path)
            request.fault = fault.kind if fault else ""
            server._log(request)
            if fault is None:
                self._send(server.respond(request))
            else:
                self._fault(fault, request)

        def _fault(self, fault: Fault, request: Request) -> None:
            if fault.kind == "drop":
                self.close_connection = True
                return
            if fault.kind == "delay":
                time.sleep(fault.delay)
                self._send(server.respond(request))
            elif fault.kind == "garbage":
                self._send(server.garbage_response(request))
            elif fault.kind == "truncate":
                self._send(server.respond(request), truncate=True)
            else:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                body = fault.body if fault.body is not None else _reason(fault.status)
                self._send(Response(fault.status, body, "text/plain", headers))

        def _send(self, response: Response, truncate: bool = False) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            body = response.body[: len(response.body) // 2] if truncate else response.body
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to tell it
            if truncate:
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request log is the record; keep test output clean

    return Handler


def _reason(status: int) -> bytes:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b"Error"
