"""Unit tests for the pure helpers: markdown escaping (checked by pandoc) and math environments."""

from __future__ import annotations

import json
import re

import pypandoc
import pytest
from docutils import nodes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_qmd_builder.writer import markdown as md
from sphinx_qmd_builder.writer.contexts import prefix_lines
from sphinx_qmd_builder.writer.equations import (
    braces_balanced,
    display_math,
    quarto_math,
    split_environment,
    unclosed_environments,
)

# Smart punctuation ("--" -> en dash, quotes -> curly) is typography, not a lost character;
# Sphinx's HTML applies the same. The round trip is about syntax, so it reads without it.
READER = "markdown-smart"
SEPARATOR = "QMDSEPARATOR"


def pandoc_blocks(text: str) -> list:
    return json.loads(pypandoc.convert_text(text, "json", format=READER))["blocks"]


def plain(text: str) -> str:
    return pypandoc.convert_text(text, "plain", format=READER, extra_args=["--wrap=none"])


def roundtrip_many(texts: list[str]) -> list[str]:
    """Escape each text as one paragraph, read all back with one pandoc call."""
    body = f"\n\n{SEPARATOR}\n\n".join(md.escape_line_starts(md.escape_text(t)) for t in texts)
    # as on every page, front matter comes first (so "% x" is no pandoc title block)
    doc = '---\ntitle: "t"\n---\n\n' + body
    parts = plain(doc).split(SEPARATOR)
    return [" ".join(part.split()) for part in parts]


TRICKY = [
    "5 * 3 * 4 and **not bold** and *not emphasis*",
    "_leading underscore_ and snake_case_name and trailing_",
    "[not a link](http://example.org) and [brackets]",
    "@not_a_citation and [@not; @cites] and email@example.org",
    "100$ and $not math$ and \\backslash\\",
    "`not code` and ``double``",
    "<span>not html</span> and a < b > c and <!-- not a comment -->",
    "{{< meta not_a_shortcode >}}",
    "~sub~ and ^super^ and x|y|z",
    "# not a heading",
    "- not a list item",
    "+ not a list item",
    "1. not a numbered item",
    "2) neither",
    "> not a quote",
    "::: not a div",
    ": not a definition",
    "=====",
    "-----",
    "Ümlaute äöü, 한국어 텍스트, emoji ✓",
]


def test_escape_text_round_trips_through_pandoc() -> None:
    assert roundtrip_many(TRICKY) == [" ".join(t.split()) for t in TRICKY]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126),
            min_size=1,
            max_size=40,
        ).filter(lambda t: t.strip() and SEPARATOR not in t),
        min_size=1,
        max_size=8,
    )
)
def test_escape_text_round_trips_any_ascii(texts: list[str]) -> None:
    assert roundtrip_many(texts) == [" ".join(t.split()) for t in texts]


def test_escape_text_keeps_intraword_underscores_readable() -> None:
    assert md.escape_text("snake_case") == "snake_case"
    assert md.escape_text("_x_") == "\\_x\\_"


@pytest.mark.parametrize("code", ["plain", "a `tick`", "``double``", "`edge", " spaced "])
def test_inline_code_round_trips(code: str) -> None:
    blocks = pandoc_blocks(f"x {md.inline_code(code)} y")
    found = [c["c"][1] for c in blocks[0]["c"] if c["t"] == "Code"]
    assert found == [code.strip() if code.strip() != code and "`" not in code else code]


@pytest.mark.parametrize(
    "code", ["print(1)", "```\nnested fence\n```", "````python\nfour\n````", "a\n\n\nb"]
)
def test_code_fence_holds_any_code(code: str) -> None:
    fence = md.code_fence(code)
    blocks = pandoc_blocks(f"{fence}python\n{code}\n{fence}\n")
    assert [b["t"] for b in blocks] == ["CodeBlock"]
    assert blocks[0]["c"][1] == code


