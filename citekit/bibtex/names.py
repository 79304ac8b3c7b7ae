"""BibTeX name lists ↔ :class:`~citekit.model.Name`, by BibTeX's own rules (pure).

Reading follows ``bibtex``'s name grammar rather than bibtexparser's ``SplitNameParts``
(which raises on a trailing comma and drops the whole entry):

* names are separated by ``and`` at brace depth 0;
* ``First von Last``, ``von Last, First`` and ``von Last, Jr, First``; the *von* part is
  the run of words starting with a lower-case letter;
* a name that is one brace group, ``{OpenAI}`` or ``{World Health Organization}``, is a
  literal (an organisation);
* a trailing comma (``Abdul Gani Asyik,``) is accepted, as biber does: the comma is ignored;
* ``and others`` ("et al.") reads as :data:`~citekit.model.OTHERS` and is written back as
  ``others``.

Reading is cached per author list and per name part (real files repeat them). Nearly every
list is made of a few shapes (``Last, First``, ``First von Last``, ``{Organisation}``, with
accent groups such as ``{\\"u}``): one regular expression reads those a name at a time
(:func:`_parse_common`). Any other list finds its separators at brace depth 0 with plain
regular expressions over a *masked* copy of the value (:func:`_masked`: every brace group
blanked out, positions kept). A value whose braces do not balance is read a character at
a time (:func:`_parse_slow`, which ``tests/test_names_fast.py`` holds both fast paths to).

Writing gives ``von Last, Jr., First`` with each part encoded by :mod:`citekit.bibtex.latex`;
a family name that BibTeX would misread (it starts lower-case, or holds a comma or
``and``) is braced whole.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache

from ..model import Name
from .latex import decode, encode, preamble_key

__all__ = ["format_names", "parse_names"]

_AND_SIMPLE = re.compile(r"\s+and\s+", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n~]+")


def parse_names(value: str) -> tuple[Name, ...]:
    """The names of a raw BibTeX ``author``/``editor`` value (LaTeX, no outer delimiters)."""
    value = value.strip()
    if not value:
        return ()
    return _parse_list(value, preamble_key())


@lru_cache(maxsize=8192)
def _parse_list(value: str, macros: object) -> tuple[Name, ...]:
    """:func:`parse_names` of a stripped ``value`` (``macros``: the cache key of the
    ``@preamble`` in force, which decoding depends on)."""
    common = _parse_common(value, macros)
    if common is not None:
        return common
    if _PLAIN_GROUPS.fullmatch(value):  # its own mask: no separator inside braces
        pieces = [(piece.strip(),) * 2 for piece in _AND_SIMPLE.split(value)]
    else:
        masked = _masked(value)
        if masked is None:
            return _parse_slow(value)
        pieces = []
        start = 0
        for match in (*_AND_SIMPLE.finditer(masked), None):
            end = match.start() if match else len(value)
            # A name's mask is its slice of the list's; white space is the same in both.
            pieces.append((value[start:end].strip(), masked[start:end].strip()))
            start = match.end() if match else end
    names = []
    for raw, masked in pieces:
        if raw and (name := _parse_one(raw, masked, macros)).literal != _OPTIONS_ONLY.literal:
            names.append(name)
    return tuple(names)


#: The white space between the words of a name, or around ``and``, on the common path.
_GAP = r"[ \t\r\n]"
#: A brace group without white space (``{\'e}``, ``{\c{s}}``, ``{\~s}``), nested at most three
#: deep: nothing in it separates names, name parts or words. (Each level is an unrolled
#: loop, ``\{x*(?:{…}x*)*\}``, which the regex engine runs faster than an alternation.)
_NO_SPACE = r"[^{}\s]*+"
_QUIET_GROUP = rf"\{{{_NO_SPACE}\}}"
for _ in range(2):
    _QUIET_GROUP = rf"\{{{_NO_SPACE}(?:{_QUIET_GROUP}{_NO_SPACE})*+\}}"
#: A word of a name on the common path: no white space, tie (so ``str.split`` finds the
#: words) or comma at brace depth 0, and not a lone ``and`` (which separates names where
#: it stands between white space).
_WORD_ = (
    rf"(?:[^\s{{}}~,Aa]|[Aa](?![Nn][Dd](?:\s|\Z))|{_QUIET_GROUP})"
    rf"[^\s{{}}~,]*+(?:{_QUIET_GROUP}[^\s{{}}~,]*+)*+"
)
_WORDS = rf"{_WORD_}(?:{_GAP}++{_WORD_})*+"
#: The words of a part that is not split into words (*First*, *Jr*): ties allowed.
_TEXT_WORD = (
    rf"(?:[^\s{{}},Aa]|[Aa](?![Nn][Dd](?:\s|\Z))|{_QUIET_GROUP})"
    rf"[^\s{{}},]*+(?:{_QUIET_GROUP}[^\s{{}},]*+)*+"
)
_TEXT = rf"{_TEXT_WORD}(?:{_GAP}++{_TEXT_WORD})*+"
_COMMA = rf"{_GAP}*+,{_GAP}*+"
#: One name of the shapes that make up nearly every list, and what follows it: a literal
#: (``{World Health Organization}``), ``von Last, First``, ``von Last, Jr, First`` or
#: ``First von Last``, perhaps with a trailing comma (``Abdul Gani Asyik,``); each ends at
#: an ``and`` (with plain white space) or the value's end. Groups: literal, *von Last* (or
#: the words of a name without a comma), *First* (or *Jr*), *First* after a *Jr*.
#: A name that could be in biblatex's extended format (``family=…``) is not common.
_COMMON_NAME = re.compile(
    rf"""(?:
        (\{{[^{{}}\\\x00][^{{}}\x00]*+\}})
      | (?![A-Za-z][A-Za-z-]*\s*=)
        ({_WORDS})(?:{_COMMA}({_TEXT})(?:{_COMMA}({_TEXT}))?)?
        (?:{_GAP}*+,)?  # a trailing comma, which is ignored
    )
    (?:{_GAP}++[Aa][Nn][Dd]{_GAP}++|\Z)""",
    re.VERBOSE,
)


def _parse_common(value: str, macros: object) -> tuple[Name, ...] | None:
    """The names of ``value`` when each is of a :data:`_COMMON_NAME` shape, else None.

    Why this agrees with :func:`_parse_one`: the shapes hold no brace group with a
    separator inside, so the value is its own mask; the ``and`` that ends a name is one
    :data:`_AND_SIMPLE` would split at (no word is a lone ``and``, so none is skipped);
    a literal is one brace group not led by a command (:func:`_is_single_group`); a
    one-word *Last* has no *von*; and a name that is one brace group of the words shape
    (``{{Smith}}``) goes to :func:`_parse_one` itself.
    """
    names: list[Name] = []
    decoded = _part_cache(macros)
    pos = 0
    end = len(value)
    match_at = _COMMON_NAME.match
    while pos < end:
        match = match_at(value, pos)
        if match is None:
            return None
        pos = match.end()
        literal, words, given, given2 = match.groups()
        if given is not None:
            names.append(_common_person(words, given, given2, decoded, macros))
        elif words is not None:
            names.append(_words_name(words, macros))
        else:
            if (text := decoded.get(literal)) is None:
                text = _decode_part(literal, decoded)
            names.append(_organisation(text))
    return tuple(names)


#: Decoded name parts, per ``@preamble`` key (see :func:`_part_cache`).
_PART_CACHES: dict[object, dict[str, str]] = {}
_PART_CACHE_SIZE = 32768


def _part_cache(macros: object) -> dict[str, str]:
    """The decoded name parts under the ``@preamble`` keyed ``macros``: a plain dict (a
    lookup costs a fraction of an ``lru_cache`` call; a file repeats its given names and
    families far more than its lists), emptied when it grows past its bound."""
    cache = _PART_CACHES.get(macros)
    if cache is None or len(cache) > _PART_CACHE_SIZE:
        if len(_PART_CACHES) > 16:
            _PART_CACHES.clear()
        cache = _PART_CACHES[macros] = {}
    return cache


def _decode_part(text: str, cache: dict[str, str]) -> str:
    """``text`` decoded, remembered in ``cache`` (the one of the preamble in force)."""
    decoded = cache[text] = decode(text)
    return decoded


_new = object.__new__
#: The slots' setters of :class:`~citekit.model.Name`, in field order: a name built through
#: them costs a third of the dataclass's ``__init__`` (which sets each field through
#: ``object.__setattr__`` by name); ``tests/test_names_fast.py`` checks they are all of its
#: fields and that it has no ``__post_init__`` to skip.
_SETTERS = tuple(vars(Name)[field.name].__set__ for field in fields(Name))


def _common_person(
    family: str, given: str, given2: str | None, decoded: dict[str, str], macros: object
) -> Name:
    """The name ``family, given`` or ``family, given, given2`` (*Jr* then *First*)."""
    if given2 is not None:
        particle, last = _von_family(family, macros)
        return Name(last, _decoded(given2, macros), particle, _decoded(given, macros))
    if (first := decoded.get(given)) is None:
        first = _decode_part(given, decoded)
    if " " in family or "\t" in family or "\n" in family or "\r" in family:
        particle, last = _von_family(family, macros)
        return Name(last, first, particle)
    # one word: no von (the usual case)
    return _person(decoded.get(family) or _decode_part(family, decoded), first)


@lru_cache(maxsize=16384)
def _von_family(text: str, macros: object) -> tuple[str, str]:
    """The decoded *von* and *Last* of a :data:`_WORDS` part before a comma."""
    von, last = _von_last(text.split())
    return _decoded(von, macros), _decoded(last, macros)


def _person(family: str, given: str) -> Name:
    """``Name(family, given)``, built faster (see :data:`_SETTERS`)."""
    name: Name = _new(Name)
    set_family, set_given, set_particle, set_suffix, set_literal = _SETTERS
    set_family(name, family)
    set_given(name, given)
    set_particle(name, "")
    set_suffix(name, "")
    set_literal(name, "")
    return name


def _organisation(literal: str) -> Name:
    """``Name(literal=literal)``, built faster (see :data:`_SETTERS`)."""
    name: Name = _new(Name)
    set_family, set_given, set_particle, set_suffix, set_literal = _SETTERS
    set_family(name, "")
    set_given(name, "")
    set_particle(name, "")
    set_suffix(name, "")
    set_literal(name, literal)
    return name


@lru_cache(maxsize=16384)
def _words_name(words: str, macros: object) -> Name:
    """A name without a comma of the :data:`_COMMON_NAME` shapes (``First von Last``)."""
    if words[0] == "{" and words[-1] == "}":
        # perhaps one brace group, a literal; balanced, so it has a mask
        return _parse_one(words, _masked(words) or words, macros)
    first, von, last = _first_von_last_parts(words.split())
    decoded = _part_cache(macros)
    return Name(
        family=decoded.get(last) or _decode_part(last, decoded),
        given=decoded.get(first) or _decode_part(first, decoded),
        particle=decoded.get(von) or _decode_part(von, decoded),
    )


#: Text whose brace groups balance, nest at most three deep and hold no separator of
#: names or name parts (white space, ``~``, a comma): the common case, ``Jos{\'e}``.
_PLAIN_GROUPS = re.compile(
    r"(?:[^{}]++|\{(?:[^{}\s~,]++|\{(?:[^{}\s~,]++|\{[^{}\s~,]*+\})*+\})*+\})*+"
)
#: An innermost brace group.
_INNER_GROUP = re.compile(r"\{[^{}]*\}")
_FILL = "\x01"  # neither a letter, white space, a comma nor a brace


def _fill(match: re.Match[str]) -> str:
    return _FILL * (match.end() - match.start())


def _masked(text: str) -> str | None:
    """``text`` with each brace group (braces and all) replaced by as many :data:`_FILL`.

    The masked text has the same length, so its separators are those of ``text`` at brace
    depth 0, at the same positions. None when the braces do not balance or nest deeper
    than a name's do (each level is one pass: the slow path is linear).
    """
    masked = text
    for _ in range(8):
        if "{" not in masked:
            return None if "}" in masked else masked
        filled = _INNER_GROUP.sub(_fill, masked)
        if filled == masked:
            return None  # an opening brace that is never closed
        masked = filled
    return None


@lru_cache(maxsize=16384)
def _parse_one(raw: str, masked: str, macros: object) -> Name:
    """One name (``masked``: its :func:`_masked` form)."""
    if "=" in raw and _EXTENDED_START.match(raw) and (extended := _extended(raw)) is not None:
        return extended
    if raw[0] == "{" and _is_single_group(raw):
        return Name(literal=decode(raw))
    comma = masked.find(",")
    if comma < 0:
        return _first_von_last(_masked_words(raw, masked))
    if masked.find(",", comma + 1) < 0 and (first := raw[comma + 1 :].strip()):
        # "von Last, First", the usual form
        # a part's mask is its slice of the name's (white space is the same in both)
        particle, family = _von_last_part(raw[:comma].strip(), masked[:comma].strip(), macros)
        return Name(family, _decoded(first, macros), particle)  # positional: a little faster
    commas = []
    start = 0
    while comma >= 0:
        commas.append(raw[start:comma].strip())
        start = comma + 1
        comma = masked.find(",", start)
    commas.append(raw[start:].strip())
    while len(commas) > 1 and not commas[-1]:
        commas.pop()  # trailing comma: "Abdul Gani Asyik," is "Abdul Gani Asyik"
    if len(commas) == 1:
        return _first_von_last(_masked_words(commas[0], _masked(commas[0]) or ""))
    particle, family = _von_last_part(commas[0], _masked(commas[0]) or "", macros)
    jr = commas[1] if len(commas) > 2 else ""
    first = ", ".join(commas[2:]) if len(commas) > 2 else commas[1]
    return Name(
        family=family, given=_decoded(first, macros), particle=particle, suffix=_decoded(jr, macros)
    )


_EXTENDED_START = re.compile(r"\s*[A-Za-z][A-Za-z-]*\s*=")


@lru_cache(maxsize=16384)
def _von_last_part(text: str, masked: str, macros: object) -> tuple[str, str]:
    """The decoded *von* and *Last* of the part before a name's first comma (``masked``:
    its :func:`_masked` form)."""
    von, last = _von_last(_masked_words(text, masked))
    return _decoded(von, macros), _decoded(last, macros)


@lru_cache(maxsize=16384)
def _decoded(text: str, macros: object) -> str:
    """A name part decoded (given names repeat more than any other value of a file)."""
    return decode(text) if text else ""


def _masked_words(text: str, masked: str) -> list[str]:
    """The words of ``text`` at brace depth 0, found in its :func:`_masked` form."""
    if _WORD_BREAK.search(masked) is None:
        return [text] if text else []
    return [text[m.start() : m.end()] for m in _WORD.finditer(masked)]


_WORD = re.compile(r"[^ \t\r\n~]+")
_WORD_BREAK = re.compile(r"[ \t\r\n~]")


def _parse_slow(value: str) -> tuple[Name, ...]:
    """:func:`parse_names` a character at a time, for a value whose braces do not balance
    (a stray ``}`` is skipped); the reference the fast path is tested against."""
    parts = _AND_SIMPLE.split(value) if "{" not in value else _split_depth0(value, _AND_SEP)
    names = (_parse_one_slow(p.strip()) for p in parts if p.strip())
    return tuple(n for n in names if n != _OPTIONS_ONLY)


def _split_depth0(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split ``text`` at ``separator`` matches outside braces (it also matches the braces)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in separator.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


_AND_SEP = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)
_COMMA_SEP = re.compile(r"[{},]")
_SPACE_SEP = re.compile(r"[{}]|[ \t\r\n~]+")


def _words(text: str) -> list[str]:
    return [w for w in _split_depth0(text.strip(), _SPACE_SEP) if w]


#: biblatex's extended name format: ``family=Smith, given={John}, prefix=van``.
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z-]*)\s*=\s*(.*?)\s*$", re.DOTALL)
_EXTENDED = {"family": "family", "given": "given", "prefix": "particle", "suffix": "suffix"}
#: What an extended-format part holding only options (``useprefix=false``) reads as.
_OPTIONS_ONLY = Name(literal="\x00options")


def _extended(raw: str) -> Name | None:
    """A name in biblatex's extended format, or None when ``raw`` is not in it.

    Per-name options (``useprefix``, ``id``, ``uniquename``, …) are biber's, not name parts.
    """
    parts: dict[str, str] = {}
    for piece in _split_depth0(raw, _COMMA_SEP):
        match = _KEY_VALUE.match(piece)
        if not match:
            return None
        key, value = match.group(1).lower(), match.group(2)
        if _wrapped(value):
            value = value[1:-1]
        if key in _EXTENDED:
            parts[_EXTENDED[key]] = _SPACE.sub(" ", decode(value)).strip()
    if not parts.get("family") and not parts.get("given"):
        return _OPTIONS_ONLY
    return Name(**parts)


def _wrapped(value: str) -> bool:
    """Whether one brace group spans all of ``value`` (``{M{\\"u}ller}``)."""
    depth = 0
    for i, ch in enumerate(value):
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth == 0:
            return i == len(value) - 1 and i > 0
    return False


def _parse_one_slow(raw: str) -> Name:
    if "=" in raw and (extended := _extended(raw)) is not None:
        return extended
    if _is_single_group(raw):
        return Name(literal=decode(raw))
    commas = [p.strip() for p in _split_depth0(raw, _COMMA_SEP)]
    while len(commas) > 1 and not commas[-1]:
        commas.pop()  # trailing comma: "Abdul Gani Asyik," is "Abdul Gani Asyik"
    if len(commas) == 1:
        return _first_von_last(_words(commas[0]))
    von, last = _von_last(_words(commas[0]))
    jr = commas[1] if len(commas) > 2 else ""
    first = ", ".join(commas[2:]) if len(commas) > 2 else commas[1]
    return _name(first, von, last, jr)


def _is_single_group(raw: str) -> bool:
    """``{OpenAI}``: one brace group spanning the whole name, not a special char (``{\\"U}``)."""
    if not (raw.startswith("{") and raw.endswith("}")) or raw.startswith("{\\"):
        return False
    depth = 0
    for i, ch in enumerate(raw):
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth == 0 and i < len(raw) - 1:
            return False
    return True


def _first_von_last(words: list[str]) -> Name:
    return _name(*_first_von_last_parts(words), "")


def _first_von_last_parts(words: list[str]) -> tuple[str, str, str]:
    """The *First*, *von* and *Last* of a name without a comma (given as its words)."""
    if not words:
        return "", "", ""
    lower = [i for i, w in enumerate(words[:-1]) if _is_lower(w)]
    if not lower:
        return " ".join(words[:-1]), "", words[-1]
    start, end = lower[0], lower[-1] + 1
    return " ".join(words[:start]), " ".join(words[start:end]), " ".join(words[end:])


def _von_last(words: list[str]) -> tuple[str, str]:
    lower = [i for i, w in enumerate(words[:-1]) if _is_lower(w)]
    if not lower or lower[0] != 0:
        return "", " ".join(words)
    end = lower[-1] + 1
    return " ".join(words[:end]), " ".join(words[end:])


def _is_lower(word: str) -> bool:
    """BibTeX's test: the first letter at brace depth 0 (or of a special char) is lower-case."""
    if word[:1].isalpha():
        return word[0].islower()  # the common case: the first character decides
    depth = 0
    i = 0
    while i < len(word):
        ch = word[i]
        if ch == "{":
            if depth == 0 and word.startswith("{\\", i):
                return _special_is_lower(word[i:])
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isalpha():
            return ch.islower()
        i += 1
    return False


def _special_is_lower(text: str) -> bool:
    match = re.match(r"\{\\([A-Za-z]+|.)\s*\{?([A-Za-z]?)", text)
    if not match:
        return False
    command, letter = match.groups()
    if command in ("i", "j", "oe", "ae", "aa", "o", "l", "ss"):
        return True
    if command in ("OE", "AE", "AA", "O", "L"):
        return False
    return letter.islower() if letter else False


def _name(first: str, von: str, last: str, jr: str) -> Name:
    return Name(
        family=decode(last) if last else "",
        given=decode(first) if first else "",
        particle=decode(von) if von else "",
        suffix=decode(jr) if jr else "",
    )


def format_names(names: tuple[Name, ...], *, ascii_only: bool) -> str:
    """``Family, Given and …`` in BibTeX syntax; every name written.

    Only :data:`~citekit.model.OTHERS` (an ``and others`` that was read) is written
    ``others``: citekit never shortens a list to "and others" itself.
    """
    return " and ".join(_format_one(n, ascii_only) for n in names)


def _format_one(name: Name, ascii_only: bool) -> str:
    if name.literal:
        braced = "{" + encode(name.literal, ascii_only=ascii_only) + "}"
        # "{\&}" would be a special character, not an organisation: brace it once more.
        return "{" + braced + "}" if braced.startswith("{\\") else braced

    def part(text: str, guard_lower: bool = False) -> str:
        latex = encode(text, ascii_only=ascii_only)
        risky = "," in text or _AND_SIMPLE.search(f" {text} ") is not None
        words = _words(latex)
        if guard_lower and len(words) > 1 and any(_is_lower(w) for w in words):
            risky = True  # BibTeX would read a lower-case word of the family as "von"
        return "{" + latex + "}" if latex and risky else latex

    family = part(name.family, guard_lower=True)
    particle = " ".join(encode(w, ascii_only=ascii_only) for w in name.particle.split())
    last = f"{particle} {family}" if particle else family
    pieces = [last]
    if name.suffix:
        pieces.append(part(name.suffix))
    if name.given or name.suffix:
        pieces.append(part(name.given))
    return ", ".join(pieces)
