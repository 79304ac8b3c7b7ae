"""Safe file writes: a temp file in the same directory, fsync, then rename.

A crash at any moment leaves either the old file or the new one, never a mix.
Writing content identical to what is on disk does nothing (mtimes stay untouched).
A symlink is written through (the link stays); a device or FIFO is written into directly.
A write-protected file (no write permission bit) is never replaced, even by root: the
rename would succeed where an ``open`` fails, so the bits are checked explicitly.
An error names the file being written, never the temp file.

The content may be one text or an iterable of text chunks: an export of 100,000 entries
is written as it is rendered, never held whole. The chunks are compared with the file on
disk as they come and the temp file is made at the first difference, so identical content
still writes nothing, and an error while rendering leaves the old file (and no temp file).

Temp files are named ``.<name>.citekit-<pid>-<random>.tmp``: a name only citekit makes,
carrying the pid of its writer, so :func:`citekit.lock.sweep_temp_files` can remove what a
killed run left and nothing else.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import stat
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["TEMP_MARK", "Content", "write_atomic"]

#: In every temp file's name, between the target's name and the writer's pid.
TEMP_MARK = "citekit"
#: What :func:`write_atomic` writes: one text, its bytes, or text chunks in order.
Content = str | bytes | Iterable[str]
_COPY = 1 << 20  # bytes copied at a time from the old file


def write_atomic(path: Path, text: Content, *, encoding: str = "utf-8") -> bool:
    """Write ``text`` to ``path`` atomically; return False when the file already held it.

    ``text`` may be an iterable of str chunks, consumed once and in order; an exception
    it raises leaves ``path`` as it was. Line endings are written as given (citekit
    writes LF everywhere).
    """
    if isinstance(text, str):
        text = text.encode(encoding)
    chunks = [text] if isinstance(text, bytes) else _encoded(text, encoding)
    # Through symlinks: a linked references.bib keeps its link, and its target gets the text.
    path = Path(os.path.realpath(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        # -o /dev/stdout, a FIFO, /dev/full: write into it; never read it (it may not end)
        # and never rename over it (that would replace a device node with a file).
        _write_into(path, chunks)
        return True
    replacement = _Replacement(path, info, len(text) if isinstance(text, bytes) else None)
    try:
        for chunk in chunks:
            replacement.write(chunk)
        return replacement.finish()
    finally:
        replacement.close()  # an unfinished temp file goes


def _encoded(chunks: Iterable[str], encoding: str) -> Iterator[bytes]:
    """The bytes of ``chunks`` (one incremental encoder: a BOM is written once)."""
    encoder = codecs.getincrementalencoder(encoding)()
    for chunk in chunks:
        data = encoder.encode(chunk)
        if data:
            yield data
    tail = encoder.encode("", final=True)
    if tail:
        yield tail


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    """Name the file the user knows in an OS error, not the temp file."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def _write_into(path: Path, chunks: Iterable[bytes]) -> None:
    """Write into a device or FIFO as it is (no temp file, no comparison)."""
    with _named(path):
        fh = open(path, "wb")  # noqa: SIM115 (closed below, inside _named)
    try:
        for chunk in chunks:
            with _named(path):
                fh.write(chunk)
        with _named(path):
            fh.close()  # flushes: /dev/full fails here
    finally:
        with contextlib.suppress(OSError):
            fh.close()


class _Replacement:
    """The new content of ``path``, compared with the old as it comes in.

    Bytes equal to the old file's are only counted (and checksummed); at the first
    difference a temp file is made beside ``path`` and the equal part is copied into it
    from the old file, then the rest goes straight to the temp file. :meth:`finish`
    renames it over ``path``; :meth:`close` removes a temp file left unfinished.
    """

    def __init__(self, path: Path, info: os.stat_result | None, size: int | None) -> None:
        self.path, self.info = path, info
        self.old: BinaryIO | None = None
        if info is not None and (size is None or size == info.st_size):
            with contextlib.suppress(PermissionError):  # unreadable: differs, as far as we know
                self.old = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.same = 0  # bytes the new content shares with the start of the old file
        self.crc = 0  # their checksum: the copy must be what was compared
        self.tmp: str | None = None
        self.out: BinaryIO | None = None

    def write(self, chunk: bytes) -> None:
        """Take the next bytes of the new content."""
        if self.out is None:
            if self.old is not None and self.old.read(len(chunk)) == chunk:
                self.same += len(chunk)
                self.crc = zlib.crc32(chunk, self.crc)
                return
            self._start()
        assert self.out is not None
        with _named(self.path):
            self.out.write(chunk)

    def finish(self) -> bool:
        """Put the new content in place; False when it was the old one, byte for byte."""
        if self.out is None:
            if self.old is not None and not self.old.read(1):
                return False
            self._start()
        assert self.out is not None and self.tmp is not None
        with _named(self.path):
            self.out.flush()
            os.fsync(self.out.fileno())
            self.out.close()
            with contextlib.suppress(OSError):
                os.chmod(self.tmp, _mode_for(self.path))
            os.replace(self.tmp, self.path)
        self.tmp = None
        _fsync_dir(self.path.parent)
        return True

    def close(self) -> None:
        """Close both files; remove the temp file unless it was renamed into place."""
        if self.old is not None:
            self.old.close()
        if self.out is not None:
            with contextlib.suppress(OSError):
                self.out.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None

    def _start(self) -> None:
        if self.info is not None:
            _refuse_write_protected(self.path, self.info)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.path.name}.{TEMP_MARK}-{os.getpid()}-"
        with _named(self.path):
            fd, self.tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=self.path.parent)
            self.out = os.fdopen(fd, "wb")
            self._copy_same()

    def _copy_same(self) -> None:
        """The part found equal, from the old file (it was compared, not kept)."""
        if not self.same:
            return
        assert self.old is not None and self.out is not None
        self.old.seek(0)
        left, crc = self.same, 0
        while left:
            block = self.old.read(min(left, _COPY))
            if not block:
                break
            crc = zlib.crc32(block, crc)
            self.out.write(block)
            left -= len(block)
        if left or crc != self.crc:
            raise OSError(errno.EAGAIN, "changed on disk while citekit wrote it; run again")


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
