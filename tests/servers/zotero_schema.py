"""The official Zotero schema as the loopback Web API uses it: types, fields, limits, setType.

``tests/data/zotero/schema.json`` is zotero/zotero-schema's ``schema.json``, vendored
unchanged (see the README next to it). Every write the stand-in accepts is checked
against it, and a type change moves values the way the real server does:
zotero/dataserver ``model/Item.inc.php`` ``setType()`` (lines 543-640 at 5cf550f): a field
the new type lacks is cleared, unless it has a base field the new type also maps, in which
case its value moves there (``repository`` → ``publisher`` from preprint to
conferencePaper); creators whose type the new item type lacks become ``contributor``.

Limits (zotero/dataserver at 5cf550f): a field value over 65,535 bytes
(``model/Items.inc.php:42``, ``model/Item.inc.php:1220``), a creator name part over 255
bytes (``model/Creator.inc.php:208-220``), a tag or collection name over 255 characters
(``model/Tags.inc.php:28``, ``model/Collections.inc.php:44``) each fail that object with
413 (``model/Errors.inc.php:60-105``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "zotero" / "schema.json"
MAX_FIELD_BYTES = 65535
MAX_NAME = 255


@dataclass(frozen=True)
class ItemType:
    """One item type of the schema."""

    name: str
    fields: tuple[str, ...]  # schema order
    bases: dict[str, str]  # field → base field, for base-mapped fields only
    creators: frozenset[str]

    def field_for_base(self, base: str) -> str | None:
        """This type's field standing for ``base`` (the base itself when it has it)."""
        for name, b in self.bases.items():
            if b == base:
                return name
        return base if base in self.fields else None


@cache
def schema() -> dict[str, Any]:
    """The whole vendored schema.json."""
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def item_types() -> dict[str, ItemType]:
    """Every item type of the schema by name."""
    out: dict[str, ItemType] = {}
    for entry in schema()["itemTypes"]:
        fields = tuple(f["field"] for f in entry["fields"])
        bases = {f["field"]: f["baseField"] for f in entry["fields"] if f.get("baseField")}
        creators = frozenset(c["creatorType"] for c in entry.get("creatorTypes", []))
        out[entry["itemType"]] = ItemType(entry["itemType"], fields, bases, creators)
    return out


@cache
def base_fields() -> frozenset[str]:
    """Every field some type maps another field to (``publisher``, ``number``, …)."""
    return frozenset(b for t in item_types().values() for b in t.bases.values())


def set_type(current: dict[str, Any], new_type: str) -> dict[str, Any]:
    """``current`` (an item's data) after dataserver's ``setType(new_type)``."""
    old, new = item_types()[current["itemType"]], item_types()[new_type]
    out = {k: v for k, v in current.items() if k not in old.fields}
    out["itemType"] = new_type
    out |= dict.fromkeys(new.fields, "")
    for name in old.fields:
        value = current.get(name, "")
        if name in new.fields:
            out[name] = value
            continue
        # getBaseIDFromTypeAndField: a base field stands for itself (ItemFields.inc.php:438)
        base = old.bases.get(name) or (name if name in base_fields() else None)
        target = new.field_for_base(base) if base else None
        if target and value:
            out[target] = value
    out["creators"] = [
        c if c.get("creatorType") in new.creators else c | {"creatorType": "contributor"}
        for c in current.get("creators", [])
    ]
    return out


def too_long(data: dict[str, Any], kind: str) -> str | None:
    """The 413 message for the first value over a server limit, or None."""
    if kind == "collections":
        name = data.get("name")
        if isinstance(name, str) and len(name) > MAX_NAME:
            return f"Collection '{name[:50]}…' too long"
        return None
    for tag in data.get("tags") or []:
        text = tag.get("tag", "") if isinstance(tag, dict) else ""
        if isinstance(text, str) and len(text) > MAX_NAME:
            return f"Tag '{text[:50]}…' too long"
    for creator in data.get("creators") or []:
        for part in ("firstName", "lastName", "name"):
            value = creator.get(part, "") if isinstance(creator, dict) else ""
            if isinstance(value, str) and len(value.encode("utf-8")) > MAX_NAME:
                return f"The creator name ‘{value[:50]}…’ is too long to sync."
    for name, value in data.items():
        if isinstance(value, str) and len(value.encode("utf-8")) > MAX_FIELD_BYTES:
            return f"{name} field value '{value[:50]}…' too long"
    return None
