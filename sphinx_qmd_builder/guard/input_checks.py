"""Located warnings where Sphinx and MyST are silent about broken input.

Two hooks, both for the qmd builder only:

* ``source-read``: characters that are not text (NUL and the other C0 controls), by line;
  MyST's own block parser (the same markdown-it configuration, inline
  parsing off) is run over the page to find what the doctree no longer shows -- a code or
  directive fence that runs to the end of the page, and text markdown-it dropped because
  lists or quotes nest deeper than its limit. Nothing is changed; it only warns.
* :class:`QmdInputChecks`, a post-transform on the resolved doctree: unclosed HTML
  comments (closed, so they cannot hide the rest of the Quarto page), math with unbalanced
  braces, ``\\begin{...}`` environments never closed (in inline math, or in text where the
  Markdown parser did not take them for math: the text is kept as it is), control
  characters (left out of the text), image paths that are folders or leave the project
  root, downloads from outside, and code cells in a kernel language Quarto has no engine for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..compat import app_of
from ..warning_types import QmdWarning
from ..writer.equations import braces_balanced, unclosed_environments
from .paths import builder_name, is_allowed, refuse

logger = logging.getLogger(__name__)

#: cell languages Quarto can run (jupyter kernels and knitr engines) or show (ojs, mermaid)
KNOWN_CELL_LANGUAGES = frozenset(
    {
        "python",
        "python3",
        "ipython",
        "ipython3",
        "r",
        "ir",
        "julia",
        "ojs",
        "bash",
        "sh",
        "sql",
        "mermaid",
        "dot",
        "javascript",
        "typescript",
        "octave",
        "matlab",
        "scala",
        "java",
        "c",
        "c++",
        "cpp",
        "rust",
        "go",
        "haskell",
        "ruby",
        "perl",
        "lua",
        "stata",
        "sas",
        "powershell",
        "csharp",
        "fsharp",
    }
)

_CONTAINERS = {"list_item_open", "blockquote_open"}
_MARKERS = " \t>-*+.)0123456789"
_parsers: dict[int, Any] = {}


#: C0 control characters other than tab, newline and carriage return (and DEL)
_CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))

#: nodes whose text is code or math, not prose
_NOT_PROSE = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw)


def check_control_characters(docname: str, text: str, cell: int | None = None) -> None:
    """Warn once per line about characters that are not text (a NUL byte, say).

    markdown-it writes NUL as U+FFFD; the other controls are left out of the page by
    :class:`QmdInputChecks`. The words around them are kept either way.
    """
    if not _CONTROL.intersection(text):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        found = sorted(_CONTROL.intersection(line))
        if found:
            logger.warning(
                "control character U+%04X is not text%s; %s",
                ord(found[0]),
                "" if cell is None else f" (cell {cell}, line {number})",
                "written as U+FFFD" if found[0] == "\x00" else "left out",
                location=(docname, number) if cell is None else docname,
                type="qmd",
                subtype=QmdWarning.CONTROL_CHARACTER,
            )


def _block_parser(config: Any) -> Any:
    """MyST's markdown-it parser for *config*, block level only (cached per config)."""
    parser = _parsers.get(id(config))
    if parser is None:
        from markdown_it.renderer import RendererHTML
        from myst_parser.parsers.mdit import create_md_parser

        parser = create_md_parser(config, RendererHTML)
        parser.disable("inline", ignoreInvalid=True)
        _parsers.clear()
        _parsers[id(config)] = parser
    return parser


def _closes(line: str, markup: str) -> bool:
    """Whether *line* is a closing fence for an opening fence *markup*."""
    stripped = line.strip().lstrip(">").strip()
    return bool(markup) and len(stripped) >= len(markup) and stripped == markup[0] * len(stripped)


def check_notebook_cells(docname: str, text: str) -> None:
    """Warn about cells that are not notebook cells: myst-nb drops them without a word."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return  # reading the page fails, and isolation reports it
    version = notebook.get("nbformat") if isinstance(notebook, dict) else None
    if isinstance(version, int) and version < 4:
        logger.warning(
            "nbformat %d notebook; converted to nbformat 4 (every cell is kept)",
            version,
            location=docname,
            type="qmd",
            subtype=QmdWarning.NOTEBOOK_FORMAT,
        )
        return
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        source = cell.get("source") if isinstance(cell, dict) else None
        if kind == "markdown" and isinstance(source, list | str):
            check_control_characters(docname, "".join(source), cell=number)
        if kind not in ("markdown", "code", "raw") or "source" not in cell:
            logger.warning(
                "notebook cell %d (cell_type %r) is not a notebook cell; it is left out",
                number,
                kind,
                location=docname,
                type="qmd",
                subtype=QmdWarning.NOTEBOOK,
            )


def check_markdown_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn about fences left open and text the block parser dropped (see module doc)."""
    env = app.env
    if builder_name(env) != "qmd":
        return
    path = str(env.doc2path(docname))
    if path.endswith(".ipynb"):
        check_notebook_cells(docname, source[0])
        return
    if not path.endswith(".md"):
        return
    config = getattr(env, "myst_config", None)
    if config is None:
        return
    text = source[0]
    check_control_characters(docname, text)
    try:
        tokens = _block_parser(config).parse(text)
    except Exception:  # the real parse will report it (and isolation will catch it)
        return
    lines = text.splitlines()
    total = len(lines)
    limit = _block_parser(config).options.get("maxNesting", 20)
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "colon_fence") and end >= total:
            if end - start < 2 or not _closes(lines[end - 1], token.markup):
                logger.warning(
                    "%s fence opened here is never closed: it runs to the end of the page",
                    token.markup,
                    location=(docname, start + 1),
                    type="qmd",
                    subtype=QmdWarning.FENCE,
                )
        elif (
            token.type in _CONTAINERS
            and token.level + 1 >= limit
            and index + 1 < len(tokens)
            and tokens[index + 1].type == token.type.replace("_open", "_close")
            and any(line.strip(_MARKERS) for line in lines[start:end])
        ):
            logger.warning(
                "lines %d-%d were dropped by the Markdown parser (lists or quotes nested "
                "past its limit of %d block levels); flatten them",
                start + 1,
                end,
                limit,
                location=(docname, start + 1),
                type="qmd",
                subtype=QmdWarning.DROPPED,
            )


