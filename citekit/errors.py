"""The one exception tree of citekit.

::

    CitekitError
    ├── IdentifierError          an input is not an arXiv id, DOI, URL or title citekit understands
    ├── SourceError              a source (arXiv, Crossref, Zotero) failed for one identifier
    │   ├── NotFound             the source answered: no such record
    │   ├── RateLimited          429 / Retry-After that outlasted our retries
    │   └── SourceUnavailable    timeouts, 5xx, refused connections, garbage bodies
    │       └── NotCached        --offline and the answer is not in the cache
    ├── LibraryError             references.bib cannot be read or written (file and line)
    ├── SyncError                Zotero sync failed
    │   └── ConflictError        a field changed both in Zotero and in the .bib
    └── ConfigError              settings or credentials are missing or unsafe

Every message says what failed, where, and what to do, on one line. The CLI is the only
place that turns these into exit codes; the library never prints or exits.
This module imports nothing of citekit.
"""

from __future__ import annotations

__all__ = [
    "CitekitError",
    "ConfigError",
    "ConflictError",
    "IdentifierError",
    "LibraryError",
    "NotCached",
    "NotFound",
    "RateLimited",
    "SourceError",
    "SourceUnavailable",
    "SyncError",
]


class CitekitError(Exception):
    """Base of every error citekit raises on purpose."""


class IdentifierError(CitekitError, ValueError):
    """An input that is neither an arXiv id, a DOI, a known URL nor a usable title."""

    def __init__(self, text: str, reason: str = "not an arXiv id, DOI or known URL") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r}: {reason}")


class SourceError(CitekitError):
    """A source failed for one identifier; ``status`` is the HTTP status when there was one."""

    def __init__(
        self,
        source: str,
        identifier: str,
        message: str,
        status: int | None = None,
    ) -> None:
        self.source = source
        self.identifier = identifier
        self.status = status
        self.message = message
        super().__init__(f"{source} {identifier}: {message}")


class NotFound(SourceError):
    """The source answered and has no record for the identifier."""


class RateLimited(SourceError):
    """The source kept answering 429 (or 503 with Retry-After) after our retries."""

    def __init__(
        self,
        source: str,
        identifier: str,
        message: str,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(source, identifier, message, status)


class SourceUnavailable(SourceError):
    """Timeouts, refused connections, 5xx answers, truncated or unparseable bodies."""


class NotCached(SourceUnavailable):
    """Offline mode and the cache holds no answer: nothing was sent."""


class LibraryError(CitekitError):
    """The library file cannot be read or written; names the file and, when known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class SyncError(CitekitError):
    """Zotero sync failed."""


class ConflictError(SyncError):
    """A field was changed both in Zotero and in the .bib since the last sync."""

    def __init__(self, key: str, field: str, local: str, remote: str) -> None:
        self.key = key
        self.field = field
        self.local = local
        self.remote = remote
        super().__init__(
            f"{key}: field {field!r} changed in Zotero and in the .bib; "
            "both values are kept in the report, edit one side and sync again"
        )


class ConfigError(CitekitError):
    """Settings or credentials are missing, malformed or unsafe."""
