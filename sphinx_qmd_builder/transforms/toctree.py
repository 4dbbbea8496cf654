"""A visible toctree (``{tableofcontents}`` in Jupyter Book) as an ordinary list of links.

Quarto keeps the book's navigation in ``_quarto.yml`` and has no directive that prints a
table of contents on a page, so the qmd builder does what Sphinx's HTML builder does when
it resolves a toctree: it writes a bullet list of links into the doctree. Doing it here,
before the translation post-transform (850), makes the link texts prose like any other:
a page title shared with that page's heading is the same memory entry. The writer needs
nothing special. A hidden toctree is left to Sphinx, which drops it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from ..book.quarto_yml import TocLink, TocListing
from ..compat import app_of
from .nodes import TITLE_OF


def _located(node: nodes.Element, at: nodes.Node) -> nodes.Element:
    """*node* and everything in it located where the toctree was (warnings, memory)."""
    for each in node.findall(nodes.Element):
        each.source, each.line = at.source, at.line
    return node


def _items(builder: Any, docname: str, links: list[TocLink]) -> nodes.bullet_list:
    """One list item per link, the entries below a page nested inside its item."""
    found = nodes.bullet_list(bullet="-")
    for link in links:
        text = " ".join(link.title.split()) or link.target
        if link.external:
            ref = nodes.reference(text, text, refuri=link.target)
        else:
            uri = builder.link_to(docname, link.target)
            ref = nodes.reference(text, text, refuri=uri, internal=True)
            ref[TITLE_OF] = link.target
        item = nodes.list_item("", nodes.paragraph("", "", ref))
        if link.children:
            item += _items(builder, docname, link.children)
        found += item
    return found


def toc_nodes(builder: Any, docname: str, listing: TocListing) -> list[nodes.Element]:
    """The caption as a bold paragraph, then the links; nothing when there are no links."""
    if not listing.links:
        return []
    made: list[nodes.Element] = []
    if listing.caption:
        caption = " ".join(listing.caption.split())
        made.append(nodes.paragraph("", "", nodes.strong(caption, caption)))
    made.append(_items(builder, docname, listing.links))
    return made


class TocTreeLists(SphinxPostTransform):
    """Replace each visible toctree (and its ``toctree-wrapper``) by a list of links."""

    default_priority = 800  # after the references (5-25), before translation (850)
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        builder = app_of(self.env).builder
        docname = self.env.docname
        for tree in list(self.document.findall(addnodes.toctree)):
            if tree.get("hidden"):
                continue  # Sphinx removes it when it resolves the toctrees
            made = [
                _located(n, tree)
                for n in toc_nodes(builder, docname, builder.toc_listing(docname, tree))
            ]
            wrapper = tree.parent
            if (
                isinstance(wrapper, nodes.compound)
                and "toctree-wrapper" in wrapper.get("classes", [])
                and len(wrapper.children) == 1
            ):
                wrapper.replace_self(made)
            else:
                tree.replace_self(made)
