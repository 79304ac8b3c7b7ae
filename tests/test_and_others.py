"""BibTeX's ``and others`` ("et al."): kept in the .bib, never a person anywhere else."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import rispy

from citekit.bibtex.names import format_names, parse_names
from citekit.format import format_bibliography
from citekit.keys import make_key
from citekit.library import dumps, loads
from citekit.model import OTHERS, Date, Name, Record, persons
from citekit.resolve.match import assess
from citekit.writers.bibtex import format_biblatex, format_bibtex
from citekit.writers.csljson import format_csljson, record_to_csl
from citekit.writers.ris import format_ris
from citekit.writers.zotero import record_to_item
from citekit.writers.zotero_rdf import format_zotero_rdf
from tests.conftest import require_binary

ENTRY = (
    "@inproceedings{knox2009interactively,\n"
    "  author = {Knox, W. Bradley and others},\n"
    "  editor = {Gil, Yolanda and others},\n"
    "  title = {Interactively Shaping Agents via Human Reinforcement},\n"
    "  booktitle = {Proceedings of K-CAP},\n"
    "  year = {2009},\n"
    "}\n"
)
KNOX = Name(family="Knox", given="W. Bradley")
GIL = Name(family="Gil", given="Yolanda")


def _record() -> Record:
    (record,) = loads(ENTRY).records
    return record


def test_and_others_reads_as_the_sentinel_and_only_unbraced_lower_case() -> None:
    assert parse_names("Knox, W. Bradley and others") == (KNOX, OTHERS)
    assert parse_names("W. Bradley Knox and others") == (KNOX, OTHERS)
    assert parse_names("Knox, W. Bradley and {others}") == (KNOX, Name(literal="others"))
    assert parse_names("Knox, W. Bradley and Others") == (KNOX, Name(family="Others"))
    assert _record().author == (KNOX, OTHERS)
    assert _record().editor == (GIL, OTHERS)
    assert persons(_record().author) == (KNOX,)


def test_and_others_is_written_back_exactly() -> None:
    library = loads(ENTRY)
    assert dumps(library) == ENTRY
    changed = library.with_records([library.records[0].with_(page="9-16")])
    text = dumps(changed)
    assert "= {Knox, W. Bradley and others},\n" in text and "pages" in text
    assert "= {Gil, Yolanda and others},\n" in text
    for flavour in (format_bibtex, format_biblatex):
        out = flavour([_record()])
        assert "{Knox, W. Bradley and others}" in out and "{Gil, Yolanda and others}" in out
        assert loads(out).records[0].author == (KNOX, OTHERS)
    assert format_names((KNOX, Name(literal="others")), ascii_only=True) == (
        "Knox, W. Bradley and {others}"
    )


def test_bibtex_itself_prints_et_al(tmp_path: Path) -> None:
    bibtex = require_binary("bibtex")
    (tmp_path / "refs.bib").write_text(format_bibtex([_record()]), encoding="utf-8")
    aux = "\\relax\n\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n"
    (tmp_path / "t.aux").write_text(aux, encoding="utf-8")
    run = subprocess.run([bibtex, "t"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    bbl = (tmp_path / "t.bbl").read_text(encoding="utf-8")
    assert "W.~Bradley Knox et~al." in bbl and "others" not in bbl


def test_csl_json_has_no_person_named_others() -> None:
    item = record_to_csl(_record())
    assert item["author"] == [{"family": "Knox", "given": "W. Bradley"}]
    assert item["editor"] == [{"family": "Gil", "given": "Yolanda"}]
    alone = record_to_csl(Record(key="x", title="T", author=(OTHERS,)))
    assert "author" not in alone
    assert "others" not in format_csljson([_record()])
    assert json.loads(format_csljson([_record()]))[0]["author"][0]["family"] == "Knox"


def test_styles_add_et_al_by_their_own_rules() -> None:
    (apa,) = format_bibliography([_record()], "apa")
    assert apa.startswith("Knox, W. B. (2009).") and "others" not in apa.casefold()


def test_ris_has_no_author_named_others() -> None:
    (entry,) = rispy.loads(format_ris([_record()]))
    assert entry["authors"] == ["Knox, W. Bradley"]
    assert "others" not in format_ris([_record()])


def test_zotero_json_and_rdf_have_no_creator_named_others() -> None:
    item = record_to_item(_record())
    assert item["creators"] == [
        {"creatorType": "author", "firstName": "W. Bradley", "lastName": "Knox"},
        {"creatorType": "editor", "firstName": "Yolanda", "lastName": "Gil"},
    ]
    report = record_to_item(_record().with_(type="report"))
    assert "others" not in json.dumps(report)  # editors go to Extra there
    assert "Editor: Gil || Yolanda" in report["extra"]
    assert "others" not in format_zotero_rdf([_record()])


def test_keys_and_matching_ignore_the_sentinel() -> None:
    assert make_key(Record(title="Shaping", author=(OTHERS, KNOX), issued=Date(2009))) == (
        "knox2009shaping"
    )
    ref = Record(title="Deep Learning", author=(GIL, OTHERS), issued=Date(2009))
    same = ref.with_(author=(GIL, Name(family="Stone", given="Peter")))
    etal = ref.with_(author=(GIL, OTHERS))
    assert (
        "second author" in assess(ref.with_(author=(GIL, same.author[1])), same, "title").evidence
    )
    assert "second author" not in assess(ref, etal, "title").evidence  # "others" is nobody
