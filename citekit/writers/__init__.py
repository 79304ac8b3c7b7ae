"""Record → files: ``bibtex`` (BibTeX and BibLaTeX), ``csljson``, ``ris``, ``zotero``
(Web API items) and ``zotero_rdf``; ``inherit`` completes ``crossref``/``xdata`` children for
the formats that have no such link.

Pure functions from records to text or JSON-ready data; :mod:`citekit.exports` writes them.
May import: ``model``, ``errors`` and :mod:`citekit.bibtex` (the format's rules). Never
imports sources, resolve, zotero or the CLI.
"""
