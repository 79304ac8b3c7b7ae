"""pylatexenc's node tree → CSL rich text: the text commands real .bib files use.

``\\emph{x}``/``{\\em x}``/``\\textit`` → ``<i>x</i>``, ``\\textbf``/``\\bf`` → ``<b>``,
``\\textsc``/``{\\sc x}`` → ``<span style="font-variant:small-caps;">``,
``\\textsuperscript``/``\\textsubscript`` → ``<sup>``/``<sub>``, ``\\enquote{x}`` and TeX's
````x''`` → “x”, ``\\url{x}`` → x, ``\\href{u}{x}`` → x, ``\\mbox{x}`` → x, ``\\LaTeX`` →
LaTeX; simple math through :mod:`citekit.bibtex.texmath` (``$_2$`` → ``<sub>2</sub>``), any
other math kept verbatim (``$\\frac{a}{b}$``); accents and symbols through pylatexenc's
converter (the ``fallback``), plus the ``tipa``/``unicode-math`` accents it lacks
(``\\ocirc{u}`` → ů).

Commands defined in the file's ``@preamble`` are expanded; any other command keeps the
text of its arguments (``\\acro{PDF}`` → PDF) or, with none, its name (``\\MF`` → MF):
never a backslash outside math. In rich text both are wrapped in
``<span class="tex" data-tex="…">`` holding the TeX as written, so the BibTeX writers can
pass it through as TeX while every other format shows the text (:mod:`citekit.model`).

Nodes are read by their attributes (pylatexenc stays imported by :mod:`citekit.bibtex.latex`
only).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import plain_text

__all__ = ["Converter", "Definition", "tex_span"]

_I = ("<i>", "</i>")
_B = ("<b>", "</b>")
_SC = ('<span style="font-variant:small-caps;">', "</span>")
_NONE = ("", "")
_QUOTE = ("\u201c", "\u201d")
#: Commands whose (last) argument is formatted text.
FORMAT: dict[str, tuple[str, str]] = {
    "emph": _I, "textit": _I, "textsl": _I, "mkbibemph": _I, "mkbibitalic": _I,
    "textbf": _B, "mkbibbold": _B, "textsc": _SC,
    "textsuperscript": ("<sup>", "</sup>"), "mkbibsuperscript": ("<sup>", "</sup>"),
    "textsubscript": ("<sub>", "</sub>"), "enquote": _QUOTE, "mkbibquote": _QUOTE,
    "mbox": _NONE, "hbox": _NONE, "textrm": _NONE, "textnormal": _NONE, "textup": _NONE,
    "textsf": _NONE, "texttt": _NONE, "textmd": _NONE, "text": _NONE, "NoCaseChange": _NONE,
    "mkbibacro": _NONE, "textnohyphenation": _NONE, "textlatin": _NONE, "foreignlanguage": _NONE,
}  # fmt: skip
#: Font declarations: they format the rest of their group (``{\\em x}``).
_DECLARATIONS = {
    "em": _I, "it": _I, "itshape": _I, "sl": _I, "slshape": _I, "bf": _B, "bfseries": _B,
    "sc": _SC, "scshape": _SC, "rm": _NONE, "normalfont": _NONE, "upshape": _NONE,
    "sf": _NONE, "tt": _NONE, "ttfamily": _NONE, "sffamily": _NONE, "rmfamily": _NONE,
    "mdseries": _NONE,
}  # fmt: skip
_LOGOS = {
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2\u03b5",
    "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
    "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "ConTeXt": "ConTeXt", "AmS": "AMS",
    "AmSTeX": "AMS-TeX", "BibLaTeX": "BibLaTeX", "eTeX": "\u03b5-TeX", "relax": "",
    "/": "", "-": "", "\\": " ", " ": " ", "newblock": " ", "par": " ",
    "hyphen": "-", "nbhyphen": "-", "slash": "/", "adddot": ".", "addcomma": ",",
    "addspace": " ", "nopunct": "", "isdot": "", "bibrangedash": "\u2013",
}  # fmt: skip
#: ``tipa``'s and ``unicode-math``'s accent commands that pylatexenc does not know.
_ACCENTS = {
    "ocirc": "\u030a", "h": "\u0309", "ovhook": "\u0309", "G": "\u030f", "f": "\u0311",
    "t": "\u0361", "candra": "\u0310", "textsubring": "\u0325", "textsubtilde": "\u0330",
    "textsubumlaut": "\u0324", "textsubbar": "\u0331", "textsubcircum": "\u032d",
    "textsubbridge": "\u032a", "textsyllabic": "\u0329", "textsubwedge": "\u032c",
    "textsubarch": "\u032f", "textsuperimposetilde": "\u0334", "textdoublegrave": "\u030f",
    "textvbaraccent": "\u030d", "textdoublevbaraccent": "\u030e", "textsubplus": "\u031f",
    "textsubminus": "\u0320", "textsubacute": "\u0317", "textsubgrave": "\u0316",
    "textovercross": "\u033d", "textsubsquare": "\u033b", "textraising": "\u031d",
    "textlowering": "\u031e", "textseagull": "\u033c", "textcommabelow": "\u0326",
    "textogonekcentered": "\u0328", "textsubdot": "\u0323", "textdotacute": "\u0341",
    "textroundcap": "\u0311", "textinvsubbridge": "\u033a", "textsubrhalfring": "\u0339",
    "textsublhalfring": "\u031c",
}  # fmt: skip
_VERBATIM = frozenset({"url", "nolinkurl", "path"})
_COMMAND_NAME = re.compile(r"\\([A-Za-z]+)")
#: Box and spacing primitives: a definition using them is typesetting, not text.
_PRIMITIVES = frozenset({"hbox", "vbox", "rlap", "llap", "raise", "lower", "kern", "hskip"})
_SPECIALS = {"--": "\u2013", "---": "\u2014", "``": "\u201c", "''": "\u201d", "~": "\xa0"}
_MAX_DEPTH = 12  # preamble macros expanding into each other: TeX would loop, we stop


@dataclass(frozen=True)
class Definition:
    """A command defined in ``@preamble``: its number of arguments and its body."""

    nargs: int
    body: str


class Converter:
    """Converts a node list to rich text.

    ``fallback(node)`` is pylatexenc's text for a command it knows (accents, symbols);
    ``known(name)`` says whether it does; ``parse(latex)`` gives the nodes of a string (for
    expanding preamble commands); ``macros`` are the preamble's definitions;
    ``protection(text)`` marks a protection group's text (a nocase span, when it adds one).
    """

    def __init__(
        self,
        fallback: Callable[[Any], str],
        known: Callable[[str], bool],
        parse: Callable[[str], Sequence[Any]],
        macros: Mapping[str, Definition],
        protection: Callable[[str], str],
    ) -> None:
        self._protection = protection
        self._fallback = fallback
        self._known = known
        self._parse = parse
        self._macros = macros
        # A definition made of TeX primitives (\\ifmmode, \\setbox, \\accent: Better BibTeX
        # #732's \\ocirc) has no text we could give: such a command is read as unknown.
        self._macros = {n: d for n, d in macros.items() if self._readable(d.body)}
        self._depth = 0

    def nodes(self, nodes: Sequence[Any], protect: bool = False) -> str:
        """The rich text of ``nodes`` (a field's, a group's or an argument's content).

        With ``protect`` (a title's top level, and the arguments of formatting commands
        there), a brace group is case protection: it goes through ``protection``.
        """
        out: list[str] = []
        index = 0
        while index < len(nodes):
            node = nodes[index]
            kind = type(node).__name__
            if kind == "LatexCharsNode":
                out.append(node.chars)
            elif kind == "LatexGroupNode":
                text = self.nodes(node.nodelist or [])
                out.append(self._protection(text) if protect and _protects(node) else text)
            elif kind == "LatexMathNode":
                out.append(_math(node))
            elif kind == "LatexSpecialsNode":
                out.append(_SPECIALS.get(node.specials_chars, node.specials_chars))
            elif kind == "LatexMacroNode":
                name = node.macroname
                if name in _DECLARATIONS and name not in self._macros:
                    opening, closing = _DECLARATIONS[name]
                    rest = self.nodes(nodes[index + 1 :], protect)
                    out.append(_wrap(opening, rest.lstrip(), closing))
                    break
                text, index = self._macro(nodes, index, protect)
                out.append(text)
            elif kind != "LatexCommentNode":
                out.append(self._fallback(node))
            index += 1
        return "".join(out)

    def _readable(self, body: str) -> bool:
        """Whether every command in ``body`` is one this converter gives text for."""
        for name in _COMMAND_NAME.findall(body):
            tables = (FORMAT, _DECLARATIONS, _LOGOS, _ACCENTS, _VERBATIM, self._macros)
            if name in _PRIMITIVES or not (any(name in t for t in tables) or self._known(name)):
                return False
        return True

    def _macro(self, nodes: Sequence[Any], index: int, protect: bool) -> tuple[str, int]:
        """The text of the command at ``index`` and the index of the last node it used."""
        node = nodes[index]
        name = node.macroname
        parsed = [a for a in (node.nodeargd.argnlist if node.nodeargd else ()) if a is not None]
        if name in self._macros:
            return self._expand(nodes, index)
        if name in FORMAT:
            args, index = _arguments(parsed, nodes, index, 1)
            opening, closing = FORMAT[name]
            text = self.nodes(_content(args[-1]), protect) if args else ""
            return _wrap(opening, text, closing), index
        if name in _VERBATIM:
            args, index = _arguments(parsed, nodes, index, 1)
            return (_verbatim(args[-1]) if args else ""), index
        if name == "href":
            args, index = _arguments(parsed, nodes, index, 2)
            return (self.nodes(_content(args[1])) if len(args) > 1 else ""), index
        if name in _LOGOS:  # "\\TeX and" reads "TeX and", as pylatexenc gives it
            space = " " if name.isalpha() and node.macro_post_space else ""
            return _LOGOS[name] + space, index
        if name in _ACCENTS:
            args, index = _arguments(parsed, nodes, index, 1)
            base = plain_text(self.nodes(_content(args[0]))) if args else ""
            return _accent(base, _ACCENTS[name]), index
        if self._known(name):
            return self._fallback(node), index
        return self._unknown(nodes, index, parsed)

    def _unknown(self, nodes: Sequence[Any], index: int, parsed: list[Any]) -> tuple[str, int]:
        """An unknown command: its arguments' text, or its name; TeX kept in a tex span."""
        start = index
        args = parsed
        if not args:
            while index + 1 < len(nodes) and _is_brace_group(nodes[index + 1]):
                index += 1
                args.append(nodes[index])
        text = plain_text("".join(self.nodes(_content(a)) for a in args))
        if not text.strip():  # "\\MF{}": the braces only end the command's name
            name = nodes[start].macroname
            # "\\foo y" reads "foo y", never "fooy" (the space after a name is TeX's, not text)
            space = " " if index == start and nodes[start].macro_post_space else ""
            return tex_span(_source(nodes, start, start), name) + space, index
        return tex_span(_source(nodes, start, index), text), index

    def _expand(self, nodes: Sequence[Any], index: int) -> tuple[str, int]:
        """A preamble command, its ``#1``… replaced by the arguments that follow it."""
        start = index
        definition = self._macros[nodes[index].macroname]
        args: list[str] = []
        while len(args) < definition.nargs and index + 1 < len(nodes):
            nxt = nodes[index + 1]
            if type(nxt).__name__ == "LatexCharsNode" and not nxt.chars.strip():
                index += 1  # TeX skips spaces before an undelimited argument
                continue
            index += 1
            verbatim = nxt.latex_verbatim()
            args.append(verbatim[1:-1] if _is_brace_group(nxt) else verbatim)
        body = definition.body
        for number, arg in enumerate(args, start=1):
            body = body.replace(f"#{number}", arg)
        if self._depth >= _MAX_DEPTH:
            text = nodes[start].macroname
        else:
            self._depth += 1
            try:
                text = plain_text(self.nodes(self._parse(body)))
            finally:
                self._depth -= 1
        return tex_span(_source(nodes, start, index), text), index


def tex_span(tex: str, text: str) -> str:
    """Text that is TeX in a BibTeX file: ``<span class="tex" data-tex="…">text</span>``."""
    return f'<span class="tex" data-tex="{html.escape(tex.strip())}">{text}</span>'


def _arguments(
    parsed: list[Any], nodes: Sequence[Any], index: int, count: int
) -> tuple[list[Any], int]:
    """The command's arguments: as pylatexenc read them, or the groups that follow it."""
    if parsed:
        return parsed, index
    args: list[Any] = []
    while len(args) < count and index + 1 < len(nodes):
        nxt = nodes[index + 1]
        if type(nxt).__name__ == "LatexCharsNode" and not nxt.chars.strip() and args == []:
            break  # "\emph {x}" is rare; "\textsc and" is a declaration-like misuse
        index += 1
        args.append(nxt)
    return args, index


def _content(arg: Any) -> Sequence[Any]:
    """The nodes inside an argument (a group's children, or the single node itself)."""
    if type(arg).__name__ == "LatexGroupNode":
        return arg.nodelist or []
    return [arg]


def _protects(node: Any) -> bool:
    """A ``{…}`` group that is neither a special character (``{\\"U}``) nor braced math."""
    if node.delimiters != ("{", "}"):
        return False
    children = node.nodelist or []
    first = type(children[0]).__name__ if children else ""
    return first != "LatexMacroNode" and not (len(children) == 1 and first == "LatexMathNode")


def _is_brace_group(node: Any) -> bool:
    return type(node).__name__ == "LatexGroupNode" and node.delimiters == ("{", "}")


def _verbatim(arg: Any) -> str:
    text: str = arg.latex_verbatim()
    return text[1:-1] if _is_brace_group(arg) else text


def _source(nodes: Sequence[Any], start: int, end: int) -> str:
    return "".join(n.latex_verbatim() for n in nodes[start : end + 1])


def _wrap(opening: str, text: str, closing: str) -> str:
    return opening + text + closing if text and opening else text


def _accent(base: str, mark: str) -> str:
    if not base:
        return mark if mark != "\u0361" else ""
    return unicodedata.normalize("NFC", base[0] + mark + base[1:])


def _math(node: Any) -> str:
    """Math stays as written (``$x^2$``): the record keeps TeX math, so that what arXiv gives
    and what a .bib holds read the same; CSL output converts it (:mod:`.texmath`)."""
    verbatim: str = node.latex_verbatim()
    return verbatim
