"""Records for the exporter tests, built in Python (constructed, not copied).

``hub()`` holds the 11 papers of the LLM hub as citekit holds them after resolution
(facts from public arXiv/ACM/NeurIPS records, as listed in ../shared/seed-papers.json).
``torture()`` holds the hard cases: accents, CJK, particles, suffixes, organisations,
explicit case protection, LaTeX-special characters, every CSL type citekit writes.
"""

from __future__ import annotations

from citekit.model import Date, Name, Record


def names(spec: str) -> tuple[Name, ...]:
    """``"Given|Family; Given|particle|Family; =Literal"`` → Names."""
    out = []
    for part in spec.split("; "):
        if part.startswith("="):
            out.append(Name(literal=part[1:]))
            continue
        bits = part.split("|")
        if len(bits) == 3:
            out.append(Name(given=bits[0], particle=bits[1], family=bits[2]))
        elif len(bits) == 4:
            out.append(Name(given=bits[0], particle=bits[1], family=bits[2], suffix=bits[3]))
        else:
            out.append(Name(given=bits[0], family=bits[1]))
    return tuple(out)


NEURIPS = "Advances in Neural Information Processing Systems"
NEURIPS_2020_EDITORS = "H.|Larochelle; M.|Ranzato; R.|Hadsell; M. F.|Balcan; H.|Lin"
NEURIPS_2022_EDITORS = "S.|Koyejo; S.|Mohamed; A.|Agarwal; D.|Belgrave; K.|Cho; A.|Oh"


