"""One round's reading and planning: bring the state's index up to date, then plan.

The first sync reads the whole library (items including the trash, and collections);
later ones ask for ``format=versions`` since the state's library version (one request
when nothing changed at all), then ``/deleted`` and the changed objects by key. Before
planning, the data of every matched item whose state says it may differ is read, 50
keys a request. No pyzotero here: reads go through a :class:`Reader`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from ..model import Record
from ..writers.zotero import collection_paths, normalize_path, record_to_item
from ..writers.zotero_limits import collection_too_long
from .identity import identify
from .plan import LocalEntry, SyncPlan, make_plan, match_entries, needs_data, plan_collections
from .state import RemoteCollection, SyncState

__all__ = ["Reader", "plan_round", "refresh", "settle"]


class Reader(Protocol):
    """The reads a round needs (implemented over pyzotero in :mod:`citekit.zotero.sync`)."""

    def versions(self, kind: str, since: int) -> tuple[dict[str, int], int]: ...

    def everything(self, kind: str) -> tuple[list[dict[str, Any]], int]: ...

    def by_keys(self, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]: ...

    def deleted(self, since: int) -> dict[str, list[str]]: ...


def refresh(api: Reader, state: SyncState, also: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Bring the state's index up to date; return the item data read on the way.

    ``also``: item keys to read in any case (named by a per-object 412).
    """
    fetched = _by_keys(api, state, also) if also and state.library_version else {}
    return fetched | _refresh(api, state)


def _by_keys(api: Reader, state: SyncState, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    fetched = {str(o["key"]): dict(o["data"]) for o in api.by_keys("items", keys)}
    for key, data in fetched.items():
        state.remote_items[key] = identify(data)
    return fetched


def _refresh(api: Reader, state: SyncState) -> dict[str, dict[str, Any]]:
    if state.library_version == 0:
        items, version = api.everything("items")
        collections, _ = api.everything("collections")
        state.remote_items = {str(o["key"]): identify(o["data"]) for o in items}
        state.remote_collections = {}
        _index_collections(state, collections)
        state.library_version = version
        return {str(o["key"]): dict(o["data"]) for o in items}
    since = state.library_version
    item_versions, version = api.versions("items", since)
    if version == since:
        return {}  # nothing at all changed in the library
    coll_versions, _ = api.versions("collections", since)
    gone = api.deleted(since)
    for key in gone.get("items", []):
        state.remote_items.pop(key, None)
    for key in gone.get("collections", []):
        state.remote_collections.pop(key, None)
    stale = [
        k
        for k, v in item_versions.items()
        if k not in state.remote_items or state.remote_items[k].version != v
    ]
    fetched = _by_keys(api, state, stale)
    stale = [
        k
        for k, v in coll_versions.items()
        if k not in state.remote_collections or state.remote_collections[k].version != v
    ]
    _index_collections(state, api.by_keys("collections", stale))
    state.library_version = version
    return fetched


def _index_collections(state: SyncState, objects: Iterable[Mapping[str, Any]]) -> None:
    for obj in objects:
        data = obj["data"]
        state.remote_collections[str(obj["key"])] = RemoteCollection(
            version=int(data.get("version") or obj.get("version") or 0),
            name=str(data.get("name") or ""),
            parent=str(data.get("parentCollection") or ""),
            trashed=bool(data.get("deleted")),
        )


def plan_round(
    api: Reader,
    state: SyncState,
    records: Sequence[Record],
    fetched: dict[str, dict[str, Any]],
    new_key: Callable[[], str],
    prune: bool,
) -> SyncPlan:
    """Plan one round: collection keys, the entries' item JSON, and the needed item data."""

    def fresh_key() -> str:
        key = new_key()
        while key in state.remote_items or key in state.remote_collections:
            key = new_key()
        return key

    records, refused = _without_long_collections(records)
    collections = plan_collections(collection_paths(records), state, fresh_key)
    entries = [LocalEntry(r.key, record_to_item(r, collections.keys)) for r in records]
    matches, _ = match_entries(entries, state)
    by_citekey = {e.citekey: e for e in entries}
    wanted = {m.key for m in matches if needs_data(by_citekey[m.citekey], m, state)}
    missing = [k for k in wanted if k not in fetched]
    for obj in api.by_keys("items", missing):
        fetched[str(obj["key"])] = dict(obj["data"])
        state.remote_items[str(obj["key"])] = identify(obj["data"])
    data = {k: fetched[k] for k in wanted if k in fetched}
    plan = make_plan(entries, state, collections, data, new_key=fresh_key, prune=prune)
    plan.refused = refused
    return plan


def _some(keys: Sequence[str]) -> str:
    return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def _without_long_collections(
    records: Sequence[Record],
) -> tuple[list[Record], list[tuple[str, int, str]]]:
    """Records without collection paths whose names Zotero refuses (over 255 characters).

    Such a name cannot be shortened without renaming the collection, so it is reported
    (one line per collection) and its entries are sent, filed in their other collections.
    """
    long = {p: collection_too_long(p) for p in collection_paths(records) if collection_too_long(p)}
    if not long:
        return list(records), []
    out: list[Record] = []
    filed: dict[str, list[str]] = {}
    for record in records:
        keep = [c for c in record.collections if normalize_path(c) not in long]
        for path in record.collections:
            if normalize_path(path) in long:
                filed.setdefault(normalize_path(path), []).append(record.key)
        out.append(
            record.with_(collections=tuple(keep)) if len(keep) < len(record.collections) else record
        )
    refused = [
        (
            f"collection {path[:80]}{'…' if len(path) > 80 else ''}",
            413,
            f"a name over 255 characters ({len(long[path])}), which Zotero refuses: not "
            f"created; {_some(keys)} sent without it; shorten the name in the .bib",
        )
        for path, keys in sorted(filed.items())
        if not any(p != path and path.startswith(p + "/") for p in filed)  # the topmost only
    ]
    return out, refused


def settle(state: SyncState, plan: SyncPlan) -> None:
    """Record what needs no write: matched collections, items already in agreement."""
    creating = {c.path for c in plan.collections.creates}
    for path, key in plan.collections.keys.items():
        if path not in creating:
            state.collections[path] = key
            state.pending_collections.pop(path, None)
    writing = {op.citekey for op in plan.writes}
    for citekey, after in plan.after.items():
        if citekey not in writing:
            state.items[citekey] = after
    # Creates of this plan record their keys again right before they are sent.
    state.pending = {c: k for c, k in state.pending.items() if c in writing}
