"""Glue, eval and stray code cells when no kernel ran: keep what the author wrote.

myst-nb pastes a glued value (``{glue:text}``, ``{glue:figure}`` ...) from the notebook's
stored outputs, and evaluates ``{eval}`` in a running kernel. When the notebook was neither
executed nor saved with its outputs, myst-nb writes a warning and *nothing*: the sentence
loses its number, the figure its caption and its label (a ``{numref}`` to it no longer
resolves). A ``{code-cell}`` in a page myst-nb does not read as a notebook is dropped the
same way.

For the qmd builder only, the directives and roles below stand in for myst-nb's when it
has nothing to paste. They find the cell that glues the key (``glue("key", expr)``) and
leave a :class:`~.nodes.qmd_pending_value` / :class:`~.nodes.qmd_pending_block` carrying
the expression; a ``{glue:figure}`` stays a figure with its caption and ``:name:``, so
Sphinx numbers it and the label registry knows it. When the glue cell itself has a stored
image (the figure it showed), that image is pasted, as myst-nb pastes stored outputs. The
writer (``writer/cells.py``) decides what each pending value becomes. Where myst-nb has
the value, its own code runs unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..compat import app_of
from ..guard.paths import builder_name, is_allowed, refuse
from ..warning_types import QmdWarning
from .nodes import qmd_pending_block, qmd_pending_value

logger = logging.getLogger(__name__)

#: kernel / lexer names of a ``{code-cell}`` argument -> fence language
_CELL_LANGUAGES = {"ipython3": "python", "ipython": "python", "python3": "python", "ir": "r"}

#: output mime types that are an image a figure can show
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
#: ``glue:figure`` options that are the image's
IMAGE_OPTIONS = ("alt", "height", "width", "scale", "class")


# -- finding the cell that glues a key ---------------------------------------------------------


def _parse(source: str) -> ast.Module | None:
    """*source* as Python; IPython magics and shell lines are blanked first."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def glue_calls(source: str) -> dict[str, str]:
    """Every ``glue("key", expr)`` in *source*: key -> expression (the first for a key)."""
    tree = _parse(source)
    if tree is None:
        return {}
    text = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    found: dict[str, str] = {}
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "glue":
            continue
        args = list(call.args)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        first = args[0] if args else keywords.get("name")
        value = args[1] if len(args) > 1 else keywords.get("variable")
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and value is not None
            and (segment := ast.get_source_segment(text, value))
        ):
            found.setdefault(first.value, " ".join(segment.split()))
    return found


def glued_expression(source: str, key: str) -> str | None:
    """The expression *source* glues under *key*, or None."""
    return glue_calls(source).get(key) if key in source else None


def find_glue(cells: Iterable[tuple[int, str]], key: str) -> tuple[int, str] | None:
    """``(cell index, expression)`` of the first code cell that glues *key*."""
    for index, source in cells:
        expression = glued_expression(source, key)
        if expression is not None:
            return index, expression
    return None


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# -- read time: which documents, which notebook --------------------------------------------------


def _for_qmd(document: nodes.document) -> bool:
    env = getattr(document.settings, "env", None)
    return env is not None and builder_name(env) == "qmd"


def _renderer(document: nodes.document) -> Any:
    return document.get("nb_renderer")


def _notebook(document: nodes.document) -> Any:
    element = _renderer(document)
    if element is None:
        return None
    return element.renderer.nb_client.notebook


def _has_glue(document: nodes.document, key: str) -> bool:
    element = _renderer(document)
    return element is not None and key in element.renderer.nb_client.glue_data


def _code_cells(notebook: Any) -> list[tuple[int, str]]:
    return [
        (index, _source(cell))
        for index, cell in enumerate(notebook.cells)
        if cell.get("cell_type") == "code"
    ]


def _stored_image(
    document: nodes.document, index: int, line: int, source: str, options: dict[str, Any]
) -> list[Any]:
    """myst-nb's nodes for the first stored image output of cell *index* (or []), with
    the directive's image options (as myst-nb's ``glue:figure`` passes them)."""
    from myst_nb.core.variables import VariableOutput, render_variable_outputs

    notebook = _notebook(document)
    for output in notebook.cells[index].get("outputs", []) or []:
        data = output.get("data") or {}
        if any(mime in data for mime in IMAGE_MIMES):
            image_only = {m: v for m, v in data.items() if m in IMAGE_MIMES}
            value = VariableOutput(
                data=image_only,
                metadata=output.get("metadata", {}),
                nb_renderer=_renderer(document),
                vtype="glue",
            )
            render = {"image": {key: options[key] for key in IMAGE_OPTIONS if key in options}}
            return render_variable_outputs([value], document, line, source, render=render)
    return []


