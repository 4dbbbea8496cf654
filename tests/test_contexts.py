"""What the writer hands over: containers drawn by its contexts (comments, block quotes)
and the one ``PageOutput`` per page.

Each page is read back with pandoc: the structure pandoc sees is what Quarto renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import build_qmd, pandoc_ast
from sphinx.application import Sphinx

from sphinx_qmd_builder.writer import markdown as md
from sphinx_qmd_builder.writer.page import PageOutput


def _build_page(tmp_path: Path, rst: str, pages: list[PageOutput] | None = None) -> str:
    """Build a one-page project; *pages* receives the writer's PageOutput."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('project = "T"\nextensions = ["sphinx_qmd_builder"]\n')
    (src / "index.rst").write_text("Title\n=====\n\n" + rst, encoding="utf-8")

    def keep_page(app: Sphinx) -> None:
        app.connect("build-finished", lambda app, exc: pages.append(app.builder.writer.page))

    result = build_qmd(src, tmp_path / "out", prepare=keep_page if pages is not None else None)
    assert "WARNING" not in result.warnings, result.warnings
    return result.read("index.qmd")


def test_page_output_is_what_the_page_holds(tmp_path: Path) -> None:
    pages: list[PageOutput] = []
    text = _build_page(
        tmp_path,
        ".. _intro:\n\nIntro\n-----\n\n.. _tbl:\n\n.. table:: Numbers\n\n"
        "   ===  ===\n   a    b\n   ===  ===\n   1    2\n   ===  ===\n\nSee :ref:`intro`.\n",
        pages,
    )
    [page] = pages
    assert page.text == text
    # the root page: its title is its unnumbered "#" heading, not YAML (QUARTO.md intro)
    assert page.front_matter == {}
    assert text.startswith("# Title {.unnumbered}\n")
    assert page.cell_markdown is None
    # the ids the translator wrote, named by the page itself (no scan of its text)
    assert page.ids == {"intro", "tbl-tbl"}  # the root page's headings are not numbered
    assert all(f"{{#{ident}" in text for ident in page.ids)


def _blocks(text: str) -> list[dict[str, Any]]:
    return [b for b in pandoc_ast(text)["blocks"]]


def test_comment_text_cannot_close_the_comment() -> None:
    for text in ("a ---> b", "a --> b", "x --!> y", "<!-- inner -->", "ends with -", "-->"):
        comment = f"<!-- {md.comment_text(text)} -->"
        assert comment.count("-->") == 1 and comment.endswith(" -->")
        assert "--!>" not in comment
        [block] = _blocks(f"{comment}\n")
        assert block["t"] == "RawBlock" and block["c"][1] == comment


def test_comment_is_one_comment_and_keeps_no_fence(tmp_path: Path) -> None:
    page = _build_page(
        tmp_path,
        "Before.\n\n"
        ".. a ---> b and more text\n\n"
        "..\n"
        "   ```{figure} images/shape.png\n"
        "   ---\n"
        "   name: shape\n"
        "   ---\n"
        "   Caption\n"
        "   ```\n\n"
        "After.\n",
    )
    blocks = _blocks(page)
    kinds = [b["t"] for b in blocks]
    assert kinds == ["Header", "Para", "RawBlock", "RawBlock", "Para"], page
    first, second = blocks[2]["c"][1], blocks[3]["c"][1]
    assert first == "<!-- a - - -> b and more text -->"
    # QUARTO.md 16: no line of the comment starts with a code fence
    lines = second.split("\n")
    assert len(lines) == 6 and "{figure} images/shape.png" in lines[0]
    assert not any(line.lstrip().startswith(("```", "~~~")) for line in lines)
    assert all(b["t"] != "CodeBlock" for b in blocks)


def test_block_quote_keeps_a_code_block_with_blank_lines(tmp_path: Path) -> None:
    page = _build_page(
        tmp_path,
        "Before.\n\n"
        "   Quoted text::\n\n"
        "       first line\n\n\n"
        "       after two blank lines\n\n"
        "   Still quoted.\n\n"
        "After.\n",
    )
    blocks = _blocks(page)
    assert [b["t"] for b in blocks] == ["Header", "Para", "BlockQuote", "Para"], page
    inside = blocks[2]["c"]
    assert [b["t"] for b in inside] == ["Para", "CodeBlock", "Para"]
    assert inside[1]["c"][1] == "first line\n\n\nafter two blank lines"
    # every line of the quote carries its mark, the blank ones too
    quote = page.split("Before.\n\n", 1)[1].split("\n\nAfter.", 1)[0]
    assert all(line.startswith(">") for line in quote.split("\n")), quote
