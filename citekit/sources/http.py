"""What the sources share: retry policy (bounded attempts, backoff with jitter), deadlines,
and the cleaning of untrusted text from an answer.

Pure arithmetic; the sources own the sleeping (an injected ``sleep``) so tests run on a
fake clock. No third-party imports.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

__all__ = [
    "RETRYABLE_STATUS",
    "Problem",
    "RetryPolicy",
    "deadline_for",
    "parse_retry_after",
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


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, or :class:`Problem` when it has not returned within ``seconds``.

    Why a thread: the HTTP clients inside ``arxiv`` (requests) and ``habanero`` (httpx)
    apply their timeout to each socket read, so a server that answers one byte a second
    keeps them busy forever. The call runs in a daemon thread; one that overstays is
    abandoned (it ends with its socket, or with the process) and the caller moves on.
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
        raise Problem(f"no complete answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value
