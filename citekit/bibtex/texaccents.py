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

__all__ = ["balanced", "decode_accents", "decode_commands", "hide_math", "show_math"]

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
_SC = '<span style="font-variant:small-caps;">'
_TAGS = {"emph": ("<i>", "</i>"), "textit": ("<i>", "</i>"), "textbf": ("<b>", "</b>"),
         "textsc": (_SC, "</span>"), "textsuperscript": ("<sup>", "</sup>"),
         "textsubscript": ("<sub>", "</sub>"), "em": ("<i>", "</i>"), "it": ("<i>", "</i>"),
         "bf": ("<b>", "</b>"), "sc": (_SC, "</span>")}  # fmt: skip
# \emph{x} and {\em x} over plain text: the commands real titles are full of
_FORMATTED = re.compile(
    r"\\(emph|textit|textbf|textsc|textsuperscript|textsubscript)\{([^{}\\$]*)\}"
    r"|\{\\(em|it|bf|sc)(?![A-Za-z])\s*([^{}\\$]*)\}"
)
_LOGO = re.compile(r"\{\\(LaTeX|TeX|BibTeX)\}|\\(LaTeX|TeX|BibTeX)\{\}")
# Inline math, which the record keeps as written: hidden from the fast path's brace handling
_MATH = re.compile(r"\$([^$]*)\$")
_HIDDEN = re.compile("[\ue000-\uf8ff]")


#: Decoded accents by the text that typed them (real files repeat a few hundred).
_ACCENTED: dict[str, str] = {}


def _accent(match: re.Match[str]) -> str:
    typed = match.group()
    decoded = _ACCENTED.get(typed)
    if decoded is None:
        decoded = _accent_of(match)
        if len(_ACCENTED) < 4096:  # bounded: the white space a command skips varies
            _ACCENTED[typed] = decoded
    return decoded


def _accent_of(match: re.Match[str]) -> str:
    mark, braced, bare, word, wbraced, wbare, letter = match.groups()
    if letter:
        return _LETTERS[letter]
    base = braced or bare or wbraced or wbare
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + MARKS[mark or word])


def decode_commands(value: str) -> str:
    """``value`` with ``\\emph{…}``-like commands and ``{\\em …}`` declarations over plain
    text as CSL rich text, and ``{\\LaTeX}``/``\\TeX{}`` as their names."""
    if "\\" not in value:
        return value
    if "{" in value:
        value = _FORMATTED.sub(_formatted, value)
        if "TeX" in value:
            value = _LOGO.sub(lambda m: m.group(1) or m.group(2), value)
    return value


def _formatted(match: re.Match[str]) -> str:
    command, text, declaration, rest = match.groups()
    opening, closing = _TAGS[command or declaration]
    inner = text if command else rest.lstrip()
    return opening + inner + closing if inner else ""


def hide_math(value: str) -> tuple[str, list[str]] | None:
    """``value`` with each ``$…$`` replaced by a private-use placeholder, and the math;
    None when its dollars are not plain pairs (``$$``, ``\\$``) or it holds such characters."""
    if "$$" in value or "\\$" in value or value.count("$") % 2 or _HIDDEN.search(value):
        return None
    math: list[str] = []

    def hide(match: re.Match[str]) -> str:
        math.append(match.group())
        return chr(0xE000 + len(math) - 1)

    hidden = _MATH.sub(hide, value)
    return (hidden, math) if len(math) <= 0x18FF else None


def show_math(text: str, math: list[str]) -> str:
    """The inverse of :func:`hide_math` on decoded text."""
    return _HIDDEN.sub(lambda m: math[ord(m.group()) - 0xE000], text)


def decode_accents(value: str) -> str | None:
    """``value`` with its accents, letters, escapes and ties decoded, or None if it holds
    other LaTeX (math, other commands, a group that starts with a command)."""
    if "$" in value or ("%" in value and _BARE_PERCENT.search(value)) or not balanced(value):
        return None
    text = _GROUPED.sub(_accent, value) if "{\\" in value else value
    if "{\\" in text:
        return None  # {\"Ueber}, {\em x}: a group led by a command is not protection
    if "\\" in text:
        text = _BARE.sub(_accent, text)
        if "\\" in text:
            text = _ESCAPED.sub(r"\1", text)
            if "\\" in text:
                return None
    return text.replace("~", "\xa0")


#: A brace group with no group inside.
_INNERMOST = re.compile(r"\{[^{}]*+\}")


def balanced(text: str) -> bool:
    """Whether the braces of ``text`` pair up (a ``}`` never closes more than was opened)."""
    if "{" not in text:
        return "}" not in text
    # Without its innermost groups, level by level, a balanced text has no brace left
    # (a few passes of C for the usual two or three levels; deeper ones are counted).
    for _ in range(4):
        text, removed = _INNERMOST.subn("", text)
        if "{" not in text:
            return "}" not in text
        if not removed:
            return False
    depth = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0
