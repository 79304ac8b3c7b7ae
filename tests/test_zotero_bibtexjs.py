"""#13 item 2: every BibTeX field reaches Zotero as Zotero's own BibTeX import puts it.

``tests/data/zotero/bibtexjs-fields.bib`` uses every entry type and every field the issue
lists. Each entry is synced into the loopback Web API (which validates against the
official schema) and the item compared with what Zotero's ``BibTeX.js`` makes of the
same entry. The expectations are derived by hand from zotero/translators ``BibTeX.js`` at
commit 2814370 (line numbers below are that file's); ``EXTENSIONS`` lists what citekit
adds where BibTeX.js drops a value (it keeps it as an Extra ``Label: value`` line) or
deliberately differs (noted per entry).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from citekit.library import load
from citekit.writers.zotero import record_to_item
from tests.test_zotero_sync import Harness, harness  # noqa: F401  (the fixture)

BIB = Path(__file__).parent / "data" / "zotero" / "bibtexjs-fields.bib"

#: What BibTeX.js sets, per entry (fields of the Zotero item; "extra" lines as a list).
BIBTEXJS: dict[str, dict[str, Any]] = {
    # @book → book (l.238); address → place (l.90); edition (l.92); series (l.94);
    # isbn (l.98); publisher (l.209); pagetotal → numPages (l.215); number of a book →
    # seriesNumber (l.401-402); year → date (l.980-981)
    "book2001series": {
        "itemType": "book",
        "place": "Leiden",
        "edition": "2nd",
        "series": "Studies in Examples",
        "ISBN": "978-0-00-000000-2",
        "publisher": "Example Press",
        "numPages": "312",
        "seriesNumber": "7",
        "date": "2001",
    },
    # @incollection → bookSection (l.240); booktitle → bookTitle (l.207); number →
    # seriesNumber (l.401-402); pages "--" → "-" (l.430). chapter → section (l.91), a
    # field bookSection does not have: Zotero drops it (citekit: Extra, below)
    "roe2002chapter": {
        "itemType": "bookSection",
        "bookTitle": "A Collected Volume",
        "seriesNumber": "12",
        "pages": "10-20",
        "publisher": "Example Press",
    },
    # @article → journalArticle (l.241); journal → publicationTitle (l.350-356);
    # shortjournal → journalAbbreviation (l.213); number → issue (l.405-406); pmid and
    # pmcid → "PMID: …" / "PMCID: …" in Extra (l.119-125, l.505-507)
    "poe2003article": {
        "itemType": "journalArticle",
        "publicationTitle": "Journal of Examples",
        "journalAbbreviation": "J. Ex.",
        "volume": "5",
        "issue": "2",
        "extra": ["PMID: 12345678", "PMCID: PMC1234567"],
    },
    # @inproceedings → conferencePaper (l.245); booktitle → proceedingsTitle (l.207);
    # eventtitle → conferenceName (l.214); organization → backupPublisher → publisher when
    # there is none (l.394-395, l.990-991)
    "moe2004organised": {
        "itemType": "conferencePaper",
        "proceedingsTitle": "Proceedings of the Example Meeting",
        "conferenceName": "Example Meeting 2004",
        "publisher": "Example Society",
    },
    # a publisher wins over organization (l.990-991): organization is dropped by BibTeX.js
    "moe2005published": {"itemType": "conferencePaper", "publisher": "Example Press"},
    # @software → computerProgram (l.266); version → versionNumber (l.216; "version" is
    # the field's legacy name)
    "coe2006tool": {
        "itemType": "computerProgram",
        "versionNumber": "1.2.3",
        "url": "https://example.org/tool",
    },
    # @mastersthesis → thesis (l.250) with thesisType "Master's Thesis" (l.881); school →
    # publisher = university (l.208); pagetotal → numPages (l.215)
    "loe2007masters": {
        "itemType": "thesis",
        "thesisType": "Master's Thesis",
        "university": "Example University",
        "numPages": "88",
    },
    # @phdthesis → thesis (l.243) with thesisType "PhD Thesis" (l.882)
    "loe2008doctor": {"itemType": "thesis", "thesisType": "PhD Thesis"},
    # @patent → patent (l.242); number → patentNumber (l.403-404); year → date, which a
    # patent calls issueDate. BibTeX.js maps assignee (l.106), not biblatex's holder.
    "hoe2009patent": {"itemType": "patent", "patentNumber": "US 1234567", "issueDate": "2009"},
    # @misc → document (l.251); a howpublished that is no URL → "Published: …" (l.444-451)
    "noe2010talk": {
        "itemType": "document",
        "extra": ["Published: Presented at the Example Workshop"],
    },
    # a howpublished URL → url (l.446-448)
    "noe2011link": {"itemType": "document", "url": "https://example.org/page"},
    # date is taken as written (l.422-424), even when it is no single date
    "noe2019range": {"itemType": "document", "date": "2019-01/2019-03"},
    # @techreport → report (l.247); number → reportNumber (l.399-400); institution →
    # publisher = institution (l.394-395, l.990-991); pagetotal → numPages, which a report does
    # not have (citekit: Extra, below)
    "toe2012report": {
        "itemType": "report",
        "reportNumber": "TR-42",
        "institution": "Example Lab",
    },
    # @unpublished → manuscript (l.244); pagetotal → numPages (l.215)
    "uoe2013draft": {"itemType": "manuscript", "numPages": "15"},
    # BibTeX.js: a journalArticle whose journal is "arXiv preprint arXiv:2201.11903".
    # citekit differs on purpose (#13 item 7): a preprint as arXiv.org.js saves it
    # (archiveID "arXiv:ID" l.462, repository arXiv, Extra line "arXiv:ID" l.405).
    "voe2014scholar": {
        "itemType": "preprint",
        "archiveID": "arXiv:2201.11903",
        "repository": "arXiv",
        "extra": ["arXiv:2201.11903"],
    },
}

#: Extra lines citekit writes for what BibTeX.js drops (CSL labels where one exists).
EXTENSIONS: dict[str, list[str]] = {
    "roe2002chapter": ["Chapter Number: 4"],
    "poe2003article": ["eid: e1234", "Status: inpress"],
    "moe2004organised": ["Event Place: Lisbon", "Event Date: 2004-06-01/2004-06-03"],
    "moe2005published": ["Organization: Example Society"],
    "toe2012report": ["Number of Pages: 20"],
}
#: Where citekit maps what BibTeX.js drops to a field (the issue asks for it).
FIELD_EXTENSIONS: dict[str, dict[str, str]] = {
    "hoe2009patent": {"assignee": "Example Corporation"},  # biblatex holder
}


def test_the_bib_covers_every_field_of_the_issue() -> None:
    text = BIB.read_text(encoding="utf-8").lower()
    fields = "edition version pagetotal chapter shortjournal number holder organization venue"
    fields += " eventdate pmid eid pubstate howpublished date"
    for name in fields.split():
        assert f"  {name} " in text or f"  {name}=" in text, name
    for kind in ("mastersthesis", "phdthesis", "book", "incollection", "patent", "software"):
        assert f"@{kind}{{" in text


def test_each_item_is_what_bibtexjs_makes_of_the_entry(harness: Harness) -> None:  # noqa: F811
    records = load(BIB).records
    report = harness.run(records)
    assert report.ok, report.lines()
    by_key = {k: v[0] for k, v in harness.by_citekey().items()}
    assert sorted(by_key) == sorted(BIBTEXJS)
    for key, expected in BIBTEXJS.items():
        item = by_key[key]
        lines = item["extra"].splitlines()
        for name, value in expected.items():
            if name == "extra":
                assert set(value) <= set(lines), (key, lines)
            else:
                assert item[name] == value, (key, name, item[name])
        assert set(EXTENSIONS.get(key, [])) <= set(lines), (key, lines)
        for name, value in FIELD_EXTENSIONS.get(key, {}).items():
            assert item[name] == value, (key, name)


def test_extra_keeps_every_csl_line_readable() -> None:
    """#13 item 3: after line 0, no line that is not ``Label: value`` precedes one."""
    label = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]*: ")
    for record in load(BIB).records:
        record = record.with_(note="A free-text note.", arxiv_id=record.arxiv_id or "2101.00001")
        lines = record_to_item(record)["extra"].splitlines()
        assert lines[0].startswith("arXiv:")
        tail = lines[1:]
        first_free = next((i for i, ln in enumerate(tail) if not label.match(ln)), len(tail))
        assert all(not label.match(ln) for ln in tail[first_free:]), lines
        assert all(label.match(ln) for ln in tail[:first_free])
