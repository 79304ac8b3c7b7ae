"""Sync records into a Zotero library over the Web API v3 (the only module importing pyzotero).

One sync is at most two *rounds*. A round reads what changed since the state's library
version (everything on the first sync), plans (:mod:`citekit.zotero.plan`), then writes:
collections top-down, then items, at most 50 objects a POST, one request at a time.
Every write carries ``If-Unmodified-Since-Version`` (the library version citekit last
saw), so nothing changed behind its back can be overwritten, and creates carry keys chosen
by citekit with ``version: 0`` and are recorded in the state *before* they are sent. A
412, a lost answer or a 5xx of unknown outcome ends the round; the next round re-reads,
adopts whatever did land (by its pending key), merges three-way again and continues.

pyzotero 1.6.11 (the newest that accepts bibtexparser 2) is used with care:
``create_items`` / ``create_collections`` report refused objects as data and return a
429's JSON body as if it were the report, and they have no ``timeout`` parameter (the
httpx default would be 5 s), so citekit checks ``zot.request.status_code`` and every
index of every report itself, sets the client's timeout, and does its own waiting on
429 / 503 / 409 / ``Backoff`` / ``Retry-After`` through an injectable ``sleep`` (clearing
pyzotero's own timer so the wait is not doubled).
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from ..config import Settings
from ..errors import ConfigError, SyncError
from ..model import Record
from .apply import Stale, apply_plan
from .credentials import Credentials, redact
from .remote import plan_round, refresh, settle
from .report import Failed, SyncReport
from .state import SyncState, load_state, save_state, state_path

__all__ = ["KEY_ALPHABET", "SyncOptions", "random_key", "sync_zotero"]

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
_BATCH = 50  # the API's limit per write, and per itemKey= read
_RETRYABLE = frozenset({409, 429, 503})  # the server says: not done, try again later
T = TypeVar("T")


def random_key() -> str:
    """A fresh Zotero object key (8 characters of the alphabet Zotero allows)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class SyncOptions:
    """How to sync. ``sleep`` and ``new_key`` are injectable for tests."""

    dry_run: bool = False
    prune: bool = False
    sleep: Callable[[float], None] = time.sleep
    new_key: Callable[[], str] = random_key
    max_rounds: int = 2  # the first try and one retry after a 412 or a lost answer
    max_retries: int = 5  # per request, for 429 / 503 / 409 / transport errors on reads
    max_delay: float = 60.0


class _Unknown(SyncError):
    """A write got no usable answer: it may or may not have landed."""


