"""Shared test fixtures.

Real consumers (bibtex, biber, pandoc) are never skipped in CI: ``require_binary`` skips
on a developer machine that lacks one, and fails when ``CI`` is set.
"""

from __future__ import annotations

import atexit
import gzip
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: no per-example deadline (speed is measured by benchmarks/, and a loaded
# machine made 200 ms examples fail), and in CI a fixed seed, so that CI's verdict is the
# same on every run; local runs keep exploring new examples, and what they find becomes a
# plain regression test.
settings.register_profile("citekit", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "citekit")

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


#: Files the tests once read from ../shared, and their vendored copies under tests/data
#: (each folder's README gives source, commit and licence). A ``.gz`` copy is decompressed
#: once per test process.
VENDORED = {
    "bench-data/cdl.bib": "bench/cdl.bib.gz",
    "bench-data/glottolog-sala.bib": "bench/glottolog-sala.bib.gz",
    "bench-data/glottolog-zurich.bib": "bench/glottolog-zurich.bib.gz",
    "bench-data/biblatex-examples.bib": "bench/biblatex-examples.bib.gz",
    "schema/csl-data.json": "schema/csl-data.json",
    "seed-papers.json": "hub/seed-papers.json",
    "samples/zotero/weblibrary_schema.json": "zotero/schema-26.json",
}
DATA = Path(__file__).resolve().parent / "data"
_UNPACKED: dict[str, Path] = {}


def require_shared(relative: str) -> Path:
    """The repository's copy of a file the tests once read from ../shared (``VENDORED``).

    Nothing outside the repository is read for a vendored file. A file with no vendored
    copy (the hub's Markdown, whose source repository states no licence) is still read
    from ../shared: skipped (saying why) when a clone has none beside it, failed under CI.
    """
    if relative in VENDORED:
        return _unpacked(DATA / VENDORED[relative])
    path = SHARED / relative
    if path.exists():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{path} is missing; CI must have ../shared beside the clone")
    pytest.skip(f"{path} is missing: this clone has no ../shared beside it (not vendored)")


def _unpacked(path: Path) -> Path:
    if path.suffix != ".gz":
        return path
    if str(path) not in _UNPACKED:
        directory = Path(tempfile.mkdtemp(prefix="citekit-vendored-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        target = directory / path.stem
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        _UNPACKED[str(path)] = target
    return _UNPACKED[str(path)]


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
