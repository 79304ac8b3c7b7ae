"""Two citekit processes on one library: the lock serialises them; nothing lost or doubled.

The lock is ``<library dir>/.citekit.lock`` (``flock``; the directory itself when that file
cannot be made). Real subprocesses race here; the lock's own logic is also driven
in-process with an injected clock.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from citekit.errors import LibraryError
from citekit.library import load
from citekit.lock import LOCK_NAME, library_lock, lock_path
from tests.servers.fixtures import ReplayServers

from .harness import citekit_env, finish, no_traceback, run_citekit, settings_file, start_citekit
from .papers import arxiv_id, register

ROUNDS = 4


@contextmanager
def held(project: Path, stamp: str = "4242 citekit build") -> Iterator[None]:
    """Hold the library's lock from this (test) process, as another citekit run would."""
    fd = os.open(project / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, stamp.encode() + b"\n")
        yield
    finally:
        os.close(fd)


@pytest.fixture
def project(tmp_path: Path, replay_servers: ReplayServers) -> Path:
    register(replay_servers.arxiv, replay_servers.crossref, 2 * ROUNDS)
    settings_file(tmp_path, timeout=20.0)
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    return tmp_path


def env_for(project: Path, servers: ReplayServers, **extra: str) -> dict[str, str]:
    return (
        citekit_env(
            project, CITEKIT_ARXIV_URL=servers.arxiv.url, CITEKIT_CROSSREF_URL=servers.crossref.url
        )
        | extra
    )


def test_two_adds_at_once_keep_both_entries_once(
    project: Path, replay_servers: ReplayServers
) -> None:
    env = env_for(project, replay_servers)
    waited = 0
    for i in range(ROUNDS):
        a = start_citekit(project, "add", arxiv_id(2 * i), env=env)
        b = start_citekit(project, "add", arxiv_id(2 * i + 1), env=env)
        results = [finish(a, project), finish(b, project)]
        for code, _out, err in results:
            assert code == 0, err
            assert no_traceback(err)
        waited += any("in use by another citekit process" in err for _c, _o, err in results)
        ids = [r.arxiv_id for r in load(project / "references.bib").records]
        assert sorted(ids) == sorted(arxiv_id(n) for n in range(2 * i + 2)), ids
    keys = [r.key for r in load(project / "references.bib").records]
    assert len(keys) == len(set(keys)) == 2 * ROUNDS
    print(f"concurrency: {ROUNDS} racing pairs of add, {waited} of them waited on the lock")


def test_the_second_waits_while_the_lock_is_held_then_runs(
    project: Path, replay_servers: ReplayServers
) -> None:
    env = env_for(project, replay_servers)
    with held(project):
        process = start_citekit(project, "add", arxiv_id(0), env=env)
        time.sleep(1.5)
        assert process.poll() is None  # still waiting
        assert (project / "references.bib").read_text(encoding="utf-8") == ""
    code, _out, err = finish(process, project)
    assert code == 0, err
    assert "in use by another citekit process (pid 4242: citekit build); waiting" in err
    assert [r.arxiv_id for r in load(project / "references.bib").records] == [arxiv_id(0)]


@pytest.mark.parametrize(
    "args",
    [
        ("build",),
        ("resolve",),
        ("add", "2101.10000"),
        ("export", "all"),
        ("export", "csl"),
        ("import-md", "list.md"),
        ("sync", "zotero"),
    ],
)
def test_a_busy_library_stops_the_second_with_one_clear_line(
    project: Path, replay_servers: ReplayServers, args: tuple[str, ...]
) -> None:
    (project / "list.md").write_text("# L\n\n- <https://arxiv.org/abs/2101.10001>\n")
    before = (project / "references.bib").read_bytes()
    env = env_for(project, replay_servers, CITEKIT_LOCK_TIMEOUT="0.5")
    with held(project):
        start = time.monotonic()
        done = run_citekit(project, *args, env=env)
        elapsed = time.monotonic() - start
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        "citekit: references.bib: in use by another citekit process (pid 4242: citekit build) "
        "for more than 0.5 s; run again when it has finished (or raise lock_timeout)"
    )
    assert no_traceback(done.stderr)
    assert elapsed < 10
    assert (project / "references.bib").read_bytes() == before
    assert not (project / "exports").exists()
    assert replay_servers.arxiv.count() == replay_servers.crossref.count() == 0


