"""Titles for CSL-JSON: sentence case, with every deliberate capital protected (#15 item 4).

The decision, and why:

* **CSL-JSON titles are written in sentence case.** That is the convention of CSL-JSON's
  producers and consumers: Zotero stores titles so, pandoc's manual says "all titles should
  be in sentence case" for a CSL bibliography, and pandoc's own BibTeX → CSL-JSON
  conversion sentence-cases English titles. Processors then convert only one way: styles
  that want title case (Chicago, MLA) title-case the stored title; sentence-case styles
  (APA, IEEE, Nature) print it as stored. A Title Case title in CSL-JSON therefore prints
  in Title Case in APA, which is wrong, and nothing downstream can repair it.
* **The record keeps the title as written** (Title Case by BibTeX convention, or sentence
  case as arXiv often gives it); only the CSL-JSON writer converts. A title is *converted*
  when it reads as Title Case: more capitalised than lower-case words among the words that
  are neither a sentence's first word, the later part of a hyphenated word, nor a short
  function word ("of", "the", "is", …). A title that already reads as sentence case is
  kept, and its capitalised words after the first are proper nouns ("Bayesian inference
  in Python"): pandoc would lower-case them, which a reader would flag, so they are
  protected instead. In a Title Case title a proper noun cannot be told from the rest:
  it is lower-cased unless braced in the .bib (``{Python}``), as pandoc and BibTeX's own
  sentence-casing styles (``plain``) do.
* **Converting** lower-cases a capitalised word (``Learners`` → ``learners``, ``Few-Shot`` →
  ``few-shot``) unless it begins the title, a sentence (after ``:``, ``.``, ``?``, ``!``)
  or a quoted title (``“De Motu …”``), as pandoc and BibTeX's ``change.case$`` do. A lone
  capital other than the article "A" (``Vitamin C``, ``Part I``) is kept and protected,
  where pandoc lower-cases it.
* **Protection** is CSL's ``<span class="nocase">``, put around every word whose case is
  deliberate: the braces of the user's .bib (already nocase markup in the record), the
  words whose case BibTeX's rule implies (``GPT``, ``InstructGPT``, ``ImageNet``, ``3D``,
  ``Part I``, :func:`citekit.bibtex.case.implied_nocase`; pandoc's title case turns ``3D``
  into ``3d`` without it), proper nouns of sentence-case titles, and math holding a
  letter. Processors that re-case (title case in Chicago, sentence case in citeproc-js's
  ``text-case="sentence"``) leave such words alone.
* **Only English titles are re-cased**, by pandoc's and biblatex's rule: a record whose
  ``language`` (or BibLaTeX ``langid``) is empty or English (``english``, ``american``,
  ``british``, … or a tag starting with ``en``). Other titles are written exactly as
  stored, and the CSL ``language`` the writer gives them (:func:`csl_language`) makes
  processors leave them alone too: they title-case only when ``language`` begins with
  ``en`` or is empty, so BibLaTeX's ``british`` is written ``en-GB``.

Which variables: ``title`` always, and ``container-title`` when it is a book's title (a
chapter's book). Journal, proceedings, series and event names are names, kept as written.
This module is pure and stdlib only; :func:`sentence_case` is one regex pass per title.
:func:`title_case` is the other direction, CSL's ``text-case="title"`` as pandoc's citeproc
does it, for ``citekit format`` (citeproc-py's own splits words at spaces only).
"""

from __future__ import annotations

import itertools
import operator
import re

from ..bibtex.case import implied_nocase
from .memo import BoundedMemo

__all__ = ["csl_language", "is_english", "sentence_case", "title_case"]

_NOCASE_OPEN = '<span class="nocase">'
_CLOSE = "</span>"

