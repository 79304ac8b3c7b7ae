"""Bytes of a .bib file ↔ text, keeping what the file was: encoding, byte-order mark, line ends.

Read, in this order: a byte-order mark (UTF-8, UTF-16 LE/BE) decides; an encoding the user
names (``--encoding``) decides; a file that is valid UTF-8 is UTF-8 (whatever its header
says: JabRef writes ``% Encoding: ISO-8859-1`` above ASCII text); otherwise the encoding the
file declares (JabRef's ``% Encoding: windows-1252``, Emacs' ``-*- coding: latin-1 -*-``).
Anything else is refused, naming the encodings it most likely is (charset-normalizer) with a
sample of the file's first non-ASCII text decoded by each, so the user can tell which is
right: a guess from a few bytes is often wrong, and a wrong conversion silently ruins keys.

Saving writes the same encoding, byte-order mark and line ends back; a character the
encoding cannot hold is refused (never replaced).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import LibraryError

__all__ = ["Encoding", "decode", "encode"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# JabRef's header and Emacs' file variable; only the file's first 1,000 bytes are looked at.
_DECLARED = re.compile(rb"(?:%\s*Encoding:\s*|-\*-.*?coding:\s*)([A-Za-z0-9_.:-]+)")
# Emacs appends the line-end convention to the coding name: latin-1-unix.
_EOL_SUFFIX = re.compile(r"-(?:unix|dos|mac)$")
# Common 8-bit and CJK encodings, for the advice on a file that is not UTF-8.
_CANDIDATES = [
    "cp1252",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "mac_roman",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
]


@dataclass(frozen=True)
class Encoding:
    """How a file's text is stored: codec, byte-order mark and line end."""

    codec: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, Encoding]:
    """The text of a file (line ends as ``\\n``) and how to write it back."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decoded(data[len(bom) :], codec, bom, path, "its byte-order mark")
    if encoding:
        return _decoded(data, _codec(encoding, path, "--encoding"), b"", path, "--encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    else:
        if "\x00" not in text:
            return _lines(text, Encoding())
        first_bad = data.index(b"\x00")  # UTF-16 without its byte-order mark, or binary
    declared = _DECLARED.search(data[:1000])
    if declared and (name := declared.group(1).decode("ascii")).lower() not in ("utf-8", "utf8"):
        return _decoded(data, _codec(name, path, "its header"), b"", path, "its header")
    raise LibraryError(path, _advice(data, first_bad), _line_of(data, first_bad))


def encode(text: str, encoding: Encoding, path: str) -> bytes:
    """``text`` (``\\n`` line ends) as the bytes of a file stored as ``encoding``."""
    if encoding.newline != "\n":
        text = text.replace("\n", encoding.newline)
    try:
        return encoding.bom + text.encode(encoding.codec)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        line = text.count(encoding.newline, 0, exc.start) + 1
        raise LibraryError(
            path,
            f"{char!r} cannot be written in this file's encoding ({encoding.codec}); "
            "convert the file to UTF-8 (e.g. with iconv) and try again",
            line,
        ) from None


def _decoded(data: bytes, codec: str, bom: bytes, path: str, why: str) -> tuple[str, Encoding]:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise LibraryError(
            path,
            f"byte 0x{data[exc.start]:02x} is not {codec}, the encoding {why} names; "
            "fix the file or pass the right --encoding",
            _line_of(data, exc.start),
        ) from None
    return _lines(text, Encoding(codec, bom))


def _codec(name: str, path: str, where: str) -> str:
    """The Python codec for an encoding name as files and users write it."""
    clean = re.sub(r"^latin-", "latin", _EOL_SUFFIX.sub("", name.strip()).lower())
    try:
        return codecs.lookup(clean).name
    except LookupError:
        raise LibraryError(path, f"unknown encoding {name!r} (from {where})") from None


def _lines(text: str, encoding: Encoding) -> tuple[str, Encoding]:
    """``text`` with ``\\n`` line ends, and the file's own line end recorded.

    Only a file with one kind of line end is converted: a file that mixes them is read
    as it is (a CR before an LF is white space to the parser), so that saving it changes
    no line end of the parts citekit did not change (a lone LF became CRLF before).
    """
    newline = line_end(text.count("\r\n"), text.count("\n"), "\r" in text)
    if newline == "\n":
        return text, encoding
    text = text.replace(newline, "\n")
    return text, Encoding(encoding.codec, encoding.bom, newline)


def line_end(crlf: int, lf: int, cr: bool) -> str:
    """The line end a file's text is read from, by its counts of CRLF and LF and whether
    it has a CR: ``"\r\n"`` or ``"\r"`` when it is the only kind (converted to ``"\n"``),
    else ``"\n"`` (LF only, or a mix, read as it is)."""
    if crlf and crlf == lf:
        return "\r\n"
    if cr and not lf:
        return "\r"  # classic Mac OS (JabRef's UTF-16 test files)
    return "\n"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _advice(data: bytes, offset: int) -> str:
    """What to do with a file that is not UTF-8: name the encodings it most likely is."""
    start = f"byte 0x{data[offset]:02x} is not UTF-8 text"
    if b"\x00" in data:
        for codec in ("utf-16-be", "utf-16-le"):
            if "@" in data.decode(codec, "replace").lstrip()[:2000]:
                return (
                    f"{start}: this looks like {codec.upper()} without a byte-order mark; "
                    f"pass --encoding {codec} or convert it to UTF-8"
                )
        return f"{start} and it holds NUL bytes: this is binary data, not a .bib file"
    guesses = _guesses(data)
    if not guesses:
        return f"{start}, nor any common encoding; convert it to UTF-8 and try again"
    sample = _sample(data, offset)
    shown = "; ".join(f"{name}: {sample.decode(name, 'replace')!r}" for name in guesses)
    return (
        f"{start}; it is probably {guesses[0]} (the file's first non-ASCII text reads as {shown}); "
        f"pass --encoding {guesses[0]} or convert it with `iconv -f {guesses[0]} -t utf-8`"
    )


def _guesses(data: bytes) -> list[str]:
    from charset_normalizer import from_bytes

    results = from_bytes(data, cp_isolation=_CANDIDATES)
    return [str(r.encoding) for r in results][:3]


def _sample(data: bytes, offset: int) -> bytes:
    """The word around the first byte that is not ASCII."""
    start = max(
        data.rfind(b" ", 0, offset), data.rfind(b"{", 0, offset), data.rfind(b"\n", 0, offset)
    )
    end = min(
        (i for i in (data.find(c, offset) for c in (b" ", b"}", b",", b"\n")) if i >= 0),
        default=len(data),
    )
    return data[start + 1 : min(end, start + 41)]
