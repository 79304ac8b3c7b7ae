"""Simple inline math to Unicode and CSL rich text (pure, stdlib only).

``$\\alpha$`` → ``α``, ``$_2$`` → ``<sub>2</sub>``, ``$^{13}$`` → ``<sup>13</sup>``,
``$x \\leq 1$`` → ``x ≤ 1``, ``$O(n \\log n)$`` → ``O(n log n)``: what citation-js gives and
what a reader of a formatted reference expects. Math is *simple* when it is made of letters,
digits, punctuation, Greek letters, common operators and relations, ``\\log``-like function
names and ``^``/``_`` over such material; anything else (``\\frac``, ``\\sqrt``, fonts, a
``\\left``) gives None and the caller keeps the ``$…$`` verbatim, so it still typesets.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from ..model import plain_text

__all__ = ["flatten", "math_to_rich", "rich_math"]

_GREEK = {
    name: chr(code)
    for name, code in {
        "alpha": 0x3B1, "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "epsilon": 0x3F5,
        "varepsilon": 0x3B5, "zeta": 0x3B6, "eta": 0x3B7, "theta": 0x3B8, "vartheta": 0x3D1,
        "iota": 0x3B9, "kappa": 0x3BA, "lambda": 0x3BB, "mu": 0x3BC, "nu": 0x3BD, "xi": 0x3BE,
        "pi": 0x3C0, "varpi": 0x3D6, "rho": 0x3C1, "varrho": 0x3F1, "sigma": 0x3C3,
        "varsigma": 0x3C2, "tau": 0x3C4, "upsilon": 0x3C5, "phi": 0x3D5, "varphi": 0x3C6,
        "chi": 0x3C7, "psi": 0x3C8, "omega": 0x3C9, "Gamma": 0x393, "Delta": 0x394,
        "Theta": 0x398, "Lambda": 0x39B, "Xi": 0x39E, "Pi": 0x3A0, "Sigma": 0x3A3,
        "Upsilon": 0x3A5, "Phi": 0x3A6, "Psi": 0x3A8, "Omega": 0x3A9,
    }.items()
}  # fmt: skip
_SYMBOLS = {
    **_GREEK,
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "simeq": "≃",
    "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "infty": "∞", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "leftrightarrow": "↔", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "Leftrightarrow": "⇔", "mapsto": "↦", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "cup": "∪", "cap": "∩",
    "emptyset": "∅", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃", "neg": "¬",
    "wedge": "∧", "vee": "∨", "oplus": "⊕", "otimes": "⊗", "circ": "∘", "star": "⋆",
    "ast": "∗", "dagger": "†", "prime": "′", "ell": "ℓ", "hbar": "ℏ", "cdots": "⋯",
    "ldots": "…", "dots": "…", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√",
    "langle": "⟨", "rangle": "⟩", "mid": "|", "vert": "|", "perp": "⊥", "parallel": "∥",
    "deg": "°", "degree": "°", "%": "%", "{": "{", "}": "}", "$": "$", "&": "&", "#": "#",
    ",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "", " ": " ", "quad": "\u2003",
    "qquad": "\u2003\u2003",
}  # fmt: skip
# ``\log n`` is upright "log n" in print: the names are text.
_FUNCTIONS = frozenset(
    [
        "log",
        "ln",
        "exp",
        "sin",
        "cos",
        "tan",
        "sinh",
        "cosh",
        "tanh",
        "max",
        "min",
        "arg",
        "sup",
        "inf",
        "lim",
        "det",
        "dim",
        "ker",
        "Pr",
        "gcd",
        "mod",
    ]
)
_TOKEN = re.compile(r"\\([A-Za-z]+|[^A-Za-z])|([\^_])|([{}])|(\s+)|(.)", re.DOTALL)
_ACCENTS = {"overline": "\u0305", "bar": "\u0304", "hat": "\u0302", "tilde": "\u0303",
            "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "acute": "\u0301",
            "grave": "\u0300", "check": "\u030c", "breve": "\u0306"}  # fmt: skip
#: Font commands whose argument is simply its text in Unicode (``\\mathrm{d}x`` → dx).
_FONTS = frozenset({"mathrm", "mathit", "mathsf", "mathtt", "text", "textrm", "mathnormal"})
_SPACES = re.compile(r"\s+")
#: Inline math as pandoc reads it: ``$`` + non-space … non-space + ``$``, not before a digit.
_INLINE = re.compile(r"(?<!\\)\$(?=[^\s$])([^$]*?[^\s$\\])\$(?!\d)")
_SUPERSCRIPTS = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))
_PLAIN = re.compile(r"[A-Za-z0-9+\-=()\[\],.;:/|<>'!*?@]")


class _NotSimple(Exception):
    """Raised inside the reader when the math needs TeX to be typeset."""


def rich_math(text: str) -> str:
    """``text`` with each simple ``$…$`` as rich text; other math stays as written."""
    if "$" not in text:
        return text
    return _INLINE.sub(lambda m: math_to_rich(m.group(1)) or m.group(), text)


def flatten(rich: str) -> str:
    """Plain text for rich text: super/subscripts as Unicode characters where they exist."""
    if "<su" in rich:
        for tag, table in (("sup", _SUPERSCRIPTS), ("sub", _SUBSCRIPTS)):
            rich = _scripts(rich, tag, table)
    return plain_text(rich)


def _scripts(text: str, tag: str, table: Mapping[str, str]) -> str:
    opening, closing = f"<{tag}>", f"</{tag}>"
    out: list[str] = []
    pos = 0
    while (start := text.find(opening, pos)) >= 0:
        end = text.find(closing, start)
        if end < 0:
            break
        inner = plain_text(text[start + len(opening) : end])
        mapped = "".join(table.get(ch, "") for ch in inner.replace("\u2212", "-"))
        out += [text[pos:start], mapped if len(mapped) == len(inner) else inner]
        pos = end + len(closing)
    out.append(text[pos:])
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def math_to_rich(content: str) -> str | None:
    """The Unicode/CSL rich text of ``content`` (math without its ``$``), or None.

    Memoised (bounded): a library repeats its few formulas (``\\alpha``, ``_2``) in many
    titles, and converting one means tokenising its TeX in Python."""
    try:
        text, _ = _sequence(_tokens(content), 0, closing=False)
    except _NotSimple:
        return None
    text = _SPACES.sub(" ", text).replace("( ", "(").replace(" )", ")").strip()
    return text.replace("-", "\u2212") if "-" in text else text


def _tokens(content: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(content):
        command, script, brace, space, char = match.groups()
        if command is not None:
            out.append(("cmd", command))
        elif script:
            out.append(("script", script))
        elif brace:
            out.append(("brace", brace))
        elif space:
            out.append(("space", " "))
        elif _PLAIN.match(char):
            out.append(("char", char))
        else:
            raise _NotSimple
    return out


def _sequence(tokens: list[tuple[str, str]], pos: int, *, closing: bool) -> tuple[str, int]:
    """Read tokens up to the end (or a closing brace when ``closing``)."""
    out: list[str] = []
    while pos < len(tokens):
        kind, value = tokens[pos]
        if kind == "brace" and value == "}":
            if not closing:
                raise _NotSimple
            return "".join(out), pos + 1
        if kind == "script":
            inner, pos = _atom(tokens, pos + 1)
            tag = "sup" if value == "^" else "sub"
            out.append(f"<{tag}>{inner}</{tag}>")
            continue
        piece, pos = _atom(tokens, pos)
        out.append(piece)
    if closing:
        raise _NotSimple
    return "".join(out), pos


def _atom(tokens: list[tuple[str, str]], pos: int) -> tuple[str, int]:
    """One character, command or braced group."""
    if pos >= len(tokens):
        raise _NotSimple
    kind, value = tokens[pos]
    if kind == "brace" and value == "{":
        return _sequence(tokens, pos + 1, closing=True)
    if kind == "cmd":
        if value in _ACCENTS or value in _FONTS:
            inner, pos = _atom(tokens, pos + 1)
            if value in _FONTS:
                return inner, pos
            if len(plain_text(inner)) != 1 or "<" in inner:
                raise _NotSimple  # a mark over several letters needs TeX
            return unicodedata.normalize("NFC", inner + _ACCENTS[value]), pos
        if value in _FUNCTIONS:
            return value + " ", pos + 1
        if value in _SYMBOLS:
            return _SYMBOLS[value], pos + 1
        raise _NotSimple
    if kind in ("char", "space"):
        return value, pos + 1
    raise _NotSimple
