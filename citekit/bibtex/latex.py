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
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any

from .case import needs_span
from .richtext import _ACCENTS, FORMAT, Converter, Definition
from .texaccents import decode_accents, decode_commands, hide_math, show_math
from .texencode import encode
from .texmath import flatten

__all__ = ["decode", "encode", "needs_decoding", "preamble_key", "use_preamble", "walks"]

#: The preamble's definitions, hashable so that decoding stays cached per value.
_Macros = tuple[tuple[str, Definition], ...]
_PREAMBLE: ContextVar[_Macros] = ContextVar("citekit_preamble", default=())
_UNKNOWN: list[Any] = []  # pylatexenc's spec for commands it does not know, once built
_WALKS = [0]  # values pylatexenc has parsed (see walks)


def use_preamble(macros: Mapping[str, Definition]) -> None:
    """Decode with the commands a file's ``@preamble`` defines (``\\acro``, ``\\TUB``).

    Set by the reader at the start of each file, for the rest of that parse (and until the
    next file): decoding has no other state.
    """
    _PREAMBLE.set(tuple(sorted(macros.items())))


def preamble_key() -> object:
    """What :func:`decode` depends on besides its arguments (the ``@preamble`` in force):
    the key for a cache of decoded values."""
    return _PREAMBLE.get()


_TRIGGERS = re.compile(r"[\\{}~$]")
_COMMANDS = re.compile(r"[\\~$%]")
_BRACE = re.compile(r"[{}]")
_SPACES = re.compile(r"[ \t\r\n]+")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_COMMAND_WORD = re.compile(r"\\([A-Za-z]+)")


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
    fast = _fast(value, protect)
    if fast is not None:
        return fast
    macros = _PREAMBLE.get()
    if not protect and not macros and "$" not in value and _SYMBOL_COMMAND.search(value):
        # Lao\2, \?: a command named by a digit or "?" decodes to its name outside
        # titles (in titles it is kept as TeX); a @preamble could define it; math keeps
        # it as written (``$\2$``)
        fast = _fast(_SYMBOL_COMMAND.sub(r"\1", value), protect)
        if fast is not None:
            return fast
    return _decode_latex(value, protect, macros)


#: Math that pylatexenc reads otherwise than as written: runs of white space (it
#: collapses them), a bare ``%`` (the slow path escapes it).
_MATH_SLOW = re.compile(r"\s\s|[^\S ]|(?<!\\)%")
#: ``\2`` in ``Lao\2`` (glottolog's keywords), ``\?``: no argument follows.
_SYMBOL_COMMAND = re.compile(r"(?<!\\)\\([0-9?])(?![{\[])")


@lru_cache(maxsize=16384)
def _fast(value: str, protect: bool) -> str | None:
    """The common LaTeX of real files without pylatexenc: accents, escapes, ``$…$`` kept as
    written, ``\\emph{…}``-like commands over plain text (``tests/test_latex_fast.py``
    holds it to the slow path); None for anything else."""
    math: list[str] = []
    if "$" in value:
        if value.count("{") != value.count("}"):
            return None  # a brace that opens in math and closes outside: pylatexenc's call
        hidden = hide_math(value)
        if hidden is None:
            return None
        value, math = hidden
        if any(_MATH_SLOW.search(m) for m in math):
            # pylatexenc collapses white space inside math, and the slow path escapes a
            # bare % there (``$\%$``): its call
            return None
    simple = decode_accents(decode_commands(value))
    if simple is None:
        return None
    text = _decode_braces(simple, protect)
    if not protect and "<" in text:
        text = collapse(flatten(text))
    return show_math(text, math) if math else text


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
def _decode_latex(value: str, protect: bool, macros: _Macros = ()) -> str:
    """The slow path, cached: journal names and accented names repeat across a file."""
    try:
        return _walk(value, protect, macros)
    except (IndexError, AttributeError, KeyError, TypeError, ValueError):
        # A pylatexenc converter that trips over an argument it expected: one field's
        # LaTeX must not fail the whole file. Commands lose their backslash, text stays.
        return _decode_braces(_COMMAND_WORD.sub(r"\1", value).replace("\\", ""), protect)