def test_attributes_are_read_by_pandoc() -> None:
    attr = md.attributes("fig-x", ["callout-note"], appearance="simple", title='say "hi"', width=3)
    assert attr == '{#fig-x .callout-note appearance="simple" title="say \\"hi\\"" width=3}'
    blocks = pandoc_blocks(f"::: {attr}\ntext\n:::\n")
    ident, classes, kv = blocks[0]["c"][0]
    assert (ident, classes) == ("fig-x", ["callout-note"])
    assert dict(kv) == {"appearance": "simple", "title": 'say "hi"', "width": "3"}
    assert md.attributes() == ""


def test_prefix_lines() -> None:
    assert prefix_lines("a\n\nb", "  ", first="- ") == "- a\n\n  b"
    assert prefix_lines("a\n\n\nb", "> ", blank=">") == "> a\n>\n>\n> b"


# -- math environments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("\\begin{align}\na &= b\n\\end{align}", "\\begin{aligned}\na &= b\n\\end{aligned}"),
        ("\\begin{align*}\na &= b\n\\end{align*}", "\\begin{aligned}\na &= b\n\\end{aligned}"),
        (
            "\\begin{gather}\na \\\\ b\n\\end{gather}",
            "\\begin{gathered}\na \\\\ b\n\\end{gathered}",
        ),
        ("\\begin{multline}\na\n\\end{multline}", "\\begin{gathered}\na\n\\end{gathered}"),
        (
            "\\begin{alignat}{2}\na &= b & c &= d\n\\end{alignat}",
            "\\begin{alignedat}{2}\na &= b & c &= d\n\\end{alignedat}",
        ),
        ("\\begin{equation}\nE = mc^2\n\\end{equation}", "E = mc^2"),
        ("\\begin{equation*}\nx\n\\end{equation*}", "x"),
        # not top-level environments: unchanged
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
        ("a + b", "a + b"),
        # two environments in one block are not one environment: left alone
        (
            "\\begin{align}a\\end{align}\\begin{align}b\\end{align}",
            "\\begin{align}a\\end{align}\\begin{align}b\\end{align}",
        ),
    ],
)
def test_quarto_math(source: str, expected: str) -> None:
    assert quarto_math(source) == expected


def test_split_environment() -> None:
    assert split_environment("\\begin{align}\nx\n\\end{align}") == ("align", "", "x")
    assert split_environment("x \\begin{align}y\\end{align}") is None
    assert split_environment("\\begin{align}x\\end{gather}") is None


def test_braces_balanced() -> None:
    assert braces_balanced("\\frac{a}{b}")
    assert braces_balanced("\\{ a \\}")
    assert not braces_balanced("\\frac{a}{b")
    assert not braces_balanced("}{")


def test_display_math_label_and_warnings() -> None:
    warned: list[str] = []

    def warn(message: str, node: nodes.Node, subtype: str, *args: object) -> None:
        warned.append(subtype)

    node = nodes.math_block()
    block = display_math("\\begin{align}\na &= b\n\\end{align}", "eq-x", node, warn)
    assert block == "$$\n\\begin{aligned}\na &= b\n\\end{aligned}\n$$ {#eq-x}"
    assert warned == []
    display_math("\\frac{a}{b", None, node, warn)
    display_math("\\begin{align} x", None, node, warn)
    assert warned == ["math", "math_environment"]
    display_math("\\begin{cases} x \\end{cases} \\begin{array}{c} y", None, node, warn)
    assert warned[-1] == "math_environment" and len(warned) == 3
    # pandoc reads the result as display math holding the aligned environment
    math = pandoc_blocks(block)[0]["c"][0]
    assert math["t"] == "Math" and math["c"][0]["t"] == "DisplayMath"
    assert re.search(r"\\begin\{aligned\}", math["c"][1])


def test_unclosed_environments() -> None:
    assert unclosed_environments("\\begin{align} a \\end{align}") == []
    assert unclosed_environments("\\begin{align}\\begin{cases} x \\end{cases}") == ["align"]
    # an \end that closes an outer environment closes the ones left open inside it too
    assert unclosed_environments("\\begin{a}\\begin{b}\\end{a}") == []
    assert unclosed_environments("x \\end{stray}") == []
