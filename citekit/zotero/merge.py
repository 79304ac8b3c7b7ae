"""Three-way field merge of one .bib entry into one Zotero item (pure).

The base is the hash of what citekit last pushed for each field it owns (kept in the
state). For every owned field:

* same value on both sides: nothing to do;
* changed only in the .bib: sent;
* changed only in Zotero: Zotero's value stays and is reported as *kept*;
* changed on both sides: a *conflict*. Zotero keeps its value, the .bib keeps its own
  (citekit never rewrites it), and the report shows both; edit one side to resolve.

A type change that comes from the library (the .bib's type moved from the one citekit
pushed, Zotero's did not: a preprint that became ``@inproceedings``) sends the whole item
for the new type: every field the new type has and Zotero's item of the old type lacks,
and an explicit empty value for each field the server's ``setType`` would fill from the
old type's base-mapped fields (``repository`` → ``publisher``) when the record has no
value for it. Fields both types share merge three-way as usual.

With no base (an item citekit did not push before), empty Zotero fields are filled and
differing ones are kept and reported, never overwritten. In Extra citekit only owns its
own lines (``Citation Key:``, ``arXiv:``, fallback ``Label:`` lines); ``collections`` and
``tags`` are merged as sets, so what the user added in Zotero stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..writers.zotero import COMMON_FIELDS, moved_by_set_type, type_fields
from .identity import normalize_doi
from .state import ItemState, value_hash

__all__ = ["Change", "ItemDiff", "diff_item", "intended_state", "owned_fields"]

# Keys of an item that are not plain owned fields (merged separately, or never sent).
_SPECIAL = frozenset(
    {
        "key",
        "version",
        "extra",
        "collections",
        "tags",
        "relations",
        "dateAdded",
        "dateModified",
        "deleted",
        "parentItem",
        "inPublications",
    }
)
_LABEL = re.compile(r"^\s*([A-Za-z][\w -]*?)\s*:")


@dataclass(frozen=True)
class Change:
    """A field whose .bib and Zotero values differ and stay different (kept or conflict)."""

    citekey: str
    key: str
    field: str
    bib: Any
    zotero: Any


@dataclass
class ItemDiff:
    """The merge result for one item."""

    changes: dict[str, Any] = field(default_factory=dict)
    diff: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    kept: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    after: ItemState = field(default_factory=lambda: ItemState(key=""))


def _empty(value: Any) -> bool:
    return value in ("", None, [], {})


def _same(name: str, local: Any, remote: Any) -> bool:
    """Equal values; DOIs compare without resolver prefix and case (``https://doi.org/…``)."""
    if name == "DOI" and isinstance(local, str) and isinstance(remote, str):
        return normalize_doi(local) == normalize_doi(remote)
    return bool(local == remote)


def owned_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The non-empty plain fields of an entry's item JSON (``itemType``, ``title``, …)."""
    return {k: v for k, v in item.items() if k not in _SPECIAL and not _empty(v)}


def _lines(text: Any) -> list[str]:
    return [line for line in str(text or "").splitlines() if line.strip()]


def _tags(tags: Any) -> list[str]:
    return [str(t.get("tag", "")) for t in tags or [] if isinstance(t, Mapping)]


def intended_state(item: Mapping[str, Any], key: str, *, created: bool = False) -> ItemState:
    """The state an item is in once it holds exactly what ``item`` asks for."""
    return ItemState(
        key=key,
        fields={f: value_hash(v) for f, v in owned_fields(item).items()},
        extra=[value_hash(line) for line in _lines(item.get("extra"))],
        collections=sorted(item.get("collections") or []),
        tags=sorted(_tags(item.get("tags"))),
        created=created,
    )


def diff_item(
    citekey: str,
    item: Mapping[str, Any],
    data: Mapping[str, Any],
    base: ItemState | None,
    *,
    created: bool = False,
) -> ItemDiff:
    """Merge entry ``item`` into Zotero ``data`` against ``base`` (None: never pushed)."""
    key = str(data["key"])
    out = ItemDiff(after=intended_state(item, key, created=created))
    out.after.version = int(data["version"])
    _merge_fields(out, citekey, key, item, data, base)
    if "itemType" in out.changes:
        _clear_moved(out, item, data)
    _merge_extra(out, citekey, key, item, data, base)
    _merge_sets(out, "collections", item, data, base)
    _merge_sets(out, "tags", item, data, base)
    return out


def _merge_fields(
    out: ItemDiff,
    citekey: str,
    key: str,
    item: Mapping[str, Any],
    data: Mapping[str, Any],
    base: ItemState | None,
) -> None:
    local_all = owned_fields(item)
    same_type = data.get("itemType") == item.get("itemType")
    retype = not same_type and _type_change_from_library(item, data, base)
    new_fields = set(type_fields(str(item.get("itemType")))) | COMMON_FIELDS if retype else set()
    names = sorted(set(local_all) | set(base.fields if base else ()))
    for name in names:
        blank: Any = [] if name == "creators" else ""
        local = local_all.get(name, blank)
        if retype and name not in local_all and name not in new_fields | {"creators"}:
            continue  # a field of the old type only: the server's setType clears or moves it
        if name not in data and name != "itemType" and not same_type:
            if retype and not _empty(local):  # a field of the new type only: it goes too
                out.changes[name], out.diff[name] = local, ("", local)
            continue  # not a field of the Zotero item's type, and its type is kept
        remote = data.get(name, blank)
        if _same(name, local, remote):
            continue
        pushed = base.fields.get(name) if base else None
        if pushed is None:
            if _empty(remote):
                out.changes[name], out.diff[name] = local, (remote, local)
            elif not _empty(local):
                out.kept.append(Change(citekey, key, name, local, remote))
            continue
        local_moved = value_hash(local) != pushed if not _empty(local) else True
        remote_moved = value_hash(remote) != pushed if not _empty(remote) else True
        if local_moved and not remote_moved:
            out.changes[name], out.diff[name] = local, (remote, local)
        elif remote_moved and not local_moved:
            out.kept.append(Change(citekey, key, name, local, remote))
        else:
            out.conflicts.append(Change(citekey, key, name, local, remote))
            out.after.fields[name] = pushed  # the conflict stays visible until resolved


def _type_change_from_library(
    item: Mapping[str, Any], data: Mapping[str, Any], base: ItemState | None
) -> bool:
    """The .bib changed the item type and Zotero still holds the type citekit pushed."""
    pushed = base.fields.get("itemType") if base else None
    return pushed is not None and value_hash(data.get("itemType")) == pushed


def _clear_moved(out: ItemDiff, item: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Empty what the server's setType would copy into fields the record leaves empty."""
    old, new = str(data.get("itemType") or ""), str(item.get("itemType") or "")
    for source, target in moved_by_set_type(old, new).items():
        if not _empty(data.get(source)) and _empty(item.get(target)):
            out.changes[target], out.diff[target] = "", (data.get(source), "")


def _merge_extra(
    out: ItemDiff,
    citekey: str,
    key: str,
    item: Mapping[str, Any],
    data: Mapping[str, Any],
    base: ItemState | None,
) -> None:
    want, have = _lines(item.get("extra")), str(data.get("extra") or "").splitlines()
    owned = set(base.extra) if base else set()
    mine = [ln for ln in have if value_hash(ln) in owned]
    labels = {_label(ln): ln for ln in have if ln not in mine and _label(ln)}
    new = [ln for ln in have if ln in want or ln not in mine]
    for line in want:
        if line in have:
            continue
        if value_hash(line) in owned:  # citekit wrote it and the user removed it
            out.kept.append(Change(citekey, key, "extra", line, "(line removed in Zotero)"))
        elif _label(line) and _label(line) in labels:
            out.kept.append(
                Change(citekey, key, f"extra {_label(line)}", line, labels[_label(line)])
            )
        else:
            new.append(line)
    if new != have:
        text = "\n".join(new)
        out.changes["extra"], out.diff["extra"] = text, (data.get("extra", ""), text)


def _label(line: str) -> str:
    m = _LABEL.match(line)
    return m.group(1).lower() if m else ""


def _merge_sets(
    out: ItemDiff,
    name: str,
    item: Mapping[str, Any],
    data: Mapping[str, Any],
    base: ItemState | None,
) -> None:
    """Collections / tags: add what the .bib gained, drop what it lost, keep the user's."""
    if name == "tags":
        want, have = _tags(item.get("tags")), _tags(data.get("tags"))
    else:
        want, have = list(item.get(name) or []), list(data.get(name) or [])
    prev = set(getattr(base, name)) if base else set()
    keep = [v for v in have if v in want or v not in prev]
    add = [v for v in want if v not in have and v not in prev]
    if set(keep + add) == set(have):
        return
    if name == "tags":
        kept = [t for t in data.get("tags") or [] if str(t.get("tag", "")) in keep]
        value: Any = kept + [{"tag": t} for t in add]
    else:
        value = keep + add
    out.changes[name], out.diff[name] = value, (data.get(name), value)