def walks() -> int:
    """How many values pylatexenc has parsed so far in this process.

    Each parse leaves reference cycles (pylatexenc defines classes per call and keeps the
    errors it recovers from, with their frames, which lead to the caller's): a reader that
    pauses the cyclic collector need run it only when this count moved.
    """
    return _WALKS[0]


def _walk(value: str, protect: bool, macros: _Macros) -> str:
    _WALKS[0] += 1
    text = _rich_converter(macros).nodes(_parse(_BARE_PERCENT.sub(r"\\%", value)), protect)
    return _merge_spans(collapse(text)) if protect else collapse(flatten(text))


def _parse(latex: str) -> list[Any]:
    walker = _walker_class()(latex, latex_context=_walker_context())
    try:
        nodes: list[Any] = walker.get_latex_nodes()[0]
    finally:
        walker.forget_ends()
    return nodes


@lru_cache(maxsize=64)
def _rich_converter(macros: _Macros) -> Converter:
    text = _converter()
    unknown = _UNKNOWN[0]
    context = text.latex_context
    return Converter(
        fallback=text.node_to_text,
        known=lambda name: context.get_macro_spec(name) is not unknown,
        parse=_parse,
        macros=dict(macros),
        protection=_group_text,
    )


def _group_text(text: str) -> str:
    """The decoded content of a protection group: a span unless protection is implied."""
    inner = collapse(text)
    if not needs_span(inner):
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f'{lead}<span class="nocase">{inner}</span>{trail}'


def _merge_spans(text: str) -> str:
    """Adjacent spans (``{A}{b}``) become one, so decoding is stable under re-encoding."""
    return text.replace('</span><span class="nocase">', "")


def _dashes(text: str) -> str:
    """TeX's ligatures: ``--`` is an en dash, ``---`` an em dash (how BibTeX users type them),
    ````…''`` are “…”."""
    if "--" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "``" in text or "''" in text:
        text = text.replace("``", "\u201c").replace("''", "\u201d")
    return text


def unicode_to_latex(ch: str) -> str:
    """pylatexenc's LaTeX for one character (the character itself when it has none)."""
    latex: str = _encoder().unicode_to_latex(ch)
    return latex


@cache
def _encoder() -> Any:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        unknown_char_policy="keep", non_ascii_only=True, unknown_char_warning=False
    )


@cache
def _walker_class() -> Any:
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerEndOfStream

    class Walker(LatexWalker):  # type: ignore[misc]
        """pylatexenc's walker, without the reference cycle each parse left.

        It ends a parse by raising :class:`LatexWalkerEndOfStream`, which its reading loop
        keeps: the exception's traceback holds the loop's frames, whose callers' frames
        are linked to them as they return, up to the reader's with all the records read
        so far. Only the cyclic GC could free that: a whole slice of records, kept until
        it ran. Its tracebacks are dropped once the parse is over.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._ends: list[BaseException] = []

        def get_token(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().get_token(*args, **kwargs)
            except LatexWalkerEndOfStream as end:
                self._ends.append(end)
                raise

        def forget_ends(self) -> None:
            for end in self._ends:
                end.__traceback__ = None
            self._ends.clear()

    return Walker


@cache
def _walker_context() -> Any:
    """pylatexenc's parsing context, plus the arguments of text commands it does not know.

    Without them ``\\href{x}{y}`` parses as a bare ``\\href`` followed by two groups, and
    pylatexenc's own converter then reads ``argnlist[1]`` of nothing (IndexError, issue #18).
    """
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec

    context = get_default_latex_context_db()
    names = {**dict.fromkeys(FORMAT, "{"), **dict.fromkeys(_ACCENTS, "{"), **_WALKER_ARGS}
    specs = [MacroSpec(name, args) for name, args in names.items()]
    context.add_context_category("citekit", macros=specs, prepend=True)
    return context


#: Argument specs (pylatexenc's notation) of text commands real .bib files use.
_WALKER_ARGS = {"href": "{{", "foreignlanguage": "[{{", "url": "{", "nolinkurl": "{",
                "textsuperscript": "{", "textsubscript": "{", "enquote": "*{", "mbox": "{",
                "hbox": "{"}  # fmt: skip


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
    _UNKNOWN[:] = [l2t.MacroTextSpec("", simplify_repl=_unknown_macro)]
    context.set_unknown_macro_spec(_UNKNOWN[0])
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
