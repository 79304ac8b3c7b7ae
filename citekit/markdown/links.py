"""What a link in a resource list points at, as a stub Record, or why it is skipped (pure).

:func:`classify` turns one :class:`Link` (a URL plus the text a reader sees next to it)
into a stub :class:`~citekit.model.Record` without key or collections, or a :class:`Skip`
naming the reason. No network: everything is decided from the URL and the text.

============================================  ==========================================
link                                          stub
============================================  ==========================================
arxiv.org/abs|pdf/ID, doi.org/10.48550/…      ``article`` with ``arxiv_id`` (no title:
                                              ``citekit resolve`` fills it)
doi.org/DOI                                   DOI-only stub
cdn.openai.com/….pdf                          ``report``, publisher OpenAI
a dataset (MNBVC, WuDaoCorpora, CLUECorpus…)  ``dataset``
github.com/OWNER/REPO                         ``software``: title REPO, author OWNER
other .pdf files                              ``document``
blog hosts (zhuanlan.zhihu.com, weixin, …)    ``post-weblog`` with the blog's name
any other web page                            ``webpage``
images, chat-group invites, stars lists       skipped, with the reason
============================================  ==========================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit, urlunsplit

from ..identifiers import parse_identifier
from ..model import Name, Record

__all__ = [
    "Link",
    "Skip",
    "classify",
    "clean_title",
    "normalize_url",
    "unwrap_url",
]


@dataclass(frozen=True, slots=True)
class Link:
    """One link as a reader sees it.

    ``text`` is the title candidate (the link text, the text before a bare URL, or the
    neighbouring cell); ``context`` the rest of its line or table row; ``note`` lines that
    describe it (the hub's dataset rows); ``hints`` the names of the headings above it.
    """

    url: str
    text: str = ""
    context: str = ""
    note: str = ""
    image: bool = False
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skip:
    """A link that becomes no entry, and why."""

    reason: str


# Redirect wrappers: host -> the query parameter holding the real target.
_WRAPPERS = {
    "link.zhihu.com": "target",
    "link.juejin.cn": "target",
    "link.csdn.net": "target",
    "www.google.com": "q",
    "google.com": "q",
    "l.facebook.com": "u",
    "t.umblr.com": "z",
}
_IMAGE_EXT = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp|ico|avif)$", re.IGNORECASE)
_INVITE_HOSTS = (
    "discord.gg",
    "discord.com/invite",
    "discordapp.com/invite",
    "t.me",
    "telegram.me",
    "chat.whatsapp.com",
    "join.slack.com",
    "qm.qq.com",
    "jq.qq.com",
    "weixin.qq.com/g/",
    "gitter.im",
)
# Words around a link that make it a chat-group invite. Not a bare "群": 人群 is "a crowd".
_INVITE_WORDS = (
    "加群",
    "入群",
    "进群",
    "讨论群",
    "交流群",
    "微信群",
    "qq群",
    "群聊",
    "群助手",
    "讨论小组",
    "discussion group",
    "chat group",
    "join our",
    "invite link",
)
_DATASET_NAMES = ("mnbvc", "wudaocorpora", "cluecorpus")
_DATASET_WORDS = ("dataset", "corpus", "corpora", "数据集", "语料")
_DATASET_HOSTS = (
    "huggingface.co/datasets/",
    "data.baai.ac.cn",
    "kaggle.com/datasets/",
    "paperswithcode.com/dataset/",
)
# host (or host/path prefix) -> blog name, for post-weblog stubs.
_BLOGS = {
    "zhuanlan.zhihu.com": "知乎专栏",
    "mp.weixin.qq.com": "微信公众号",
    "towardsdatascience.com": "Towards Data Science",
    "medium.com": "Medium",
    "huggingface.co/blog": "Hugging Face Blog",
    "openai.com/blog": "OpenAI Blog",
    "openai.com/index": "OpenAI Blog",
    "blog.csdn.net": "CSDN",
    "juejin.cn/post": "稀土掘金",
    "cnblogs.com": "博客园",
    "jalammar.github.io": "Jay Alammar's blog",
    "lilianweng.github.io": "Lil'Log",
}
# host -> publisher of the technical reports it serves as PDFs.
_REPORT_HOSTS = {"cdn.openai.com": "OpenAI", "openai.com": "OpenAI"}
_GITHUB_NOT_OWNERS = frozenset(
    {"stars", "orgs", "topics", "features", "marketplace", "sponsors", "collections"}
    | {"settings", "login", "explore", "trending", "search", "about", "pricing", "apps"}
)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_LABEL = re.compile(r"^(?P<label>[^:：]{1,30})[:：]\s*(?P<rest>.+)$", re.DOTALL)
_EDGE = " \t\n-–—:：|·•*>,，;；"


def unwrap_url(url: str) -> str:
    """The target of a redirect wrapper (``link.zhihu.com/?target=…``), else ``url``."""
    for _ in range(3):  # wrappers inside wrappers, but never forever
        parts = _split(url)
        param = _WRAPPERS.get((parts.hostname or "").lower()) if parts else None
        values = parse_qs(parts.query).get(param, []) if parts and param else []
        if not values or not re.match(r"^https?:/", values[0], re.IGNORECASE):
            return url
        url = re.sub(r"^(https?:)/(?!/)", r"\1//", values[0])  # "https%3A//x" decodes fine
    return url


def _split(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for what cannot be a URL (``https://[::1``, port ``:x``)."""
    try:
        parts = urlsplit(url)
        _ = parts.hostname, parts.port  # both are parsed lazily and raise ValueError
    except ValueError:
        return None
    return parts


def normalize_url(url: str) -> str:
    """A comparison key for ``url``: no scheme difference, ``www.``, fragment or trailing /.

    ``utm_*`` tracking parameters are dropped, and percent-encoding is made uniform.
    """
    parts = _split(unwrap_url(url.strip()))
    if parts is None:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._").rstrip("/")
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith("utm_"))
    return urlunsplit(("https", host, path, query, ""))


