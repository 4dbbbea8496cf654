"""sphinx-design components as their nearest Quarto forms.

sphinx-design writes plain ``container`` nodes marked with ``design_component``;
:class:`~sphinx_qmd_builder.transforms.constructs.DesignTitles` has already turned their
label rubrics and card titles into ``title`` nodes, so the title lands in
the container's ``ctx.title`` like any other titled element.

tab-set -> ``::: {.panel-tabset}`` (one ``##`` heading per tab); dropdown -> a
collapsible callout; card -> a callout without icon (title linked when the card is);
grid -> ``::: {layout-ncol=N}`` with one div per item; badge -> a Bootstrap badge span;
icons carry no words and are dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes

from . import markdown as md
from .admonitions import collapse_of
from .contexts import Context, GridRowContext, TabSetContext
from .figures import has_layout_class, layout_classes
from .translator_api import TranslatorAPI

_COLS = re.compile(r"^sd-row-cols(?:-(xs|sm|md|lg))?-(\d+)$")
_BADGE_COLOR = re.compile(r"^sd-(?:bg|outline)-(\w+)$")
_BREAKPOINTS = ("", "xs", "sm", "md", "lg")

#: design components that only wrap their content
_TRANSPARENT = {
    "tab-content",
    "card-body",
    "card-header",
    "card-footer",
    "grid-container",
    "card-carousel",
}


def grid_columns(node: nodes.Element) -> int | None:
    """The column count of a grid row at the widest breakpoint it names."""
    best: tuple[int, int] | None = None
    for cls in node.get("classes", []):
        match = _COLS.match(cls)
        if match:
            rank = _BREAKPOINTS.index(match.group(1) or "")
            if best is None or rank >= best[0]:
                best = (rank, int(match.group(2)))
    return best[1] if best else None


def _ancestors(node: nodes.Element) -> list[nodes.Element]:
    found = []
    parent = node.parent
    while isinstance(parent, nodes.Element):
        found.append(parent)
        parent = parent.parent
    return found


def _figure_cells(row: nodes.Element) -> bool:
    """Whether every item of a grid row holds just one figure (a figure grid)."""
    items = [c for c in row.children if isinstance(c, nodes.Element)]
    return bool(items) and all(
        len(item.children) == 1 and isinstance(item[0], nodes.figure) for item in items
    )


class DesignVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    if TYPE_CHECKING:

        def visit_toggle_container(self, node: nodes.Element) -> None: ...
        def depart_toggle_container(self, node: nodes.Element) -> None: ...

    # containers: sphinx-design components and toggles here, the rest (notebook cells,
    # plain containers) to the next handler in the MRO
    def visit_container(self, node: nodes.Element) -> None:
        if node.get("design_component"):
            self.visit_design_container(node)
        elif collapse_of(node):
            self.visit_toggle_container(node)
        else:
            super().visit_container(node)

    def depart_container(self, node: nodes.Element) -> None:
        if node.get("design_component"):
            self.depart_design_container(node)
        elif collapse_of(node):
            self.depart_toggle_container(node)
        else:
            super().depart_container(node)

    def visit_design_container(self, node: nodes.Element) -> None:
        component = node.get("design_component", "")
        kind = f"design:{component}"
        if component in ("tab-set", "tab-set-code"):
            self.push(TabSetContext(kind))
        elif component == "grid-row":
            self.push(GridRowContext(kind))
        else:
            self.push(Context(kind))

    def depart_design_container(self, node: nodes.Element) -> None:
        component = node.get("design_component", "")
        ctx = self.pop()
        title = ctx.title
        if isinstance(ctx, TabSetContext):
            tabs = ctx.tabs
            # a tab set inside a tab set needs deeper headings, or Quarto merges them
            depth = sum(
                1
                for a in _ancestors(node)
                if a.get("design_component") in ("tab-set", "tab-set-code")
            )
            mark = "#" * min(6, 2 + depth)
            inner = "\n\n".join(f"{mark} {t or 'Tab'}\n\n{b}".rstrip() for t, b in tabs)
            self.add_block(f"::: {{.panel-tabset}}\n\n{inner}\n\n:::")
        elif component == "tab-item":
            if isinstance(self.ctx, TabSetContext):
                self.ctx.tabs.append((title, ctx.make()))
            else:  # a tab outside a tab set (never made by sphinx-design): keep it
                self.add_block("\n\n".join(p for p in (f"**{title}**" * bool(title), ctx.make())))
        elif component == "dropdown":
            collapse = "false" if node.get("opened") else "true"
            self.add_block(self.callout("note", title, ctx.make(), collapse))
        elif component == "card":
            link = node.get("qmd_link")
            if link and title:
                title = f"[{title}]({link})"
            body = ctx.make()
            if link and not title:
                body = f"{body}\n\n<{link}>" if "://" in link else f"{body}\n\n[{link}]({link})"
            self.add_block(self.callout("note", title, body, icon="false"))
        elif isinstance(ctx, GridRowContext):
            columns = grid_columns(node)
            items = ctx.items
            attrs = md.attributes(None, [], layout_ncol=columns) if columns else "{}"
            if _figure_cells(node):
                # figures side by side: Quarto lays out the figures themselves
                inner = "\n\n".join(item for item in items if item)
            else:
                inner = "\n\n".join(f"::: {{}}\n\n{item}\n\n:::" for item in items if item)
            self.add_block(f"::: {attrs}\n\n{inner}\n\n:::")
        elif component == "grid-item" and isinstance(self.ctx, GridRowContext):
            self.ctx.items.append(ctx.make())
        else:
            if title:
                ctx.blocks.insert(0, f"**{title}**")
            body = ctx.make()
            if has_layout_class(node) and body:
                # {div} with :class: full-width / margin / popout: Quarto's column classes
                attrs = md.attributes(None, layout_classes(node.get("classes", [])))
                body = f"::: {attrs}\n\n{body}\n\n:::"
            self.add_block(body)

    # -- inline components ---------------------------------------------------------------

    def visit_sd_badge(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_sd_badge(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        classes = ["badge"]
        for cls in node.get("classes", []):
            match = _BADGE_COLOR.match(cls)
            if match:
                classes.append(f"text-bg-{match.group(1)}")
                break
        self.add_inline(f"[{text}]{md.attributes(None, classes)}")

    def visit_sd_icon(self, node: nodes.Element) -> None:
        # an SVG icon: no words to keep, and Quarto has no octicons
        raise nodes.SkipNode

    def visit_fontawesome(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_PassthroughTextElement(self, node: nodes.Element) -> None:  # noqa: N802
        pass

    def depart_PassthroughTextElement(self, node: nodes.Element) -> None:  # noqa: N802
        pass
