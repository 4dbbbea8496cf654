"""Text notebooks whose cell options do not parse: the cell is kept, not the page lost.

myst-nb reads a MyST Markdown notebook (``.md`` with jupytext front matter) into cells
before anything is parsed, and raises ``MystMetadataParsingError`` on a ``{code-cell}``
whose ``---`` block or ``:key:`` lines are not valid YAML, or on a ``+++ {...}`` cell
break whose metadata is not JSON: the page would be left out. While the qmd builder reads
a page, myst-nb's two readers are wrapped so that such a cell is kept without its options
(one located warning each); for other builders they raise as before.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from ..warning_types import QmdWarning
from .paths import builder_name

logger = logging.getLogger(__name__)


class _Reading:
    """The environment of the page the qmd builder is reading (None: do not recover)."""

    env: Any = None


def _warn(token: Any, message: str) -> None:
    line = token.map[0] + 1 if getattr(token, "map", None) else None
    logger.warning(
        message,
        location=(_Reading.env.docname, line),
        type="qmd",
        subtype=QmdWarning.CELL_OPTIONS_INVALID,
    )


def _wrap_readers() -> None:
    """Wrap myst-nb's cell readers once per process (they consult :class:`_Reading`)."""
    try:
        from myst_nb.core import read
    except ImportError:
        return
    if getattr(read, "_qmd_wrapped", False):
        return
    read_fenced_cell = read._read_fenced_cell
    read_cell_metadata = read._read_cell_metadata

    def fenced_cell(token: Any, cell_index: int, cell_type: str) -> tuple[dict, list[str]]:
        try:
            return read_fenced_cell(token, cell_index, cell_type)
        except read.MystMetadataParsingError:
            if _Reading.env is None:
                raise
        from myst_parser.parsers.directives import parse_directive_text

        kind = cell_type.lower()
        _warn(token, f"{kind} cell options are not valid YAML; the cell is kept without them")
        result = parse_directive_text(
            directive_class=read._MockDirective,
            first_line="",
            content=token.content,
            validate_options=False,
        )
        return {}, result.body  # myst-parser leaves the bad option lines out of the body

    def cell_metadata(token: Any, cell_index: int) -> dict:
        try:
            return read_cell_metadata(token, cell_index)
        except read.MystMetadataParsingError:
            if _Reading.env is None:
                raise
        _warn(token, "cell break metadata is not a JSON object; the cell is kept without it")
        return {}

    read._read_fenced_cell = fenced_cell
    read._read_cell_metadata = cell_metadata
    read._qmd_wrapped = True


def note_reading(app: Sphinx, docname: str, source: list[str]) -> None:
    _Reading.env = app.env if builder_name(app.env) == "qmd" else None


def forget_reading(app: Sphinx, *args: Any) -> None:
    _Reading.env = None


def setup_cell_options(app: Sphinx) -> None:
    _wrap_readers()
    app.connect("source-read", note_reading)
    app.connect("env-updated", forget_reading)
    app.connect("build-finished", forget_reading)
