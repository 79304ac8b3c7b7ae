"""Zotero's size limits, applied before an item is sent (or exported).

The Web API refuses an object with 413 when a field value is over 65,535 bytes, a creator
name part over 255 bytes, or a tag over 255 characters (zotero/dataserver
``model/Items.inc.php`` ``$maxDataValueLength``, ``model/Creator.inc.php``,
``model/Tags.inc.php`` ``$maxLength``); a refused item is not synced at all. So values over
a limit are shortened here, with "…" at the cut, and the item's Extra says which ones and
that the .bib keeps the full text. A collection name over 255 characters cannot be
shortened without renaming the collection: sync reports those instead
(:func:`collection_too_long`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_FIELD_BYTES", "MAX_NAME", "collection_too_long", "fit_limits"]

MAX_FIELD_BYTES = 65535
MAX_NAME = 255
_ELLIPSIS = "…"


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` UTF-8 bytes, ending in "…"."""
    room = limit - len(_ELLIPSIS.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + _ELLIPSIS


def _over(text: Any, limit: int) -> bool:
    return isinstance(text, str) and len(text.encode("utf-8")) > limit


def fit_limits(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with every value within Zotero's limits (a note in Extra for each cut)."""
    notes: list[str] = []
    for creator in item.get("creators", []):
        for part in ("lastName", "firstName", "name"):
            if _over(creator.get(part), MAX_NAME):
                creator[part] = _cut_bytes(creator[part], MAX_NAME)
                notes.append(f"a {creator['creatorType']}'s name (over {MAX_NAME} bytes)")
    for tag in item.get("tags", []):
        if len(tag["tag"]) > MAX_NAME:
            tag["tag"] = tag["tag"][: MAX_NAME - 1] + _ELLIPSIS
            notes.append(f"a tag (over {MAX_NAME} characters)")
    for name, value in item.items():
        if name != "extra" and _over(value, MAX_FIELD_BYTES):
            item[name] = _cut_bytes(value, MAX_FIELD_BYTES)
            notes.append(f"{name} (over {MAX_FIELD_BYTES:,} bytes)")
    extra = str(item.get("extra") or "")
    if _over(extra, MAX_FIELD_BYTES):
        notes.append(f"extra (over {MAX_FIELD_BYTES:,} bytes)")
    if notes:
        note = "Shortened for Zotero's size limits (the .bib has the full text): "
        note += "; ".join(notes)
        room = MAX_FIELD_BYTES - len(note.encode("utf-8")) - 1
        extra = _cut_bytes(extra, room) if _over(extra, room) else extra
        item["extra"] = f"{extra}\n{note}" if extra else note
    return item


def collection_too_long(path: str) -> str:
    """The first name in a collection path over Zotero's 255 characters, or ``""``."""
    return next((part for part in path.split("/") if len(part.strip()) > MAX_NAME), "")