def pending(
    cls: type[nodes.Element],
    document: nodes.document,
    origin: str,
    key: str,
    line: int,
    **attrs: Any,
) -> nodes.Element:
    """A pending value of this page: the expression of the cell that glues *key*, if any."""
    expression = key if origin == "eval" else None
    cell = None
    if origin == "glue":
        notebook = _notebook(document)
        found = find_glue(_code_cells(notebook), key) if notebook is not None else None
        if found is not None:
            cell, expression = found
    text = expression or key
    node = cls(text, text) if cls is qmd_pending_value else cls()
    node.update_all_atts({"origin": origin, "key": key, **attrs})
    if expression is not None:
        node["expression"] = expression
    if cell is not None:
        node["cell"] = cell
    node.source = document["source"]
    node.line = line
    return node


# -- the stand-in roles and directives -------------------------------------------------------------


def _roles() -> dict[str, Any]:
    from myst_nb.ext.eval import EvalRoleAny
    from myst_nb.ext.glue.roles import PasteMarkdownRole, PasteRoleAny, PasteTextRole

    class GlueAnyRole(PasteRoleAny):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            if (
                not _for_qmd(self.document)
                or "::" in self.text
                or _has_glue(self.document, self.text)
            ):
                return super().run()
            return [pending(qmd_pending_value, self.document, "glue", self.text, self.line)], []

    class GlueTextRole(PasteTextRole):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            key, _, fmt_spec = self.text.rpartition(":") if ":" in self.text else ("", "", "")
            if not key or key.endswith(":"):  # no format, or only "doc::key"
                key, fmt_spec = self.text, ""
            if not _for_qmd(self.document) or "::" in key or _has_glue(self.document, key):
                return super().run()
            node = pending(qmd_pending_value, self.document, "glue", key, self.line, gtype="text")
            if fmt_spec and fmt_spec != "s":
                node["fmt_spec"] = fmt_spec
            return [node], []

    class GlueMarkdownRole(PasteMarkdownRole):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            key = self.text.rsplit(":", 1)[0] if self.text.count(":") == 1 else self.text
            if not _for_qmd(self.document) or _has_glue(self.document, key):
                return super().run()
            return [pending(qmd_pending_value, self.document, "glue", key, self.line)], []

    class EvalRole(EvalRoleAny):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            if not _for_qmd(self.document) or _can_eval(self.document):
                return super().run()
            return [pending(qmd_pending_value, self.document, "eval", self.text, self.line)], []

    return {
        "any": GlueAnyRole(),
        "text": GlueTextRole(),
        "md": GlueMarkdownRole(),
        "eval": EvalRole(),
    }


def _can_eval(document: nodes.document) -> bool:
    """Whether this page has a kernel ``{eval}`` can ask (myst-nb's inline execution)."""
    from myst_nb.core.execute.base import NotebookClientBase

    element = _renderer(document)
    if element is None:
        return False
    client = element.renderer.nb_client
    return type(client).eval_variable is not NotebookClientBase.eval_variable


def _figure(directive: Any, content: list[nodes.Node], origin: str) -> list[nodes.Node]:
    """A figure around *content* with the directive's caption, legend and ``:name:``
    (as myst-nb's ``glue:figure``, which follows Sphinx's ``figure``)."""
    figure = nodes.figure("", *content)
    directive.set_source_info(figure)
    options = directive.options
    if options.get("figwidth") is not None:
        figure["width"] = options["figwidth"]
    figure["classes"] += options.get("figclass") or []
    if options.get("align"):
        figure["align"] = options["align"]
    directive.add_name(figure)
    if directive.content:
        holder = nodes.Element()
        directive.state.nested_parse(directive.content, directive.content_offset, holder)
        first = holder[0] if len(holder) else None
        if isinstance(first, nodes.paragraph):
            caption = nodes.caption(first.rawsource, "", *first.children)
            caption.source, caption.line = first.source, first.line
            figure += caption
            rest = holder[1:]
        else:
            rest = holder[:]
            if first is not None and not isinstance(first, nodes.comment):
                logger.warning(
                    "%s figure: the first content is not a paragraph, so there is no caption",
                    origin,
                    location=figure,
                    type="qmd",
                    subtype=QmdWarning.GLUE,
                )
        if rest:
            figure += nodes.legend("", *rest)
    return [figure]


