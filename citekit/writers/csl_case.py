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

import re

from ..bibtex.case import implied_nocase

__all__ = ["csl_language", "is_english", "sentence_case", "title_case"]

_NOCASE_OPEN = '<span class="nocase">'
_CLOSE = "</span>"

# One token of CSL rich text: a tag, inline math, a word (letters/digits, with inner
# apostrophes: "Don't", "O'Brien"), or any other run of characters.
_TOKEN = re.compile(
    r"(?P<tag></?(?:i|b|sup|sub|span)\b[^<>]*>)"
    r"|(?P<math>(?<!\\)\$(?=[^\s$])[^$]*?[^\s$\\]\$(?!\d))"  # as texmath reads math
    r"|(?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)"
    r"|(?P<other>(?:[^<$\w]|_)+|[<$])"
)
_WORD_SPLIT = re.compile(r"([^\W_]+(?:['\u2019][^\W_]+)*)")  # the word of _TOKEN
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
    if "<" in text or "$" in text:
        return _rich_sentence_case(text)
    return _plain_sentence_case(text)


def _plain_sentence_case(text: str) -> str:
    """:func:`sentence_case` for text without markup or math: words and the gaps between.

    The common case, about twice as fast as tokenising rich text (``export csl`` runs this
    for every entry); ``tests/test_csl_case.py`` holds the two paths to the same result.
    """
    parts = _WORD_SPLIT.split(text)  # gap, word, gap, …, word, gap
    # starts[i]: whether the word parts[i] begins a sentence (the gap before it ends one)
    starts = [False] * len(parts)
    for i in range(1, len(parts), 2):
        gap = parts[i - 1]
        starts[i] = i == 1 or (gap != " " and _SENTENCE_END.search(gap) is not None)
    capitalised = lower = 0
    for i in range(1, len(parts), 2):
        word = parts[i]
        if starts[i] or len(word) < 2 or not word.isalpha() or parts[i - 1][-1:] in _HYPHENS:
            continue
        if word.islower():
            lower += word not in _FUNCTION_WORDS
        elif word[0].isupper() and word[1:].islower():
            capitalised += word.lower() not in _FUNCTION_WORDS
    convert = capitalised > lower
    for i in range(1, len(parts), 2):
        article = parts[i - 1][-1:].isspace() and parts[i + 1][:1].isspace()
        parts[i] = _word(parts[i], starts[i], convert, article)
    return "".join(parts)


def _rich_sentence_case(text: str) -> str:
    tokens = _tokens(text)
    convert = _reads_as_title_case(tokens)
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


def _spaced(tokens: list[tuple[str, str, bool]], k: int, end: int) -> bool:
    """Whether token ``k`` is white space at its ``end`` (0: first char, -1: last)."""
    return 0 <= k < len(tokens) and tokens[k][0] == "other" and tokens[k][1][end].isspace()


def _has_capital_after_first(text: str) -> bool:
    rest = text[1:]
    if rest.isascii():
        return rest != rest.lower() or "$" in rest
    return any(ch.isupper() for ch in rest) or "$" in rest


def _tokens(text: str) -> list[tuple[str, str, bool]]:
    """``(kind, text, starts_sentence)`` for the parts of ``text`` outside nocase spans.

    A nocase span (with whatever it holds) is one ``protected`` token; ``starts_sentence``
    is meaningful for words only.
    """
    tokens: list[tuple[str, str, bool]] = []
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


def _reads_as_title_case(tokens: list[tuple[str, str, bool]]) -> bool:
    """More capitalised than lower-case words among the telling ones (see the docstring)."""
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
