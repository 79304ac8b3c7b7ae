"""Settings, read once by the CLI and passed down explicitly.

Precedence, lowest first: built-in defaults, ``[tool.citekit]`` in ``pyproject.toml``,
``citekit.toml`` (top-level keys), environment variables, command-line options.
Nothing here reads settings lazily from the environment later on.

A project file (``pyproject.toml``, ``citekit.toml``) comes with the repository, so it is
trusted less than the environment or the command line (SECURITY.md): the paths it names
(``bib``, ``exports_dir``, ``cache_dir``) must stay inside the project, and the service
URLs it names are recorded in :attr:`Settings.from_project`, so that no credential is
sent to them (:meth:`Settings.credential_url`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["SERVICE_URLS", "Settings", "load_settings"]

ARXIV_URL = "https://export.arxiv.org/api/query"
CROSSREF_URL = "https://api.crossref.org"
ZOTERO_URL = "https://api.zotero.org"
DBLP_URL = "https://dblp.org"
OPENALEX_URL = "https://api.openalex.org"

_ENV = {
    "bib": "CITEKIT_BIB",
    "cache_dir": "CITEKIT_CACHE_DIR",
    "arxiv_url": "CITEKIT_ARXIV_URL",
    "crossref_url": "CITEKIT_CROSSREF_URL",
    "zotero_url": "CITEKIT_ZOTERO_URL",
    "dblp_url": "CITEKIT_DBLP_URL",
    "openalex_url": "CITEKIT_OPENALEX_URL",
    "published_sources": "CITEKIT_PUBLISHED_SOURCES",
    "venue_names": "CITEKIT_VENUE_NAMES",
    "dblp_delay": "CITEKIT_DBLP_DELAY",
    "mailto": "CITEKIT_MAILTO",
    "key_pattern": "CITEKIT_KEY_PATTERN",
    "exports_dir": "CITEKIT_EXPORTS_DIR",
    "lock_timeout": "CITEKIT_LOCK_TIMEOUT",
    "html_max_entries": "CITEKIT_HTML_MAX_ENTRIES",
}


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Paths are relative to ``root`` unless absolute."""

    root: Path = Path(".")
    bib: str = "references.bib"  # the first library file: new entries are added to it
    # Further library files, read after it (``bib = ["refs.bib", "IEEEabrv.bib"]``, or
    # ``--bib`` given again): their entries and @string macros are one library; each
    # entry is written back to the file it came from.
    more_bib: tuple[str, ...] = ()
    encoding: str = ""  # "" = what each file says (BOM, header) or UTF-8 (--encoding)
    exports_dir: str = "exports"
    cache_dir: str = ""  # "" = ".citekit" beside the library
    arxiv_url: str = ARXIV_URL
    crossref_url: str = CROSSREF_URL
    zotero_url: str = ZOTERO_URL
    dblp_url: str = DBLP_URL
    openalex_url: str = OPENALEX_URL
    # Which sources may find a preprint's published version (after arXiv's own DOI),
    # in order; "crossref dblp openalex" asks all three, "crossref" only Crossref.
    published_sources: str = "crossref dblp openalex"
    venue_names: str = "full"  # "full": the name a researcher cites; "short": "NeurIPS 2020"
    mailto: str = ""
    key_pattern: str = "{family}{year}{title}"
    arxiv_delay: float = 3.0  # seconds between arXiv requests (arXiv's terms: >= 3)
    dblp_delay: float = 1.0  # seconds between DBLP requests (dblp asks for <= 1 per second)
    timeout: float = 20.0  # seconds for one HTTP request
    lock_timeout: float = 60.0  # seconds to wait for another citekit run on the same library
    # build / export all write exports/index.html only up to this many entries: the page
    # formats every entry through citeproc-py (~20 ms each); `export html` always writes it.
    html_max_entries: int = 2000
    #: Settings whose value came from a project file (not overridden by env or CLI).
    from_project: frozenset[str] = frozenset()

    @property
    def bib_path(self) -> Path:
        return self.root / self.bib

    @property
    def bib_paths(self) -> tuple[Path, ...]:
        """Every library file, the first one first."""
        return (self.bib_path, *(self.root / b for b in self.more_bib))

    @property
    def exports_path(self) -> Path:
        return self.root / self.exports_dir

    @property
    def cache_path(self) -> Path:
        if self.cache_dir:
            return self.root / self.cache_dir
        return self.bib_path.parent / ".citekit"

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes``; a changed setting no longer counts as the project's."""
        project = self.from_project - changes.keys()
        return replace(self, **({"from_project": project} | changes))

    def credential_url(self, name: str) -> str:
        """The URL setting ``name``, when credentials may be sent to it.

        Raises ConfigError when a project file set it: a cloned repository must not be
        able to send your API key to a host of its choosing.
        """
        if name in self.from_project:
            raise ConfigError(
                f"{name} = {getattr(self, name)!r} comes from a project file "
                f"(citekit.toml or pyproject.toml); credentials are only sent to a URL from "
                f"the environment: set {_ENV[name]} if you trust it"
            )
        url: str = getattr(self, name)
        return url

    def mailto_for(self, name: str) -> str:
        """The mailto to send to the service at URL setting ``name``: none when a project
        file chose that URL (a cloned repository must not learn your address)."""
        return "" if name in self.from_project else self.mailto


