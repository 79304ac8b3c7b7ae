"""Generate a deterministic, realistic BibTeX/BibLaTeX library of N entries (constructed data).

usage: python benchmarks/gen_library.py N [-o OUT.bib] [--seed S] [--profile latex]

The mix follows what real libraries hold: journal articles, conference papers, arXiv
preprints (``@misc`` with ``eprint``), books, technical reports and ``@online`` pages;
1-40 authors (long tail), particles (``von``, ``van der``, ``de la``), suffixes,
organisations in braces, CJK names, raw UTF-8 next to LaTeX accents (``M{\\"u}ller``),
math and brace-protected acronyms in titles, ``month = jan`` macros and long abstracts.
Every entry is syntactically valid for bibtex, biber, pandoc, citation-js and pybtex,
so each peer keeps all N entries and the timings compare like with like.
The same N and seed always give the same bytes.

``--profile latex`` (issue #14, target 2) is the LaTeX-heavy library: accents on most names,
each written one of the ways real files write them (``{\\'e}``, ``\\'{e}``, ``\\'e``, on
varied names, so a cache of decoded values does not make it easy), and ``\\%``, ``\\&``,
``$…$`` math and braced acronyms in almost every title.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN = _words(
    "Alice Bob Carlos Dana Emma Farid Grace Hiro Ines Jonas Kavya Liam Mei Noor Omar Priya "
    "Quentin Rosa Sven Tomás Uma Víctor Wen Ximena Yusuf Zoë José Björn François Łukasz "
    "Søren Ana-María Jean-Luc Chloé Dmitri Ayşe Håkon Renée Nuño Émile"
)
FAMILY = _words(
    "Smith Johnson García Müller Nguyễn Kim Rossi Novak Kowalski Silva Andersson Dubois "
    "Ivanova Yılmaz Okafor Tanaka Cohen Schmidt Fernández Østergaard Sánchez Brown Zhang "
    "Li Wang Chen Patel Haddad Nielsen O'Brien Jørgensen Lefèvre Wójcik Çelik Ðorđević"
)
LATEX_FAMILY = (
    'M{\\"u}ller',
    "Garc{\\'\\i}a",
    "{\\v{S}}koda",
    "{\\O}stergaard",
    "Lef{\\`e}vre",
    "Erd{\\H{o}}s",
    'Sch{\\"o}nberg',
    "W{\\'o}jcik",
    "{\\c{C}}elik",
    "Stra{\\ss}e",
)
LATEX_GIVEN = ("Ren{\\'e}e", "Fran{\\c{c}}ois", "J{\\'o}zsef", "{\\L}ukasz", 'Zo{\\"e}')
PARTICLES = ("von", "van der", "de la", "de", "di", "van", "du")
SUFFIXES = ("Jr.", "III", "Sr.")
ORGS = (
    "{World Health Organization}",
    "{OpenAI}",
    "{The LIGO Scientific Collaboration}",
    "{European Space Agency}",
    "{Google DeepMind}",
    "{ATLAS Collaboration}",
)
CJK = ("王, 小明", "李, 娜", "張, 偉", "田中, 太郎", "김, 민준", "陳, 美玲")
WORDS = _words(
    "learning deep neural networks language models scaling laws attention transformer "
    "graph inference bayesian causal robust efficient sparse retrieval generation "
    "alignment evaluation benchmark dataset analysis theory optimization stochastic "
    "gradient convex quantum field dynamics protein structure climate model ecology "
    "linguistic typology morphology syntax phonology corpus dialect grammar survey"
)
ACRONYMS = ("{GPT}-4", "{BERT}", "{LLaMA}", "{RLHF}", "{CUDA}", "{NLP}", "{ImageNet}")
TITLE_EXTRAS = (
    "$O(n \\log n)$",
    "{\\'e}tude",
    'na{\\"\\i}ve',
    "\\& beyond",
    "pre--training",
    "100\\%",
    "café",
    "Übersicht",
    "{\\LaTeX}",
    "深層学習",
)
JOURNALS = (
    "Journal of Machine Learning Research",
    "Nature",
    "Physical Review Letters",
    "Transactions of the Association for Computational Linguistics",
    "Journal of Linguistics",
    'Zeitschrift f{\\"u}r Sprachwissenschaft',
    "Revue fran\u00e7aise de linguistique",
)
VENUES = ("NeurIPS", "ICML", "ACL", "EMNLP", "CVPR", "ICLR", "COLING")
PUBLISHERS = (
    ("MIT Press", "Cambridge, MA"),
    ("Springer", "Berlin"),
    ("Cambridge University Press", "Cambridge"),
    ("O'Reilly \\& Associates", "Sebastopol, CA"),
    ("Éditions du Seuil", "Paris"),
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ARXIV_CLASSES = ("cs.CL", "cs.LG", "stat.ML", "hep-th", "quant-ph", "astro-ph.CO")
KINDS = (
    ("article", 40),
    ("inproceedings", 22),
    ("arxiv", 18),
    ("book", 8),
    ("techreport", 6),
    ("online", 6),
)


@dataclass(frozen=True)
class Profile:
    """How much LaTeX the library holds."""

    name: str
    latex_given: float  # share of given names written with LaTeX accents
    latex_family: float
    title_extra: float  # share of titles with LaTeX/math/symbols in them
    accented: bool  # accents put on varied names (else the fixed LATEX_* lists)


DEFAULT = Profile("default", 0.08, 0.12, 0.2, accented=False)
LATEX = Profile("latex", 0.85, 0.85, 0.95, accented=True)
PROFILES = {p.name: p for p in (DEFAULT, LATEX)}
_profile = DEFAULT  # set by generate(); every entry of one library uses the same profile

ASCII_NAMES = _words(
    "Muller Garcia Skoda Ostergaard Lefevre Erdos Schonberg Wojcik Celik Strasse Renee "
    "Francois Jozsef Lukasz Zoe Dvorak Hajek Cech Bohm Sanchez Nunez Goedel Ramon Jose "
    "Anders Soren Hakon Emile Helene Andre Jurgen Gunter Bjorn Ake Ozturk Senay Tomas"
)
ACCENTS = ("\\'", '\\"', "\\`", "\\^", "\\~", "\\v", "\\c", "\\u", "\\H", "\\=")
LATEX_TITLE_EXTRAS = (
    *TITLE_EXTRAS,
    "100\\% accuracy",
    "R\\&D",
    "$\\alpha$-helix",
    "H$_2$O",
    "$^{13}$C",
    "$x^2 + y^2$",
    "$\\mathcal{O}(n^2)$",
    "{GPT}-4",
    "{BERT}",
    "{CUDA}",
    "{\\sc Conniver}",
    "\\emph{in vivo}",
    "3\\textsuperscript{rd}",
    "``quoted''",
)


def _accented(rng: random.Random) -> str:
    """A name with a LaTeX accent on one of its letters, in one of the ways files write it."""
    name = rng.choice(ASCII_NAMES)
    pos = rng.randrange(len(name))
    accent = rng.choice(ACCENTS)
    letter = name[pos]
    style = 0 if accent == "\\~" else rng.randrange(3)  # a bare ~ in a name is a tie
    if accent[-1].isalpha():  # \v, \c, \u, \H: a letter command needs braces or a space
        latex = f"{{{accent}{{{letter}}}}}" if style else f"{accent}{{{letter}}}"
    else:
        latex = (f"{{{accent}{letter}}}", f"{accent}{{{letter}}}", f"{accent}{letter}")[style]
    return name[:pos] + latex + name[pos + 1 :]


def _person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice(ORGS)
    if roll < 0.06:
        return rng.choice(CJK)
    if _profile.accented:
        given = _accented(rng) if rng.random() < _profile.latex_given else rng.choice(GIVEN)
        family = _accented(rng) if rng.random() < _profile.latex_family else rng.choice(FAMILY)
        return f"{family}, {given}"
    given = rng.choice(LATEX_GIVEN if rng.random() < 0.08 else GIVEN)
    family = rng.choice(LATEX_FAMILY if rng.random() < 0.12 else FAMILY)
    if rng.random() < 0.15:
        given = f"{given} {rng.choice(GIVEN)[0]}."
    if rng.random() < 0.08:
        return f"{rng.choice(PARTICLES)} {family}, {given}"
    if rng.random() < 0.02:
        return f"{family}, {rng.choice(SUFFIXES)}, {given}"
    return f"{family}, {given}" if rng.random() < 0.7 else f"{given} {family}"


def _author_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.85:
        return rng.randint(1, 6)
    if roll < 0.97:
        return rng.randint(7, 15)
    return rng.randint(16, 40)


def _title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(ACRONYMS))
    if _profile.accented:
        if rng.random() < _profile.title_extra:
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words)), rng.choice(LATEX_TITLE_EXTRAS))
    elif rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), rng.choice(TITLE_EXTRAS))
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _abstract(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 8)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def _common(rng: random.Random, year: int) -> list[tuple[str, str]]:
    names = " and ".join(_person(rng) for _ in range(_author_count(rng)))
    fields = [("author", names), ("title", _title(rng)), ("year", str(year))]
    if rng.random() < 0.4:
        fields.append(("month", rng.choice(MONTHS)))  # a bare macro, as real files have
    return fields


def _kind_fields(kind: str, rng: random.Random, year: int, n: int) -> list[tuple[str, str]]:
    doi = f"10.{1000 + n % 9000}/gen.{year}.{n:06d}"
    if kind == "article":
        return [
            ("journal", rng.choice(JOURNALS)),
            ("volume", str(rng.randint(1, 120))),
            ("number", str(rng.randint(1, 12))),
            ("pages", f"{(p := rng.randint(1, 900))}--{p + rng.randint(3, 40)}"),
            ("doi", doi),
        ]
    if kind == "inproceedings":
        venue = rng.choice(VENUES)
        return [
            ("booktitle", f"Proceedings of {venue} {year}"),
            ("pages", f"{(p := rng.randint(1, 900))}--{p + rng.randint(5, 12)}"),
            ("publisher", "Association for Computational Linguistics"),
            ("doi", doi),
        ]
    if kind == "arxiv":
        arxiv_id = f"{year % 100:02d}{rng.randint(1, 12):02d}.{n % 100000:05d}"
        return [
            ("eprint", arxiv_id),
            ("archiveprefix", "arXiv"),
            ("primaryclass", rng.choice(ARXIV_CLASSES)),
            ("url", f"https://arxiv.org/abs/{arxiv_id}"),
        ]
    if kind == "book":
        publisher, place = rng.choice(PUBLISHERS)
        return [
            ("publisher", publisher),
            ("address", place),
            ("edition", str(rng.randint(1, 4))),
            ("isbn", f"978-{rng.randint(0, 9)}-{rng.randint(1000, 9999)}-{n % 10000:04d}-X"),
        ]
    if kind == "techreport":
        return [("institution", rng.choice(ORGS).strip("{}")), ("number", f"TR-{year}-{n}")]
    return [
        ("url", f"https://example.org/posts/{year}/{n}_{rng.choice(WORDS)}?lang=en&v=2"),
        ("urldate", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
        ("organization", rng.choice(ORGS).strip("{}")),
    ]


def _extra(rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if rng.random() < 0.15:
        out.append(("abstract", _abstract(rng)))
    if rng.random() < 0.4:
        out.append(("keywords", ", ".join(rng.sample(WORDS, rng.randint(1, 5)))))
    if rng.random() < 0.2:
        out.append(("groups", f"Hub/{rng.choice(WORDS).capitalize()}"))
    if rng.random() < 0.1:
        out.append(("note", "Accepted; to appear \\& extended version"))
    return out


def entry(n: int, rng: random.Random) -> str:
    """The n-th entry as BibTeX text (the caller owns ``rng``, so the stream is reproducible)."""
    kinds, weights = zip(*KINDS, strict=True)
    kind = rng.choices(kinds, weights)[0]
    year = rng.randint(2008, 2025) if kind == "arxiv" else rng.randint(1975, 2025)
    fields = _common(rng, year) + _kind_fields(kind, rng, year, n) + _extra(rng)
    etype = {"arxiv": "misc"}.get(kind, kind)
    family = fields[0][1].split(",")[0].split()[-1].strip("{}\\'\"")
    slug = "".join(ch for ch in family if ch.isascii() and ch.isalnum()).lower() or "anon"
    lines = [f"@{etype}{{{slug}{year}gen{n},"]
    for name, value in fields:
        text = value if name == "month" else f"{{{value}}}"
        lines.append(f"  {name:<13} = {text},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate(count: int, seed: int = 6, profile: str = "default") -> Iterator[str]:
    """Yield ``count`` entries (as text), deterministically for ``seed`` and ``profile``."""
    global _profile
    _profile = PROFILES[profile]
    rng = random.Random(seed)
    label = "" if profile == "default" else f", profile {profile}"
    yield f"% constructed by benchmarks/gen_library.py: {count} entries, seed {seed}{label}\n\n"
    try:
        for n in range(count):
            yield entry(n, rng) + "\n"
    finally:
        _profile = DEFAULT


def write_library(path: Path, count: int, seed: int = 6, profile: str = "default") -> Path:
    """Write a generated library of ``count`` entries to ``path`` and return it."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(generate(count, seed, profile))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    args = parser.parse_args(argv)
    if args.output is None:
        sys.stdout.writelines(generate(args.count, args.seed, args.profile))
    else:
        write_library(args.output, args.count, args.seed, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
