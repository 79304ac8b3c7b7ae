"""BibTeX fields citekit keeps in ``Record.extra`` reach CSL-JSON (writers/csl_extra.py).

Before: ``edition``, ``chapter``, ``translator``, ``pmid``, ``venue``, ``eventdate``,
``addendum``… stayed in the .bib only; CSL-JSON, and so every style, never saw them (the
citation-js comparison in the README counted them as citation-js-only fields).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citekit.library import loads
from citekit.writers.csljson import format_csljson
from tests.conftest import require_binary
from tests.consumers.test_format_pandoc import pandoc_bibliography
from tests.test_csljson import schema_errors

BOOK = r"""@book{doe2020book,
  author = {Doe, Jane},
  title = {A Constructed Book},
  year = {2020},
  publisher = {Constructed Press},
  edition = {2},
  translator = {M{\"u}ller, Karl and Smith, Ann},
  origdate = {1901-05},
  pagetotal = {320},
  note = {First note},
  addendum = {Reprinted with corrections},
  shorttitle = {Book},
  hhtype = {grammar},
}
"""
CHAPTER = r"""@incollection{roe2019chapter,
  author = {Roe, Richard},
  title = {A Constructed Chapter},
  booktitle = {Constructed Essays},
  bookauthor = {Poe, Pat},
  year = {2019},
  chapter = {3},
  pmid = {12345678},
  venue = {Berlin},
  eventdate = {2019-09-01/2019-09-03},
  annote = {Read for the survey},
  annotation = {ignored: annote came first},
}
"""
WEB = r"""@misc{site,
  title = {A Constructed Site},
  url = {https://example.org/kept},
  howpublished = {\url{https://example.org/other}},
  year = {2021},
}
@misc{manuscript,
  title = {A Constructed Manuscript},
  howpublished = {Manuscript},
  year = {2001},
}
"""


def _items(text: str) -> dict[str, dict[str, Any]]:
    out = format_csljson(loads(text).records)
    assert schema_errors(out) == []
    return {item["id"]: item for item in json.loads(out)}


def test_a_book_carries_edition_translator_original_date_and_pages() -> None:
    item = _items(BOOK)["doe2020book"]
    assert item["edition"] == "2"
    assert item["translator"] == [
        {"family": "Müller", "given": "Karl"},
        {"family": "Smith", "given": "Ann"},
    ]
    assert item["original-date"] == {"date-parts": [[1901, 5]]}
    assert item["number-of-pages"] == "320"
    assert item["title-short"] == "Book"
    assert item["note"] == "First note\nReprinted with corrections"
    assert "hhtype" not in json.dumps(item)  # no CSL variable: stays in the .bib only


def test_an_addendum_without_a_note_is_the_note_in_the_extras_place() -> None:
    text = BOOK.replace("  note = {First note},\n", "")
    item = _items(text)["doe2020book"]
    assert item["note"] == "Reprinted with corrections"
    assert list(item).index("note") > list(item).index("edition")  # the file's field order


def test_a_chapter_carries_its_number_book_author_and_event() -> None:
    item = _items(CHAPTER)["roe2019chapter"]
    assert item["chapter-number"] == "3"
    assert item["container-author"] == [{"family": "Poe", "given": "Pat"}]
    assert item["PMID"] == "12345678"
    assert item["event-place"] == "Berlin"
    assert item["event-date"] == {"date-parts": [[2019, 9, 1], [2019, 9, 3]]}
    assert item["annote"] == "Read for the survey"


def test_a_modelled_variable_is_never_overwritten() -> None:
    items = _items(WEB)
    assert items["site"]["URL"] == "https://example.org/kept"
    assert items["manuscript"]["publisher"] == "Manuscript"


def test_pandoc_prints_the_edition_and_the_translator(tmp_path: Path) -> None:
    """A real consumer: pandoc's citeproc with APA prints what the item now carries."""
    source = tmp_path / "references.json"
    source.write_text(format_csljson(loads(BOOK).records), encoding="utf-8")
    out = pandoc_bibliography(require_binary("pandoc"), "apa", source)
    assert "(K. Müller & A. Smith, Trans.; 2nd ed.)" in out, out
    assert out.rstrip().endswith("Constructed Press. (1901)"), out  # the original date


HREF = r"""@misc{CaratInterface2.3.4,
  author = {G{\"a}hler, F.},
  title = {{CaratInterface}, Interface to CARAT, {V}ersion 2.3.4},
  year = {2022},
  howpublished = {\href {https://www.math.uni-bielefeld.de/~gaehler/gap/packages.php}
    {\texttt{https://www.math.uni-bielefeld.de/}\discretionary {}{}{}
     \texttt{\texttt{\symbol{126}}gaehler/}}},
}
"""
ADDRESS = "https://www.math.uni-bielefeld.de/~gaehler/gap/packages.php"


def test_an_href_links_to_its_target_not_to_its_shown_text() -> None:
    """Better BibTeX issue 2504's file (tests/data/realworld/bbt-2504-href.bib): decoding
    the shown text gave ``…/discretionary126gaehler/…`` as the address."""
    assert _items(HREF)["CaratInterface2.3.4"]["URL"] == ADDRESS


def test_zotero_gets_the_href_target_too() -> None:
    from citekit.writers.zotero import record_to_item

    item = record_to_item(loads(HREF).records[0])
    assert item["url"] == ADDRESS


def test_thesis_kind_pubstate_and_organization_as_biblatex_prints_them() -> None:
    items = _items(
        r"""@phdthesis{t1, author = {Doe, Jane}, title = {T}, school = {MIT}, year = 2001}
@mastersthesis{t2, author = {Doe, Jane}, title = {T}, school = {MIT}, year = 2001}
@article{a1, author = {Doe, Jane}, title = {A}, journal = {J}, year = 2024, pubstate = {inpress}}
@misc{gap, title = {GAP}, organization = {The {GAP} Group}, year = 2024}
@manual{m, title = {M}, organization = {CTAN}, publisher = {P}, year = 2024}
"""
    )
    assert items["t1"]["genre"] == "PhD thesis"
    assert items["t2"]["genre"] == "Master's thesis"
    assert items["a1"]["status"] == "in press"
    assert items["gap"]["publisher"] == "The GAP Group"
    assert items["m"]["publisher"] == "P"  # never over the entry's own publisher


def test_a_short_title_is_cased_like_the_title() -> None:
    """An English record's title is written in sentence case with its protected words
    (#15 item 4); its ``shorttitle`` is too, and an original title is never re-cased."""
    item = _items(
        r"""@book{b, author = {Doe, Jane}, title = {The {GPT} Book of Things},
  shorttitle = {The {GPT} Book}, origtitle = {Das Buch der Dinge}, year = 2020}
"""
    )["b"]
    assert item["title-short"] == 'The <span class="nocase">GPT</span> book'
    assert item["original-title"] == "Das Buch der Dinge"