# What markup a title holds: a tag, or inline math (as texmath reads it). The same tokens
# as :mod:`.csl_case_ref`'s, written to be found faster: possessive where giving back a
# character cannot make another match, the math's lookbehind after its dollar.
_INERT = re.compile(
    r"(?P<tag></?(?:i|b|sup|sub|span)\b[^<>]*+>)"
    r"|(?P<math>\$(?<!\\\$)(?=[^\s$])[^$]*?[^\s$\\]\$(?!\d))"
)
# A word: letters/digits, with inner apostrophes ("Don't", "O'Brien"); possessive, which
# finds the same words 2-3 times faster than the plain reading (no backtracking kept).
_WORD_SPLIT = re.compile(r"([^\W_]++(?:['\u2019][^\W_]++)*+)")
_HYPHENS = ("-", "\u2010", "\u2011")
_COMMAND = re.compile(r"\\[A-Za-z]+")  # \langle: a name, not a letter that could be re-cased
# A sentence ends (and the next word starts one) at : . ? ! followed by white space,
# possibly after closing quotes or brackets; a quoted title starts one too (APA keeps the
# capital of a title within a title: Aristotle's “De motu animalium”).
_SENTENCE_END = re.compile(r"[:.?!][\"'\u201d\u2019)\]]*\s|[\"\u201c\u2018\u00ab]$")
# Words that Title Case leaves in lower case: they say nothing about the title's case.
_FUNCTION_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor",
    "of", "on", "onto", "or", "over", "per", "so", "than", "the", "till", "to", "up", "via",
    "vs", "with", "yet", "is", "are", "be", "its",
})  # fmt: skip
_ENGLISH = frozenset({
    "english", "american", "british", "canadian", "australian", "newzealand", "usenglish",
    "ukenglish",
})  # fmt: skip
#: BibLaTeX (babel/polyglossia) language names → BCP 47, for CSL's ``language``.
_BCP47 = {
    "english": "en", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU", "newzealand": "en-NZ",
    "german": "de", "ngerman": "de-DE", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr", "spanish": "es",
    "italian": "it", "portuguese": "pt", "brazilian": "pt-BR", "dutch": "nl", "swedish": "sv",
    "danish": "da", "norwegian": "nb", "finnish": "fi", "polish": "pl", "czech": "cs",
    "russian": "ru", "greek": "el", "turkish": "tr", "japanese": "ja", "chinese": "zh",
    "korean": "ko", "latin": "la",
}  # fmt: skip


def is_english(language: str) -> bool:
    """Whether a title in ``language`` follows English capitalisation (empty: English)."""
    low = language.strip().lower()
    return not low or low in _ENGLISH or (low[:2] == "en" and (len(low) == 2 or low[2] in "-_"))


def csl_language(language: str) -> str:
    """CSL's ``language`` for a BibTeX ``language``/``langid``: BCP 47 where known."""
    return _BCP47.get(language.strip().lower(), language.strip())


def sentence_case(text: str) -> str:
    """An English title as CSL-JSON wants it: sentence case, deliberate case protected.

    ``text`` is CSL rich text (``<i>``, ``<span class="nocase">``, …, and ``$…$`` math);
    the result is too. See the module docstring for the rules.
    """
    if not _has_capital_after_first(text):
        return text  # already sentence case, nothing to protect: most arXiv titles
    if _INERT_MARK in text or _SPAN_MARK in text:  # the masks below would be ambiguous
        from .csl_case_ref import rich_sentence_case

        return rich_sentence_case(text)
    if _NOCASE_OPEN in text:
        masked, inert = _mask(text)
        return _unmask(_words_case(masked), inert)
    if "<" in text or "$" in text:
        return _flat_case(text)
    return _words_case(text)


# The fast path (``export csl`` runs it for every English title). Markup and math are
# masked out of the title, so that one regex split finds every word and one table lookup
# per word (:data:`_WORDS`) says how it is cased: no Python-level work per token.
# :mod:`.csl_case_ref` reads a title token by token: the reference this is held to.

#: Stands for a tag or math in a masked title: neither a word nor white space.
_INERT_MARK = "\ue000"
#: ``_SPAN_MARK + "0" + _SPAN_MARK`` stands for a nocase span holding text: one word that
#: is never re-cased but, as a word, begins a sentence (:mod:`.csl_case_ref`'s protected).
_SPAN_MARK = "\ue001"
_SPAN_WORD = _SPAN_MARK + "0" + _SPAN_MARK
_MARKS = re.compile(f"{_INERT_MARK}|{_SPAN_WORD}")
# _SENTENCE_END over a masked gap: the quote's end is also where the next mark, ``<`` or
# ``$`` begins (each ends a token of :mod:`.csl_case_ref`).
_MASKED_END = re.compile(
    r"[:.?!][\"'\u201d\u2019)\]]*\s|[\"\u201c\u2018\u00ab](?=\n?(?:\Z|[<$\ue000\ue001]))"
)


#: Finds a character without which no gap ends a sentence (:data:`_MASKED_END` begins
#: with one) or ends with a hyphen (:data:`_HYPHENS`): a title without any needs no look
#: at its gaps.
_TELLING_GAP = re.compile('[:.?!"\u201c\u2018\u00ab\\-\u2010\u2011]').search


