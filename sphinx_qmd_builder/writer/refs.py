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
from ..warning_types import QmdWarning
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
        if form in ("at", "number") and not self.quarto_numbers(node):
            # Quarto cannot number it here (another page of a website, not on this deck):
            # a link that shows the number Sphinx gave the target
            uri = self.link_to(node["refdoc"], node.get("anchor"))
            self.add_inline(f"[{numbered_text(self.builder, node)}]({uri})")
            raise nodes.SkipNode
        if form == "at":
            self.add_inline(f"@{qid}")
            raise nodes.SkipNode
        if form == "number":
            self.add_inline(number_reference(qid, node.get("pre", ""), node.get("post", "")))
            raise nodes.SkipNode
        self.push("inline")

    def quarto_numbers(self, node: qmd_crossref) -> bool:
        """Whether ``@qid`` shows the reader a number here.

        Not for another page of a website or a target off the deck (QUARTO.md 7), and not
        for a section in a website, whose number the reader never sees (QUARTO.md 8).
        """
        if self.builder.project_type == "website" and node.get("kind") == "section":
            return False
        return self.resolves_here(node["qid"], node["refdoc"])

    def depart_qmd_crossref(self, node: qmd_crossref) -> None:
        text = self.pop().make_inline().strip() or md.escape_text(node["label"])
        uri = self.link_to(node["refdoc"], node.get("anchor"))
        self.add_inline(f"[{text}]({uri})")

    def visit_qmd_doclink(self, node: qmd_doclink) -> None:
        self.push("inline")

    def depart_qmd_doclink(self, node: qmd_doclink) -> None:
        text = self.pop().make_inline()
        self.add_inline(f"[{text}]({self.link_to(node['refdoc'])})")

    # -- citations ---------------------------------------------------------------------

    def visit_qmd_citation(self, node: qmd_citation) -> None:
        if node["mode"] == "empty":
            # cite:empty puts an entry in the bibliography without a mark in the text
            nocite = self.front_matter.get("nocite", "")
            listed = nocite.split(", ") if nocite else []
            # each key once (a grid table's cells may be written twice, tables.py)
            listed += [f"@{k}" for k in node["keys"] if f"@{k}" not in listed]
            self.front_matter["nocite"] = ", ".join(listed)
            raise nodes.SkipNode
        self.add_inline(format_citation(node["keys"], node["mode"], node["pre"], node["post"]))
        raise nodes.SkipNode

    def visit_qmd_bibliography(self, node: qmd_bibliography) -> None:
        if getattr(self, "_refs_written", False):
            self.warn(
                "a second bibliography on one page is left out", node, QmdWarning.BIBLIOGRAPHY
            )
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
        child.walkabout(self)
        self.pop()
        return ctx.make().strip()


#: the words Quarto puts before a number (its English defaults), by kind of target
QUARTO_NAMES = {
    "figure": "Figure",
    "table": "Table",
    "code": "Listing",
    "equation": "Equation",
    "section": "Section",
    "theorem": "Theorem",
    "lemma": "Lemma",
    "corollary": "Corollary",
    "proposition": "Proposition",
    "conjecture": "Conjecture",
    "definition": "Definition",
    "example": "Example",
    "exercise": "Exercise",
}


def sphinx_number(builder: Any, node: qmd_crossref) -> str | None:
    """The number Sphinx gave the target of *node* ("3.1"), or None if it has none."""
    env = builder.env
    docname, node_id, kind = node["refdoc"], node.get("node_id", ""), node.get("kind")
    number: Any = None
    if kind == "section":
        number = env.toc_secnumbers.get(docname, {}).get("#" + node_id)
    elif kind == "equation" and not (builder.config.math_numfig and builder.config.numfig):
        found = env.get_domain("math").equations.get(node["label"])
        number = found[1] if found and found[0] == docname else None
    else:
        for numbers in env.toc_fignumbers.get(docname, {}).values():
            if node_id in numbers:
                number = numbers[node_id]
                break
    if number is None or number == ():
        return None
    return ".".join(map(str, number)) if isinstance(number, (tuple, list)) else str(number)


def quarto_number(builder: Any, node: qmd_crossref) -> str | None:
    """The number the reader sees on the target's own page, or None if Quarto shows none.

    A link Quarto does not number (a deck's link into the book, a website's link to another
    page) must show that number, not Sphinx's: a book numbers per chapter (``3.1``; no
    prefix in an unnumbered chapter, letters in appendices: QUARTO.md 21, 22), a website per
    page (``1``, fact 23). Sections keep Sphinx's numbers below the chapter in a numbered
    book; elsewhere Quarto shows none (fact 8).
    """
    docname = node["refdoc"]
    chapter = None if builder.project_type == "website" else builder.quarto_chapter(docname)
    if node.get("kind") == "section":
        number = sphinx_number(builder, node)
        if number is None or chapter is None:
            return None
        return ".".join([chapter, *number.split(".")[1:]])
    target = builder.labels.by_node.get((docname, node.get("node_id", "")))
    if target is None or not target.numbered:
        return None
    position = page_positions(builder, docname).get(target.qid)
    if position is None:
        return None
    return str(position) if chapter is None else f"{chapter}.{position}"


def page_positions(builder: Any, docname: str) -> dict[str, int]:
    """Quarto id -> its position among the targets of its kind that Quarto numbers on the
    page of *docname*, in document order (what Quarto counts). Subfigures (``1a``) are
    not counted and get no position."""
    cache: dict[str, dict[str, int]] = builder.__dict__.setdefault("_qmd_positions", {})
    if docname in cache:
        return cache[docname]
    positions: dict[str, int] = {}
    counts: dict[str, int] = {}
    for element in builder.env.get_doctree(docname).findall(nodes.Element):
        ids = list(element.get("ids", []))
        if element.get("nb_element") == "cell_code":
            ids.append(f"cell-{element.get('cell_index', 0)}")  # a figure cell (labels.py)
        for node_id in ids:
            target = builder.labels.by_node.get((docname, node_id))
            if target is None or not target.numbered or target.kind in (None, "section"):
                continue
            if target.qid in positions or isinstance(element, nodes.image):
                break  # a second id of one node; or a subfigure
            counts[target.kind] = counts.get(target.kind, 0) + 1
            positions[target.qid] = counts[target.kind]
            break
    cache[docname] = positions
    return positions


def numbered_text(builder: Any, node: qmd_crossref) -> str:
    """The text of a reference Quarto cannot number: the author's words around the number
    the reader sees on the target's page (``Abbildung 3.1``, ``(2.1)``: :func:`quarto_number`),
    or Quarto's own name for it (``Figure 3.1``); the target's title when it has none."""
    number = quarto_number(builder, node)
    if number is None:
        return md.escape_text(node.get("title") or node["label"])
    if node.get("form") == "number":
        return md.escape_text(f"{node.get('pre', '')}{number}{node.get('post', '')}")
    name = QUARTO_NAMES.get(node.get("kind") or "", "")
    return md.escape_text(f"{name} {number}".strip())


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
