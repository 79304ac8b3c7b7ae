"""Google Scholar's way of citing an arXiv preprint, read as the preprint it is.

Google Scholar exports arXiv preprints as ``@article{…, journal = {arXiv preprint
arXiv:2201.11903}}``. Zotero's schema maps CSL ``article`` to ``preprint``
(zotero-schema ``schema.json`` ``csl.types``), and the arXiv translator saves such a paper
as a preprint with ``archiveID = arXiv:ID``: so do the CSL-JSON and Zotero writers, instead
of a journal article whose journal is the sentence "arXiv preprint …".
"""

from __future__ import annotations

import re

from ..model import Record, plain_text

__all__ = ["as_preprint"]

_SCHOLAR = re.compile(
    r"^\s*arxiv\s+preprint\s+(?:arxiv:\s*)?"
    r"(\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?\s*$",
    re.IGNORECASE,
)


def as_preprint(record: Record) -> Record:
    """``record`` as an arXiv preprint when its journal is Google Scholar's arXiv line."""
    if record.type != "article-journal" or record.volume or record.page:
        return record
    match = _SCHOLAR.match(plain_text(record.container_title))
    if not match or (record.arxiv_id and record.arxiv_id != match.group(1)):
        return record
    return record.with_(
        type="article",
        container_title="",
        issue="",
        arxiv_id=match.group(1),
        arxiv_version=record.arxiv_version or (match.group(2) or ""),
        publisher=record.publisher or "arXiv",
        genre=record.genre or "preprint",
    )