def _directives() -> dict[str, type[Directive]]:
    from myst_nb.ext.eval import EvalDirectiveAny, EvalFigureDirective
    from myst_nb.ext.glue.directives import (
        PasteAnyDirective,
        PasteFigureDirective,
        PasteMarkdownDirective,
        PasteMathDirective,
    )

    def block_for(base: type[Directive]) -> type[Directive]:
        class GlueBlock(base):
            def run(self) -> list[nodes.Node]:
                key = self.arguments[0]
                if (
                    not _for_qmd(self.state.document)
                    or "doc" in self.options
                    or _has_glue(self.state.document, key)
                ):
                    return super().run()
                return [pending(qmd_pending_block, self.state.document, "glue", key, self.lineno)]

        GlueBlock.__name__ = f"Qmd{base.__name__}"
        return GlueBlock

    class GlueFigure(PasteFigureDirective):
        def run(self) -> list[nodes.Node]:
            document = self.state.document
            key = self.arguments[0]
            if not _for_qmd(document) or _has_glue(document, key):
                return super().run()
            content = pending(qmd_pending_block, document, "glue", key, self.lineno)
            if "cell" in content and _notebook(document) is not None:
                image = _stored_image(
                    document, content["cell"], self.lineno, document["source"], self.options
                )
                if image:
                    return _figure(self, image, "glue")
            return _figure(self, [content], "glue")

    class EvalBlock(EvalDirectiveAny):
        def run(self) -> list[nodes.Node]:
            document = self.state.document
            if not _for_qmd(document) or _can_eval(document):
                return super().run()
            return [pending(qmd_pending_block, document, "eval", self.arguments[0], self.lineno)]

    class EvalFigure(EvalFigureDirective):
        def run(self) -> list[nodes.Node]:
            document = self.state.document
            if not _for_qmd(document) or _can_eval(document):
                return super().run()
            content = pending(qmd_pending_block, document, "eval", self.arguments[0], self.lineno)
            return _figure(self, [content], "eval")

    return {
        "any": block_for(PasteAnyDirective),
        "md": block_for(PasteMarkdownDirective),
        "math": block_for(PasteMathDirective),
        "figure": GlueFigure,
        "eval": EvalBlock,
        "eval:figure": EvalFigure,
    }


