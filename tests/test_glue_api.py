"""Glue, eval and stray code cells without a kernel; API descriptions (issue 11, items 4, 6).

One root (tests/roots/test-glue) built without execution, and once more with a book that
Quarto executes (the book's execution mode ``cache``, given as ``qmd_book_execution``: a
``-D nb_execution_mode`` override changes only how the conversion runs, never what
``_quarto.yml`` asks of Quarto; the conversion runs no kernel either way). Checked through
pandoc's reading of the pages.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from book_checks import read_page
from helpers import BuildResult, build_qmd, pandoc_ast, pandoc_plain

ROOT = Path(__file__).parent / "roots" / "test-glue"


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, **overrides) -> BuildResult:
    src = tmp_path_factory.mktemp(f"{name}-src")
    shutil.copytree(ROOT, src, dirs_exist_ok=True)
    return build_qmd(src, tmp_path_factory.mktemp(f"{name}-out"), **overrides)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return _build(tmp_path_factory, "glue")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return _build(
        tmp_path_factory,
        "glue-exec",
        qmd_book_execution="cache",
        nb_execution_excludepatterns=["*"],
    )


def warnings_of(result: BuildResult, subtype: str) -> list[str]:
    return [line for line in result.warnings.splitlines() if f"[qmd.{subtype}]" in line]


def prose(text: str) -> str:
    """What a reader sees of *text* (pandoc's plain-text rendering), on one line."""
    return " ".join(pandoc_plain(text).split())


def notebook_markdown(result: BuildResult, name: str) -> str:
    notebook = json.loads(result.read(name))
    return "\n\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def figure_divs(text: str) -> list[tuple[str, list[str]]]:
    """``(id, [block types])`` of every fig- div pandoc reads."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if value.get("t") == "Div" and value["c"][0][0].startswith("fig-"):
                found.append((value["c"][0][0], [b["t"] for b in value["c"][1]]))
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(pandoc_ast(text)["blocks"])
    return found


# -- glue and eval, not executed ---------------------------------------------------------------


def test_glue_figure_same_page_keeps_caption_and_label(plain: BuildResult) -> None:
    text = plain.read("textnb.qmd")
    # a figure div with the label, an HTML comment for the missing image, and the caption
    assert figure_divs(text) == [("fig-sine", ["RawBlock", "Para"])]
    assert "A sine *wave* glued." in text
    assert "See @fig-sine for the wave." in text
    assert "fig-sine" in read_page(text).cites
    assert any("'sine_fig'" in w and "textnb.md:26" in w for w in warnings_of(plain, "glue"))
    assert "Abbildung" not in text and "%s" not in text


def test_glue_text_and_eval_keep_their_expression(plain: BuildResult) -> None:
    text = plain.read("textnb.qmd")
    words = prose(text)
    assert "The answer is answer and plainly answer." in words
    assert "The value is answer * 2 today." in words
    # never an inline {python} in a book Quarto does not execute (QUARTO.md fact 18)
    assert "{python}" not in "\n".join(
        line for line in text.splitlines() if not line.startswith("```")
    )
    located = warnings_of(plain, "glue")
    assert sum("textnb.md:22" in w for w in located) == 2
    assert any("textnb.md:24" in w and "{eval}" in w for w in located)


def test_stored_glue_values_are_pasted(plain: BuildResult) -> None:
    markdown = notebook_markdown(plain, "stored.ipynb")
    assert "Pi is about 3.14 here." in prose(markdown)
    (figure,) = figure_divs(markdown)
    assert figure == ("fig-stored", ["Para", "Para"])
    assert "See @fig-stored again." in markdown
    assert not any("stored.ipynb" in w for w in warnings_of(plain, "glue"))


def test_glue_cell_with_a_stored_image_gives_the_figure(plain: BuildResult) -> None:
    markdown = notebook_markdown(plain, "shown.ipynb")
    assert figure_divs(markdown) == [("fig-shown", ["Para", "Para"])]
    image = re.search(r"!\[\]\(\{\{< meta params.images_path >\}\}(\w+\.png)\)", markdown)
    assert image is not None
    assert (plain.outdir / "assets" / "images" / "shown" / image.group(1)).is_file()
    assert "See @fig-shown here." in markdown


def test_glue_from_another_page(plain: BuildResult) -> None:
    text = plain.read("cross.qmd")
    assert "From the text notebook: answer; stored: 3.14." in prose(text)
    assert "```python\nanswer\n```" in text
    assert sum("cross.md" in w and "'textnb'" in w for w in warnings_of(plain, "glue")) == 3
    assert "{{< embed" not in text
    # a key without a page (myst-nb 0.x found it anywhere in the book)
    assert "Without a page, as myst-nb 0.x allowed: answer and 3.142." in prose(text)
    assert figure_divs(text) == [("fig-stored-again", ["Para", "Para"])]
    assert "See @fig-stored-again." in text


def test_code_cell_outside_a_notebook_is_kept(plain: BuildResult) -> None:
    text = plain.read("plain.qmd")
    page = read_page(text)
    assert 'print("kept code")' in page.code
    assert page.cells == []  # a plain block: nothing executes it
    assert "Words before the cell." in prose(text)
    assert "Words after the cell." in prose(text)
    assert 'print("loaded from a file")' in page.code  # :load: read as myst-nb reads it
    located = warnings_of(plain, "code_cell")
    assert len(located) == 2
    assert "plain.md:5" in located[0] and "plain.md:12" in located[1]


# -- the same book, executed by Quarto -----------------------------------------------------------


def test_executed_book_computes_inline_values(executed: BuildResult) -> None:
    text = executed.read("textnb.qmd")
    assert "The answer is `{python} format(answer, '.1f')` and plainly `{python} answer`." in text
    assert "The value is `{python} answer * 2` today." in text
    assert not any("textnb.md:22" in w for w in warnings_of(executed, "glue"))
    # another page's value cannot be computed here: still its expression, with the warning
    assert "`{python}" not in executed.read("cross.qmd")
    assert any("cross.md:3" in w for w in warnings_of(executed, "glue"))


# -- API descriptions ------------------------------------------------------------------------------


def test_api_descriptions_are_definition_lists(plain: BuildResult) -> None:
    text = plain.read("api.qmd")
    assert warnings_of(plain, "unknown") == []
    blocks = pandoc_ast(text)["blocks"]
    kinds = [b["t"] for b in blocks]
    assert kinds == [
        "DefinitionList",
        "Para",
        "Header",
        "DefinitionList",
        "Para",
        "Para",  # versionadded
        "Table",  # autosummary (a comment node in Sphinx, content here)
        "CodeBlock",  # productionlist
    ]
    # no heading of its own: the only section is the author's, at its source level (##)
    assert [b["c"][0] for b in blocks if b["t"] == "Header"] == [2]

    def term(item) -> tuple[list[str], str]:
        spans = [inline for inline in item[0] if inline["t"] == "Span"]
        ids = [span["c"][0][0] for span in spans]
        code = [span["c"][1][0]["c"][1] for span in spans if span["c"][1]]
        return ids, " ".join(code)

    assert [term(item) for item in blocks[0]["c"]] == [
        (["compute"], "compute(x, y=2)"),
        (["cmdoption-path-output"], "--path-output <path_output>"),
        (["tinymod.greet"], "tinymod.greet(name: str, times: int = 1) -> str"),
        (["tinymod.Box"], "class tinymod.Box"),
    ]
    # a class's members nest inside its definition
    box = blocks[0]["c"][3][1][0]
    assert [b["t"] for b in box] == ["Para", "DefinitionList"]
    assert term(box[1]["c"][0]) == (["tinymod.Box.open"], "open(force: bool = False) -> None")
    # an option with two names: both are link targets
    assert [term(item) for item in blocks[3]["c"]] == [
        (["cmdoption-tool-output", "cmdoption-tool-o"], "-o FILE, --output FILE")
    ]
    words = prose(text)
    for sentence in (
        "Compute a value from x and the second operand.",
        "Where the output files go.",
        "Say hello to name politely.",
        "Parameters - name – who to greet - times – how often to greet",
        "Returns the greeting text",
        "A box of things.",
        "Open the box, by force if need be.",
        "The output file of the tool.",
        "With tool --output the tool writes a file.",
        "Added in version 1.2: The tool learnt to write files.",
    ):
        assert sentence in words
    # references to the objects link to their signatures
    assert "[`tinymod.greet()`](#tinymod.greet)" in text
    assert "[`--path-output`](#cmdoption-path-output)" in text
    assert "[`tool --output`](#cmdoption-tool-o)" in text
    assert "Say hello to *name* politely. |" in text  # the autosummary row
    assert blocks[-1]["c"][1] == 'call ::= name "(" args ")"'


def test_executed_book_makes_the_glue_cell_the_figure(executed: BuildResult) -> None:
    text = executed.read("textnb.qmd")
    cell = text.split("```{python}\n", 1)[1].split("```", 1)[0]
    # remove-cell would hide the figure: the code is hidden instead, the output shown
    assert cell.startswith(
        "#| eval: true\n#| echo: false\n#| label: fig-sine\n#| fig-cap: A sine *wave* glued.\n"
    )
    assert "include: false" not in cell
    assert figure_divs(text) == []  # one figure, made by the cell: no duplicate id
    assert "See @fig-sine for the wave." in text
    assert any("fig-sine" in w and "fact 18" in w for w in warnings_of(executed, "glue"))
    # a notebook with stored outputs is not executed by Quarto: its figures stay as they are
    assert figure_divs(notebook_markdown(executed, "shown.ipynb")) == [
        ("fig-shown", ["Para", "Para"])
    ]


# -- finding the glued expression ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('glue("k", x + 1)', "x + 1"),
        ("%matplotlib inline\nfrom myst_nb import glue\nglue('k', fig, display=False)", "fig"),
        ("import myst_nb\nmyst_nb.glue(name='k', variable=df.mean())", "df.mean()"),
        ('glue("other", 1)\nglue("k",\n     [1,\n      2])', "[1, 2]"),
        ('glue("kk", 1)', None),
        ("glue('k', ", None),  # not Python
    ],
)
def test_glued_expression(source: str, expected: str | None) -> None:
    from sphinx_qmd_builder.transforms.glue import glued_expression

    assert glued_expression(source, "k") == expected