def _mask(text: str) -> tuple[str, list[str]]:
    """``text`` with each tag and math as ``_INERT_MARK`` and each nocase span as
    ``_SPAN_WORD`` (or ``_INERT_MARK`` when it holds only white space), and what each
    mark stands for, in order (math holding a letter already protected)."""
    pieces = _INERT.split(text)  # text, tag, math, text, …: one of each tag, math is None
    out = [pieces[0]]
    inert: list[str] = []
    span: list[str] = []  # the nocase span being read, spans nest
    depth = 0
    holds_text = False
    for k in range(1, len(pieces), 3):
        tag, math, after = pieces[k], pieces[k + 1], pieces[k + 2]
        if depth:  # in a nocase span: every token is protected
            span.append(tag if tag is not None else math)
            if tag is not None and tag.startswith("<span"):
                depth += 1
            elif tag == _CLOSE:
                depth -= 1
            else:
                holds_text = True  # a protected tag or math
            if depth:
                span.append(after)
                holds_text = holds_text or bool(after.strip())
            else:
                out += (_SPAN_WORD if holds_text else _INERT_MARK, after)
                inert.append("".join(span))
        elif tag == _NOCASE_OPEN:
            depth, span, holds_text = 1, [tag, after], bool(after.strip())
        else:
            out += (_INERT_MARK, after)
            inert.append(tag if tag is not None else _math(math))
    if depth:  # a span left open holds the rest of the title
        out.append(_SPAN_WORD if holds_text else _INERT_MARK)
        inert.append("".join(span))
    return "".join(out), inert


def _flat_case(text: str) -> str:
    """:func:`_unmask` ``(_words_case(masked), inert)`` for a title holding no nocase span,
    the usual rich title: no mark is then a span word, so each tag and math is one
    ``_INERT_MARK`` (what :func:`_mask`'s loop makes of them at depth 0), and the marks
    are found again by a plain string split."""
    pieces = _INERT.split(text)  # text, tag, math, text, …: one of each tag, math is None
    masked = _INERT_MARK.join(pieces[0::3])
    if "$" in text:
        tags, maths = pieces[1::3], pieces[2::3]
        inert = [_MATHS[m] if t is None else t for t, m in zip(tags, maths, strict=True)]
    else:
        inert = pieces[1::3]  # tags only
    cased = _words_case(masked).split(_INERT_MARK)
    out = cased + inert
    out[0::2], out[1::2] = cased, inert
    return "".join(out)


def _math(math: str) -> str:
    """Math holding a letter, protected whole (``\\langle``: a name, not a letter)."""
    return _NOCASE_OPEN + math + _CLOSE if any(map(str.isalpha, _COMMAND.sub("", math))) else math


#: :func:`_math` of each formula, worked out once (``$\\alpha$`` recurs).
_MATHS = BoundedMemo(_math, 10_000)


def _unmask(masked: str, inert: list[str]) -> str:
    """The masked title with each mark replaced by what it stands for."""
    pieces = _MARKS.split(masked)
    out = pieces + inert
    out[0::2], out[1::2] = pieces, inert
    return "".join(out)


def _words_case(text: str) -> str:
    """:func:`sentence_case` of a title without markup or math (or masked): its words
    and the gaps between them, each word cased by its :data:`_WORDS` entry."""
    parts = _WORD_SPLIT.split(text)  # gap, word, gap, …, word, gap
    words = parts[1::2]
    if not words:
        return text
    gaps = parts[0::2]  # gaps[j] is before words[j]
    infos = list(map(_WORDS.__getitem__, words))
    score = sum(map(_SCORE, infos))
    starts = [0]  # a sentence's first word, and the later parts of a hyphenated word,
    if _TELLING_GAP(text):  # … say nothing about the title's case: most titles have none
        for j in itertools.compress(range(1, len(words)), map(" ".__ne__, gaps[1:-1])):
            gap = gaps[j]
            if _MASKED_END.search(gap):
                starts.append(j)
            elif gap[-1:] in _HYPHENS:
                score -= infos[j][0]
    for j in starts:
        score -= infos[j][0]
    convert = score > 0
    parts[1::2] = map(_LOWERED if convert else _KEPT, infos)
    for j in starts:
        parts[2 * j + 1] = infos[j][3]
    if convert and "A" in words:
        _articles(words, parts, starts)
    return "".join(parts)


def _articles(words: list[str], parts: list[str], starts: list[int]) -> None:
    """Lower-case each "A" of ``words`` (in ``parts``: gap, word, …) that is the article:
    it stands alone ("for A Cell"; not "Q&A", "Plan A") and begins no sentence."""
    for j, word in enumerate(words):
        i = 2 * j + 1
        alone = parts[i - 1][-1:].isspace() and parts[i + 1][:1].isspace()
        if word == "A" and alone and j not in starts:
            parts[i] = "a"


