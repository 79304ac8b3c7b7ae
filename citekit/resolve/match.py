"""The no-false-match rule: is a search hit the same work as what we hold? (pure).

DESIGN §4: a hit is accepted only when the normalised titles agree (token-sort
similarity >= 0.95, or >= 0.90 with DOI or venue+year agreement), the first author's
family name matches, the year lies in ``[year - 1, year + 2]``, the type is compatible
and the hit clearly beats the runner-up. Short or generic titles ("Deep Learning") need
more: an identical title, the exact year and a second piece of evidence (a shared DOI,
a second shared author, or the venue). Anything less is ``ambiguous`` or ``none``.

Similarity is :class:`difflib.SequenceMatcher` over the sorted tokens (the classic
"token sort ratio"): word order and case do not matter, a missing word does.
This module does no I/O and imports nothing outside the standard library and citekit.model.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..model import OTHERS, Name, Record, plain_text

__all__ = [
    "Assessment",
    "Decision",
    "assess",
    "decide",
    "family_key",
    "is_generic_title",
    "normalize_title",
    "same_family",
    "title_similarity",
]

#: Title similarity that is enough on its own / with DOI or venue+year agreement.
STRONG = 0.95
WEAK = 0.90
#: The winner must beat every plausible runner-up by this much title similarity.
MARGIN = 0.03
#: Titles are compared on their first MAX_TOKENS words of at most MAX_TOKEN_CHARS each.
MAX_TOKENS, MAX_TOKEN_CHARS = 64, 40
#: Candidates looked at per decision (a search asks for 5; a server may send more).
MAX_CANDIDATES = 20
#: Years a published version may lie after (or before) its preprint.
YEARS_BEFORE, YEARS_AFTER = 1, 2

Mode = Literal["upgrade", "title"]

# German-style transliterations that NFKD cannot produce (Müller ↔ Mueller).
_EXPANSIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_PARTICLES = frozenset({"von", "van", "der", "den", "de", "di", "da", "du", "le", "la", "del"})
_NON_WORD = re.compile(r"[\W_]+")
# Words that say nothing about which work a title names; a title made only of these
# (or of two words or fewer) is generic: "Deep Learning", "An Introduction".
_GENERIC_TEXT = """a an the of on in for and to with from by at as is are its
    introduction overview survey review editorial preface foreword conclusion conclusions
    reply response comment commentary discussion erratum corrigendum correction index
    abstract abstracts letter editor note notes chapter part book report proceedings
    deep machine learning neural network networks artificial intelligence models model
    data analysis methods method theory systems system"""
_GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
# Crossref/CSL types grouped by what a citation may be upgraded to or confused with.
_TYPE_FAMILY = {
    "article": "paper",
    "article-journal": "paper",
    "paper-conference": "paper",
    "chapter": "paper",
    "report": "paper",
    "manuscript": "paper",
    "thesis": "paper",
    "book": "book",
    "dataset": "dataset",
    "software": "software",
    "webpage": "web",
    "post-weblog": "web",
}
#: What a preprint may be upgraded to: a published paper, never another preprint.
PUBLISHED_TYPES = frozenset({"article-journal", "paper-conference", "chapter"})


def _fold(text: str) -> str:
    """Lower-case ASCII-ish form: accents stripped, punctuation to spaces."""
    decomposed = unicodedata.normalize("NFKD", plain_text(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def normalize_title(title: str) -> str:
    """Case-, accent- and punctuation-insensitive title: ``few shot learners``."""
    return _fold(title)


def _sorted_tokens(title: str) -> str:
    """The first :data:`MAX_TOKENS` words, sorted (each cut at :data:`MAX_TOKEN_CHARS`).

    Why bounded: SequenceMatcher is quadratic, and an answer's title can be any length
    (8,000-word titles from 12 hits took 53 s for one ``add``). Real titles are far
    shorter than the bound, so their similarity is unchanged.
    """
    tokens = normalize_title(title[: MAX_TOKENS * MAX_TOKEN_CHARS]).split()[:MAX_TOKENS]
    return " ".join(sorted(t[:MAX_TOKEN_CHARS] for t in tokens))


def title_similarity(a: str, b: str) -> float:
    """Token-sort similarity of two titles in ``[0, 1]`` (1.0: same words)."""
    left, right = _sorted_tokens(a), _sorted_tokens(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def is_generic_title(title: str) -> bool:
    """Whether a title is too short or too generic to identify a work on its own."""
    tokens = normalize_title(title).split()
    return len(tokens) <= 2 or all(t in _GENERIC_WORDS for t in tokens)


def family_key(name: Name) -> frozenset[str]:
    """The forms under which a person's family name may appear in another source.

    ``von Werra`` / ``Werra`` (particles), ``Müller`` / ``Mueller`` / ``Muller``,
    ``Herbert-Voss`` / ``Herbert Voss``. An organisation is its whole literal; a
    person given only as a literal (``"Alec Radford"``) is the literal's last word.
    """
    if name.family:
        raw = " ".join(p for p in (name.particle, name.family) if p)
    elif name.literal:
        words = name.literal.split()
        raw = words[-1] if len(words) > 1 else name.literal
    else:
        return frozenset()
    forms: set[str] = set()
    if name.literal and len(name.literal.split()) > 2:
        # "Ariel Herbert Voss": the family name may be the last two words.
        forms.add(_fold(" ".join(name.literal.split()[-2:])).replace(" ", ""))
    for variant in (raw, raw.lower().translate(_EXPANSIONS)):
        words = _fold(variant).split()
        while len(words) > 1 and words[0] in _PARTICLES:
            forms.add("".join(words))
            words = words[1:]
        forms.add("".join(words))
    forms.discard("")
    return frozenset(forms)


def same_family(a: Name, b: Name) -> bool:
    """Whether two names share a family name under :func:`family_key`."""
    return bool(family_key(a) & family_key(b))


def _year(record: Record) -> int | None:
    return record.issued.year if record.issued else None


def _overlap(a: Sequence[Name], b: Sequence[Name]) -> int:
    """How many names of ``a`` have a family-name match in ``b``.

    Linear, not pairwise: an answer with 10,000 authors must not cost 10^8 comparisons.
    """
    forms_b: set[str] = set().union(*(family_key(y) for y in b if y != OTHERS))
    return sum(1 for x in a if x != OTHERS and family_key(x) & forms_b)


@dataclass(frozen=True)
class Assessment:
    """How one candidate fares against the reference; ``failures`` says why not."""

    candidate: Record
    similarity: float
    failures: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def passes(self) -> bool:
        return not self.failures

    def summary(self) -> dict[str, object]:
        """Plain data for reports: title, first author, year, DOI, score, reasons."""
        c = self.candidate
        return {
            "title": plain_text(c.title),
            "author": c.author[0].display() if c.author else "",
            "year": _year(c),
            "type": c.type,
            "doi": c.doi,
            "arxiv": c.arxiv_id,
            "container": c.container_title,
            "similarity": round(self.similarity, 3),
            "rejected": list(self.failures),
        }


def _venue_agrees(ref: Record, cand: Record) -> bool:
    if not ref.container_title or not cand.container_title or _year(ref) != _year(cand):
        return False
    return title_similarity(ref.container_title, cand.container_title) >= 0.8


def _evidence(ref: Record, cand: Record) -> tuple[str, ...]:
    found = []
    if ref.doi and cand.doi and ref.doi.casefold() == cand.doi.casefold():
        found.append("doi")
    if _venue_agrees(ref, cand):
        found.append("venue+year")
    if len(ref.author) > 1 and _overlap(ref.author, cand.author) >= 2:
        found.append("second author")
    return tuple(found)


def _type_failure(ref: Record, cand: Record, mode: Mode) -> str | None:
    if mode == "upgrade":
        return None if cand.type in PUBLISHED_TYPES else f"type {cand.type} is not a publication"
    if ref.type and ref.title and ref.author:
        fam_ref, fam_cand = _TYPE_FAMILY.get(ref.type), _TYPE_FAMILY.get(cand.type)
        if fam_ref and fam_cand and fam_ref != fam_cand:
            return f"type {cand.type} does not fit {ref.type}"
    return None


def _author_failure(ref: Record, cand: Record) -> str | None:
    if not ref.author:
        return None  # a bare title: nothing to compare, the title rules decide
    if not cand.author:
        return "no authors to compare"
    if not same_family(ref.author[0], cand.author[0]):
        return f"first author {cand.author[0].display()!r} differs"
    return None


def _year_failure(ref: Record, cand: Record, mode: Mode) -> str | None:
    ref_year, cand_year = _year(ref), _year(cand)
    if ref_year is None:
        return None
    if cand_year is None:
        return "no year"
    low, high = (ref_year - YEARS_BEFORE, ref_year + YEARS_AFTER)
    if mode == "title":
        low = high = ref_year  # a title given with its year means that year
    if not low <= cand_year <= high:
        return f"year {cand_year} outside {low}-{high}"
    return None


def assess(ref: Record, cand: Record, mode: Mode) -> Assessment:
    """Check one candidate against every rule; the result lists each rule it broke."""
    sim = title_similarity(ref.title, cand.title)
    evidence = _evidence(ref, cand)
    failures = [
        f
        for f in (
            _author_failure(ref, cand),
            _year_failure(ref, cand, mode),
            _type_failure(ref, cand, mode),
        )
        if f
    ]
    if sim < WEAK or (sim < STRONG and not {"doi", "venue+year"} & set(evidence)):
        failures.insert(0, f"title similarity {sim:.2f}")
    elif _numbers(ref.title) != _numbers(cand.title):
        failures.insert(0, "the numbers in the titles differ")  # "Part 2" is not "Part 3"
    elif is_generic_title(ref.title) and not _generic_ok(ref, cand, sim, evidence):
        failures.append("generic title without further evidence")
    return Assessment(cand, sim, tuple(failures), evidence)


def _numbers(title: str) -> list[str]:
    """The title's words that carry a digit (``GPT-4`` → ``4``, ``YOLOv3`` → ``yolov3``)."""
    return sorted(t for t in normalize_title(title).split() if any(c.isdigit() for c in t))


