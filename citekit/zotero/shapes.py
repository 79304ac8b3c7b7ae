"""Checks on what a Zotero server answers, before anything else reads it (pure).

A server (or a proxy in front of it) can answer anything that parses: an item without
``data``, ``data`` as a string, a page that is an object instead of a list, a version
``"v1"``, a ``Backoff: soon`` header. Each check here either returns the value in the
shape the rest of the sync relies on or raises :class:`~citekit.errors.SyncError` with
one line naming what was wrong, so a hostile or broken answer never becomes an internal
error, and never a guess (a skipped item could be created twice).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import SyncError

__all__ = ["as_int", "deleted", "objects", "seconds", "total_results", "versions"]

KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")


def as_int(value: Any) -> int | None:
    """``value`` as a non-negative int (JSON numbers only; ``"7"`` from a header too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _bad(what: str, detail: str) -> SyncError:
    return SyncError(
        f"Zotero answered {what} in an unexpected shape ({detail}); nothing more was "
        "sent: try again later, or check zotero_url"
    )


def objects(page: Any, what: str) -> list[dict[str, Any]]:
    """A page of items or collections: a list of ``{key, version, data: {...}}`` objects.

    The ``data`` of each object gets its ``key`` and ``version`` (from the envelope when
    ``data`` lacks them), so later steps read one place.
    """
    if not isinstance(page, list):
        raise _bad(what, f"a {type(page).__name__}, not a list")
    out: list[dict[str, Any]] = []
    for obj in page:
        if not isinstance(obj, Mapping):
            raise _bad(what, f"an entry that is a {type(obj).__name__}")
        key, data = obj.get("key"), obj.get("data")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise _bad(what, f"an object key {str(key)[:20]!r}")
        if not isinstance(data, Mapping):
            raise _bad(what, f"object {key} has no data object")
        version = as_int(data.get("version", obj.get("version")))
        if version is None:
            raise _bad(what, f"object {key} has version {str(data.get('version'))[:20]!r}")
        if data.get("key", key) != key:
            raise _bad(what, f"object {key} names key {str(data.get('key'))[:20]!r}")
        _check_data(what, key, data)
        out.append(
            {"key": key, "version": version, "data": dict(data) | {"key": key, "version": version}}
        )
    return out


# Item/collection properties whose JSON type the sync relies on (anything else is compared
# or hashed as an opaque JSON value, whatever its type).
_LISTS = {"tags": Mapping, "collections": str, "creators": Mapping}
_TEXT = ("itemType", "extra", "name", "citationKey", "DOI", "archiveID", "url")


def _check_data(what: str, key: str, data: Mapping[str, Any]) -> None:
    for name, kind in _LISTS.items():
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):
            raise _bad(what, f"object {key} has {name} of the wrong type")
    if any(not isinstance(t.get("tag", ""), str) for t in data.get("tags", [])):
        raise _bad(what, f"object {key} has a tag that is not text")
    for name in _TEXT:
        if not isinstance(data.get(name, ""), str):
            raise _bad(what, f"object {key} has {name} that is not text")
    parent = data.get("parentCollection", False)
    if parent is not False and parent is not None and not isinstance(parent, str):
        raise _bad(what, f"object {key} has a parentCollection that is not a key")


def versions(data: Any, what: str) -> dict[str, int]:
    """A ``format=versions`` answer: ``{key: version}``."""
    if not isinstance(data, Mapping):
        raise _bad(what, f"a {type(data).__name__}, not an object")
    out: dict[str, int] = {}
    for key, value in data.items():
        number = as_int(value)
        if not isinstance(key, str) or not KEY_RE.match(key) or number is None:
            raise _bad(what, f"{str(key)[:20]!r}: {str(value)[:20]!r}")
        out[key] = number
    return out


def deleted(data: Any) -> dict[str, list[str]]:
    """A ``/deleted`` answer: lists of keys by kind (other kinds are ignored)."""
    if not isinstance(data, Mapping):
        raise _bad("deletions", f"a {type(data).__name__}, not an object")
    out: dict[str, list[str]] = {}
    for kind in ("items", "collections"):
        keys = data.get(kind, [])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _bad("deletions", f"{kind} is not a list of keys")
        out[kind] = list(keys)
    return out


def total_results(headers: Mapping[str, str]) -> int | None:
    """``Total-Results`` as a count, or None when absent or not a number."""
    return as_int(headers.get("total-results"))


def seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Backoff`` / ``Retry-After`` value in seconds; None when absent or invalid.

    Both take a number of seconds; ``Retry-After`` may also be an HTTP date (RFC 9110
    §10.2.3). Negative, NaN, infinite and unreadable values are ignored (as if absent).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return _http_date(text, now)
    return number if math.isfinite(number) and number >= 0 else None


def _http_date(text: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())