def _from_toml(path: Path, table: str | None) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read settings ({exc}); fix or remove the file") from exc
    if table is None:
        return data
    found = data.get("tool", {}).get(table, {})
    return found if isinstance(found, dict) else {}


def _coerce(values: Mapping[str, Any], origin: str) -> dict[str, Any]:
    known = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        attr = name.replace("-", "_")
        if attr not in known or attr in ("root", "from_project"):
            continue  # other tools' keys and future settings are not ours to reject
        if attr == "bib" and isinstance(value, list):
            if not value or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(f"{origin}: setting 'bib' must be a file name or a list of them")
            out["bib"], out["more_bib"] = value[0], tuple(value[1:])
            continue
        if attr == "more_bib":
            continue  # set through bib = [...]
        default = getattr(Settings(), attr)
        try:
            out[attr] = type(default)(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{origin}: setting {name!r} has a bad value {value!r}") from exc
    return out


#: Paths a project file may set only inside the project.
_PATHS = ("bib", "more_bib", "exports_dir", "cache_dir")
#: Service URLs: from a project file, used without credentials (and said so).
SERVICE_URLS = ("arxiv_url", "crossref_url", "zotero_url", "dblp_url", "openalex_url")


def _inside(root: Path, values: Mapping[str, Any], origin: str) -> None:
    """Refuse a project file's path that leads outside the project (``../``, absolute,
    or through a symlink)."""
    top = root.resolve()
    for name in _PATHS:
        given = values.get(name)
        for value in given if isinstance(given, tuple) else (given,):
            if not value:
                continue
            target = (root / str(value)).resolve()
            if target != top and top not in target.parents:
                env_name = _ENV["bib" if name == "more_bib" else name]
                raise ConfigError(
                    f"{origin}: {'bib' if name == 'more_bib' else name} = {value!r} points "
                    "outside the project; a project file may only name paths inside it "
                    f"(set {env_name} to use another place)"
                )


def load_settings(root: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings for the project in ``root`` (default: the working directory)."""
    root = root or Path(".")
    env = os.environ if env is None else env
    project: dict[str, Any] = {}
    for origin, table in (("pyproject.toml", "citekit"), ("citekit.toml", None)):
        values = _coerce(_from_toml(root / origin, table), origin)
        _inside(root, values, origin)
        project |= values
    environment = _coerce({k: env[v] for k, v in _ENV.items() if env.get(v)}, "environment")
    if "bib" in environment:
        project.pop("more_bib", None)  # CITEKIT_BIB names the whole library
    from_project = frozenset(project) - frozenset(environment)
    return _checked(Settings(root=root, **(project | environment), from_project=from_project))


#: The sources that may find a published version (``published_sources``).
PUBLISHED_SOURCES = ("crossref", "dblp", "openalex")


def _checked(settings: Settings) -> Settings:
    """Refuse choice settings with a value citekit does not know (one line, what to write)."""
    if settings.venue_names not in ("full", "short"):
        raise ConfigError(f"venue_names is {settings.venue_names!r}; use 'full' or 'short'")
    for name in settings.published_sources.replace(",", " ").split():
        if name not in PUBLISHED_SOURCES:
            known = " ".join(PUBLISHED_SOURCES)
            raise ConfigError(f"published_sources names {name!r}; use some of: {known}")
    return settings
