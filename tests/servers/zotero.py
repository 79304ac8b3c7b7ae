"""A loopback Zotero Web API v3 server for tests (stdlib ``http.server``, port 0).

It enforces what the real API does (zotero-spec §1 and §7.6), so pyzotero can do real
HTTP against it: library and object versions, ``Last-Modified-Version``, library-level
and per-object 412/428 preconditions, write tokens, per-index ``failed`` results
(fields invalid for the item type → 400), 413 above 50 objects, ``since=``,
``format=versions|keys``, ``start``/``limit`` paging with ``Link`` and ``Total-Results``,
``Backoff`` / ``Retry-After`` / 429, the API key (403 otherwise), the trash flag and the
``/deleted`` log. Faults are injected per request (:meth:`ZoteroServer.inject`).

Items are checked against the official schema (``tests/data/zotero/schema.json``, see
:mod:`tests.servers.zotero_schema`): fields and creator types per item type, field
values as text, a type change with the real server's ``setType`` semantics, and the
size limits (413 for that object). Keyed updates may carry ``version`` or rely on the
request's ``If-Unmodified-Since-Version``; write tokens are remembered only for requests
that succeeded. Faults include a write that commits and then stalls past the client's
timeout (``stall``) and a dropped connection on any request (``lost``).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .zotero_schema import item_types, set_type, too_long

KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_RE = re.compile(rf"^[{KEY_CHARS}]{{8}}$")
#: item type → (fields, creator types), from the official schema (tests/data/zotero).
SCHEMA: dict[str, tuple[list[str], set[str]]] = {
    name: (list(t.fields), set(t.creators)) for name, t in item_types().items()
}
SCHEMA["note"] = (["note"], set())
_ITEM_PROPS = {
    "key",
    "version",
    "itemType",
    "creators",
    "tags",
    "collections",
    "relations",
    "deleted",
    "dateAdded",
    "dateModified",
    "parentItem",
    "inPublications",
}
_COLL_PROPS = {"key", "version", "name", "parentCollection", "relations", "deleted"}
NOW = "2026-01-01T00:00:00Z"


class WriteFailure(Exception):
    """One object of a multi-object write failed (goes into ``failed`` at its index)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Fault:
    """A fault for the ``nth`` request matching ``method`` and ``path`` (a path suffix)."""

    kind: str  # "status" | "lost" | "partial500" | "edit" | "backoff" | "stall"
    method: str
    path: str
    nth: int = 1
    times: int = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    edit: Callable[[ZoteroServer], None] | None = None
    body: Any = None  # the body of a "status" fault (a str is sent as text/plain)
    delay: float = 0.0  # "stall": seconds between committing and answering
    seen: int = 0


