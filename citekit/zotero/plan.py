"""What a sync would do: match .bib entries to Zotero items and diff them (pure, no I/O).

The inputs are plain data: the Zotero item JSON of every entry (from
:func:`citekit.writers.zotero.record_to_item`), the remote library as the state's index
knows it plus the full data of the items that need a look, and the :class:`SyncState`.
The output is a :class:`SyncPlan`: collections to create (top-down, keys chosen here),
items to create (keys chosen here, ``version: 0``), updates (only the owned fields that
changed on the .bib side), trashes (``--prune``), and what to report: conflicts, Zotero
edits that are kept, entries skipped and why.

Matching order: the state's key → a pending create's key → citation key (``citationKey``,
or ``Citation Key:`` / ``bibtex:`` in Extra) → DOI → versionless arXiv id. Anything
ambiguous is skipped and reported, never guessed. Field merge is three-way against the
hashes of what was last pushed (see :mod:`citekit.zotero.merge`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .identity import identify, normalize_arxiv, normalize_doi
from .merge import Change, ItemDiff, diff_item, intended_state
from .state import ItemState, RemoteCollection, RemoteItem, SyncState, value_hash

__all__ = [
    "CollectionCreate",
    "CollectionPlan",
    "ItemCreate",
    "ItemTrash",
    "ItemUpdate",
    "LocalEntry",
    "Match",
    "Skip",
    "SyncPlan",
    "identify",
    "make_plan",
    "match_entries",
    "needs_data",
    "normalize_arxiv",
    "normalize_doi",
    "plan_collections",
]

_NOT_BIBLIOGRAPHIC = frozenset({"note", "attachment", "annotation"})


@dataclass(frozen=True)
class LocalEntry:
    """One .bib entry as Zotero item JSON (no ``key``/``version``)."""

    citekey: str
    item: Mapping[str, Any]

    @property
    def identity(self) -> RemoteItem:
        return identify(self.item)


@dataclass(frozen=True)
class Match:
    """An entry found in Zotero: the item ``key`` and how it was found."""

    citekey: str
    key: str
    by: str  # "state" | "pending" | "citation key" | "DOI" | "arXiv id"


@dataclass(frozen=True)
class Skip:
    """An entry left alone, and why (the user has to look at it)."""

    citekey: str
    reason: str
    key: str = ""


@dataclass(frozen=True)
class CollectionCreate:
    """A collection to create, with the key citekit chose."""

    path: str
    key: str
    name: str
    parent: str  # parent key, "" at the top


@dataclass(frozen=True)
class CollectionPlan:
    """Collection path → key (existing or to be created), and what to create, top-down."""

    keys: dict[str, str]
    creates: tuple[CollectionCreate, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemCreate:
    """A new item: the entry's JSON plus a key citekit chose and ``version: 0``."""

    citekey: str
    key: str
    item: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        body = {k: v for k, v in self.item.items() if k != "relations"}
        return body | {"key": self.key, "version": 0}


@dataclass(frozen=True)
class ItemUpdate:
    """Owned fields to send for an existing item, at its last-seen version."""

    citekey: str
    key: str
    version: int
    changes: Mapping[str, Any]
    diff: Mapping[str, tuple[Any, Any]]

    def payload(self) -> dict[str, Any]:
        return dict(self.changes) | {"key": self.key, "version": self.version}


@dataclass(frozen=True)
class ItemTrash:
    """``--prune``: move an item citekit created to the trash (never a permanent delete)."""

    citekey: str
    key: str
    version: int

    def payload(self) -> dict[str, Any]:
        return {"key": self.key, "version": self.version, "deleted": 1}


@dataclass
class SyncPlan:
    """Everything one sync round would do and report."""

    base_version: int
    collections: CollectionPlan
    creates: list[ItemCreate] = field(default_factory=list)
    updates: list[ItemUpdate] = field(default_factory=list)
    trashes: list[ItemTrash] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (citekey, key) not in .bib
    #: (target, code, message) refused before sending (a value Zotero would answer 413 to)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    after: dict[str, Any] = field(default_factory=dict)  # citekey → ItemState once applied

    @property
    def writes(self) -> list[ItemCreate | ItemUpdate | ItemTrash]:
        """Item operations in the order they are sent."""
        return [*self.creates, *self.updates, *self.trashes]

    @property
    def has_writes(self) -> bool:
        return bool(self.collections.creates or self.writes)


