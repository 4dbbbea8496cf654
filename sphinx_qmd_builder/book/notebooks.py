"""Notebooks: keep myst-nb's files inside the output folder, and write ``.ipynb`` pages.

A notebook chapter is written as a notebook: the source notebook with its stored outputs,
its markdown cells replaced by the converted markdown (the translator tags every block it
writes with the cell it came from, see :class:`.writer.cells.CellVisitors`, and hands the
result over in its :class:`.writer.page.PageOutput`) and its code cells given the ``#|``
options of their tags and metadata.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import __
from sphinx.util import logging

from ..warning_types import QmdWarning
from ..writer.markdown import comment_text

if TYPE_CHECKING:
    from ..writer.page import PageOutput

logger = logging.getLogger(__name__)

#: myst-nb's default folder names (beside outdir); under the qmd builder they move inside it
MYSTNB_OUTPUT_FOLDER = ".jupyter_execute"
MYSTNB_CACHE_FOLDER = ".jupyter_cache"


def keep_mystnb_inside_outdir(app: Sphinx) -> None:
    """myst-nb writes ``<outdir>/../jupyter_execute``: move it (and its cache) into outdir.

    Runs after myst-nb's own ``builder-inited`` handler; only for the qmd builder, whose
    output folder is the whole Quarto book (writing beside it would litter the user's disk).
    """
    if app.builder.name != "qmd":
        return
    config = getattr(app.env, "mystnb_config", None)
    if config is None:
        return
    outdir = Path(app.outdir).resolve()
    default_cache = outdir.parent / MYSTNB_CACHE_FOLDER
    changes: dict[str, str] = {"output_folder": str(outdir / MYSTNB_OUTPUT_FOLDER)}
    if Path(config.execution_cache_path).resolve() == default_cache:
        changes["execution_cache_path"] = str(outdir / MYSTNB_CACHE_FOLDER)
    app.env.mystnb_config = config.copy(**changes)


def decide_execution(app: Sphinx) -> None:
    """Converting runs no code unless asked (``qmd_execute``); say so on the first lines.

    Runs after myst-nb has made its configuration from ``nb_execution_mode`` and changes
    only that per-build copy: the Sphinx config keeps the book's own mode, which
    ``_quarto.yml`` passes on to Quarto (and an unchanged config keeps the environment).
    """
    if app.builder.name != "qmd":
        return
    from sphinx.util.console import bold

    from .quarto_yml import book_execution_mode

    config = getattr(app.env, "mystnb_config", None)
    intent = book_execution_mode(app.config)
    if config is None:
        return  # no myst-nb: nothing runs
    if not app.config.qmd_execute:
        if config.execution_mode != "off":
            app.env.mystnb_config = config.copy(execution_mode="off")
        logger.info(
            bold("notebooks: ") + "not executed, stored outputs are kept (run them with "
            "sphinx-qmd --execute or qmd_execute = True); the book's execution mode %r "
            "goes to _quarto.yml",
            intent,
        )
        return
    if config.execution_mode == "off":
        logger.info(bold("notebooks: ") + "not executed: the book's execution mode is 'off'")
        return
    logger.info(
        bold("notebooks: ") + "executed by myst-nb (qmd_execute), as the book's mode says: %r",
        config.execution_mode,
    )


#: myst-nb's mime types for the qmd builder, best first: images render in HTML and PDF,
#: markdown and LaTeX math are Quarto's own, HTML only reaches HTML output
QMD_MIME_PRIORITY = (
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "application/pdf",
    "text/markdown",
    "text/latex",
    "text/html",
    "text/plain",
)


def add_qmd_mime_priority(app: Sphinx, config: Any) -> None:
    """Tell myst-nb which output to paste for the qmd builder (it knows only its own builders)."""
    if "nb_mime_priority_overrides" not in config:
        return
    overrides = list(config.nb_mime_priority_overrides or [])
    if any(entry[0] == "qmd" for entry in overrides):
        return  # the user chose
    overrides.extend(("qmd", mime, rank) for rank, mime in enumerate(QMD_MIME_PRIORITY, 1))
    config.nb_mime_priority_overrides = overrides


def drop_thebe_scripts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remove the HTML scripts sphinx-thebe appends to every page (jupyter-book loads it).

    They configure live code in the HTML theme and mean nothing in a Quarto book. Runs after
    sphinx-thebe's own ``doctree-resolved`` handler; recognises its two raw nodes by their text.
    """
    if app.builder.name != "qmd":
        return
    for node in list(doctree.children[-2:]):
        if not isinstance(node, nodes.raw) or node.get("format") != "html":
            continue
        text = node.astext().strip()
        if 'type="text/x-thebe-config"' in text or text.startswith("<script>kernelName ="):
            doctree.remove(node)


def is_notebook_source(path: str | Path) -> bool:
    return str(path).endswith(".ipynb")


def read_notebook(path: str | Path) -> dict[str, Any] | None:
    """The notebook JSON at *path* (nbformat 4), or None when it cannot be read."""
    try:
        # undecodable bytes were reported when the page was read (guard/isolation.py) and the
        # page was salvaged with replacement characters: read it the same way here
        data = json.loads(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and data.get("nbformat", 4) < 4:
        data = as_nbformat4(data)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None
    return data


def as_nbformat4(data: dict[str, Any]) -> dict[str, Any] | None:
    """An older notebook (nbformat 3: worksheets, ``input`` for ``source``, heading cells)
    in the nbformat 4 structure -- as myst-nb reads it, so cell indices agree -- or None."""
    import nbformat

    try:
        notebook = nbformat.reads(json.dumps(data), as_version=4)
    except Exception:  # nbformat raises its own errors, and ValueError/KeyError
        return None
    result = json.loads(nbformat.writes(notebook))
    for index, cell in enumerate(result.get("cells", [])):
        cell["id"] = f"cell-{index}"  # nbformat makes random ids: keep the output reproducible
    return result


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _lines(text: str) -> list[str]:
    """Notebook JSON stores source as a list of lines, each but the last ending in newline."""
    return text.splitlines(keepends=True)


def converted_notebook(
    notebook: dict[str, Any],
    markdown: dict[int, str],
    code_options: dict[int, list[str]],
    front_matter: str,
) -> dict[str, Any]:
    """The output notebook: markdown cells converted, ``#|`` options on code cells.

    *markdown* maps a markdown cell's index to its converted text (cells not in it wrote
    nothing: their content moved elsewhere, e.g. the title into the front matter).
    *code_options* maps a code cell's index to its ``#|`` lines. Outputs are kept as stored.
    *front_matter* (``---`` YAML ``---``) becomes a raw cell at the top, where Quarto reads it.
    """
    result = copy.deepcopy(notebook)
    cells: list[dict[str, Any]] = []
    if front_matter:
        cells.append({"cell_type": "raw", "metadata": {}, "source": _lines(front_matter)})
    for index, cell in enumerate(result["cells"]):
        kind = cell.get("cell_type")
        text = markdown.get(index)
        if kind == "markdown":
            if text is None:
                tags = cell.get("metadata", {}).get("tags", []) or []
                if "remove-cell" in tags or "remove_cell" in tags:
                    # hidden in the Jupyter Book; kept, unconverted, as a comment
                    original = comment_text(cell_source(cell))
                    cell["source"] = _lines(f"<!-- remove-cell:\n{original}\n-->")
                    cells.append(cell)
                elif not cell_source(cell).strip():
                    cells.append(cell)
                # else: converted to nothing (e.g. only the page title, or only a label)
                continue
            cell["source"] = _lines(text)
            cells.append(cell)
            continue
        if kind == "code":
            options = code_options.get(index, [])
            if options:
                source = cell_source(cell)
                cell["source"] = _lines("".join(f"{line}\n" for line in options) + source)
        cells.append(cell)
        if text:
            # blocks traced to a non-markdown cell (a node without a cell line): keep them
            cells.append({"cell_type": "markdown", "metadata": {}, "source": _lines(text)})
    stray = [text for index, text in sorted(markdown.items()) if index >= len(result["cells"])]
    if stray:
        cells.append(
            {"cell_type": "markdown", "metadata": {}, "source": _lines("\n\n".join(stray))}
        )
    result["cells"] = cells
    return result


def notebook_text(page: PageOutput, source: dict[str, Any] | None, docname: str) -> str:
    """The page written as its notebook (JSON text): *source* with the page's converted
    markdown cells and ``#|`` options, outputs kept. Without *source* (the notebook could
    not be read again), a notebook of one markdown cell holding the converted page."""
    markdown = page.cell_markdown or {}
    if source is None:
        logger.warning(
            __("cannot read the notebook again; writing it as converted text only"),
            location=docname,
            type="qmd",
            subtype=QmdWarning.NOTEBOOK,
        )
        source = {
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": ""}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        markdown = {0: page.body}
    notebook = converted_notebook(source, markdown, page.code_options, page.front_matter_block)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
