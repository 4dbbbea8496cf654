"""``sphinx-qmd`` on a small Jupyter Book (tests/roots/jb-book): config, toc, notebooks, cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jbook_helpers import (
    JB_ROOT,
    cell_option_lines,
    code_cells,
    copy_book,
    flat_chapters,
    listing,
    run_cli,
    source,
)


@pytest.fixture(scope="module")
def jb(tmp_path_factory: pytest.TempPathFactory):
    """The test book built once; also records what the book folder held before."""
    tmp = tmp_path_factory.mktemp("jb")
    book = copy_book(JB_ROOT, tmp / "src")
    before = listing(tmp)
    run = run_cli(book, tmp / "out", "-q")
    run.before = before
    run.tmp = tmp
    return run


def test_exit_status_and_missing_extension_warning(jb) -> None:
    assert jb.status == 0, jb.stderr
    lines = [line for line in jb.stderr.splitlines() if "not_an_installed_extension" in line]
    assert len(lines) == 1
    assert "not installed" in lines[0]


def test_nothing_written_outside_out_dir(jb) -> None:
    after = listing(jb.tmp)
    outside = {name for name in after if not name.startswith("out/")}
    assert outside == set(jb.before), sorted(outside ^ set(jb.before))
    assert all(after[name] == jb.before[name] for name in jb.before)
    # myst-nb's execution folder went inside the book output
    assert (jb.out / ".jupyter_execute").is_dir()
    assert (jb.out / ".doctrees").is_dir()


def test_quarto_yml_mirrors_the_toc(jb) -> None:
    data = jb.quarto()
    chapters = data["book"]["chapters"]
    assert chapters[0] == "index.qmd"
    parts = [c for c in chapters if isinstance(c, dict) and "part" in c]
    assert [p["part"] for p in parts] == ["Basics", "More"]
    assert parts[0]["chapters"] == [
        "chapters/first.qmd",
        "chapters/first-a.qmd",  # a section follows its chapter
        "chapters/extra-1.qmd",  # the glob, expanded in order
        "chapters/extra-2.qmd",
        "notebooks/cells.ipynb",
    ]
    # a url: entry is never a chapter (Quarto stops: "Book chapter not found"): navbar link
    assert parts[1]["chapters"] == ["chapters/mystnb.qmd", "notebooks/glue.ipynb"]
    assert data["book"]["navbar"]["left"] == [{"href": "https://quarto.org", "text": "Quarto"}]
    flat = flat_chapters(chapters)
    # only_build_toc_files: the orphan page is not built
    assert "chapters/orphan.qmd" not in flat
    assert not (jb.out / "chapters" / "orphan.qmd").exists()
    assert flat[-1] == "references.qmd"


def test_quarto_yml_settings(jb) -> None:
    data = jb.quarto()
    book = data["book"]
    assert book["title"] == "A Tiny Book"
    assert book["author"] == "Ada Lovelace"
    assert book["repo-url"] == "https://github.com/example/tiny-book"
    assert book["repo-branch"] == "main"
    assert book["favicon"] == "favicon.ico"
    assert book["sidebar"]["logo"] == "logo.png"
    assert (jb.out / "logo.png").read_bytes() == (jb.book / "logo.png").read_bytes()
    assert (jb.out / "favicon.ico").is_file()
    assert data["bibliography"] == "refs.bib"
    assert data["execute"] == {"enabled": False}
    # one toctree says numbered: true, so Quarto keeps numbering
    assert "number-sections" not in data


def test_mathjax_macros_reach_html_and_pdf(jb) -> None:
    formats = jb.quarto()["format"]
    html = "".join(item["text"] for item in formats["html"]["include-before-body"])
    pdf = "".join(item["text"] for item in formats["pdf"]["include-in-header"])
    assert r"\newcommand{\RR}{\mathbb{R}}" in html
    assert r"\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}" in html
    assert r"\renewcommand{\RR}{\mathbb{R}}" in pdf
    assert r"\renewcommand{\norm}[1]{\left\lVert #1 \right\rVert}" in pdf
    # the house formats are kept
    assert formats["html"]["theme"] == "cosmo"


def test_substitution_and_citation_on_root_page(jb) -> None:
    index = jb.read("index.qmd")
    assert "This is Widget" in index
    assert "@knuth1984" in index
    assert "@fig-cells-plot" in index


# -- notebooks --------------------------------------------------------------------------


def test_notebook_outputs_are_kept(jb) -> None:
    import json

    src = json.loads((jb.book / "notebooks" / "cells.ipynb").read_text(encoding="utf-8"))
    out = jb.notebook("notebooks/cells.ipynb")
    src_code, out_code = code_cells(src), code_cells(out)
    assert len(src_code) == len(out_code)
    for before, after in zip(src_code, out_code):
        assert after["outputs"] == before["outputs"]
        assert after.get("execution_count") == before.get("execution_count")
        # the code itself is unchanged below the #| lines
        body = "\n".join(line for line in source(after).splitlines() if not line.startswith("#| "))
        assert body == source(before)


def test_notebook_front_matter_and_markdown_cells(jb) -> None:
    cells = jb.notebook("notebooks/cells.ipynb")["cells"]
    assert cells[0]["cell_type"] == "raw"
    assert source(cells[0]).startswith('---\ntitle: "Cell options"\n')
    markdown = [source(c) for c in cells if c["cell_type"] == "markdown"]
    # the title moved to the front matter; the rest of that cell stays in its cell
    assert markdown[0].startswith("A notebook with one cell per tag.")
    assert "$x^2$" in markdown[0]
    # a MyST directive inside a markdown cell is converted by the writer
    assert "::: {.callout-note" in markdown[1]
    assert ":::{note}" not in markdown[1]
    # references in markdown cells become Quarto cross-references
    assert any("@fig-cells-plot" in text for text in markdown)
    # two markdown cells in a row stay two cells
    assert "First of two markdown cells in a row." in markdown
    assert "Second of two markdown cells in a row." in markdown
    # raw cells are kept
    assert source(cells[-1]) == "raw cell stays"


def _options_by_code(notebook) -> dict[str, list[str]]:
    found = {}
    for cell in code_cells(notebook):
        body = [line for line in source(cell).splitlines() if not line.startswith("#| ")]
        found[body[0]] = cell_option_lines(cell)
    return found


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("print('plain')", []),
        ("print('remove-input')", ["#| echo: false"]),
        ("print('remove-output')", ["#| output: false"]),
        ("secret = 'remove-cell'", ["#| include: false"]),
        ("both = 1", ["#| echo: false", "#| output: false"]),
        ("print('hide-input')", ["#| code-fold: true"]),
        ("print('hide-output')", []),
        ("print('hide-cell')", ["#| code-fold: true"]),
        ("1/0", ["#| error: true"]),
        ("slow()", ["#| eval: false"]),
        (
            "plot()",
            [
                "#| label: fig-cells-plot",
                "#| fig-cap: A plot from a cell",
                "#| fig-alt: a dot",
                "#| out-width: 50%",
            ],
        ),
    ],
)
def test_tags_become_cell_options_in_notebooks(jb, first_line: str, expected: list[str]) -> None:
    assert _options_by_code(jb.notebook("notebooks/cells.ipynb"))[first_line] == expected


def test_folding_that_quarto_cannot_do_is_warned(jb) -> None:
    # (Sphinx 7 does not print the [qmd.cell_option] suffix)
    warnings = [line for line in jb.stderr.splitlines() if "WARNING: code cell" in line]
    assert any("hide-output" in line and "cells.ipynb" in line for line in warnings)
    assert any("hide-cell" in line and "cells.ipynb" in line for line in warnings)
    assert any("width '50%'" in line and "cells.ipynb" in line for line in warnings)
    assert any("width '60%'" in line and "mystnb.md" in line for line in warnings)
    assert len(warnings) == 4


def test_myst_markdown_notebook_becomes_qmd(jb) -> None:
    text = jb.read("chapters/mystnb.qmd")
    assert 'jupyter: "python3"' in text.split("---")[1]
    cells = re.findall(r"```\{python\}\n(.*?)```", text, re.S)
    assert len(cells) == 5  # the removed cells are back
    expected_code = ["x = 1", "hidden = 2", "raise ValueError(x)", "gone = 3", "plot()"]
    assert [c.strip().splitlines()[-1] for c in cells] == expected_code
    options = [[line for line in c.splitlines() if line.startswith("#|")] for c in cells]
    assert options[0] == ["#| eval: true", "#| echo: true"]
    assert "#| include: false" in options[1]
    assert "#| code-fold: true" in options[2] and "#| error: true" in options[2]
    assert "#| echo: false" in options[3] and "#| output: false" in options[3]
    assert "#| eval: false" in options[4]
    assert "#| label: fig-md-plot" in options[4]
    assert "#| fig-cap: A plot in a page" in options[4]
    # a numref to a cell named as a figure, with no stored output to make a figure node
    assert "After the cells, see @fig-md-plot." in text
    # the prose keeps its place around the cells
    order = [
        text.index(s)
        for s in ("Before the cells.", "hidden = 2", "Between the cells.", "gone = 3", "After the")
    ]
    assert order == sorted(order)


def test_glue(jb) -> None:
    cells = jb.notebook("notebooks/glue.ipynb")["cells"]
    markdown = "\n\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    # {glue} and {glue:text} carry the stored value as text (Quarto has no glue)
    assert "The answer is 42, the ratio is 12.5%." in markdown
    # {glue:figure} with a name: a Quarto figure with its label and caption, and a ref
    figure = re.search(r"::: \{#fig-glued-dot\}\n\n!\[\]\(([^)]*)\)\n\nA glued figure.", markdown)
    assert figure is not None, markdown
    assert "See @fig-glued-dot." in markdown
    # the glued image was copied into the book
    name = figure.group(1).rsplit("}}", 1)[-1].rsplit("/", 1)[-1]
    assert (jb.out / "assets" / "images" / "notebooks" / "glue" / name).is_file()
    # {glue:math} with a label: a numbered equation
    assert re.search(r"\$\$\n\\displaystyle a\^2 \+ b\^2\n\$\$ \{#eq-glued-eq\}", markdown)
    # the gluing cells keep their stored outputs
    glued = [o for c in code_cells(jb.notebook("notebooks/glue.ipynb")) for o in c["outputs"]]
    assert len(glued) == 4
    # a glue reference to another page carries the value too
    assert "42" in jb.read("index.qmd")


def test_notebook_format_qmd_drops_outputs(tmp_path: Path) -> None:
    book = copy_book(JB_ROOT, tmp_path)
    run = run_cli(book, tmp_path / "out", "-q", "-D", "qmd_notebook_format=qmd")
    assert run.status == 0, run.stderr
    assert not (run.out / "notebooks" / "cells.ipynb").exists()
    text = run.read("notebooks/cells.qmd")
    assert 'jupyter: "python3"' in text
    assert "out-of-remove-input" not in text  # outputs are dropped, as documented
    cells = re.findall(r"```\{python\}\n(.*?)```", text, re.S)
    assert len(cells) == 11  # every code cell, removed ones included
    both = next(c for c in cells if "both = 1" in c)
    assert "#| echo: false" in both and "#| output: false" in both
    removed = next(c for c in cells if "secret = 'remove-cell'" in c)
    assert "#| include: false" in removed
    hidden = next(c for c in cells if "print('hide-output')" in c)
    assert "#| tags: [hide-output]" in hidden
    chapters = flat_chapters(run.quarto()["book"]["chapters"])
    assert "notebooks/cells.qmd" in chapters


# -- command line ---------------------------------------------------------------------------


def test_parallel_build_writes_the_same_book(jb, tmp_path: Path) -> None:
    book = copy_book(JB_ROOT, tmp_path)
    run = run_cli(book, tmp_path / "out", "-q", "-j", "2")
    assert run.status == 0, run.stderr
    for name in ("_quarto.yml", "index.qmd", "chapters/mystnb.qmd", "notebooks/cells.ipynb"):
        assert run.read(name) == jb.read(name), name


def test_warning_is_error(tmp_path: Path) -> None:
    book = copy_book(JB_ROOT, tmp_path)
    run = run_cli(book, tmp_path / "out", "-q", "-W", "--keep-going")
    assert run.status == 1


def test_bad_arguments(tmp_path: Path) -> None:
    assert run_cli(tmp_path / "missing", tmp_path / "out").status == 2
    (tmp_path / "empty").mkdir()
    assert run_cli(tmp_path / "empty", tmp_path / "out").status == 2
    book = copy_book(JB_ROOT, tmp_path)
    assert run_cli(book, tmp_path / "out", "-D", "novalue").status == 2
    assert run_cli(book, book / "inside").status == 2
    assert not (book / "inside").exists()
    assert run_cli(book, tmp_path).status == 2  # OUT_DIR holding the book


def test_folder_with_conf_py_is_built_as_is(tmp_path: Path) -> None:
    book = tmp_path / "sphinx"
    book.mkdir()
    (book / "conf.py").write_text(
        # an explicit source_suffix: Sphinx's default dict is shared between in-process
        # builds, and an earlier myst-nb build left '.md': 'myst-nb' in it
        'project = "Plain"\nextensions = ["myst_parser"]\n'
        'source_suffix = {".rst": "restructuredtext", ".md": "markdown"}\n',
        encoding="utf-8",
    )
    (book / "_config.yml").write_text("title: Ignored\n", encoding="utf-8")
    (book / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    run = run_cli(book, tmp_path / "out", "-q")
    assert run.status == 0, run.stderr
    assert run.quarto()["book"]["title"] == "Plain"
    assert "Hello." in run.read("index.qmd")
    assert "execute" not in run.quarto()  # no myst-nb: nothing about execution


def test_jb_article(tmp_path: Path) -> None:
    book = tmp_path / "article"
    book.mkdir()
    (book / "_config.yml").write_text("title: An Article\nauthor: B\n", encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-article\nroot: main\nsections:\n  - file: part2\n", encoding="utf-8"
    )
    (book / "main.md").write_text("# Main\n\nFirst.\n", encoding="utf-8")
    (book / "part2.md").write_text("# Part two\n\nSecond.\n", encoding="utf-8")
    run = run_cli(book, tmp_path / "out", "-q")
    assert run.status == 0, run.stderr
    data = run.quarto()
    # a book (navigation, cross-page references, one number per section page), not a
    # default project (no navigation, every page numbered from 1, cross-page refs unresolved)
    assert data["project"]["type"] == "book"
    assert data["book"]["title"] == "An Article"
    assert data["book"]["chapters"] == ["index.qmd", "part2.qmd"]
