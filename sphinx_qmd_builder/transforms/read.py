"""Read-time transforms: they run while a source is read, for every builder."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from ..guard.paths import builder_name
from ..warning_types import QmdWarning

logger = logging.getLogger(__name__)


class ImageLineFiller(SphinxTransform):
    """Give image nodes without a source line the line of their nearest located ancestor.

    myst-parser 3 builds some figure images (an HTML ``<img>`` in ``figure-md``) with
    line 0, so Sphinx's "image file not readable" warning would name the file but
    no line. Runs at read time, before the image collector warns.
    """

    default_priority = 900

    def apply(self, **kwargs: Any) -> None:
        for image in self.document.findall(nodes.image):
            if image.line:  # None, or 0 from myst-parser 3
                continue
            parent = image.parent
            while parent is not None and not parent.line:
                parent = parent.parent
            if parent is not None:
                image.line = parent.line
                image.source = image.source or parent.source


def _front_matter_title(doctree: nodes.document) -> str:
    """The ``title:`` of the page's front matter (myst-parser's docinfo), or ''."""
    for info in doctree.findall(nodes.docinfo):
        for field in info.findall(nodes.field):
            if field[0].astext().strip().lower() == "title":
                return " ".join(field[1].astext().split())
    return ""


def title_from_front_matter(app: Sphinx, doctree: nodes.document) -> None:
    """A page without any heading takes the ``title:`` of its front matter as its heading.

    Jupyter Book shows that title. As myst-parser's ``title_to_header`` does, the page gets
    a section with that title around its content -- before Sphinx's title and toctree
    collectors run (priority 500) -- so the toctree, ``_quarto.yml`` and the writer's
    ``title:`` all have it, and a page that is nothing but front matter keeps its only text.
    """
    if builder_name(app.env) != "qmd" or doctree.next_node(nodes.section) is not None:
        return
    title = _front_matter_title(doctree)
    if not title:
        return
    logger.warning(
        "the page has no heading; its title comes from the front matter",
        location=(app.env.docname, 1),
        type="qmd",
        subtype=QmdWarning.FRONT_MATTER_TITLE,
    )
    section = nodes.section()
    section.source, section.line = doctree.get("source"), 1
    heading = nodes.title(title, title)
    heading.source, heading.line = section.source, 1
    section += heading
    # the docinfo stays first (Sphinx's metadata collector looks for it there)
    for child in list(doctree.children):
        if not isinstance(child, nodes.docinfo | nodes.PreBibliographic):
            doctree.remove(child)
            section += child
    section["names"].append(nodes.fully_normalize_name(title))
    doctree += section
    doctree.note_implicit_target(section, section)
