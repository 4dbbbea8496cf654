"""``_quarto.yml`` Quarto accepts for every ``_toc.yml`` (issue 10, QUARTO.md facts 2, 15, 21, 22).

Two small Jupyter Books: tests/roots/jb-structure (parts, ``numbered``, a ``url:`` entry, a
``title:`` override, an "Appendices" part, a page in no toctree, ``{tableofcontents}``, an
empty book title) and tests/roots/jb-article (``format: jb-article``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jbook_helpers import TESTS, accepted_forms_problems, copy_book, flat_chapters, run_cli

STRUCTURE = TESTS / "roots" / "jb-structure"
ARTICLE = TESTS / "roots" / "jb-article"


def _warnings(stderr: str, text: str) -> list[str]:
    """Warning lines containing *text* (Sphinx 7 does not print the ``[qmd.subtype]`` tag)."""
    return [line for line in stderr.splitlines() if "WARNING" in line and text in line]


@pytest.fixture(scope="module")
def structure(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("structure")
    book = copy_book(STRUCTURE, tmp / "src")
    return run_cli(book, tmp / "out")


def test_structure_is_accepted(structure) -> None:
    assert structure.status == 0, structure.stderr
    data = structure.quarto()
    assert data["project"]["type"] == "book"
    assert accepted_forms_problems(structure.out, data) == []


def test_url_entry_goes_to_the_navbar_with_a_located_warning(structure) -> None:
    book = structure.quarto()["book"]
    assert "https://example.org/docs" not in str(book["chapters"])
    assert book["navbar"]["left"] == [{"href": "https://example.org/docs", "text": "External docs"}]
    url = _warnings(structure.stderr, "https://example.org/docs")
    assert len(url) == 1
    # located at the url: line of _toc.yml (line 11), not at a page
    toc_lines = (STRUCTURE / "_toc.yml").read_text(encoding="utf-8").splitlines()
    assert toc_lines[10].strip().startswith("- url: https://example.org/docs")
    assert re.search(r"_toc\.yml:11: WARNING", url[0]), url[0]


def test_parts_appendices_and_orphan(structure) -> None:
    book = structure.quarto()["book"]
    assert book["chapters"] == [
        "index.qmd",
        {"part": "Basics", "chapters": ["basics/one.qmd", "basics/one-a.qmd", "basics/two.qmd"]},
        {"part": "Extras", "chapters": ["extras/three.qmd"]},
    ]
    # the last part, captioned "Appendices", is Quarto's appendices (letters A, B, ...)
    assert book["appendices"] == ["appendix/a.qmd"]
    # README is in no toctree: written, but not a chapter (Jupyter Book keeps it out of the
    # navigation; Quarto renders every page of the project)
    assert (structure.out / "README.qmd").is_file()
    everything = flat_chapters(book["chapters"]) + book["appendices"]
    assert "README.qmd" not in everything


def test_empty_title_falls_back_to_root_page_title(structure) -> None:
    book = structure.quarto()["book"]
    assert book["title"] == "Welcome to Structure"
    assert "author" not in book  # Sphinx's "Author name not set" is no author
    text = structure.read("_quarto.yml")
    assert 'title: ""' not in text and "title: ''" not in text
    warnings = _warnings(structure.stderr, "has no title")
    assert len(warnings) == 1
    assert "_config.yml:2: WARNING" in warnings[0]


def test_numbering_carried_over(structure) -> None:
    data = structure.quarto()
    # a toctree says numbered: true, so Quarto numbers (Jupyter Book numbers nothing otherwise)
    assert "number-sections" not in data
    # per chapter: a section under `numbered: false` is no numbered target (Sphinx does not
    # number it); one under `numbered: true` is
    labels = json.loads(structure.read("labels.json"))
    assert labels["two-details"]["qid"] == "sec-two-details"
    assert labels["three-details"]["qid"] == "three-details"
    assert labels["three-details"]["numbered"] is False


def test_toc_title_override_is_the_chapter_title(structure) -> None:
    text = structure.read("basics/one.qmd")
    front = yaml.safe_load(text.split("---\n")[1])
    # what the navigation shows comes from the page title: the toc's title: ...
    assert front["title"] == "The First Chapter"
    # ... and the page's own heading is kept, not lost
    assert front["subtitle"] == "Chapter one\u2019s own heading"
    # pages without an override keep their own title
    other = yaml.safe_load(structure.read("basics/two.qmd").split("---\n")[1])
    assert other == {"title": "Two"}


def test_tableofcontents_becomes_a_list_of_chapter_links(structure) -> None:
    index = structure.read("index.qmd")
    expected = (
        "**Basics**\n\n"
        "- [The First Chapter](basics/one.qmd)\n"
        # the writer's ordinary nested list (a post-transform made the toctree a list)
        "  - [A section of one](basics/one-a.qmd)\n"
        "- [External docs](https://example.org/docs)\n"
        "- [Two](basics/two.qmd)\n\n"
        "**Extras**\n\n"
        "- [Three](extras/three.qmd)\n\n"
        "**Appendices**\n\n"
        "- [Tables of constants](appendix/a.qmd)\n"
    )
    assert index.endswith("The chapters of this book:\n\n" + expected)
    # on a chapter page: its sections, linked relative to that page
    one = structure.read("basics/one.qmd")
    assert one.endswith("What this chapter holds:\n\n- [A section of one](one-a.qmd)\n")


def test_tableofcontents_list_parses_as_links(structure) -> None:
    from helpers import pandoc_ast

    blocks = pandoc_ast(structure.read("index.qmd"))["blocks"]
    kinds = [b["t"] for b in blocks]
    assert kinds.count("BulletList") == 3
    assert kinds.count("Para") == 4  # the sentence and three bold captions
    # the section of chapter one is a list nested in chapter one's item
    first = blocks[kinds.index("BulletList")]["c"][0]
    assert [b["t"] for b in first] == ["Plain", "BulletList"]


def test_jb_article_is_a_book_with_every_section_a_chapter(tmp_path: Path) -> None:
    book = copy_book(ARTICLE, tmp_path)
    run = run_cli(book, tmp_path / "out", "-q")
    assert run.status == 0, run.stderr
    data = run.quarto()
    assert data["project"] == {"type": "book"}
    assert data["book"]["chapters"] == ["index.qmd", "methods.qmd", "results.qmd"]
    assert accepted_forms_problems(run.out, data) == []
    # nothing numbered in the toc: Quarto numbers nothing either
    assert data["number-sections"] is False
    # a cross-page {ref} to a section: a link with its title, as Sphinx shows it
    # (QUARTO.md facts 7 and 8)
    assert "[Sampling](methods.qmd#sec-sampling)" in run.read("results.qmd")


def test_validation_moves_and_drops_with_warnings(structure) -> None:
    """check_book on a hand-made structure: what it keeps, moves and drops."""
    from sphinx_qmd_builder.book.quarto_yml import _BookCheck

    class Config:
        external_toc_path = "_toc.yml"
        source_suffix = {".md": "myst"}

        def __contains__(self, name: str) -> bool:
            return hasattr(self, name)

    class Env:
        all_docs = {"intro": 0, "basics/one": 0, "basics/two": 0, "extras/three": 0}

    class Builder:
        outdir = structure.out
        srcdir = structure.book
        env = Env()
        config = Config()

        def get_target_uri(self, docname: str) -> str:
            return docname + ".qmd"

    check = _BookCheck(Builder())
    warned: list[tuple[str | None, str]] = []
    check.warn = lambda key, message, *args: warned.append((check.where(key), message % args))
    kept = check.chapters(
        [
            "index.qmd",
            "https://a.example",
            {"href": "https://b.example", "text": "B"},
            {"part": "", "chapters": ["basics/two.qmd"]},
            {"part": "Gone", "chapters": ["nothere.qmd"]},
            {
                "part": "P",
                "chapters": ["basics/one.qmd", {"part": "Q", "chapters": ["extras/three.qmd"]}],
            },
            "missing.qmd",
        ],
        "chapters",
    )
    assert kept == [
        "index.qmd",
        "basics/two.qmd",
        {"part": "P", "chapters": ["basics/one.qmd", "extras/three.qmd"]},
    ]
    assert check.links == [
        {"href": "https://a.example", "text": "https://a.example"},
        {"href": "https://b.example", "text": "B"},
    ]
    assert len(warned) == 7, warned
    # a page of the toc is located at its file: line
    nested = [w for w in warned if "inside a part" in w[1]]
    assert nested == [(None, "part 'Q' is inside a part; its pages are listed without it")]
    located = [where for where, _message in warned if where]
    assert located == [], located  # none of these entries is in jb-structure's _toc.yml
    assert check.where("basics/two.qmd") == f"{structure.book / '_toc.yml'}:13"


def test_numbered_depth(tmp_path: Path) -> None:
    """``numbered: 2`` on every numbered toctree -> ``number-depth: 2``."""
    book = tmp_path / "depth"
    book.mkdir()
    (book / "_config.yml").write_text("title: Depth\n", encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n  - numbered: 2\n    chapters:\n      - file: a\n",
        encoding="utf-8",
    )
    (book / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    (book / "a.md").write_text("# A\n\n## Sub\n\nText.\n", encoding="utf-8")
    run = run_cli(book, tmp_path / "out", "-q")
    assert run.status == 0, run.stderr
    data = run.quarto()
    assert data["number-depth"] == 2
    assert "number-sections" not in data
    assert data["book"]["chapters"] == ["index.qmd", "a.qmd"]
