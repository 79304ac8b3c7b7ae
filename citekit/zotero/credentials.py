"""Zotero credentials: the API key from the environment or a private file, never argv.

``ZOTERO_API_KEY`` wins; otherwise ``api_key`` in the ``[zotero]`` table of the
credentials file (``$CITEKIT_CREDENTIALS``, else ``$XDG_CONFIG_HOME/citekit/credentials.toml``,
else ``~/.config/citekit/credentials.toml``), which must not be readable by group or
others. The library comes from ``--library-id`` / ``--library-type``, then
``ZOTERO_LIBRARY_ID`` / ``ZOTERO_LIBRARY_TYPE``, then the same file.
The key is kept out of ``repr`` and every message; :func:`redact` scrubs foreign texts.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["Credentials", "credentials_file", "load_credentials", "redact"]

LIBRARY_TYPES = ("user", "group")


@dataclass(frozen=True)
class Credentials:
    """A Zotero library and the key that opens it (the key never shows in ``repr``)."""

    library_type: str
    library_id: str
    api_key: str = field(repr=False)

    @property
    def label(self) -> str:
        """``user 4242`` / ``group 99``, for messages."""
        return f"{self.library_type} {self.library_id}"


def credentials_file(env: Mapping[str, str]) -> Path:
    """Where the credentials file is looked for."""
    if env.get("CITEKIT_CREDENTIALS"):
        return Path(env["CITEKIT_CREDENTIALS"])
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "citekit" / "credentials.toml"


def _read_file(path: Path) -> dict[str, Any]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: readable by other users, so citekit will not read a key from it; "
            f"run: chmod 600 {path}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # tomllib messages quote positions, not values, so the key cannot leak here.
        raise ConfigError(f"{path}: cannot read ({type(exc).__name__}); fix the file") from None
    table = data.get("zotero", {})
    return table if isinstance(table, dict) else {}


def load_credentials(
    env: Mapping[str, str] | None = None,
    *,
    library_id: str | None = None,
    library_type: str | None = None,
) -> Credentials:
    """Credentials from options, the environment and the credentials file, in that order."""
    env = os.environ if env is None else env
    path = credentials_file(env)
    key = env.get("ZOTERO_API_KEY", "").strip()
    lib_id = library_id or env.get("ZOTERO_LIBRARY_ID", "")
    lib_type = library_type or env.get("ZOTERO_LIBRARY_TYPE", "")
    stored = _read_file(path) if not (key and lib_id and lib_type) else {}
    key = key or str(stored.get("api_key", "")).strip()
    lib_id = str(lib_id or stored.get("library_id", "")).strip()
    lib_type = str(lib_type or stored.get("library_type", "") or "user").strip().lower()
    if not key:
        raise ConfigError(
            f"no Zotero API key: set ZOTERO_API_KEY, or api_key in [zotero] of {path} (mode 600)"
        )
    if not lib_id.isdigit():
        raise ConfigError(
            "no numeric Zotero library id: pass --library-id or set ZOTERO_LIBRARY_ID "
            "(your user id is shown at zotero.org/settings/keys)"
        )
    if lib_type not in LIBRARY_TYPES:
        raise ConfigError(f"library type {lib_type!r} is not one of: user, group")
    return Credentials(lib_type, lib_id, key)


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced (for foreign error texts)."""
    return text.replace(secret, "<redacted>") if secret else text