def hub() -> list[Record]:
    """The 11 hub papers, in the hub's order."""
    return [
        Record(
            key="radford2018improving",
            type="report",
            title="Improving Language Understanding by Generative Pre-Training",
            author=names("Alec|Radford; Karthik|Narasimhan; Tim|Salimans; Ilya|Sutskever"),
            issued=Date(2018),
            publisher="OpenAI",
            url="https://cdn.openai.com/research-covers/language-unsupervised/"
            "language_understanding_paper.pdf",
            collections=("LLM Hub/GPT series",),
        ),
        Record(
            key="radford2019language",
            type="report",
            title="Language Models are Unsupervised Multitask Learners",
            author=names(
                "Alec|Radford; Jeffrey|Wu; Rewon|Child; David|Luan; Dario|Amodei; Ilya|Sutskever"
            ),
            issued=Date(2019),
            publisher="OpenAI",
            url="https://cdn.openai.com/better-language-models/"
            "language_models_are_unsupervised_multitask_learners.pdf",
            collections=("LLM Hub/GPT series",),
        ),
        Record(
            key="brown2020language",
            type="paper-conference",
            title="Language Models are Few-Shot Learners",
            author=names(
                "Tom B.|Brown; Benjamin|Mann; Nick|Ryder; Melanie|Subbiah; Jared|Kaplan; "
                "Prafulla|Dhariwal; Arvind|Neelakantan; Pranav|Shyam; Girish|Sastry; "
                "Amanda|Askell; Sandhini|Agarwal; Ariel|Herbert-Voss; Gretchen|Krueger; "
                "Tom|Henighan; Rewon|Child; Aditya|Ramesh; Daniel M.|Ziegler; Jeffrey|Wu; "
                "Clemens|Winter; Christopher|Hesse; Mark|Chen; Eric|Sigler; Mateusz|Litwin; "
                "Scott|Gray; Benjamin|Chess; Jack|Clark; Christopher|Berner; Sam|McCandlish; "
                "Alec|Radford; Ilya|Sutskever; Dario|Amodei"
            ),
            editor=names(NEURIPS_2020_EDITORS),
            issued=Date(2020),
            container_title=NEURIPS,
            volume="33",
            page="1877-1901",
            publisher="Curran Associates, Inc.",
            url="https://proceedings.neurips.cc/paper/2020/hash/"
            "1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html",
            arxiv_id="2005.14165",
            arxiv_class="cs.CL",
            collections=("LLM Hub/GPT series",),
        ),
        Record(
            key="ouyang2022training",
            type="paper-conference",
            title="Training language models to follow instructions with human feedback",
            author=names(
                "Long|Ouyang; Jeff|Wu; Xu|Jiang; Diogo|Almeida; Carroll L.|Wainwright; "
                "Pamela|Mishkin; Chong|Zhang; Sandhini|Agarwal; Katarina|Slama; Alex|Ray; "
                "John|Schulman; Jacob|Hilton; Fraser|Kelton; Luke|Miller; Maddie|Simens; "
                "Amanda|Askell; Peter|Welinder; Paul|Christiano; Jan|Leike; Ryan|Lowe"
            ),
            editor=names(NEURIPS_2022_EDITORS),
            issued=Date(2022),
            container_title=NEURIPS,
            volume="35",
            page="27730-27744",
            publisher="Curran Associates, Inc.",
            arxiv_id="2203.02155",
            arxiv_class="cs.CL",
            collections=("LLM Hub/GPT series", "LLM Hub/RLHF"),
        ),
        Record(
            key="schulman2017proximal",
            type="article",
            genre="preprint",
            title="Proximal Policy Optimization Algorithms",
            author=names(
                "John|Schulman; Filip|Wolski; Prafulla|Dhariwal; Alec|Radford; Oleg|Klimov"
            ),
            issued=Date(2017, 7, 20),
            publisher="arXiv",
            number="1707.06347",
            doi="10.48550/arXiv.1707.06347",
            url="https://arxiv.org/abs/1707.06347",
            arxiv_id="1707.06347",
            arxiv_class="cs.LG",
            collections=("LLM Hub/RLHF",),
        ),
        Record(
            key="wei2022chain",
            type="paper-conference",
            title="Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
            author=names(
                "Jason|Wei; Xuezhi|Wang; Dale|Schuurmans; Maarten|Bosma; Brian|Ichter; Fei|Xia; "
                "Ed|Chi; Quoc|Le; Denny|Zhou"
            ),
            editor=names(NEURIPS_2022_EDITORS),
            issued=Date(2022),
            container_title=NEURIPS,
            volume="35",
            page="24824-24837",
            publisher="Curran Associates, Inc.",
            arxiv_id="2201.11903",
            arxiv_class="cs.CL",
            collections=("LLM Hub/Prompting and instruction tuning",),
        ),
        Record(
            key="chung2024scaling",
            type="article-journal",
            title="Scaling Instruction-Finetuned Language Models",
            author=names(
                "Hyung Won|Chung; Le|Hou; Shayne|Longpre; Barret|Zoph; Yi|Tay; William|Fedus; "
                "Yunxuan|Li; Xuezhi|Wang; Mostafa|Dehghani; Siddhartha|Brahma; Albert|Webson; "
                "Shixiang Shane|Gu; Zhuyun|Dai; Mirac|Suzgun; Xinyun|Chen; Aakanksha|Chowdhery; "
                "Alex|Castro-Ros; Marie|Pellat; Kevin|Robinson; Dasha|Valter; Sharan|Narang; "
                "Gaurav|Mishra; Adams|Yu; Vincent|Zhao; Yanping|Huang; Andrew|Dai; Hongkun|Yu; "
                "Slav|Petrov; Ed H.|Chi; Jeff|Dean; Jacob|Devlin; Adam|Roberts; Denny|Zhou; "
                "Quoc V.|Le; Jason|Wei"
            ),
            issued=Date(2024),
            container_title="Journal of Machine Learning Research",
            volume="25",
            issue="70",
            page="1-53",
            url="https://jmlr.org/papers/v25/23-0870.html",
            arxiv_id="2210.11416",
            arxiv_class="cs.LG",
            collections=("LLM Hub/Prompting and instruction tuning",),
        ),
        Record(
            key="knox2009interactively",
            type="paper-conference",
            title="Interactively Shaping Agents via Human Reinforcement: The TAMER Framework",
            author=names("W. Bradley|Knox; Peter|Stone"),
            issued=Date(2009, 9),
            container_title="Proceedings of the Fifth International Conference on "
            "Knowledge Capture",
            collection_title="K-CAP '09",
            page="9-16",
            publisher="Association for Computing Machinery",
            publisher_place="New York, NY, USA",
            isbn="9781605586588",
            doi="10.1145/1597735.1597738",
            url="https://doi.org/10.1145/1597735.1597738",
            collections=("LLM Hub/RLHF",),
        ),
        Record(
            key="knox2011augmenting",
            type="paper-conference",
            title="Augmenting Reinforcement Learning with Human Feedback",
            author=names("W. Bradley|Knox; Peter|Stone"),
            issued=Date(2011, 7),
            container_title="ICML 2011 Workshop on New Developments in Imitation Learning",
            url="https://www.cs.utexas.edu/~ai-lab/pubs/ICML_IL11-knox.pdf",
            collections=("LLM Hub/RLHF",),
        ),
        Record(
            key="openai2022chatgpt",
            type="post-weblog",
            title="ChatGPT: Optimizing Language Models for Dialogue",
            author=names("=OpenAI"),
            issued=Date(2022, 11, 30),
            container_title="OpenAI Blog",
            publisher="OpenAI",
            url="https://openai.com/blog/chatgpt/",
            collections=("LLM Hub/GPT series",),
        ),
        Record(
            key="lambert2022illustrating",
            type="post-weblog",
            title="Illustrating Reinforcement Learning from Human Feedback (RLHF)",
            author=names("Nathan|Lambert; Louis|Castricato; Leandro|von|Werra; Alex|Havrilla"),
            issued=Date(2022, 12, 9),
            container_title="Hugging Face Blog",
            publisher="Hugging Face",
            url="https://huggingface.co/blog/rlhf",
            collections=("LLM Hub/RLHF",),
        ),
    ]


