"""Reading BibTeX and BibLaTeX text: the part that knows the format.

``split`` cuts a file into blocks (a fast twin of bibtexparser's splitter), ``parse`` turns
blocks into records while keeping every byte it does not understand, ``fields`` and
``names`` map BibTeX fields and name lists to the neutral :class:`citekit.model.Record`,
``latex`` and ``texaccents`` convert LaTeX to Unicode and back, ``case`` is BibTeX's
case-protection rule.

Data flows text → :class:`~citekit.model.Record`. May import: ``model``, ``errors`` and the
libraries ``bibtexparser`` and ``pylatexenc``. Never imports sources, resolve, writers,
zotero or the CLI; the BibTeX writers in :mod:`citekit.writers` import it.
"""