def _generic_ok(ref: Record, cand: Record, sim: float, evidence: tuple[str, ...]) -> bool:
    """Short or generic titles need the same words, the same year and a second proof."""
    if not ref.author or sim < 1.0:
        return False
    if _year(ref) is None or _year(ref) != _year(cand):
        return False
    return bool(evidence)


def _identity(record: Record) -> str:
    """What makes two hits the same work: the DOI, else the arXiv id, else title + year."""
    if record.doi:
        return "doi:" + record.doi.casefold()
    if record.arxiv_id:
        return "arxiv:" + record.arxiv_id
    return f"title:{normalize_title(record.title)}:{_year(record)}"


@dataclass(frozen=True)
class Decision:
    """The verdict on a list of candidates.

    ``kind`` is ``match`` (``record`` is the winner), ``ambiguous`` (several plausible
    works, or a plausible one that the rule cannot confirm) or ``none``.
    ``assessments`` keeps every candidate's scores for the report.
    """

    kind: Literal["match", "ambiguous", "none"]
    record: Record | None = None
    assessments: tuple[Assessment, ...] = field(default=())
    reason: str = ""

    def candidates(self) -> list[dict[str, object]]:
        """The candidates worth showing a user, best first."""
        return [a.summary() for a in self.assessments if a.similarity >= 0.5]


