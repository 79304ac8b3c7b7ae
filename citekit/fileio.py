"""Safe file writes: a temp file in the same directory, fsync, then rename.

A crash at any moment leaves either the old file or the new one, never a mix.
Writing content identical to what is on disk does nothing (mtimes stay untouched).
A symlink is written through (the link stays); a device or FIFO is written into directly.
A write-protected file (no write permission bit) is never replaced, even by root: the
rename would succeed where an ``open`` fails, so the bits are checked explicitly.
An error names the file being written, never the temp file.

Temp files are named ``.<name>.citekit-<pid>-<random>.tmp``: a name only citekit makes,
carrying the pid of its writer, so :func:`citekit.lock.sweep_temp_files` can remove what a
killed run left and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["TEMP_MARK", "write_atomic"]

#: In every temp file's name, between the target's name and the writer's pid.
TEMP_MARK = "citekit"


def write_atomic(path: Path, text: str | bytes, *, encoding: str = "utf-8") -> bool:
    """Write ``text`` to ``path`` atomically; return False when the file already held it.

    Line endings are written as given (citekit writes LF everywhere).
    """
    data = text.encode(encoding) if isinstance(text, str) else text
    # Through symlinks: a linked references.bib keeps its link, and its target gets the text.
    path = Path(os.path.realpath(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        # -o /dev/stdout, a FIFO, /dev/full: write into it; never read it (it may not end)
        # and never rename over it (that would replace a device node with a file).
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        return True
    if info is not None and info.st_size == len(data) and path.read_bytes() == data:
        return False
    if info is not None:
        _refuse_write_protected(path, info)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}.{TEMP_MARK}-{os.getpid()}-"
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the file the user knows, not the temp file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return True


def _refuse_write_protected(path: Path, info: os.stat_result) -> None:
    """Raise when the user has taken write permission away from ``path``.

    Replacing a file by rename needs only the directory to be writable, so a
    ``chmod 444`` file would be replaced silently; root would even bypass ``EACCES``.
    No write bit at all means "do not touch", for everyone; otherwise a non-root user
    without write access is refused as ``open`` would refuse them.
    """
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o222 and (os.geteuid() == 0 or os.access(path, os.W_OK)):
        return
    raise OSError(
        errno.EACCES,
        f"write-protected (mode {mode:04o}), so citekit leaves it as it is; "
        "make it writable (chmod u+w) to let citekit update it",
        str(path),
    )


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0o666 & ~umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
