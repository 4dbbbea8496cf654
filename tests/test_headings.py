"""Heading levels in a Quarto book (issue 10, QUARTO.md facts 1, 14, 15 and the intro).

A chapter body never has a level-1 heading besides the title: Quarto numbers every body
``#`` as a new chapter. Each build here is read back by the Quarto semantics check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import build_qmd
from quarto_semantics import check_book

ANSI = re.compile(r"\x1b\[[0-9;]*m")

PAGE = """\
# Alpha

Text.

## Alpha one

(beta-label)=
# Beta

See {numref}`fig-beta`, {ref}`beta-label` and {ref}`gamma-sub`.

```{figure} img.png
:name: fig-beta

Beta caption
```

## Beta one

### Beta deep

# Gamma

(gamma-sub)=
## Gamma one
"""


def book(tmp_path: Path, pages: dict[str, str], conf: str = "") -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'project = "Headings"\nextensions = ["myst_nb", "sphinx_qmd_builder"]\n'
        'nb_execution_mode = "off"\nnumfig = True\n' + conf,
        encoding="utf-8",
    )
    (src / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    toctree = "\n".join(name.rsplit(".", 1)[0] for name in pages)
    (src / "index.md").write_text(
        f"# The Book\n\nWelcome.\n\n```{{toctree}}\n{toctree}\n```\n", encoding="utf-8"
    )
    for name, text in pages.items():
        (src / name).write_text(text, encoding="utf-8")
    return src


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"#{1,6} ", line)]


def heading_warnings(text: str) -> list[str]:
    """The qmd.heading_level warnings (Sphinx 7 does not print the type, so by text)."""
    lines = ANSI.sub("", text).splitlines()
    return [line for line in lines if "WARNING: more than one level-1 heading" in line]


def test_levels_kept_and_later_level_1_headings_demoted(tmp_path: Path) -> None:
    src = book(tmp_path, {"chap.md": PAGE})
    result = build_qmd(src, tmp_path / "out")
    page = result.read("chap.qmd")
    assert page.startswith('---\ntitle: "Alpha"\n')
    assert headings(page) == [
        "## Alpha one",
        "## Beta {#sec-beta-label}",
        "### Beta one",
        "#### Beta deep",
        "## Gamma",
        "### Gamma one {#sec-gamma-sub}",
    ]
    # one located warning for the page, at its second level-1 heading
    found = heading_warnings(result.warnings)
    assert len(found) == 1
    assert found[0].startswith(f"{src / 'chap.md'}:8: WARNING: more than one level-1 heading")
    check = check_book(result.outdir)
    assert check.problems == []
    assert [c.number for c in check.chapters] == [None, "1"]
    # the @sec ids the registry gave the demoted headings are numbered where Quarto puts them
    assert check.targets["sec-beta-label"].number == "1.2"
    assert check.targets["sec-gamma-sub"].number == "1.3.1"
    assert check.targets["fig-beta"].number == "1.1"
    assert "@fig-beta" in page
    # text-less {ref}s to sections show the titles, as Sphinx does (QUARTO.md 8)
    assert "[Beta](#sec-beta-label)" in page and "[Gamma one](#sec-gamma-sub)" in page


def test_root_page_is_unnumbered_without_yaml_title(tmp_path: Path) -> None:
    src = book(tmp_path, {"chap.md": "# Chapter\n\n## Section\n"})
    result = build_qmd(src, tmp_path / "out")
    index = result.read("index.qmd")
    assert index.startswith("# The Book {.unnumbered}\n\nWelcome.")
    assert "title:" not in index
    check = check_book(result.outdir)
    assert [(c.page, c.number) for c in check.chapters] == [("index.qmd", None), ("chap.qmd", "1")]
    assert check.problems == []


def test_title_from_heading_off_keeps_the_title_heading(tmp_path: Path) -> None:
    src = book(tmp_path, {"chap.md": PAGE}, conf="qmd_title_from_heading = False\n")
    result = build_qmd(src, tmp_path / "out")
    page = result.read("chap.qmd")
    assert "title:" not in page
    assert headings(page)[:3] == ["# Alpha", "## Alpha one", "## Beta {#sec-beta-label}"]
    assert [h for h in headings(page) if h.startswith("# ")] == ["# Alpha"]
    check = check_book(result.outdir)
    assert check.problems == []
    assert check.chapter_of("chap.qmd").title == "Alpha"
    assert check.targets["sec-beta-label"].number == "1.2"


def _notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": source}
                for i, source in enumerate(cells)
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_notebook_chapter_headings(tmp_path: Path) -> None:
    # one cell stored as a single string (QUARTO.md fact 27), the title cell with more text
    src = book(
        tmp_path,
        {
            "nb.ipynb": _notebook(
                [
                    "# Notebook Title\n\nIntro text.\n\n## Sub heading",
                    "# Second top\n\nMore.\n\n## Its sub",
                ]
            )
        },
    )
    result = build_qmd(src, tmp_path / "out")
    notebook = json.loads(result.read("nb.ipynb"))
    cells = notebook["cells"]
    assert cells[0]["cell_type"] == "raw"
    assert 'title: "Notebook Title"\n' in cells[0]["source"]
    for cell in cells:
        assert isinstance(cell["source"], list)
        assert all(line.endswith("\n") for line in cell["source"][:-1])
    markdown = "".join("".join(c["source"]) + "\n" for c in cells if c["cell_type"] == "markdown")
    assert headings(markdown) == ["## Sub heading", "## Second top", "### Its sub"]
    assert len(heading_warnings(result.warnings)) == 1
    check = check_book(result.outdir)
    assert check.problems == []
    assert check.chapter_of("nb.ipynb").title == "Notebook Title"


def test_heading_warning_has_its_own_subtype(tmp_path: Path) -> None:
    src = book(tmp_path, {"chap.md": PAGE}, conf='suppress_warnings = ["qmd.heading_level"]\n')
    result = build_qmd(src, tmp_path / "out")
    assert heading_warnings(result.warnings) == []
    assert "## Gamma" in result.read("chap.qmd")
