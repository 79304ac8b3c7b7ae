"""Send a :class:`SyncPlan` and read every index of every answer (no pyzotero here).

Writes go through a ``post(kind, payload, since) -> (report, new_library_version)``
callable (see :mod:`citekit.zotero.sync`). Before each item batch the creates' keys are
recorded as pending and the state is saved; after it, every index is classified as
``successful`` / ``success`` / ``unchanged`` / ``failed`` (an index missing from the answer
counts as failed) and the state is saved again. A per-object 412 means "already there"
for a ``version: 0`` create or "edited meanwhile" for an update: both end the round, and
the next one re-reads and merges.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import SyncError
from .plan import CollectionCreate, ItemCreate, ItemTrash, ItemUpdate, SyncPlan, identify
from .report import Failed, SyncReport
from .shapes import as_int
from .state import RemoteCollection, SyncState, value_hash

__all__ = ["Outcome", "Poster", "Stale", "apply_plan", "outcome"]

_BATCH = 50
_SETS = frozenset({"extra", "collections", "tags", "relations"})  # merged line/set-wise


class Stale(SyncError):
    """The library moved under a write (412): re-read, re-plan, retry.

    ``keys`` are objects a per-object 412 named: the next round reads them by key even
    when the library version says nothing changed (a ``version: 0`` create of a key that
    exists, which citekit's index did not know, is adopted rather than retried forever).
    """

    def __init__(self, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = keys


class Poster(Protocol):
    """What :func:`apply_plan` needs from the API client."""

    def __call__(
        self, kind: str, payload: list[dict[str, Any]], since: int
    ) -> tuple[dict[str, Any], int]: ...


@dataclass(frozen=True)
class Outcome:
    """The result for one index of a multi-object write."""

    status: str  # "ok" | "unchanged" | "failed"
    version: int = 0
    code: int = 0
    message: str = ""
    data: Mapping[str, Any] | None = None


def outcome(report: Mapping[str, Any], index: int, version: int) -> Outcome:
    """Classify index ``index`` of a write report (``version``: the response's header)."""
    idx = str(index)
    successful = _section(report, "successful")
    if idx in successful:
        obj = successful[idx] if isinstance(successful[idx], Mapping) else {}
        data = obj.get("data") if isinstance(obj.get("data"), Mapping) else None
        return Outcome("ok", as_int(obj.get("version")) or version, data=data)
    if idx in _section(report, "success"):
        return Outcome("ok", version)
    if idx in _section(report, "unchanged"):
        return Outcome("unchanged", version)
    failed = _section(report, "failed").get(idx)
    if isinstance(failed, Mapping):
        message = html.unescape(str(failed.get("message") or "no message"))
        return Outcome("failed", code=as_int(failed.get("code")) or 0, message=message[:500])
    return Outcome("failed", message="Zotero's answer says nothing about this object")


def _section(report: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """One section of a write report; anything but an object counts as empty."""
    value = report.get(name)
    return value if isinstance(value, Mapping) else {}


def apply_plan(
    plan: SyncPlan,
    state: SyncState,
    post: Poster,
    save: Callable[[], object],
    report: SyncReport,
) -> None:
    """Write ``plan``; raises :class:`Stale` (after saving) when the round must restart."""
    failed_keys = _collections(plan, state, post, save, report)
    ops = [op for op in plan.writes if not _blocked(op, failed_keys, report)]
    for chunk in _chunks(ops):
        for op in chunk:
            if isinstance(op, ItemCreate):
                state.pending[op.citekey] = op.key
            elif isinstance(op, ItemUpdate):
                sent = state.pending_updates.setdefault(op.citekey, {})
                for name, digest in pushed_hashes(op.changes).items():
                    if digest not in sent.setdefault(name, []):
                        sent[name].append(digest)
        save()
        answer, version = post("items", [op.payload() for op in chunk], state.library_version)
        state.library_version = version
        stale: list[str] = []
        for index, op in enumerate(chunk):
            if _record_item(op, outcome(answer, index, version), plan, state, report):
                stale.append(op.key)
            state.pending_updates.pop(op.citekey, None)
        save()
        if stale:
            raise Stale("an object changed in Zotero while citekit was writing it", tuple(stale))


def pushed_hashes(changes: Mapping[str, Any]) -> dict[str, str]:
    """Field → hash of the value an update sends (plain fields only)."""
    return {k: value_hash(v) for k, v in changes.items() if k not in _SETS}


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]


def _collections(
    plan: SyncPlan, state: SyncState, post: Poster, save: Callable[[], object], report: SyncReport
) -> set[str]:
    """Create collections level by level (parents exist before their children)."""
    failed: set[str] = set()
    levels: dict[int, list[CollectionCreate]] = {}
    for create in plan.collections.creates:
        levels.setdefault(create.path.count("/"), []).append(create)
    for depth in sorted(levels):
        todo = [c for c in levels[depth] if c.parent not in failed]
        failed |= {c.key for c in levels[depth] if c.parent in failed}
        for chunk in _chunks(todo):
            for c in chunk:
                state.pending_collections[c.path] = c.key
            save()
            payload = [
                {"key": c.key, "version": 0, "name": c.name, "parentCollection": c.parent or False}
                for c in chunk
            ]
            answer, version = post("collections", payload, state.library_version)
            state.library_version = version
            stale = False
            for index, c in enumerate(chunk):
                result = outcome(answer, index, version)
                stale |= _record_collection(c, result, state, report, failed)
            save()
            if stale:
                raise Stale("a collection changed in Zotero while citekit was writing it")
    return failed


def _record_collection(
    c: CollectionCreate, result: Outcome, state: SyncState, report: SyncReport, failed: set[str]
) -> bool:
    if result.status == "failed" and result.code == 412:
        return True
    if result.status == "failed":
        failed.add(c.key)
        state.pending_collections.pop(c.path, None)
        report.failed.append(Failed(f"collection {c.path}", result.code, result.message))
        return False
    state.collections[c.path] = c.key
    state.pending_collections.pop(c.path, None)
    state.remote_collections[c.key] = RemoteCollection(result.version, c.name, c.parent)
    report.collections_created.append(c.path)
    return False


def _blocked(op: ItemCreate | ItemUpdate | ItemTrash, failed: set[str], report: SyncReport) -> bool:
    """Items filed under a collection that could not be made are not sent (reported)."""
    if isinstance(op, ItemTrash):
        return False
    wanted = (
        op.item.get("collections") if isinstance(op, ItemCreate) else op.changes.get("collections")
    )
    missing = sorted(set(wanted or []) & failed)
    if missing:
        report.failed.append(
            Failed(
                f"entry {op.citekey}", 0, f"not sent: collection {missing[0]} could not be created"
            )
        )
    return bool(missing)


def _record_item(
    op: ItemCreate | ItemUpdate | ItemTrash,
    result: Outcome,
    plan: SyncPlan,
    state: SyncState,
    report: SyncReport,
) -> bool:
    """Store one item's outcome; True when it calls for a re-read (a per-object 412)."""
    if result.status == "failed":
        if result.code == 412:
            return True
        if isinstance(op, ItemCreate) and 400 <= result.code < 500:
            state.pending.pop(op.citekey, None)  # refused: that key was not created
        report.failed.append(Failed(f"entry {op.citekey}", result.code, result.message))
        return False
    if isinstance(op, ItemTrash):
        state.items.pop(op.citekey, None)
        if op.key in state.remote_items:
            state.remote_items[op.key].trashed = True
            state.remote_items[op.key].version = result.version
        report.trashed.append(op.citekey)
        return False
    after = plan.after[op.citekey]
    # "unchanged" leaves the object's version as it was; a create then is only adoptable
    # after a re-read, so version 0 makes the next sync look at it.
    after.version = (
        result.version
        if result.status == "ok"
        else (op.version if isinstance(op, ItemUpdate) else 0)
    )
    state.items[op.citekey] = after
    state.pending.pop(op.citekey, None)
    _reindex(op, result, after.version, state)
    if isinstance(op, ItemCreate):
        report.created.append(op.citekey)
    elif result.status == "ok":
        report.updated[op.citekey] = dict(op.diff)
    return False


def _reindex(op: ItemCreate | ItemUpdate, result: Outcome, version: int, state: SyncState) -> None:
    if result.data is not None:
        state.remote_items[op.key] = identify(result.data)
        state.remote_items[op.key].version = version
    elif isinstance(op, ItemCreate):
        state.remote_items[op.key] = identify(dict(op.item) | {"version": version})
    elif op.key in state.remote_items:
        state.remote_items[op.key].version = version