def clean_title(text: str) -> str:
    """``text`` as a title: whitespace collapsed, edge punctuation and a hub label dropped.

    A label is a Chinese prefix before a colon in front of a title with no Chinese in it:
    ``GPT-1 论文：Improving Language Understanding…`` gives the English title. Chinese
    titles stay intact (``陈巍：GPT-4大模型硬核解读`` keeps its author prefix).
    """
    text = " ".join(text.split()).strip(_EDGE)
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip(_EDGE)  # "Title. [paper]": the sentence's full stop
    match = _LABEL.match(text)
    if match and _CJK.search(match["label"]) and not _CJK.search(match["rest"]):
        rest = match["rest"].strip(_EDGE)
        if len(rest.split()) >= 2:
            return rest
    return text


def classify(link: Link) -> Record | Skip:
    """The stub Record ``link`` becomes (no key, no collections), or why it is skipped."""
    if not link.url:
        return Skip("a title without a link")
    if link.image:
        return Skip("image")
    url = unwrap_url(link.url.strip())
    parts = _split(url)
    if parts is None:
        return Skip("malformed URL")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Skip(_not_web(url))
    where = _where(url)
    if _IMAGE_EXT.search(parts.path):
        return Skip("image")
    if _is_invite(where, f"{link.text} {link.context}"):
        return Skip("chat-group invite")
    if where.startswith("github.com/stars/"):
        return Skip("GitHub stars list (a list of repositories, not one work)")
    found = _identifier_stub(url)
    return found if found is not None else _web_stub(link, url, where)


def _not_web(url: str) -> str:
    if url.startswith("#"):
        return "not a web link: a place in this document"
    if ":" not in url.split("/", 1)[0]:
        return "not a web link: a file beside this document"
    return "not a web link"


def _where(url: str) -> str:
    """``host/path`` lower-cased without ``www.`` (what the host tables are matched on)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host + unquote(parts.path).lower()


def _is_invite(where: str, words: str) -> bool:
    if any(
        where == h or where.startswith(h + "/") or (h.endswith("/") and where.startswith(h))
        for h in _INVITE_HOSTS
    ):
        return True
    low = words.lower()
    return any(w in low for w in _INVITE_WORDS)


def _identifier_stub(url: str) -> Record | None:
    try:
        found = parse_identifier(url)
    except ValueError:  # IdentifierError, and urlsplit's own ValueError
        return None
    if found.kind == "arxiv":
        return Record(type="article", arxiv_id=found.value, arxiv_version=found.version)
    if found.kind == "doi":
        return Record(doi=found.value)
    return None


def _web_stub(link: Link, url: str, where: str) -> Record:
    title = clean_title(link.text) or _title_from_url(url)
    base = Record(title=title, url=url, abstract=" ".join(link.note.split()))
    repo = _github_repo(url)
    host = where.split("/", 1)[0]
    if where.endswith(".pdf") and host in _REPORT_HOSTS:
        return base.with_(type="report", publisher=_REPORT_HOSTS[host])
    if _is_dataset(link, where, repo):
        hosts = (Name(literal=repo[0]),) if repo else ()
        return base.with_(type="dataset", author=hosts)
    if repo:
        owner, name = repo
        software_url = f"https://github.com/{owner}/{name}"
        return base.with_(
            type="software", title=name, author=(Name(literal=owner),), url=software_url
        )
    if where.endswith(".pdf"):
        return base.with_(type="document")
    blog = next((name for prefix, name in _BLOGS.items() if _under(where, prefix)), "")
    if blog:
        return base.with_(type="post-weblog", container_title=blog)
    return base.with_(type="webpage")


def _under(where: str, prefix: str) -> bool:
    return where == prefix or where.startswith(prefix + "/") or where.endswith("." + prefix)


def _github_repo(url: str) -> tuple[str, str] | None:
    """``(owner, repo)`` as spelt in ``url`` when it is a repository's page, not a file."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host != "github.com" or len(segments) < 2 or segments[0].lower() in _GITHUB_NOT_OWNERS:
        return None
    if len(segments) > 2 and segments[2] not in ("tree", "wiki", "releases"):
        return None  # blob/…/paper.pdf, issues/12, pull/3: not the repository itself
    return segments[0], segments[1].removesuffix(".git")


def _is_dataset(link: Link, where: str, repo: tuple[str, str] | None) -> bool:
    # Words count in the URL or in a short name ("CLUECorpus2020"), not in a long title.
    short = link.text if len(link.text.split()) <= 2 else ""
    named = f"{short} {where}".lower()
    if any(name in f"{link.text} {where}".lower() for name in _DATASET_NAMES):
        return True
    if any(_under(where, h.rstrip("/")) or where.startswith(h) for h in _DATASET_HOSTS):
        return True
    if any(word in named for word in _DATASET_WORDS):
        return not any(_under(where, prefix) for prefix in _BLOGS)
    # A repository listed under a "Dataset" heading is the dataset it hosts.
    under_dataset = any(w in h.lower() for h in link.hints for w in _DATASET_WORDS)
    return bool(repo) and under_dataset


def _title_from_url(url: str) -> str:
    """A readable stand-in title when the document gives none: the last path segment."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments:
        return re.sub(r"\.(?:html?|pdf|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE)
    return (parts.hostname or url).removeprefix("www.")
