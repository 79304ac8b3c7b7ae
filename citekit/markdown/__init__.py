"""A Markdown resource list → stub entries with collections (``citekit import-md``).

``importer`` walks the document (the only user of ``markdown-it-py``), ``scan`` finds links
and bare URLs in its text, ``links`` decides what each link is (arXiv, DOI, PDF, web page,
skip), ``plan`` merges the stubs into a library under their headings' collections.

Data flows Markdown → records → library. May import: ``model``, ``identifiers``, ``keys``,
``errors``, ``library``. Never imports sources, resolve, writers, zotero or the CLI.
"""
