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

from ..warning_types import QmdWarning
from . import markdown as md
from .contexts import FigureContext
from .translator_api import TranslatorAPI

#: Jupyter Book's layout classes (sphinx-book-theme) -> Quarto's column classes, which
#: take effect in books (QUARTO.md fact 19); a popout is set in the margin like a note
LAYOUT_CLASSES = {"full-width": "column-page", "margin": "column-margin", "popout": "column-margin"}

#: ``:figclass: margin-caption``: the caption goes in the margin (QUARTO.md fact 20)
MARGIN_CAPTION = "margin-caption"


def layout_classes(
    classes: list[str], dropped: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """*classes* with Jupyter Book's layout classes as Quarto's, Sphinx's own left out."""
    out: list[str] = []
    for cls in classes:
        if cls.startswith("align-") or cls in dropped or cls == MARGIN_CAPTION:
            continue
        name = LAYOUT_CLASSES.get(cls, cls)
        if name not in out:
            out.append(name)
    return out


def has_layout_class(node: nodes.Element) -> bool:
    """Whether *node* asks for a page-wide or margin layout (``{div}`` ``:class: full-width``)."""
    return any(cls in LAYOUT_CLASSES for cls in node.get("classes", []))


def figure_div_attributes(node: nodes.figure, ident: str | None, dropped: set[str]) -> str:
    """``{#fig-x .column-page cap-location="margin"}`` for a figure's div ('' when bare).

    ``:align:`` and ``:figwidth:`` are not here: Quarto reads them on the image
    (:func:`figure_image_values`, QUARTO.md fact 20).
    """
    classes = node.get("classes", [])
    cap = "margin" if MARGIN_CAPTION in classes else None
    return md.attributes(ident, layout_classes(classes, dropped), cap_location=cap)


def enclosing_figure(node: nodes.image) -> nodes.figure | None:
    """The plain (not subfigure) figure an image belongs to, through a link around it."""
    parent = node.parent
    if isinstance(parent, nodes.reference):
        parent = parent.parent
    if isinstance(parent, nodes.figure) and not is_subfigure(parent):
        return parent
    return None


def figure_image_values(node: nodes.image, width: str | int | None) -> dict[str, object]:
    """``fig-align`` and ``width`` for an image, its figure's ``:align:``/``:figwidth:`` included.

    Quarto aligns a figure only by ``fig-align`` on the image, never on the div
    (QUARTO.md fact 20). A figure width in percent scales an image width in percent
    (the image is a share of the figure box, as in Sphinx's HTML); an image without a
    width takes the figure's.
    """
    figure = enclosing_figure(node)
    align = node.get("align")
    fig_width = None
    if figure is not None:
        align = figure.get("align") or align
        fig_width = figure.get("width")
    if fig_width and fig_width != "image":
        if width is None:
            width = _plain_width(fig_width)
        elif isinstance(width, str) and width.endswith("%") and str(fig_width).endswith("%"):
            share = float(width[:-1]) * float(str(fig_width)[:-1]) / 100
            width = f"{share:g}%"
    return {
        "width": width,
        "fig_align": align if align in ("left", "center", "right") else None,
    }


def _plain_width(value: str) -> str | int:
    """``300px`` -> ``300`` (Quarto reads pixels from a bare number); other units kept."""
    text = str(value).strip()
    number = text[:-2] if text.endswith("px") else text
    try:
        parsed = float(number)
    except ValueError:
        return text
    return int(parsed) if parsed.is_integer() else text


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
                QmdWarning.SUBFIGURE,
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
