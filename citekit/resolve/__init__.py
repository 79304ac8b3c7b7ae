"""The resolution policy: which source to ask, what counts as a match, how to merge.

``entries`` reads what a library entry identifies, ``resolver`` asks the sources and
decides, ``match`` is the no-false-match rule (pure), ``merge`` fills fields without ever
overwriting the user's (pure), ``outcome`` is the one state every input ends in, and
``pipeline`` wires a whole run: load → resolve → keys → save → exports.

Data flows sources → records → library. May import: ``model``, ``identifiers``, ``keys``,
``errors``, ``config``, ``library``, ``sources``, ``exports``. Never imports the CLI; the
writers and sources never import it.
"""
