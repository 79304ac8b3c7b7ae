"""Hostile metadata: what arXiv and Crossref answer is untrusted input.

The loopback servers answer with CONSTRUCTED records whose titles, names, venues, pages
and DOIs carry BibTeX and TeX syntax (``}``, ``@``, ``%``, ``\\input{/etc/passwd}``,
``\\write18{…}``, unbalanced braces), control characters, bidi marks, a 100 KB title and
10,000 authors. After ``citekit build``:

* ``references.bib`` holds exactly the entries it held before, parses in citekit and in
  real BibTeX (one ``\\bibitem`` per entry), and the next run changes nothing;
* no TeX command from outside survives as a command in any .bib citekit writes;
* the CSL-JSON is valid against the CSL schema, the Zotero RDF parses in rdflib with one
  item per entry, the RIS parses in rispy with one record per entry.

XML from arXiv is parsed without resolving entities: an XXE body or a billion-laughs
body is a clean one-line error for that entry, never file contents in any output.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from citekit.library import load
from tests.conftest import require_binary, require_shared
from tests.servers.arxiv import ArxivServer
from tests.servers.base import Request, Response
from tests.servers.crossref import CrossrefServer, work_message

from .harness import citekit_env, no_traceback, run_citekit, settings_file

#: CONSTRUCTED hostile strings (each is a title, a name, a venue …).
HOSTILE = [
    "Evil} @misc{pwned, title={x",
    r"\input{/etc/passwd} and \include{/etc/shadow}",
    r"\immediate\write18{rm -rf ~} \def\x{y}\x \csname end\endcsname",
    "100% pure % comment, a # hash, a ~ tilde, a ^ caret & an _ underscore",
    "{{{ unbalanced open",
    "unbalanced close }}}",
    "control \x00\x01\x07\x08\x0b\x0c\x1b[31m red \x7f and C1 \x85\x9b end",
    "bidi \u202eevil\u202c \u200f marks \u2066isolate\u2069 \ufeff bom",
    'quote " and \\ backslash } and @string{x = "y"}',
    "line\nER  - \nTY  - JOUR\nTI  - injected RIS record",
    "</dc:title><rdf:Description/> <![CDATA[ x ]]> &amp; &lt;",
]
TEX_COMMANDS = re.compile(
    r"(?<!\\)\\(input|include|write18|immediate|def|csname|openout|catcode|usepackage)\b"
)
ARXIV_BASE = 2201_10000
N_AUTHORS = 10_000
BIG = 100_000


def arxiv_hostile(server: ArxivServer) -> list[str]:
    """One arXiv paper per hostile string, a 100 KB title, and 10,000 authors."""
    ids = []
    for i, text in enumerate(HOSTILE):
        paper_id = f"2201.{10000 + i}"
        xml_safe = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)  # XML 1.0 cannot carry them
        server.add(
            paper_id,
            f"Hostile arXiv {i}: {xml_safe}",
            [f"Ann {xml_safe[:40]}", f"{xml_safe[:30]} Bob"],
            summary=xml_safe * 3,
            comment=xml_safe,
            journal_ref=xml_safe,
            primary="cs.CR",
        )
        ids.append(paper_id)
    big = "2201.20000"
    server.add(big, "Huge " + "title word " * (BIG // 11), ["Carl Long"], primary="cs.CR")
    many = "2201.20001"
    authors = [f"Given{n} Family{n}" for n in range(N_AUTHORS)]
    server.add(many, "A Paper With Ten Thousand Authors", authors, primary="cs.CR")
    return [*ids, big, many]


def crossref_hostile(server: CrossrefServer) -> list[str]:
    """One Crossref work per hostile string in every text field citekit reads."""
    dois = []
    for i, text in enumerate(HOSTILE):
        doi = f"10.5555/hostile.{i}"
        message = work_message(
            doi,
            f"Hostile work {i}: {text}",
            [(text[:50], f"Family{i}"), (f"Given{i}", text[:50]), text[:60]],
            container=text,
            issued=(2020, 5),
            page=f"1-{text[:20]}",
            volume=text[:15],
            issue=text[:10],
            publisher=text,
            subtitle=text,
            abstract=f"<jats:p>{text}</jats:p>",
        )
        server.add_message(message)
        dois.append(doi)
    many = "10.5555/hostile.many"
    people = [(f"G{n}", f"F{n}") for n in range(N_AUTHORS)]
    server.add(many, "Ten Thousand Crossref Authors", people, issued=(2021,), container="J")
    big = "10.5555/hostile.big"
    server.add(big, "Big " + "x" * BIG, [("A", "B")], issued=(2021,), container="J" * BIG)
    return [*dois, many, big]


def stub_library(ids: list[str], dois: list[str]) -> str:
    parts = [
        f"@misc{{ax{i},\n  eprint = {{{a}}},\n  archiveprefix = {{arXiv}},\n"
        f"  groups = {{Hostile/arXiv}},\n}}\n"
        for i, a in enumerate(ids)
    ]
    parts += [f"@misc{{cr{i},\n  doi = {{{d}}},\n}}\n" for i, d in enumerate(dois)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built from hostile answers (module-scoped: one build, many checks)."""
    project = tmp_path_factory.mktemp("hostile")
    with ArxivServer() as arxiv, CrossrefServer() as crossref:
        ids, dois = arxiv_hostile(arxiv), crossref_hostile(crossref)
        (project / "references.bib").write_text(stub_library(ids, dois), encoding="utf-8")
        settings_file(project, timeout=30.0)
        env = citekit_env(project, CITEKIT_ARXIV_URL=arxiv.url, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(project, "build", env=env, timeout=240)
        assert no_traceback(done.stderr), done.stderr[-3000:]
        assert done.returncode == 0, done.stderr[-3000:]
        again = run_citekit(project, "build", "--offline", env=env, timeout=240)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "requests" in again.stderr and "; 0 requests" in again.stderr
    return project


def expected_entries() -> int:
    return len(HOSTILE) * 2 + 4


def test_the_library_keeps_its_entries_and_parses(built: Path) -> None:
    records = load(built / "references.bib").records
    assert len(records) == expected_entries()
    assert "pwned" not in {r.key for r in records}
    many = [r for r in records if len(r.author) == N_AUTHORS]
    assert len(many) == 2  # both 10,000-author records kept every author
    assert any(len(r.title) > BIG // 2 for r in records)
    check = run_citekit(built, "check", "--json")
    problems = json.loads(check.stdout)["problems"]
    assert not [p for p in problems if p["kind"].startswith(("parse", "duplicate"))], problems


def test_no_control_character_and_no_tex_command_survive(built: Path) -> None:
    for name in ("references.bib", "exports/references-biblatex.bib"):
        text = (built / name).read_text(encoding="utf-8")
        assert not TEX_COMMANDS.search(text), TEX_COMMANDS.search(text)
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    titles = [r.title for r in load(built / "references.bib").records]
    assert any(r"\input{/etc/passwd}" in t for t in titles)  # kept as text, not as a command


#: A style that only reads: one line per entry with its key and BibTeX's count of names.
COUNT_BST = """ENTRY { author title } {} {}
FUNCTION {count} { "\\bibitem{" cite$ * "} " * author num.names$ int.to.str$ * write$ newline$ }
READ
ITERATE {count}
"""


def bibtex(directory: Path, text: str, style: str) -> tuple[int, str]:
    """Run real BibTeX on ``text`` with ``style``; (exit code, the .bbl)."""
    (directory / "refs.bib").write_text(text, encoding="utf-8")
    (directory / "refs.aux").write_text(
        f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n"
    )
    done = subprocess.run(
        [require_binary("bibtex"), "-terse", "refs"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode < 2, (done.stdout + done.stderr)[-3000:]  # 0 clean, 1 warnings
    return done.returncode, (directory / "refs.bbl").read_text(encoding="utf-8", errors="replace")


def test_real_bibtex_reads_every_entry_and_every_name(built: Path, tmp_path: Path) -> None:
    (tmp_path / "count.bst").write_text(COUNT_BST)
    text = (built / "references.bib").read_text(encoding="utf-8")
    _code, bbl = bibtex(tmp_path, text, "count")
    counts = dict(line.split("} ") for line in bbl.splitlines() if line.startswith("\\bibitem{"))
    assert len(counts) == expected_entries()
    assert counts["\\bibitem{ax12"] == counts["\\bibitem{cr11"] == str(N_AUTHORS)
    by_key = {r.key: len(r.author) for r in load(built / "references.bib").records}
    assert {k.removeprefix("\\bibitem{"): int(v) for k, v in counts.items()} == by_key


def test_real_bibtex_formats_the_hostile_entries_with_plain(built: Path, tmp_path: Path) -> None:
    """plain.bst on every entry but the two 10,000-author ones (BibTeX takes ~30 s on those)."""
    text = (built / "references.bib").read_text(encoding="utf-8")
    chunks = re.split(r"\n(?=@)", text)
    kept = [c for c in chunks if not re.match(r"@\w+\{(ax12|cr11),", c)]
    assert len(kept) == len(chunks) - 2
    _code, bbl = bibtex(tmp_path, "\n".join(kept), "plain")
    assert bbl.count("\\bibitem") == expected_entries() - 2
    assert "root:" not in bbl  # nothing of /etc/passwd


def test_csl_json_is_valid_against_the_schema(built: Path) -> None:
    import jsonschema

    schema = json.loads(require_shared("schema/csl-data.json").read_text(encoding="utf-8"))
    data = json.loads((built / "exports/references.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert len(data) == expected_entries()


def test_zotero_rdf_parses_with_one_item_per_entry(built: Path) -> None:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(built / "exports/zotero/library.rdf", format="xml")
    dc_title = rdflib.URIRef("http://purl.org/dc/elements/1.1/title")
    titles = {str(o) for _s, _p, o in graph.triples((None, dc_title, None))}
    assert sum(t.startswith(("Hostile arXiv", "Hostile work")) for t in titles) == 2 * len(HOSTILE)
    items = json.loads((built / "exports/zotero/items.json").read_text(encoding="utf-8"))
    assert len(items["items"]) == expected_entries()


def test_ris_parses_with_one_record_per_entry(built: Path) -> None:
    import rispy

    records = rispy.loads((built / "exports/references.ris").read_text(encoding="utf-8"))
    assert len(records) == expected_entries()
    assert not any("injected" in str(r.get("type_of_reference")) for r in records)


# -- XML attacks from arXiv -------------------------------------------------------------------
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>\n'
)


def billion_laughs() -> str:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE feed [{"".join(entities)}]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&l9;</title></feed>\n'
    )


class EvilArxiv(ArxivServer):
    body = ""

    def respond(self, request: Request) -> Response:
        return Response(200, self.body.encode(), "application/atom+xml")


@pytest.mark.parametrize("attack", ["xxe", "billion-laughs"])
def test_xml_attacks_from_arxiv_are_a_clean_error(tmp_path: Path, attack: str) -> None:
    with EvilArxiv() as arxiv, CrossrefServer() as crossref:
        arxiv.body = XXE if attack == "xxe" else billion_laughs()
        (tmp_path / "references.bib").write_text(stub_library(["2201.30000"], []))
        before = (tmp_path / "references.bib").read_bytes()
        settings_file(tmp_path, timeout=5.0)
        env = citekit_env(tmp_path, CITEKIT_ARXIV_URL=arxiv.url, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(tmp_path, "resolve", env=env, timeout=120)
    assert done.returncode == 1
    assert no_traceback(done.stderr)
    assert "ax0: error: arxiv" in done.stderr and "unreadable answer" in done.stderr
    assert "root:" not in done.stdout + done.stderr
    assert (tmp_path / "references.bib").read_bytes() == before
