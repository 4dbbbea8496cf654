"""A visible toctree (``{tableofcontents}`` in Jupyter Book) as a markdown list of links.

Sphinx resolves such a toctree into a list of links before the writer sees the page; Quarto
has no directive for it. The builder owns the book's structure (:func:`toc_listing`), so the
writer asks it for the toctree's pages and prints them: the caption as a bold line, then one
``[Title](page.qmd)`` per page, nested as the toc nests them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..book.quarto_yml import TocLink, TocListing
from . import markdown as md


def _items(links: list[TocLink], href: Callable[[TocLink], str], depth: int) -> list[str]:
    lines: list[str] = []
    for link in links:
        text = md.escape_text(" ".join(link.title.split())) or md.escape_text(link.target)
        lines.append(f"{'    ' * depth}- [{text}]({href(link)})")
        lines.extend(_items(link.children, href, depth + 1))
    return lines


def toc_markdown(listing: TocListing, href: Callable[[TocLink], str]) -> str:
    """The listing as markdown; *href* gives a link's target as seen from the page."""
    blocks: list[str] = []
    if listing.caption:
        blocks.append(f"**{md.escape_text(' '.join(listing.caption.split()))}**")
    items = _items(listing.links, href, 0)
    if items:
        blocks.append("\n".join(items))
    return "\n\n".join(blocks) if items else ""
