"""Unicode → LaTeX for BibTeX field values (the writing half of :mod:`citekit.bibtex.latex`).

:func:`encode` escapes ``& % $ # _ { } ~ ^ \\`` so that text from outside can never act as a
TeX command (``\\input{x}`` comes out as ``{\\textbackslash}input\\{x\\}``), and, for ASCII
BibTeX, writes non-ASCII characters as braced LaTeX commands (``{\\"u}``, stacked accents
nested: ``{\\~{\\^{e}}}``), en/em dashes as ``--``/``---``; typed ``--``, ``\u0060\u0060``
and ``''`` become ``-{}-``, ``\u0060{}\u0060``, ``'{}'`` so they stay what they were.
Characters without a command that decodes back to them (CJK, most symbols) stay UTF-8.

Rich text (CSL's ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps, see :mod:`citekit.model`)
becomes ``\\emph``, ``\\textbf``, ``\\textsuperscript``, ``\\textsubscript``, ``\\textsc``;
a tex span becomes the TeX it was read from (``\\acro{PDF}``) when that is a plain command
with braced arguments that cannot read or write files or define anything; otherwise its
text is escaped like any other.

Inline math (``$x^2$``, ``$O(n \\log n)$``, as arXiv titles have it) is kept as math, braced
(``{$x^2$}``) so BibTeX styles leave its case alone, but only when it is made of symbols and
a whitelist of harmless commands; any other ``$…$`` is escaped as text.

Case protection (``protect=True``, for title-like fields): a word that
:func:`citekit.bibtex.case.implied_nocase` is braced on its own (``{GPT}-3``), and
``<span class="nocase">…</span>`` becomes a brace group.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from typing import Any, NamedTuple

from .case import implied_tokens, needs_span
from .texaccents import MARKS, balanced

__all__ = ["encode"]

_ACCENT_COMMANDS = {mark: command for command, mark in MARKS.items()}
_TAG = re.compile(
    r'<(/?)(i|b|sup|sub)>|<span (class="nocase"|style="font-variant:small-caps;")>|(</span>)'
    r'|<span class="tex" data-tex="([^"<>]*)">([^<]*)</span>'
)
_COMMANDS = {"i": "\\emph", "b": "\\textbf", "sup": "\\textsuperscript",
             "sub": "\\textsubscript", "sc": "\\textsc"}  # fmt: skip
#: A tex span passed through: one command and braced arguments without commands in them.
_SAFE_TEX = re.compile(r"\\[A-Za-z]+\*?(?:\{[^{}\\%#]*\})*|\\[^A-Za-z\s]")
_UNSAFE_COMMANDS = frozenset(
    [
        "input",
        "include",
        "write",
        "immediate",
        "openout",
        "openin",
        "read",
        "def",
        "edef",
        "gdef",
        "xdef",
        "let",
        "catcode",
        "csname",
        "endcsname",
        "newcommand",
        "renewcommand",
        "providecommand",
        "usepackage",
        "special",
        "expandafter",
        "makeatletter",
        "loop",
        "directlua",
        "outer",
        "long",
        "global",
        "shipout",
        "end",
    ]
)
#: ASCII characters that must be escaped in text fields. BibTeX and biber count ``\{`` as
#: an opening brace, so ``\{``/``\}`` are used only when the text's braces pair up;
#: otherwise braces are written as commands (which pandoc, alas, does not know).
_ESCAPES = {
    "\\": "{\\textbackslash}",
    "{": "\\{",
    "}": "\\}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "~": "{\\textasciitilde}",
    "^": "{\\textasciicircum}",
}
_DOTLESS = re.compile(r"(?<=[\\'\"`^~=.])\\(?=[ij]\b)")
#: Inline math as pandoc reads it: ``$`` + non-space … non-space + ``$``, not before a digit.
_MATH = re.compile(r"\$(?=[^\s$])([^$]*?[^\s$\\])\$(?!\d)")
_MATH_TOKEN = re.compile(r"\\([A-Za-z]+)|\\[,;:! ]|[A-Za-z0-9 ^_{}+\-=()\[\],.;:/|<>'!*]")
_MATH_COMMANDS = frozenset(
    re.findall(
        r"\w+",
        """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu
    nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
    Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega infty cdot cdots ldots dots times div pm mp
    le leq ge geq neq ne ll gg approx sim simeq equiv propto in notin ni subset subseteq
    supset supseteq cup cap setminus emptyset to rightarrow leftarrow leftrightarrow
    Rightarrow Leftarrow Leftrightarrow mapsto partial nabla sum prod int oint log ln exp sin
    cos tan max min arg argmax argmin sup inf lim det dim ker Pr ell hbar imath jmath mathcal
    mathbb mathbf mathrm mathit mathsf mathtt mathfrak boldsymbol bm operatorname sqrt frac
    tfrac dfrac binom tilde hat bar vec dot ddot check breve acute grave widetilde widehat
    overline underline prime circ star ast dagger forall exists neg lnot wedge vee land lor
    oplus otimes odot langle rangle lfloor rfloor lceil rceil left right big Big bigg Bigg
    quad qquad mid vert Vert lvert rvert top bot perp parallel angle triangle square
    diamond bullet""",
    )
)
_HYPHENS = re.compile(r"-(?=-)")
_QUOTES = re.compile(r"(`(?=`)|'(?='))")
_DASHES = frozenset("-\u2013\u2014")
_DASH_RE = re.compile(r"[\u2013\u2014]")
_ESCAPES_UNBALANCED = _ESCAPES | {"{": "{\\textbraceleft}", "}": "{\\textbraceright}"}
_ESCAPE_RE = re.compile(r"[\\{}&%$#_~^]")


# Rich text as a small tree: text, runs of a kind (``i``, ``b``, ``sup``, ``sub``, ``sc``,
# ``nocase``) with their children, and tex spans ``("tex", tex, text)``.
_Node = str | tuple[str, list[Any]] | tuple[str, str, str]
_SPAN_KINDS = {'class="nocase"': "nocase", 'style="font-variant:small-caps;"': "sc"}


def encode(text: str, *, ascii_only: bool = True, protect: bool = False) -> str:
    """LaTeX for the Unicode ``text``: escaped, optionally ASCII, optionally case-protected."""
    style = _Style(ascii_only, _ESCAPES if balanced(text) else _ESCAPES_UNBALANCED)
    if "<" not in text or _TAG.search(text) is None:
        return _protect_implied(text, style) if protect else _escape(text, style)
    return _render(_tree(text), style, protect, nocase=False)


def _tree(text: str) -> list[_Node]:
    """``text`` parsed into nodes; a tag without its partner stays text."""
    root: list[_Node] = []
    stack: list[tuple[str, list[_Node], str]] = [("", root, "")]
    pos = 0
    for match in _TAG.finditer(text):
        closing, name, span, _end_span, tex, tex_text = match.groups()
        stack[-1][1].append(text[pos : match.start()])
        pos = match.end()
        top = stack[-1][0]
        if tex is not None:
            stack[-1][1].append(("tex", html.unescape(tex), tex_text))
        elif span or (name and not closing):
            stack.append((_SPAN_KINDS.get(span, name), [], match.group()))
        elif len(stack) > 1 and (name == top if name else top in ("nocase", "sc")):
            kind, children, _ = stack.pop()
            stack[-1][1].append((kind, children))
        else:
            stack[-1][1].append(match.group())  # a stray closing tag is text
    stack[-1][1].append(text[pos:])
    while len(stack) > 1:  # never closed: the opening tag is text
        _, children, opening = stack.pop()
        stack[-1][1].extend([opening, *children])
    return root


def _render(nodes: list[_Node], style: _Style, protect: bool, *, nocase: bool) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            implied = protect and not nocase
            out.append(_protect_implied(node, style) if implied else _escape(node, style))
        elif len(node) == 3:
            out.append(_tex(str(node[1]), str(node[2]), style))
        elif node[0] == "nocase":
            children = list(node[1])
            if protect and not nocase and needs_span(_text_of(children)):
                out.append("{" + _render(children, style, protect, nocase=True) + "}")
            else:
                out.append(_render(children, style, protect, nocase=nocase))
        else:
            inner = _render(list(node[1]), style, protect, nocase=nocase)
            out.append(_COMMANDS[str(node[0])] + "{" + inner + "}")
    return "".join(out)


def _text_of(nodes: list[_Node]) -> str:
    """The plain text of nodes (what case protection is judged on)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif len(node) == 3:
            out.append(str(node[2]))
        else:
            out.append(_text_of(list(node[1])))
    return "".join(out)


