"""LaTeX ↔ Unicode for BibTeX field values; the only module that imports pylatexenc.

Decoding (:func:`decode`) turns a raw field value such as ``M{\\"u}ller \\& {Bayesian}`` into
plain Unicode (``Müller & …``). Values that contain none of ``\\ { } ~ $`` are returned as they
are, with whitespace collapsed: that fast path skips pylatexenc for the vast majority of
values, which is where bibtexparser's own LaTeX middleware spends 90 % of its time.
Values whose only LaTeX is braces, accents (``{\\"u}``, ``\\v{S}``), letters such as
``{\\ss}``, escapes (``\\&``) and ties are decoded without pylatexenc too
(:mod:`citekit.bibtex.texaccents`; ``tests/test_latex_fast.py`` holds it to pylatexenc's output).
All paths read ``--``/``---`` as en/em dashes (BibTeX's way of typing them) and leave
quote ligatures (````` `` `````) as typed, so they agree.

Encoding (:func:`encode`) escapes ``& % $ # _ { } ~ ^ \\`` so that text from outside can
never act as a TeX command (``\\input{x}`` comes out as ``{\\textbackslash}input\\{x\\}``),
and, for ASCII BibTeX, writes non-ASCII characters as braced LaTeX commands (``{\\"u}``),
en/em dashes as ``--``/``---``; two typed hyphens become ``-{}-``.
Characters without a command that decodes back to them (CJK, most symbols) stay UTF-8.

Inline math (``$x^2$``, ``$O(n \\log n)$``, ``$\\alpha$``, as arXiv titles have it) is kept as
math, braced (``{$x^2$}``) so BibTeX styles leave its case alone, but only when it is made of
symbols and a whitelist of harmless commands; any other ``$…$`` is escaped as text, so math
cannot carry a command in either. Decoding keeps math as written (``$x^2$``).

Case protection (``protect=True``, for title-like fields): a word that
:func:`citekit.bibtex.case.implied_nocase` is braced on its own (``{GPT}-3``), and
``<span class="nocase">…</span>`` becomes a brace group. Decoding reverses this: a
top-level brace group becomes a nocase span unless it is a special character (``{\\"U}``)
or holds only implied words (``{GPT}``), so ``decode(encode(x)) == x`` and encoding is
idempotent.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

from .case import implied_nocase, implied_tokens
from .texaccents import decode_accents

__all__ = ["decode", "encode", "needs_decoding"]

_TRIGGERS = re.compile(r"[\\{}~$]")
_COMMANDS = re.compile(r"[\\~$%]")
_BRACE = re.compile(r"[{}]")
_SPACES = re.compile(r"[ \t\r\n]+")
_NOCASE = re.compile(r'<span class="nocase">(.*?)</span>', re.DOTALL)
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_CASED_TOKEN = re.compile(r"[^\W_]+")
_COMMAND_WORD = re.compile(r"\\([A-Za-z]+)")

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
_DASHES = frozenset("-\u2013\u2014")
_DASH_RE = re.compile(r"[\u2013\u2014]")
_ESCAPES_UNBALANCED = _ESCAPES | {"{": "{\\textbraceleft}", "}": "{\\textbraceright}"}
_ESCAPE_RE = re.compile(r"[\\{}&%$#_~^]")


def needs_decoding(value: str) -> bool:
    """Whether ``value`` holds anything LaTeX would interpret (the fast-path test)."""
    return _TRIGGERS.search(value) is not None


def collapse(text: str) -> str:
    """Runs of ASCII whitespace (newlines of a wrapped field) become one space; ends trimmed."""
    if "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text:
        return text.strip()  # the common one-line value: no regex needed
    return _SPACES.sub(" ", text).strip()


def decode(value: str, *, protect: bool = False) -> str:
    """Plain Unicode for the LaTeX ``value``; with ``protect``, brace groups become nocase spans."""
    if not needs_decoding(value):
        return _dashes(collapse(value))
    if _COMMANDS.search(value) is None:
        return _decode_braces(value, protect)
    simple = decode_accents(value)
    if simple is not None:
        return _decode_braces(simple, protect)
    return _decode_latex(value, protect)


def _decode_braces(value: str, protect: bool) -> str:
    """Values whose only LaTeX is braces (``The {Bayesian} Way``): no pylatexenc needed."""
    value = _dashes(value)  # before the braces go: "-{}-" is two hyphens
    if not protect:
        return collapse(value.replace("{", "").replace("}", ""))
    parts: list[str] = []
    depth = 0
    start = 0
    for match in _BRACE.finditer(value):
        if match.group() == "{":
            if depth == 0:
                parts.append(value[start : match.start()])
                start = match.end()
            depth += 1
        elif depth == 0:  # a stray closing brace: dropped, as pylatexenc does
            parts.append(value[start : match.start()])
            start = match.end()
        else:
            depth -= 1
            if depth == 0:
                inner = value[start : match.start()].replace("{", "").replace("}", "")
                parts.append(_group_text(inner))
                start = match.end()
    parts.append(value[start:].replace("{", "").replace("}", ""))
    return _merge_spans(collapse("".join(parts)))


@lru_cache(maxsize=8192)
def _decode_latex(value: str, protect: bool) -> str:
    """The slow path, cached: journal names and accented names repeat across a file."""
    try:
        return _walk(value, protect)
    except (IndexError, AttributeError, KeyError, TypeError, ValueError):
        # A pylatexenc converter that trips over an argument it expected: one field's
        # LaTeX must not fail the whole file. Commands lose their backslash, text stays.
        return _decode_braces(_COMMAND_WORD.sub(r"\1", value).replace("\\", ""), protect)


def _walk(value: str, protect: bool) -> str:
    walker = _walker_class()(_BARE_PERCENT.sub(r"\\%", value), latex_context=_walker_context())
    nodes = walker.get_latex_nodes()[0]
    converter = _converter()
    if not protect:
        return collapse(converter.nodelist_to_text(nodes))
    parts: list[str] = []
    pending: list[Any] = []
    for node in nodes:
        if _is_protection_group(node):
            parts.append(converter.nodelist_to_text(pending))
            pending = []
            parts.append(_group_text(converter.nodelist_to_text(node.nodelist)))
        else:
            pending.append(node)
    parts.append(converter.nodelist_to_text(pending))
    return _merge_spans(collapse("".join(parts)))


def _is_protection_group(node: Any) -> bool:
    """A ``{…}`` group that is neither a special character (``{\\"U}``) nor braced math."""
    if type(node).__name__ != "LatexGroupNode" or node.delimiters != ("{", "}"):
        return False
    children = node.nodelist or []
    first = children[0] if children else None
    if first is not None and type(first).__name__ == "LatexMacroNode":
        return False
    return not (len(children) == 1 and type(first).__name__ == "LatexMathNode")


def _group_text(text: str) -> str:
    """The decoded content of a protection group: a span unless protection is implied."""
    inner = collapse(text)
    if not _needs_span(inner):
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f'{lead}<span class="nocase">{inner}</span>{trail}'


def _needs_span(text: str) -> bool:
    """Protection adds something only for cased text that is not all implied words."""
    tokens = _CASED_TOKEN.findall(text)
    cased = [t for t in tokens if t.lower() != t.upper()]
    return bool(cased) and not all(implied_nocase(t) for t in tokens if t.lower() != t.upper())


def _merge_spans(text: str) -> str:
    """Adjacent spans (``{A}{b}``) become one, so decoding is stable under re-encoding."""
    return text.replace('</span><span class="nocase">', "")


def encode(text: str, *, ascii_only: bool = True, protect: bool = False) -> str:
    """LaTeX for the Unicode ``text``: escaped, optionally ASCII, optionally case-protected."""
    style = _Style(ascii_only, _ESCAPES if _balanced(text) else _ESCAPES_UNBALANCED)
    if not protect:
        return _escape(_NOCASE.sub(r"\1", text), style)
    out: list[str] = []
    pos = 0
    for match in _NOCASE.finditer(text):
        out.append(_protect_implied(text[pos : match.start()], style))
        inner = match.group(1)
        if _needs_span(inner):
            out.append("{" + _escape(inner, style) + "}")
        else:
            out.append(_protect_implied(inner, style))
        pos = match.end()
    out.append(_protect_implied(text[pos:], style))
    return "".join(out)


class _Style(NamedTuple):
    ascii_only: bool
    escapes: dict[str, str]


def _balanced(text: str) -> bool:
    """Whether the braces of ``text`` pair up, so ``\\{``/``\\}`` keep the entry well formed."""
    depth = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


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


def _dashes(text: str) -> str:
    """TeX dash ligatures: ``--`` is an en dash, ``---`` an em dash (how BibTeX users type them)."""
    if "--" not in text:
        return text
    return text.replace("---", "\u2014").replace("--", "\u2013")


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
    latex = _DOTLESS.sub("", _encoder().unicode_to_latex(ch))  # {\'i}, not {\'\i}: pandoc
    if latex == ch or not latex.isascii():
        return ch
    braced = latex if latex.startswith("{") and latex.endswith("}") else "{" + latex + "}"
    return braced if decode(braced) == ch else ch


@cache
def _encoder() -> Any:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        unknown_char_policy="keep", non_ascii_only=True, unknown_char_warning=False
    )


@cache
def _walker_class() -> Any:
    from pylatexenc.latexwalker import LatexWalker

    return LatexWalker


@cache
def _walker_context() -> Any:
    """pylatexenc's parsing context, plus the arguments of text commands it does not know.

    Without them ``\\href{x}{y}`` parses as a bare ``\\href`` followed by two groups, and
    pylatexenc's own converter then reads ``argnlist[1]`` of nothing (IndexError, issue #18).
    """
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec

    context = get_default_latex_context_db()
    specs = [MacroSpec(name, args) for name, args in _WALKER_ARGS.items()]
    context.add_context_category("citekit", macros=specs, prepend=True)
    return context


#: Argument specs (pylatexenc's notation) of text commands real .bib files use.
_WALKER_ARGS = {"href": "{{", "url": "{", "nolinkurl": "{", "textsuperscript": "{",
                "textsubscript": "{", "enquote": "*{", "mbox": "{", "hbox": "{"}  # fmt: skip


@cache
def _converter() -> Any:
    """pylatexenc's converter with citekit's conventions.

    ``&`` is an ampersand (not a table column), ``\\textasciicircum`` is ``^`` (pylatexenc
    gives the modifier letter ``ˆ``), brace commands exist, ``\\url{x}`` is ``x``, and
    quote ligatures stay as typed, as on the fast path.
    """
    from pylatexenc import latex2text as l2t

    context = l2t.get_default_latex_context_db()
    specials = [l2t.SpecialsTextSpec(s, s) for s in ("&", "``", "''", "!`", "?`")]
    macros = [
        l2t.MacroTextSpec("textasciicircum", "^"),
        l2t.MacroTextSpec("textasciitilde", "~"),
        l2t.MacroTextSpec("textbraceleft", "{"),
        l2t.MacroTextSpec("textbraceright", "}"),
        l2t.MacroTextSpec("textbackslash", "\\"),
        l2t.MacroTextSpec("url", simplify_repl=_arg_text(0)),
        l2t.MacroTextSpec("href", simplify_repl=_arg_text(1)),
        *(l2t.MacroTextSpec(name, name) for name in ("LaTeX", "TeX", "BibTeX", "LaTeXe")),
    ]
    context.add_context_category("citekit", macros=macros, specials=specials, prepend=True)
    # pylatexenc drops a macro it has no text for, arguments and all (``\mbox{B}`` → "",
    # ``Lao\2`` → "Lao"): keep the arguments' text, and the name of an argument-less one.
    context.set_unknown_macro_spec(l2t.MacroTextSpec("", simplify_repl=_unknown_macro))
    return l2t.LatexNodes2Text(latex_context=context, math_mode="verbatim")


def _arg_text(index: int) -> Any:
    """A converter for a command that is the text of its argument ``index`` (``\\url{x}``,
    ``\\href{url}{text}``); read without arguments (as an accent's argument, ``\\'\\href``)
    it is nothing, where pylatexenc's own raises IndexError/AttributeError (issue #18)."""

    def text(node: Any, l2tobj: Any) -> str:
        args = node.nodeargd.argnlist if node.nodeargd else []
        arg = args[index] if len(args) > index else None
        return l2tobj.nodelist_to_text([arg]) if arg is not None else ""

    return text


def _unknown_macro(node: Any, l2tobj: Any) -> str:
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else ()) if a is not None]
    if args:
        return "".join(l2tobj.nodelist_to_text([a]) for a in args)
    name = f"\\{node.macroname}{node.macro_post_space}"
    after = node.parsing_state.s[node.pos + node.len : node.pos + node.len + 1]
    glued = (
        node.macroname.isalpha() and not node.macro_post_space and (after.isalpha() or after == "{")
    )
    return name + " " if glued else name  # "\foo{bar}" is "\foo bar", never "\foobar"
