"""Parse and normalise the identifiers citekit resolves: arXiv ids, DOIs and URLs (pure).

Accepted forms::

    2005.14165            2005.14165v4          arXiv:2005.14165       0704.0001
    hep-th/9901001        math.GT/0309136v2     arXiv:hep-th/9901001
    https://arxiv.org/abs/2005.14165v4           https://arxiv.org/pdf/2005.14165v4.pdf
    https://arxiv.org/html/2005.14165v1          http://export.arxiv.org/abs/hep-th/9901001
    10.1145/1597735.1597738                      doi:10.1145/1597735.1597738
    https://doi.org/10.1145/1597735.1597738      http://dx.doi.org/10.1145%2F1597735.1597738
    https://example.org/a-blog-post              (kind "url": any other http(s) URL)

DOIs are lower-cased (DOIs compare case-insensitively), URL-decoded, and lose trailing
sentence punctuation. An arXiv DataCite DOI (``10.48550/arXiv.2005.14165``) parses as the
*arXiv* identifier it names, because its metadata lives at arXiv, never at Crossref; use
:func:`is_arxiv_doi` to recognise one that reached you as a plain DOI string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from .errors import IdentifierError

__all__ = [
    "ARXIV_DOI_PREFIX",
    "Identifier",
    "arxiv_doi",
    "is_arxiv_doi",
    "looks_like_identifier",
    "normalize_doi",
    "parse_arxiv_id",
    "parse_identifier",
]

#: The DataCite prefix arXiv registers its own DOIs under.
ARXIV_DOI_PREFIX = "10.48550/arxiv."

# New style (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015.
_NEW_ID = r"\d{4}\.\d{4,5}"
# Old style: archive(.SUBJECT-CLASS)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?/\d{7}"
_ARXIV_RE = re.compile(rf"^(?P<id>{_NEW_ID}|{_OLD_ID})(?P<version>v\d+)?$", re.IGNORECASE)
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/|urn:doi:)", re.IGNORECASE
)
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "xxx.lanl.gov"}
_BARE_ARXIV_URL = re.compile(r"^(?:www\.|export\.)?arxiv\.org/", re.IGNORECASE)
_ARXIV_PATHS = re.compile(r"^/(?:abs|pdf|html|format|ps)/(?P<rest>.+?)(?:\.pdf)?/?$")
_TRAILING = ".,;:!?'\"\u201d\u2019"
_LEADING = "([{<'\"\u201c\u2018"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}
_ATTEMPT_RE = re.compile(
    r"^(?:arxiv:|doi:|https?://|www\.|10\.\d|(?:export\.)?arxiv\.org/|(?:dx\.)?doi\.org/)",
    re.IGNORECASE,
)
_ID_SHAPE_RE = re.compile(r"^(?:\d{4}\.\d|[a-z-]+(?:\.[a-z]{2})?/\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Identifier:
    """A parsed identifier.

    ``value`` is the arXiv id without version (``2005.14165``, ``hep-th/9901001``), the
    lower-cased DOI, or the URL. ``version`` is ``"v4"`` when an arXiv input named one.
    """

    kind: Literal["arxiv", "doi", "url"]
    value: str
    version: str = ""

    def __str__(self) -> str:
        return self.value + self.version


def strip_trailing(text: str, trailing: str = _TRAILING, pairs: Mapping[str, str] = _PAIRS) -> str:
    """``text`` without trailing punctuation (``trailing``) and unbalanced closing brackets.

    Used for identifiers pasted from prose, and (with Markdown's own set) for bare URLs.
    """
    while text:
        last = text[-1]
        unbalanced = last in pairs and text.count(last) > text.count(pairs[last])
        if last not in trailing and not unbalanced:
            break
        text = text[:-1]
    return text


def _clean(text: str) -> str:
    """``text`` as pasted from prose: surrounding space, brackets and quotes removed."""
    return strip_trailing(text.strip().lstrip(_LEADING).strip())


def normalize_doi(text: str) -> str:
    """The bare, lower-cased DOI in ``text`` (``doi:``, doi.org URLs, %-encoding allowed).

    Raises :class:`IdentifierError` naming ``text`` when no DOI is there.
    """
    doi = _DOI_PREFIXES.sub("", _clean(text))
    doi = strip_trailing(unquote(doi).strip())
    if not _DOI_RE.match(doi):
        raise IdentifierError(text, "not a DOI (expected 10.NNNN/suffix)")
    return doi.lower()


def is_arxiv_doi(doi: str) -> bool:
    """Whether ``doi`` is one of arXiv's own DataCite DOIs (never to be sent to Crossref)."""
    try:
        return normalize_doi(doi).startswith(ARXIV_DOI_PREFIX)
    except IdentifierError:
        return False


def arxiv_doi(arxiv_id: str) -> str:
    """arXiv's DataCite DOI for an id without version: ``10.48550/arXiv.2005.14165``."""
    return f"10.48550/arXiv.{arxiv_id}"


def parse_arxiv_id(text: str) -> Identifier | None:
    """The arXiv identifier ``text`` names (``arXiv:`` prefix allowed), or None."""
    candidate = _clean(text)
    if candidate[:6].lower() == "arxiv:":
        candidate = candidate[6:].strip()
    match = _ARXIV_RE.match(candidate)
    if not match:
        return None
    return Identifier("arxiv", _canonical_arxiv(match["id"]), (match["version"] or "").lower())


def _canonical_arxiv(raw: str) -> str:
    """Old-style archives are lower case; their subject class is upper case (math.GT)."""
    if "/" not in raw:
        return raw
    archive, number = raw.split("/", 1)
    name, _, subject = archive.partition(".")
    return f"{name.lower()}.{subject.upper()}/{number}" if subject else f"{name.lower()}/{number}"


def _from_url(text: str) -> Identifier:
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host in _ARXIV_HOSTS:
        match = _ARXIV_PATHS.match(unquote(parts.path))
        found = parse_arxiv_id(match["rest"]) if match else None
        if found is None:
            raise IdentifierError(text, "an arXiv URL that names no paper id")
        return found
    if host.endswith("doi.org"):
        return _from_doi(normalize_doi(text), text)
    if not host or " " in text:
        raise IdentifierError(text, "not a usable URL")
    return Identifier("url", text)


def _from_doi(doi: str, original: str) -> Identifier:
    if doi.startswith(ARXIV_DOI_PREFIX):
        found = parse_arxiv_id(doi[len(ARXIV_DOI_PREFIX) :])
        if found is None:
            raise IdentifierError(original, "an arXiv DOI that names no valid arXiv id")
        return found
    return Identifier("doi", doi)


def parse_identifier(text: str) -> Identifier:
    """The identifier in ``text``; :class:`IdentifierError` naming ``text`` otherwise.

    An arXiv DataCite DOI comes back as kind ``"arxiv"`` (see the module docstring).
    """
    cleaned = _clean(text)
    if not cleaned:
        raise IdentifierError(text, "empty identifier")
    found = parse_arxiv_id(cleaned)
    if found is not None:
        return found
    if _BARE_ARXIV_URL.match(cleaned):
        cleaned = "https://" + cleaned  # pasted without its scheme
    if re.match(r"^https?://", cleaned, re.IGNORECASE):
        return _from_url(cleaned)
    if _DOI_PREFIXES.match(cleaned) or cleaned.startswith("10."):
        return _from_doi(normalize_doi(cleaned), text)
    if cleaned[:6].lower() == "arxiv:":
        raise IdentifierError(text, "not a valid arXiv id (e.g. 2005.14165, hep-th/9901001)")
    raise IdentifierError(text)


def looks_like_identifier(text: str) -> bool:
    """Whether ``text`` is (or tries to be) an identifier rather than a bare title.

    A malformed attempt (``arXiv:2005.1``, ``doi:foo``) counts as an identifier, so the
    caller reports it invalid instead of running a title search on it.
    """
    cleaned = _clean(text)
    if not cleaned or any(ch.isspace() for ch in cleaned):
        return False
    if parse_arxiv_id(cleaned) is not None:
        return True
    return bool(_ATTEMPT_RE.match(cleaned) or _ID_SHAPE_RE.match(cleaned))
