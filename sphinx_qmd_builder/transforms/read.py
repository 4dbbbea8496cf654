"""Read-time transforms: they run while a source is read, for every builder."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform


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
