"""Disk faults through the CLI: read-only directory, full disk, file-size limit, odd targets.

Every case ends with exit 1 and one ``citekit: <file>: <reason>; …`` line (no traceback),
and ``references.bib`` and ``exports/`` exactly as they were (never half written, no temp
file left behind). How each fault is made:

* read-only: a read-only bind mount when running as root (EROFS), else ``chmod 555``;
* full disk: a 64 KB tmpfs when running as root (real ENOSPC), and everywhere a character
  device like ``/dev/full`` as the output, and ``RLIMIT_FSIZE`` in the child (EFBIG);
* a missing ``exports/`` is created; an ``exports`` that is a file is a clear error.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from citekit.library import load

from .harness import citekit_env, no_traceback, run_citekit, witness
from .papers import complete

ROOT = os.geteuid() == 0


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file under ``project`` except the lock (which a run may stamp)."""
    return {
        str(p.relative_to(project)): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and p.name != ".citekit.lock"
    }


def make_project(project: Path, entries: int = 8) -> None:
    """A finished library, its exports, then a changed title (the exports are stale)."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "references.bib").write_text(complete(entries), encoding="utf-8")
    (project / "list.md").write_text("# L\n\n- <https://arxiv.org/abs/2301.00001>\n")
    assert run_citekit(project, "export", "all").returncode == 0
    bib = project / "references.bib"
    bib.write_text(bib.read_text().replace("Finished Entry 0", "Changed Entry 0"))


def assert_clean_failure(done: subprocess.CompletedProcess[str], reason: str) -> None:
    assert done.returncode == 1, done.stderr
    assert no_traceback(done.stderr), done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("citekit: ") and reason in last, last
    assert ".tmp" not in last  # the file the user knows is named, not a temp file


def skip_locally(reason: str) -> None:
    """Skip on a developer machine; under ``CI`` a disk fault that cannot be staged is a
    failure, as a missing real consumer is (``conftest.require_binary``)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run these as root with mount rights")
    pytest.skip(reason)


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """``directory`` read-only for the duration; yields the expected error text."""
    if ROOT:
        probe = subprocess.run(["mount", "--bind", str(directory), str(directory)], check=False)
        if probe.returncode != 0:
            skip_locally("running as root without mount rights: cannot make a directory read-only")
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], check=True)
            yield "Read-only file system"
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    directory.chmod(0o555)
    try:
        yield "Permission denied"
    finally:
        directory.chmod(0o755)


@pytest.mark.parametrize(
    "args", [("import-md", "list.md"), ("export", "all"), ("build", "--offline")]
)
def test_read_only_library_directory(tmp_path: Path, args: tuple[str, ...]) -> None:
    project = tmp_path / "lib"
    make_project(project)
    before = snapshot(project)
    with read_only(project) as reason:
        assert run_citekit(project, "check").returncode == 0  # reading still works
        done = run_citekit(project, *args)
        elsewhere = run_citekit(project, "export", "csl", "-o", str(tmp_path / "out.json"))
    assert_clean_failure(done, reason)
    assert snapshot(project) == before
    assert elsewhere.returncode == 0, elsewhere.stderr  # the lock fell back to the directory
    assert (tmp_path / "out.json").stat().st_size > 0


@contextlib.contextmanager
def tiny_disk(directory: Path, size: str = "64k") -> Iterator[None]:
    if not ROOT:
        skip_locally("a real full disk needs a tmpfs mount (root); the EFBIG test runs instead")
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], check=False
    )
    if mounted.returncode != 0:
        skip_locally("running as root without mount rights: no tmpfs for a full disk")
    try:
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def test_full_disk_while_writing_the_exports(tmp_path: Path) -> None:
    project = tmp_path / "disk"
    with tiny_disk(project):
        (project / "references.bib").write_text(complete(40), encoding="utf-8")
        before = snapshot(project)
        done = run_citekit(project, "export", "all")
        assert_clean_failure(done, "No space left on device")
        after = snapshot(project)
        assert after["references.bib"] == before["references.bib"]
        assert not [p for p in after if p.endswith(".tmp")]
        for name, data in after.items():  # whatever export made it is whole
            if name.endswith(".json"):
                import json

                json.loads(data)


def test_full_disk_while_writing_the_library(tmp_path: Path) -> None:
    project = tmp_path / "disk"
    with tiny_disk(project):
        (project / "references.bib").write_text(complete(8), encoding="utf-8")
        (project / "list.md").write_text("# L\n\n- <https://arxiv.org/abs/2301.00001>\n")
        filler = project / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 1024)
                fh.flush()
        before = (project / "references.bib").read_bytes()
        done = run_citekit(project, "import-md", "list.md")
        assert_clean_failure(done, "No space left on device")
        assert (project / "references.bib").read_bytes() == before
        assert not list(project.glob(".*.tmp"))


def limited(limit: int) -> None:
    """preexec_fn: files may grow to ``limit`` bytes; past it writes fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_file_size_limit_fails_the_write_cleanly(tmp_path: Path) -> None:
    make_project(tmp_path)
    before = snapshot(tmp_path)
    for args in (("import-md", "list.md"), ("export", "all")):
        done = subprocess.run(
            [sys.executable, "-m", "citekit", *args],
            cwd=tmp_path,
            env=citekit_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=lambda: limited(1024),
        )
        witness(tmp_path, done.stdout, done.stderr, " ".join(args))
        assert_clean_failure(done, "File too large")
        assert snapshot(tmp_path) == before


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A copy of /dev/null (minor 3) or /dev/full (minor 7) in ``tmp_path`` (root), else it."""
    if not ROOT:
        return Path(f"/dev/{name}")
    node = tmp_path / name
    os.mknod(node, 0o20666, os.makedev(1, minor))
    return node


def test_a_device_as_output_is_written_into_never_replaced(tmp_path: Path) -> None:
    """``-o /dev/full`` is ENOSPC, ``-o /dev/null`` works; neither node becomes a file."""
    make_project(tmp_path / "lib")
    full, null = device(tmp_path, "full", 7), device(tmp_path, "null", 3)
    done = run_citekit(tmp_path / "lib", "export", "csl", "-o", str(full), timeout=30)
    assert_clean_failure(done, f"{full}: No space left on device")
    assert run_citekit(tmp_path / "lib", "export", "ris", "-o", str(null)).returncode == 0
    assert full.is_char_device() and null.is_char_device()


def test_missing_exports_is_created_and_a_file_in_its_place_is_an_error(tmp_path: Path) -> None:
    make_project(tmp_path)
    shutil.rmtree(tmp_path / "exports")
    assert run_citekit(tmp_path, "export", "all").returncode == 0
    assert (tmp_path / "exports/references.json").is_file()
    shutil.rmtree(tmp_path / "exports")
    (tmp_path / "exports").write_text("not a directory\n")
    before = snapshot(tmp_path)
    assert_clean_failure(run_citekit(tmp_path, "build", "--offline"), "exports")
    assert snapshot(tmp_path) == before


def test_a_symlinked_library_keeps_its_link(tmp_path: Path) -> None:
    """fileio: the link was replaced by a file and the real library never changed."""
    (tmp_path / "real").mkdir()
    make_project(tmp_path / "real")
    project = tmp_path / "project"
    project.mkdir()
    (project / "references.bib").symlink_to(tmp_path / "real/references.bib")
    (project / "list.md").write_text("# L\n\n- <https://arxiv.org/abs/2301.00001>\n")
    assert run_citekit(project, "import-md", "list.md").returncode == 0
    assert (project / "references.bib").is_symlink()
    assert len(load(tmp_path / "real/references.bib").records) == 9
