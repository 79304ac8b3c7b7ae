"""``citekit import-md``: a hub-like reading list, a Markdown torture set, dedup, re-imports.

``tests/data/markdown/hub-like.md`` is the repository's own stand-in for the LLM hub that
``import-md`` was built for (the hub itself is not vendored: its repository states no
licence). It has the hub's shapes: a banner image, a setext title, numbered sections with
Chinese/English headings, title-and-URL cells, title rows above URL rows with a
description row between them, invites, a stars list, a title without a link, repeats
across sections, escaped and wrapped URLs, and section 8 with the hub's eleven papers. The
expected tables below were counted by eye from it and from ``torture.md``. The real hub is
checked by ``python -m tests.hub.check_seed_import``, which ``.ci/run`` runs.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citekit.markdown.importer import plan_document, scan_markdown
from citekit.markdown.links import Link, Skip, classify, clean_title, normalize_url, unwrap_url
from citekit.markdown.plan import ImportPlan, collection_name, heading_matches
from citekit.model import Name, Record
from tests.conftest import require_binary, require_shared

DATA = Path(__file__).parent / "data" / "markdown"
HUB_LIKE = DATA / "hub-like.md"
ROOT = "LLM Reading Map"
PAPERS = f"{ROOT}/论文与网页资源"
FURTHER = f"{ROOT}/Further Reading"

# Per section: what a reader counts. Section 3 repeats two articles of section 2 (merged:
# one entry, two collections) and has one title with no URL; section 9 repeats two arXiv
# papers of section 8 (an arXiv DOI and a versioned PDF link).
LIST_TABLE = {
    ROOT: {"skipped": 1},  # the banner image
    f"{ROOT}/Chat Groups": {"skipped": 2},  # two chat-group invites
    f"{ROOT}/Getting Started/GPT-4解读": {"added": 2},
    f"{ROOT}/Getting Started/ChatGPT原理": {"added": 5},
    f"{ROOT}/Getting Started/Model Techniques": {"added": 8},
    f"{ROOT}/Market Notes": {"added": 3, "merged": 2, "skipped": 1},
    f"{ROOT}/Industry Notes": {"added": 3},
    f"{ROOT}/Model Resources/Dataset": {"added": 4},
    f"{ROOT}/Open Source Projects": {"added": 3, "skipped": 1},  # a stars list
    f"{ROOT}/GPT-4·ChatGPT问答": {"added": 4},
    PAPERS: {"added": 11, "skipped": 1},  # the invite at the end
    FURTHER: {"added": 5, "merged": 2, "skipped": 4},  # anchor, file, mailto, image
}

# Section 8, in document order: (identifier or URL, CSL type). The same eleven papers, in
# the same kinds of link, as the hub's section 8 (tests/data/hub/seed-papers.json).
LIST_PAPERS = [
    ("https://openai.com/blog/chatgpt/", "post-weblog"),
    (
        "https://cdn.openai.com/research-covers/language-unsupervised/"
        "language_understanding_paper.pdf",
        "report",
    ),
    (
        "https://cdn.openai.com/better-language-models/"
        "language_models_are_unsupervised_multitask_learners.pdf",
        "report",
    ),
    ("2005.14165", "article"),
    ("2203.02155", "article"),
    ("https://huggingface.co/blog/rlhf", "post-weblog"),
    ("https://www.cs.utexas.edu/~ai-lab/pubs/ICML_IL11-knox.pdf", "document"),
    ("https://www.cs.utexas.edu/~bradknox/papers/kcap09-knox.pdf", "document"),
    ("1707.06347", "article"),
    ("2201.11903", "article"),
    ("2210.11416", "article"),
]


def numbered(records: tuple[Record, ...], taken: set[str]) -> Iterable[Record]:
    """A stand-in key policy for the pure planner (the CLI tests use citekit.keys)."""
    return tuple(r.with_(key=f"e{len(taken) + i}") for i, r in enumerate(records))


def list_text() -> str:
    return HUB_LIKE.read_text(encoding="utf-8")


def plan_list(existing: Iterable[Record] = ()) -> ImportPlan:
    return plan_document(list_text(), tuple(existing), stem="hub", assign=numbered)


def by_collection(plan: ImportPlan) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = {}
    for item in plan.items:
        table.setdefault(item.collection, Counter())[item.status] += 1
    return {name: dict(counts) for name, counts in table.items()}


def in_collection(plan: ImportPlan, name: str) -> list[Record]:
    return [r for r in plan.records if name in r.collections]


# --- the hub-like reading list ---------------------------------------------------------------


def test_list_sections_give_the_entries_a_reader_counts() -> None:
    plan = plan_list()
    assert by_collection(plan) == LIST_TABLE
    assert plan.counts() == {"added": 48, "merged": 4, "unchanged": 0, "skipped": 10}
    assert len(plan.records) == 48
    assert len({r.key for r in plan.records}) == 48


def test_list_papers_section_has_its_eleven_items_with_the_right_kinds() -> None:
    plan = plan_list()
    papers = in_collection(plan, PAPERS)
    found = [(r.arxiv_id or r.url, r.type) for r in papers]
    assert found == LIST_PAPERS
    reports = [r for r in papers if r.type == "report"]
    assert {r.publisher for r in reports} == {"OpenAI"}
    arxiv = [r for r in papers if r.arxiv_id]
    assert all(r.is_stub and not r.url for r in arxiv)  # resolve completes them


def test_list_papers_match_the_hub_facts() -> None:
    facts = json.loads(require_shared("seed-papers.json").read_text(encoding="utf-8"))
    papers = in_collection(plan_list(), PAPERS)
    assert len(papers) == len(facts["papers"]) == 11
    by_arxiv = {r.arxiv_id: r for r in papers if r.arxiv_id}
    by_url = {normalize_url(r.url): r for r in papers if r.url}
    for paper in facts["papers"]:
        if paper["arxiv"]:
            assert paper["arxiv"]["id"] in by_arxiv, paper["id"]
        elif paper["id"] == "tamer":  # the list links the PDF, not the DOI
            pdf = by_url[
                normalize_url("https://www.cs.utexas.edu/~bradknox/papers/kcap09-knox.pdf")
            ]
            assert paper["title"].startswith(pdf.title)
        else:
            assert by_url[normalize_url(paper["url"])].title == paper["title"], paper["id"]


def test_list_keeps_chinese_titles_and_unescapes_urls() -> None:
    plan = plan_list()
    titles = {r.url: r.title for r in plan.records if r.url}
    # A Chinese label before a full-width colon stays when the rest is Chinese too.
    assert titles["https://zhuanlan.zhihu.com/p/700000001"] == (
        "阿哲：GPT-4的多模态能力与训练细节梳理（系列笔记之一）"
    )
    assert (
        titles["https://zhuanlan.zhihu.com/p/700000003"]
        == "阿哲：ChatGPT原理幻灯片：从预训练到对齐"
    )
    assert titles["https://zhuanlan.zhihu.com/p/700000010"] == "Prompt Learning：提示学习入门"
    assert titles["https://zhuanlan.zhihu.com/p/700000011"] == (
        "Chain of Thought Prompting真的让模型学会推理了吗？"
    )
    # A Chinese label in front of an English title is dropped.
    gpt1 = next(r for r in plan.records if r.url.endswith("language_understanding_paper.pdf"))
    assert gpt1.title == "Improving Language Understanding by Generative Pre-Training"
    assert not any("\\" in r.url or "link.zhihu.com" in r.url for r in plan.records)


def test_list_has_no_invite_links_and_lists_every_skip_with_its_reason() -> None:
    plan = plan_list()
    assert not any("qun.example.cn" in r.url for r in plan.records)
    skipped = Counter(i.reason for i in plan.items if i.status == "skipped")
    assert skipped == {
        "chat-group invite": 3,
        "image": 2,
        "GitHub stars list (a list of repositories, not one work)": 1,
        "a title without a link": 1,
        "not a web link: a place in this document": 1,
        "not a web link: a file beside this document": 1,
        "not a web link": 1,
    }
    orphan = next(i for i in plan.items if i.reason == "a title without a link")
    assert (orphan.line, orphan.text) == (59, "生成式AI会重塑哪些行业（演讲稿）")


def test_list_title_rows_above_url_rows() -> None:
    records = {r.url: r for r in plan_list().records if r.url}
    mnbvc = records["https://github.com/esbatmop/MNBVC"]
    assert (mnbvc.type, mnbvc.title, mnbvc.author) == (
        "dataset",
        "MNBVC",
        (Name(literal="esbatmop"),),
    )
    assert mnbvc.abstract.startswith("社区收集的超大规模中文语料")
    wudao = records["https://data.baai.ac.cn/details/WuDaoCorporaText"]
    assert (wudao.type, wudao.title) == ("dataset", "WuDaoCorporaText")
    assert wudao.abstract.startswith("悟道文本语料")
    c4 = records["https://huggingface.co/datasets/allenai/c4"]  # a dataset host, one row
    assert (c4.type, c4.title) == ("dataset", "C4：T5预训练使用的英文网页语料")
    neo = records["https://github.com/EleutherAI/gpt-neo"]
    assert (neo.type, neo.title, neo.author) == (
        "software",
        "gpt-neo",
        (Name(literal="EleutherAI"),),
    )
    market = next(r for r in records.values() if "market%20map" in r.url)
    assert (market.type, market.title) == ("document", "大模型市场地图")


def test_list_links_of_every_kind_become_the_right_stubs() -> None:
    records = plan_list().records
    by_id = {r.doi or r.url: r for r in records if not r.arxiv_id}
    assert by_id["10.1145/1597735.1597738"].type == "article-journal"  # a DOI link: a stub
    assert by_id["10.1145/1597735.1597738"].is_stub
    openreview = by_id["https://openreview.net/forum?id=_VjQlMeSB_J"]
    assert (openreview.type, openreview.title) == (
        "webpage",
        "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
    )
    proceedings = next(r for r in records if "proceedings.neurips.cc" in r.url)
    assert (proceedings.type, proceedings.title) == ("webpage", "InstructGPT at NeurIPS 2022")
    # A repository's subfolder is the repository; a Q&A page is a web page, not a blog post.
    ppo = by_id["https://github.com/DLR-RM/stable-baselines3"]
    assert (ppo.type, ppo.title, ppo.author) == (
        "software",
        "stable-baselines3",
        (Name(literal="DLR-RM"),),
    )
    crowd = by_id["https://www.zhihu.com/question/600000002/answer/3000000002"]
    assert (crowd.type, crowd.title) == (
        "webpage",
        "哪些岗位会被大模型改变？哪些人群需要提前规划？",
    )
    post = by_id["https://zhuanlan.zhihu.com/p/700000013"]
    assert (post.type, post.container_title) == ("post-weblog", "知乎专栏")
    types = Counter(r.type for r in records)
    assert types == {
        "post-weblog": 20,
        "webpage": 8,
        "article": 5,
        "report": 2,
        "document": 4,
        "dataset": 4,
        "software": 4,
        "article-journal": 1,
    }


def test_a_link_under_two_headings_is_one_entry_in_two_collections() -> None:
    plan = plan_list()
    records = {r.url: r for r in plan.records if r.url}
    assert records["https://zhuanlan.zhihu.com/p/700000002"].collections == (
        f"{ROOT}/Getting Started/ChatGPT原理",
        f"{ROOT}/Market Notes",
    )
    arxiv = {r.arxiv_id: r for r in plan.records if r.arxiv_id}
    assert arxiv["2203.02155"].collections == (PAPERS, FURTHER)  # abs link, then arXiv DOI
    assert arxiv["2005.14165"].collections == (PAPERS, FURTHER)  # abs link, then v4 PDF
    assert arxiv["2005.14165"].arxiv_version == ""  # the first mention named no version


def test_second_import_changes_nothing() -> None:
    first = plan_list()
    second = plan_list(first.records)
    assert not second.changed
    assert second.counts() == {"added": 0, "merged": 0, "unchanged": 52, "skipped": 10}


def test_import_merges_into_existing_entries_without_touching_their_fields() -> None:
    gpt3 = Record(
        key="brown2020language",
        type="article",
        title="Language Models are Few-Shot Learners",
        arxiv_id="2005.14165",
        collections=("LLM Hub/GPT series",),
    )
    instruct = Record(key="ouyang2022training", doi="10.48550/arXiv.2203.02155")
    blog = Record(key="openai2022chatgpt", type="webpage", url="http://openai.com/blog/chatgpt")
    plan = plan_list([gpt3, instruct, blog])
    changed = {r.key: r for r in plan.records}
    assert changed["brown2020language"] == gpt3.with_(
        collections=("LLM Hub/GPT series", PAPERS, FURTHER)
    )
    assert changed["ouyang2022training"].collections == (PAPERS, FURTHER)
    assert changed["openai2022chatgpt"].collections == (PAPERS,)
    assert plan.counts()["merged"] == 7  # five links here, two within the list
    assert [r.key for r in plan.records if r.arxiv_id == "2005.14165"] == ["brown2020language"]


def test_section_option_keeps_one_section() -> None:
    plan = plan_document(list_text(), (), stem="hub", assign=numbered, section="8")
    assert {i.collection for i in plan.items} == {PAPERS}
    assert plan.counts()["added"] == 11
    sub = plan_document(
        list_text(), (), stem="hub", assign=numbered, section="getting started/ChatGPT原理"
    )
    assert sub.counts()["added"] == 5
    assert {i.collection for i in sub.items} == {f"{ROOT}/Getting Started/ChatGPT原理"}


def test_section_that_matches_no_heading_is_an_error() -> None:
    from citekit.errors import CitekitError

    with pytest.raises(CitekitError, match="no heading matches 'Nope'"):
        plan_document(list_text(), (), stem="hub", assign=numbered, section="Nope")


# --- the torture set -------------------------------------------------------------------------


def plan_torture(existing: Iterable[Record] = ()) -> ImportPlan:
    text = (DATA / "torture.md").read_text(encoding="utf-8")
    return plan_document(text, tuple(existing), stem="torture", assign=numbered)


def test_torture_set_entries_and_collections() -> None:
    plan = plan_torture()
    got = {(r.arxiv_id or r.doi or r.url): (r.type, r.collections) for r in plan.records}
    papers, blogs, tools, again = (
        f"Reading List/{s}" for s in ("Papers", "Blogs", "Tools", "重复 (Again)")
    )
    assert got == {
        "1706.03762": ("article", (papers, again)),  # list item with a link title
        "1810.04805": ("article", (papers,)),  # reference-style, in a nested list
        "10.18653/v1/n19-1423": ("article-journal", (papers,)),  # autolink, nested deeper
        "2005.14165": ("article", (papers, tools)),  # bare URL + a table cell link
        "2203.02155": ("article", (papers,)),  # an arXiv DOI is the arXiv id
        "https://jalammar.github.io/illustrated-transformer/": ("post-weblog", (blogs,)),
        "https://openai.com/blog/chatgpt/": ("post-weblog", (blogs, again)),
        "https://github.com/huggingface/transformers": ("software", (tools,)),
        "https://www.cs.utexas.edu/~bradknox/papers/kcap_09-knox.pdf": ("document", (again,)),
    }


def test_torture_set_never_imports_code() -> None:
    plan = plan_torture()
    assert not any("example.com/code" in i.url or "in-a-fenced" in i.url for i in plan.items)
    assert not any("indented-code" in i.url for i in plan.items)


def test_torture_set_titles_skips_and_versions() -> None:
    plan = plan_torture()
    records = {r.arxiv_id or r.url: r for r in plan.records}
    assert records["https://jalammar.github.io/illustrated-transformer/"].title == (
        "The Illustrated Transformer"
    )
    assert records["1706.03762"].arxiv_version == "v5"  # the first mention named v5
    assert records["2005.14165"].arxiv_version == "v4"  # trailing "." not in the URL
    reasons = sorted(i.reason for i in plan.items if i.status == "skipped")
    assert reasons == [
        "GitHub stars list (a list of repositories, not one work)",
        "a title without a link",  # the table row whose only URL is in a code span
        "chat-group invite",
        "image",
        "image",
    ]
    statuses = Counter(i.status for i in plan.items)
    assert statuses == {"added": 9, "merged": 3, "unchanged": 2, "skipped": 5}


def test_torture_set_second_import_changes_nothing() -> None:
    first = plan_torture()
    assert not plan_torture(first.records).changed


# --- scanning and classification on their own ------------------------------------------------


def test_scan_reports_lines_and_heading_paths() -> None:
    doc = scan_markdown(
        "# T\n\n## A\n\nsee https://example.org/x\n\n### B\n\n[y](https://e.org/y)\n"
    )
    assert doc.title == "T"
    assert [(f.line, f.path, f.link.url) for f in doc.found] == [
        (5, ("A",), "https://example.org/x"),
        (9, ("A", "B"), "https://e.org/y"),
    ]


def test_without_a_single_title_h1_the_h1s_are_levels() -> None:
    doc = scan_markdown("# One\n[a](https://a.org)\n# Two\n[b](https://b.org)\n")
    assert doc.title == ""
    assert [f.path for f in doc.found] == [("One",), ("Two",)]
    plan = plan_document("# One\n[a](https://a.org/p)\n# Two\n", (), stem="list", assign=numbered)
    assert plan.records[0].collections == ("list/One",)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://link.zhihu.com/?target=https%3A//cdn.openai.com/a_b.pdf",
            "https://cdn.openai.com/a_b.pdf",
        ),
        ("https://www.google.com/url?q=https://arxiv.org/abs/1&sa=D", "https://arxiv.org/abs/1"),
        ("https://example.org/?target=https://x.org", "https://example.org/?target=https://x.org"),
    ],
)
def test_unwrap_url(url: str, expected: str) -> None:
    assert unwrap_url(url) == expected


def test_normalize_url_ignores_what_does_not_name_a_different_page() -> None:
    same = {
        normalize_url(u)
        for u in (
            "https://openai.com/blog/chatgpt/",
            "http://www.openai.com/blog/chatgpt",
            "HTTPS://OpenAI.com/blog/chatgpt#top",
            "https://openai.com/blog/chatgpt?utm_source=x",
            "https://link.zhihu.com/?target=https%3A//openai.com/blog/chatgpt",
        )
    }
    assert same == {"https://openai.com/blog/chatgpt"}
    assert normalize_url("https://a.org/x?id=1") != normalize_url("https://a.org/x?id=2")
    assert normalize_url("https://a.org/a%20b") == normalize_url("https://a.org/a b")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("GPT-1 论文：Improving Language Understanding", "Improving Language Understanding"),
        ("思维链： Chain-of-Thought Prompting", "Chain-of-Thought Prompting"),
        ("陈巍：GPT-4大模型硬核解读", "陈巍：GPT-4大模型硬核解读"),
        ("ChatGPT: Optimizing Language Models", "ChatGPT: Optimizing Language Models"),
        ("  Title\n  over lines - ", "Title over lines"),
    ],
)
def test_clean_title(text: str, title: str) -> None:
    assert clean_title(text) == title


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (Link("https://arxiv.org/abs/2005.14165v4"), ("article", "", "")),
        (Link("https://doi.org/10.1145/1597735.1597738"), ("article-journal", "", "")),
        (Link("https://github.com/openai/gpt-2", "GPT-2 code"), ("software", "gpt-2", "openai")),
        (Link("https://github.com/openai/gpt-2/tree/master/src"), ("software", "gpt-2", "openai")),
        (Link("https://github.com/o/r/issues/3", "Bug"), ("webpage", "Bug", "")),
        (Link("https://huggingface.co/datasets/o/d", "D"), ("dataset", "D", "")),
        (Link("https://github.com/o/r", "r", hints=("数据集",)), ("dataset", "r", "o")),
        (Link("https://mp.weixin.qq.com/s/x", "标题"), ("post-weblog", "标题", "")),
        (Link("https://example.org/page", "A page"), ("webpage", "A page", "")),
        (Link("https://example.org/some-page.html"), ("webpage", "some-page", "")),
    ],
)
def test_classify_kinds(link: Link, expected: tuple[str, str, str]) -> None:
    record = classify(link)
    assert isinstance(record, Record)
    owner = record.author[0].literal if record.author else ""
    assert (record.type, record.title, owner) == expected


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        (Link("https://x.org/a.PNG"), "image"),
        (Link("https://x.org/a", image=True), "image"),
        (Link("https://discord.gg/abc"), "chat-group invite"),
        (Link("http://c.nxw.so/cgpt", "技术讨论群"), "chat-group invite"),
        (Link("https://github.com/stars/u/lists/l"), "GitHub stars list"),
        (Link("mailto:a@b.org"), "not a web link"),
        (Link("#local-anchor"), "not a web link: a place in this document"),
        (Link("docs/setup.md"), "not a web link: a file beside this document"),
        (Link(""), "a title without a link"),
    ],
)
def test_classify_skips(link: Link, reason: str) -> None:
    skipped = classify(link)
    assert isinstance(skipped, Skip)
    assert skipped.reason.startswith(reason)


def test_crowd_is_not_a_group() -> None:
    # 人群 ("a crowd") contains 群 ("group") but is no invite.
    link = Link("https://www.zhihu.com/question/1", "哪些人群的职业规划需要转变？")
    assert isinstance(classify(link), Record)


def test_collection_names() -> None:
    assert collection_name("Hub", ["2.  Tech Guide(技术入门)", "2.2  ChatGPT技术报告"]) == (
        "Hub/Tech Guide/ChatGPT技术报告"
    )
    assert collection_name("", ["A/B, C", "{x}"]) == "A - B - C/x"
    assert heading_matches("2.2", ["2.  Tech Guide(技术入门)", "2.2  ChatGPT技术报告"])
    assert heading_matches("Tech Guide", ["2.  Tech Guide(技术入门)", "2.2  ChatGPT技术报告"])
    assert not heading_matches("ChatGPT", ["2.  Tech Guide(技术入门)", "2.2  ChatGPT技术报告"])


# --- the command -----------------------------------------------------------------------------


def run_cli(*args: str) -> Any:
    from click.testing import CliRunner

    from citekit.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_imports_the_list_and_a_second_import_is_byte_identical(workdir: Path) -> None:
    bib = workdir / "references.bib"
    hub = str(HUB_LIKE)
    first = run_cli("--bib", str(bib), "import-md", hub)
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines() == [
        "citekit: import-md: 48 added, 4 merged, 0 unchanged, 10 skipped",
        f"citekit: created {bib}: it did not exist",  # #12 item 11: it says so
    ]
    assert "skipped  line 158: chat-group invite: http://qun.example.cn/paper" in first.stdout
    written, mtime = bib.read_bytes(), bib.stat().st_mtime_ns
    second = run_cli("--bib", str(bib), "import-md", hub)
    assert second.exit_code == 0, second.output
    assert second.stderr.strip() == (
        "citekit: import-md: 0 added, 0 merged, 52 unchanged, 10 skipped"
    )
    assert bib.read_bytes() == written
    assert bib.stat().st_mtime_ns == mtime


def test_cli_library_entries_are_ascii_keyed_and_complete(workdir: Path) -> None:
    from citekit.library import load

    bib = workdir / "references.bib"
    assert run_cli("--bib", str(bib), "import-md", str(HUB_LIKE)).exit_code == 0
    records = load(bib).records
    assert len(records) == 48
    # Generated keys are [a-z0-9]; the identifier-only stubs' are provisional
    # (keys.provisional_key): five arXiv papers and one DOI.
    generated = [r.key for r in records if not r.key.startswith(("arXiv:", "doi:"))]
    assert all(k.isascii() and k.isalnum() for k in generated)
    assert len(set(generated)) == len(generated) == 42
    provisional = {r.key for r in records if r.key not in generated}
    assert provisional == {f"arXiv:{r.arxiv_id}" for r in records if r.arxiv_id} | {
        "doi:10.1145/1597735.1597738"
    }
    titles = {r.title for r in records}
    assert "阿哲：ChatGPT原理幻灯片：从预训练到对齐" in titles
    assert sum(1 for r in records if r.arxiv_id) == 5


def test_cli_dry_run_writes_nothing_and_json_reports_every_link(workdir: Path) -> None:
    bib = workdir / "references.bib"
    result = run_cli(
        "--bib", str(bib), "import-md", "--dry-run", "--json", str(DATA / "torture.md")
    )
    assert result.exit_code == 0, result.output
    assert not bib.exists()
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["written"] is False
    assert report["counts"] == {"added": 9, "merged": 3, "unchanged": 2, "skipped": 5}
    assert len(report["items"]) == 19
    assert all(i["reason"] for i in report["items"] if i["status"] == "skipped")
    assert all(i["key"] for i in report["items"] if i["status"] != "skipped")
    assert result.stderr.strip().endswith("(dry run: nothing written)")


def test_cli_merges_into_a_hand_written_library_and_keeps_the_rest(workdir: Path) -> None:
    bib = workdir / "references.bib"
    original = (
        "@comment{my own notes, kept as they are}\n\n"
        "@misc{brown2020language,\n"
        "  eprint = {2005.14165},\n"
        "  archiveprefix = {arXiv},\n"
        "  groups = {LLM Hub/GPT series},\n"
        "}\n"
    )
    bib.write_text(original, encoding="utf-8")
    result = run_cli("--bib", str(bib), "import-md", "--section", "8", str(HUB_LIKE))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "citekit: import-md: 10 added, 1 merged, 0 unchanged, 1 skipped"
    text = bib.read_text(encoding="utf-8")
    assert text.startswith("@comment{my own notes, kept as they are}\n")
    assert f"LLM Hub/GPT series, {PAPERS}" in text
    assert text.count("2005.14165") == 1


def test_cli_errors_are_one_line(workdir: Path) -> None:
    hub = str(HUB_LIKE)
    result = run_cli("import-md", "--section", "Nope", hub)
    assert result.exit_code == 1
    assert result.stderr.startswith("citekit: no heading matches 'Nope'; headings are: ")
    assert len(result.stderr.strip().splitlines()) == 1
    latin1 = workdir / "latin1.md"
    latin1.write_bytes(b"# Caf\xe9\n")
    result = run_cli("import-md", str(latin1))
    assert result.exit_code == 1
    assert "is not UTF-8" in result.stderr
    assert not (workdir / "references.bib").exists()


def test_cli_help() -> None:
    result = run_cli("import-md", "--help")
    assert result.exit_code == 0
    for option in ("--section", "--root", "--dry-run", "--json"):
        assert option in result.output


def test_a_linked_heading_is_an_entry_under_itself() -> None:
    doc = scan_markdown("# Hub\n\n## [BERT](https://arxiv.org/abs/1810.04805)\n\ntext\n")
    assert [(f.line, f.path, f.link.url) for f in doc.found] == [
        (3, ("BERT",), "https://arxiv.org/abs/1810.04805")
    ]


def test_bare_urls_are_percent_encoded_like_link_destinations() -> None:
    doc = scan_markdown('see https://e.org/a}b{c and <a href="https://x.org/a b">x</a>\n')
    assert [f.link.url for f in doc.found] == ["https://e.org/a%7Db%7Bc", "https://x.org/a%20b"]


PIECES = [
    *"[]()<>`*_\\|#-: \n!hps/.x中文",
    "https://",
    "http://a.b/",
    "| --- |\n",
    '<a href="',
    '">',
]


@settings(max_examples=300, deadline=None)
@example("https://[:http://a.b/ and http://a.b:port/")  # urlsplit raises ValueError on these
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_any_text_scans_and_classifies_without_error(text: str) -> None:
    plan = plan_document(text, (), stem="fuzz", assign=numbered)
    again = plan_document(text, plan.records, stem="fuzz", assign=numbered)
    assert not again.changed  # whatever was imported is recognised the second time
    for record in plan.records:
        assert record.arxiv_id or record.doi or record.url.startswith(("http://", "https://"))


# --- real consumers --------------------------------------------------------------------------

# Every warning the consumers give on a freshly imported hub-like list, and why it is expected:
# stubs have no author or year until `citekit resolve` (arXiv ids carry no title either, and
# the DOI-only stub, an @article, no title or journal);
# `groups` is JabRef's field, outside biblatex's data model; the BibTeX writer puts a blog's
# name in `journal`, which biblatex does not define for @misc.
# Stubs with only an arXiv id have provisional keys such as `arXiv:2005.14165`.
BIBTEX_WARNINGS = re.compile(
    r"^Warning--(to sort, need author or key|empty (author|year|title|journal)) in [\w.:/-]+$"
)
BIBER_WARNINGS = re.compile(
    r"^WARN - Datamodel: Entry '[\w.:/-]+' \(references\.bib\): ("
    r"Field 'groups' invalid in data model - ignoring"
    r"|Missing mandatory field - one of 'date, year' must be defined"
    r"|Missing mandatory field '(author|title|journaltitle)'"
    r"|Invalid field 'journaltitle' for entrytype 'misc')$"
)


def imported_list(workdir: Path) -> Path:
    bib = workdir / "references.bib"
    result = run_cli("--bib", str(bib), "import-md", str(HUB_LIKE))
    assert result.exit_code == 0, result.output
    return bib


@pytest.mark.consumer
def test_imported_list_passes_bibtex(workdir: Path) -> None:
    bibtex = require_binary("bibtex")
    imported_list(workdir)
    (workdir / "refs.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{references}\n")
    done = subprocess.run([bibtex, "-terse", "refs"], cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    log = (workdir / "refs.blg").read_text(encoding="utf-8", errors="replace")
    assert "error message" not in log
    warnings = [line for line in log.splitlines() if line.startswith("Warning--")]
    assert [w for w in warnings if not BIBTEX_WARNINGS.match(w)] == []
    assert (workdir / "refs.bbl").read_text(encoding="utf-8").count("\\bibitem") == 48


@pytest.mark.consumer
def test_imported_list_passes_biber(workdir: Path) -> None:
    biber = require_binary("biber")
    imported_list(workdir)
    command = [biber, "--tool", "--validate-datamodel", "--nolog", "-O", "out.bib"]
    done = subprocess.run([*command, "references.bib"], cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("ERROR")] == []
    unexplained = [w for w in lines if w.startswith("WARN") and not BIBER_WARNINGS.match(w)]
    assert unexplained == []
    assert (workdir / "out.bib").read_text(encoding="utf-8").count("@") >= 48


def test_a_pdf_link_names_a_library_paper_by_its_title() -> None:
    tamer = Record(
        key="knox2009interactively",
        type="paper-conference",
        title="Interactively Shaping Agents via Human Reinforcement: The TAMER Framework",
        doi="10.1145/1597735.1597738",
    )
    plan = plan_list([tamer])
    item = next(i for i in plan.items if "kcap09" in i.url)
    assert (item.status, item.key, item.reason) == (
        "merged",
        "knox2009interactively",
        "same title as an entry there",
    )
    assert not any("kcap09" in r.url for r in plan.records)


def test_web_pages_never_match_by_title() -> None:
    text = (
        "# Q\n\n"
        "- Why is the sky blue today? https://www.zhihu.com/question/1/answer/1\n"
        "- Why is the sky blue today? https://www.zhihu.com/question/1/answer/2\n"
    )
    paper = Record(key="p", type="article-journal", title="Why is the sky blue today?")
    plan = plan_document(text, (paper,), stem="q", assign=numbered)
    assert plan.counts()["added"] == 2


def test_check_on_the_imported_list_names_only_what_resolve_and_the_user_complete(
    workdir: Path,
) -> None:
    bib = imported_list(workdir)
    result = run_cli("--bib", str(bib), "check", "--json")
    report = json.loads(result.stdout)
    assert report["entries"] == 48
    problems = Counter((p["kind"], p["message"].split(":")[0]) for p in report["problems"])
    # No duplicate, parse or key problem: the arXiv and DOI stubs wait for `citekit resolve`,
    # and the two OpenAI reports need their authors and year, which neither the list nor a
    # source has.
    assert problems == {
        ("stub", "stub for arXiv"): 5,
        ("stub", "stub for 10.1145/1597735.1597738"): 1,
        ("missing-field", "missing author, year"): 2,
    }
    assert {p["key"] for p in report["problems"] if p["kind"] == "missing-field"} == {
        r.key for r in load_records(bib) if r.type == "report"
    }


def load_records(bib: Path) -> tuple[Record, ...]:
    from citekit.library import load

    return load(bib).records


def test_list_papers_section_merges_into_the_resolved_library_which_still_passes_check(
    workdir: Path,
) -> None:
    resolved = Path(__file__).resolve().parent.parent / "references.bib"
    bib = workdir / "references.bib"
    bib.write_bytes(resolved.read_bytes())
    hub = str(HUB_LIKE)
    result = run_cli("--bib", str(bib), "import-md", "--section", "8", hub)
    assert result.exit_code == 0, result.output
    # Every paper is already there (by arXiv id, URL, or TAMER's title): only groups change.
    assert result.stderr.strip() == "citekit: import-md: 0 added, 11 merged, 0 unchanged, 1 skipped"
    before = resolved.read_text(encoding="utf-8").splitlines()
    after = bib.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 11
    assert all(b == f"{a[:-2]}, {PAPERS}}}," for a, b in changed)
    check = run_cli("--bib", str(bib), "check")
    assert check.exit_code == 0, check.output
    written = bib.read_bytes()
    assert run_cli("--bib", str(bib), "import-md", "--section", "8", hub).exit_code == 0
    assert bib.read_bytes() == written


def test_front_matter_is_not_a_heading() -> None:
    text = (
        "---\ntitle: Notes\nsource: https://example.org/meta\n---\n\n# List\n\n<https://a.org/x>\n"
    )
    doc = scan_markdown(text)
    assert doc.title == "List"
    assert [(f.line, f.link.url) for f in doc.found] == [(8, "https://a.org/x")]


def test_badges_are_images_and_www_needs_a_word_boundary() -> None:
    text = (
        "[![CI](https://img.shields.io/ci.svg)](https://ci.example.org/build) "
        "[![logo](https://x.org/l.png) The Project](https://project.org)\n\n"
        "mirror at www.example.org/p, not at foo.www.bar.org\n\n"
        "链接https://zhuanlan.zhihu.com/p/1，完\n"
    )
    doc = scan_markdown(text)
    links = [(f.link.url, f.link.image, f.link.text) for f in doc.found]
    assert links == [
        ("https://ci.example.org/build", True, ""),
        ("https://project.org", False, "The Project"),
        ("https://www.example.org/p", False, "mirror at"),
        ("https://zhuanlan.zhihu.com/p/1", False, "链接"),
    ]
    assert isinstance(classify(doc.found[0].link), Skip)


def test_generic_link_texts_give_way_to_the_line() -> None:
    text = (
        "- **GPT-3**: Language Models are Few-Shot Learners. [[paper]](https://x.org/gpt3.pdf)"
        " [[blog]](https://openai.com/blog/gpt-3) [code](https://github.com/openai/gpt-3)\n"
    )
    plan = plan_document(text, (), stem="l", assign=numbered)
    titles = [(r.type, r.title) for r in plan.records]
    assert titles == [
        ("document", "GPT-3: Language Models are Few-Shot Learners"),
        ("post-weblog", "GPT-3: Language Models are Few-Shot Learners"),
        ("software", "gpt-3"),
    ]
