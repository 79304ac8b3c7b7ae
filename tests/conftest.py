"""Shared test fixtures.

Real consumers (bibtex, biber, pandoc) are never skipped in CI: ``require_binary`` skips
on a developer machine that lacks one, and fails when ``CI`` is set. Nothing else skips,
and no test reads outside the repository: ``require_shared`` maps the names of files once
read from ../shared to their vendored copies, and an audit hook fails any test that opens
a file beside the clone (issue #15 item 10).
"""

from __future__ import annotations

import atexit
import gzip
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
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

REPOSITORY = Path(__file__).resolve().parent.parent


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

    Nothing outside the repository is ever read, and nothing is skipped: a name with no
    vendored copy is a mistake in the test (vendor the file with its provenance, or write
    the repository's own, as ``tests/data/markdown/hub-like.md`` stands in for the hub).
    """
    if relative not in VENDORED:
        raise LookupError(
            f"{relative!r} has no vendored copy under tests/data (conftest.VENDORED); "
            "tests never read ../shared"
        )
    return _unpacked(DATA / VENDORED[relative])


class OutsideRepositoryRead(RuntimeError):
    """A test opened a file beside the clone (``../shared``, another checkout): a fresh
    clone has nothing there. Not an OSError, so no ``except OSError`` can hide it."""


#: Files beside the clone that tests opened (``_guard_reads`` fails the test that did).
OUTSIDE_READS: list[str] = []


def _guarded_and_allowed() -> tuple[str, tuple[str, ...]]:
    """The directory beside the clone that is guarded, and the places in it still allowed.

    Python's own files (prefixes, ``sys.path``) and the temporary directory may live
    beside the clone; at the file system's root only ``/shared`` is guarded.
    """
    parent = REPOSITORY.parent
    if parent == Path(parent.anchor):
        return str(parent / "shared") + os.sep, ()
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir(), *sys.path}
    guarded = str(parent) + os.sep
    allowed = {str(Path(p).resolve()) + os.sep for p in places if p}
    # A place that holds the whole parent directory would allow everything: not one. When
    # the clone sits in the temporary directory itself (/tmp/clone), what tests create
    # there stays allowed: pytest's ``pytest-of-<user>`` and tempfile's ``tmp…`` folders.
    kept = {p for p in allowed if not guarded.startswith(p)}
    if any(guarded.startswith(p) for p in allowed - kept):
        kept |= {guarded + "pytest-of-", guarded + "tmp"}
    return guarded, tuple(sorted(kept))


_GUARDED, _ALLOWED = _guarded_and_allowed()
_INSIDE = str(REPOSITORY) + os.sep


def _beside_the_clone(path: str) -> bool:
    """Whether ``path`` is beside the clone (in its parent directory, outside it)."""
    target = os.path.abspath(path) + os.sep
    if not target.startswith(_GUARDED) or target.startswith(_INSIDE):
        return False
    return not any(target.startswith(place) for place in _ALLOWED)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(args[0])
        if path and _beside_the_clone(path):
            OUTSIDE_READS.append(path)
            raise OutsideRepositoryRead(f"a test opened {path}, outside the repository")


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _guard_reads() -> Iterator[None]:
    """Fail a test that opened a file beside the clone, even if it caught the error."""
    OUTSIDE_READS.clear()
    yield
    opened, OUTSIDE_READS[:] = list(OUTSIDE_READS), []
    if opened:
        pytest.fail(f"tests must not read outside the repository: {opened}")


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
    # One process: a sliced export forks its workers, and forking this process (with the
    # replay servers' threads) is not what a user's one-shot run does. The parallel path
    # runs as a user runs it, in a process of its own (tests/test_sliced_export.py).
    monkeypatch.setenv("CITEKIT_JOBS", "1")
