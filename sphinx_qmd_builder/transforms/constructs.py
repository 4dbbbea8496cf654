"""Post-transforms (qmd only) that reshape extension constructs for the Quarto writer.

Each one is a doctree edit the other builders must not see: MyST's double hard break,
task-list checkboxes written as raw HTML, ``only`` blocks (kept for Quarto to decide),
sphinx-design label rubrics, sphinx-proof's inserted "Proof." and margin content.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..warning_types import QmdWarning
from .nodes import qmd_aside, qmd_hard_break, qmd_margin, qmd_only, qmd_task_checkbox, qmd_video

logger = logging.getLogger(__name__)


_BR = re.compile(r"^\s*<br\s*/?>\s*$", re.I)
_CHECKBOX = re.compile(r"^\s*<input\b[^>]*\btask-list-item-checkbox\b[^>]*>\s*$", re.I)
_IFRAME = re.compile(r"^\s*<iframe\b([^>]*)>\s*</iframe>\s*$", re.I | re.S)
_ATTR = re.compile(r"""\b([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "brightcove")

#: Sphinx ``only`` expressions (builder names / tags) -> Quarto ``when-format`` values
ONLY_FORMATS = {
    "html": "html",
    "singlehtml": "html",
    "dirhtml": "html",
    "epub": "epub",
    "latex": "pdf",
    "pdf": "pdf",
    "text": "markdown",
    "markdown": "markdown",
    "docx": "docx",
}


def _raw_formats(node: nodes.Node) -> list[str]:
    return node.get("format", "").split() if isinstance(node, nodes.raw) else []


def _set_source(new: nodes.Node, old: nodes.Node) -> nodes.Node:
    new.source, new.line = old.source, old.line
    return new


class HardBreaks(SphinxPostTransform):
    """raw html ``<br />`` followed by raw latex ``\\\\`` (or either alone) -> one break."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        merged: set[int] = set()
        for node in list(self.document.findall(nodes.raw)):
            if id(node) in merged or not isinstance(node.parent, nodes.TextElement):
                continue
            formats = _raw_formats(node)
            text = node.astext()
            if "html" in formats and _BR.match(text):
                nxt = node.next_node(descend=False, siblings=True)
                if (
                    isinstance(nxt, nodes.raw)
                    and "latex" in _raw_formats(nxt)
                    and nxt.astext().strip() == "\\\\"
                ):
                    merged.add(id(nxt))
                    nxt.parent.remove(nxt)
                self.replace(node)
            elif "latex" in formats and text.strip() == "\\\\":
                self.replace(node)

    def replace(self, node: nodes.raw) -> None:
        """Put the break in; the source's newline after it is not text (it would end the
        paragraph after the break's own newline)."""
        nxt = node.next_node(descend=False, siblings=True)
        if isinstance(nxt, nodes.Text) and nxt.astext()[:1].isspace():
            nxt.parent.replace(nxt, nodes.Text(nxt.astext().lstrip()))
        following = node.parent.children[node.parent.index(node) + 1 :]
        if (
            isinstance(node.parent, nodes.paragraph)
            and not "".join(n.astext() for n in following).strip()
        ):
            # a break that ends a paragraph breaks nothing (and "\" there is a backslash)
            node.parent.remove(node)
            return
        node.replace_self(_set_source(qmd_hard_break(), node))


class TaskCheckboxes(SphinxPostTransform):
    """MyST's ``<input class="task-list-item-checkbox">`` raw HTML -> ``[ ]``/``[x]``."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            if "html" in _raw_formats(node) and _CHECKBOX.match(node.astext()):
                checked = "checked" in node.astext().lower()
                nxt = node.next_node(descend=False, siblings=True)
                if isinstance(nxt, nodes.Text) and nxt.astext()[:1].isspace():
                    # older MyST keeps the space after the box; the writer writes its own
                    nxt.parent.replace(nxt, nodes.Text(nxt.astext().lstrip()))
                node.replace_self(_set_source(qmd_task_checkbox(checked=checked), node))


class IframeVideos(SphinxPostTransform):
    """A raw HTML block that is just an ``<iframe>`` of a video host -> a Quarto video."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            if "html" not in _raw_formats(node) or isinstance(node.parent, nodes.TextElement):
                continue
            match = _IFRAME.match(node.astext())
            if not match:
                continue
            attrs = {
                m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                for m in _ATTR.finditer(match.group(1))
            }
            src = attrs.get("src", "")
            if not any(host in src for host in _VIDEO_HOSTS):
                continue
            video = qmd_video(uri=src, width=attrs.get("width"), height=attrs.get("height"))
            node.replace_self(_set_source(video, node))


class OnlyToContentVisible(SphinxPostTransform):
    """``only`` blocks naming one output format stay in the page for Quarto to choose.

    Runs before Sphinx's own ``only`` resolution (priority 50), which would decide for
    the qmd builder and drop the HTML- or PDF-only text. Other expressions are left to
    Sphinx, with a warning that Quarto cannot express them.
    """

    default_priority = 7
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(addnodes.only)):
            expr = node.get("expr", "").strip()
            fmt = ONLY_FORMATS.get(expr) or self.decide(expr)
            if fmt == "*":  # true for every output Quarto makes
                node.replace_self(node.children)
                continue
            if fmt is None:
                logger.warning(
                    "only %r: not one output format; decided as for the qmd builder",
                    expr,
                    location=node,
                    type="qmd",
                    subtype=QmdWarning.ONLY,
                )
                continue
            new = qmd_only(formats=fmt)
            new += node.children
            node.replace_self(_set_source(new, node))

    def decide(self, expr: str) -> str | None:
        """Evaluate a compound expression as the HTML and the LaTeX builder would.

        ``"html"``/``"pdf"`` when only one of them shows the block, ``"*"`` when both do,
        None when neither does (or the expression cannot be read).
        """
        from sphinx.util.tags import Tags

        base = getattr(self.env, "_tags", None)  # Sphinx 8+
        if base is None:
            base = self.app.builder.tags  # Sphinx 7
        shown = []
        for fmt, quarto in (("html", "html"), ("latex", "pdf")):
            tags = Tags([*base, fmt, f"format_{fmt}", f"builder_{fmt}"])
            tags.remove("qmd")
            tags.remove("format_qmd")
            tags.remove("builder_qmd")
            try:
                if tags.eval_condition(expr):
                    shown.append(quarto)
            except Exception:
                return None
        if len(shown) == 2:
            return "*"
        return shown[0] if shown else None


