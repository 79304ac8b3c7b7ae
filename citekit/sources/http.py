"""What the sources share: retry policy (bounded attempts, backoff with jitter), deadlines,
a bounded GET, and the cleaning of untrusted text from an answer.

Pure arithmetic; the sources own the sleeping (an injected ``sleep``) so tests run on a
fake clock. No third-party imports (the bounded GET is stdlib ``urllib``).
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from ..errors import NotFound, RateLimited, SourceError, SourceUnavailable

__all__ = [
    "RETRYABLE_STATUS",
    "Problem",
    "RetryPolicy",
    "Stop",
    "deadline_for",
    "get_bounded",
    "parse_retry_after",
    "read_capped",
    "retrying",
    "squash",
    "within",
]

T = TypeVar("T")

# Control characters no .bib reader accepts, and the bidi overrides/isolates that can make
# a title display differently from what it is ("Trojan Source"); LRM/RLM marks, which
# right-to-left titles legitimately use, are kept.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def squash(text: str) -> str:
    """Untrusted answer text made safe: unsafe characters dropped, whitespace collapsed."""
    return " ".join(_UNSAFE.sub("", text).split())


#: Answers worth asking again: rate limits and transient server trouble.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request.

    ``attempts`` counts every try (first one included). Waits grow as
    ``base * 2**retry`` up to ``cap``, each drawn uniformly from its upper half ("equal
    jitter"), so a crowd of clients does not retry in step. A ``Retry-After`` longer
    than ``max_retry_after`` is not waited out: the item fails as rate-limited instead.
    """

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0
    max_retry_after: float = 60.0

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        ceiling = min(self.cap, self.base * (2.0**retry))
        draw = (rng or random).random()
        return ceiling / 2 + draw * ceiling / 2

    def wait_for(self, retry: int, retry_after: float | None) -> float:
        """The wait before retry ``retry``: ``Retry-After`` when given, else backoff."""
        if retry_after is not None:
            return max(retry_after, 0.0)
        return self.backoff(retry)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


class Problem(Exception):
    """One failed try. Sources raise it inside :func:`retrying` and translate the last one.

    ``status`` is the HTTP status when there was an answer; ``retry_after`` the server's
    ``Retry-After`` in seconds; ``retryable`` False for answers that will not change.
    """

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.retryable = status is None or status in RETRYABLE_STATUS
        if retryable is not None:
            self.retryable = retryable

    def as_error(self, source: str, label: str, not_found: str = "") -> SourceError:
        """The error a source raises for this, its last try: :class:`NotFound` for a 404
        (with ``not_found`` as its message, when the source has one), :class:`RateLimited`
        for a 429, :class:`SourceUnavailable` for anything else."""
        if self.status == 404 and not_found:
            return NotFound(source, label, not_found, 404)
        if self.status == 429:
            message = "rate limited (HTTP 429); wait a few minutes and run again"
            return RateLimited(source, label, message, 429, self.retry_after)
        return SourceUnavailable(source, label, f"{self.reason}; try again later", self.status)


def retrying(call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None]) -> T:
    """``call()``, retried on :class:`Problem` under ``policy``; re-raises the last Problem."""
    for attempt in range(policy.attempts):
        try:
            return call()
        except Problem as problem:
            too_long = (problem.retry_after or 0.0) > policy.max_retry_after
            if not problem.retryable or too_long or attempt + 1 >= policy.attempts:
                raise
            sleep(policy.wait_for(attempt, problem.retry_after))
    raise Problem("no attempt allowed")  # attempts < 1


def deadline_for(timeout: float) -> float:
    """Seconds one whole request may take: a client's timeout bounds each read, not the sum."""
    return 3 * timeout


class Stop:
    """A request's end: its deadline, and whether the caller has stopped waiting.

    Body readers call :meth:`check` between reads, so a request never keeps reading (or
    inflating) after its deadline, also when the caller has abandoned its thread.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + seconds
        self._seconds = seconds
        self.abandoned = threading.Event()

    def check(self) -> None:
        """Raise :class:`Problem` once the deadline has passed or the caller gave up."""
        if self.abandoned.is_set() or self._clock() > self._end:
            raise Problem(f"no complete answer within {self._seconds:g} s")


def read_capped(chunks: Iterable[bytes], limit: int, stop: Stop | None = None) -> bytes:
    """The concatenated ``chunks``; Problem when they exceed ``limit`` bytes (not retried)
    or when ``stop`` says the request is over."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise Problem(f"answer larger than {limit // (1024 * 1024)} MB", retryable=False)
        if stop is not None:
            stop.check()
    return bytes(body)


def within(seconds: float, call: Callable[[], T], stop: Stop | None = None) -> T:
    """``call()``, or :class:`Problem` when it has not returned within ``seconds``.

    Why a thread: the HTTP clients apply their timeout to each socket read, so a server
    that answers one byte a second keeps them busy forever. The call runs in a daemon
    thread; when it overstays, ``stop`` is marked abandoned, so a body reader that checks
    it (:func:`read_capped`) ends at its next read instead of reading on.
    """
    box: dict[str, Any] = {}
    finished = threading.Event()

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=run, name="citekit-request", daemon=True).start()
    if not finished.wait(seconds):
        if stop is not None:
            stop.abandoned.set()
        raise Problem(f"no complete answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def get_bounded(
    url: str, headers: Mapping[str, str], timeout: float, limit: int, stop: Stop
) -> bytes:
    """The body of ``GET url`` (stdlib ``urllib``), at most ``limit`` bytes, read in chunks.

    Each read waits at most ``timeout``; ``stop`` ends the reading at the request's deadline
    (or when the caller gave up). No compression is asked for and none is undone, so the
    limit bounds memory. HTTP errors become :class:`Problem` with their status and
    ``Retry-After``; connection trouble a retryable Problem.
    """
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = (response.headers.get("Content-Length") or "").strip()
            if declared.isdigit() and int(declared) > limit:
                raise Problem(f"answer too large ({int(declared)} bytes)", retryable=False)
            # read1: one socket read per chunk, so ``stop`` is looked at after every read
            body = read_capped(iter(lambda: response.read1(64 * 1024), b""), limit, stop)
    except urllib.error.HTTPError as exc:
        wait = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        raise Problem(f"HTTP {exc.code}", exc.code, wait) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if "timed out" in str(reason) or isinstance(reason, TimeoutError):
            raise Problem(f"no answer in time ({type(reason).__name__})") from None
        raise Problem(f"connection failed ({type(reason).__name__})") from None
    if declared.isdigit() and len(body) < int(declared):
        raise Problem(f"connection failed (truncated answer: {len(body)} of {declared} bytes)")
    return body
