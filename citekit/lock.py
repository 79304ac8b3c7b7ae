"""One citekit process at a time per library: an advisory ``flock`` beside the library.

Every command that writes (``resolve``, ``add``, ``build``, ``import-md``, ``sync zotero``,
the exports) runs inside :func:`library_lock`. A second process on the same library waits
(up to ``Settings.lock_timeout`` seconds, polling) and then stops with a
:class:`~citekit.errors.LibraryError` naming the holder's pid and command, so two runs never
interleave their read-modify-write of ``references.bib``, ``exports/`` or the state files.

Where the lock lives (the choice, and why):

* ``<library dir>/.citekit.lock``, created if missing and never deleted (deleting a lock
  file lets a third process lock a fresh inode while a second still holds the old one).
  It sits beside the library, not in the cache directory, because the cache directory can
  be moved per process (``CITEKIT_CACHE_DIR``) while the library is what must not be
  written twice. The holder writes its pid and command line into it, for the message.
* When that file cannot be created or opened (a read-only library directory, a read-only
  file system), the library directory itself is locked through a read-only descriptor:
  ``flock`` needs no write permission on Linux and macOS. Such a run cannot write the
  library anyway; it still must not read a half-finished export set of a concurrent run.
* When the library's directory does not exist yet there is nothing to protect: the run
  proceeds unlocked (the first write creates the directory).

``flock`` locks die with their process, so a SIGKILLed run never leaves a stale lock. What
it can leave is the temp file of an atomic write it was in the middle of (the old file is
intact); the next run that takes the lock removes those.

The lock file is never followed and never truncated: it is opened with ``O_NOFOLLOW``, so
a ``.citekit.lock`` that is a symlink (to ``~/.bashrc``, say) is not opened at all (the
directory is locked instead), and the holder's pid is written into it only when it is a
small regular file of ours with one link, in place, padded to a fixed width. The sweep
removes only names only citekit makes (``.<name>.citekit-<pid>-<random>.tmp``) whose
writer pid is no longer running.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import LibraryError
from .fileio import TEMP_MARK

__all__ = ["LOCK_NAME", "library_lock", "lock_path", "sweep_temp_files"]

LOCK_NAME = ".citekit.lock"
_POLL = 0.05  # seconds between tries while another process holds the lock
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}
# fileio.write_atomic's temp files: tempfile.mkstemp(prefix=".name.citekit-<pid>-", ".tmp")
_TEMP = re.compile(rf"^\..+\.{TEMP_MARK}-(?P<pid>[0-9]+)-[a-z0-9_]{{8}}\.tmp$")
_STAMP = 128  # bytes of the pid line; the lock file is never longer, never truncated


def lock_path(bib_path: Path) -> Path:
    """The lock file of the library ``bib_path`` (beside the file a symlink points to)."""
    return Path(os.path.realpath(bib_path)).parent / LOCK_NAME


@contextlib.contextmanager
def library_lock(
    bib_path: Path,
    timeout: float,
    *,
    notify: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    sweep: Iterable[Path] = (),
) -> Iterator[Path | None]:
    """Hold the library's lock for the body; yield the locked path (None when unlocked).

    ``notify`` is called once, with a human sentence, when the lock is busy and the run
    starts waiting. Raises LibraryError when the lock stays busy for ``timeout`` seconds.
    Once locked, the temp files a killed run's atomic writes left in the ``sweep``
    directories are removed (no other citekit run can be writing them now).
    """
    fd, locked = _open(Path(bib_path))
    if fd is None:
        yield None
        return
    try:
        _acquire(fd, bib_path, locked, timeout, notify, clock, sleep)
        _stamp(fd)
        sweep_temp_files(sweep)
        yield locked
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def sweep_temp_files(directories: Iterable[Path]) -> int:
    """Remove the temp files killed citekit runs left in ``directories``; count them.

    Only ``fileio.write_atomic``'s names (``.<name>.citekit-<pid>-<random>.tmp``), only
    regular files, and only when that pid is not running (a live writer, or a reused pid:
    left alone either way). A user's ``.references.20250101.tmp`` never matches.
    """
    removed = 0
    for directory in directories:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            match = _TEMP.match(entry.name)
            if not match or not entry.is_file(follow_symlinks=False):
                continue
            if _running(int(match["pid"])):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (ours counts: the sweep runs after we lock)."""
    if pid == os.getpid():
        return False  # our own leftovers cannot be in use: the sweep runs before we write
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's live process, or not a pid at all: leave it
    return True


def _open(bib_path: Path) -> tuple[int | None, Path]:
    """A descriptor to lock: the lock file, else the directory itself (read-only case)."""
    path = lock_path(bib_path)
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except FileNotFoundError:
        return None, path  # no library directory yet: nothing to protect
    except OSError as exc:
        # ELOOP: the lock file is a symlink; never follow it, lock the directory instead.
        if exc.errno not in _READ_ONLY | {errno.ELOOP}:
            raise
    else:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd, path
        os.close(fd)  # a FIFO or device under our name: not ours to lock or write
    try:
        return os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC), path.parent
    except FileNotFoundError:
        return None, path.parent


def _acquire(
    fd: int,
    bib_path: Path,
    locked: Path,
    timeout: float,
    notify: Callable[[str], None] | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    deadline = clock() + max(timeout, 0.0)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(locked)
        if clock() >= deadline:
            raise LibraryError(
                str(bib_path),
                f"in use by another citekit process{holder} for more than {timeout:g} s; "
                "run again when it has finished (or raise lock_timeout)",
            )
        if not told and notify is not None:
            notify(f"{bib_path} is in use by another citekit process{holder}; waiting")
            told = True
        sleep(_POLL)


def _holder(locked: Path) -> str:
    """`` (pid 123: citekit build)`` from the lock file, or "" when it says nothing usable."""
    if locked.is_dir():
        return ""
    try:
        text = locked.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    pid, _, command = text.partition("\n")[0].strip().partition(" ")
    if not pid.isdigit():
        return ""
    return f" (pid {pid}: {command[:80]})" if command else f" (pid {pid})"


def _stamp(fd: int) -> None:
    """Write our pid and command line into the lock file (best effort, for messages).

    Only into a file that can be ours: regular, one link, ours, at most ``_STAMP`` bytes.
    The line is padded to ``_STAMP`` bytes and written in place, so the file is never
    truncated and a hard link to someone's file is never written into.
    """
    info = os.fstat(fd)
    if info.st_nlink != 1 or info.st_size > _STAMP or info.st_uid != os.geteuid():
        return
    words = [Path(sys.argv[0]).name if sys.argv else "citekit", *sys.argv[1:3]]
    line = f"{os.getpid()} {' '.join(words)}".encode("utf-8", "replace")[: _STAMP - 1]
    with contextlib.suppress(OSError):
        os.pwrite(fd, line.ljust(_STAMP - 1) + b"\n", 0)
