"""The page's revealjs deck: the marked blocks, written by the same translator.

:mod:`.transforms.slides` has turned the author's slide markers into ``qmd_slide`` /
``qmd_slide_end`` nodes. While the book page is written they produce nothing; at the end
of the page the translator writes each slide's blocks again, in *deck mode*: the same
visitors, but links and image paths are made relative to ``slides/<page>.qmd`` and a
cross-reference whose target is not on the deck becomes a link to the book page with
the number Sphinx gave the target (a deck is a page of its own for Quarto).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.errors import SphinxWarning
from sphinx.util.osutil import relative_uri

from ..transforms.nodes import qmd_slide, qmd_slide_end
from ..warning_types import QmdWarning
from .translator_api import TranslatorAPI

if TYPE_CHECKING:
    from ..builder import QmdBuilder

#: folder of the decks, relative to the book
SLIDES_DIR = "slides"


@dataclass(frozen=True)
class Slide:
    """One slide: its title (inline markdown), the top-level section it lies in, its body."""

    title: str
    section: str | None
    body: str
    section_key: str | None = None  # tells two sections of the same title apart


@dataclass
class Deck:
    """What a page hands over for its deck (one more part of the page's result)."""

    slides: list[Slide]
    #: front-matter keys the deck's own text made (``nocite`` of a ``cite:empty`` on a slide)
    front_matter: dict[str, Any] = field(default_factory=dict)
    #: whether a slide cites (the deck then names the bibliography)
    cites: bool = False

    def text(self, front_matter: dict[str, Any]) -> str:
        """The deck file: *front_matter* (title, images, bibliography), then the slides."""
        from .page import front_matter_yaml

        merged = {**front_matter, **self.front_matter}
        head = f"---\n{front_matter_yaml(merged)}---\n\n" if merged else ""
        return head + deck_markdown(self.slides) + "\n"


@dataclass
class DeckPlace:
    """Where deck text goes: the deck file, its page, and the ids the deck itself carries."""

    docname: str
    uri: str  # the deck, relative to the book: slides/<page>.qmd
    qids: set[str] = field(default_factory=set)

    def link_to(self, builder: QmdBuilder, refdoc: str, anchor: str | None) -> str:
        if refdoc == self.docname and anchor and anchor in self.qids:
            return "#" + anchor
        uri = relative_uri(self.uri, builder.get_target_uri(refdoc))
        return uri + (f"#{anchor}" if anchor else "")

    def rebase(self, path: str) -> str:
        """A path relative to the page, made relative to the deck."""
        if not path or "://" in path or path.startswith(("/", "#", "{{<", "data:", "mailto:")):
            return path
        full = posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), path))
        return posixpath.relpath(full, posixpath.dirname(self.uri) or ".")


def deck_uri(out_name: str) -> str:
    """The deck of the page written as *out_name* (relative to the book, with suffix)."""
    return f"{SLIDES_DIR}/{out_name}.qmd"


def slide_content(slide: qmd_slide) -> list[nodes.Node]:
    """The siblings after *slide* up to its end node (the transform always puts one)."""
    parent = slide.parent
    if parent is None:
        return []
    content: list[nodes.Node] = []
    for sibling in parent.children[parent.index(slide) + 1 :]:
        if isinstance(sibling, (qmd_slide_end, qmd_slide)):
            break
        content.append(sibling)
    return content


def top_section(node: nodes.Node) -> nodes.section | None:
    """The top-level section of the page that holds *node* (below the page title).

    Found in the doctree, not from heading levels: the page's first section is its
    title, so the sections directly inside it (or beside it) are its top level.
    """
    chain: list[nodes.section] = []
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            chain.append(parent)
        parent = parent.parent
    if not chain:
        return None
    outermost = chain[-1]
    document = outermost.parent
    first = next((c for c in document.children if isinstance(c, nodes.section)), None)
    if outermost is not first:
        return outermost  # a second top-level section of the source: a section of its own
    return chain[-2] if len(chain) > 1 else None


class SlideVisitors(TranslatorAPI):
    """Mixin of :class:`.writer.QmdTranslator`: slide nodes and the deck."""

    document: nodes.document
    notebook_as_ipynb: bool

    def init_slides(self) -> None:
        self.slide_starts: list[qmd_slide] = []
        #: set on the translator that writes a deck (None: the book page)
        self.deck: DeckPlace | None = None
        #: the page's deck, made at the end of the page (None: no slide markers)
        self.deck_result: Deck | None = None

    def visit_qmd_slide(self, node: qmd_slide) -> None:
        if self.deck is None:
            self.slide_starts.append(node)
        raise nodes.SkipNode

    def visit_qmd_slide_end(self, node: qmd_slide_end) -> None:
        raise nodes.SkipNode

    # -- writing the deck ---------------------------------------------------------------

    def write_deck(self) -> None:
        """Make :attr:`deck_result` from the slide nodes the page walk met (book mode)."""
        if not self.slide_starts:
            return
        builder = self.builder
        place = DeckPlace(self.docname, deck_uri(builder.out_name(self.docname)))
        contents = [slide_content(start) for start in self.slide_starts]
        for content in contents:
            for node in content:
                if isinstance(node, nodes.Element):
                    for element in node.findall(nodes.Element):
                        target = builder.labels.for_node(self.docname, element)
                        if target is not None and target.anchor:
                            place.qids.add(target.qid)
        deck = builder.create_translator(self.document, builder)
        deck.deck = place
        deck.notebook_as_ipynb = False  # a deck is a .qmd: code cells are Quarto cells
        slides: list[Slide] = []
        for start, content in zip(self.slide_starts, contents):
            title_node = next((c for c in start.children if isinstance(c, nodes.title)), None)
            title = deck.inline_markdown(title_node) if title_node is not None else ""
            section = top_section(start)
            section_title = section_key = None
            if section is not None:
                section_key = (section.get("ids") or [str(id(section))])[0]
                heading = next((c for c in section.children if isinstance(c, nodes.title)), None)
                section_title = deck.inline_markdown(heading) if heading is not None else None
            depth = len(deck.stack)
            deck.push("slide")
            try:
                for node in content:
                    node.walkabout(deck)
            except SphinxWarning:
                raise  # -W: a warning ends the build
            except Exception as err:  # a bad slide costs that slide, never the page
                del deck.stack[depth:]
                self.warn("slide left out of the deck: %s", start, QmdWarning.SLIDES, err)
                continue
            body = deck.pop().make()
            slides.append(Slide(title, section_title, body, section_key))
        cites = any(
            node.tagname == "qmd_citation"
            for content in contents
            for top in content
            if isinstance(top, nodes.Element)
            for node in top.findall(nodes.Element)
        )
        self.deck_result = Deck(slides, dict(deck.front_matter), cites)

    def inline_markdown(self, node: nodes.Element) -> str:
        """The children of *node* as one line of inline markdown."""
        self.push("inline")
        for child in node.children:
            child.walkabout(self)
        text = self.pop().make_inline().strip()
        return " ".join(line.strip() for line in text.splitlines())


def deck_markdown(slides: list[Slide]) -> str:
    """The body of a deck: ``# Section`` dividers where the section changes, ``## Title``."""
    parts: list[str] = []
    current: str | None = None
    for slide in slides:
        if slide.section is not None and slide.section_key != current:
            parts.append(f"# {slide.section}")
            current = slide.section_key
        parts.append(f"## {slide.title}".rstrip())
        if slide.body.strip():
            parts.append(slide.body)
    return "\n\n".join(parts)
