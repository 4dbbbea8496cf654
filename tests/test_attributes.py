"""Attribute blocks and ``#| classes:`` read back the way Quarto reads them (QUARTO.md fact 4).

Pandoc drops a whole ``{...}`` block (and Quarto a whole div) when one class lacks its
dot or is not a name; each form the writer emits is parsed here by pandoc itself.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from helpers import pandoc_ast

from sphinx_qmd_builder.writer import markdown as md
from sphinx_qmd_builder.writer.cells import cell_options


def _first(value: Any, kind: str) -> dict[str, Any] | None:
    """The first pandoc element of *kind* in an AST fragment (depth first)."""
    if isinstance(value, dict):
        if value.get("t") == kind:
            return value
        value = list(value.values())
    if isinstance(value, list):
        for child in value:
            found = _first(child, kind)
            if found is not None:
                return found
    return None


CLASS_CASES = [
    (["shadow", "bg-primary"], ["shadow", "bg-primary"]),
    (["shadow bg-primary"], ["shadow", "bg-primary"]),  # one string holding two classes
    ([".shadow", ".bg-primary"], ["shadow", "bg-primary"]),  # dots already there
    (["a", "a", "b"], ["a", "b"]),
    (["column-page", "x:y", "e.f", "h_i"], ["column-page", "x:y", "e.f", "h_i"]),
    (["a/b", "c%d"], ["a-b", "c-d"]),  # characters pandoc refuses become "-"
    (["1st", "-x", ""], []),  # no leading letter: pandoc would drop the block
    (["ünïcode"], ["ünïcode"]),
]


@pytest.mark.parametrize(("classes", "expected"), CLASS_CASES)
def test_image_attributes_parse(classes: list[str], expected: list[str]) -> None:
    attrs = md.attributes("fig-x", classes, width="45%", fig_align="left")
    # inline (not alone in its paragraph), so pandoc keeps the id on the image itself
    image = _first(pandoc_ast(f"See ![cap](x.png){attrs}")["blocks"], "Image")
    assert image is not None, attrs
    ident, got, pairs = image["c"][0]
    assert (ident, got) == ("fig-x", expected), attrs
    assert dict(pairs) == {"width": "45%", "fig-align": "left"}


@pytest.mark.parametrize(("classes", "expected"), CLASS_CASES)
def test_div_attributes_parse(classes: list[str], expected: list[str]) -> None:
    attrs = md.attributes("fig-x", classes, cap_location="margin")
    div = _first(pandoc_ast(f"::: {attrs}\n\nText.\n\n:::\n")["blocks"], "Div")
    assert div is not None, attrs  # a broken block would be a paragraph "::: {...}"
    assert div["c"][0] == ["fig-x", expected, [["cap-location", "margin"]]]


@pytest.mark.parametrize(
    "given",
    ["shadow bg-primary", ["shadow", "bg-primary"], ".shadow .bg-primary", "shadow .bg-primary"],
)
def test_cell_classes_one_dotted_string(given: Any) -> None:
    """``#| classes:`` is one YAML string with a dot before every class, never a list."""
    found = cell_options({"mystnb": {"image": {"classes": given}}})
    line = next(line for line in found.lines() if line.startswith("#| classes:"))
    assert line == '#| classes: ".shadow .bg-primary"'
    value = yaml.safe_load(line.removeprefix("#| "))["classes"]
    assert isinstance(value, str)
    # Quarto copies the value into the cell's div: it must parse with every class
    div = _first(pandoc_ast(f"::: {{#c1 .cell {value}}}\n\nx\n\n:::\n")["blocks"], "Div")
    assert div is not None and div["c"][0][1] == ["cell", "shadow", "bg-primary"]


def test_cell_classes_from_figure_defaults_and_image_merge() -> None:
    found = cell_options(
        {"mystnb": {"figure": {"classes": "wide"}, "image": {"classes": ["shadow", "wide"]}}},
        defaults={"classes": "base"},
    )
    assert found.options["classes"] == ".base .wide .shadow"
    assert not found.problems  # figure classes are carried, not reported as lost


@pytest.mark.parametrize(
    ("tag", "column"), [("full-width", "page"), ("margin", "margin"), ("popout", "margin")]
)
def test_layout_tags_become_column(tag: str, column: str) -> None:
    found = cell_options({"tags": [tag, "my-tag"]})
    assert found.options == {"column": column, "tags": ["my-tag"]}
    assert f"#| column: {column}" in found.lines()
