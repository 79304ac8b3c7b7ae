"""Record → RIS, for EndNote, Mendeley and every reference manager that reads it.

RIS is line based (``TAG  - value``), so values are flattened to one line and the nocase
markup is dropped. Choices where RIS readers disagree follow the widest-read convention:

* arXiv preprints are ``JOUR`` with ``JO``/``T2`` ``arXiv preprint arXiv:<id>``, as
  Google Scholar exports them (RIS has no preprint type; EndNote and Mendeley show this
  as intended);
* conference papers are ``CONF`` (Mendeley does not read ``CPAPER``);
* a report's number goes to ``SN`` (EndNote's "Report Number" for ``RPRT``);
* editors are ``A2`` (EndNote's secondary author: the editor of a chapter or proceedings).

Output is UTF-8 with LF line ends, records in the order given, a blank line after ``ER``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model import Date, Name, Record, persons, plain_text
from .chunks import joined

__all__ = ["format_ris", "record_to_ris", "ris_chunks"]

_TYPES = {
    "article": "JOUR",
    "article-journal": "JOUR",
    "paper-conference": "CONF",
    "report": "RPRT",
    "webpage": "ELEC",
    "post-weblog": "BLOG",
    "software": "COMP",
    "dataset": "DATA",
    "chapter": "CHAP",
    "book": "BOOK",
    "thesis": "THES",
    "manuscript": "UNPB",
    "patent": "PAT",
    "entry-encyclopedia": "ENCYC",
    "standard": "STAND",
}
_DASHES = ("--", "–", "—", "-")


def record_to_ris(record: Record) -> list[tuple[str, str]]:
    """The ``(tag, value)`` lines of one record, from ``TY`` to ``ER``."""
    lines: list[tuple[str, str]] = [("TY", _TYPES.get(record.type, "GEN")), ("ID", record.key)]
    lines += [("AU", _name(n)) for n in persons(record.author)]  # no "and others"
    lines += [("A2", _name(n)) for n in persons(record.editor)]
    lines.append(("TI", record.title))
    container = _container(record)
    if container:
        tag = "JO" if lines[0][1] == "JOUR" else "T2"
        lines += [(tag, container), ("T2", container)] if tag == "JO" else [(tag, container)]
    lines.append(("T3", record.collection_title))
    lines += _dates(record.issued, record.accessed)
    lines += [("VL", record.volume), ("IS", record.issue)]
    lines += _pages(record.page)
    lines += [("M3", record.genre), ("C3", record.event_title)]
    lines += [("PB", record.publisher), ("CY", record.publisher_place)]
    lines.append(_number(record))
    lines += [("SN", record.isbn), ("SN", record.issn), ("DO", record.doi), ("UR", _url(record))]
    lines += [("LA", record.language), ("AB", record.abstract)]
    lines += [("KW", k) for k in record.keywords]
    lines.append(("N1", record.note))
    if record.arxiv_id and record.type != "article":
        lines.append(("N1", f"arXiv:{record.arxiv_id}"))
    out = [(tag, _flat(value)) for tag, value in lines if value]
    out.append(("ER", ""))
    return out


def _container(record: Record) -> str:
    if record.type == "article" and record.arxiv_id and not record.container_title:
        return f"arXiv preprint arXiv:{record.arxiv_id}"
    return record.container_title


def _number(record: Record) -> tuple[str, str]:
    if record.type == "report":
        return ("SN", record.number)
    if record.type == "article" and record.arxiv_id:
        return ("M1", "")  # the container already names the arXiv id
    return ("M1", record.number)


def _url(record: Record) -> str:
    if record.url or not record.arxiv_id:
        return record.url
    return f"https://arxiv.org/abs/{record.arxiv_id}"


def _name(name: Name) -> str:
    """``Family, Given, Suffix`` (the RIS name form); organisations as written."""
    if name.literal:
        return name.literal
    family = f"{name.particle} {name.family}" if name.particle else name.family
    return ", ".join(p for p in (family, name.given, name.suffix) if p)


def _dates(issued: Date | None, accessed: Date | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if issued is not None and issued.year is not None:
        out.append(("PY", f"{issued.year:04d}"))
        if issued.month:
            out.append(("DA", _ris_date(issued)))
    elif issued is not None and issued.literal:
        out.append(("DA", issued.literal))
    if accessed is not None and accessed.year is not None:
        out.append(("Y2", _ris_date(accessed)))
    return out


def _ris_date(date: Date) -> str:
    """RIS ``YYYY/MM/DD/`` with empty parts for what is unknown."""
    month = f"{date.month:02d}" if date.month else ""
    day = f"{date.day:02d}" if date.day else ""
    return f"{date.year:04d}/{month}/{day}/"


def _pages(page: str) -> list[tuple[str, str]]:
    if not page:
        return []
    for dash in _DASHES:
        if dash in page:
            start, _, end = page.partition(dash)
            return [("SP", start.strip()), ("EP", end.strip())]
    return [("SP", page)]


def _flat(text: str) -> str:
    """One line, without markup: RIS has neither continuation lines nor rich text."""
    if "<" in text:
        text = plain_text(text)
    return " ".join(text.split())


def format_ris(records: Iterable[Record]) -> str:
    """The RIS text for ``records`` in the order given."""
    return "".join(ris_chunks(records))


def ris_chunks(records: Iterable[Record]) -> Iterator[str]:
    """:func:`format_ris` in pieces, rendered as they are asked for (streamed exports)."""
    bodies = (
        "".join(f"{tag}  - {value}\n" for tag, value in record_to_ris(record)) for record in records
    )
    return joined(bodies, "\n")
