"""citekit: resolve arXiv ids, DOIs and titles into clean BibTeX, CSL-JSON and Zotero.

The public surface is small and free of third-party types::

    from citekit import load, save, parse_identifier
    library = load(Path("references.bib"))
    for record in library.records: ...
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
from .identifiers import Identifier, parse_identifier
from .keys import assign_keys, make_key
from .library import Library, dumps, load, loads, save
from .model import Date, Name, Record

__version__ = "0.1.0"

__all__ = [
    "CitekitError",
    "ConfigError",
    "ConflictError",
    "Date",
    "Identifier",
    "IdentifierError",
    "Library",
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
    "assign_keys",
    "dumps",
    "load",
    "load_settings",
    "loads",
    "make_key",
    "parse_identifier",
    "save",
]
