"""Round-trip safety of escaping: pandoc's plain-text reading of escaped text is the text.

Text that Quarto/pandoc would read as syntax -- shortcode openers, ``@handles``, ``$``
amounts, ``:::`` at a line start, raw ``<tags>`` meant literally, list markers, entities --
must come back unchanged. Whitespace is compared normalised (a soft line break reads back
as a space) and pandoc's ``smart`` extension is off for the comparison: Sphinx has already
made typographic quotes and dashes in the doctree, so the page never relies on it.
"""

from __future__ import annotations

import os

import pypandoc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sphinx_qmd_builder.writer import markdown as md

EXAMPLES = int(os.environ.get("ROBUST_ESCAPE_EXAMPLES", "150"))

TRICKY = [
    "{{< meta x >}}",
    "{{% include x %}}",
    "@handle",
    "@sec-intro",
    "[-@fig-x]",
    "$5",
    "costs $5 and $6",
    "$x$",
    "::: {.callout-note}",
    ":::",
    "<b>bold</b>",
    "<tag>",
    "</div>",
    "<!-- not a comment -->",
    "# heading?",
    "1. item?",
    "2) item?",
    "- item?",
    "+ item?",
    "* item?",
    "> quote?",
    "term\n: definition?",
    "x_y_z",
    "_under_",
    "*star*",
    "**strong**",
    "[link](x)",
    "`code`",
    "~sub~",
    "^sup^",
    "a\\b",
    "100%",
    "a | b",
    "&amp;",
    "&copy;",
    "&#169;",
    "{#id}",
    "[^1]",
    "https://example.org",
    "<https://example.org>",
    "\\(x\\)",
    "$$",
    "Grüße",
    "[ ]",
    "![alt](img.png)",
]

PIECE = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet="ab _*$@<>{}[]()#:|~^`\\&;!%-+.=1", min_size=1, max_size=12),
)


def _escape(text: str) -> str:
    return md.escape_line_starts(md.escape_text(text))


def _plain(markdown: str) -> str:
    return pypandoc.convert_text(
        markdown, "plain", format="markdown-smart", extra_args=["--wrap=none"]
    )


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("text", TRICKY)
def test_known_tricky_text_round_trips(text: str) -> None:
    assert _norm(_plain(_escape(text))) == _norm(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(PIECE, min_size=1, max_size=6))
def test_generated_text_round_trips(pieces: list[str]) -> None:
    text = " ".join(pieces).strip()
    if not text.strip() or text.strip() != text:
        return
    # one paragraph of running text (as a Text node is written): no blank lines inside
    text = "\n".join(line for line in text.split("\n") if line.strip())
    assert _norm(_plain(_escape(text))) == _norm(text), _escape(text)
