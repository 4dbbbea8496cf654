"""``qmd_*`` config values are checked when conf.py has been read: a wrong value stops the
build with a ConfigError that names the value, what was given and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import build_qmd
from sphinx.errors import ConfigError

from sphinx_qmd_builder.config import CONFIG_VALUES, config_problem


def project(folder: Path, **values: Any) -> Path:
    """A one-page project whose conf.py sets *values* (written as Python literals)."""
    folder.mkdir()
    conf = ['extensions = ["sphinx_qmd_builder"]', *(f"{k} = {v!r}" for k, v in values.items())]
    (folder / "conf.py").write_text("\n".join(conf) + "\n", encoding="utf-8")
    (folder / "index.rst").write_text("Title\n=====\n\nText.\n", encoding="utf-8")
    return folder


BAD_VALUES: list[tuple[str, Any, str]] = [
    # (name, given, what the message says is allowed)
    ("qmd_notebook_format", "markdown", "'ipynb' or 'qmd'"),
    ("qmd_callout_appearance", "fancy", "'default', 'simple', 'minimal' or None"),
    ("qmd_translate_missing", "ignore", "'warn' or 'error'"),
    ("qmd_keep_image_alt", "yes", "True or False"),
    ("qmd_title_from_heading", None, "True or False"),
    ("qmd_latex_export_markers", ("BEGIN",), "two non-empty strings"),
    ("qmd_latex_export_markers", ("BEGIN", "END", "MORE"), "two non-empty strings"),
    ("qmd_latex_export_markers", ("BEGIN", ""), "two non-empty strings"),
    ("qmd_latex_export_markers", "BEGIN END", "a list or None"),
    ("qmd_drop_image_classes", "bg-primary", "a list"),
    ("qmd_drop_image_classes", ["bg-primary", 1], "a list of strings"),
    ("qmd_code_cell_options", ["echo"], "a dict"),
    ("qmd_code_cell_options", {"echo": {1, 2}}, "option names (strings) to YAML values"),
    ("qmd_code_cell_options", {1: True}, "option names (strings) to YAML values"),
    ("qmd_quarto_formats", {"html": ["cosmo"]}, "Quarto format names to their options"),
    ("qmd_quarto_formats", "html", "a dict"),
    ("qmd_images_path", "/assets/images/", "contains {docname}"),
    ("qmd_images_path", "/assets/{docname}", "ends with '/'"),
    ("qmd_images_path", "/assets/{page}/", "contains {docname}"),
    ("qmd_images_path", "/assets/{docname/", "a folder template"),
    ("qmd_images_path", "../{docname}/", "has no '..'"),
    ("qmd_images_path", 3, "a string or None"),
    ("qmd_references_page", "  ", "a non-empty string"),
    ("qmd_translate_target", "", "a non-empty string"),
    ("qmd_translate_documents", ["intro", 2], "a list of strings"),
    ("qmd_translate_glossary", {"Hund": 1}, "source terms to target terms"),
    ("qmd_book_title", ["A", "B"], "a string or None"),
    ("qmd_project_type", "site", "'book' or 'website'"),
    ("qmd_slide_markers", ("BEGIN", "END"), "three regular expressions"),
    ("qmd_slide_markers", ("BEGIN", "Title: .*", "END"), "the title one with a (group)"),
    ("qmd_slide_markers", ("BEGIN", "Title: (.*", "END"), "missing )"),
    ("qmd_slides_format", {1: True}, "a dict of option names"),
]


@pytest.mark.parametrize(("name", "given", "allowed"), BAD_VALUES)
def test_bad_value_stops_the_build_with_a_clear_message(
    tmp_path: Path, name: str, given: Any, allowed: str
) -> None:
    src = project(tmp_path / "src", **{name: given})
    with pytest.raises(ConfigError) as raised:
        build_qmd(src, tmp_path / "out")
    message = str(raised.value)
    assert message.startswith(f"{name} = {given!r} is not allowed: it must be "), message
    assert allowed in message, message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    src = project(tmp_path / "src", qmd_notebook_format="md", qmd_escape_fences="no")
    with pytest.raises(ConfigError) as raised:
        build_qmd(src, tmp_path / "out")
    assert [line.split(" = ")[0] for line in str(raised.value).splitlines()] == [
        "qmd_escape_fences",
        "qmd_notebook_format",
    ]


def test_defaults_and_good_values_are_allowed(tmp_path: Path) -> None:
    for value in CONFIG_VALUES:
        assert config_problem(value, value.default) is None, value.name
    src = project(tmp_path / "src")
    result = build_qmd(
        src,
        tmp_path / "out",
        qmd_notebook_format="qmd",
        qmd_callout_appearance=None,
        qmd_latex_export_markers=["%% BEGIN", "%% END"],
        qmd_images_path="/img/{docname}/",
        qmd_quarto_formats={"html": "default", "pdf": None},
        qmd_code_cell_options={"echo": False, "fig-width": 6.5, "layout-ncol": 2},
        qmd_translate_documents="intro*",
    )
    assert result.statuscode == 0
    assert "index.qmd" in {p.name for p in result.outdir.iterdir()}


def test_command_line_value_is_checked(tmp_path: Path) -> None:
    """``-D name=value`` arrives as a string; a wrong choice is refused all the same."""
    from jbook_helpers import run_cli

    src = project(tmp_path / "src")
    run = run_cli(src, tmp_path / "out", "-D", "qmd_notebook_format=markdown")
    assert run.status == 2
    assert "qmd_notebook_format = 'markdown' is not allowed" in run.stderr
