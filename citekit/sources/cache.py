"""A sqlite store of raw source payloads, keyed by source and normalised request.

The cache keeps what a source *sent* (JSON bytes), never parsed records, so a parser fix
applies to cached data without refetching. It lives in ``.citekit/cache.sqlite`` beside
the library (``Settings.cache_path``; git-ignored) and is created on the first
:meth:`Cache.put`, so read-only runs leave no trace.

Modes:

* ``offline=True``: sources must not open a socket; they read the cache and raise
  :class:`~citekit.errors.NotCached` on a miss. Offline reads ignore ``max_age``: a stale
  answer beats none when the network is not allowed.
* ``refresh=True``: :meth:`Cache.get` always misses, so every answer is asked again (and
  stored again).

Freshness is the caller's choice per read (``max_age`` seconds); the constants below are
the policy the sources use: metadata changes rarely, "is it published yet" often.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["TTL_METADATA", "TTL_NEGATIVE", "TTL_SEARCH", "Cache"]

DAY = 86400.0
#: A record fetched by identifier (arXiv entry, Crossref work): 90 days.
TTL_METADATA = 90 * DAY
#: A search (title → candidates, "has this preprint been published?"): 7 days.
TTL_SEARCH = 7 * DAY
#: "The source has no such record": 1 day, so a new record is found soon.
TTL_NEGATIVE = 1 * DAY

_FILE = "cache.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS payloads (
    source  TEXT NOT NULL,
    request TEXT NOT NULL,
    stored  REAL NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (source, request)
)
"""


class Cache:
    """Raw payloads by ``(source, request)``, with the run's offline/refresh mode."""

    def __init__(
        self,
        directory: Path,
        *,
        offline: bool = False,
        refresh: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory)
        self.offline = offline
        self.refresh = refresh
        self._clock = clock
        self._db: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        """The sqlite file (it may not exist yet)."""
        return self.directory / _FILE

    def get(self, source: str, request: str, max_age: float) -> bytes | None:
        """The payload stored for ``request`` if younger than ``max_age`` seconds, else None.

        Always None with ``refresh``; ``max_age`` is ignored when ``offline``.
        """
        if self.refresh:
            return None
        db = self._connect(create=False)
        if db is None:
            return None
        row = db.execute(
            "SELECT stored, payload FROM payloads WHERE source = ? AND request = ?",
            (source, request),
        ).fetchone()
        if row is None:
            return None
        stored, payload = row
        if not self.offline and self._clock() - float(stored) > max_age:
            return None
        return bytes(payload)

    def put(self, source: str, request: str, payload: bytes) -> None:
        """Store ``payload`` for ``request`` (replacing an older answer)."""
        db = self._connect(create=True)
        assert db is not None
        with db:
            db.execute(
                "INSERT OR REPLACE INTO payloads (source, request, stored, payload)"
                " VALUES (?, ?, ?, ?)",
                (source, request, self._clock(), payload),
            )

    def close(self) -> None:
        """Close the database (a later call reopens it)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self, *, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.is_file():
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # A damaged cache holds nothing of the user's: set it aside and start afresh.
            self.path.replace(self.path.with_name(_FILE + ".damaged"))
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            # WAL + NORMAL: one fsync per checkpoint, not per stored payload (a 150-id
            # batch stores 150 rows); losing the last rows on power loss costs a refetch.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db
