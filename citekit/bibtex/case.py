"""BibTeX's case-protection rule: which words a style must never re-case.

A token with a capital after its first character (``GPT``, ``iPhone``, ``3D``) is braced by
the BibTeX writer on its own (``{GPT}-3``) and is *not* stored as nocase markup in the
neutral record: it is implied by the text. Stdlib only, no I/O.
"""

from __future__ import annotations

import re

__all__ = ["implied_nocase", "implied_tokens"]

_TOKEN_RE = re.compile(r"[^\W_]+")


def implied_nocase(word: str) -> bool:
    """Whether a token carries case beyond its first character (``GPT``, ``iPhone``, ``3D``).

    Such tokens are case-protected by the BibTeX writers without being stored as markup.
    """
    rest = word[1:]
    if rest.isascii():  # the common case, without a Python-level loop: A-Z are the upper
        return rest != rest.lower()
    return any(ch.isupper() for ch in rest)


def implied_tokens(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the alphanumeric tokens in ``text`` that :func:`implied_nocase`."""
    return [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text) if implied_nocase(m.group())]