class QmdInputChecks(SphinxPostTransform):
    """Warn (and where needed, repair) broken input the parsers accept silently."""

    default_priority = 7  # after the LATEX EXPORT remover (6): it may close a comment
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            self.check_comment(node)
        for node in self.document.findall(nodes.math):
            if not braces_balanced(node.astext()):
                self.warn("inline math has unbalanced braces", node, QmdWarning.MATH)
            self.check_environments(node, node.astext(), "inline math")
        for node in self.document.findall(nodes.paragraph):
            self.check_environments(node, self.prose_of(node), "text")
        for node in list(self.document.findall(nodes.Text)):
            if _CONTROL.intersection(node) and not isinstance(node.parent, _NOT_PROSE):
                # reported by line when the page was read (check_control_characters)
                text = "".join(ch for ch in node if ch not in _CONTROL)
                node.parent.replace(node, nodes.Text(text))
        for node in list(self.document.findall(nodes.image)):
            self.check_image(node)
        for node in self.document.findall(nodes.Element):
            if node.tagname == "download_reference" and node.get("reftarget"):
                _rel, filename = self.env.relfn2path(node["reftarget"], self.env.docname)
                if "://" not in node["reftarget"] and not is_allowed(self.env, filename):
                    refuse("download", node["reftarget"], node, env=self.env)
                    # keep the link text, drop the link to a file the book never gets
                    node.replace_self(nodes.inline("", "", *node.children))
        self.check_kernel()

    def warn(self, message: str, node: nodes.Node, subtype: QmdWarning, *args: Any) -> None:
        logger.warning(message, *args, location=node, type="qmd", subtype=subtype)

    @staticmethod
    def prose_of(node: nodes.Element) -> str:
        """The text of *node* outside code and math."""
        return "".join(
            str(text)
            for text in node.findall(nodes.Text)
            if not any(isinstance(a, _NOT_PROSE) for a in _ancestors(text, node))
        )

    def check_environments(self, node: nodes.Element, text: str, what: str) -> None:
        if "begin" not in text:
            return
        unclosed = unclosed_environments(text)
        if unclosed:
            self.warn(
                "math environment %r is never closed (in %s); kept as written",
                node,
                QmdWarning.MATH_ENVIRONMENT,
                unclosed[0],
                what,
            )

    def check_comment(self, node: nodes.raw) -> None:
        if "html" not in node.get("format", "").split():
            return
        text = node.astext()
        start = text.find("<!--")
        if start < 0 or text[:start].strip() != "" or "-->" in text[start + 4 :]:
            return
        self.warn(
            "HTML comment is never closed (it hides the rest of the page); closed at its end",
            node,
            QmdWarning.COMMENT,
        )
        closed = text.rstrip() + "\n-->"
        new = nodes.raw(closed, closed, format=node["format"])
        new.source, new.line = node.source, node.line
        node.replace_self(new)

    def check_image(self, node: nodes.image) -> None:
        uri = node.get("uri", "")
        candidates = node.get("candidates", {})
        if not uri or "://" in uri or uri.startswith("data:"):
            return
        # "pic.*": every file Sphinx found for it; else the one path
        paths = [v for k, v in candidates.items() if k not in ("*", "?")] or [uri]
        srcdir = Path(self.env.srcdir)
        refused = next((p for p in paths if not is_allowed(self.env, srcdir / p)), None)
        path = srcdir / uri
        if refused is not None:
            uri = refused
            refuse("image", uri, location=node)
            note = getattr(app_of(self.env).builder, "note_lost_image", None)
            if note is not None:
                note(self.env.docname, node, uri, "refused: outside the project root")
            # no link to a file the book never gets; a comment keeps the alt text
            alt = node.get("alt", "")
            text = f"image left out (outside the project root){': ' + alt if alt else ''}"
            comment = nodes.comment(text, text)
            comment.source, comment.line = node.source, node.line
            node.replace_self(comment)
        elif path.is_dir():
            self.warn("image path %r is a folder, not an image file", node, QmdWarning.IMAGE, uri)

    def check_kernel(self) -> None:
        cell = next(
            (
                n
                for n in self.document.findall(nodes.container)
                if n.get("nb_element") == "cell_code"
            ),
            None,
        )
        if cell is None:
            return
        kernelspec = self.env.metadata.get(self.env.docname, {}).get("kernelspec") or {}
        language = kernelspec.get("language", "") if isinstance(kernelspec, dict) else ""
        if language and language.lower() not in KNOWN_CELL_LANGUAGES:
            self.warn(
                "kernel language %r has no Quarto engine; its cells are written as %r cells",
                cell,
                QmdWarning.KERNEL,
                language,
                language.lower(),
            )


def _ancestors(node: nodes.Node, stop: nodes.Node) -> list[nodes.Node]:
    found = []
    parent = node.parent
    while parent is not None and parent is not stop:
        found.append(parent)
        parent = parent.parent
    return found


def setup_checks(app: Sphinx) -> None:
    app.connect("source-read", check_markdown_source)
    app.add_post_transform(QmdInputChecks)