def test_reading_commands_do_not_take_the_lock(project: Path) -> None:
    env = citekit_env(project, CITEKIT_LOCK_TIMEOUT="0")
    (project / "references.bib").write_text("@misc{a,\n  title = {A},\n  url = {u},\n}\n")
    with held(project):
        assert run_citekit(project, "check", env=env).returncode == 0
        assert run_citekit(project, "export", "csl", "-o", "-", env=env).returncode == 1
        assert run_citekit(project, "format", env=env).returncode == 0


def test_two_imports_at_once_keep_every_link_once(tmp_path: Path) -> None:
    env = citekit_env(tmp_path)
    for i in range(ROUNDS):
        for side in "ab":
            digit = "0" if side == "a" else "1"
            links = "\n".join(
                f"- [Paper {side}{i}{n}](https://arxiv.org/abs/2{i}0{n}.1{digit}234)"
                for n in range(3)
            )
            (tmp_path / f"{side}.md").write_text(f"# Hub {side}\n\n{links}\n", encoding="utf-8")
        a = start_citekit(tmp_path, "import-md", "a.md", env=env)
        b = start_citekit(tmp_path, "import-md", "b.md", env=env)
        for code, _out, err in (finish(a, tmp_path), finish(b, tmp_path)):
            assert code == 0, err
    records = load(tmp_path / "references.bib").records
    ids = [r.arxiv_id for r in records]
    assert len(ids) == len(set(ids)) == 2 * 3 * ROUNDS


# -- the lock itself, in-process --------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_lock_times_out_on_the_injected_clock_and_names_the_holder(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    clock, told = Clock(), []
    lock = library_lock(bib, 2.0, notify=told.append, clock=clock, sleep=clock.sleep)
    with held(tmp_path, "77 citekit sync zotero"), pytest.raises(LibraryError) as caught, lock:
        pytest.fail("the body ran while another process held the lock")
    assert clock.now == pytest.approx(2.0, abs=0.1)
    assert "pid 77: citekit sync zotero" in str(caught.value) and "\n" not in str(caught.value)
    holder = "(pid 77: citekit sync zotero)"
    assert told == [f"{bib} is in use by another citekit process {holder}; waiting"]


def test_lock_is_released_after_the_body_and_after_an_error(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    with pytest.raises(RuntimeError), library_lock(bib, 0):
        raise RuntimeError("boom")
    with library_lock(bib, 0) as path:
        assert path == lock_path(bib) == tmp_path / LOCK_NAME
        assert (tmp_path / LOCK_NAME).read_text().split()[0] == str(os.getpid())


def test_lock_without_a_library_directory_does_nothing(tmp_path: Path) -> None:
    with library_lock(tmp_path / "missing" / "references.bib", 0) as path:
        assert path is None
    assert not (tmp_path / "missing").exists()


def test_taking_the_lock_removes_only_the_temp_files_of_killed_writes(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )  # a writer pid that has exited
    stray = tmp_path / f".references.bib.citekit-{int(gone.stdout)}-k2j_x9q1.tmp"
    stray.write_text("half a libr")
    keep = [
        tmp_path / "notes.tmp",
        tmp_path / ".hidden.tmp",
        tmp_path / "references.bib",
        tmp_path / ".references.bib.k2j_x9q1.tmp",  # not a name only citekit makes (#12 item 9)
    ]
    for path in keep:
        path.write_text("mine")
    with library_lock(tmp_path / "references.bib", 0, sweep=[tmp_path, tmp_path / "gone"]):
        assert not stray.exists()
    assert all(p.read_text() == "mine" for p in keep)


def test_two_syncs_at_once_create_each_item_once(tmp_path: Path) -> None:
    from tests.servers.zotero import ZoteroServer, serve

    from .harness import SECRET_KEY
    from .papers import complete

    (tmp_path / "references.bib").write_text(complete(5), encoding="utf-8")
    with serve(ZoteroServer(SECRET_KEY)) as zotero:
        env = citekit_env(tmp_path, CITEKIT_ZOTERO_URL=zotero.url)
        a = start_citekit(tmp_path, "sync", "zotero", env=env)
        b = start_citekit(tmp_path, "sync", "zotero", env=env)
        for code, _out, err in (finish(a, tmp_path), finish(b, tmp_path)):
            assert code == 0, err
        titles = sorted(item["title"] for item in zotero.live_items())
    assert titles == sorted(f"Finished Entry {n}" for n in range(5))