@dataclass(frozen=True)
class Logged:
    """One request as the server saw it (never the API key)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    authorized: bool

    @property
    def is_write(self) -> bool:
        return self.method in {"POST", "PUT", "PATCH", "DELETE"}


class ZoteroServer:
    """The library state plus the HTTP front end; use :func:`serve` to run it."""

    def __init__(self, api_key: str, library_type: str = "users", library_id: int = 4242) -> None:
        self._key = api_key
        self.prefix = f"/{library_type}/{library_id}"
        self.library_type = library_type
        self.library_id = library_id
        self.version = 1
        self.items: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        self.deleted_log: dict[str, dict[str, int]] = {"items": {}, "collections": {}}
        self.tokens: set[str] = set()
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self.url = ""
        #: object name or title → (code, message): that object fails (a refused write)
        self.refuse: dict[str, tuple[int, str]] = {}
        #: hostile paging: answer every page as if ``start`` were 0, and claim this total
        self.ignore_start = False
        self.claimed_total: str | None = None

    # -- test helpers ---------------------------------------------------------------------
    def inject(self, kind: str, method: str = "POST", path: str = "/items", **kw: Any) -> None:
        """Arm a fault; see :class:`Fault`."""
        self.faults.append(Fault(kind, method, path, **kw))

    def writes(self, path: str = "") -> list[Logged]:
        """Write requests received (optionally only those whose path ends with ``path``)."""
        return [r for r in self.log if r.is_write and r.path.endswith(path)]

    def reads(self) -> list[Logged]:
        return [r for r in self.log if not r.is_write]

    def add_item(self, **data: Any) -> str:
        """An item the user made in Zotero (a fresh key, the next library version)."""
        key = data.pop("key", None) or new_key()
        with self.lock:
            self.version += 1
            self.items[key] = self._new_item(key, data)
        return key

    def add_collection(self, name: str, parent: str | bool = False) -> str:
        key = new_key()
        with self.lock:
            self.version += 1
            self.collections[key] = {
                "key": key,
                "version": self.version,
                "name": name,
                "parentCollection": parent,
                "relations": {},
            }
        return key

    def user_edit(self, key: str, **fields: Any) -> None:
        """An edit made in the Zotero client: the item and the library get a new version."""
        with self.lock:
            self.version += 1
            self.items[key].update(fields, version=self.version, dateModified=NOW)

    def live_items(self) -> list[dict[str, Any]]:
        """Items not in the trash."""
        return [d for d in self.items.values() if not d.get("deleted")]

    # -- object construction ----------------------------------------------------------------
    def _new_item(self, key: str, data: dict[str, Any]) -> dict[str, Any]:
        item_type = data.get("itemType", "")
        if item_type not in SCHEMA:
            raise WriteFailure(400, f"'itemType' property not provided or invalid: {item_type!r}")
        base: dict[str, Any] = {"key": key, "version": self.version, "itemType": item_type}
        base |= dict.fromkeys(SCHEMA[item_type][0], "")
        if item_type != "note":
            base |= {"creators": [], "tags": [], "collections": [], "relations": {}}
        base |= {"dateAdded": NOW, "dateModified": NOW}
        merged = base | {k: v for k, v in data.items() if k not in {"key", "version"}}
        self._validate_item(merged)
        return merged

    def _validate_item(self, data: dict[str, Any]) -> None:
        fields, people = SCHEMA[data["itemType"]]
        for name in data:
            if name not in _ITEM_PROPS and name not in fields:
                raise WriteFailure(
                    400, f"'{name}' is not a valid field for type '{data['itemType']}'"
                )
            if name in fields and not isinstance(data[name], str):
                raise WriteFailure(400, f"'{name}' value must be a string")
        message = too_long(data, "items")
        if message:
            raise WriteFailure(413, message)
        for creator in data.get("creators", []):
            if creator.get("creatorType") not in people:
                raise WriteFailure(
                    400,
                    f"'{creator.get('creatorType')}' is not a valid "
                    f"creator type for item type '{data['itemType']}'",
                )
        for ck in data.get("collections", []):
            if ck not in self.collections:
                raise WriteFailure(409, f"Collection {ck} doesn't exist")

    def _envelope(self, kind: str, data: dict[str, Any], base: str) -> dict[str, Any]:
        key = data["key"]
        lib = {"type": self.library_type[:-1], "id": self.library_id, "name": "test", "links": {}}
        meta: dict[str, Any] = {"numChildren": 0}
        if kind == "collections":
            meta = {
                "numCollections": sum(
                    c["parentCollection"] == key for c in self.collections.values()
                ),
                "numItems": sum(key in i.get("collections", []) for i in self.items.values()),
            }
        return {
            "key": key,
            "version": data["version"],
            "library": lib,
            "links": {
                "self": {"href": f"{base}{self.prefix}/{kind}/{key}", "type": "application/json"}
            },
            "meta": meta,
            "data": dict(data),
        }

    # -- writes -------------------------------------------------------------------------------
    def write(
        self, kind: str, body: Any, headers: dict[str, str], limit: int | None = None
    ) -> tuple[int, dict[str, str], Any]:
        """A multi-object POST; ``limit`` commits only the first objects (a mid-batch 500)."""
        if not isinstance(body, list):
            return 400, {}, "Uploaded data must be a JSON array"
        if len(body) > 50:
            return 413, {}, "Only 50 objects can be written at a time"
        token = headers.get("zotero-write-token")
        if token and token in self.tokens:
            return 412, {}, "Write token already used"
        since = headers.get("if-unmodified-since-version")
        if since is not None and int(since) != self.version:
            return (
                412,
                {},
                f"Library has been modified since specified version "
                f"(expected {since}, found {self.version})",
            )
        store = self.items if kind == "items" else self.collections
        staged: dict[str, dict[str, Any]] = {}
        result: dict[str, dict[str, Any]] = {
            "successful": {},
            "success": {},
            "unchanged": {},
            "failed": {},
        }
        for index, obj in enumerate(body[:limit] if limit is not None else body):
            try:
                key, new, same = self._write_one(kind, store, staged, obj, since is not None)
            except WriteFailure as exc:
                failed: dict[str, Any] = {"code": exc.code, "message": exc.message}
                if isinstance(obj, dict) and obj.get("key"):
                    failed["key"] = obj["key"]
                result["failed"][str(index)] = failed
                continue
            if same:
                result["unchanged"][str(index)] = key
            else:
                staged[key] = new
                result["success"][str(index)] = key
        if staged:
            self.version += 1
            for key, data in staged.items():
                data["version"] = self.version
                store[key] = data
        if token:
            self.tokens.add(token)
        for index, key in result["success"].items():
            result["successful"][index] = self._envelope(kind, store[key], self.url)
        return 200, {"Last-Modified-Version": str(self.version)}, result

    def _write_one(
        self,
        kind: str,
        store: dict[str, dict[str, Any]],
        staged: dict[str, dict[str, Any]],
        obj: Any,
        library_checked: bool = False,
    ) -> tuple[str, dict[str, Any], bool]:
        if not isinstance(obj, dict):
            raise WriteFailure(400, "Invalid value for object")
        refused = self.refuse.get(str(obj.get("name") or obj.get("title") or ""))
        if refused:
            raise WriteFailure(*refused)
        key = obj.get("key") or new_key()
        if not KEY_RE.match(key):
            raise WriteFailure(400, f"'{key}' is not a valid {kind[:-1]} key")
        if key in staged:
            raise WriteFailure(400, f"Duplicate key {key}")
        current = store.get(key)
        if current is None:
            if obj.get("version", 0) != 0:
                raise WriteFailure(404, f"{kind[:-1].title()} {key} doesn't exist")
            return key, self._create(kind, key, obj), False
        if "version" not in obj and not library_checked:
            raise WriteFailure(
                428,
                "Either If-Unmodified-Since-Version or object version "
                "property must be provided for key-based writes",
            )
        if "version" in obj and obj["version"] != current["version"]:
            raise WriteFailure(
                412,
                f"{kind[:-1].title()} has been modified since specified "
                f"version (expected {obj['version']}, found "
                f"{current['version']})",
            )
        start = current
        if kind == "items" and obj.get("itemType", current["itemType"]) != current["itemType"]:
            if obj["itemType"] not in SCHEMA:
                raise WriteFailure(400, f"'itemType' property invalid: {obj['itemType']!r}")
            start = set_type(current, obj["itemType"])  # values move as the real server's do
        new = start | {k: v for k, v in obj.items() if k != "version"}
        if new == current:
            return key, current, True
        if kind == "items":
            if obj.get("dateAdded", current["dateAdded"]) != current["dateAdded"]:
                raise WriteFailure(400, "'dateAdded' cannot be modified for existing items")
            self._validate_item(new)
            new["dateModified"] = NOW
        else:
            self._validate_collection(new)
        return key, new, False

    def _create(self, kind: str, key: str, obj: dict[str, Any]) -> dict[str, Any]:
        if kind == "items":
            return self._new_item(key, obj)
        data = {
            "key": key,
            "version": 0,
            "name": obj.get("name"),
            "parentCollection": obj.get("parentCollection") or False,
            "relations": {},
        }
        data |= {k: v for k, v in obj.items() if k not in {"key", "version"}}
        if data["parentCollection"] == "":
            data["parentCollection"] = False
        self._validate_collection(data)
        return data

    def _validate_collection(self, data: dict[str, Any]) -> None:
        unknown = set(data) - _COLL_PROPS
        if unknown:
            raise WriteFailure(400, f"Invalid property '{sorted(unknown)[0]}'")
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise WriteFailure(400, "Collection name cannot be empty")
        message = too_long(data, "collections")
        if message:
            raise WriteFailure(413, message)
        parent = data.get("parentCollection")
        if parent and parent not in self.collections:
            raise WriteFailure(409, f"Parent collection {parent} doesn't exist")

    def write_single(
        self, method: str, key: str, body: Any, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        """PATCH / PUT / DELETE of one item: the version is the object's."""
        current = self.items.get(key)
        if current is None:
            return 404, {}, "Not found"
        since = headers.get("if-unmodified-since-version")
        if since is None and not (isinstance(body, dict) and "version" in body):
            return 428, {}, "If-Unmodified-Since-Version not provided"
        expected = int(since) if since is not None else body["version"]
        if expected != current["version"]:
            return 412, {}, "Item has been modified since specified version"
        self.version += 1
        if method == "DELETE":
            del self.items[key]
            self.deleted_log["items"][key] = self.version
        else:
            base = current if method == "PATCH" else {"key": key, "itemType": current["itemType"]}
            try:
                new = self._new_item(key, base | body) | {"dateAdded": current["dateAdded"]}
            except WriteFailure as exc:
                self.version -= 1
                return exc.code, {}, exc.message
            self.items[key] = new | {"version": self.version}
        return 204, {"Last-Modified-Version": str(self.version)}, None

    # -- reads --------------------------------------------------------------------------------
    def read(
        self, path: str, query: dict[str, str], headers: dict[str, str], base: str
    ) -> tuple[int, dict[str, str], Any]:
        """A GET under the library prefix."""
        lmv = {"Last-Modified-Version": str(self.version)}
        ims = headers.get("if-modified-since-version")
        if ims is not None and int(ims) >= self.version:
            return 304, lmv, None
        rest = path[len(self.prefix) :].strip("/").split("/")
        if rest == ["deleted"]:
            since = int(query.get("since", "0"))
            out = {
                k: [x for x, v in log.items() if v > since] for k, log in self.deleted_log.items()
            }
            return 200, lmv, out | {"searches": [], "tags": [], "settings": []}
        kind = rest[0]
        if kind not in {"items", "collections"}:
            return 404, {}, "Not found"
        store = self.items if kind == "items" else self.collections
        if len(rest) == 2 and rest[1] not in {"top", "trash"}:
            obj = store.get(rest[1])
            if obj is None:
                return 404, {}, "Not found"
            return (
                200,
                {"Last-Modified-Version": str(obj["version"])},
                self._envelope(kind, obj, base),
            )
        objs = self._select(kind, store, rest[1:], query)
        fmt = query.get("format", "json")
        if fmt == "versions":
            return 200, lmv, {o["key"]: o["version"] for o in objs}
        if fmt == "keys":
            return 200, lmv, "\n".join(o["key"] for o in objs) + "\n"
        return self._page(kind, objs, path, query, base, lmv)

    def _select(
        self, kind: str, store: dict[str, dict[str, Any]], rest: list[str], query: dict[str, str]
    ) -> list[dict[str, Any]]:
        objs = list(store.values())
        trashed = rest == ["trash"]
        if trashed:
            objs = [o for o in objs if o.get("deleted")]
        elif query.get("includeTrashed") not in {"1", "true"}:
            objs = [o for o in objs if not o.get("deleted")]
        if rest == ["top"] and kind == "collections":
            objs = [o for o in objs if not o.get("parentCollection")]
        if "since" in query:
            objs = [o for o in objs if o["version"] > int(query["since"])]
        for name in ("itemKey", "collectionKey"):
            if name in query:
                wanted = set(query[name].split(","))
                if len(wanted) > 50:
                    raise WriteFailure(400, f"Only 50 keys may be given in {name}")
                objs = [o for o in objs if o["key"] in wanted]
        return objs

    def _page(
        self,
        kind: str,
        objs: list[dict[str, Any]],
        path: str,
        query: dict[str, str],
        base: str,
        headers: dict[str, str],
    ) -> tuple[int, dict[str, str], Any]:
        limit = int(query.get("limit", "25"))
        if not 1 <= limit <= 100:
            return 400, {}, "limit must be between 1 and 100"
        start = 0 if self.ignore_start else int(query.get("start", "0"))
        page = objs[start : start + limit]
        out = dict(headers) | {"Total-Results": self.claimed_total or str(len(objs))}
        links = []
        if start + limit < len(objs):
            nxt = dict(query) | {"start": str(start + limit), "limit": str(limit)}
            links.append(f'<{base}{path}?{urlencode(nxt)}>; rel="next"')
        if links:
            out["Link"] = ", ".join(links)
        return 200, out, [self._envelope(kind, o, base) for o in page]

    # -- dispatch -----------------------------------------------------------------------------
    def authorized(self, headers: dict[str, str]) -> bool:
        given = headers.get("zotero-api-key") or headers.get("authorization", "")
        given = given.removeprefix("Bearer ")
        return secrets.compare_digest(given.encode(), self._key.encode())

    def take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and path.endswith(fault.path):
                fault.seen += 1
                if fault.nth <= fault.seen < fault.nth + fault.times:
                    return fault
        return None


