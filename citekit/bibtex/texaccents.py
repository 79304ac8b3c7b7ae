"""The LaTeX that BibTeX files are mostly made of, decoded without pylatexenc (pure).

Accented letters (``{\\"u}``, ``\\'{e}``, ``\\v{S}``, ``{\\'\\i}``), letters (``{\\ss}``,
``\\o{}``), escapes (``\\&``) and ties (``~``): :func:`decode_accents` replaces them and
leaves the braces to :mod:`citekit.bibtex.latex`, or gives up (None) on anything else, which then
goes to pylatexenc. ``tests/test_latex_fast.py`` holds the result to pylatexenc's output on
the shared real-world files, a generated library and random mixtures.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["decode_accents"]

_BARE_PERCENT = re.compile(r"(?<!\\)%")
_BRACE = re.compile(r"[{}]")
MARKS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
          "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
          "c": "\u0327", "k": "\u0328", "r": "\u030a"}  # fmt: skip
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ",
            "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ"}  # fmt: skip
_LETTER_AHEAD = r"(?![^\W\d_])"  # a command name runs on through any letter (\oÉ)
# What TeX skips after a command word: spaces and one line end (not a paragraph break).
_SKIP = r"[ \t]*(?:\n[ \t]*)?(?![ \t]*\n)"
_BASE = rf"(\\[ij]{_LETTER_AHEAD}(?!\s)|[A-Za-z])"
_ONE = (
    rf"\\([\"'`^~=.])(?:\{{{_BASE}\}}|{_BASE})"  # \"u  \"{u}
    rf"|\\([uvHckr])(?:\{{{_BASE}\}}|[ \t]+{_BASE})"  # \v{S}  \v S
    rf"|\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij]){_LETTER_AHEAD}(?:\{{\}}|{_SKIP})"  # \ss{}  \o
)
_GROUPED = re.compile(rf"\{{(?:{_ONE})\}}")  # {\"u}: a special character, braces and all
_BARE = re.compile(_ONE)
_ESCAPED = re.compile(r"\\([&%_#$])")


def _accent(match: re.Match[str]) -> str:
    mark, braced, bare, word, wbraced, wbare, letter = match.groups()
    if letter:
        return _LETTERS[letter]
    base = braced or bare or wbraced or wbare
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + MARKS[mark or word])


def decode_accents(value: str) -> str | None:
    """``value`` with its accents, letters, escapes and ties decoded, or None if it holds
    other LaTeX (math, other commands, a group that starts with a command)."""
    if "$" in value or _BARE_PERCENT.search(value) or not _balanced(value):
        return None
    text = _GROUPED.sub(_accent, value)
    if "{\\" in text:
        return None  # {\"Ueber}, {\em x}: a group led by a command is not protection
    text = _ESCAPED.sub(r"\1", _BARE.sub(_accent, text))
    if "\\" in text:
        return None
    return text.replace("~", "\xa0")


def _balanced(text: str) -> bool:
    depth = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0
