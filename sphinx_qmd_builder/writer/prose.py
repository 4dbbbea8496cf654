"""Prose and layout: definition lists and glossaries, footnotes, line blocks, breaks,
task lists, margin content, ``only`` blocks, videos, topics.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from . import markdown as md
from .contexts import (
    DefinitionItemContext,
    DefinitionListContext,
    LineBlockContext,
    prefix_lines,
)
from .translator_api import TranslatorAPI

if TYPE_CHECKING:
    from ..transforms.nodes import qmd_only


def _footnote_label(node: nodes.Element) -> str:
    """A pandoc footnote label: the author's name for it, else its id."""
    for name in node.get("names", []):
        label = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
        if label:
            return label
    return node["ids"][0] if node.get("ids") else "fn"


class ProseVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    document: nodes.document

    # -- definition lists and glossaries -------------------------------------------------

    def visit_definition_list(self, node: nodes.Element) -> None:
        self.push(DefinitionListContext())

    def depart_definition_list(self, node: nodes.Element) -> None:
        self.add_block(self.pop().make())

    def visit_definition_list_item(self, node: nodes.Element) -> None:
        self.push(DefinitionItemContext())

    def depart_definition_list_item(self, node: nodes.Element) -> None:
        self.collect(DefinitionListContext, self.pop().make(), lambda deflist: deflist.items)

    def visit_term(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_term(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        if node.get("ids"):
            # glossary terms are link targets ({term} references point here)
            text = f"[{text}]{self.id_attributes(node['ids'][0])}"
        self.collect(DefinitionItemContext, text, lambda item: item.terms)

    def visit_classifier(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_classifier(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        item = self.ctx
        if not isinstance(item, DefinitionItemContext) or not item.terms:
            self.add_block(f"*({text})*")  # a tree docutils never makes: keep the words
            return
        item.terms[-1] = f"{item.terms[-1]} *({text})*"

    def visit_definition(self, node: nodes.Element) -> None:
        self.push()

    def depart_definition(self, node: nodes.Element) -> None:
        text = self.pop().make()
        self.collect(DefinitionItemContext, text, lambda item: item.definitions)

    def visit_glossary(self, node: nodes.Element) -> None:
        pass

    def depart_glossary(self, node: nodes.Element) -> None:
        pass

    # -- footnotes -------------------------------------------------------------------------

    def visit_footnote_reference(self, node: nodes.Element) -> None:
        target = self.document.ids.get(node.get("refid", ""))
        label = _footnote_label(target) if target is not None else node.astext()
        self.add_inline(f"[^{label}]")
        raise nodes.SkipNode

    def visit_footnote(self, node: nodes.Element) -> None:
        self.push()

    def depart_footnote(self, node: nodes.Element) -> None:
        body = self.pop().make()
        self.add_block(prefix_lines(body, "    ", first=f"[^{_footnote_label(node)}]: "))

    def visit_label(self, node: nodes.Element) -> None:
        # footnote and citation numbers: Quarto numbers footnotes itself
        raise nodes.SkipNode

    # -- line blocks, breaks, task lists ---------------------------------------------------

    def visit_line_block(self, node: nodes.Element) -> None:
        self.push(LineBlockContext())

    def depart_line_block(self, node: nodes.Element) -> None:
        block = self.pop()
        assert isinstance(block, LineBlockContext)
        if isinstance(self.ctx, LineBlockContext):  # nested: indent its lines
            self.ctx.lines.extend("\u00a0\u00a0" + ln for ln in block.lines)
            return
        self.add_block(block.make())

    def visit_line(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_line(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        self.collect(LineBlockContext, text, lambda block: block.lines)

    def visit_qmd_hard_break(self, node: nodes.Element) -> None:
        self.add_inline("\\\n")
        raise nodes.SkipNode

    def visit_sd_line_break(self, node: nodes.Element) -> None:
        self.add_inline("\\\n")
        raise nodes.SkipNode

    def visit_qmd_task_checkbox(self, node: nodes.Element) -> None:
        self.add_inline("[x] " if node.get("checked") else "[ ] ")
        raise nodes.SkipNode

    # -- layout ------------------------------------------------------------------------------

    def visit_qmd_margin(self, node: nodes.Element) -> None:
        self.push()

    def depart_qmd_margin(self, node: nodes.Element) -> None:
        body = self.pop().make()
        self.add_block(f"::: {{.column-margin}}\n\n{body}\n\n:::")

    def visit_qmd_aside(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_qmd_aside(self, node: nodes.Element) -> None:
        self.add_inline(f"[{self.pop().make_inline().strip()}]{{.aside}}")

    def visit_qmd_only(self, node: qmd_only) -> None:
        self.push()

    def depart_qmd_only(self, node: qmd_only) -> None:
        body = self.pop().make()
        attrs = md.attributes(None, ["content-visible"], when_format=node["formats"])
        self.add_block(f"::: {attrs}\n\n{body}\n\n:::")

    def visit_qmd_video(self, node: nodes.Element) -> None:
        extra = "".join(
            f' {key}="{node[key]}"' for key in ("width", "height") if node.get(key) is not None
        )
        self.add_video(node["uri"], f"{{{{< video {node['uri']}{extra} >}}}}")
        raise nodes.SkipNode

    def visit_topic(self, node: nodes.Element) -> None:
        self.push()

    def depart_topic(self, node: nodes.Element) -> None:
        ctx = self.pop()
        if ctx.title:
            ctx.blocks.insert(0, f"**{ctx.title}**")
        self.add_block(ctx.make())

    # -- images --------------------------------------------------------------------------------

    def scaled_width(self, node: nodes.Element) -> str | int | None:
        """``:scale: 50%`` as a pixel width (Quarto has no scale), like Sphinx's HTML writer.

        Needs the image's own size; when it cannot be read the scale becomes a percentage
        of the text width, the nearest thing Quarto has.
        """
        scale = int(node["scale"])
        builder: Any = getattr(self, "builder", None)
        size = None
        try:
            import imagesize

            path = Path(builder.srcdir) / builder.image_source(node)
            if path.is_file():
                size = imagesize.get(str(path))
        except Exception:
            size = None
        if size and size[0] > 0:
            return round(size[0] * scale / 100)
        return f"{scale}%"
