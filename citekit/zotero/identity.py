"""Who a Zotero item is: its citation key, DOI and versionless arXiv id (pure).

Read from the native fields and from Extra lines (``Citation Key:``, ``bibtex:``,
``DOI:``, ``arXiv:``), from an arXiv ``archiveID``, a ``10.48550/arXiv.*`` DOI, or an
``arxiv.org/abs|pdf`` URL, as zotero-spec §7.1 lists them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .shapes import as_int
from .state import RemoteItem

__all__ = ["identify", "normalize_arxiv", "normalize_doi"]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#]|$)", re.I)
_ARXIV_VERSION = re.compile(r"v\d+$")
_EXTRA_LINE = re.compile(r"^\s*([A-Za-z][\w -]*?)\s*:\s*(.*?)\s*$")


def normalize_doi(text: str) -> str:
    """``https://doi.org/10.1/X`` → ``10.1/x`` (DOIs compare case-insensitively)."""
    return _DOI_PREFIX.sub("", text.strip()).strip().lower()


def normalize_arxiv(text: str) -> str:
    """``arXiv:2005.14165v3 [cs.CL]`` → ``2005.14165``; ``""`` when it is not one."""
    token = text.strip().split()[0] if text.strip() else ""
    token = re.sub(r"^arxiv:\s*", "", token, flags=re.IGNORECASE)
    return _ARXIV_VERSION.sub("", token).lower()


def _extra_values(extra: str) -> dict[str, str]:
    """Extra ``Label: value`` lines by lower-cased label (the first of each wins)."""
    out: dict[str, str] = {}
    for line in extra.splitlines():
        if line.lower().startswith("arxiv:"):
            out.setdefault("arxiv", line[6:].strip())
            continue
        m = _EXTRA_LINE.match(line)
        if m:
            out.setdefault(m.group(1).lower(), m.group(2))
    return out


def identify(data: Mapping[str, Any]) -> RemoteItem:
    """The identities of one Zotero item's ``data``: citation key, DOI, arXiv id."""
    extra = _extra_values(str(data.get("extra") or ""))
    citekey = str(data.get("citationKey") or "").strip()
    citekey = citekey or extra.get("citation key", "") or extra.get("bibtex", "")
    doi = normalize_doi(str(data.get("DOI") or extra.get("doi", "")))
    arxiv = ""
    archive_id = str(data.get("archiveID") or "")
    if archive_id.lower().startswith("arxiv:"):
        arxiv = normalize_arxiv(archive_id)
    arxiv = arxiv or normalize_arxiv(extra.get("arxiv", ""))
    if not arxiv and (m := _ARXIV_DOI.match(doi)):
        arxiv = normalize_arxiv(m.group(1))
    if not arxiv and (m := _ARXIV_URL.search(str(data.get("url") or ""))):
        arxiv = normalize_arxiv(m.group(1))
    return RemoteItem(
        version=as_int(data.get("version")) or 0,
        item_type=str(data.get("itemType") or ""),
        citekey=citekey,
        doi=doi,
        arxiv=arxiv,
        trashed=bool(data.get("deleted")),
    )
