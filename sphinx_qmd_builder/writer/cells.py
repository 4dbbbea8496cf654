"""Code cells: myst-nb cells -> Quarto executable cells with ``#|`` options.

Cell tags and ``mystnb`` metadata (Jupyter Book / myst-nb) become Quarto cell options
(:func:`cell_options`). myst-nb drops removed cells (``remove-cell``, or both
``remove-input`` and ``remove-output``) from the doctree, so the writer reads the page's
notebook again (myst-nb's own reader) and puts those cells back where their source line says,
with ``include: false`` / ``echo: false`` + ``output: false``: nothing is lost.

For notebooks written as ``.ipynb`` the translator does not write code cells at all: it
records which markdown cell each block it writes came from (myst-nb numbers the lines of
cell *i* from ``(i + 1) * 10000``), and :mod:`..book.notebooks` puts the notebook back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

from ..labels import quarto_id
from ..transforms.nodes import qmd_pending_block
from ..warning_types import QmdWarning
from . import markdown as md
from .figures import has_layout_class, layout_classes
from .translator_api import TranslatorAPI

if TYPE_CHECKING:
    from ..builder import QmdBuilder

logger = logging.getLogger(__name__)

#: myst-nb's pseudo line numbers for notebook cells without a source map
CELL_LINE_STRIDE = 10000

#: tag -> the Quarto options it becomes (both spellings myst-nb accepts)
TAG_OPTIONS: dict[str, dict[str, Any]] = {
    "remove-input": {"echo": False},
    "remove_input": {"echo": False},
    "remove-output": {"output": False},
    "remove_output": {"output": False},
    "remove-cell": {"include": False},
    "remove_cell": {"include": False},
    "hide-input": {"code-fold": True},
    "hide_input": {"code-fold": True},
    "hide-cell": {"code-fold": True},
    "hide_cell": {"code-fold": True},
    "raises-exception": {"error": True},
    "skip-execution": {"eval": False},
}

#: Jupyter Book's layout tags -> Quarto's ``column:`` cell option (QUARTO.md fact 19)
TAG_COLUMNS = {"full-width": "page", "margin": "margin", "popout": "margin"}

#: tags Quarto has no form for: kept in ``tags:``, and said once per cell
UNSUPPORTED_TAGS = {
    "hide-output": "Quarto cannot fold a cell's output; it is shown",
    "hide_output": "Quarto cannot fold a cell's output; it is shown",
}


@dataclass
class CellOptions:
    """The ``#|`` options of one cell and what could not be carried."""

    options: dict[str, Any]
    problems: list[str]

    def lines(self) -> list[str]:
        return [f"#| {key}: {option_value(value)}" for key, value in self.options.items()]


class QuotedOption(str):
    """An option value always written as a quoted YAML string (``#| classes: ".a .b"``)."""


def option_value(value: Any) -> str:
    """A ``#|`` option value as YAML (strings quoted only when YAML would misread them)."""
    if isinstance(value, QuotedOption):
        import json

        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(option_value(v) for v in value) + "]"
    text = str(value)
    import yaml

    try:
        plain_ok = yaml.safe_load(text) == text and "\n" not in text and ": " not in text
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and not text.startswith(("'", '"', "#", "|", ">", "@", "`")):
        return text
    import json

    return json.dumps(text, ensure_ascii=False)


