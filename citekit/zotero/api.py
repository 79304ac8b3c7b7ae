"""The Zotero Web API client of a sync: pyzotero behind checks, retries and bounded waits.

The only module importing pyzotero. pyzotero 1.6.11 (the newest that accepts bibtexparser
2) is used with care:

* ``create_items`` / ``create_collections`` report refused objects as data and return a
  429's JSON body as if it were the report, so every call's status is checked here and
  every answer's shape by :mod:`citekit.zotero.shapes`;
* its ``_set_backoff`` parses ``Backoff`` / ``Retry-After`` with ``float()`` (``soon`` is a
  ``ValueError``) and starts a **non-daemon** ``threading.Timer`` for the duration, which
  kept the process alive up to an hour after citekit was done. :class:`_client` replaces
  that one method: citekit reads those headers itself and waits only when it has another
  request to make;
* writes have no ``timeout`` parameter (the httpx default would be 5 s), so the client's
  timeout is set here.

Every wait goes through the injectable ``sleep`` and is announced through ``notify``
(stderr in the CLI). A server that asks for a longer wait than ``max_wait``, or a run past
``deadline`` seconds or ``max_requests`` requests, stops with one line saying when to try
again; state is saved after every write, so the next run continues where this one stopped.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from ..errors import ConfigError, SyncError
from . import shapes
from .credentials import Credentials, redact

__all__ = ["Api", "Limits", "Unknown", "describe_transport_error"]

_BATCH = 50  # the API's limit per write, and per itemKey= read
_PAGE = 100  # the API's largest page
_RETRYABLE = frozenset({409, 429, 503})  # the server says: not done, try again later
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How long and how much one sync may wait and ask (all injectable for tests)."""

    sleep: Callable[[float], None] = time.sleep
    notify: Callable[[str], None] = lambda _line: None
    clock: Callable[[], float] = time.monotonic
    max_retries: int = 5  # per request, for 429 / 503 / 409 / 5xx on reads
    max_delay: float = 60.0  # citekit's own exponential backoff, when the server names none
    max_wait: float = 600.0  # the longest Backoff / Retry-After citekit sits through
    deadline: float = 1800.0  # seconds for the whole run, waits included
    max_requests: int = 5000  # for the whole run (1,000 entries take about 25)
    transport_retries: int = 2  # a refused or unresolvable server: seconds, not a minute
    timeout: float | None = None  # per request; None: the settings' timeout, at least 60 s
    connect_timeout: float = 10.0


class Unknown(SyncError):
    """A write got no usable answer: it may or may not have landed."""


def _chunks(items: Sequence[T], size: int = _BATCH) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _client(library_id: str, library_type: str, api_key: str) -> Any:
    """A pyzotero client that never starts a backoff timer thread (see the module doc)."""
    from pyzotero import zotero

    class Client(zotero.Zotero):  # type: ignore[misc]
        def _set_backoff(self, duration: Any) -> None:
            return None  # citekit reads Backoff / Retry-After itself (Api._note_pause)

    return Client(library_id, library_type, api_key)