class _AnyOptions(dict):
    """An option spec that accepts every option (a cell's ``:tags:``, ``:load:`` ...)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return directives.unchanged

    def get(self, key: str, default: Any = None) -> Any:
        return directives.unchanged

    def __bool__(self) -> bool:
        return True


class PlainCodeCell(Directive):
    """``{code-cell}`` / ``{raw-cell}`` where myst-nb does not make a cell of it.

    myst-nb turns code cells into notebook cells only in pages with a jupytext header, and
    only at the top level; any other one reaches this directive, which myst-nb registers to
    warn and drop it. Under the qmd builder the code is kept as a plain code block (it is
    not a cell: nothing executes it), with a located warning.
    """

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()

    def run(self) -> list[nodes.Node]:
        document = self.state.document
        if not _for_qmd(document):
            from myst_nb.core.read import UnexpectedCellDirective

            return UnexpectedCellDirective.run(self)
        raw = self.name == "raw-cell"
        language = "" if raw else (self.arguments[0] if self.arguments else "python")
        language = _CELL_LANGUAGES.get(language.lower(), language.lower())
        code = "\n".join(self.content)
        source, line = self.state_machine.get_source_and_line(self.lineno)
        if self.options.get("load"):
            code = self.loaded(Path(source or document["source"]), line) or code
        block = nodes.literal_block(code, code, language=language or "text")
        block.source, block.line = source, line
        logger.warning(
            "{%s} outside a notebook page (no jupytext header) or nested in a directive: "
            "kept as a plain code block, which Quarto does not execute",
            self.name,
            location=block,
            type="qmd",
            subtype=QmdWarning.CODE_CELL,
        )
        return [block]

    def loaded(self, page: Path, line: int | None) -> str | None:
        """The code of ``:load: file`` (relative to the page), as myst-nb reads it."""
        env = self.state.document.settings.env
        path = page.parent / str(self.options["load"]).strip()
        location = (str(page), line)
        if not is_allowed(env, path):
            refuse("code-cell :load:", path, location, env=env)
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            logger.warning(
                "code-cell :load: %s cannot be read (%s)",
                path,
                exc,
                location=location,
                type="qmd",
                subtype=QmdWarning.CODE_CELL,
            )
            return None
        env.note_dependency(str(path))
        return text


def register(app: Sphinx, config: Config) -> None:
    """Stand in for myst-nb's glue and eval roles and directives (qmd builder only).

    Runs at ``config-inited``, after every extension's ``setup()``, so the stand-ins win
    over myst-nb's registrations; each falls back to myst-nb's own code for other builders
    and whenever myst-nb has the value.
    """
    if "myst_nb" not in app.extensions:
        return
    roles = _roles()
    blocks = _directives()
    for name in ("glue", "glue:", "glue:any"):
        app.add_role(name, roles["any"], override=True)
    app.add_role("glue:text", roles["text"], override=True)
    app.add_role("glue:md", roles["md"], override=True)
    app.add_role("eval", roles["eval"], override=True)
    for name in ("", "any"):
        app.add_role_to_domain("glue", name, roles["any"], override=True)
        app.add_directive_to_domain("glue", name, blocks["any"], override=True)
    app.add_role_to_domain("glue", "text", roles["text"], override=True)
    app.add_role_to_domain("glue", "md", roles["md"], override=True)
    app.add_directive("glue", blocks["any"], override=True)
    for name in ("figure", "md", "math"):
        app.add_directive_to_domain("glue", name, blocks[name], override=True)
    app.add_directive("eval", blocks["eval"], override=True)
    app.add_directive_to_domain("eval", "figure", blocks["eval:figure"], override=True)
    app.add_directive("code-cell", PlainCodeCell, override=True)
    app.add_directive("raw-cell", PlainCodeCell, override=True)


# -- write time: glue from another page ------------------------------------------------------------


class QmdPendingGlueTransform(SphinxPostTransform):
    """A glue reference to another page (``{glue:any}`` ``:doc:``, ``{glue:text}`doc::key```)
    whose value is not stored: a pending value with the expression that page glues.

    Runs before myst-nb's own transform (priority 5), which would warn and drop it.
    """

    default_priority = 4
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        try:
            from myst_nb.ext.glue.crossref import read_glue_cache
            from myst_nb.ext.glue.utils import PendingGlueReference
        except ImportError:
            return
        config = getattr(self.env, "mystnb_config", None)
        if config is None:
            return
        from ..writer.cells import notebook_cells

        builder = _builder(self.env)
        if builder is None:
            return
        output_folder = config.output_folder
        # a key no cell of this page glues: myst-nb 0.x let any page paste any key
        for node in list(self.document.findall(_is_unfound_glue)):
            found = book_glue_index(builder).get(node["key"])
            if found is None or found[0] == self.env.docname:
                continue
            refdoc, cell, expression = found
            if node["key"] in read_glue_cache(output_folder, refdoc):
                # stored there: myst-nb's own transform pastes it
                ref = PendingGlueReference(
                    refdoc=refdoc,
                    key=node["key"],
                    inline=isinstance(node, qmd_pending_value),
                    gtype=node.get("gtype"),
                    fmt_spec=node.get("fmt_spec") or "s",
                )
                ref.source, ref.line = node.source, node.line
                node.replace_self(ref)
            else:
                node.update_all_atts(
                    {"refdoc": refdoc, "cell": cell, "expression": expression}, replace=True
                )
        for node in list(self.document.findall(PendingGlueReference)):
            if node.key in read_glue_cache(output_folder, node.refdoc):
                continue
            cells = notebook_cells(builder, node.refdoc)
            code = [(c.index, c.source) for c in cells or [] if c.cell_type == "code"]
            found_here = find_glue(code, node.key)
            cls = qmd_pending_value if node.inline else qmd_pending_block
            expression = found_here[1] if found_here else node.key
            replacement = cls(expression, expression) if node.inline else cls()
            replacement.update_all_atts({"origin": "glue", "key": node.key, "refdoc": node.refdoc})
            if found_here is not None:
                replacement["expression"] = found_here[1]
                replacement["cell"] = found_here[0]
            if node.get("fmt_spec") not in (None, "", "s"):
                replacement["fmt_spec"] = node["fmt_spec"]
            replacement.source, replacement.line = node.source, node.line
            node.replace_self(replacement)


def _is_unfound_glue(node: nodes.Node) -> bool:
    return (
        isinstance(node, (qmd_pending_value, qmd_pending_block))
        and node["origin"] == "glue"
        and not node.get("expression")
        and not node.get("refdoc")
    )


def book_glue_index(builder: Any) -> dict[str, tuple[str, int, str]]:
    """Every key glued in the book: key -> (page, cell index, expression); read once."""
    index = getattr(builder, "_qmd_glue_index", None)
    if index is not None:
        return index
    from ..writer.cells import notebook_cells

    index = {}
    for docname in sorted(builder.env.found_docs):
        if builder.notebook_kernel(docname) is None:
            continue
        for cell in notebook_cells(builder, docname) or []:
            if cell.cell_type == "code" and "glue" in cell.source:
                for key, expression in glue_calls(cell.source).items():
                    index.setdefault(key, (docname, cell.index, expression))
    builder._qmd_glue_index = index
    return index


def _builder(env: Any) -> Any:
    return getattr(app_of(env), "builder", None)