def cell_options(
    metadata: dict[str, Any],
    figure_id: Callable[[str], str] | None = None,
    defaults: dict[str, Any] | None = None,
) -> CellOptions:
    """Quarto options for a cell with myst-nb *metadata* (tags + ``mystnb``).

    *figure_id* maps a ``mystnb: figure: name`` label to its Quarto id (``fig-...``).
    *defaults* (``qmd_code_cell_options``) come first; a tag overrides them.
    """
    options: dict[str, Any] = dict(defaults or {})
    problems: list[str] = []
    tags = [str(t) for t in metadata.get("tags", []) or []]
    kept_tags: list[str] = []
    for tag in tags:
        if tag in TAG_COLUMNS:
            options["column"] = TAG_COLUMNS[tag]
        elif tag in TAG_OPTIONS:
            options.update(TAG_OPTIONS[tag])
            if tag in ("hide-cell", "hide_cell"):
                problems.append(f"tag {tag!r}: Quarto folds only the code; the output is shown")
        else:
            kept_tags.append(tag)
            if tag in UNSUPPORTED_TAGS:
                problems.append(f"tag {tag!r}: {UNSUPPORTED_TAGS[tag]}")
    mystnb = metadata.get("mystnb") or metadata.get("myst") or {}
    if not isinstance(mystnb, dict):
        mystnb = {}
    if mystnb.get("remove_code_source"):
        options["echo"] = False
    if mystnb.get("remove_code_outputs"):
        options["output"] = False
    if mystnb.get("number_source_lines"):
        options["code-line-numbers"] = True
    classes: list[str] = md.class_names(_words(options.pop("classes", None) or ""))
    figure = mystnb.get("figure") or {}
    if isinstance(figure, dict):
        name = figure.get("name")
        if name:
            options["label"] = figure_id(str(name)) if figure_id else quarto_id(name, "figure")
        caption = figure.get("caption")
        if caption:
            options["fig-cap"] = str(caption).strip()
        for key in set(figure) - {"name", "caption", "align", "classes"}:
            problems.append(f"mystnb figure option {key!r} has no Quarto form")
        if figure.get("align") in ("left", "center", "right"):
            options["fig-align"] = figure["align"]
        if figure.get("classes"):
            classes += md.class_names(_words(figure["classes"]))
    image = mystnb.get("image") or {}
    if isinstance(image, dict):
        for key, value in image.items():
            if key == "alt":
                options["fig-alt"] = str(value)
            elif key == "align" and value in ("left", "center", "right"):
                options["fig-align"] = value
            elif key in ("width", "height"):
                # Quarto documents out-width/out-height for knitr cells; the Jupyter engine
                # may ignore them, so the size is written and the user is told to check it
                options[f"out-{key}"] = str(value)
                problems.append(
                    f"mystnb image {key} {value!r} written as out-{key}, which Quarto's "
                    "Jupyter engine may ignore; check the figure size"
                )
            elif key == "classes":
                classes += md.class_names(_words(value))
            else:
                problems.append(f"mystnb image option {key!r} has no Quarto form")
    if classes:
        # one string, a dot before every class: Quarto's only working form (QUARTO.md 4)
        options["classes"] = QuotedOption(md.cell_classes(classes))
    if kept_tags:
        options["tags"] = kept_tags
    return CellOptions(options, problems)


def _words(value: Any) -> str:
    """Class names given as a string or a list, as one space-separated string."""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


@dataclass
class SourceCell:
    """A cell of the page's notebook as myst-nb reads it, and where it starts."""

    index: int
    cell_type: str
    source: str
    metadata: dict[str, Any]
    line: int


def notebook_cells(builder: QmdBuilder, docname: str) -> list[SourceCell] | None:
    """The cells of *docname* read as myst-nb reads it; None when it is not a notebook."""
    env = builder.env
    nb_config = getattr(env, "mystnb_config", None)
    md_config = getattr(env, "myst_config", None)
    if nb_config is None or md_config is None:
        return None
    path = Path(env.doc2path(docname))
    try:
        from myst_nb.core.read import create_nb_reader, read_myst_markdown_notebook

        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), md_config, nb_config, text)
        if reader is None:
            return None
        if path.suffix == ".md":
            notebook = read_myst_markdown_notebook(
                text, config=reader.md_config, add_source_map=True, path=path
            )
        else:
            notebook = reader.read(text)
    except Exception as exc:  # a broken notebook: myst-nb warned while reading it
        logger.debug("cannot re-read %s as a notebook: %s", path, exc)
        return None
    source_map = notebook.metadata.get("source_map")
    cells = []
    for index, cell in enumerate(notebook.cells):
        start = source_map[index] if source_map else (index + 1) * CELL_LINE_STRIDE
        source = cell.get("source", "")
        cells.append(
            SourceCell(
                index,
                cell.get("cell_type", ""),
                "".join(source) if isinstance(source, list) else source,
                _plain(cell.get("metadata", {})),
                start + 1,
            )
        )
    return cells


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def is_removed(cell: SourceCell) -> bool:
    """Whether myst-nb leaves *cell* out of the doctree entirely."""
    if cell.cell_type != "code":
        return "remove-cell" in cell.metadata.get("tags", [])
    if not cell.source.strip():
        return True
    tags = cell.metadata.get("tags", []) or []
    if "remove-cell" in tags or "remove_cell" in tags:
        return True
    no_input = "remove-input" in tags or "remove_input" in tags
    no_output = "remove-output" in tags or "remove_output" in tags
    return no_input and no_output