def _chunks(items: Sequence[T], size: int = _BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Api:
    """pyzotero behind status checks, retries, waits and redaction; counts requests."""

    def __init__(self, credentials: Credentials, url: str, timeout: float, opts: SyncOptions):
        from pyzotero import zotero

        self._zot = zotero.Zotero(
            credentials.library_id, credentials.library_type, credentials.api_key
        )
        self._zot.endpoint = url.rstrip("/")
        # 1.6.11's writes use the client's default timeout (httpx: 5 s); 50 items can take
        # longer (pyzotero #316), and a timeout does not mean the write failed.
        self._zot.client.timeout = max(timeout, 60.0)
        self._secret = credentials.api_key
        self._label = credentials.label
        self._opts = opts
        self.reads = 0
        self.writes = 0

    # -- plumbing ---------------------------------------------------------------------------
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

    def _settle_backoff(self, headers: Mapping[str, str], status: int) -> None:
        """Honour ``Backoff`` (and a 200's ``Retry-After``) ourselves, not pyzotero's timer."""
        self._zot.backoff = False
        self._zot.backoff_duration = 0.0
        wait = headers.get("backoff") or (headers.get("retry-after") if status < 300 else None)
        if wait:
            self._opts.sleep(min(float(wait), self._opts.max_delay))

    def _delay(self, headers: Mapping[str, str], attempt: int) -> float:
        given = headers.get("retry-after") or headers.get("backoff")
        try:
            return (
                min(float(given), self._opts.max_delay)
                if given
                else min(2.0**attempt, self._opts.max_delay)
            )
        except ValueError:
            return min(2.0**attempt, self._opts.max_delay)

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
        try:
            result = call()
            status = int(self._zot.request.status_code)
        except (PyZoteroError, ValueError) as exc:  # ValueError: a non-JSON 429 body
            status = self._status(exc)
        headers = self._headers() if status else {}
        self._settle_backoff(headers, status)
        return result, status, headers

    # -- reads ------------------------------------------------------------------------------
    def get(self, call: Callable[[], T], what: str) -> tuple[T, dict[str, str]]:
        """One read, retried on 429 / 503 / 409 / 5xx / transport errors (reads are safe)."""
        import httpx

        status = 0
        for attempt in range(self._opts.max_retries + 1):
            self.reads += 1
            try:
                result, status, headers = self._call(call)
            except httpx.TransportError:
                status, headers, result = 0, {}, None
            if status in (200, 304) and result is not None:
                return result, headers
            if status in _RETRYABLE or status == 0 or status >= 500:
                self._opts.sleep(self._delay(headers, attempt))
                continue
            raise self._fail(status, what) from None
        raise SyncError(
            f"Zotero did not answer usefully while {what} in {self._label} "
            f"(last HTTP status {status or 'none'}); try again later"
        ) from None

    def versions(self, kind: str, since: int) -> tuple[dict[str, int], int]:
        """``{key: version}`` changed since ``since``, and the library version now."""
        zot = self._zot
        if kind == "items":
            data, headers = self.get(
                lambda: zot.item_versions(since=since, includeTrashed=1), "reading item versions"
            )
        else:
            data, headers = self.get(
                lambda: zot.collection_versions(since=since), "reading collection versions"
            )
        return {str(k): int(v) for k, v in dict(data).items()}, _version(headers)

    def everything(self, kind: str) -> tuple[list[dict[str, Any]], int]:
        """All objects (items incl. trashed, or collections), page by page."""
        zot = self._zot
        out: list[dict[str, Any]] = []
        version = -1
        while True:
            start = len(out)
            if kind == "items":
                page, headers = self.get(
                    partial(zot.items, limit=100, start=start, includeTrashed=1), "reading items"
                )
            else:
                page, headers = self.get(
                    partial(zot.collections, limit=100, start=start), "reading collections"
                )
            version = _version(headers) if version < 0 else version
            out += list(page)
            if not page or len(out) >= int(headers.get("total-results", len(out))):
                return out, version

    def by_keys(self, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Objects by key, at most 50 a request."""
        zot = self._zot
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(keys)):
            joined = ",".join(chunk)
            if kind == "items":
                page, _ = self.get(
                    partial(zot.items, itemKey=joined, includeTrashed=1, limit=_BATCH),
                    "reading items",
                )
            else:
                page, _ = self.get(
                    partial(zot.collections, collectionKey=joined, limit=_BATCH),
                    "reading collections",
                )
            out += list(page)
        return out

    def deleted(self, since: int) -> dict[str, list[str]]:
        zot = self._zot
        data, _ = self.get(lambda: zot.deleted(since=since), "reading deletions")
        return {k: [str(x) for x in v] for k, v in dict(data).items() if isinstance(v, list)}

    # -- writes -----------------------------------------------------------------------------
    def post(
        self, kind: str, payload: list[dict[str, Any]], since: int
    ) -> tuple[dict[str, Any], int]:
        """One multi-object write (≤ 50) under ``If-Unmodified-Since-Version: since``."""
        import httpx

        zot = self._zot
        for attempt in range(self._opts.max_retries + 1):
            self.writes += 1
            body = copy.deepcopy(payload)  # create_collections mutates its input
            try:
                if kind == "items":
                    result, status, headers = self._call(
                        partial(zot.create_items, body, last_modified=since)
                    )
                else:
                    result, status, headers = self._call(
                        partial(zot.create_collections, body, last_modified=since)
                    )
            except httpx.TransportError as exc:
                raise _Unknown(
                    redact(f"no answer to a {kind} write ({type(exc).__name__})", self._secret)
                ) from None
            if status == 200 and isinstance(result, dict):
                return result, _version(headers, since)
            if status == 412:
                raise Stale(f"the library changed since version {since}")
            if status in _RETRYABLE:
                self._opts.sleep(self._delay(headers, attempt))
                continue
            if status == 0 or status >= 500 or status == 200:
                raise _Unknown(f"HTTP {status} to a {kind} write")
            raise self._fail(status, f"writing {kind}") from None
        raise SyncError(f"Zotero kept refusing a {kind} write (rate limited); try again later")


def _version(headers: Mapping[str, str], default: int = 0) -> int:
    try:
        return int(headers.get("last-modified-version", default))
    except ValueError:
        return default


# -- the driver ------------------------------------------------------------------------------
def sync_zotero(
    records: Sequence[Record],
    settings: Settings,
    credentials: Credentials,
    options: SyncOptions | None = None,
) -> SyncReport:
    """Sync ``records`` (each with a citation key) into the library of ``credentials``.

    Returns the report; raises :class:`~citekit.errors.ConfigError` when Zotero refuses
    the key or knows no such library, :class:`~citekit.errors.SyncError` when it cannot be
    reached. The state file is saved after every write, so a re-run resumes.
    """
    opts = options or SyncOptions()
    _check_keys(records)
    path = state_path(settings.cache_path, credentials.library_type, credentials.library_id)
    state = load_state(path, credentials.library_type, credentials.library_id)
    report = SyncReport(f"{credentials.library_type} {credentials.library_id}", opts.dry_run)
    api = _Api(credentials, settings.zotero_url, settings.timeout, opts)

    def save() -> None:
        if not opts.dry_run:
            save_state(path, state)

    try:
        _rounds(api, state, records, opts, save, report)
    except ConfigError as exc:
        raise ConfigError(redact(str(exc), credentials.api_key)) from None
    except SyncError as exc:
        raise SyncError(redact(str(exc), credentials.api_key)) from None
    finally:
        report.reads, report.writes = api.reads, api.writes
    return report


def _rounds(
    api: _Api,
    state: SyncState,
    records: Sequence[Record],
    opts: SyncOptions,
    save: Callable[[], None],
    report: SyncReport,
) -> None:
    for round_no in range(1, opts.max_rounds + 1):
        report.rounds = round_no
        fetched = refresh(api, state)
        plan = plan_round(api, state, records, fetched, opts.new_key, opts.prune)
        report.take_plan(plan)
        if opts.dry_run:
            return
        writing = {op.citekey for op in plan.writes}
        # an item that needs no write is settled below with its new base: forget what was sent
        state.pending_updates = {c: v for c, v in state.pending_updates.items() if c in writing}
        settle(state, plan)
        save()
        try:
            apply_plan(plan, state, api.post, save, report)
        except (Stale, _Unknown) as exc:
            last = str(exc)
            continue
        report.library_version = state.library_version
        return
    report.failed.append(
        Failed(
            "library",
            412,
            f"{last}; not retried again: run the sync again to continue where it stopped",
        )
    )


def _check_keys(records: Sequence[Record]) -> None:
    seen: set[str] = set()
    for record in records:
        if not record.key:
            raise SyncError(
                f"an entry titled {record.title[:60]!r} has no citation key; "
                "run citekit check and give it one"
            )
        if record.key in seen:
            raise SyncError(f"citation key {record.key!r} appears twice; make it unique")
        seen.add(record.key)
