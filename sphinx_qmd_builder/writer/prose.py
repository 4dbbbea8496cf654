"""Prose and layout: definition lists and glossaries, footnotes, line blocks, breaks,
task lists, margin content, ``only`` blocks, videos, topics.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from . import markdown as md
from .translator_api import TranslatorAPI

if TYPE_CHECKING:
    from ..transforms.constructs import qmd_only


def _footnote_label(node: nodes.Element) -> str:
    """A pandoc footnote label: the author's name for it, else its id."""
    for name in node.get("names", []):
        label = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
        if label:
            return label
    return node["ids"][0] if node.get("ids") else "fn"


class ProseVisitors(TranslatorAPI):
    """Mixin for :class:`~sphinx_qmd_builder.writer.QmdTranslator`."""

    document: nodes.document

    # -- definition lists and glossaries -------------------------------------------------

    def visit_definition_list(self, node: nodes.Element) -> None:
        self.push("deflist")

    def depart_definition_list(self, node: nodes.Element) -> None:
        ctx = self.pop()
        self.add_block("\n\n".join(ctx.data.get("items", [])))

    def visit_definition_list_item(self, node: nodes.Element) -> None:
        ctx = self.push("deflist-item")
        ctx.data["terms"] = []

    def depart_definition_list_item(self, node: nodes.Element) -> None:
        ctx = self.pop()
        terms = ctx.data["terms"]
        definitions = ctx.data.get("definitions", [])
        lines = terms[:] if terms else [""]
        for definition in definitions or [""]:
            lines.append(md.indent(definition, "    ", first=":   "))
        self.ctx.data.setdefault("items", []).append("\n".join(lines))

    def visit_term(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_term(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        if node.get("ids"):
            # glossary terms are link targets ({term} references point here)
            text = f"[{text}]{md.attributes(node['ids'][0])}"
        self.ctx.data.setdefault("terms", []).append(text)

    def visit_classifier(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_classifier(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        terms = self.ctx.data.setdefault("terms", [""])
        terms[-1] = f"{terms[-1]} *({text})*"

    def visit_definition(self, node: nodes.Element) -> None:
        self.push()

    def depart_definition(self, node: nodes.Element) -> None:
        text = self.pop().make()
        self.ctx.data.setdefault("definitions", []).append(text)

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
        self.add_block(md.indent(body, "    ", first=f"[^{_footnote_label(node)}]: "))

    def visit_label(self, node: nodes.Element) -> None:
        # footnote and citation numbers: Quarto numbers footnotes itself
        raise nodes.SkipNode

    # -- line blocks, breaks, task lists ---------------------------------------------------

    def visit_line_block(self, node: nodes.Element) -> None:
        self.push("line_block")

    def depart_line_block(self, node: nodes.Element) -> None:
        lines = self.pop().data.get("lines", [])
        if self.ctx.kind == "line_block":  # nested: indent its lines
            self.ctx.data.setdefault("lines", []).extend("\u00a0\u00a0" + ln for ln in lines)
            return
        self.add_block("\n".join(f"| {ln}".rstrip() for ln in lines))

    def visit_line(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_line(self, node: nodes.Element) -> None:
        text = self.pop().make_inline().strip()
        self.ctx.data.setdefault("lines", []).append(text)

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
        title = ctx.data.get("title")
        if title:
            ctx.blocks.insert(0, f"**{title}**")
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