def node_line(node: nodes.Node) -> int | None:
    """The source line of *node* or of its first descendant that has one."""
    if node.line:
        return node.line
    if isinstance(node, nodes.Element):
        for child in node.findall(nodes.Element):
            if child.line:
                return child.line
    return None


class CellVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`: code cells and per-cell bookkeeping."""

    # provided by QmdTranslator
    stack: list[Any]

    def init_cells(self) -> None:
        """Called from the translator's ``__init__``."""
        self.notebook_as_ipynb = self.builder.writes_ipynb(self.docname)
        self.source_cells: list[SourceCell] | None = None
        self.cells_read = False
        #: the source line of each block of the document context, in order
        self.block_lines: list[int | None] = []
        self.top_line: int | None = None
        #: notebook cell index -> the glued figure that cell makes (see cell_figures)
        self.cell_figures = self.figures_made_by_cells()

    # -- which source line wrote which block -------------------------------------------

    def settle_blocks(self) -> None:
        """Give every document-level block written since the last call the current line."""
        document = self.stack[0]
        document.flush_inline()
        missing = len(document.blocks) - len(self.block_lines)
        if missing > 0:
            self.block_lines.extend([self.top_line] * missing)

    def dispatch_visit(self, node: nodes.Node) -> None:
        if (
            isinstance(node, nodes.Element)
            and isinstance(node.parent, (nodes.section, nodes.document))
            and not isinstance(node, nodes.section)
            and len(self.stack) == 1
        ):
            self.settle_blocks()
            line = node_line(node)
            if line is not None:
                self.top_line = line
        super().dispatch_visit(node)

    def cells(self) -> list[SourceCell] | None:
        if not self.cells_read:
            self.cells_read = True
            self.source_cells = notebook_cells(self.builder, self.docname)
        return self.source_cells

    # -- code cells -----------------------------------------------------------------------

    def visit_container(self, node: nodes.container) -> None:
        if node.get("nb_element") == "cell_code":
            if not self.notebook_as_ipynb:
                self.add_block(self.code_cell_text(node))
            # in a notebook written as .ipynb the stored cell (and outputs) are kept
            raise nodes.SkipNode
        self.push()

    def depart_container(self, node: nodes.container) -> None:
        body = self.pop().make()
        if has_layout_class(node) and body:
            # {div} with :class: full-width / margin / popout: Quarto's column classes
            attrs = md.attributes(None, layout_classes(node.get("classes", [])))
            self.add_block(f"::: {attrs}\n\n{body}\n\n:::")
        else:
            self.add_block(body)

    def figure_id(self, name: str) -> str:
        target = self.builder.labels.lookup(name)
        return target.qid if target is not None else quarto_id(name, "figure")

    def options_for(self, metadata: dict[str, Any], node: nodes.Node | None) -> CellOptions:
        found = cell_options(metadata, self.figure_id, self.config.qmd_code_cell_options)
        for problem in found.problems:
            logger.warning(
                "code cell: %s",
                problem,
                location=node if node is not None else self.docname,
                type="qmd",
                subtype=QmdWarning.CELL_OPTION,
            )
        return found

    def code_cell_text(self, node: nodes.container) -> str:
        """A myst-nb code cell as a Quarto executable cell (stored outputs are not kept)."""
        source = next(
            (
                block
                for part in node.children
                if isinstance(part, nodes.container)
                and part.get("nb_element") == "cell_code_source"
                for block in part.findall(nodes.literal_block)
            ),
            None,
        )
        code = source.astext() if source is not None else ""
        if source is None:
            # remove-input: the doctree lost the code; take it from the notebook
            cell = self._source_cell(node.get("cell_index"))
            code = cell.source if cell is not None else ""
        language = self.builder.cell_language(self.docname, source)
        options = self.options_for(node.get("cell_metadata", {}) or {}, node)
        self.adopt_glued_figure(node.get("cell_index"), options)
        return self.fenced_cell(language, options, code)

    def fenced_cell(self, language: str, options: CellOptions, code: str) -> str:
        self.note_id(options.options.get("label"))
        head = "".join(f"{line}\n" for line in options.lines())
        body = code.rstrip()
        fence = md.code_fence(head + body)
        if self.config.qmd_escape_fences:
            fence = "\\" + fence
        return f"{fence}{{{language}}}\n{head}{body}\n{fence}"

    def _source_cell(self, index: int | None) -> SourceCell | None:
        cells = self.cells()
        if cells is None or index is None:
            return None
        return next((c for c in cells if c.index == index), None)

    # -- putting removed cells back, splitting notebooks into cells -------------------------

    def restore_removed_cells(self) -> None:
        """Insert the code cells myst-nb removed, at the place their source line says."""
        cells = self.cells()
        if not cells:
            return
        document = self.stack[0]
        language = self.builder.cell_language(self.docname, None)
        for cell in cells:
            if cell.cell_type != "code" or not is_removed(cell) or not cell.source.strip():
                continue
            options = self.options_for(cell.metadata, None)
            self.adopt_glued_figure(cell.index, options)
            text = self.fenced_cell(language, options, cell.source)
            position = next(
                (
                    i
                    for i, line in enumerate(self.block_lines)
                    if line is not None and line > cell.line
                ),
                len(document.blocks),
            )
            document.blocks.insert(position, text)
            self.block_lines.insert(position, cell.line)

    def ipynb_code_options(self) -> dict[int, list[str]]:
        """``#|`` lines for the code cells of a notebook written as ``.ipynb``.

        Taken from the source cells' metadata (the doctree lacks removed cells); the
        ``qmd_code_cell_options`` defaults are not added to notebooks.
        """
        result: dict[int, list[str]] = {}
        for cell in self.cells() or []:
            if cell.cell_type != "code":
                continue
            found = cell_options(cell.metadata, self.figure_id)
            found.options.pop("tags", None)  # the notebook keeps its tags itself
            for problem in found.problems:
                logger.warning(
                    "code cell %d: %s",
                    cell.index + 1,
                    problem,
                    location=(self.docname, cell.line),
                    type="qmd",
                    subtype=QmdWarning.CELL_OPTION,
                )
            if found.options:
                self.note_id(found.options.get("label"))
                result[cell.index] = found.lines()
        return result

    def markdown_by_cell(self) -> dict[int, str]:
        """The document's blocks grouped by the markdown cell they came from."""
        document = self.stack[0]
        groups: dict[int, list[str]] = {}
        current = 0
        for text, line in zip(document.blocks, self.block_lines):
            if line is not None and line >= CELL_LINE_STRIDE:
                current = line // CELL_LINE_STRIDE - 1
            groups.setdefault(current, []).append(text)
        return {index: "\n\n".join(blocks) for index, blocks in groups.items()}

    # -- glued and evaluated values without a stored output (transforms/glue.py) -------------
    #
    # QUARTO.md fact 18: Quarto prints an inline `{python} expr` as its literal text when it
    # does not execute, and a `fig-` cell loses its caption without an image output. So an
    # expression becomes inline code Quarto evaluates only when the book's _quarto.yml lets
    # Quarto execute and the value is computed on this page (a .qmd with a kernel); otherwise
    # the expression is written as plain inline code and the warning says why. A glued figure
    # is always a figure div (its caption and label kept, so `@fig-` refs resolve); there is
    # no image to show unless a stored one was found at read time. `{{< embed >}}` is never
    # written: whenever fact 17's conditions hold (an .ipynb with stored outputs) myst-nb has
    # the stored value and it is written directly, without embed's duplicate ids.

    def figures_made_by_cells(self) -> dict[int, nodes.figure]:
        """Glued figures without a stored image whose cell Quarto will run on this page.

        Only there does the glue cell itself become the figure (``#| label: fig-…``,
        ``#| fig-cap:``), as the issue asks; elsewhere the figure stays a figure div.
        A cell that glues several such figures keeps them all as divs (one label per cell).
        """
        from ..book.quarto_yml import quarto_executes

        if self.notebook_as_ipynb or not self.builder.notebook_kernel(self.docname):
            return {}
        if not quarto_executes(self.builder):
            return {}
        found: dict[int, list[nodes.figure]] = {}
        for block in self.document.findall(qmd_pending_block):
            figure = block.parent
            if (
                isinstance(figure, nodes.figure)
                and block["origin"] == "glue"
                and block.get("cell") is not None
                and not block.get("refdoc")
                and self.builder.labels.for_node(self.docname, figure) is not None
            ):
                found.setdefault(block["cell"], []).append(figure)
        return {cell: figures[0] for cell, figures in found.items() if len(figures) == 1}

    def adopt_glued_figure(self, index: int | None, options: CellOptions) -> None:
        """Make cell *index* the figure it glues: label, caption, and its output shown."""
        figure = self.cell_figures.get(index) if index is not None else None
        if figure is None:
            return
        target = self.builder.labels.for_node(self.docname, figure)
        assert target is not None  # checked in figures_made_by_cells
        options.options["label"] = target.qid
        caption = figure.next_node(nodes.caption)
        if caption is not None:
            self.push("inline")
            for child in caption.children:
                child.walkabout(self)
            text = " ".join(self.pop().make_inline().split())
            if text:
                options.options["fig-cap"] = text
        # the cell was hidden in the Jupyter Book (remove-cell / remove-output), but its
        # output is now the figure: show the output, hide the code
        if options.options.pop("include", True) is False:
            options.options["echo"] = False
        options.options.pop("output", None)
        self.warn(
            "glued figure %s is made by notebook cell %d when Quarto executes the book; "
            "Quarto shows its caption only if that cell outputs an image (QUARTO.md fact 18)",
            figure,
            QmdWarning.GLUE,
            target.qid,
            index + 1,
        )

    def figure_made_by_cell(self, node: nodes.figure) -> bool:
        """Write only a note and the legend of a glued figure its cell makes."""
        if not any(node is figure for figure in self.cell_figures.values()):
            return False
        target = self.builder.labels.for_node(self.docname, node)
        note = f"glued figure {target.qid if target else ''}: made by the cell that glues it"
        self.add_block(f"<!-- {md.comment_text(note)} -->")
        for legend in node.findall(nodes.legend):
            legend.walkabout(self)
        return True

    def computes_here(self, node: nodes.Element) -> bool:
        """Whether Quarto will evaluate an expression glued/evaluated on this page."""
        from ..book.quarto_yml import quarto_executes

        return (
            bool(node.get("expression"))
            and not node.get("refdoc")
            and not self.notebook_as_ipynb
            and bool(self.builder.notebook_kernel(self.docname))
            and quarto_executes(self.builder)
        )

    def pending_text(self, node: nodes.Element) -> str:
        """The expression to show, with ``{glue:text}``'s format applied when computed."""
        expression = node.get("expression") or node["key"]
        if node.get("fmt_spec"):
            return f"format({expression}, {node['fmt_spec']!r})"
        return expression

    def warn_pending(self, node: nodes.Element, form: str) -> None:
        from ..book.quarto_yml import quarto_executes

        if node["origin"] == "eval":
            what, reason = "{eval}", "no kernel ran while converting"
        else:
            what, reason = f"glue key {node['key']!r}", "no stored value"
            if not node.get("expression"):
                where = f"page {node['refdoc']!r}" if node.get("refdoc") else "this page"
                reason += f", and no cell of {where} glues it"
            elif node.get("refdoc"):
                reason += f" in {node['refdoc']!r}, where it is glued"
        if not quarto_executes(self.builder):
            reason += "; the book is not executed"
        self.warn(
            "%s: %s: %s (store the notebook's outputs, or execute the book)",
            node,
            QmdWarning.GLUE,
            what,
            reason,
            form,
        )

    def visit_qmd_pending_value(self, node: nodes.Element) -> None:
        if self.computes_here(node):
            language = self.builder.cell_language(self.docname, None)
            self.add_inline(md.inline_code(f"{{{language}}} {self.pending_text(node)}"))
        else:
            expression = node.get("expression") or node["key"]
            self.add_inline(md.inline_code(expression))
            self.warn_pending(node, f"written as the code `{expression}`")
        raise nodes.SkipNode

    def visit_qmd_pending_block(self, node: nodes.Element) -> None:
        expression = node.get("expression") or node["key"]
        language = self.builder.cell_language(self.docname, None)
        if isinstance(node.parent, nodes.figure):
            # no image: the figure keeps its caption and label; a comment says what is missing
            cell = node.get("cell")
            made_by = (
                f"notebook cell {cell + 1} (`{expression}`)"
                if cell is not None
                else (f"`{expression}`")
            )
            note = f"glued figure {node['key']!r}: no stored image; {made_by} makes it"
            self.add_block(f"<!-- {md.comment_text(note)} -->")
            self.warn_pending(node, "the figure is written with its caption and no image")
        elif self.computes_here(node):
            options = CellOptions({"echo": False}, [])
            self.add_block(self.fenced_cell(language, options, expression))
        else:
            fence = md.code_fence(expression)
            self.add_block(f"{fence}{language}\n{expression}\n{fence}")
            self.warn_pending(node, "written as a code block with its expression")
        raise nodes.SkipNode
