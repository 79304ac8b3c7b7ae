"""Zotero sync: push the library into a Zotero library, idempotently.

``plan`` (pure) matches entries to remote items and decides creates and updates, ``merge``
is the three-way merge on what was last pushed, ``identity`` normalises DOIs and arXiv ids,
``state`` keeps what was pushed, ``apply`` sends the plan and checks every answer,
``remote`` reads the library, ``credentials`` finds the API key, ``report`` summarises,
``sync`` wires a run, ``api`` is the only user of ``pyzotero`` (status, retries, bounded
waits) and ``shapes`` checks every answer before it is read.

May import: ``model``, ``errors``, ``config``, ``fileio`` and the Zotero modules of
:mod:`citekit.writers` (the item shape, the schema tables). Never imports sources,
resolve or the CLI.
"""