def _plausible(a: Assessment, ref: Record) -> bool:
    """Close enough that accepting something else instead would be a guess."""
    return a.similarity >= WEAK and _author_failure(ref, a.candidate) is None


def decide(ref: Record, candidates: Sequence[Record], mode: Mode) -> Decision:
    """Apply the no-false-match rule to ``candidates`` for the reference ``ref``.

    ``mode="upgrade"``: ``ref`` is an arXiv preprint, candidates are possible published
    versions. ``mode="title"``: ``ref`` holds what the user gave (at least a title).
    """
    looked_at = candidates[:MAX_CANDIDATES]
    scored = sorted((assess(ref, c, mode) for c in looked_at), key=lambda a: -a.similarity)
    ranked = tuple(scored)
    passing: dict[str, Assessment] = {}
    for a in ranked:
        if a.passes:
            passing.setdefault(_identity(a.candidate), a)
    if len(passing) > 1:
        return Decision("ambiguous", None, ranked, f"{len(passing)} works fit equally well")
    if len(passing) == 1:
        (winner,) = passing.values()
        rivals = [
            a
            for a in ranked
            if _identity(a.candidate) != _identity(winner.candidate)
            and _plausible(a, ref)
            and a.similarity > winner.similarity - MARGIN
            and _type_failure(ref, a.candidate, mode) is None
            and _year_failure(ref, a.candidate, mode) is None
        ]
        if rivals:
            return Decision("ambiguous", None, ranked, "no clear winner over the runner-up")
        return Decision("match", winner.candidate, ranked)
    near = [a for a in ranked if _plausible(a, ref) and "generic" in " ".join(a.failures)]
    if near:
        reason = "a short or generic title needs an identifier (or authors and year) to decide"
        return Decision("ambiguous", None, ranked, reason)
    if mode == "title" and any(_plausible(a, ref) for a in ranked):
        return Decision("ambiguous", None, ranked, "a close title the rule cannot confirm")
    return Decision("none", None, ranked, "no candidate fits")
