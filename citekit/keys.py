"""Citation keys: generation, collision suffixes and pinning (pure).

The default pattern ``{family}{year}{title}`` gives ``brown2020language``: the first
author's family name (or editor's, or the organisation's first word), the year, and the
first significant word of the title, transliterated to lower-case ASCII with anyascii
(``Müller`` → ``muller``, ``王`` → ``wang``).

Title words, as Better BibTeX's and JabRef's ``veryshorttitle``: words are split at spaces
and punctuation, and also where the script changes, so a title that runs Latin and CJK
together (``OpenAI的AGI语言智能演进之路``) starts with the word ``OpenAI``. Scripts written
without spaces (Chinese, Japanese, Korean) have no word boundaries to find without a
dictionary (BBT's optional jieba), so a run of them counts its first two characters as
its word (``强化学习`` → ``qianghua``), the length of most Chinese words. A word gives at
most 20 characters to a key (``{shorttitle}``: each of its three words).

A record that already has a key keeps it (keys are pinned: a rebuild, a new entry or a
metadata fix never renames one). Records without a key that would collide get the suffixes
``a``, ``b``, … in the order of a stable identifier (DOI, then arXiv id, then title), so the
result does not depend on the order records arrive in.

Provisional keys. A record with nothing to build a key from (no author or editor, no year,
no title: a stub that names only its identifier) gets a *provisional* key made of that
identifier: ``arXiv:2005.14165``, ``doi:10.1145/1597735.1597738`` or
``url:example.org/post``, spelled exactly so (``arXiv`` with that capitalisation; the DOI
and URL lower-cased; any character outside ``A-Za-z0-9._:/-`` becomes ``-``, which keeps
the key safe in BibTeX, biber, pandoc and ``\\cite``). :func:`is_provisional` recognises
one: the record still has no author, year or title and its key is exactly its own
provisional key (or that key with a collision suffix). ``citekit resolve`` renames such an
entry to its generated key once the sources give it author, year and title
(:func:`rename_provisional`), and reports the rename. Every other key is pinned, however
odd it looks: ``anon200514165`` or ``arxiv:2005.14165`` typed by a user stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from itertools import count

from .errors import ConfigError
from .model import Record, persons, plain_text

__all__ = [
    "DEFAULT_PATTERN",
    "assign_keys",
    "is_provisional",
    "make_key",
    "provisional_key",
    "rename_provisional",
    "stable_id",
    "valid_key",
]

#: What a citation key may hold: no space, no BibTeX delimiter (``, { } ( ) = " #``), no
#: ``%`` (a comment in the .aux file) and no ``' ~ \`` (active or special in LaTeX).
#: The one definition: ``check`` reports a key the writers would refuse.
_VALID_KEY = re.compile(r"[^\s,{}()=\"#%'~\\]+")


def valid_key(key: str) -> bool:
    """Whether ``key`` can be written to a .bib file and cited (see :data:`_VALID_KEY`)."""
    return _VALID_KEY.fullmatch(key) is not None


DEFAULT_PATTERN = "{family}{year}{title}"

#: Words skipped when looking for the first significant title word.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "via",
        "into",
        "towards",
        "toward",
        "about",
        "over",
        "under",
        "de",
        "la",
        "le",
        "les",
        "el",
        "der",
        "die",
        "das",
        "ein",
        "eine",
    ]
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_NON_KEY = re.compile(r"[^a-z0-9]+")
_UNSPACED_CHARS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_UNSPACED = re.compile(f"[{_UNSPACED_CHARS}]")
#: A token in runs of one script: unspaced (CJK) characters, or anything else.
_RUNS = re.compile(f"[{_UNSPACED_CHARS}]+|[^{_UNSPACED_CHARS}]+")
_WORD_MAX = 20
_FIELDS = ("family", "year", "title", "shorttitle")
#: What a provisional key may hold: safe as a BibTeX, biber and pandoc key and in ``\\cite``.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:/-]+")
_URL_MAX = 48


def make_key(record: Record, pattern: str = DEFAULT_PATTERN) -> str:
    """The generated key of ``record`` (ignores ``record.key``); never empty, ASCII only."""
    values = {
        "family": _family(record),
        "year": str(record.issued.year) if record.issued and record.issued.year else "",
        "title": _title_words(record, 1),
        "shorttitle": _title_words(record, 3),
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ConfigError(
                f"key pattern {pattern!r}: unknown placeholder {{{name}}}; "
                f"use {', '.join('{' + f + '}' for f in _FIELDS)}"
            )
        return values[name]

    if not (values["family"] or values["year"] or values["title"]):
        provisional = provisional_key(record)
        if provisional:
            return provisional
    key = _PLACEHOLDER.sub(fill, pattern)
    key = _NON_KEY.sub("", _ascii(key))
    return key if key and not key.isdigit() else _fallback(record, key)


def _ascii(text: str) -> str:
    from anyascii import anyascii

    return str(anyascii(text)).lower()


def _family(record: Record) -> str:
    for name in persons((*record.author, *record.editor)):
        text = name.family or name.literal or name.given
        if text:
            word = text.split()[0] if name.literal else text
            return _NON_KEY.sub("", _ascii(word))
    return ""


def _title_words(record: Record, n: int) -> str:
    pieces = (_word(run) for token in _tokens(record.title) for run in _RUNS.findall(token))
    words = [w for w in pieces if w]
    significant = [w for w in words if w not in STOPWORDS] or words
    return "".join(significant[:n])


def _word(run: str) -> str:
    """A run's key text: a CJK run's first two characters; at most 20 characters."""
    text = run[:2] if _UNSPACED.match(run) else run
    return _NON_KEY.sub("", _ascii(text))[:_WORD_MAX]


def _tokens(title: str) -> list[str]:
    # Hyphenated words stay one word: "GPT-4" → gpt4, "Few-Shot" → fewshot. CJK and
    # full-width punctuation (、。：（）【】「」 …) separate words as ASCII punctuation does.
    return re.split(
        r"[\s/:;,.!?()\[\]\"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+", plain_text(title)
    )


def _fallback(record: Record, partial: str) -> str:
    """A key for a record with no author, year or title: its identifier, else ``anon``."""
    ident = record.arxiv_id or record.doi or record.url
    tail = _NON_KEY.sub("", _ascii(ident))[-20:]
    return f"anon{partial}{tail}" if tail or partial else "anon"


def provisional_key(record: Record) -> str:
    """The provisional key of ``record`` (see the module docstring); "" without an identifier."""
    from anyascii import anyascii

    if record.arxiv_id:
        raw = "arXiv:" + record.arxiv_id
    elif record.doi:
        raw = "doi:" + record.doi.lower()
    elif record.url:
        bare = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", record.url.strip(), flags=re.I)
        raw = "url:" + bare.lower()[:_URL_MAX]
    else:
        return ""
    # pandoc ends a key at trailing punctuation: never end one with it.
    return _UNSAFE.sub("-", str(anyascii(raw))).rstrip("._:/-")


def _has_nothing(record: Record) -> bool:
    """No author or editor, no year, no title: nothing to build a key from."""
    year = record.issued.year if record.issued else None
    return not (_family(record) or year or _title_words(record, 1))


def _complete(record: Record) -> bool:
    """Author (or editor), year and title: what a generated key is built from."""
    year = record.issued.year if record.issued else None
    return bool(_family(record) and year and _title_words(record, 1))


def is_provisional(record: Record) -> bool:
    """Whether ``record.key`` is a provisional key citekit gave it (module docstring)."""
    base = provisional_key(record)
    if not base or not record.key.startswith(base) or not _has_nothing(record):
        return False
    tail = record.key[len(base) :]
    return not tail or (tail.isascii() and tail.isalpha() and tail.islower())


def rename_provisional(
    before: Sequence[Record], after: Sequence[Record], pattern: str = DEFAULT_PATTERN
) -> tuple[tuple[Record, ...], dict[str, str]]:
    """``after`` with provisional keys replaced by generated ones, and the renames.

    ``before[i]`` is the entry as the library held it and ``after[i]`` the same entry
    after resolution. An entry is renamed when its key was provisional in ``before`` and
    ``after`` has author, year and title; no other key changes. Collisions get suffixes
    as in :func:`assign_keys`, against every key of ``after``.
    """
    renaming = {
        i
        for i, (old, new) in enumerate(zip(before, after, strict=True))
        if old.key == new.key and is_provisional(old) and _complete(new)
    }
    if not renaming:
        return tuple(after), {}
    cleared = [r.with_(key="") if i in renaming else r for i, r in enumerate(after)]
    named = assign_keys(cleared, pattern=pattern)
    renames = {after[i].key: named[i].key for i in sorted(renaming)}
    return rename_references(named, renames), renames


#: Fields whose value names other entries by key (biblatex; ``crossref`` also BibTeX).
REFERENCE_FIELDS = ("crossref", "xdata", "related")


def _keys_in(value: str) -> list[str]:
    return [k.strip().strip("{}").strip() for k in value.split(",") if k.strip().strip("{}")]


def referenced_keys(record: Record) -> list[tuple[str, str]]:
    """``(field, key)`` for every key ``record`` names in crossref/xdata/related."""
    return [
        (name, key)
        for name, value in record.extra
        if name.lower() in REFERENCE_FIELDS
        for key in _keys_in(value)
    ]


def rename_references(records: Sequence[Record], renames: Mapping[str, str]) -> tuple[Record, ...]:
    """``records`` whose crossref/xdata/related name a renamed key, pointing at the new key.

    Only values that are key lists are rewritten (a value naming no renamed key, or
    holding anything else, is left byte for byte as it was).
    """
    if not renames:
        return tuple(records)
    out = []
    for record in records:
        extra = tuple(
            (name, _renamed_value(value, renames) if name.lower() in REFERENCE_FIELDS else value)
            for name, value in record.extra
        )
        out.append(record if extra == record.extra else record.with_(extra=extra))
    return tuple(out)


def _renamed_value(value: str, renames: Mapping[str, str]) -> str:
    keys = _keys_in(value)
    if not any(k in renames for k in keys):
        return value
    return ", ".join(renames.get(k, k) for k in keys)


def stable_id(record: Record) -> tuple[str, str, str, str]:
    """What orders records that want the same key: DOI, arXiv id, title, then URL."""
    return (
        record.doi.lower() or "\uffff",
        record.arxiv_id or "\uffff",
        plain_text(record.title).casefold() or "\uffff",
        record.url,
    )


def assign_keys(
    records: Sequence[Record],
    taken: Collection[str] = (),
    pattern: str = DEFAULT_PATTERN,
) -> tuple[Record, ...]:
    """Records with a key keep it; the others get generated, collision-free keys.

    ``taken`` are keys already used elsewhere (e.g. the library's). Keys compare
    case-insensitively, as BibTeX and biber do.
    """
    used = {k.lower() for k in taken} | {r.key.lower() for r in records if r.key}
    wanting: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        if not record.key:
            wanting.setdefault(make_key(record, pattern), []).append(index)
    out = list(records)
    for base in sorted(wanting):
        indices = sorted(wanting[base], key=lambda i: stable_id(records[i]))
        candidates = _candidates(base)
        for index in indices:
            key = next(c for c in candidates if c.lower() not in used)
            used.add(key.lower())
            out[index] = records[index].with_(key=key)
    return tuple(out)


def _candidates(base: str) -> Iterator[str]:
    """``base``, ``basea`` … ``basez``, ``baseaa`` …"""
    yield base
    for n in count(1):
        yield base + _letters(n)


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out
