"""Pure helpers for cells: tag/metadata -> ``#|`` options, and notebook reassembly."""

from __future__ import annotations

import pytest

from sphinx_qmd_builder.book.notebooks import converted_notebook
from sphinx_qmd_builder.writer.cells import cell_options, option_value


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["remove_input"], {"echo": False}),
        (["remove_output"], {"output": False}),
        (["remove_cell"], {"include": False}),
        (["hide_input"], {"code-fold": True}),
        (["raises-exception", "skip-execution"], {"error": True, "eval": False}),
        (["my-tag"], {"tags": ["my-tag"]}),
    ],
)
def test_tags(tags: list[str], expected: dict) -> None:
    assert cell_options({"tags": tags}).options == expected


def test_tag_overrides_default_and_order_is_kept() -> None:
    found = cell_options({"tags": ["remove-input"]}, defaults={"eval": True, "echo": True})
    assert found.lines() == ["#| eval: true", "#| echo: false"]


def test_mystnb_metadata() -> None:
    found = cell_options(
        {
            "mystnb": {
                "figure": {"name": "fig:plot", "caption": "Plot: with colon", "align": "left"},
                "image": {"alt": "alt text", "unknown": 1},
                "number_source_lines": True,
                "remove_code_source": True,
            }
        },
        figure_id=lambda name: "fig-plot",
    )
    assert found.options == {
        "echo": False,
        "code-line-numbers": True,
        "label": "fig-plot",
        "fig-cap": "Plot: with colon",
        "fig-align": "left",
        "fig-alt": "alt text",
    }
    assert found.lines()[3] == '#| fig-cap: "Plot: with colon"'  # quoted: YAML would misread it
    assert any("unknown" in problem for problem in found.problems)


def test_option_values() -> None:
    assert option_value(True) == "true"
    assert option_value(3) == "3"
    assert option_value("plain words") == "plain words"
    assert option_value("yes") == '"yes"'  # YAML would read a boolean
    assert option_value("#hash") == '"#hash"'
    assert option_value(["a", "b"]) == "[a, b]"


NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3"}},
    "cells": [
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [{"a": 1}]},
        {"cell_type": "markdown", "metadata": {}, "source": "# Title only"},
        {"cell_type": "markdown", "metadata": {"tags": ["remove-cell"]}, "source": "a -- b"},
        {"cell_type": "markdown", "metadata": {}, "source": "Some *text*"},
        {"cell_type": "code", "metadata": {}, "source": ["y = 2\n", "y"], "outputs": []},
    ],
}


def test_converted_notebook() -> None:
    result = converted_notebook(
        NOTEBOOK,
        markdown={0: "Stray block", 3: "Some *text* converted"},
        code_options={4: ["#| echo: false"]},
        front_matter='---\ntitle: "Title only"\n---',
    )
    cells = result["cells"]
    sources = ["".join(c["source"]) for c in cells]
    assert [c["cell_type"] for c in cells] == [
        "raw",
        "code",
        "markdown",  # the stray block, after the cell it was traced to
        "markdown",  # remove-cell: kept as a comment
        "markdown",
        "code",
    ]
    assert sources[0] == '---\ntitle: "Title only"\n---'
    assert sources[2] == "Stray block"
    assert sources[3] == "<!-- remove-cell:\na - - b\n-->"
    assert sources[4] == "Some *text* converted"
    assert sources[5] == "#| echo: false\ny = 2\ny"
    assert cells[1]["outputs"] == [{"a": 1}]
    # the input is not modified
    assert NOTEBOOK["cells"][4]["source"] == ["y = 2\n", "y"]
    assert result["metadata"] == NOTEBOOK["metadata"]
