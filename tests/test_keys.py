"""Citation keys: the default pattern, transliteration, collisions by identifier, pinning."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citekit.errors import ConfigError
from citekit.keys import assign_keys, make_key
from citekit.model import Date, Name, Record


def _rec(family: str, year: int | None, title: str, **kw: object) -> Record:
    issued = Date(year) if year else None
    return Record(title=title, author=(Name(family=family, given="X"),), issued=issued, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "key"),
    [
        (_rec("Brown", 2020, "Language Models are Few-Shot Learners"), "brown2020language"),
        (_rec("Radford", 2018, "Improving Language Understanding"), "radford2018improving"),
        (_rec("Müller", 2019, "Über die Größe"), "muller2019uber"),
        (_rec("王", 2021, "大规模语言模型的研究"), "wang2021dagui"),
        (_rec("山田", 2020, "The Study"), "shantian2020study"),
        (_rec("Ouyang", 2022, "On the {Training} of Models"), "ouyang2022training"),
        (
            _rec(
                "Werra",
                2022,
                "A Title",
            ),
            "werra2022title",
        ),
        (
            Record(
                title="GPT-4 Technical Report", author=(Name(literal="OpenAI"),), issued=Date(2023)
            ),
            "openai2023gpt4",
        ),
        (_rec("O'Neil", None, "Weapons of Math Destruction"), "oneilweapons"),
    ],
)
def test_make_key(record: Record, key: str) -> None:
    assert make_key(record) == key


@pytest.mark.parametrize(
    ("title", "word"),
    [
        # A Latin word run together with CJK is a word of its own (script boundary).
        ("OpenAI的AGI语言智能演进之路：GPT1到ChatGPT", "openai"),
        ("ChatGPT的技术演进路线与应用展望", "chatgpt"),
        ("PARL框架下简单入门 Proximal Policy Optimization (PPO)", "parl"),
        ("Transformer模型详解", "transformer"),
        # A CJK run gives its first two characters; CJK punctuation separates words.
        ("有了Chain of Thought Prompting，大模型能做逻辑推理吗？", "youle"),
        ("【强化学习 229】ChatGPT/InstructGPT", "qianghua"),
        ("陈巍：ChatGPT报告：技术详解和产业未来", "chenwei"),
        ("「言語モデル」の研究", "yanyu"),
        ("대규모 언어 모델", "daegyu"),
        # Run-together Latin text gives at most 20 characters.
        ("Supercalifragilisticexpialidocious Models", "supercalifragilistic"),
        ("WuDaoCorporaText", "wudaocorporatext"),
    ],
)
def test_title_word_of_cjk_and_run_together_titles(title: str, word: str) -> None:
    assert make_key(_rec("Li", 2023, title)) == f"li2023{word}"


def test_shorttitle_words_are_each_capped() -> None:
    record = _rec("Li", 2023, "Donaudampfschifffahrtsgesellschaft 之 研究方法与实践")
    assert make_key(record, "{shorttitle}") == "donaudampfschifffahrzhiyanjiu"


def test_a_long_key_already_written_is_pinned() -> None:
    old = _rec("X", None, "OpenAI的AGI语言智能演进之路", key="openaideagiyuyanzhinengyanjinzhilu")
    (out,) = assign_keys([old])
    assert out.key == "openaideagiyuyanzhinengyanjinzhilu"


@given(st.text(max_size=80))
def test_the_title_part_is_never_longer_than_20(title: str) -> None:
    key = make_key(_rec("x", 2000, title))
    assert key.startswith("x2000") and len(key) <= len("x2000") + 20


def test_pattern_is_configurable_and_checked() -> None:
    record = _rec("Brown", 2020, "Language Models are Few-Shot Learners")
    assert make_key(record, "{family}_{year}") == "brown2020"  # only [a-z0-9] survive
    assert make_key(record, "{year}{family}{shorttitle}") == "2020brownlanguagemodelsfewshot"
    with pytest.raises(ConfigError, match="unknown placeholder"):
        make_key(record, "{author}{year}")


def test_a_record_without_metadata_still_gets_an_ascii_key() -> None:
    # Provisional keys (tests/test_provisional_keys.py) for a record with an identifier.
    assert make_key(Record(arxiv_id="2005.14165")) == "arXiv:2005.14165"
    assert make_key(Record(issued=Date(2020), url="https://x.org/a")) == "anon2020httpsxorga"
    assert make_key(Record()) == "anon"


def test_pinned_keys_are_never_renamed() -> None:
    pinned = _rec("Brown", 2020, "Language Models", key="myOwnKey")
    fixed = pinned.with_(title="Completely Different Title", issued=Date(1999))
    (out,) = assign_keys([fixed], taken=["myownkey"])
    assert out.key == "myOwnKey"


def test_collisions_get_suffixes_ordered_by_identifier_not_by_arrival() -> None:
    a = _rec("Brown", 2020, "Language Models", doi="10.1000/b")
    b = _rec("Brown", 2020, "Language Models", doi="10.1000/a")
    c = _rec("Brown", 2020, "Language Models", arxiv_id="2005.14165")
    results = set()
    for order in itertools.permutations([a, b, c]):
        named = assign_keys(order)
        results.add(tuple(sorted((r.doi or r.arxiv_id, r.key) for r in named)))
    assert results == {
        (
            ("10.1000/a", "brown2020language"),
            ("10.1000/b", "brown2020languagea"),
            ("2005.14165", "brown2020languageb"),
        )
    }


def test_taken_keys_are_skipped_case_insensitively() -> None:
    new = _rec("Brown", 2020, "Language Models")
    (out,) = assign_keys([new], taken=["Brown2020Language", "brown2020languagea"])
    assert out.key == "brown2020languageb"


def test_a_new_entry_does_not_rename_existing_ones() -> None:
    old = assign_keys([_rec("Brown", 2020, "Language Models", doi="10.1000/z")])
    newer = _rec("Brown", 2020, "Language Models", doi="10.1000/a")  # sorts first by DOI
    out = assign_keys([*old, newer])
    assert out[0].key == "brown2020language"
    assert out[1].key == "brown2020languagea"


@given(st.text(max_size=30), st.text(max_size=30), st.integers(1000, 2100))
def test_keys_are_lower_case_ascii(family: str, title: str, year: int) -> None:
    key = make_key(_rec(family or "x", year, title))
    assert key and key.isascii() and key == key.lower()
    assert all(ch.isalnum() for ch in key)
