"""One module per service (``arxiv``, ``crossref``), each fetch + pure parse, plus ``http``
(bounded retries, deadlines, cleaning untrusted text) and ``cache`` (sqlite of raw answers).

Data flows identifiers → answers → :class:`~citekit.model.Record`. Each third-party client
library is imported by exactly one module here. May import: ``model``, ``identifiers``,
``errors``, ``config``. Never imports writers, resolve, zotero or the CLI.
"""