def _tex(tex: str, text: str, style: _Style) -> str:
    """A tex span: its TeX when that is safe to pass through, else its text escaped."""
    match = _SAFE_TEX.fullmatch(tex)
    name = tex[1:].split("{", 1)[0].rstrip("*")
    if match is None or name in _UNSAFE_COMMANDS or "@" in tex:
        return _escape(text, style)
    if style.ascii_only and not tex.isascii():
        tex = "".join(ch if ch.isascii() else _encode_char(ch) for ch in tex)
    # "\MF and": a command word would swallow the space after it; "\MF{} and" keeps it
    return tex + "{}" if tex[-1].isalpha() else tex


class _Style(NamedTuple):
    ascii_only: bool
    escapes: dict[str, str]


def _protect_implied(text: str, style: _Style) -> str:
    """Escape ``text``, bracing each word that carries case beyond its first letter."""
    if "$" in text:
        return "".join(
            _braced_math(piece) if is_math else _protect_words(piece, style)
            for is_math, piece in _math_split(text)
        )
    return _protect_words(text, style)


def _protect_words(text: str, style: _Style) -> str:
    out: list[str] = []
    pos = 0
    for start, end in implied_tokens(text):
        out.append(_escape(text[pos:start], style))
        out.append("{" + _escape(text[start:end], style) + "}")
        pos = end
    out.append(_escape(text[pos:], style))
    return "".join(out)


