"""citekit: resolve arXiv ids, DOIs and titles into clean BibTeX, CSL-JSON and Zotero.

The public surface is small and free of third-party types::

    from citekit import load, save, parse_identifier
    library = load(Path("references.bib"))
    for record in library.records: ...

The names are imported when first used (PEP 562): ``python -m citekit`` then loads only
what its command needs (``--help`` and ``export csl`` never load the identifier or key
machinery through this module).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each public name and the module that defines it.
_WHERE = {
    "Settings": "config",
    "load_settings": "config",
    "CitekitError": "errors",
    "ConfigError": "errors",
    "ConflictError": "errors",
    "IdentifierError": "errors",
    "LibraryError": "errors",
    "NotFound": "errors",
    "RateLimited": "errors",
    "SourceError": "errors",
    "SourceUnavailable": "errors",
    "SyncError": "errors",
    "Identifier": "identifiers",
    "parse_identifier": "identifiers",
    "assign_keys": "keys",
    "make_key": "keys",
    "Library": "library",
    "dumps": "library",
    "load": "library",
    "loads": "library",
    "save": "library",
    "Date": "model",
    "Name": "model",
    "Record": "model",
}

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