def describe_transport_error(exc: BaseException) -> str:
    """What went wrong on the wire, in a few words (connection refused, name not resolved…)."""
    import httpx

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 6:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return "the connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    if "refused" in text:
        return "connection refused"
    names = ("name or service not known", "nodename nor servname", "name resolution")
    if any(n in text for n in (*names, "getaddrinfo", "no address associated")):
        return "the host name could not be resolved"
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "the TLS handshake failed (certificate or protocol)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without an answer"
    return f"a network error ({type(exc).__name__})"


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Api:
    """pyzotero behind status checks, shape checks, retries, bounded waits and redaction."""

    def __init__(self, credentials: Credentials, url: str, timeout: float, limits: Limits):
        import httpx

        self._zot = _client(credentials.library_id, credentials.library_type, credentials.api_key)
        self._url = url.rstrip("/")
        self._zot.endpoint = self._url
        # 50 items can take long to write (pyzotero #316) and a timeout does not mean the
        # write failed; connecting, though, either happens in seconds or not at all.
        per_request = limits.timeout if limits.timeout is not None else max(timeout, 60.0)
        self._zot.client.timeout = httpx.Timeout(
            per_request, connect=min(per_request, limits.connect_timeout)
        )
        self._secret = credentials.api_key
        self._label = credentials.label
        self._limits = limits
        self._started = limits.clock()
        self._pause_until = 0.0
        self.reads = 0
        self.writes = 0

    # -- waiting ------------------------------------------------------------------------------
    def wait(self, delay: float, why: str) -> None:
        """Sleep ``delay`` seconds (announced), or stop when it is over a limit."""
        limits = self._limits
        left = limits.deadline - (limits.clock() - self._started)
        if delay > limits.max_wait or delay > left:
            when = datetime.now(UTC) + timedelta(seconds=delay)
            limit = (
                f"citekit's limit of {_span(limits.max_wait)} a wait"
                if delay > limits.max_wait
                else f"the {_span(limits.deadline)} a run may take"
            )
            raise SyncError(
                f"Zotero asked to wait {_span(delay)} ({why}), more than {limit}; stopped "
                f"(what was written is recorded): run the sync again after "
                f"{when:%Y-%m-%d %H:%M} UTC"
            )
        if delay <= 0:
            return
        if delay >= 1:
            limits.notify(f"Zotero: {why}; waiting {_span(delay)}")
        limits.sleep(delay)

    def _before_request(self) -> None:
        limits = self._limits
        if self.reads + self.writes >= limits.max_requests:
            raise SyncError(
                f"stopped after {limits.max_requests} requests to Zotero (citekit's limit for "
                "one run); what was written is recorded: run the sync again to continue"
            )
        if limits.clock() - self._started > limits.deadline:
            raise SyncError(
                f"stopped after {_span(limits.deadline)} (citekit's limit for one run); what "
                "was written is recorded: run the sync again to continue"
            )
        remaining = self._pause_until - limits.clock()
        if remaining > 0:
            self.wait(remaining, "the server asked to back off")

    def _note_pause(self, headers: Mapping[str, str], status: int) -> None:
        """``Backoff`` (any answer) or a success's ``Retry-After``: pause before the next one."""
        given = shapes.seconds(headers.get("backoff"))
        if status < 300:
            given = max(given or 0.0, shapes.seconds(headers.get("retry-after")) or 0.0)
        if given:
            self._pause_until = max(self._pause_until, self._limits.clock() + given)

    def _retry_delay(self, headers: Mapping[str, str], attempt: int) -> float:
        given = [shapes.seconds(headers.get(h)) for h in ("retry-after", "backoff")]
        named = [g for g in given if g is not None]
        return max(named) if named else min(2.0**attempt, self._limits.max_delay)

    # -- plumbing -----------------------------------------------------------------------------
    def _status(self, exc: BaseException) -> int:
        cause = exc.__cause__ or exc.__context__
        response = getattr(cause, "response", None)
        if response is not None:
            return int(response.status_code)
        request = getattr(self._zot, "request", None)
        return int(request.status_code) if request is not None else 0

    def _headers(self) -> dict[str, str]:
        request = getattr(self._zot, "request", None)
        return {k.lower(): v for k, v in request.headers.items()} if request is not None else {}

    def _fail(self, status: int, what: str) -> ConfigError | SyncError:
        if status in (401, 403):
            return ConfigError(
                f"Zotero refused the API key for {self._label} (HTTP {status}) "
                f"while {what}; check ZOTERO_API_KEY and that it may write"
            )
        if status == 404:
            return ConfigError(
                f"Zotero has no library {self._label} (HTTP 404); check "
                "--library-id and --library-type"
            )
        return SyncError(
            f"Zotero answered HTTP {status} while {what} in {self._label}; try again later"
        )

    def _call(self, call: Callable[[], T]) -> tuple[T | None, int, dict[str, str]]:
        from pyzotero.zotero_errors import PyZoteroError

        result: T | None = None
        self._zot.request = None  # a failed call must not leave the last answer's status
        try:
            result = call()
            status = int(self._zot.request.status_code)
        except (PyZoteroError, ValueError) as exc:  # ValueError: a body that is not JSON
            status = self._status(exc)
            result = None
        headers = self._headers() if status else {}
        self._note_pause(headers, status)
        return result, status, headers

    # -- reads --------------------------------------------------------------------------------
    def get(self, call: Callable[[], T], what: str) -> tuple[T, dict[str, str]]:
        """One read, retried on 429 / 503 / 409 / 5xx and briefly on transport errors."""
        import httpx

        status, transport = 0, 0
        for attempt in range(self._limits.max_retries + 1):
            self._before_request()
            self.reads += 1
            try:
                result, status, headers = self._call(call)
            except httpx.TransportError as exc:
                cause = describe_transport_error(exc)
                transport += 1
                if transport > self._limits.transport_retries:
                    raise SyncError(
                        f"cannot reach Zotero at {self._url} while {what}: {cause}; check "
                        "the network and zotero_url, then run the sync again"
                    ) from None
                self.wait(min(2.0 ** (transport - 1), 4.0), f"{cause} at {self._url}, retrying")
                continue
            if status in (200, 304) and result is not None:
                return result, headers
            if status in _RETRYABLE or status == 0 or status >= 500:
                self.wait(self._retry_delay(headers, attempt), f"HTTP {status or 'error'}")
                continue
            raise self._fail(status, what) from None
        raise SyncError(
            f"Zotero did not answer usefully while {what} in {self._label} "
            f"(last HTTP status {status or 'none'}); try again later"
        ) from None

    def versions(self, kind: str, since: int) -> tuple[dict[str, int], int]:
        """``{key: version}`` changed since ``since``, and the library version now."""
        zot = self._zot
        what = f"reading {kind[:-1]} versions"
        if kind == "items":
            data, headers = self.get(lambda: zot.item_versions(since=since, includeTrashed=1), what)
        else:
            data, headers = self.get(lambda: zot.collection_versions(since=since), what)
        return shapes.versions(data, what), _version(headers)

    def everything(self, kind: str) -> tuple[list[dict[str, Any]], int]:
        """All objects (items incl. trashed, or collections), page by page.

        Paging stops at ``Total-Results``, at an empty or short page, and with an error
        when a page repeats objects already read (a server ignoring ``start``); the
        request and time limits bound the rest.
        """
        zot = self._zot
        what = f"reading {kind}"
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        version = -1
        while True:
            start = len(out)
            if kind == "items":
                call = partial(zot.items, limit=_PAGE, start=start, includeTrashed=1)
            else:
                call = partial(zot.collections, limit=_PAGE, start=start)
            page, headers = self.get(call, what)
            objs = shapes.objects(page, what)
            version = _version(headers) if version < 0 else version
            if any(o["key"] in seen for o in objs):
                raise SyncError(
                    f"Zotero sent the same {kind} again while {what} (start={start} was "
                    f"ignored); stopped after {self.reads} reads: check zotero_url"
                )
            seen.update(o["key"] for o in objs)
            out += objs
            total = shapes.total_results(headers)
            if not objs or (len(out) >= total if total is not None else len(objs) < _PAGE):
                return out, version

    def by_keys(self, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Objects by key, at most 50 a request."""
        zot = self._zot
        what = f"reading {kind}"
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(keys)):
            joined = ",".join(chunk)
            if kind == "items":
                call = partial(zot.items, itemKey=joined, includeTrashed=1, limit=_BATCH)
            else:
                call = partial(zot.collections, collectionKey=joined, limit=_BATCH)
            page, _ = self.get(call, what)
            out += shapes.objects(page, what)
        return out

    def deleted(self, since: int) -> dict[str, list[str]]:
        """Keys deleted since ``since``, by kind."""
        zot = self._zot
        data, _ = self.get(lambda: zot.deleted(since=since), "reading deletions")
        return shapes.deleted(data)

    # -- writes -------------------------------------------------------------------------------
    def post(
        self, kind: str, payload: list[dict[str, Any]], since: int
    ) -> tuple[dict[str, Any], int]:
        """One multi-object write (≤ 50) under ``If-Unmodified-Since-Version: since``."""
        import httpx

        from .apply import Stale

        zot = self._zot
        for attempt in range(self._limits.max_retries + 1):
            self._before_request()
            self.writes += 1
            body = copy.deepcopy(payload)  # create_collections mutates its input
            write = zot.create_items if kind == "items" else zot.create_collections
            try:
                result, status, headers = self._call(partial(write, body, last_modified=since))
            except httpx.TransportError as exc:
                raise Unknown(
                    redact(
                        f"no answer to a {kind} write ({describe_transport_error(exc)})",
                        self._secret,
                    )
                ) from None
            if status == 200 and isinstance(result, dict):
                return result, _version(headers, since)
            if status == 412:
                raise Stale(f"the library changed since version {since}")
            if status in _RETRYABLE:
                self.wait(self._retry_delay(headers, attempt), f"HTTP {status}")
                continue
            if status == 0 or status >= 500 or status == 200:
                raise Unknown(f"HTTP {status} to a {kind} write")
            raise self._fail(status, f"writing {kind}") from None
        raise SyncError(f"Zotero kept refusing a {kind} write (rate limited); try again later")


def _version(headers: Mapping[str, str], default: int = 0) -> int:
    number = shapes.as_int(headers.get("last-modified-version"))
    return default if number is None else number