def _math_split(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_math, piece): only math that :func:`_safe_math` accepts counts."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for match in _MATH.finditer(text):
        if _safe_math(match.group(1)):
            pieces += [(False, text[pos : match.start()]), (True, match.group())]
            pos = match.end()
    pieces.append((False, text[pos:]))
    return [(is_math, piece) for is_math, piece in pieces if piece]


def _safe_math(content: str) -> bool:
    """Math made only of symbols and harmless commands (Greek, operators, fonts).

    Anything else (``\\input``, ``\\def``, ``\\catcode``, ``%``, ``#``, ``&``) makes the
    whole ``$…$`` plain text, escaped like the rest: math can never smuggle a command in.
    """
    depth = 0
    pos = 0
    while pos < len(content):
        token = _MATH_TOKEN.match(content, pos)
        if token is None or (token.group(1) and token.group(1) not in _MATH_COMMANDS):
            return False
        depth += {"{": 1, "}": -1}.get(token.group(), 0)
        if depth < 0:
            return False
        pos = token.end()
    return depth == 0


def _braced_math(math: str) -> str:
    """``{$…$}``: BibTeX styles change the case of letters in unbraced math."""
    return "{" + math + "}"


def _escape(text: str, style: _Style) -> str:
    if "$" in text and _MATH.search(text):
        return "".join(
            _braced_math(piece) if is_math else _escape_text(piece, style)
            for is_math, piece in _math_split(text)
        )
    return _escape_text(text, style)


def _escape_text(text: str, style: _Style) -> str:
    escaped = _ESCAPE_RE.sub(lambda m: style.escapes[m.group()], text)
    if "--" in escaped:
        escaped = _HYPHENS.sub("-{}", escaped)  # two typed hyphens are not an en dash
    if "``" in escaped or "''" in escaped:
        escaped = _QUOTES.sub(r"\1{}", escaped)  # nor are two typed quotes a “ or ”
    if style.ascii_only and ("\u2013" in escaped or "\u2014" in escaped):
        escaped = _DASH_RE.sub(_ligature, escaped)
    if not style.ascii_only or escaped.isascii():
        return escaped
    return "".join(ch if ch.isascii() else _encode_char(ch) for ch in escaped)


def _ligature(match: re.Match[str]) -> str:
    """``--``/``---`` for an en/em dash, braced when a dash or hyphen beside it would join it."""
    text = "--" if match.group() == "\u2013" else "---"
    whole, start, end = match.string, match.start(), match.end()
    joins = (start > 0 and whole[start - 1] in _DASHES) or whole[end : end + 1] in _DASHES
    return "{" + text + "}" if joins else text


@cache
def _encode_char(ch: str) -> str:
    """A braced LaTeX command for one non-ASCII character, or the character itself.

    The command is used only when decoding it gives the character back, so a character
    pylatexenc approximates (or does not know, like CJK) stays UTF-8 and nothing changes
    meaning on a round trip.
    """
    if ch == "\xa0":
        return "~"
    from .latex import decode, unicode_to_latex

    latex = _DOTLESS.sub("", unicode_to_latex(ch))  # {\'i}, not {\'\i}: pandoc
    if latex == ch or not latex.isascii():
        latex = _stacked(ch)  # Vietnamese ễ: pylatexenc has no command for two accents
        if not latex:
            return ch
    braced = latex if latex.startswith("{") and latex.endswith("}") else "{" + latex + "}"
    return braced if decode(braced) == ch else ch


def _stacked(ch: str) -> str:
    """Nested accent commands for a letter with several diacritics (``\\~{\\^{e}}``), or ""."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not base.isascii() or not base.isalpha() or not marks:
        return ""
    latex = base
    for mark in marks:
        command = _ACCENT_COMMANDS.get(mark)
        if command is None:
            return ""
        latex = f"\\{command}{{{latex}}}"
    return latex