def plan_collections(
    paths: Iterable[str],
    state: SyncState,
    new_key: Callable[[], str],
) -> CollectionPlan:
    """Keys for every path: the state's, a pending create's, a same-named sibling's, or new."""
    keys: dict[str, str] = {}
    creates: list[CollectionCreate] = []
    warnings: list[str] = []
    live = {k: c for k, c in state.remote_collections.items() if not c.trashed}
    for path in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        parent_path, _, name = path.rpartition("/")
        parent = keys.get(parent_path, "") if parent_path else ""
        known = state.collections.get(path) or state.pending_collections.get(path)
        if known and known in live:
            keys[path] = known
            continue
        found = _sibling(live, parent, name)
        if len(found) > 1:
            warnings.append(f"{len(found)} Zotero collections are named {path!r}; using {found[0]}")
        if found:
            keys[path] = found[0]
            continue
        key = state.pending_collections.get(path) or new_key()
        keys[path] = key
        creates.append(CollectionCreate(path, key, name, parent))
    return CollectionPlan(keys, tuple(creates), tuple(warnings))


def _sibling(live: Mapping[str, RemoteCollection], parent: str, name: str) -> list[str]:
    """Existing collections called ``name`` under ``parent``, oldest first."""
    found = [(c.version, k) for k, c in live.items() if c.name == name and c.parent == parent]
    return [k for _, k in sorted(found)]


def match_entries(
    entries: Sequence[LocalEntry], state: SyncState
) -> tuple[list[Match], list[Skip]]:
    """Find each entry's Zotero item in the state's index of the remote library."""
    index = state.remote_items
    matches: dict[str, Match] = {}
    skips: list[Skip] = []
    # Items bound to entries still in the .bib are theirs; an item whose entry left (or
    # was renamed) may be found again by identity rather than duplicated.
    present = {e.citekey for e in entries}
    claimed = {s.key for c, s in state.items.items() if c in present}
    claimed |= {k for c, k in state.pending.items() if c in present}
    for entry in entries:
        known = state.items.get(entry.citekey)
        pending = state.pending.get(entry.citekey)
        if known and known.key in index:
            matches[entry.citekey] = Match(entry.citekey, known.key, "state")
        elif known:
            skips.append(
                Skip(
                    entry.citekey,
                    "its Zotero item was deleted since the last "
                    "sync; remove the entry, or delete the state file to re-create "
                    "it",
                    known.key,
                )
            )
        elif pending and pending in index:
            matches[entry.citekey] = Match(entry.citekey, pending, "pending")
    done = set(matches) | {s.citekey for s in skips}
    for entry in entries:
        if entry.citekey not in done:
            found = _match_identity(entry, index, claimed)
            if isinstance(found, Skip):
                skips.append(found)
            elif found is not None:
                claimed.add(found.key)
                matches[entry.citekey] = found
    out = []
    for m in matches.values():
        if index[m.key].trashed:
            skips.append(
                Skip(
                    m.citekey,
                    "its Zotero item is in the trash; restore it in Zotero or remove the entry",
                    m.key,
                )
            )
        else:
            out.append(m)
    return out, skips


def _match_identity(
    entry: LocalEntry, index: Mapping[str, RemoteItem], claimed: set[str]
) -> Match | Skip | None:
    me = entry.identity
    rules = (
        ("citation key", "citekey", entry.citekey),
        ("DOI", "doi", me.doi),
        ("arXiv id", "arxiv", me.arxiv),
    )
    for label, attr, value in rules:
        if not value:
            continue
        found = sorted(
            k
            for k, r in index.items()
            if getattr(r, attr) == value
            and k not in claimed
            and r.item_type not in _NOT_BIBLIOGRAPHIC
        )
        if len(found) > 1:
            return Skip(
                entry.citekey,
                f"{len(found)} Zotero items share its {label} "
                f"({', '.join(found)}); merge them in Zotero",
                found[0],
            )
        if found:
            other = index[found[0]].citekey
            if other and other != entry.citekey:
                return Skip(
                    entry.citekey,
                    f"the Zotero item with the same {label} has "
                    f"citation key {other!r}; make the keys agree",
                    found[0],
                )
            return Match(entry.citekey, found[0], label)
    return None


