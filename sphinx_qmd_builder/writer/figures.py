"""Figures made of several images, as Quarto subfigures.

The ``sphinx-subfigure`` extension writes one ``figure`` node (``is_subfigure``) holding
the images and one caption, with a grid of area letters in ``node["layout"]``. Quarto's
form is a figure div with ``layout-ncol`` whose items are images with their own ids
(``![sub caption](a.png){#fig-a}``) and the outer caption as the last paragraph. A
sub-image's label goes through the label registry (a subfigure image counts as a figure
there), so ``{numref}`` to it writes ``@fig-a``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from . import markdown as md
from .contexts import FigureContext
from .translator_api import TranslatorAPI


def is_subfigure(node: nodes.Node) -> bool:
    """A ``figure`` node made by sphinx-subfigure's ``{subfigure}`` directive."""
    return isinstance(node, nodes.figure) and bool(node.get("is_subfigure"))


def layout_columns(node: nodes.Element) -> tuple[int, bool]:
    """Columns of the subfigure's default grid, and whether Quarto's grid matches it.

    Quarto lays subfigures out in plain rows; an area spanning several cells (``AAB``)
    or a hole (``.``) has no Quarto form, so the caller warns that the grid is simplified.
    """
    layout = (node.get("layout") or {}).get("default") or []
    if not layout or not layout[0]:
        return 1, True
    cells = [area for row in layout for area in row]
    exact = "." not in cells[:-1] and len(set(cells) - {"."}) == len([c for c in cells if c != "."])
    return len(layout[0]), exact


class FigureVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    if TYPE_CHECKING:

        def image_markdown(
            self, node: nodes.image, ident: str | None = None, alt: str = ""
        ) -> str: ...

    def visit_subfigure(self, node: nodes.figure) -> None:
        self.push(FigureContext())

    def depart_subfigure(self, node: nodes.figure) -> None:
        ctx = self.pop()
        assert isinstance(ctx, FigureContext)
        columns, exact = layout_columns(node)
        if not exact:
            self.warn(
                "subfigure grid %r simplified to %d columns (Quarto has no spanning areas)",
                node,
                "subfigure",
                node.get("layout", {}).get("default"),
                columns,
            )
        target = self.builder.labels.for_node(self.docname, node)
        attrs = self.id_attributes(target.qid if target else None, [], layout_ncol=columns)
        parts = [*ctx.subfigures, ctx.make(), ctx.caption]
        body = "\n\n".join(p for p in parts if p)
        self.add_block(f"::: {attrs}\n\n{body}\n\n:::")

    def visit_subfigure_image(self, node: nodes.image) -> None:
        """One image of a subfigure: its label is its id; its alt text is its sub-caption
        when the subfigure shows sub-captions (``:subcaptions:``), as in Sphinx's HTML."""
        target = self.builder.labels.for_node(self.docname, node)
        alt = node.get("alt", "") if node.parent.get("subcaptions") else ""
        caption = md.escape_text(alt) if alt and alt != node.get("uri") else ""
        text = self.image_markdown(node, target.qid if target else None, caption)
        figure = self.ctx
        if isinstance(figure, FigureContext):
            figure.subfigures.append(text)
        else:  # the image sits deeper inside the subfigure: keep it where it is
            self.add_block(text)
        raise nodes.SkipNode
