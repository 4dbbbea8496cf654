"""Admonitions, dropdowns and toggles as Quarto callouts.

Every docutils/Sphinx admonition, MyST's ``html_admonition``, sphinx-togglebutton's
``toggle`` and ``:class: dropdown`` become ``::: {.callout-TYPE}``. House style: a title
is a bold first paragraph; a collapsible callout needs its title in the header (Quarto
hides the body), so there the title is a ``##`` heading, which Quarto moves into it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from .translator_api import TranslatorAPI

#: Sphinx/docutils admonition node (or admonition class) -> Quarto callout type
CALLOUT_TYPES = {
    "note": "note",
    "seealso": "note",
    "hint": "tip",
    "tip": "tip",
    "important": "important",
    "attention": "important",
    "warning": "warning",
    "caution": "caution",
    "danger": "caution",
    "error": "caution",
    "admonition": "note",
}

#: classes that make an admonition collapsible (sphinx-togglebutton, Jupyter Book)
COLLAPSE_CLASSES = ("dropdown", "toggle")


def admonition_kind(node: nodes.Element) -> str:
    """The admonition's own kind, or the first class naming one (``:class: tip``)."""
    name = node.__class__.__name__
    if name != "admonition":
        return name
    for cls in node.get("classes", []):
        if cls in CALLOUT_TYPES:
            return cls
    return "admonition"


def collapse_of(node: nodes.Element) -> str | None:
    """``"true"``/``"false"`` when the node is collapsible, else None."""
    classes = node.get("classes", [])
    if "toggle-shown" in classes:
        return "false"  # collapsible, but open at first
    if any(cls in COLLAPSE_CLASSES for cls in classes):
        return "true"
    return None


class AdmonitionVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    def callout(
        self,
        kind: str,
        title: str,
        body: str,
        collapse: str | None = None,
        ident: str | None = None,
        **extra: Any,
    ) -> str:
        """The markdown of one callout (*kind* is a Quarto callout type)."""
        attrs: dict[str, Any] = {}
        if collapse is not None:
            attrs["collapse"] = collapse
        if self.config.qmd_callout_appearance:
            attrs["appearance"] = self.config.qmd_callout_appearance
        attrs.update(extra)
        header = self.id_attributes(ident, [f"callout-{kind}"], **attrs)
        parts = []
        if title:
            parts.append(f"## {title}" if collapse is not None else f"**{title}**")
        if body:
            parts.append(body)
        inner = "\n\n".join(parts)
        return f"::: {header}\n\n{inner}\n\n:::"

    # -- admonitions --------------------------------------------------------------------

    def visit_admonition(self, node: nodes.Element) -> None:
        self.push("admonition")

    def depart_admonition(self, node: nodes.Element) -> None:
        ctx = self.pop()
        kind = CALLOUT_TYPES.get(admonition_kind(node), "note")
        self.add_block(self.callout(kind, ctx.title, ctx.make(), collapse_of(node)))

    # every docutils admonition class is written by the same pair
    visit_note = visit_tip = visit_hint = visit_important = visit_warning = visit_admonition
    visit_caution = visit_attention = visit_danger = visit_error = visit_admonition
    depart_note = depart_tip = depart_hint = depart_important = depart_admonition
    depart_warning = depart_caution = depart_attention = depart_danger = depart_admonition
    depart_error = depart_admonition

    def visit_seealso(self, node: nodes.Element) -> None:
        self.push("admonition")
        self.ctx.title = "See also"

    depart_seealso = depart_admonition

    # -- toggles (sphinx-togglebutton's ``toggle`` directive is a classed container) -----

    def visit_toggle_container(self, node: nodes.Element) -> None:
        self.push("admonition")

    def depart_toggle_container(self, node: nodes.Element) -> None:
        ctx = self.pop()
        collapse = collapse_of(node) or "true"
        self.add_block(self.callout("note", ctx.title, ctx.make(), collapse))