#: How a word is cased: ``(score, kept, lowered, first)``. ``score`` is +1 for a
#: capitalised word, -1 for a lower-case one, 0 for a word that says nothing (short, not
#: all letters, a function word); ``kept``/``lowered``: the word when the title is kept
#: or converted; ``first``: the word beginning a sentence.
_WordCase = tuple[int, str, str, str]
_SCORE = operator.itemgetter(0)
_KEPT = operator.itemgetter(1)
_LOWERED = operator.itemgetter(2)


def _word_case(word: str) -> _WordCase:
    """A word's :data:`_WordCase`: its score, and the word kept, lowered and capitalised."""
    return (
        _score(word),
        _word(word, False, False, False),
        _word(word, False, True, False),
        _word(word, True, False, False),
    )


#: Each word's :data:`_WordCase`, worked out once: a library's titles share most words.
_WORDS = BoundedMemo(_word_case, 50_000)


def _score(word: str) -> int:
    """+1 capitalised, -1 lower case, 0 neither (see :func:`.csl_case_ref.reads_as_title_case`)."""
    if len(word) < 2 or not word.isalpha():
        return 0
    if word.islower():
        return -(word not in _FUNCTION_WORDS)
    if word[0].isupper() and word[1:].islower():
        return int(word.lower() not in _FUNCTION_WORDS)
    return 0


def _has_capital_after_first(text: str) -> bool:
    rest = text[1:]
    if "$" in rest:
        return True
    if rest.isascii():
        return rest != rest.lower()
    # islower(): a cased character and no upper-case one (one C pass, no loop in Python)
    return not rest.islower() and any(map(str.isupper, rest))


def _word(word: str, starts: bool, convert: bool, article: bool) -> str:
    if implied_nocase(word):  # GPT, InstructGPT, ImageNet, 3D, iPhone, O'Brien
        return _NOCASE_OPEN + word + _CLOSE
    if not word[0].isupper() or starts:
        return word  # lower case ("learners", "16x16"), or a sentence's first word
    rest = word[1:].replace("'", "").replace("\u2019", "")
    if not rest:  # "A" (other lone capitals are implied): the article in Title Case
        return "a" if convert and article else _NOCASE_OPEN + word + _CLOSE
    if convert and rest.isalpha():  # capitalised ("Learners", "Don't"): Title Case's doing
        return word.lower()
    # a proper noun of a sentence-case title, or a name with digits ("T5", "Llama2")
    return _NOCASE_OPEN + word + _CLOSE


# CSL's title-case stop words (the CSL 1.0.2 specification's list).
_STOP_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor",
    "of", "on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet",
})  # fmt: skip
# An HTML entity (``&amp;`` in citeproc-py's html output) is a gap, never a word to case.
_WORD_OR_GAP = re.compile(r"(?P<gap>&#?\w+;|[^\w&]+|[_&])|(?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)")


def title_case(segments: list[tuple[str, bool]]) -> list[str]:
    """CSL title case over ``(text, protected)`` pieces, as pandoc's citeproc applies it.

    Only lower-case words change: each is capitalised unless it is a stop word inside a
    sentence (the last word always is), and so is each part of a hyphenated word
    (``few-shot`` → ``Few-Shot``, ``chain-of-thought`` → ``Chain-of-Thought``).
    Protected (nocase) pieces are kept as they are.
    """
    last = _last_word(segments)
    out: list[str] = []
    start = True
    for i, (text, protected) in enumerate(segments):
        if protected:
            out.append(text)
            start = start and not any(ch.isalnum() for ch in text)
            continue
        pieces: list[str] = []
        for m in _WORD_OR_GAP.finditer(text):
            value = m.group()
            if m.lastgroup == "gap":
                start = start or bool(_SENTENCE_END.search(value))
            else:
                if value.islower() and (
                    start or (i, m.start()) == last or value not in _STOP_WORDS
                ):
                    value = value[0].upper() + value[1:]
                start = False
            pieces.append(value)
        out.append("".join(pieces))
    return out


def _last_word(segments: list[tuple[str, bool]]) -> tuple[int, int] | None:
    """``(segment, offset)`` of the last word, None when a protected piece ends the text."""
    for i in range(len(segments) - 1, -1, -1):
        text, protected = segments[i]
        words = [m for m in _WORD_OR_GAP.finditer(text) if m.lastgroup == "word"]
        if words:
            return None if protected else (i, words[-1].start())
    return None
