"""Slide markers in HTML comments -> :class:`.nodes.qmd_slide` / ``qmd_slide_end`` nodes.

Lecture notes mark the parts that are also slides::

    <!-- ### BEGIN SLIDE -->
    <!-- Title: Fully-Convolutional Network -->
    ...content...
    <!-- ### END SLIDE -->

The comments reach the doctree as ``raw`` HTML nodes (MyST) or ``comment`` nodes (rST,
MyST ``%``). This transform replaces the markers by nodes the book page does not write
and the deck writer (:mod:`.writer.slides`) reads: a slide is the run of siblings between
a ``qmd_slide`` and its ``qmd_slide_end``. The title becomes a ``title`` child, so it is
translated like a heading. Nothing else of the page changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..warning_types import QmdWarning
from .nodes import qmd_slide, qmd_slide_end

logger = logging.getLogger(__name__)

BEGIN, TITLE, END = "begin", "title", "end"


@dataclass(frozen=True)
class SlideMarkers:
    """The three comment patterns (``qmd_slide_markers``), matched against a comment's text."""

    begin: re.Pattern[str]
    title: re.Pattern[str]
    end: re.Pattern[str]

    @classmethod
    def from_config(cls, config: Any) -> SlideMarkers:
        begin, title, end = config.qmd_slide_markers
        return cls(re.compile(begin), re.compile(title, re.S), re.compile(end))

    def classify(self, node: nodes.Node) -> list[tuple[str, str]]:
        """``(kind, title text)`` of each marker in a marker comment; [] for anything else.

        A docutils comment may hold several markers, one a line (MyST joins consecutive
        ``%`` lines into one comment); it counts only when every line is a marker.
        """
        text = comment_text(node)
        if text is None:
            return []
        lines = [text] if isinstance(node, nodes.raw) else text.splitlines()
        found = [self.match(line.strip()) for line in lines if line.strip()]
        return [m for m in found if m is not None] if None not in found else []

    def match(self, text: str) -> tuple[str, str] | None:
        if self.begin.fullmatch(text):
            return BEGIN, ""
        if self.end.fullmatch(text):
            return END, ""
        found = self.title.fullmatch(text)
        if found:
            value = found.group(1) if found.groups() else text
            return TITLE, " ".join((value or "").split())
        return None


def comment_text(node: nodes.Node) -> str | None:
    """The text inside an HTML comment (raw html) or a docutils comment; None otherwise."""
    if isinstance(node, nodes.comment):
        return node.astext().strip()
    if isinstance(node, nodes.raw) and "html" in node.get("format", "").split():
        text = node.astext().strip()
        if text.startswith("<!--") and text.endswith("-->") and text.count("<!--") == 1:
            return text[4:-3].strip()
    return None


def _warn(message: str, node: nodes.Node, *args: Any) -> None:
    logger.warning(message, *args, location=node, type="qmd", subtype=QmdWarning.SLIDES)


class SlideMarkerTransform(SphinxPostTransform):
    """Pair the slide markers of a page; warn (with the place) about broken pairs.

    A ``BEGIN`` while a slide is open, and a slide still open at the end of its section,
    close the open slide there: a slide never crosses a heading. A ``Title`` outside a
    slide stays a comment; an ``END`` without a slide is dropped.
    """

    default_priority = 7  # after the references (5), before translation (850)
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        if not self.config.qmd_slides:
            return
        markers = SlideMarkers.from_config(self.config)
        parents: list[nodes.Element] = []
        for node in self.document.findall(lambda n: bool(markers.classify(n))):
            if node.parent is not None and not any(node.parent is p for p in parents):
                parents.append(node.parent)
        for parent in parents:
            self.pair(parent, markers)

    def pair(self, parent: nodes.Element, markers: SlideMarkers) -> None:
        current: qmd_slide | None = None
        index = 0
        while index < len(parent.children):
            child = parent.children[index]
            events = markers.classify(child)
            if not events:
                index += 1
                continue
            parent.remove(child)
            keep = False  # a Title outside a slide stays a comment
            for kind, title in events:
                if kind == BEGIN:
                    if current is not None:
                        _warn(
                            "slide begins before the previous one ended; that one ends here", child
                        )
                        index = _put(parent, index, qmd_slide_end(), child)
                        self.name(current)
                    current = qmd_slide()
                    index = _put(parent, index, current, child)
                elif kind == TITLE:
                    if current is None:
                        _warn("slide title outside a slide; kept as a comment", child)
                        keep = True
                    elif current.children:
                        _warn("second slide title in one slide; the first one is used", child)
                    else:
                        heading = nodes.title("", title)
                        heading.source, heading.line = child.source, child.line
                        current += heading
                        current["title_from"] = "marker"
                elif current is None:
                    _warn("end of a slide that never began; marker dropped", child)
                else:
                    index = _put(parent, index, qmd_slide_end(), child)
                    self.name(current)
                    current = None
            if keep:
                parent.insert(index, child)
                index += 1
        if current is not None:
            where = "its section" if isinstance(parent, nodes.section) else "the page"
            _warn("slide never ends; it ends at the end of %s", current, where)
            end = qmd_slide_end()
            end.source, end.line = current.source, current.line
            parent.append(end)
            self.name(current)

    def name(self, slide: qmd_slide) -> None:
        """Give a slide without a ``Title:`` the heading it lies under."""
        if slide.children:
            return
        heading = nearest_heading(slide)
        title = nodes.title("")
        title.source, title.line = slide.source, slide.line
        if heading is not None:
            title.extend(copy.deepcopy(child) for child in heading.children)
            # the same text as the heading: translation uses the heading's memory entry
            title.line = heading.line or slide.line
        else:
            title += nodes.Text(str(self.env.docname))
        slide += title
        slide["title_from"] = "heading"
        _warn("slide without a title; it takes %r", slide, title.astext())


def _put(parent: nodes.Element, index: int, node: nodes.Element, origin: nodes.Node) -> int:
    """Insert *node* (placed where the comment *origin* was) at *index*; the next index."""
    node.source, node.line = origin.source, origin.line
    parent.insert(index, node)
    return index + 1


def nearest_heading(node: nodes.Node) -> nodes.title | None:
    """The title of the innermost section around *node* (the heading the reader last saw)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            title = next((c for c in parent.children if isinstance(c, nodes.title)), None)
            if title is not None:
                return title
        parent = parent.parent
    return None