class DesignTitles(SphinxPostTransform):
    """sphinx-design label rubrics and card titles -> ``title`` children; card links noted."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.container)):
            component = node.get("design_component")
            if component in ("tab-item", "dropdown"):
                for child in node.children:
                    if isinstance(child, nodes.rubric):
                        title = _set_source(nodes.title("", "", *child.children), child)
                        child.replace_self(title)
                        break
            elif component == "card":
                self.card(node)

    def card(self, card: nodes.container) -> None:
        for sub in list(card.findall(nodes.container)):
            if sub.get("design_component") == "card-title":
                title = _set_source(nodes.title(""), sub)
                for child in sub.children:
                    title += child.children if child.tagname == "PassthroughTextElement" else child
                sub.parent.remove(sub)
                card.insert(0, title)
                break
        for child in list(card.children):
            if child.tagname != "PassthroughTextElement":
                continue
            ref = next(iter(child.findall(nodes.reference)), None)
            if ref is not None and "sd-stretched-link" in ref.get("classes", []):
                card["qmd_link"] = ref.get("refuri") or ("#" + ref.get("refid", ""))
                card.remove(child)


class ProofCleanup(SphinxPostTransform):
    """sphinx-proof's proof: unwrap its admonition and drop the inserted "Proof. "."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.Element)):
            if node.tagname != "proof_node":
                continue
            inner = next((c for c in node.children if isinstance(c, nodes.admonition)), None)
            if inner is None:
                continue
            realtype = next((c for c in inner["classes"] if c != "proof"), "proof")
            node["realtype"] = realtype
            node["ids"] = [i for i in inner["ids"] if i != realtype]
            first = next(iter(inner.findall(nodes.Text)), None)
            prefix = f"{realtype.title()}. "
            if first is not None and first.astext().startswith(prefix):
                first.parent.replace(first, nodes.Text(first.astext()[len(prefix) :]))
            node.replace(inner, inner.children)


class MarginContent(SphinxPostTransform):
    """``margin``/``sidebar`` and ``:figclass: margin`` content -> ``qmd_margin``."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.sidebar)):
            new = _set_source(qmd_margin(), node)
            title = node.next_node(nodes.title)
            if title is not None and title.parent is node and title.astext().strip():
                new += nodes.paragraph("", "", nodes.strong("", "", *title.children))
            new += [c for c in node.children if not isinstance(c, (nodes.title, nodes.subtitle))]
            node.replace_self(new)
        for node in list(self.document.findall(nodes.figure)):
            if "margin" in node.get("classes", []) and not isinstance(node.parent, qmd_margin):
                node["classes"] = [c for c in node["classes"] if c != "margin"]
                new = _set_source(qmd_margin(), node)
                node.replace_self(new)
                new += node


class FootnoteRule(SphinxPostTransform):
    """MyST separates footnotes with a ``transition``; Quarto makes its own."""

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.transition)):
            if "footnotes" in node.get("classes", []):
                node.parent.remove(node)


class MarginNotes(SphinxPostTransform):
    """sphinx-book-theme's margin notes: a footnote whose text starts with ``{-}``.

    The theme turns them into unnumbered margin notes (``use_sidenotes``), in HTML only;
    here the reference becomes an inline ``[text]{.aside}`` (a one-paragraph note) or a
    ``.column-margin`` block after the paragraph (a longer one), and the footnote goes.
    """

    default_priority = 5
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for footnote in list(self.document.findall(nodes.footnote)):
            body = [c for c in footnote.children if not isinstance(c, nodes.label)]
            first = body[0].next_node(nodes.Text) if body else None
            if first is None or not first.astext().startswith("{-}"):
                continue
            first.parent.replace(first, nodes.Text(first.astext()[3:].lstrip()))
            refs = [
                r
                for r in self.document.findall(nodes.footnote_reference)
                if r.get("refid") in footnote["ids"]
            ]
            if not refs:
                continue  # an unreferenced note: it stays a footnote
            ref = refs[0]
            if len(body) == 1 and isinstance(body[0], nodes.paragraph):
                ref.replace_self(_set_source(qmd_aside("", *body[0].children), ref))
            else:
                block = ref.parent
                while not isinstance(block, nodes.Body) and block.parent is not None:
                    block = block.parent
                note = _set_source(qmd_margin(), footnote)
                note += body
                block.parent.insert(block.parent.index(block) + 1, note)
                ref.parent.remove(ref)
            for other in refs[1:]:
                other.parent.remove(other)
            footnote.parent.remove(footnote)


CONSTRUCT_TRANSFORMS = (
    MarginNotes,
    HardBreaks,
    TaskCheckboxes,
    IframeVideos,
    OnlyToContentVisible,
    DesignTitles,
    ProofCleanup,
    MarginContent,
    FootnoteRule,
)
