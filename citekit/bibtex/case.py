"""BibTeX's case-protection rule: which words a style must never re-case.

A token with a capital after its first character (``GPT``, ``iPhone``, ``3D``), or a lone
capital other than the article "A" (``Part I``), is braced by the BibTeX writer on its own
(``{GPT}-3``, ``Part {I}``) and is *not* stored as nocase markup in the neutral record: it
is implied by the text. Stdlib only, no I/O.
"""

from __future__ import annotations

import re

from ..model import plain_text

__all__ = ["implied_nocase", "implied_tokens", "needs_span"]

_TOKEN_RE = re.compile(r"[^\W_]+")


def implied_nocase(word: str) -> bool:
    """Whether a token carries case beyond its first character (``GPT``, ``iPhone``, ``3D``),
    or is a lone capital other than the article "A" (``Part I``, ``Vitamin C``).

    Such tokens are case-protected by the BibTeX writers without being stored as markup;
    ``plain.bst``'s ``change.case$`` printed "Part i" and "vitamin c" (#15 item 4).
    """
    rest = word[1:]
    if not rest:
        return word.isupper() and word != "A"
    if rest.isascii():  # the common case, without a Python-level loop: A-Z are the upper
        return rest != rest.lower()
    return any(ch.isupper() for ch in rest)


def implied_tokens(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the alphanumeric tokens in ``text`` that :func:`implied_nocase`."""
    return [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text) if implied_nocase(m.group())]


def needs_span(text: str) -> bool:
    """Whether protecting ``text`` adds anything: it has cased words, not all of them implied.

    ``text`` may hold rich-text markup; only its words count.
    """
    cased = [t for t in _TOKEN_RE.findall(plain_text(text)) if t.lower() != t.upper()]
    return bool(cased) and not all(implied_nocase(t) for t in cased)