def needs_data(entry: LocalEntry, match: Match, state: SyncState) -> bool:
    """Whether the plan must see the remote item's data (else it is known unchanged)."""
    base = state.items.get(entry.citekey)
    if base is None or base.key != match.key:
        return True
    if state.remote_items[match.key].version != base.version:
        return True
    return not base.same_intent(intended_state(entry.item, match.key))


def make_plan(
    entries: Sequence[LocalEntry],
    state: SyncState,
    collections: CollectionPlan,
    remote_data: Mapping[str, Mapping[str, Any]],
    *,
    new_key: Callable[[], str],
    prune: bool = False,
) -> SyncPlan:
    """The whole plan; ``remote_data`` holds the data of every match :func:`needs_data`."""
    plan = SyncPlan(state.library_version, collections)
    matches, plan.skips = match_entries(entries, state)
    plan.matches = matches
    by_key = {m.citekey: m for m in matches}
    skipped = {s.citekey for s in plan.skips}
    for entry in entries:
        if entry.citekey in skipped:
            continue
        found = by_key.get(entry.citekey)
        if found is None:
            key = state.pending.get(entry.citekey) or new_key()
            plan.creates.append(ItemCreate(entry.citekey, key, entry.item))
            plan.after[entry.citekey] = intended_state(entry.item, key, created=True)
            continue
        _plan_match(plan, entry, found, state, remote_data)
    present = {e.citekey for e in entries}
    for citekey, key in state.pending.items():
        remote = state.remote_items.get(key)
        if citekey not in present and remote is not None:  # landed, then left the .bib
            plan.after[citekey] = ItemState(key, remote.version, created=True)
    _plan_left(plan, present, state, prune)
    return plan


def _plan_match(
    plan: SyncPlan,
    entry: LocalEntry,
    found: Match,
    state: SyncState,
    remote_data: Mapping[str, Mapping[str, Any]],
) -> None:
    base = state.items.get(entry.citekey)
    base = base if base is not None and base.key == found.key else None
    data = remote_data.get(found.key)
    if data is None:  # known unchanged on both sides (needs_data said so)
        plan.unchanged.append(entry.citekey)
        return
    created = found.by == "pending" or (base is not None and base.created)
    base = _landed(base, state.pending_updates.get(entry.citekey), data)
    result: ItemDiff = diff_item(entry.citekey, entry.item, data, base, created=created)
    plan.conflicts += result.conflicts
    plan.kept += result.kept
    plan.after[entry.citekey] = result.after
    if result.changes:
        plan.updates.append(
            ItemUpdate(entry.citekey, found.key, int(data["version"]), result.changes, result.diff)
        )
    elif not result.conflicts:
        plan.unchanged.append(entry.citekey)


def _landed(
    base: ItemState | None, pushed: Mapping[str, Sequence[str]] | None, data: Mapping[str, Any]
) -> ItemState | None:
    """The base, with the fields of an interrupted update that did land taken as citekit's."""
    if base is None or not pushed:
        return base
    fields = dict(base.fields)
    for name, digests in pushed.items():
        remote = value_hash(data[name]) if name in data else ""
        if remote and remote in digests:
            fields[name] = remote  # Zotero holds a value citekit sent: not a user's edit
    return replace(base, fields=fields)


def _plan_left(plan: SyncPlan, present: set[str], state: SyncState, prune: bool) -> None:
    """Entries synced before that left the .bib: trash what citekit made, if asked."""
    taken = {m.key for m in plan.matches} | {s.key for s in plan.skips if s.key}
    for citekey, item in sorted(state.items.items()):
        if citekey in present or item.key in taken:
            continue
        remote = state.remote_items.get(item.key)
        if remote is None or remote.trashed:
            continue
        if prune and item.created:
            plan.trashes.append(ItemTrash(citekey, item.key, remote.version))
        else:
            plan.left.append((citekey, item.key))
