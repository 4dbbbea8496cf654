"""Writer handlers for references, citations, bibliographies and captioned listings.

The post-transforms in :mod:`.transforms` have already decided *what* each reference
becomes (:func:`.transforms.crossref_form`); these handlers only spell it in Quarto
markdown, and record every id a page carries for the integrity report.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from ..transforms.nodes import (
    qmd_bibliography,
    qmd_citation,
    qmd_crossref,
    qmd_doclink,
    qmd_listing,
)
from . import markdown as md
from .translator_api import TranslatorAPI

#: characters after which ``-@id`` needs brackets (they would continue the key)
_KEY_CONTINUES = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-@#$%&+~/<>")


class RefVisitors(TranslatorAPI):
    """Mixin of :class:`~.translator.QmdTranslator`: cross-references and citations."""

    add_inline: Any

    # -- cross-references ------------------------------------------------------------

    def visit_qmd_crossref(self, node: qmd_crossref) -> None:
        form = node.get("form", "at")
        qid = node["qid"]
        if form == "at":
            self.add_inline(f"@{qid}")
            raise nodes.SkipNode
        if form == "number":
            self.add_inline(number_reference(qid, node.get("pre", ""), node.get("post", "")))
            raise nodes.SkipNode
        self.push("inline")

    def depart_qmd_crossref(self, node: qmd_crossref) -> None:
        text = self.pop().make_inline().strip() or md.escape_text(node["label"])
        uri = self.builder.link_to(self.docname, node["refdoc"], node.get("anchor"))
        self.add_inline(f"[{text}]({uri})")

    def visit_qmd_doclink(self, node: qmd_doclink) -> None:
        self.push("inline")

    def depart_qmd_doclink(self, node: qmd_doclink) -> None:
        text = self.pop().make_inline()
        self.add_inline(f"[{text}]({self.builder.link_to(self.docname, node['refdoc'])})")

    # -- citations ---------------------------------------------------------------------

    def visit_qmd_citation(self, node: qmd_citation) -> None:
        if node["mode"] == "empty":
            # cite:empty puts an entry in the bibliography without a mark in the text
            nocite = self.front_matter.get("nocite", "")
            keys = ", ".join(f"@{k}" for k in node["keys"])
            self.front_matter["nocite"] = f"{nocite}, {keys}" if nocite else keys
            raise nodes.SkipNode
        self.add_inline(format_citation(node["keys"], node["mode"], node["pre"], node["post"]))
        raise nodes.SkipNode

    def visit_qmd_bibliography(self, node: qmd_bibliography) -> None:
        if getattr(self, "_refs_written", False):
            self.warn("a second bibliography on one page is left out", node, "bibliography")
        else:
            self._refs_written = True
            self.add_block("::: {#refs}\n:::")
        raise nodes.SkipNode

    # -- captioned code blocks ----------------------------------------------------------

    def visit_qmd_listing(self, node: qmd_listing) -> None:
        """A captioned ``code-block``: with a label, a Quarto listing (``::: {#lst-x}``, the
        caption its last paragraph); without one, the caption above the code."""
        code = self.render_child(node, nodes.literal_block)
        caption = self.render_child(node, nodes.caption)
        target = self.builder.labels.for_node(self.docname, node)
        if target is not None and target.numbered and caption:
            self.add_block(f"::: {self.id_attributes(target.qid)}\n\n{code}\n\n{caption}\n\n:::")
            raise nodes.SkipNode
        anchor = self.anchor(target.qid) if target is not None else ""
        for block in (anchor, caption, code):
            if block:
                self.add_block(block)
        raise nodes.SkipNode

    def render_child(self, node: nodes.Element, kind: type[nodes.Element]) -> str:
        """The markdown of *node*'s first child of *kind*, written by its own visitor."""
        child = next((c for c in node.children if isinstance(c, kind)), None)
        if child is None:
            return ""
        ctx = self.push("listing")
        child.walkabout(self)  # type: ignore[arg-type]
        self.pop()
        return ctx.make().strip()


def number_reference(qid: str, pre: str, post: str) -> str:
    """The author's words around Quarto's bare number: ``Abbildung -@fig-x``."""
    pre_md, post_md = md.escape_text(pre), md.escape_text(post)
    bare = (not pre or not pre[-1].isalnum()) and (not post or post[0] not in _KEY_CONTINUES)
    if bare:
        return f"{pre_md}-@{qid}{post_md}"
    if post_md.startswith("("):
        post_md = "\\" + post_md  # "[-@x](" would read as a link
    return f"{pre_md}[-@{qid}]{post_md}"


def format_citation(keys: list[str], mode: str, pre: list[str], post: list[str]) -> str:
    """A pandoc citation for sphinxcontrib-bibtex's role *mode*.

    ``p``/``ps``/``label``/``labelpar`` -> ``[see @k, p. 3]``; ``t``/``ts``/``ct``/``cts``
    and ``author``-like roles -> ``@k [p. 3]`` (pandoc has no author-only form);
    ``year`` -> ``-@k``, ``yearpar`` -> ``[-@k]``; ``foot`` (footcite) -> ``^[[@k]]``.
    """
    pre = pre or [""] * len(keys)
    post = post or [""] * len(keys)
    textual = mode in ("t", "ts", "ct", "cts", "author", "authors", "cauthor", "cauthors")
    if textual or mode.startswith("text"):
        parts = []
        for key, before, after in zip(keys, pre, post):
            item = f"@{key}"
            if before:
                item = f"{md.escape_text(before)} {item}"
            if after:
                item = f"{item} [{md.escape_text(after)}]"
            parts.append(item)
        return ", ".join(parts)
    if mode == "year":
        return ", ".join(f"-@{key}" for key in keys)
    items = []
    for key, before, after in zip(keys, pre, post):
        item = f"-@{key}" if mode == "yearpar" else f"@{key}"
        if before:
            item = f"{md.escape_text(before)} {item}"
        if after:
            item = f"{item}, {md.escape_text(after)}"
        items.append(item)
    cite = "[" + "; ".join(items) + "]"
    return f"^[{cite}]" if mode == "foot" else cite
