"""Sentence case read token by token: the reference for :func:`.csl_case.sentence_case`.

This is the first, plain reading of the rules in :mod:`.csl_case`'s docstring (#15 item 4):
each tag, math, word and gap of a title becomes a token, and each word is cased from its
neighbours. :mod:`.csl_case` runs a faster reading of the same rules (markup masked out,
one table lookup per word); ``tests/test_csl_case.py`` holds the two to the same result,
and a title holding the characters the fast reading masks with is read here.
"""

from __future__ import annotations

import re

from .csl_case import (
    _CLOSE,
    _COMMAND,
    _FUNCTION_WORDS,
    _HYPHENS,
    _NOCASE_OPEN,
    _SENTENCE_END,
    _word,
)

__all__ = ["reads_as_title_case", "rich_sentence_case"]

# One token of CSL rich text: a tag, inline math (as texmath reads it), a word (letters/
# digits, with inner apostrophes: "Don't", "O'Brien"), or any other run of characters.
_TOKEN = re.compile(
    r"(?P<tag></?(?:i|b|sup|sub|span)\b[^<>]*>)"
    r"|(?P<math>(?<!\\)\$(?=[^\s$])[^$]*?[^\s$\\]\$(?!\d))"
    r"|(?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)"
    r"|(?P<other>(?:[^<$\w]|_)+|[<$])"
)
#: ``(kind, text, starts_sentence)``
Token = tuple[str, str, bool]


def rich_sentence_case(text: str) -> str:
    """The sentence case of CSL rich text ``text``, a token at a time."""
    tokens = _tokens(text)
    convert = reads_as_title_case(tokens)
    out: list[str] = []
    for k, (kind, value, starts) in enumerate(tokens):
        if kind == "word":
            # "A" is the article when it stands alone ("for A Cell"), not in "Q&A", "Plan A"
            article = _spaced(tokens, k - 1, -1) and _spaced(tokens, k + 1, 0)
            value = _word(value, starts, convert, article)
        elif kind == "math" and any(ch.isalpha() for ch in _COMMAND.sub("", value)):
            value = _NOCASE_OPEN + value + _CLOSE
        out.append(value)
    return "".join(out)


def _spaced(tokens: list[Token], k: int, end: int) -> bool:
    """Whether token ``k`` is white space at its ``end`` (0: first char, -1: last)."""
    return 0 <= k < len(tokens) and tokens[k][0] == "other" and tokens[k][1][end].isspace()


def _tokens(text: str) -> list[Token]:
    """``(kind, text, starts_sentence)`` for the parts of ``text`` outside nocase spans.

    A nocase span (with whatever it holds) is one ``protected`` token; ``starts_sentence``
    is meaningful for words only.
    """
    tokens: list[Token] = []
    nocase_depth = 0  # > 0 inside a nocase span; spans nest (small caps inside nocase)
    start = True
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind == "tag" and value.startswith("<span"):
            if nocase_depth or value == _NOCASE_OPEN:
                nocase_depth += 1
        elif kind == "tag" and value == _CLOSE:
            nocase_depth = max(nocase_depth - 1, 0)
        elif nocase_depth:
            kind = "protected"
        if kind == "word" or (kind == "protected" and value.strip()):
            tokens.append((kind, value, start))
            start = False
            continue
        if kind == "other" and _SENTENCE_END.search(value):
            start = True
        tokens.append((kind, value, False))
    return tokens


def reads_as_title_case(tokens: list[Token]) -> bool:
    """More capitalised than lower-case words among the telling ones: those that neither
    begin a sentence nor follow a hyphen, have two letters or more and are no function
    word (see :mod:`.csl_case`)."""
    capitalised = lower = 0
    for k, (kind, word, starts) in enumerate(tokens):
        if kind != "word" or starts or len(word) < 2 or not word.isalpha():
            continue
        if k and tokens[k - 1][1][-1:] in _HYPHENS:
            continue  # a compound counts once: "Chain-of-Thought" begins a sentence-case title
        if word.islower():
            lower += word not in _FUNCTION_WORDS
        elif word[0].isupper() and word[1:].islower():
            capitalised += word.lower() not in _FUNCTION_WORDS
    return capitalised > lower