def torture() -> list[Record]:
    """Hard cases for every exporter: names, scripts, markup, types, partial dates."""
    return [
        Record(
            key="muller2019uber",
            type="article-journal",
            title='Über die Größe <span class="nocase">Bayes</span>scher Netze & Co.: 50% mehr',
            author=names("Jürgen|Müller; Zoë|García Márquez; José|de la|Fuente; Kurt|Gödel"),
            issued=Date(2019, 3),
            container_title="Zeitschrift für Naturforschung A",
            volume="74",
            issue="3",
            page="201-215",
            doi="10.1515/zna-2018-0450",
            issn="0932-0784",
            language="de",
            abstract="Wir zeigen $x_1$ & {y}.",
            keywords=("Größe", "pH"),
            collections=("Torture/Names", "Torture/Scripts/Latin"),
        ),
        Record(
            key="wang2021cjk",
            type="paper-conference",
            title="大规模语言模型的研究 (A Study of Large Language Models)",
            author=names("小明|王; 太郎|山田; 민준|김"),
            issued=Date(2021, 6, 1),
            container_title="第一届会议论文集",
            event_title="ACL 2021",
            publisher_place="Bangkok, Thailand",
            page="1-10",
            collections=("Torture/Scripts/CJK",),
        ),
        Record(
            key="vanderwaals1873continuity",
            type="thesis",
            genre="PhD thesis",
            title="Over de Continuïteit van den Gas- en Vloeistoftoestand",
            author=names("Johannes Diderik|van der|Waals"),
            issued=Date(1873),
            publisher="Universiteit Leiden",
            publisher_place="Leiden",
            collections=("Torture/Names",),
        ),
        Record(
            key="king1963letter",
            type="book",
            title="Why We Can't Wait",
            author=names("Martin Luther||King|Jr."),
            editor=names("=The Estate of Martin Luther King"),
            issued=Date(1964),
            publisher="Harper & Row",
            publisher_place="New York",
            isbn="978-0-451-52753-0",
            collections=("Torture/Names",),
        ),
        Record(
            key="who2020report",
            type="report",
            genre="Technical report",
            title="Coronavirus Disease 2019 (COVID-19) Situation Report – 51",
            author=names("=World Health Organization"),
            issued=Date(2020, 3, 11),
            number="51",
            publisher="World Health Organization",
            publisher_place="Geneva",
            url="https://www.who.int/docs/sitrep-51.pdf",
            collections=("Torture/Organisations",),
        ),
        Record(
            key="hf2020transformers",
            type="software",
            title="Transformers: State-of-the-Art Natural Language Processing",
            author=names("=Hugging Face; Thomas|Wolf; Lysandre|Debut"),
            issued=Date(2020),
            publisher="GitHub",
            url="https://github.com/huggingface/transformers",
            genre="Computer software",
            collections=("Torture/Organisations",),
        ),
        Record(
            key="squad2016dataset",
            type="dataset",
            title="SQuAD: 100,000+ Questions for Machine Comprehension of Text",
            author=names("Pranav|Rajpurkar; Jian|Zhang; Konstantin|Lopyrev; Percy|Liang"),
            issued=Date(2016),
            publisher="Stanford University",
            doi="10.18653/v1/D16-1264",
            url="https://rajpurkar.github.io/SQuAD-explorer/",
            collections=("Torture/Types",),
        ),
        Record(
            key="goodfellow2016chapter",
            type="chapter",
            title="Sequence Modeling: Recurrent and Recursive Nets",
            author=names("Ian|Goodfellow; Yoshua|Bengio; Aaron|Courville"),
            editor=names("Francis|Bach"),
            issued=Date(2016),
            container_title="Deep Learning",
            page="367-415",
            publisher="MIT Press",
            publisher_place="Cambridge, MA",
            isbn="9780262035613",
            collections=("Torture/Types",),
        ),
        Record(
            key="witten1999oldarxiv",
            type="article",
            genre="preprint",
            title='An Old-Style <span class="nocase">Los Alamos</span> Identifier: hep-th/9901001',
            author=names("Edward|Witten; Jean-Pierre|Serre"),
            issued=Date(1999, 1, 4),
            publisher="arXiv",
            number="hep-th/9901001",
            arxiv_id="hep-th/9901001",
            arxiv_class="hep-th",
            collections=("Torture/Types", "Torture/Names"),
        ),
        Record(
            key="brown2020preprint",
            type="article",
            genre="preprint",
            title="Language Models are Few-Shot Learners",
            author=names("Tom B.|Brown; Benjamin|Mann; Nick|Ryder"),
            issued=Date(2020, 5, 28),
            publisher="arXiv",
            number="2005.14165",
            arxiv_id="2005.14165",
            arxiv_version="v4",
            arxiv_class="cs.CL",
            note="40+32 pages",
            collections=("Torture/Types",),
        ),
        Record(
            key="anon2023webpage",
            type="webpage",
            title="Special characters: #1 $5 100% a_b {braces} ~tilde ^caret \\backslash",
            issued=Date(2023, 2),
            accessed=Date(2024, 1, 15),
            container_title="Example Site",
            url="https://example.org/a_b?x=1&y=%20#frag",
            collections=("Torture/Types",),
        ),
        Record(
            key="undated",
            type="report",
            title='An Undated Report with an "Inner Quote" and a Semicolon; Colon',
            author=names("Ada|Lovelace; Charles|Babbage"),
            publisher="Analytical Society",
        ),
    ]


def thirty_five_authors() -> Record:
    """The hub's 35-author paper (FLAN), the longest author list."""
    return next(r for r in hub() if len(r.author) == 35)
