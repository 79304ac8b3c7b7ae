"""citekit: resolve arXiv ids, DOIs and titles into clean BibTeX, CSL-JSON and Zotero.

The public surface is small and free of third-party types::

    from citekit import Record, Name, Date, load_settings
"""

from __future__ import annotations

from .config import Settings, load_settings
from .errors import (
    CitekitError,
    ConfigError,
    ConflictError,
    IdentifierError,
    LibraryError,
    NotFound,
    RateLimited,
    SourceError,
    SourceUnavailable,
    SyncError,
)
from .model import Date, Name, Record

__version__ = "0.1.0"

__all__ = [
    "CitekitError",
    "ConfigError",
    "ConflictError",
    "Date",
    "IdentifierError",
    "LibraryError",
    "Name",
    "NotFound",
    "RateLimited",
    "Record",
    "Settings",
    "SourceError",
    "SourceUnavailable",
    "SyncError",
    "__version__",
    "load_settings",
]
