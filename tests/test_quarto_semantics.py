"""Unit tests of the Quarto semantics check (tests/quarto_semantics.py) on hand-written books.

Every rule has one input that breaks it and one that does not; the numbering cases are the
inputs of ../shared/QUARTO.md (facts 1, 10, 14, 15, 21, 22) with the numbers Quarto printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from quarto_semantics import (
    CROSSREF_PREFIXES,
    RULES,
    check_book,
    classes_problem,
    compare_with_sphinx,
)

FIGURE = "::: {{#{ident}}}\n![](x.png)\n\nCaption {ident}\n:::\n"


def fig(ident: str) -> str:
    return FIGURE.format(ident=ident)


def titled(title: str, body: str) -> str:
    return f'---\ntitle: "{title}"\n---\n\n{body}'


def notebook(cells: list[tuple[str, str]]) -> str:
    """An nbformat 4.5 notebook; ``source`` as a list of lines (QUARTO.md fact 27)."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": source.splitlines(keepends=True),
                    **({"outputs": [], "execution_count": None} if kind == "code" else {}),
                    "id": f"c{i}",
                }
                for i, (kind, source) in enumerate(cells)
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def make_book(
    root: Path,
    pages: dict[str, str],
    chapters: list[Any] | None = None,
    appendices: list[Any] | None = None,
    project: str = "book",
) -> Path:
    """A Quarto project: ``index.qmd`` (unnumbered preface) first unless *pages* has one."""
    pages = {"index.qmd": "# Preface {.unnumbered}\n\nHello.\n", **pages}
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    config: dict[str, Any] = {"project": {"type": project}}
    if project == "book":
        config["book"] = {"title": "B", "chapters": chapters or list(pages)}
        if appendices:
            config["book"]["appendices"] = appendices
    (root / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


def problems(root: Path, rule: str) -> list[str]:
    return check_book(root).of_rule(rule)


def number(root: Path, ident: str) -> str | None:
    return check_book(root).targets[ident].number


def test_prefixes_come_from_the_package() -> None:
    assert {"fig", "tbl", "eq", "sec", "thm", "lst"} <= CROSSREF_PREFIXES


# -- numbering, as Quarto printed it ------------------------------------------------------------


def test_fact_1_body_h1_numbers_as_new_chapters(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {
            "index.qmd": titled("Preface", "Hello.\n"),
            "ch1.qmd": titled(
                "Chapter One",
                f"# Intro\n\n{fig('fig-a')}\nSee @fig-a.\n\n# Second H1\n\n{fig('fig-b')}\n"
                "## Sub of second {#sec-sub}\n",
            ),
            "ch2.qmd": titled(
                "Chapter Two", f"## Intro2 {{#sec-intro2}}\n\n{fig('fig-c')}\n### Deeper\n"
            ),
        },
    )
    check = check_book(root)
    assert [c.number for c in check.chapters] == ["1", "2", "3"]
    assert check.targets["fig-a"].number == "3.1"
    assert check.targets["fig-b"].number == "4.1"
    assert check.targets["sec-sub"].number == "4.1"
    assert check.targets["fig-c"].number == "3.1"  # the book's second "Figure 3.1"
    assert check.targets["sec-intro2"].number == "3.1"
    assert len(check.of_rule("body_h1")) == 2


def test_unnumbered_index_and_sections(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {"a.qmd": titled("A", f"## One {{#sec-one}}\n\n### Deep {{#sec-deep}}\n\n{fig('fig-a')}")},
    )
    check = check_book(root)
    assert [c.number for c in check.chapters] == [None, "1"]
    assert check.targets["sec-one"].number == "1.1"
    assert check.targets["sec-deep"].number == "1.1.1"
    assert check.targets["fig-a"].number == "1.1"
    assert check.problems == []


def test_fact_21_appendices_and_unnumbered_middle_chapter(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {
            "index.qmd": titled("Preface", "Hi.\n"),
            "a.qmd": titled("A", f"## A sec\n\n{fig('fig-a')}"),
            "mid.qmd": f"# Middle {{.unnumbered}}\n\n## Mid sec {{#sec-mid}}\n\n{fig('fig-m')}",
            "b.qmd": titled("B", f"## B sec\n\n{fig('fig-b')}"),
            "x.qmd": titled(
                "Xapp",
                f"## X sec {{#sec-xs}}\n\n{fig('fig-xa')}\n$$E=1$$ {{#eq-xa}}\n\n"
                "See @fig-xa, @sec-xs, @eq-xa, @fig-b.\n",
            ),
            "y.qmd": titled("Yapp", "See @fig-xa.\n"),
        },
        chapters=["index.qmd", "a.qmd", "mid.qmd", "b.qmd"],
        appendices=["x.qmd", "y.qmd"],
    )
    check = check_book(root)
    assert [c.number for c in check.chapters] == ["1", "2", None, "3", "A", "B"]
    assert check.targets["fig-m"].number == "1"  # no chapter prefix
    assert check.targets["sec-mid"].number is None
    assert check.targets["fig-b"].number == "3.1"
    assert check.targets["fig-xa"].number == "A.1"
    assert check.targets["eq-xa"].number == "A.1"
    assert check.targets["sec-xs"].number == "A.1"
    assert check.problems == []


def test_fact_22_parts_consume_no_number(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {
            "index.qmd": titled("Preface", "Hi.\n"),
            "a.qmd": titled("Chap a", ""),
            "b.qmd": titled("Chap b", ""),
            "p2.qmd": titled("Part Two From File", "Text.\n\n## Part two heading {#sec-p2}\n"),
            "c.qmd": titled("Chap c", fig("fig-c")),
            "d.qmd": titled("Chap d", ""),
        },
        chapters=[
            "index.qmd",
            {"part": "Part I", "chapters": ["a.qmd", "b.qmd"]},
            {"part": "p2.qmd", "chapters": ["c.qmd"]},
            "d.qmd",
        ],
    )
    check = check_book(root)
    numbers = {c.page: c.number for c in check.chapters}
    assert numbers == {
        "index.qmd": "1",
        "a.qmd": "2",
        "b.qmd": "3",
        "p2.qmd": None,
        "c.qmd": "4",
        "d.qmd": "5",
    }
    assert check.targets["fig-c"].number == "4.1"
    assert check.targets["sec-p2"].number is None
    assert check.problems == []


def test_fact_15_title_from_first_heading(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {
            "c2.qmd": "# Top Heading\n\nText.\n\n## Sub {#sec-sub}\n",
            "c1.qmd": "## Something\n\nText one.\n\n## Other {#sec-other}\n",
        },
    )
    check = check_book(root)
    assert [(c.title, c.number) for c in check.chapters[1:]] == [
        ("Top Heading", "1"),
        ("Something", "2"),
    ]
    assert check.targets["sec-sub"].number == "1.1"
    assert check.targets["sec-other"].number == "2.1"


def test_fact_14_notebook_chapter(tmp_path: Path) -> None:
    title_cell = notebook(
        [
            ("markdown", "# Notebook Title\n\nIntro text.\n\n## Sub heading {#sec-nb-sub}\n"),
            ("code", "#| label: fig-nb\n#| fig-cap: Cap\nplot()\n"),
        ]
    )
    front_matter = notebook(
        [
            ("raw", '---\ntitle: "From YAML"\n---\n'),
            ("markdown", "# Body heading\n\nText.\n"),
        ]
    )
    root = make_book(tmp_path, {"nb.ipynb": title_cell, "fm.ipynb": front_matter})
    check = check_book(root)
    assert [(c.title, c.number) for c in check.chapters[1:]] == [
        ("Notebook Title", "1"),
        ("From YAML", "2"),
    ]
    assert check.targets["sec-nb-sub"].number == "1.1"
    assert check.targets["fig-nb"].number == "1.1"
    assert [p.rule for p in check.problems] == ["body_h1"]
    assert check.problems[0].where.startswith("fm.ipynb")


def test_subfigures_take_a_letter(tmp_path: Path) -> None:
    body = (
        "::: {#fig-parent layout-ncol=2}\n![A](x.png){#fig-sa}\n\n![B](x.png){#fig-sb}\n\n"
        "Parent caption\n:::\n\n" + fig("fig-next")
    )
    root = make_book(tmp_path, {"a.qmd": titled("A", body)})
    check = check_book(root)
    assert check.targets["fig-parent"].number == "1.1"
    assert check.targets["fig-sa"].number == "1.1a"
    assert check.targets["fig-sb"].number == "1.1b"
    assert check.targets["fig-next"].number == "1.2"


# -- one failing and one passing input per rule ------------------------------------------------


def test_body_h1(tmp_path: Path) -> None:
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", "# Intro\n\nText.\n")})
    good = make_book(tmp_path / "good", {"a.qmd": titled("A", "## Intro\n\nText.\n")})
    assert problems(bad, "body_h1") == [
        "a.qmd:5: [body_h1] level-1 heading 'Intro' in the body of a chapter that has a "
        "title: Quarto numbers it as a new chapter"
    ]
    assert problems(good, "body_h1") == []


def test_no_title(tmp_path: Path) -> None:
    bad = make_book(tmp_path / "bad", {"a.qmd": "Just text, no heading at all.\n"})
    good = make_book(tmp_path / "good", {"a.qmd": "# Top Heading\n\nText.\n"})
    assert len(problems(bad, "no_title")) == 1
    assert problems(good, "no_title") == []


def test_ref_missing(tmp_path: Path) -> None:
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", "See @fig-nope and @tbl-x.\n")})
    good = make_book(tmp_path / "good", {"a.qmd": titled("A", fig("fig-a") + "\nSee @fig-a.\n")})
    assert len(problems(bad, "ref_missing")) == 2
    assert problems(good, "ref_missing") == []
    # a citation key is no crossref
    cite = make_book(tmp_path / "cite", {"a.qmd": titled("A", "As @doe:2020 shows.\n")})
    assert check_book(cite).problems == []


def test_ref_unnumbered(tmp_path: Path) -> None:
    bad = make_book(
        tmp_path / "bad", {"a.qmd": titled("A", "## U {#sec-u .unnumbered}\n\nSee @sec-u.\n")}
    )
    good = make_book(tmp_path / "good", {"a.qmd": titled("A", "## Z {#sec-z}\n\nSee @sec-z.\n")})
    assert len(problems(bad, "ref_unnumbered")) == 1
    assert problems(good, "ref_unnumbered") == []
    # a span with a fig- id is no figure either
    span = make_book(tmp_path / "span", {"a.qmd": titled("A", "[]{#fig-s}Text @fig-s.\n")})
    assert len(problems(span, "ref_unnumbered")) == 1


def test_link_missing(tmp_path: Path) -> None:
    pages = {
        "a.qmd": titled("A", "## Target section {#sec-z}\n\nText.\n"),
        "sub/b.qmd": titled(
            "B",
            "See [Target section](../a.qmd#sec-z), [gone](../a.qmd#sec-gone), "
            "[here](#sec-here), [nowhere](#sec-nowhere), [the page](../a.qmd) and "
            "[a site](https://example.org/x#y).\n\n## Here {#sec-here}\n",
        ),
    }
    found = problems(make_book(tmp_path / "book", pages), "link_missing")
    assert len(found) == 2
    assert "../a.qmd#sec-gone" in found[0] and "#sec-nowhere" in found[1]


def test_ref_cross_page(tmp_path: Path) -> None:
    pages = {"a.qmd": titled("A", fig("fig-x")), "b.qmd": titled("B", "Refs: @fig-x.\n")}
    bad = make_book(tmp_path / "bad", pages, project="default")
    good = make_book(tmp_path / "good", pages)
    assert len(problems(bad, "ref_cross_page")) == 1
    assert problems(good, "ref_cross_page") == []


def test_duplicate_id(tmp_path: Path) -> None:
    bad = make_book(
        tmp_path / "bad", {"a.qmd": titled("A", fig("fig-a")), "b.qmd": titled("B", fig("fig-a"))}
    )
    good = make_book(
        tmp_path / "good", {"a.qmd": titled("A", fig("fig-a")), "b.qmd": titled("B", fig("fig-b"))}
    )
    assert len(problems(bad, "duplicate_id")) == 1
    assert problems(good, "duplicate_id") == []


def test_unparsed_div(tmp_path: Path) -> None:
    bad = make_book(
        tmp_path / "bad",
        {"a.qmd": titled("A", "::: {#fig-a .cell .shadow bg-primary}\n![](x.png)\n\nCap\n:::\n")},
    )
    good = make_book(
        tmp_path / "good",
        {
            "a.qmd": titled(
                "A",
                "::: {#fig-a .shadow .bg-primary}\n![](x.png)\n\nCap\n:::\n\n"
                "\\:::{figure-md} the author's literal text\n",
            )
        },
    )
    assert len(problems(bad, "unparsed_div")) >= 1
    assert problems(good, "unparsed_div") == []


GRID = """+-----------------------------------------------+-------+
| Image                                         | Name  |
+===============================================+=======+
| ![]({path}x.png)     | meta  |
+-----------------------------------------------+-------+
"""


def test_grid_shortcode(tmp_path: Path) -> None:
    shortcode = "{{< meta params.images_path >}}"
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", GRID.format(path=shortcode))})
    good = make_book(
        tmp_path / "good",
        {
            "a.qmd": titled(
                "A",
                GRID.format(path="/assets/") + f"\n![]({shortcode}x.png)\n\n"
                f"| a | b |\n|---|---|\n| ![]({shortcode}x.png) | meta |\n",
            )
        },
    )
    assert [p.split(": ")[0] for p in problems(bad, "grid_shortcode")] == ["a.qmd:8"]
    assert problems(good, "grid_shortcode") == []


def test_quad_asterisks(tmp_path: Path) -> None:
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", "****Bold****\n")})
    good = make_book(
        tmp_path / "good", {"a.qmd": titled("A", "**Bold** and the author's \\*\\*\\*\\*\n")}
    )
    assert len(problems(bad, "quad_asterisks")) == 1
    assert problems(good, "quad_asterisks") == []


def test_comment_fence(tmp_path: Path) -> None:
    comment = "<!-- ```{{figure}} images/shape.png\n---\nname: shape\n---\nCaption\n{last} -->\n"
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", comment.format(last="```"))})
    good = make_book(tmp_path / "good", {"a.qmd": titled("A", comment.format(last="   ```"))})
    assert len(problems(bad, "comment_fence")) == 1
    assert problems(good, "comment_fence") == []


def test_chapter_entry(tmp_path: Path) -> None:
    bad = make_book(
        tmp_path / "bad",
        {"a.qmd": titled("A", "")},
        chapters=[
            "index.qmd",
            "a.qmd",
            {"href": "https://example.org", "text": "X"},
            {"part": "P", "chapters": ["missing.qmd"]},
        ],
    )
    good = make_book(
        tmp_path / "good",
        {"a.qmd": titled("A", "")},
        chapters=["index.qmd", {"text": "---"}, {"part": "P", "chapters": ["a.qmd"]}],
    )
    assert len(problems(bad, "chapter_entry")) == 2
    assert problems(good, "chapter_entry") == []


def test_callout_heading(tmp_path: Path) -> None:
    bad = make_book(
        tmp_path / "bad",
        {
            "a.qmd": titled(
                "A",
                "## First {#sec-first}\n\n::: {.callout-note}\nBefore heading.\n\n"
                "## Mid Heading\n\nAfter heading.\n:::\n\n## Second {#sec-second}\n",
            )
        },
    )
    good = make_book(
        tmp_path / "good",
        {
            "a.qmd": titled(
                "A",
                '## First {#sec-first}\n\n::: {.callout-note appearance="simple"}\n'
                "**Bold Title**\n\nBody one.\n:::\n\n::: {.callout-note}\n## Heading Title\n\n"
                "Body.\n:::\n\n## Second {#sec-second}\n",
            )
        },
    )
    assert len(problems(bad, "callout_heading")) == 1
    assert number(bad, "sec-second") == "1.3"  # fact 10: the mid heading took 1.2
    assert problems(good, "callout_heading") == []
    assert number(good, "sec-second") == "1.2"


def test_cell_classes(tmp_path: Path) -> None:
    cell = "```{{python}}\n#| classes: {value}\nprint(1)\n```\n"
    bad = make_book(
        tmp_path / "bad",
        {
            "a.qmd": titled(
                "A", cell.format(value="shadow bg-primary") + cell.format(value="[a, b]")
            )
        },
    )
    good = make_book(
        tmp_path / "good",
        {
            "a.qmd": titled(
                "A",
                cell.format(value='"shadow .bg-primary"')
                + cell.format(value="shadow")
                + cell.format(value='".a .b"'),
            )
        },
    )
    assert len(problems(bad, "cell_classes")) == 2
    assert problems(good, "cell_classes") == []


@pytest.mark.parametrize(
    ("value", "fine"),
    [("shadow", True), ('".a .b"', True), ("a .b", True), ("a b", False), ("[a]", False)],
)
def test_classes_values(value: str, fine: bool) -> None:
    assert (classes_problem(value) is None) is fine


def test_inline_cell(tmp_path: Path) -> None:
    bad = make_book(tmp_path / "bad", {"a.qmd": titled("A", "Value: `{python} x * 2`.\n")})
    good = make_book(tmp_path / "good", {"a.qmd": titled("A", "Value: `x * 2` is `python`.\n")})
    assert len(problems(bad, "inline_cell")) == 1
    assert problems(good, "inline_cell") == []


def test_every_rule_is_tested() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(RULES) <= tested


# -- comparison with Sphinx ----------------------------------------------------------------------


def _labels(*items: tuple[str, str, str]) -> dict[str, Any]:
    return {
        qid: {"qid": qid, "docname": doc, "node_id": node, "kind": "figure", "numbered": True}
        for qid, doc, node in items
    }


def test_compare_per_chapter_and_global(tmp_path: Path) -> None:
    root = make_book(
        tmp_path,
        {"a.qmd": titled("A", fig("fig-a1") + fig("fig-a2")), "b.qmd": titled("B", fig("fig-b1"))},
    )
    check = check_book(root)
    labels = _labels(("fig-a1", "a", "a1"), ("fig-a2", "a", "a2"), ("fig-b1", "b", "b1"))
    # Sphinx numbers per chapter (numbered toctree): the numbers must be equal
    per_chapter = SimpleNamespace(
        toc_fignumbers={
            "a": {"figure": {"a1": (1, 1), "a2": (1, 2)}},
            "b": {"figure": {"b1": (2, 1)}},
        },
        toc_secnumbers={"a": {"": (1,)}, "b": {"": (2,)}},
    )
    agreement = compare_with_sphinx(check, per_chapter, labels)
    assert (agreement.agreeing, agreement.total, agreement.per_chapter) == (3, 3, True)
    # Sphinx numbers through the book: own chapter number, Sphinx's order in the page;
    # an unlabelled captioned figure Sphinx numbered (x) shifts the labelled one after it
    book_wide = SimpleNamespace(
        toc_fignumbers={
            "a": {"figure": {"x": (1,), "a1": (2,), "a2": (3,)}},
            "b": {"figure": {"b1": (4,)}},
        },
        toc_secnumbers={},
    )
    agreement = compare_with_sphinx(check, book_wide, labels)
    assert (agreement.agreeing, agreement.total, agreement.per_chapter) == (1, 3, False)
    assert agreement.differ[0] == "a: fig-a1 Quarto 1.1, expected 1.2 (Sphinx 2)"
