"""``_quarto.yml`` for a Quarto *website* (``qmd_project_type = "website"``).

The same pages as the book, with a sidebar made from the book's chapter list
(:func:`.quarto_yml.book_chapters`, the one toc walk): parts become sidebar sections, the
decks a ``Slides`` section (a ``slides/_metadata.yml`` makes them revealjs, QUARTO.md 12).
Everything else (bibliography, execution, formats, MathJax macros) is the book's own
setting from :func:`.quarto_yml.quarto_config`. A website does not resolve cross-page
references (QUARTO.md 7); the writer turns those into links showing the page's own numbers
(:func:`.writer.refs.quarto_number`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .quarto_yml import book_title, dump_yaml, plain_text, quarto_config

if TYPE_CHECKING:
    from ..builder import QmdBuilder

#: sidebar section that lists the decks
SLIDES_SECTION = "Slides"

#: book settings that a website spells the same way
_SHARED_KEYS = ("title", "favicon", "repo-url", "repo-branch", "repo-subdir")


def _page_title(builder: QmdBuilder, uri: str) -> str:
    for docname in builder.env.all_docs:
        if builder.get_target_uri(docname) == uri:
            title = builder.env.titles.get(docname)
            if title is not None and title.astext().strip():
                return title.astext().strip()
    return uri


def sidebar_contents(builder: QmdBuilder, chapters: list[Any], decks: list[str]) -> list[Any]:
    """The website sidebar: *chapters* (the book's list) with parts as sections, then decks."""

    def convert(entry: Any) -> Any:
        if not isinstance(entry, dict) or "part" not in entry:
            return entry  # a page, or an {href, text} link (both valid sidebar items)
        part = str(entry["part"])
        section: dict[str, Any] = {}
        if part.endswith((".qmd", ".ipynb")):  # a part with a page of its own
            section["section"] = _page_title(builder, part)
            section["href"] = part
        else:
            section["section"] = part
        section["contents"] = [convert(child) for child in entry.get("chapters", [])]
        return section

    contents = [convert(entry) for entry in chapters]
    if decks:
        contents.append({"section": SLIDES_SECTION, "contents": list(decks)})
    return contents


def website_config(
    builder: QmdBuilder, chapters: list[Any], bibfiles: list[str], decks: list[str]
) -> dict[str, Any]:
    book_like = quarto_config(builder, chapters, bibfiles)
    book = book_like.pop("book", None) or {}
    book_like.pop("project", None)
    website: dict[str, Any] = {
        key: book[key] for key in _SHARED_KEYS if key in book and book[key] is not None
    }
    website.setdefault("title", book_like.pop("title", None) or plain_text(book_title(builder)))
    book_like.pop("author", None)
    sidebar: dict[str, Any] = dict(book.get("sidebar") or {})  # its logo
    sidebar["contents"] = sidebar_contents(builder, chapters, decks)
    website["sidebar"] = sidebar
    formats = book_like.get("format")
    if isinstance(formats, dict) and "html" in formats:
        # every page of a website is rendered to every format: keep the web page only
        book_like["format"] = {"html": formats["html"]}
    return {"project": {"type": "website"}, "website": website, **book_like}


def website_config_yaml(
    builder: QmdBuilder, chapters: list[Any], bibfiles: list[str], decks: list[str]
) -> str:
    return dump_yaml(website_config(builder, chapters, bibfiles, decks))
