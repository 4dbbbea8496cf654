"""Slide markers -> revealjs decks, and the ``website`` project type.

The decks are read back with pandoc (``-t json``): slides are level-2 headers, section
dividers level-1 headers, figures ``fig-`` divs. A website must leave no ``@`` reference
to another page (Quarto resolves those only in books, QUARTO.md 7) and its sidebar must
name only written files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from book_checks import front_matter, qmd_pages, read_page
from conftest import CORPORA, EXAMPLE, TESTS
from corpus_conf import copy_book
from helpers import build_qmd, is_crossref, pandoc_ast
from quarto_semantics import check_book, stringify

ROOT = TESTS / "roots" / "test-slides"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHORTCODE = "{{< meta params.images_path >}}"

#: the English titles of the example chapter's 26 marked blocks, in order
EXAMPLE_TITLES = [
    "Image Segmentation",
    "Semantic Segmentation: Road Segmentation",
    "Semantic Segmentation: Medical",
    "Instance Segmentation",
    "Sliding Window",
    "Fully-Convolutional Network - Concept",
    "Fully-Convolutional Network",
    "Fully-Convolutional Network: Results",
    "Encoder-Decoder: Concept",
    "Encoder-Decoder",
    "Upsampling: Unpooling",
    "Upsampling: Unpooling with Switch",
    "Upsampling: Unpooling with Switch",
    "Upsampling: Interpolation",
    "Transposed Convolution",
    "Transposed Convolution",
    "Transposed Convolution: Matrix Notation",
    "UNet: Semantic Segmentation",
    "UNet: Architecture",
    "Loss",
    "Mask R-CNN",
    "Mask R-CNN: Masks",
    "Mask R-CNN: Mask Ground Truth",
    "Mask R-CNN: Results",
    "Panoptic Segmentation",
    "Panoptic Segmentation",
]


def _text(inlines: list[Any]) -> str:
    """Plain text of pandoc inlines."""
    out = []
    for item in inlines:
        kind = item.get("t")
        if kind == "Str":
            out.append(item["c"])
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong"):
            out.append(_text(item["c"]))
    return "".join(out)


def deck_outline(text: str) -> list[tuple[int, str]]:
    """(level, text) of every header of a deck, as pandoc reads it."""
    ast = pandoc_ast(text)
    return [
        (block["c"][0], _text(block["c"][2])) for block in ast["blocks"] if block["t"] == "Header"
    ]


def image_files(outdir: Path, deck: Path) -> list[Path]:
    """The files the images of *deck* point to (the shortcode resolved from its params)."""
    text = deck.read_text("utf-8")
    folder = str((front_matter(text).get("params") or {}).get("images_path", ""))
    found = []
    for uri in map(unquote, read_page(text).images):  # pandoc percent-encodes
        if uri.startswith(SHORTCODE):
            found.append(outdir / (folder.strip("/") + "/" + uri[len(SHORTCODE) :]))
        elif "://" not in uri:
            found.append((deck.parent / uri).resolve())
    return found


def warnings_of(result: Any) -> list[str]:
    return [line for line in ANSI.sub("", result.warnings).splitlines() if "qmd.slides" in line]


# -- the example project ----------------------------------------------------------------


def test_example_deck_slides_titles_figures(example_build) -> None:
    outdir = example_build.outdir
    deck = outdir / "slides" / "segmentation.qmd"
    text = deck.read_text("utf-8")
    outline = deck_outline(text)
    slides = [title for level, title in outline if level == 2]
    dividers = [title for level, title in outline if level == 1]
    assert slides == EXAMPLE_TITLES  # English, from the shipped memory
    assert dividers == [
        "Introduction",
        "Semantic Segmentation",
        "Instance Segmentation",
        "Panoptic Segmentation",
    ]
    assert front_matter(text)["title"] == "Segmentation"
    reading = read_page(text)
    assert reading.figures == 26
    book_ids = read_page(example_build.read("segmentation.qmd")).ids
    assert {i for i in reading.ids if i.startswith("fig-")} <= book_ids
    files = image_files(outdir, deck)
    assert len(files) == 26
    assert [f for f in files if not f.is_file()] == []
    # the book page keeps the blocks and drops only the markers
    page = example_build.read("segmentation.qmd")
    assert "BEGIN SLIDE" not in page and "Title:" not in page
    assert read_page(page).figures >= 26
    metadata = yaml.safe_load((outdir / "slides" / "_metadata.yml").read_text("utf-8"))
    revealjs = {"slide-number": True, "center-title-slide": True, "code-copy": True}
    assert metadata == {"format": {"revealjs": revealjs}}


def test_example_deck_needs_no_translation_request(example_build) -> None:
    # the build has no key: a title missing from the memory would be left untranslated
    assert "0 left untranslated; 0 requests" in example_build.status


def test_example_project_as_website(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    result = build_qmd(src, tmp_path / "out", qmd_project_type="website")
    assert website_problems(result.outdir) == []
    config = yaml.safe_load(result.read("_quarto.yml"))
    assert config["website"]["title"] == "Computer Vision with Deep Learning"
    slides = {"section": "Slides", "contents": ["slides/cnns.qmd", "slides/segmentation.qmd"]}
    assert slides in config["website"]["sidebar"]["contents"]


# -- numbered links: the number the reader sees on the target's page ------------------


def numbered_links(text: str) -> list[tuple[str, str]]:
    """(text, target id) of every link to a numbered kind of id on another page."""
    found: list[tuple[str, str]] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("t") == "Link":
                uri = value["c"][2][0]
                page, _, anchor = uri.partition("#")
                if page and is_crossref(anchor):
                    found.append((stringify(value["c"][1]), anchor))
            walk(value.get("c"))

    walk(pandoc_ast(text)["blocks"])
    return found


def number_problems(outdir: Path, pages: list[Path]) -> tuple[int, list[str]]:
    """How many numbered links *pages* have, and those that do not show the number the
    Quarto semantics check computes for their target (tests/quarto_semantics.py)."""
    targets = check_book(outdir).targets
    count, problems = 0, []
    for page in pages:
        for text, anchor in numbered_links(page_markdown(page)):
            target = targets.get(anchor)
            if not any(c.isdigit() for c in text):
                continue  # a link that shows a title (or the author's own words)
            if target is None or target.number is None:
                why = "no such id" if target is None else "Quarto does not number it"
                problems.append(f"{page.name}: {text!r} -> #{anchor}: {why}")
                continue
            count += 1
            if not re.search(rf"(?<![\w.]){re.escape(target.number)}(?![\w.])", text):
                problems.append(f"{page.name}: {text!r} -> #{anchor} is {target.number}")
    return count, problems


def test_example_deck_links_show_the_book_numbers(example_build) -> None:
    outdir = example_build.outdir
    deck = example_build.read("slides/cnns.qmd")
    # off the deck: Quarto's numbers (chapter 2 and 3), not Sphinx's book-wide ones
    assert "[(2.1)](../cnns.qmd#eq-receptive-field-size)" in deck
    assert "([Figure 3.6](../segmentation.qmd#fig-segmentation-fcn))" in deck
    assert "@fig-cnn-receptive-field illustrates" in deck  # on the deck: Quarto numbers it
    count, problems = number_problems(outdir, sorted((outdir / "slides").glob("*.qmd")))
    assert (count, problems) == (2, [])


def test_example_website_links_show_the_page_numbers(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    result = build_qmd(src, tmp_path / "out", qmd_project_type="website")
    deck = result.read("slides/cnns.qmd")
    # a website numbers per page (QUARTO.md 23): no chapter prefix
    assert "[(1)](../cnns.qmd#eq-receptive-field-size)" in deck
    assert "([Figure 6](../segmentation.qmd#fig-segmentation-fcn))" in deck
    count, problems = number_problems(result.outdir, written_pages(result.outdir))
    assert problems == []
    assert count == 3  # the deck's two and cnns.qmd's own link to the segmentation figure


# -- a small root: references, broken markers ----------------------------------------------


@pytest.fixture(scope="module")
def slides_build(tmp_path_factory: pytest.TempPathFactory):
    src = tmp_path_factory.mktemp("slides-src") / "src"
    shutil.copytree(ROOT, src)
    return build_qmd(src, tmp_path_factory.mktemp("slides-out"), show_warning_types=True)


def test_deck_references_on_and_off_the_deck(slides_build) -> None:
    deck = slides_build.read("slides/a.qmd")
    # the figure on this deck: Quarto numbers it
    assert "See @fig-one," in deck
    # targets not on the deck: links to the book page with Sphinx's numbers
    assert "[Figure 1.2](../a.qmd#fig-two)" in deck
    assert "[(1.1)](../a.qmd#eq-energy)" in deck
    assert "[Bild 1.2](../a.qmd#fig-two)" in deck  # the author's numref words
    # the figure, equation and section numbers the book shows (Sphinx 7: a titled {ref})
    count, problems = number_problems(slides_build.outdir, [slides_build.outdir / "slides/a.qmd"])
    assert problems == []
    assert count == (4 if "[Section 2.1]" in deck else 3)
    # {ref} is "@sec" (Sphinx 9) or a titled link (Sphinx 7): on a deck, a link either way
    assert re.search(r"\[(Section 2\.1|Target section)\]\(\.\./b\.qmd#sec-b-target\)", deck)
    assert "[the other page](../b.qmd)" in deck
    # citations stay citations, and the deck has the bibliography
    assert "@smith2020 says" in deck
    assert front_matter(deck)["bibliography"] == "../refs.bib"
    facts = read_page(deck)
    assert [c for c in facts.cites if is_crossref(c)] == ["fig-one"]
    assert "fig-one" in facts.ids


def test_deck_content_is_written_by_the_same_writer(slides_build) -> None:
    deck = slides_build.read("slides/a.qmd")
    assert "- item two with $x^2$" in deck
    assert '::: {.callout-note appearance="simple"}' in deck
    assert '```python\nprint("code on a slide")\n```' in deck
    assert deck_outline(deck) == [
        (1, "First part"),
        (2, "A figure and its references"),
        (2, "First part"),  # no Title: the heading's text
        (1, "Second part"),
        (2, "Unclosed"),
        (2, "Nested start"),
    ]
    files = image_files(slides_build.outdir, slides_build.outdir / "slides" / "a.qmd")
    assert files and all(f.is_file() for f in files)


def test_broken_markers_are_warned_where_they_are(slides_build) -> None:
    found = [re.sub(r"^.*?(a\.md:\d+)", r"\1", line) for line in warnings_of(slides_build)]
    assert found == [
        "a.md:31: WARNING: slide without a title; it takes 'First part' [qmd.slides]",
        "a.md:49: WARNING: slide begins before the previous one ended; that one ends here"
        " [qmd.slides]",
        "a.md:49: WARNING: slide never ends; it ends at the end of its section [qmd.slides]",
        "a.md:55: WARNING: slide title outside a slide; kept as a comment [qmd.slides]",
        "a.md:56: WARNING: end of a slide that never began; marker dropped [qmd.slides]",
    ]


def test_book_page_keeps_every_block(slides_build) -> None:
    page = slides_build.read("a.qmd")
    for text in (
        "Paragraph of a slide that never ends",
        "Second slide text.",
        "Text after a stray end.",
        "A callout on a slide.",
        "See @fig-one, @fig-two",
    ):
        assert text in page
    assert "BEGIN SLIDE" not in page and "END SLIDE" not in page
    assert "<!-- Title: Lost title -->" in page  # not a slide's: an ordinary comment


def test_slides_off_keeps_the_markers(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    result = build_qmd(src, tmp_path / "out", qmd_slides=False)
    assert not (result.outdir / "slides").exists()
    assert "<!-- ### BEGIN SLIDE -->" in result.read("a.qmd")
    assert "qmd.slides" not in result.warnings


def test_configured_markers_and_relative_images(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    page = (src / "a.md").read_text("utf-8")
    page = page.replace("### BEGIN SLIDE", "slide").replace("### END SLIDE", "/slide")
    (src / "a.md").write_text(page.replace("Title:", "Folie:"), "utf-8")
    result = build_qmd(
        src,
        tmp_path / "out",
        qmd_slide_markers=("slide", r"Folie:\s*(.*)", "/slide"),
        qmd_images_path=None,
    )
    deck = result.read("slides/a.qmd")
    assert "## A figure and its references" in deck
    assert "![](../pic.png){width=300}" in deck
    assert all(f.is_file() for f in image_files(result.outdir, result.outdir / "slides/a.qmd"))


def test_stale_deck_removed_when_markers_go(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    out = tmp_path / "out"
    build_qmd(src, out)
    assert (out / "slides" / "a.qmd").is_file()
    build_qmd(src, out, qmd_slides=False)
    assert not (out / "slides" / "a.qmd").exists()
    assert not (out / "slides" / "_metadata.yml").exists()


# -- website ------------------------------------------------------------------------------


def sidebar_files(contents: list[Any]) -> list[str]:
    files: list[str] = []
    for entry in contents:
        if isinstance(entry, str):
            files.append(entry)
        elif isinstance(entry, dict):
            if entry.get("href") and "://" not in entry["href"]:
                files.append(entry["href"])
            files.extend(sidebar_files(entry.get("contents") or []))
    return files


def written_pages(outdir: Path) -> list[Path]:
    """Every page: ``.qmd`` and notebooks kept as ``.ipynb``."""
    notebooks = [p for p in outdir.rglob("*.ipynb") if ".doctrees" not in p.parts]
    return sorted([*qmd_pages(outdir), *notebooks])


def page_markdown(page: Path) -> str:
    """The markdown of a page (a notebook's markdown cells, joined)."""
    text = page.read_text("utf-8")
    if page.suffix != ".ipynb":
        return text
    cells = json.loads(text).get("cells", [])
    return "\n\n".join(
        "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
    )


def website_problems(outdir: Path) -> list[str]:
    """What a Quarto website would get wrong: cross-page @refs, sidebar entries to nothing."""
    problems: list[str] = []
    config = yaml.safe_load((outdir / "_quarto.yml").read_text("utf-8"))
    if config.get("project", {}).get("type") != "website" or "book" in config:
        problems.append("_quarto.yml is not a website")
    contents = config.get("website", {}).get("sidebar", {}).get("contents", [])
    for name in sidebar_files(contents):
        if not (outdir / name).is_file():
            problems.append(f"sidebar names {name}, which was not written")
    for page in written_pages(outdir):
        reading = read_page(page_markdown(page))
        for key in reading.cites:
            if is_crossref(key) and key not in reading.ids:
                problems.append(f"{page.relative_to(outdir)}: @{key} is not on this page")
            if key.startswith("sec-"):
                problems.append(f"{page.relative_to(outdir)}: @{key}: a number nobody sees")
    return problems


def test_website_references_become_numbered_links(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    result = build_qmd(src, tmp_path / "out", qmd_project_type="website")
    assert website_problems(result.outdir) == []
    page = result.read("b.qmd")
    # per page, as the website shows it (QUARTO.md 23), not Sphinx's 1.1
    assert "[Figure 1](a.qmd#fig-one)" in page
    assert "[(1)](a.qmd#eq-energy)" in page
    # b.qmd's two, and the deck's three links into a.qmd
    assert number_problems(result.outdir, written_pages(result.outdir)) == (5, [])
    assert "See @fig-one, @fig-two" in result.read("a.qmd")  # same page: Quarto numbers it
    config = yaml.safe_load(result.read("_quarto.yml"))
    assert config["website"]["sidebar"]["contents"] == [
        "index.qmd",
        {"section": "Lectures", "contents": ["a.qmd", "b.qmd"]},
        {"section": "Slides", "contents": ["slides/a.qmd"]},
    ]
    assert "references.qmd" not in sidebar_files(config["website"]["sidebar"]["contents"])
    assert list(config["format"]) == ["html"]


def test_cli_project_type_flag(tmp_path: Path) -> None:
    from sphinx_qmd_builder.cli import main

    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    assert main([str(src), str(tmp_path / "out"), "-q", "--project-type", "website"]) == 0
    config = yaml.safe_load((tmp_path / "out" / "_quarto.yml").read_text("utf-8"))
    assert config["project"]["type"] == "website"


CORPUS_BOOKS = ["pbdl-book", "teachbooks-manual", "pseudodiffusers-ko"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_BOOKS)
def test_corpus_as_website(name: str, tmp_path: Path) -> None:
    if not (CORPORA / name).is_dir():
        pytest.skip("../shared/corpora is not beside the repo")
    src = copy_book(CORPORA / name, tmp_path / "book")
    result = build_qmd(src, tmp_path / "out", qmd_project_type="website")
    assert "Traceback" not in result.warnings
    assert website_problems(result.outdir) == []
    assert len(written_pages(result.outdir)) > 5


def test_slide_titles_are_translated_through_the_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polib
    from fake_deepl import KEY, running

    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    monkeypatch.setenv("DEEPL_AUTH_KEY", KEY)
    with running() as fake:
        result = build_qmd(
            src,
            tmp_path / "out",
            qmd_translate=True,
            qmd_deepl_server_url=fake.url,
            qmd_translate_source="EN",
        )
        sent = [t for r in fake.requests if r["path"] == "/v2/translate" for t in r["body"]["text"]]
    deck = result.read("slides/a.qmd")
    assert "## A FIGURE AND ITS REFERENCES" in deck  # the Title: marker, translated
    assert "## FIRST PART" in deck  # a title taken from the heading ...
    assert sent.count("First part") == 1  # ... is the heading's one memory entry
    catalog = polib.pofile(str(src / "translations" / "EN-US" / "a.po"))
    assert catalog.find("A figure and its references").msgstr == "A FIGURE AND ITS REFERENCES"


def test_a_slide_that_fails_costs_that_slide_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sphinx_qmd_builder.writer.translator import QmdTranslator

    original = QmdTranslator.visit_literal_block

    def broken(self: QmdTranslator, node: Any) -> None:
        if self.deck is not None:
            raise ValueError("broken on purpose")
        original(self, node)

    monkeypatch.setattr(QmdTranslator, "visit_literal_block", broken)
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    result = build_qmd(src, tmp_path / "out", show_warning_types=True)
    deck = result.read("slides/a.qmd")
    assert [t for level, t in deck_outline(deck) if level == 2] == [
        "A figure and its references",
        "Unclosed",
        "Nested start",
    ]
    assert any(
        "a.md:31: WARNING: slide left out of the deck: broken on purpose" in line
        for line in warnings_of(result)
    )
    assert 'print("code on a slide")' in result.read("a.qmd")


def test_markers_in_myst_percent_and_rst_comments(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'project = "c"\nextensions = ["myst_parser", "sphinx_qmd_builder"]\n', "utf-8"
    )
    (src / "index.md").write_text(
        "# T\n\n```{toctree}\nother\n```\n\n## S\n\n"
        "% ### BEGIN SLIDE\n% Title: Via percent\n\nHello.\n\n% ### END SLIDE\n",
        "utf-8",
    )
    (src / "other.rst").write_text(
        "R\n=\n\nSec\n---\n\n.. ### BEGIN SLIDE\n\n.. Title: Rst\n\nText.\n\n.. ### END SLIDE\n",
        "utf-8",
    )
    result = build_qmd(src, tmp_path / "out")
    assert "qmd.slides" not in result.warnings
    assert deck_outline(result.read("slides/index.qmd")) == [(1, "S"), (2, "Via percent")]
    assert deck_outline(result.read("slides/other.qmd")) == [(1, "Sec"), (2, "Rst")]


def test_deck_links_count_as_the_book_does(tmp_path: Path) -> None:
    """Parts take no number, appendices are lettered, an unlabelled captioned figure counts."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'project = "n"\nextensions = ["myst_parser", "sphinx_qmd_builder"]\n'
        'myst_enable_extensions = ["colon_fence", "dollarmath"]\nnumfig = True\n',
        "utf-8",
    )
    toc = "```{{toctree}}\n:caption: {}\n\n{}\n```\n\n"
    (src / "index.md").write_text(
        "# Home\n\n" + toc.format("Part I", "a\nb") + toc.format("Appendices", "x"), "utf-8"
    )
    figure = ":::{{figure-md}} {}\n<img src='p.png'>\n\nCaption {}.\n:::\n\n"
    (src / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "a.md").write_text(
        "# A\n\n## S\n\n<!-- ### BEGIN SLIDE -->\n<!-- Title: Links -->\n"
        "See {numref}`fig-b`, {numref}`Bild %s <fig-x>` and {eq}`eq-x`.\n"
        "<!-- ### END SLIDE -->\n",
        "utf-8",
    )
    (src / "b.md").write_text(
        "# B\n\n```{figure} p.png\n\nNo label.\n```\n\n" + figure.format("fig-b", "b"), "utf-8"
    )
    (src / "x.md").write_text(
        "# X\n\n" + figure.format("fig-x", "x") + "$$\ny = 1\n$$ (eq-x)\n", "utf-8"
    )
    result = build_qmd(src, tmp_path / "out")
    deck = result.read("slides/a.qmd")
    assert "See [Figure 2.2](../b.qmd#fig-b), [Bild A.1](../x.qmd#fig-x) and [(A.1)]" in deck
    assert number_problems(result.outdir, [result.outdir / "slides" / "a.qmd"]) == (3, [])
