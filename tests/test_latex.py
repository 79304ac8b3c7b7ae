"""LaTeX ↔ Unicode: decoding, escaping, case protection, and TeX injection staying inert."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.bibtex.latex import decode, encode, needs_decoding

NOCASE = '<span class="nocase">{}</span>'


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"M\"{u}ller", "Müller"),
        (r"{\ss}", "ß"),
        (r"Gr{\"o}{\ss}e", "Größe"),
        (r"{\L}ukasiewicz", "Łukasiewicz"),
        (r"Garc{\'\i}a", "García"),
        (r"\c{C}a\u{g}lar", "Çağlar"),
        (r"Research \& Development", "Research & Development"),
        (r"50\% of \$5 \#1 a\_b", "50% of $5 #1 a_b"),
        (r"{\textasciitilde}{\textasciicircum}{\textbackslash}", "~^\\"),
        (r"\{x\}", "{x}"),
        ("a~b", "a\xa0b"),
        ("en -- em --- dashes, fast path", "en – em — dashes, fast path"),
        (r"{\"u} 1--2, slow path", "ü 1–2, slow path"),
        ("two -{}- hyphens", "two -- hyphens"),
        ("wrapped\n   over\tlines", "wrapped over lines"),
        ("$x^2$ stays math", "$x^2$ stays math"),
        ("{50%} braces then percent", "50% braces then percent"),
    ],
)
def test_decode(latex: str, text: str) -> None:
    assert decode(latex) == text


def test_fast_path_only_for_values_without_latex() -> None:
    assert not needs_decoding("Plain Title: 100% ASCII, with-dashes")
    for trigger in ("\\", "{", "}", "~", "$"):
        assert needs_decoding(f"a {trigger} b")


def test_decode_protects_groups_but_not_implied_words_or_special_chars() -> None:
    latex = r"The {Bayesian} {GPT}-3 {\"U}ber {InstructGPT} {2020}"
    assert decode(latex, protect=True) == (
        f"The {NOCASE.format('Bayesian')} GPT-3 Über InstructGPT 2020"
    )
    assert decode(latex) == "The Bayesian GPT-3 Über InstructGPT 2020"


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("GPT-3 and BERT", "{GPT}-3 and {BERT}"),
        ("InstructGPT with PPO, RLHF and TAMER", "{InstructGPT} with {PPO}, {RLHF} and {TAMER}"),
        ("iPhone 3D", "{iPhone} {3D}"),
        (f"The {NOCASE.format('Bayesian')} Way", "The {Bayesian} Way"),
        ("Ordinary Title Case Words", "Ordinary Title Case Words"),
    ],
)
def test_encode_protects_word_by_word(text: str, latex: str) -> None:
    assert encode(text, protect=True) == latex


def test_encode_never_braces_the_whole_title() -> None:
    latex = encode("Language Models are Few-Shot Learners", protect=True)
    assert not (latex.startswith("{") and latex.endswith("}"))


@pytest.mark.parametrize("ascii_only", [True, False])
def test_tex_commands_from_outside_stay_inert(ascii_only: bool) -> None:
    hostile = r"\input{/etc/passwd} \write18{rm -rf /} \def\x{y} \catcode`\@=11 $\input{x}$"
    latex = encode(hostile, ascii_only=ascii_only, protect=True)
    # Every backslash of the input became \textbackslash: no control sequence survives.
    assert "\\input" not in latex and "\\write" not in latex and "\\def" not in latex
    assert latex.count("{\\textbackslash}") == hostile.count("\\")
    assert decode(latex, protect=True) == hostile


def test_safe_math_passes_through_braced() -> None:
    title = r"On $x^2$ and $O(n \log n)$ with $\alpha$-Divergence for $\mathcal{NP}$"
    assert encode(title, protect=True) == (
        r"On {$x^2$} and {$O(n \log n)$} with {$\alpha$}-Divergence for {$\mathcal{NP}$}"
    )
    assert decode(encode(title, protect=True), protect=True) == title


@pytest.mark.parametrize(
    "text",
    [r"$\input{x}$", r"$\def\x{y}$", r"$\catcode 64=11$", "$x % hidden$", "$a#1$", "$x}{$"],
)
def test_math_with_anything_unsafe_is_plain_text(text: str) -> None:
    latex = encode(text)
    assert latex.startswith("\\$") and latex.endswith("\\$")
    assert decode(latex) == text


def test_dollar_amounts_are_not_math() -> None:
    assert encode("costs $5 and $10") == r"costs \$5 and \$10"


def test_escapes_every_special_character() -> None:
    latex = encode("& % $ # _ { } ~ ^ \\")
    assert latex == r"\& \% \$ \# \_ \{ \} {\textasciitilde} {\textasciicircum} {\textbackslash}"


def test_unbalanced_braces_are_written_as_commands() -> None:
    # BibTeX and biber count \{ as a brace: a lone one would break the entry.
    assert encode("open { only") == r"open {\textbraceleft} only"
    assert decode(encode("x } y {")) == "x } y {"


def test_dashes_are_ligatures_and_typed_hyphens_stay_hyphens() -> None:
    assert encode("Report – 51 — end") == "Report -- 51 --- end"
    assert encode("Report – 51", ascii_only=False) == "Report – 51"
    assert encode("a--b") == "a-{}-b"
    assert encode("-–") == "-{--}"  # a hyphen next to the dash must not join it


def test_ascii_flavour_uses_commands_and_keeps_cjk() -> None:
    latex = encode("Müller Straße αβ Łódź 王小明")
    assert latex == (
        r"M{\"u}ller Stra{\ss}e {\ensuremath{\alpha}}{\ensuremath{\beta}} "
        r"{\L}{\'o}d{\'z} 王小明"
    )
    assert encode("Müller 王", ascii_only=False) == "Müller 王"


def test_encode_is_idempotent_through_decode() -> None:
    text = f"{NOCASE.format('Doctrine of Chances')} for GPT-4 & Co. at 50%"
    once = encode(text, protect=True)
    assert encode(decode(once, protect=True), protect=True) == once


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me", "Mc"),
    )
    | st.sampled_from(list(" {}\\&%$#_~^-'\"`.,:;!?")),
    max_size=40,
).map(lambda s: " ".join(s.split()))


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.booleans(), st.booleans())
def test_round_trip_any_text(text: str, ascii_only: bool, protect: bool) -> None:
    latex = encode(text, ascii_only=ascii_only, protect=protect)
    assert decode(latex, protect=protect) == text
    if ascii_only:
        assert all(ch.isascii() or encode(ch) == ch for ch in latex)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Writing papers in {\LaTeX} and \TeX", "Writing papers in LaTeX and TeX"),
        (r"A \mbox{B} c", "A B c"),  # pylatexenc alone drops the argument
        # Issue #18: an unknown command keeps its arguments' text or its name, never a backslash
        (r"Lao\2", "Lao2"),  # Glottolog's marker: an unknown control symbol is its name
        (r"\unknownmacro{x} y", "x y"),
    ],
)
def test_decode_never_drops_text_behind_a_macro_pylatexenc_does_not_know(
    latex: str, text: str
) -> None:
    assert decode(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"see \href{https://example.org/x}{the site} now", "see the site now"),
        (r"\'{\href{x}{y}}", "ý"),  # an accent over a command with arguments
        (r"a \'\href b", "a b"),  # an accent whose argument is a bare \href: AttributeError
        (r"\c\url{x}", "x"),  # ... and a bare \url (pylatexenc printed a warning)
        (r"\url{http://x.org/a_b}", "http://x.org/a_b"),
    ],
)
def test_href_and_url_decode_without_crashing(latex: str, text: str) -> None:
    """Issue #18: ``\\href{x}{y}`` raised IndexError inside pylatexenc, which failed the file."""
    assert decode(latex) == text
    assert decode(latex, protect=True).replace(NOCASE.format("x"), "x") == text


def test_a_file_with_href_loads_and_exports() -> None:
    from citekit.library import loads
    from citekit.writers.csljson import format_csljson

    lib = loads("@misc{k, title = {Read \\href{https://a.b}{this} and \\'\\href}, year = 2020}\n")
    assert '"title": "Read this and"' in format_csljson(lib.records)
