"""Real consumers of citekit's .bib output: bibtex (plain.bst), biber, pandoc."""
