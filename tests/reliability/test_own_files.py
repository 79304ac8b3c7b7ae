"""citekit touches only its own files (issue #12, items 9-11), through the CLI as a user runs it.

* 9: a ``.citekit.lock`` symlinked to a user's file is never followed or truncated, and
  the temp-file sweep removes only names only citekit makes, whose writer is gone.
* 10: a write-protected ``references.bib`` is replaced by no command. CI runs as root,
  where ``EACCES`` never happens, so citekit checks the permission bits itself and the
  tests hold it to that as root too.
* 11: a missing library file is one line and exit 1 for every command that needs one,
  with nothing written (no exports, no lock file); ``add`` and ``import-md`` create it
  and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from citekit.fileio import write_atomic
from citekit.lock import LOCK_NAME, sweep_temp_files
from tests.hub.replay import register
from tests.servers.fixtures import ReplayServers

from .harness import ROOT, citekit_env, no_traceback, run_citekit

LIBRARY = ROOT / "references.bib"
READING_LIST = ROOT / "examples" / "reading-list.md"
STUB = ROOT / "examples" / "stub.bib"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copyfile(LIBRARY, tmp_path / "references.bib")
    return tmp_path


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# -- item 9: the lock and the sweep ------------------------------------------------------


def test_a_symlinked_lock_file_is_neither_followed_nor_truncated(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("home")
    bashrc = home / ".bashrc"
    bashrc.write_text("export PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n", encoding="utf-8")
    before = bashrc.read_bytes()
    (project / LOCK_NAME).symlink_to(bashrc)
    run_citekit(project, "build", "--offline")  # the library is complete: nothing to do
    done = run_citekit(project, "build", "--offline")
    assert done.returncode == 0, done.stderr
    assert bashrc.read_bytes() == before
    assert (project / LOCK_NAME).is_symlink()


def test_a_hard_linked_lock_file_is_not_written_into(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    notes = tmp_path_factory.mktemp("home") / "notes.txt"
    notes.write_text("mine\n", encoding="utf-8")
    os.link(notes, project / LOCK_NAME)
    done = run_citekit(project, "export", "csl")
    assert done.returncode == 0, done.stderr
    assert notes.read_text(encoding="utf-8") == "mine\n"


def test_the_lock_file_is_never_truncated(project: Path) -> None:
    lock = project / LOCK_NAME
    for _ in range(2):
        done = run_citekit(project, "export", "ris")
        assert done.returncode == 0, done.stderr
    text = lock.read_text(encoding="utf-8")
    assert len(text) == 128 and text.endswith("\n")  # one fixed-width line, in place
    assert text.split()[0].isdigit()


def test_the_sweep_leaves_a_users_tmp_files_alone(project: Path) -> None:
    mine = {
        ".references.20250101.tmp": b"my draft\n",  # the file the old sweep deleted
        ".references.bib.abcdefgh.tmp": b"an editor's swap file\n",
        "notes.tmp": b"notes\n",
    }
    for name, data in mine.items():
        (project / name).write_bytes(data)
    done = run_citekit(project, "export", "csl")
    assert done.returncode == 0, done.stderr
    for name, data in mine.items():
        assert (project / name).read_bytes() == data, name


def test_the_sweep_removes_only_what_a_dead_citekit_writer_left(project: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(dead.stdout)  # that process has exited
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = project / f".references.bib.citekit-{dead_pid}-abcd1234.tmp"
        busy = project / f".references.bib.citekit-{live.pid}-wxyz5678.tmp"
        left.write_text("half", encoding="utf-8")
        busy.write_text("being written", encoding="utf-8")
        assert sweep_temp_files([project]) == 1
        assert not left.exists() and busy.exists()
    finally:
        live.kill()
        live.wait()


def test_write_atomic_names_its_temp_files_so_the_sweep_knows_them(tmp_path: Path) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", spy)
        write_atomic(tmp_path / "references.bib", "@misc{a,}\n")
    assert seen and seen[0].startswith(f".references.bib.citekit-{os.getpid()}-")


# -- item 10: a write-protected library --------------------------------------------------


WRITING = [
    ("resolve",),
    ("build",),
    ("add", "2203.02155"),
    ("import-md", str(READING_LIST)),
]


def _run_with_servers(project: Path, servers: ReplayServers, *args: str) -> Any:
    urls = {"CITEKIT_ARXIV_URL": servers.arxiv.url, "CITEKIT_CROSSREF_URL": servers.crossref.url}
    return run_citekit(project, *args, env=citekit_env(project, **urls))


@pytest.mark.parametrize("args", WRITING, ids=[a[0] for a in WRITING])
def test_a_write_protected_library_is_never_replaced(
    tmp_path: Path, replay_servers: ReplayServers, args: tuple[str, ...]
) -> None:
    register(replay_servers.arxiv, replay_servers.crossref)
    control, project = tmp_path / "control", tmp_path / "protected"
    for where in (control, project):
        where.mkdir()
        shutil.copyfile(STUB, where / "references.bib")
    # The same command on a writable copy does change the library: there is something to
    # refuse, so the refusal below is not a run that had nothing to write.
    assert _run_with_servers(control, replay_servers, *args).returncode == 0
    assert (control / "references.bib").read_bytes() != STUB.read_bytes()
    bib = project / "references.bib"
    inode = bib.stat().st_ino
    bib.chmod(0o444)
    done = _run_with_servers(project, replay_servers, *args)
    assert done.returncode == 1, done.stderr
    refusal = [line for line in done.stderr.splitlines() if "write-protected" in line]
    assert len(refusal) == 1 and bib.name in refusal[0] and "chmod u+w" in refusal[0]
    assert no_traceback(done.stderr)
    assert bib.read_bytes() == STUB.read_bytes() and bib.stat().st_ino == inode
    assert bib.stat().st_mode & 0o777 == 0o444


def test_the_permission_bits_are_checked_even_for_root(tmp_path: Path) -> None:
    """What makes the test above honest as root: no write bit means no replace, for anyone."""
    target = tmp_path / "references.bib"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(PermissionError, match="write-protected"):
        write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert write_atomic(target, "old\n") is False  # unchanged content: nothing to refuse


# -- item 11: a missing library ----------------------------------------------------------


NEEDS_LIBRARY = [
    ("build", "--offline"),
    ("resolve", "--offline"),
    ("export", "all"),
    ("export", "bibtex"),
    ("export", "csl"),
    ("format",),
    ("sync", "zotero", "--dry-run"),
]


@pytest.mark.parametrize("how", ["--bib typo", "empty directory", "CITEKIT_BIB"])
@pytest.mark.parametrize("args", NEEDS_LIBRARY, ids=[" ".join(a) for a in NEEDS_LIBRARY])
def test_a_missing_library_writes_nothing(tmp_path: Path, how: str, args: tuple[str, ...]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    env = citekit_env(project)
    prefix: tuple[str, ...] = ()
    if how == "--bib typo":
        shutil.copyfile(LIBRARY, project / "references.bib")
        shutil.copytree(ROOT / "exports", project / "exports")
        prefix = ("--bib", "referneces.bib")
    elif how == "CITEKIT_BIB":
        shutil.copytree(ROOT / "exports", project / "exports")
        env["CITEKIT_BIB"] = "refs.bib"
    before = _files(project)
    done = run_citekit(project, *prefix, *args, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "no such library file" in done.stderr and "nothing to do" not in done.stderr
    assert _files(project) == before  # no export rewritten, no lock file, no cache


@pytest.mark.parametrize(
    "args", [("add", "--offline", "--dry-run", "x"), ("import-md", str(READING_LIST))]
)
def test_add_and_import_md_may_create_the_library_and_say_so(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run_citekit(tmp_path, *args)
    bib = tmp_path / "references.bib"
    if "--dry-run" in args:
        assert not bib.exists() and "created" not in done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert bib.is_file()
    assert f"citekit: created {bib.name}: it did not exist" in done.stderr
