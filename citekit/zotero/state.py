"""The sync state file: what citekit last saw in, and pushed to, one Zotero library.

``<cache dir>/zotero-<user|group>-<id>.json``, written atomically after every request
that changed something. It holds the library version, an index of the remote library
(keys, versions, and the identities used for matching: citation key, DOI, arXiv id), the
collection keys citekit uses, for every entry the item key plus hashes of the fields it
pushed (the base of the three-way merge), and the pending creates: keys chosen and
recorded *before* the request goes out, so an interrupted sync adopts rather than
duplicates. It never holds credentials. Stdlib only, no network.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..errors import SyncError
from ..fileio import write_atomic

__all__ = [
    "SCHEMA_VERSION",
    "ItemState",
    "RemoteCollection",
    "RemoteItem",
    "SyncState",
    "load_state",
    "save_state",
    "state_path",
    "value_hash",
]

SCHEMA_VERSION = 1
T = TypeVar("T")


def value_hash(value: Any) -> str:
    """A short, stable hash of a JSON value (what the state keeps instead of the value)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class RemoteItem:
    """One item of the remote library as the index knows it."""

    version: int
    item_type: str = ""
    citekey: str = ""
    doi: str = ""
    arxiv: str = ""
    trashed: bool = False


@dataclass
class RemoteCollection:
    """One collection of the remote library."""

    version: int
    name: str
    parent: str = ""  # parent key, "" at the top
    trashed: bool = False


@dataclass
class ItemState:
    """What citekit knows about the item one entry is synced to.

    ``version`` is the remote version last compared; ``fields`` maps each field citekit
    owns to the hash of the base value (what it pushed, or the .bib value it adopted);
    ``extra`` holds hashes of the Extra lines it owns; ``collections`` and ``tags`` what it
    filed the item under. ``created`` marks items citekit made (the only ones ``--prune``
    may move to the trash).
    """

    key: str
    version: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    created: bool = False

    def same_intent(self, other: ItemState) -> bool:
        """Whether ``other`` asks for exactly what this base records (versions aside)."""
        return (
            self.fields == other.fields
            and sorted(self.extra) == sorted(other.extra)
            and sorted(self.collections) == sorted(other.collections)
            and sorted(self.tags) == sorted(other.tags)
        )


@dataclass
class SyncState:
    """The whole state file."""

    library_type: str
    library_id: str
    library_version: int = 0
    items: dict[str, ItemState] = field(default_factory=dict)  # citation key → state
    collections: dict[str, str] = field(default_factory=dict)  # path → key
    remote_items: dict[str, RemoteItem] = field(default_factory=dict)
    remote_collections: dict[str, RemoteCollection] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)  # citation key → key being created
    pending_collections: dict[str, str] = field(default_factory=dict)  # path → key
    #: citation key → field → hashes of the values updates sent whose answers were never
    #: recorded (saved before each request): a run killed before the answer recognises its
    #: own write next time. Kept until the item's outcome or agreement is recorded.
    pending_updates: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"schemaVersion": SCHEMA_VERSION} | asdict(self)


def state_path(cache_dir: Path, library_type: str, library_id: str) -> Path:
    """``<cache dir>/zotero-<type>-<id>.json``."""
    return cache_dir / f"zotero-{library_type}-{library_id}.json"


def load_state(path: Path, library_type: str, library_id: str) -> SyncState:
    """The state in ``path``, or a fresh one when the file does not exist yet."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SyncState(library_type, library_id)
    except (OSError, ValueError) as exc:
        raise SyncError(
            f"{path}: unreadable sync state ({exc}); move it away to rebuild it from Zotero"
        ) from None
    try:
        return _from_json(raw)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SyncError(
            f"{path}: sync state in an unknown shape ({exc}); move it away to rebuild it"
        ) from None


# The JSON type of every field of the records the file holds (checked on load, so a hand-
# edited or foreign file is refused in one line instead of failing later mid-sync).
_KINDS: dict[type, dict[str, type | tuple[type, ...]]] = {
    ItemState: {
        "key": str,
        "version": int,
        "fields": dict,
        "extra": list,
        "collections": list,
        "tags": list,
        "created": bool,
    },
    RemoteItem: {
        "version": int,
        "item_type": str,
        "citekey": str,
        "doi": str,
        "arxiv": str,
        "trashed": bool,
    },
    RemoteCollection: {"version": int, "name": str, "parent": str, "trashed": bool},
}


def _build(cls: type[T], value: Any) -> T:
    if not isinstance(value, dict):
        raise TypeError(f"{cls.__name__} is a {type(value).__name__}")
    for name, kind in _KINDS[cls].items():
        if name in value and (
            not isinstance(value[name], kind) or isinstance(value[name], bool) is not (kind is bool)
        ):
            raise TypeError(f"{cls.__name__}.{name} is a {type(value[name]).__name__}")
    return cls(**value)


def _strings(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError(f"{what} is not a map of keys")
    return dict(value)


def _from_json(raw: Any) -> SyncState:
    if not isinstance(raw, dict) or raw.get("schemaVersion") != SCHEMA_VERSION:
        version = raw.get("schemaVersion") if isinstance(raw, dict) else type(raw).__name__
        raise ValueError(f"schemaVersion {version!r}")
    if not isinstance(raw["library_version"], int):
        raise TypeError("library_version is not a number")
    return SyncState(
        library_type=str(raw["library_type"]),
        library_id=str(raw["library_id"]),
        library_version=int(raw["library_version"]),
        items={k: _build(ItemState, v) for k, v in raw["items"].items()},
        collections=_strings(raw["collections"], "collections"),
        remote_items={k: _build(RemoteItem, v) for k, v in raw["remote_items"].items()},
        remote_collections={
            k: _build(RemoteCollection, v) for k, v in raw["remote_collections"].items()
        },
        pending=_strings(raw["pending"], "pending"),
        pending_collections=_strings(raw["pending_collections"], "pending_collections"),
        pending_updates={
            k: {f: list(h) for f, h in v.items()} for k, v in raw.get("pending_updates", {}).items()
        },
    )


def save_state(path: Path, state: SyncState) -> bool:
    """Write ``state`` atomically; False when the file already held it."""
    text = json.dumps(state.to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return write_atomic(path, text)
