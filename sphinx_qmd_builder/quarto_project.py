"""``_quarto.yml``: the Quarto book project that mirrors the Sphinx book."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from sphinx.util import logging

if TYPE_CHECKING:
    from .builder import QmdBuilder

logger = logging.getLogger(__name__)


def toctree_order(builder: QmdBuilder) -> list[str]:
    """Every document reachable from the root document, in toctree (reading) order."""
    env = builder.env
    order: list[str] = []
    seen: set[str] = set()

    def walk(docname: str) -> None:
        if docname in seen or docname not in env.all_docs:
            return
        seen.add(docname)
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(builder.config.root_doc)
    return order


def book_chapters(builder: QmdBuilder) -> list[str]:
    """Output pages in book order; pages outside every toctree come last (Sphinx warns)."""
    order = toctree_order(builder)
    rest = sorted(set(builder.env.all_docs) - set(order))
    return [builder.get_target_uri(docname) for docname in order + rest]


def quarto_config(builder: QmdBuilder, chapters: list[str], bibfiles: list[str]) -> dict[str, Any]:
    config = builder.config
    book: dict[str, Any] = {"title": config.qmd_book_title or config.project}
    if config.author and config.author != "unknown":
        book["author"] = config.author
    book["chapters"] = chapters
    project: dict[str, Any] = {"project": {"type": "book"}, "book": book}
    if bibfiles:
        project["bibliography"] = bibfiles if len(bibfiles) > 1 else bibfiles[0]
    if config.qmd_quarto_formats:
        project["format"] = config.qmd_quarto_formats
    return project


def quarto_config_yaml(builder: QmdBuilder, chapters: list[str], bibfiles: list[str]) -> str:
    data = quarto_config(builder, chapters, bibfiles)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
