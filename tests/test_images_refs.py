"""Images where Quarto needs them, and references as Sphinx shows them (issue 10, 3 and 4).

Both roots are read back through pandoc's AST: ids, classes and attributes on the
elements Quarto reads them from (QUARTO.md facts 3, 4, 5, 6, 13, 19, 20, 23).
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from book_checks import book_problems, read_page
from helpers import build_qmd, build_root, pandoc_ast

ROOTS = Path(__file__).parent / "roots"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def warning_lines(warnings: str) -> list[str]:
    text = ANSI.sub("", warnings)
    return [line for line in text.splitlines() if "WARNING" in line]


def elements(value: Any, kind: str) -> Iterator[dict[str, Any]]:
    """Every pandoc element of *kind* in an AST fragment, in document order."""
    if isinstance(value, dict):
        if value.get("t") == kind:
            yield value
        value = list(value.values())
    if isinstance(value, list):
        for child in value:
            yield from elements(child, kind)


def plain(inlines: list[Any]) -> str:
    """The text of pandoc inlines (Str and Space only)."""
    out = []
    for item in inlines:
        if item["t"] == "Str":
            out.append(item["c"])
        elif item["t"] in ("Space", "SoftBreak"):
            out.append(" ")
        elif isinstance(item.get("c"), list):
            out.append(plain([c for c in item["c"] if isinstance(c, dict)]))
    return "".join(out)


def div(blocks: Any, ident: str) -> dict[str, Any]:
    return next(d for d in elements(blocks, "Div") if d["c"][0][0] == ident)


def links(blocks: Any) -> dict[str, str]:
    """Link target -> link text."""
    return {link["c"][2][0]: plain(link["c"][1]) for link in elements(blocks, "Link")}


# -- images -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    src = tmp_path_factory.mktemp("images") / "src"
    shutil.copytree(ROOTS / "test-images", src)
    result = build_qmd(src, src.parent / "out")
    text = result.read("chapter.qmd")
    return result, text, pandoc_ast(text)["blocks"]


def test_wildcards_resolve_and_missing_images_warn_once(images) -> None:
    result, text, blocks = images
    sources = [img["c"][2][0] for img in elements(blocks, "Image")]
    # Sphinx's HTML order: the SVG before the PNG; copied under the real name
    assert any(s.endswith("pic.svg") for s in sources) and not any(".*" in s for s in sources[:2])
    assert any(s.endswith("only.png") for s in sources)
    folder = result.outdir / "assets" / "images" / "chapter"
    assert {p.name for p in folder.iterdir()} == {"a.png", "only.png", "pic.svg"}
    lines = [line for line in ANSI.sub("", result.warnings).splitlines() if "WARNING" in line]
    # a missing plain path: Sphinx's own warning, not a second one of ours
    assert sum("absent.png" in line for line in lines) == 1
    assert any("image file not readable: img/absent.png" in line for line in lines)
    # a wildcard with no file: ours, located
    wild = [line for line in lines if "nothing-like-this" in line]
    assert len(wild) == 1 and re.search(r"chapter\.md:\d+: WARNING", wild[0])
    assert "the path is kept as written" in wild[0]


def test_grid_table_images_without_shortcodes(images) -> None:
    result, text, blocks = images
    grid, pipe, videos = list(elements(blocks, "Table"))
    # the grid table: two columns, images by a path that exists from the page
    assert len(grid["c"][2]) == 2
    grid_sources = [img["c"][2][0] for img in elements(grid, "Image")]
    assert grid_sources == ["assets/images/chapter/a.png", "assets/images/chapter/pic.svg"]
    for source in grid_sources:
        assert (result.outdir / posixpath.dirname("chapter.qmd") / source).is_file()
    grid_text = text[text.index("+---") : text.index(": Grid table with images")]
    assert "{{<" not in grid_text
    # a pipe table keeps the house style's shortcode (Quarto reads it there)
    assert "| ![]({{< meta params.images_path >}}a.png) | pipe |" in text
    assert len(pipe["c"][2]) == 2
    # a video's shortcode cannot go in a grid table either: a link, and a located warning
    assert len(videos["c"][2]) == 2
    assert [link["c"][2][0] for link in elements(videos, "Link")] == [
        "https://www.youtube.com/embed/dQw4w9WgXcQ"
    ]
    assert "{{<" not in text[text.index("# Video in a grid table") :]
    assert re.search(r"chapter\.md:\d+: WARNING: a video in a grid table", result.warnings)


def test_figure_options_on_image_and_div(images) -> None:
    _, _, blocks = images
    placed = div(blocks, "fig-placed")
    # classes and the margin caption on the div; no fig-align there (QUARTO.md 20)
    assert placed["c"][0][1:] == [["extra-one"], [["cap-location", "margin"]]]
    image = next(elements(placed, "Image"))
    # :figwidth: 50% of :width: 90%; dropped house class bg-primary, kept shadow
    assert image["c"][0][1:] == [["shadow"], [["width", "45%"], ["fig-align", "left"]]]
    wide = div(blocks, "fig-wide")
    assert wide["c"][0][1] == ["column-page"]
    assert next(elements(wide, "Image"))["c"][0][2] == [["width", "300"]]
    pop = div(blocks, "fig-pop")
    assert pop["c"][0][1] == ["column-margin"]
    assert next(elements(pop, "Image"))["c"][0][2] == [["width", "40%"]]
    standalone = [
        img["c"][0][2]
        for img in elements(blocks, "Image")
        if ["fig-align", "right"] in img["c"][0][2]
    ]
    assert standalone == [[["width", "45%"], ["fig-align", "right"]]]


def test_layout_divs(images) -> None:
    _, _, blocks = images
    classes = {
        tuple(d["c"][0][1]): plain(next(elements(d, "Para"))["c"])
        for d in elements(blocks, "Div")
        if not d["c"][0][0]
    }
    assert classes[("column-page", "another")] == "Wide div."
    assert classes[("column-margin",)] == "Popped div."


def test_bold_written_once(images) -> None:
    _, text, blocks = images
    assert "***" not in text.replace("***emphasis***", "")
    page = read_page(text)
    assert not any("**" in s for s in page.prose)  # no literal asterisks survive
    strong = [plain(s["c"]) for s in elements(blocks, "Strong")]
    assert {"Already bold", "Bold rubric"} <= set(strong)


def test_images_book_is_sound(images) -> None:
    result, _, _ = images
    assert book_problems(result.outdir) == []


# -- references ------------------------------------------------------------------------------


def test_references_as_sphinx_shows_them(tmp_path: Path) -> None:
    result = build_root("refs-shown", tmp_path)
    first_text = (result.outdir / "first.qmd").read_text(encoding="utf-8")
    second_text = (result.outdir / "second.qmd").read_text(encoding="utf-8")
    first, second = pandoc_ast(first_text)["blocks"], pandoc_ast(second_text)["blocks"]
    page_ids = {"first.qmd": read_page(first_text).ids, "second.qmd": read_page(second_text).ids}

    # {ref} without text to a figure/table/listing: the caption, linked by file across pages
    here = links(first)
    assert here["#fig-here"] == "The caption here."
    assert here["#tbl-small"] == "A small table"
    assert here["#lst-code"] == "A listing"
    there = links(second)
    assert there["first.qmd#fig-here"] in ("The caption here.", "with text")
    assert there["first.qmd#tbl-small"] == "A small table"
    assert "#fig-here" not in there  # never a bare anchor to another page
    # {numref} and the Quarto-numbered proofs stay @-references
    cites = read_page(second_text).cites
    assert cites.count("fig-here") == 1 and "alg-sort" in cites
    # a text-less {ref} to a section shows the section title, as Sphinx does (QUARTO.md 8)
    assert "sec-content-cards" not in cites
    assert "eq-energy" in cites  # an equation has no caption to show: Quarto's number
    assert "[The caption here.](first.qmd#fig-here)" in second_text
    assert "[with text](first.qmd#fig-here)" in second_text
    # kinds Quarto does not number keep the words sphinx-proof printed
    assert there["first.qmd#rem-careful"] in ("Remark 1", "my words")
    assert "[Remark 1](first.qmd#rem-careful)" in second_text
    assert "[Axiom 1](first.qmd#ax-one)" in second_text
    assert "::: {#alg-sort}" in first_text
    # :nonumber: -- no number in Sphinx, none in Quarto: a plain anchor and sphinx-proof's word
    # (an anchor Quarto does not read as a theorem id: "thm_plain", not "thm-plain")
    assert "[Theorem](first.qmd#thm_plain)" in second_text
    assert "{#thm-plain" not in first_text and "thm_plain" in page_ids["first.qmd"]
    # buttons, cards and contents lists point at the heading's own Quarto id
    assert "[Content cards](first.qmd#sec-content-cards)" in second_text
    assert "[Button text](first.qmd#sec-content-cards)" in second_text
    assert links(first)["#sec-content-cards"] == "Content cards"
    assert links(first)["first.qmd"] == "First"  # the page title is the page itself
    # every link into the book hits an id its target page carries
    for page, blocks in (("first.qmd", first), ("second.qmd", second)):
        for target in links(blocks):
            path, _, fragment = target.partition("#")
            if fragment:
                assert fragment in page_ids[path or page], (page, target)
    # the algorithm is numbered by Quarto now: no unnumbered warning for it
    assert not any("alg-sort" in line for line in warning_lines(result.warnings))
    assert book_problems(result.outdir) == []


@pytest.mark.parametrize(
    ("label", "anchor"),
    [
        ("thm-plain", "thm_plain"),
        ("fig:x", "fig_x"),
        ("sec-x", "sec-x"),
        ("rem-y", "rem-y"),
        ("plain", "plain"),
    ],
)
def test_plain_anchor_never_a_numbering_id(label: str, anchor: str) -> None:
    """A target Sphinx does not number gets an anchor Quarto does not number either."""
    from sphinx_qmd_builder.labels import quarto_id

    assert quarto_id(label, None) == anchor
