"""Shared test fixtures.

Real consumers (bibtex, biber, pandoc) are never skipped in CI: ``require_binary`` skips
on a developer machine that lacks one, and fails when ``CI`` is set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# arxiv_server, crossref_server, replay_servers, fake_clock (tests/servers/fixtures.py)
pytest_plugins = ["tests.servers.fixtures"]

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def require_binary(name: str) -> str:
    """The path of ``name``; skip locally, fail in CI, when it is not installed."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed; .ci/run must install it")
    pytest.skip(f"{name} is not installed (CI installs it)")


def require_shared(relative: str) -> Path:
    """A file of ../shared; skip (saying why) only when a clone has no ../shared beside it."""
    path = SHARED / relative
    if path.exists():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{path} is missing; CI must have ../shared beside the clone")
    pytest.skip(f"{path} is missing: this clone has no ../shared beside it")


@pytest.fixture(autouse=True)
def _no_network_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets its own cache dir and no real endpoint, so nothing can reach out."""
    monkeypatch.setenv("CITEKIT_CACHE_DIR", str(tmp_path / ".citekit-cache"))
    monkeypatch.setenv("CITEKIT_ARXIV_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("CITEKIT_CROSSREF_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CITEKIT_ZOTERO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CITEKIT_DBLP_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CITEKIT_OPENALEX_URL", "http://127.0.0.1:9")
    # Tests that want DBLP/OpenAlex start their servers and name them (tests/test_published.py).
    monkeypatch.setenv("CITEKIT_PUBLISHED_SOURCES", "crossref")
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
