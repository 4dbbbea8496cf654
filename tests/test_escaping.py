"""Escaping: text that pandoc/Quarto would read as syntax comes back as the same text.

Each case goes through ``escape_text`` (and ``escape_line_starts`` for whole lines),
then pandoc's reader and its plain writer; the words and symbols must be unchanged.
"""

from __future__ import annotations

import pytest
from helpers import pandoc_ast, pandoc_plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_qmd_builder.writer import markdown as md

CASES = [
    "write to jane.doe@example.org today",
    "'a '.",  # found by the property test: pandoc closed a smart quote, dropping the space
    '"a ".',
    "@article cites nothing",
    "price $5 and $6 total",
    "a single $ sign",
    "$x$ is not math here",
    "{{< meta title >}} is not a shortcode",
    "[not a link](http://example.org)",
    "[^1] is not a footnote",
    "a | b | c",
    "<b>not bold</b> and <!-- not a comment -->",
    "<https://example.org> stays text",
    "*not emphasis* and **not strong**",
    "_not emphasis_ but snake_case_word stays",
    "`not code`",
    "~not sub~ and ^not sup^",
    "back\\slash and \\( not math \\)",
    "[@key] is not a citation",
    "{.class} after text",
    "x = [1, 2] and y = ]",
]

LINE_STARTS = [
    "# not a heading",
    "#hashtag",
    "::: {.callout-note}",
    ":::",
    "> not a quote",
    "- not a list",
    "+ not a list",
    "* not a list",
    "1. not a list",
    "2) not a list",
    "(3) not a list",
    "a. not a list",
    "b) not a list",
    "(c) not a list",
    "iv. not a list",
    "IV) not a list",
    "#. not a list",
    "(@) not an example list",
    "| not | a | table |",
    "----",
    "====",
    "%not a comment",
    "(label)=",
]


#: pandoc's smart extension curls straight quotes and joins "..." (as Quarto does);
#: that changes glyphs, not text, so the comparison undoes it
_SMART = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def roundtrip(text: str) -> str:
    escaped = md.escape_line_starts(md.escape_text(text))
    return pandoc_plain(escaped).strip().translate(_SMART).replace("\u2026", "...")


@pytest.mark.parametrize("text", CASES + LINE_STARTS)
def test_roundtrip_through_pandoc_plain(text: str) -> None:
    assert roundtrip(text) == text


@pytest.mark.parametrize("text", CASES + LINE_STARTS)
def test_escaped_text_is_one_plain_paragraph(text: str) -> None:
    """No link, code, math, citation, raw HTML, div or heading is made from the text."""
    blocks = pandoc_ast(md.escape_line_starts(md.escape_text(text)))["blocks"]
    assert [b["t"] for b in blocks] == ["Para"]
    inline_kinds = {i["t"] for i in blocks[0]["c"]}
    assert inline_kinds <= {"Str", "Space"}, inline_kinds


def test_multiline_text_keeps_every_line_start_escaped() -> None:
    text = "first line\n# second\n::: third\n- fourth"
    escaped = md.escape_line_starts(md.escape_text(text))
    assert pandoc_plain(escaped).split() == text.split()
    assert [b["t"] for b in pandoc_ast(escaped)["blocks"]] == ["Para"]


_ALPHABET = st.sampled_from(
    list("abcXYZ019 .,;:!?-_*`$@#[](){}<>|~^\\/'\"=+%&")
    + ["{{<", ">}}", ":::", "http://x.org", "a@b.de", "<b>", "</b>", "<!--", "-->"]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, min_size=1, max_size=12).map("".join))
def test_random_text_roundtrips(text: str) -> None:
    # pandoc's plain writer collapses whitespace; compare the text as words
    normal = " ".join(text.split())
    if not normal:
        return
    assert roundtrip(normal) == normal
