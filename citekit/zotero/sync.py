"""Sync records into a Zotero library over the Web API v3: the rounds of one run.

One sync is at most two *rounds*. A round reads what changed since the state's library
version (everything on the first sync), plans (:mod:`citekit.zotero.plan`), then writes:
collections top-down, then items, at most 50 objects a POST, one request at a time.
Every write carries ``If-Unmodified-Since-Version`` (the library version citekit last
saw), so nothing changed behind its back can be overwritten, and creates carry keys chosen
by citekit with ``version: 0`` and are recorded in the state *before* they are sent. A
412, a lost answer or a 5xx of unknown outcome ends the round; the next round re-reads,
adopts whatever did land (by its pending key), merges three-way again and continues.

The HTTP side (pyzotero, status and shape checks, retries, bounded waits) is
:mod:`citekit.zotero.api`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..config import Settings
from ..errors import ConfigError, SyncError
from ..model import Record
from .api import Api, Limits, Unknown
from .apply import Stale, apply_plan
from .credentials import Credentials, redact
from .remote import plan_round, refresh, settle
from .report import Failed, SyncReport
from .state import SyncState, load_state, save_state, state_path

__all__ = ["KEY_ALPHABET", "SyncOptions", "random_key", "sync_zotero"]

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def random_key() -> str:
    """A fresh Zotero object key (8 characters of the alphabet Zotero allows)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class SyncOptions:
    """How to sync. ``sleep``, ``notify``, ``clock`` and ``new_key`` are injectable.

    ``notify`` receives one line per wait (the CLI prints it on stderr). The limits are
    :class:`~citekit.zotero.api.Limits`'s: ``max_wait`` for one ``Backoff`` /
    ``Retry-After``, ``deadline`` and ``max_requests`` for the whole run.
    """

    dry_run: bool = False
    prune: bool = False
    sleep: Callable[[float], None] = time.sleep
    notify: Callable[[str], None] = lambda _line: None
    clock: Callable[[], float] = time.monotonic
    new_key: Callable[[], str] = random_key
    max_rounds: int = 2  # the first try and one retry after a 412 or a lost answer
    max_retries: int = 5  # per request, for 429 / 503 / 409 / 5xx on reads
    max_delay: float = 60.0
    max_wait: float = Limits.max_wait
    deadline: float = Limits.deadline
    max_requests: int = Limits.max_requests
    timeout: float | None = None  # per request; None: settings.timeout, at least 60 s

    def limits(self) -> Limits:
        """The :class:`Limits` these options ask for."""
        return Limits(
            sleep=self.sleep,
            notify=self.notify,
            clock=self.clock,
            max_retries=self.max_retries,
            max_delay=self.max_delay,
            max_wait=self.max_wait,
            deadline=self.deadline,
            max_requests=self.max_requests,
            timeout=self.timeout,
        )


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
    # the API key goes only to a URL the user chose (never one a project file set)
    api = Api(credentials, settings.credential_url("zotero_url"), settings.timeout, opts.limits())

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
    api: Api,
    state: SyncState,
    records: Sequence[Record],
    opts: SyncOptions,
    save: Callable[[], None],
    report: SyncReport,
) -> None:
    reread: tuple[str, ...] = ()
    for round_no in range(1, opts.max_rounds + 1):
        report.rounds = round_no
        fetched = refresh(api, state, reread)
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
        except (Stale, Unknown) as exc:
            last = str(exc)
            reread = exc.keys if isinstance(exc, Stale) else ()
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