def new_key() -> str:
    """A fresh random object key (the alphabet Zotero allows)."""
    return "".join(secrets.choice(KEY_CHARS) for _ in range(8))


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        zot = self.server.zotero
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        raw = self.rfile.read(length) if length else b""
        base = f"http://{headers.get('host', '127.0.0.1')}"
        with zot.lock:
            ok = zot.authorized(headers)
            fault = zot.take_fault(method, parts.path)
            status, extra, body = self._route(
                zot, method, parts.path, query, headers, raw, base, ok, fault
            )
            zot.log.append(Logged(method, parts.path, query, status, ok))
        if status < 0:  # committed, then the connection drops: the client gets no answer
            self.close_connection = True
            return
        if fault is not None and fault.kind == "stall":  # committed; answers too late
            time.sleep(fault.delay)
            self.close_connection = True
        try:
            self._send(status, extra, body)
        except OSError:  # the client gave up waiting
            self.close_connection = True

    def _route(
        self,
        zot: ZoteroServer,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        base: str,
        ok: bool,
        fault: Fault | None,
    ) -> tuple[int, dict[str, str], Any]:
        if not ok:
            return 403, {}, "Forbidden"
        if fault is not None and fault.kind == "edit" and fault.edit is not None:
            fault.edit(zot)
        if fault is not None and fault.kind == "status":
            body = fault.body if fault.body is not None else {"message": "injected"}
            return fault.status, dict(fault.headers), body
        if headers.get("zotero-api-version", "3") != "3":
            return 400, {}, "Only API version 3 is supported"
        if not path.startswith(zot.prefix):
            return 404, {}, "Not found"
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, {}, "Invalid JSON"
        try:
            status, extra, out = self._dispatch(
                zot, method, path, query, headers, body, base, fault
            )
        except WriteFailure as exc:
            return exc.code, {}, exc.message
        if fault is not None and fault.kind == "lost":
            return -1, {}, None
        if fault is not None and fault.kind == "partial500":
            return 500, {}, "An error occurred"
        if fault is not None and fault.kind == "backoff":
            extra = extra | fault.headers
        return status, extra, out

    def _dispatch(
        self,
        zot: ZoteroServer,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        base: str,
        fault: Fault | None,
    ) -> tuple[int, dict[str, str], Any]:
        zot.url = base
        if method == "GET":
            return zot.read(path, query, headers, base)
        rest = path[len(zot.prefix) :].strip("/").split("/")
        if method == "POST" and rest in (["items"], ["collections"]):
            limit = None
            if fault is not None and fault.kind == "partial500":
                limit = max(1, len(body or []) // 2)
            return zot.write(rest[0], body, headers, limit)
        if len(rest) == 2 and rest[0] == "items":
            return zot.write_single(method, rest[1], body, headers)
        return 405, {}, "Method not allowed"

    def _send(self, status: int, extra: dict[str, str], body: Any) -> None:
        if isinstance(body, str):
            data, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Zotero-API-Version", "3")
        for name, value in extra.items():
            self.send_header(name, value)
        if status != 304 and status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status not in {204, 304}:
            self.wfile.write(data)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    zotero: ZoteroServer


@contextmanager
def serve(zotero: ZoteroServer) -> Iterator[ZoteroServer]:
    """Run ``zotero`` on 127.0.0.1 on a free port; ``zotero.url`` is its base URL."""
    httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.zotero = zotero
    zotero.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield zotero
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
