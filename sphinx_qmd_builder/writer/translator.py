"""The Quarto writer: how one resolved doctree becomes one page (a :class:`.PageOutput`).

The translator keeps a stack of output contexts (:mod:`.contexts`). A block element
pushes a context, its children write into it, and its ``depart_`` pops the context and
hands the finished markdown to the parent (STYLE.md: the sphinx-markdown-builder shape).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from docutils import nodes, writers
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator

from ..warning_types import QmdWarning
from . import markdown as md
from .admonitions import AdmonitionVisitors
from .api import ApiVisitors
from .cells import CellVisitors
from .contexts import BlockQuoteContext, Context, FigureContext, ListContext
from .design import DesignVisitors
from .equations import display_math, strip_label
from .figures import (
    FigureVisitors,
    figure_div_attributes,
    figure_image_values,
    is_subfigure,
)
from .media import MediaVisitors
from .page import PageOutput
from .proofs import ProofVisitors
from .prose import ProseVisitors
from .refs import RefVisitors
from .slides import SlideVisitors
from .tables import TableVisitors

if TYPE_CHECKING:
    from ..builder import QmdBuilder

logger = logging.getLogger(__name__)

C = TypeVar("C", bound=Context)

#: kernel / lexer names -> Quarto engine language of an executable cell
CELL_LANGUAGES = {
    "ipython3": "python",
    "ipython2": "python",
    "ipython": "python",
    "python3": "python",
    "python2": "python",
    "ir": "r",
}


class QmdWriter(writers.Writer):
    """docutils writer that runs :class:`QmdTranslator`; :attr:`page` is what it made."""

    supported = ("qmd",)
    output: str
    page: PageOutput

    def __init__(self, builder: QmdBuilder) -> None:
        super().__init__()
        self.builder = builder

    def translate(self) -> None:
        visitor = self.builder.create_translator(self.document, self.builder)
        self.document.walkabout(visitor)
        self.page = visitor.page
        self.output = self.page.text


class QmdTranslator(
    RefVisitors,
    TableVisitors,
    AdmonitionVisitors,
    DesignVisitors,
    FigureVisitors,
    MediaVisitors,
    ProofVisitors,
    ProseVisitors,
    CellVisitors,
    ApiVisitors,
    SlideVisitors,
    SphinxTranslator,
):
    """Writes Quarto markdown. Handlers are grouped by kind of node, as in Sphinx's writers."""

    builder: QmdBuilder

    def __init__(self, document: nodes.document, builder: QmdBuilder) -> None:
        super().__init__(document, builder)
        self.docname: str = builder.current_docname
        self.stack: list[Context] = [Context("document")]
        self.section_level = 0
        self.front_matter: dict[str, Any] = {}
        self.demoted_warned = False  # one heading_level warning per page
        #: the Quarto ids written so far (see :meth:`id_attributes`)
        self.ids: set[str] = set()
        self.page = PageOutput("")
        self.init_cells()
        self.init_slides()

    # -- context stack ----------------------------------------------------------

    @property
    def ctx(self) -> Context:
        return self.stack[-1]

    def push(self, ctx: Context | str = "block") -> Context:
        """Open a container: a typed context, or a plain one named *ctx*."""
        if isinstance(ctx, str):
            ctx = Context(ctx)
        self.stack.append(ctx)
        return ctx

    def pop(self) -> Context:
        return self.stack.pop()

    def add_block(self, text: str) -> None:
        self.ctx.add_block(text)

    def add_inline(self, text: str) -> None:
        self.ctx.add_inline(text)

    def collect(self, kind: type[C], text: str, part: Callable[[C], list[str]]) -> None:
        """Hand *text* to the enclosing container of *kind*, into its list *part* (a term
        to its definition-list item, a line to its line block). In a tree docutils never
        makes (no such container) the text is kept as a block."""
        ctx = self.ctx
        if isinstance(ctx, kind):
            part(ctx).append(text)
        else:
            self.add_block(text)

    def warn(self, message: str, node: nodes.Node, subtype: QmdWarning, *args: Any) -> None:
        logger.warning(message, *args, location=node, type="qmd", subtype=subtype)

    def id_attributes(
        self, ident: str | None = None, classes: list[str] | tuple[str, ...] = (), **kv: object
    ) -> str:
        """:func:`.markdown.attributes`, noting *ident* among the ids the page writes."""
        self.note_id(ident)
        return md.attributes(ident, classes, **kv)

    def anchor(self, ident: str) -> str:
        """``[]{#ident}``: an empty span that carries an id Quarto cannot number."""
        self.note_id(ident)
        return f"[]{{#{ident}}}"

    def note_id(self, ident: str | None) -> None:
        """Record an id the page writes (:attr:`.PageOutput.ids`, the integrity report)."""
        if ident:
            self.ids.add(ident)

    def astext(self) -> str:
        return self.page.text

    # -- where the text goes: the book page, or the page's deck --------------------------

    def link_to(self, refdoc: str, anchor: str | None = None) -> str:
        """A link from the text being written to *refdoc* (and an anchor in it)."""
        if self.deck is None:
            return self.builder.link_to(self.docname, refdoc, anchor)
        return self.deck.link_to(self.builder, refdoc, anchor)

    def rebased(self, path: str) -> str:
        """A path relative to the page, as the text being written must spell it."""
        return path if self.deck is None else self.deck.rebase(path)

    def resolves_here(self, qid: str, refdoc: str) -> bool:
        """Whether Quarto resolves ``@qid`` in the text being written (QUARTO.md 7, 11)."""
        if self.deck is not None:
            return qid in self.deck.qids
        if self.builder.project_type == "website":
            return refdoc == self.docname
        return True

    # -- document structure -------------------------------------------------------

    def visit_document(self, node: nodes.document) -> None:
        pass

    def depart_document(self, node: nodes.document) -> None:
        self.settle_blocks()
        self.front_matter.update(self.builder.front_matter_extra(self.docname))
        kernel = self.builder.notebook_kernel(self.docname)
        cell_markdown, code_options = None, {}
        if self.notebook_as_ipynb:
            cell_markdown = self.markdown_by_cell()
            code_options = self.ipynb_code_options()
        elif kernel is not None:
            self.restore_removed_cells()
            if kernel:
                self.front_matter.setdefault("jupyter", kernel)
        body = self.ctx.make()
        if self.deck is None:
            self.write_deck()
        self.page = PageOutput(
            body, self.front_matter, self.ids, cell_markdown, code_options, self.deck_result
        )

    def visit_section(self, node: nodes.section) -> None:
        self.section_level += 1

    def depart_section(self, node: nodes.section) -> None:
        self.section_level -= 1

    def visit_title(self, node: nodes.title) -> None:
        self.push("title")

    def depart_title(self, node: nodes.title) -> None:
        # a heading is one line: a two-line (setext) title's soft break becomes a space
        text = " ".join(line.strip() for line in self.pop().make_inline().strip().splitlines())
        plain = " ".join(node.astext().split())
        parent = node.parent
        if not isinstance(parent, nodes.section):
            if isinstance(parent, nodes.document):
                self.front_matter.setdefault("title", plain)
                return
            # a titled container (table, admonition, topic, ...) writes its own title
            self.ctx.title = text
            return
        level = self.heading_level(parent)
        unnumbered = self.docname in self.builder.unnumbered_docs()
        if level == 1 and not self.title_stays_in_body(unnumbered):
            self.front_matter["title"] = plain
            return
        target = self.builder.labels.for_node(self.docname, parent)
        attrs = self.id_attributes(target.qid) if target else ""
        if level == 1 and unnumbered and self.builder.project_type == "book":
            # the root page, or a chapter Sphinx leaves unnumbered: the one form Quarto
            # honours is a body "# Title {.unnumbered}" without a YAML title (QUARTO.md intro)
            attrs = "{.unnumbered}" if not attrs else attrs[:-1] + " .unnumbered}"
        heading = "#" * min(level, 6) + " " + text
        self.add_block(f"{heading} {attrs}".rstrip())

    def title_stays_in_body(self, unnumbered: bool) -> bool:
        """Whether the page title is written as the body's ``#`` heading (else ``title:``).

        It stays for unnumbered pages of a book (see :meth:`depart_title`) and with
        ``qmd_title_from_heading`` off, unless a ``_toc.yml`` ``title:`` must be the
        page's title (the builder then puts it, and this heading as subtitle, in the YAML).
        """
        if self.builder.toc_title_matter(self.docname):
            return False
        if self.builder.project_type != "book":
            unnumbered = False  # a website numbers no chapters: every page keeps its title:
        return unnumbered or not self.config.qmd_title_from_heading

    def heading_level(self, section: nodes.section) -> int:
        """The ``#`` count of a section heading in a Quarto chapter (1: the page title).

        A chapter body never has a level-1 heading besides the title (Quarto numbers each
        as a new chapter, QUARTO.md fact 1): the first top-level section is the title and
        its subsections keep their source level (``##`` stays ``##``); a later top-level
        section is written at ``##`` with its subsections one level down (one warning
        per page). The title goes to the front matter (``qmd_title_from_heading``) or
        stays the body's only ``#`` heading, where Quarto takes it as the title (fact 15).
        """
        top = section
        while isinstance(top.parent, nodes.section):
            top = top.parent
        siblings = top.parent.children if top.parent is not None else [top]
        first_top = next((c for c in siblings if isinstance(c, nodes.section)), top)
        if top is first_top:
            return self.section_level
        if section is top and not self.demoted_warned:
            self.demoted_warned = True
            self.warn(
                "more than one level-1 heading: the first is the page title; this and later "
                "level-1 headings are written at ## (their subsections one level down)",
                section,
                QmdWarning.HEADING_LEVEL,
            )
        return self.section_level + 1

    def visit_subtitle(self, node: nodes.subtitle) -> None:
        self.push("inline")

    def depart_subtitle(self, node: nodes.subtitle) -> None:
        self.front_matter.setdefault("subtitle", node.astext())
        self.pop()

    def visit_paragraph(self, node: nodes.paragraph) -> None:
        self.push("paragraph")

    def depart_paragraph(self, node: nodes.paragraph) -> None:
        text = self.pop().make_inline().strip()
        ident = self.anchor_for(node)
        if ident:
            text = f"{self.anchor(ident)}{text}"
        self.add_block(text)

    def visit_compound(self, node: nodes.Element) -> None:
        # a visible toctree's wrapper became a list of links (transforms/toctree.py); a
        # hidden one's is empty
        pass

    def depart_compound(self, node: nodes.Element) -> None:
        pass

    def visit_transition(self, node: nodes.transition) -> None:
        self.add_block("* * *")
        raise nodes.SkipNode

    def visit_block_quote(self, node: nodes.block_quote) -> None:
        self.push(BlockQuoteContext())

    def depart_block_quote(self, node: nodes.block_quote) -> None:
        self.add_block(self.pop().make())

    def visit_attribution(self, node: nodes.attribution) -> None:
        self.push("paragraph")

    def depart_attribution(self, node: nodes.attribution) -> None:
        self.add_block("--- " + self.pop().make_inline().strip())

    def visit_rubric(self, node: nodes.rubric) -> None:
        self.push("paragraph")

    def depart_rubric(self, node: nodes.rubric) -> None:
        self.add_block("**" + self.pop().make_inline().strip() + "**")

    def anchor_for(self, node: nodes.Element) -> str | None:
        """The Quarto id of a labelled element Quarto cannot number (a plain anchor)."""
        target = self.builder.labels.for_node(self.docname, node)
        return target.qid if target is not None and not target.numbered else None

    # -- inline -----------------------------------------------------------------------

    def visit_Text(self, node: nodes.Text) -> None:
        text = md.escape_text(node.astext())
        if "\n" in text or self.ctx.at_line_start():
            text = md.escape_line_starts(text)
        self.add_inline(text)

    def depart_Text(self, node: nodes.Text) -> None:
        pass

    def visit_emphasis(self, node: nodes.emphasis) -> None:
        self.push("inline")

    def depart_emphasis(self, node: nodes.emphasis) -> None:
        self._close_inline("*")

    def visit_strong(self, node: nodes.strong) -> None:
        self.push("inline")

    def depart_strong(self, node: nodes.strong) -> None:
        # bold inside bold is written once: "****Title****" is literal text (QUARTO.md 5)
        self._close_inline("" if md.inside_bold(node) else "**")

    def visit_subscript(self, node: nodes.subscript) -> None:
        self.push("inline")

    def depart_subscript(self, node: nodes.subscript) -> None:
        self._close_inline("~")

    def visit_superscript(self, node: nodes.superscript) -> None:
        self.push("inline")

    def depart_superscript(self, node: nodes.superscript) -> None:
        self._close_inline("^")

    def _close_inline(self, mark: str) -> None:
        text = self.pop().make_inline()
        stripped = text.strip()
        if not stripped:
            self.add_inline(text)
            return
        # emphasis markers must touch the text; keep surrounding spaces outside
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        self.add_inline(f"{lead}{mark}{stripped}{mark}{trail}")

    def visit_literal(self, node: nodes.literal) -> None:
        self.add_inline(md.inline_code(node.astext()))
        raise nodes.SkipNode

    def visit_inline(self, node: nodes.inline) -> None:
        pass

    def depart_inline(self, node: nodes.inline) -> None:
        pass

    def visit_abbreviation(self, node: nodes.Element) -> None:
        pass

    def depart_abbreviation(self, node: nodes.Element) -> None:
        if node.get("explanation"):
            self.add_inline(f" ({md.escape_text(node['explanation'])})")

    def visit_title_reference(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_title_reference(self, node: nodes.Element) -> None:
        self._close_inline("*")

    def visit_literal_emphasis(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_literal_emphasis(self, node: nodes.Element) -> None:
        self._close_inline("*")

    def visit_literal_strong(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_literal_strong(self, node: nodes.Element) -> None:
        self._close_inline("" if md.inside_bold(node) else "**")

    def visit_problematic(self, node: nodes.problematic) -> None:
        # Sphinx already warned where it made this node; keep the source text
        self.add_inline(md.escape_text(node.astext()))
        raise nodes.SkipNode

    def visit_system_message(self, node: nodes.system_message) -> None:
        # docutils reported it already; it is not content
        raise nodes.SkipNode

    # -- references --------------------------------------------------------------------

    def visit_reference(self, node: nodes.reference) -> None:
        self.push("inline")

    def depart_reference(self, node: nodes.reference) -> None:
        text = self.pop().make_inline()
        uri = node.get("refuri")
        if uri is None and node.get("refid"):
            uri = "#" + node["refid"]
        if not uri:
            self.add_inline(text)
            return
        if self.deck is not None and uri.startswith("#"):
            uri = self.link_to(self.docname, uri[1:])
        elif self.deck is not None and node.get("internal"):
            uri = self.rebased(uri)
        if node.astext() == uri and "://" in uri and not node.get("refid"):
            self.add_inline(f"<{uri}>")
            return
        self.add_inline(f"[{text}]({_link_uri(uri)})")

    def visit_target(self, node: nodes.target) -> None:
        # labels live on the element they name; a target left alone is an anchor
        ident = self.anchor_for(node)
        if ident and not node.get("refuri"):
            self.add_block(self.anchor(ident))
        raise nodes.SkipNode

    def visit_pending_xref(self, node: addnodes.pending_xref) -> None:
        # unresolved (Sphinx warned already): keep its text
        pass

    def depart_pending_xref(self, node: addnodes.pending_xref) -> None:
        pass

    def visit_number_reference(self, node: nodes.Element) -> None:
        self.visit_reference(node)

    def depart_number_reference(self, node: nodes.Element) -> None:
        self.depart_reference(node)

    def visit_download_reference(self, node: nodes.Element) -> None:
        self.push("inline")

    def depart_download_reference(self, node: nodes.Element) -> None:
        text = self.pop().make_inline()
        target = self.builder.download_target(self.docname, node)
        target = self.rebased(target) if target else target
        self.add_inline(f"[{text}]({_link_uri(target)})" if target else text)

    # -- comments and raw --------------------------------------------------------------

    def visit_comment(self, node: nodes.comment) -> None:
        self.add_block(f"<!-- {md.comment_text(node.astext())} -->")
        raise nodes.SkipNode

    def visit_raw(self, node: nodes.raw) -> None:
        formats = node.get("format", "").split()
        text = node.astext()
        inline = isinstance(node.parent, nodes.TextElement)
        if "html" in formats and text.strip().startswith("<!--"):
            # HTML comments stay comments (both in HTML and in PDF output)
            (self.add_inline if inline else self.add_block)(text.strip())
            raise nodes.SkipNode
        fmt = "html" if "html" in formats else ("latex" if "latex" in formats else None)
        if fmt is None:
            self.warn(
                "raw content in format %r cannot be carried to Quarto",
                node,
                QmdWarning.RAW,
                formats,
            )
            raise nodes.SkipNode
        if inline:
            self.add_inline(md.inline_code(text) + f"{{={fmt}}}")
        else:
            fence = md.code_fence(text)
            self.add_block(f"{fence}{{={fmt}}}\n{text.rstrip()}\n{fence}")
        raise nodes.SkipNode

    # -- math -----------------------------------------------------------------------------

    def visit_math(self, node: nodes.math) -> None:
        math = f"${node.astext().strip()}$"
        following = node.next_node(descend=False, siblings=True)
        if isinstance(following, nodes.Text) and following.astext()[:1].isdigit():
            # pandoc does not close $...$ before a digit ("$x$5" is text): a span ends it
            math = f"[{math}]{{}}"
        self.add_inline(math)
        raise nodes.SkipNode

    def visit_math_block(self, node: nodes.math_block) -> None:
        target = None
        if node.get("label"):
            target = self.builder.labels.equation_in(self.docname, node["label"])
        if target is None:  # labelled only by a \label{} inside the math
            target = self.builder.labels.for_node(self.docname, node)
        ident = target.qid if target else None
        self.note_id(ident)
        text = strip_label(node.astext(), target.label) if target else node.astext()
        self.add_block(display_math(text, ident, node, self.warn))
        raise nodes.SkipNode

    def visit_displaymath(self, node: nodes.Element) -> None:
        self.visit_math_block(node)

    # -- lists ------------------------------------------------------------------------------

    def visit_bullet_list(self, node: nodes.bullet_list) -> None:
        self.push(ListContext(marker="-"))

    def visit_enumerated_list(self, node: nodes.enumerated_list) -> None:
        suffix = "." if node.get("suffix", ".") != ")" else ")"
        self.push(ListContext(start=node.get("start", 1), suffix=suffix))

    def depart_bullet_list(self, node: nodes.Element) -> None:
        self.add_block(self.pop().make())

    depart_enumerated_list = depart_bullet_list

    def visit_list_item(self, node: nodes.list_item) -> None:
        self.push("item")

    def depart_list_item(self, node: nodes.list_item) -> None:
        # a paragraph followed only by sub-lists stays tight; more paragraphs make it loose
        children = node.children
        tight = not children[1:] or (
            isinstance(children[0], nodes.paragraph)
            and all(isinstance(c, (nodes.bullet_list, nodes.enumerated_list)) for c in children[1:])
        )
        content = self.pop().make("\n" if tight else "\n\n")
        lst = self.ctx
        if isinstance(lst, ListContext):
            lst.add_item(content, tight)
        else:  # a tree docutils never makes: keep the words
            self.add_block(content)

    # -- code -----------------------------------------------------------------------------

    def visit_literal_block(self, node: nodes.literal_block) -> None:
        code = node.astext()
        language = node.get("language", "")
        if language in ("default", "none", "text"):
            language = ""
        fence = md.code_fence(code)
        if self.config.qmd_escape_fences:
            fence = "\\" + fence
        self.add_block(f"{fence}{language}\n{code.rstrip()}\n{fence}")
        raise nodes.SkipNode

    def visit_doctest_block(self, node: nodes.Element) -> None:
        self.visit_literal_block(node)

    # -- figures and images -----------------------------------------------------------------

    def visit_figure(self, node: nodes.figure) -> None:
        if self.figure_made_by_cell(node):
            raise nodes.SkipNode
        if is_subfigure(node):
            self.visit_subfigure(node)
        else:
            self.push(FigureContext())

    def depart_figure(self, node: nodes.figure) -> None:
        if is_subfigure(node):
            self.depart_subfigure(node)
            return
        ctx = self.pop()
        assert isinstance(ctx, FigureContext)
        target = self.builder.labels.for_node(self.docname, node)
        ident = target.qid if target else None
        # classes, layout and caption place on the div; align and width go on the image
        header = figure_div_attributes(node, ident, set(self.config.qmd_drop_image_classes))
        if target is None and not ctx.legend and not ctx.make() and not header:
            # an unlabelled figure: pandoc's implicit figure, the caption its alt text
            image = self.image_markdown(ctx.image, alt=ctx.caption) if ctx.image else ""
            self.add_block(image)
            return
        image = self.image_markdown(ctx.image) if ctx.image else ""
        self.note_id(ident)
        self.add_block(ctx.make_div(image, header))

    def visit_caption(self, node: nodes.caption) -> None:
        self.push("inline")

    def depart_caption(self, node: nodes.caption) -> None:
        text = self.pop().make_inline().strip()
        if isinstance(self.ctx, FigureContext):
            self.ctx.caption = text
        else:
            self.add_block(text)

    def visit_legend(self, node: nodes.legend) -> None:
        self.push()

    def depart_legend(self, node: nodes.legend) -> None:
        text = self.pop().make()
        if isinstance(self.ctx, FigureContext):
            self.ctx.legend = text
        else:
            self.add_block(text)

    def image_markdown(self, node: nodes.image, ident: str | None = None, alt: str = "") -> str:
        """``![alt](path){#ident ...}``: shared by plain images and subfigure items."""
        path = self.rebased(
            self.builder.image_reference(self.docname, node, not self.in_grid_table)
        )
        if path.startswith("{{<"):
            self.note_shortcode()
        width = _dimension(node.get("width"))
        height = _dimension(node.get("height"))
        if node.get("scale") and width is None:
            width = self.scaled_width(node)
        placing = figure_image_values(node, width)
        fig_alt = node.get("alt", "")
        # an image whose file is missing shows nothing but its alt text: always keep it
        keep_alt = (
            (self.config.qmd_keep_image_alt or self.image_missing(node))
            and fig_alt
            and fig_alt not in (node.get("uri"), alt)
        )
        dropped = set(self.config.qmd_drop_image_classes)
        classes = [
            c for c in node.get("classes", []) if not c.startswith("align-") and c not in dropped
        ]
        attr_text = self.id_attributes(
            ident,
            classes,
            width=placing["width"],
            height=height,
            fig_alt=fig_alt if keep_alt else None,
            fig_align=placing["fig_align"],
        )
        link = path if path.startswith("{{<") else _link_uri(path)
        return f"![{alt}]({link}){attr_text}"

    def image_missing(self, node: nodes.image) -> bool:
        """Whether the local file of *node* does not exist (Sphinx warned with its name)."""
        uri = self.builder.image_source(node)
        if not uri or "://" in uri or uri.startswith("data:"):
            return False
        return not (Path(self.builder.srcdir) / uri).is_file()

    def visit_image(self, node: nodes.image) -> None:
        if is_subfigure(node.parent):
            self.visit_subfigure_image(node)
        if isinstance(self.ctx, FigureContext) and not isinstance(node.parent, nodes.reference):
            # drawn when the figure departs, with what its caption decides
            self.ctx.image = node
            raise nodes.SkipNode
        # a missing file: the alt text is what the reader gets (Sphinx named the file)
        alt = node.get("alt", "") if self.image_missing(node) else ""
        text = self.image_markdown(node, alt=md.escape_text(alt) if alt != node["uri"] else "")
        if isinstance(node.parent, nodes.reference):
            # a linked image: the reference writes the link around it
            self.add_inline(text)
        elif isinstance(node.parent, nodes.TextElement):
            self.add_inline(text)
        else:
            self.add_block(text)
        raise nodes.SkipNode

    # -- Sphinx structure that Quarto keeps in _quarto.yml -------------------------------------

    def visit_toctree(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_index(self, node: nodes.Element) -> None:
        # Quarto has no index
        raise nodes.SkipNode

    def visit_meta(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_substitution_definition(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_bibliography(self, node: nodes.Element) -> None:
        # the bibliography is Quarto's references page
        raise nodes.SkipNode

    # -- anything else --------------------------------------------------------------------

    def unknown_visit(self, node: nodes.Node) -> None:
        """Warn once for this node, then keep its text by visiting its children."""
        self.warn(
            "no Quarto form for %s node; its text is kept",
            node,
            QmdWarning.UNKNOWN,
            node.__class__.__name__,
        )
        if isinstance(node, nodes.TextElement):
            self.push("inline")
        else:
            self.push()

    def unknown_departure(self, node: nodes.Node) -> None:
        ctx = self.pop()
        if isinstance(node, nodes.TextElement):
            self.add_inline(ctx.make_inline())
        else:
            self.add_block(ctx.make())


def _dimension(value: str | None) -> str | int | None:
    """``600px`` -> ``600`` (Quarto reads pixels from a bare number); other units are kept."""
    if not value:
        return None
    value = str(value).strip()
    if value.endswith("px"):
        value = value[:-2]
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else value


def _link_uri(uri: str) -> str:
    """A link target pandoc reads as one piece (spaces and parentheses escaped)."""
    if any(ch in uri for ch in " ()<>"):
        return "<" + uri.replace(">", "%3E") + ">"
    return uri
