"""The output contexts of the translator: one small class per kind of container.

A block element pushes a context, its children write into it, and its ``depart_`` pops
the context and hands the finished markdown to the parent (the sphinx-markdown-builder
shape, STYLE.md). What a container collects from its children (a figure's image and
caption, a list's items, a table's rows) is a typed attribute of its context, and a
container whose markdown has a fixed form (quote, list, definition list, line block)
writes it in its own ``make()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils import nodes


def prefix_lines(text: str, prefix: str, first: str | None = None, blank: str = "") -> str:
    """Every line of *text* behind *prefix* (*first* on line one, *blank* on empty lines).

    Markdown containers (quotes, list items, footnotes, definitions) continue only while
    each of their lines carries the container's mark, so the mark is put on every line
    here, blank ones included, instead of patching gaps afterwards.
    """
    out = []
    for i, line in enumerate(text.split("\n")):
        if i == 0:
            out.append((prefix if first is None else first) + line)
        elif line.strip():
            out.append(prefix + line)
        else:
            out.append(blank)
    return "\n".join(out)


class Context:
    """A block container: its finished blocks plus the running inline text.

    *kind* only names the container (for reading a stack while debugging); what a
    container collects is typed in the subclasses. A ``title`` child writes into
    :attr:`title`, and the container's ``depart_`` decides where it goes.
    """

    def __init__(self, kind: str = "block") -> None:
        self.kind = kind
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.title = ""

    def add_inline(self, text: str) -> None:
        self.inline.append(text)

    def at_line_start(self) -> bool:
        return not self.inline or "".join(self.inline[-1:]).endswith("\n")

    def flush_inline(self) -> None:
        text = "".join(self.inline).strip()
        self.inline.clear()
        if text:
            self.blocks.append(text)

    def add_block(self, text: str) -> None:
        self.flush_inline()
        if text.strip():
            self.blocks.append(text.strip("\n"))

    def make(self, separator: str = "\n\n") -> str:
        self.flush_inline()
        return separator.join(self.blocks)

    def make_inline(self) -> str:
        text = "".join(self.inline)
        if self.blocks:
            # a block inside inline content (MyST puts display math in a paragraph):
            # keep it, as its own block, in order
            return "\n\n".join([*self.blocks, text.strip()] if text.strip() else self.blocks)
        return text


class BlockQuoteContext(Context):
    """``> `` before every line; a blank line inside the quote is ``>``, so the quote
    (and a code block in it with blank lines) stays one quote."""

    def __init__(self) -> None:
        super().__init__("block_quote")

    def make(self, separator: str = "\n\n") -> str:
        return prefix_lines(super().make(separator), "> ", blank=">")


class ListContext(Context):
    """A bullet list (*marker*) or an enumerated one (*start*, *suffix*): its items."""

    def __init__(self, marker: str | None = None, start: int = 1, suffix: str = ".") -> None:
        super().__init__("list")
        self.marker = marker
        self.start = start
        self.suffix = suffix
        self.items: list[str] = []
        self.loose = False

    def add_item(self, content: str, tight: bool) -> None:
        """One item: the marker on its first line, its width of spaces before the others."""
        if not tight:
            self.loose = True
        if self.marker is not None:
            marker = self.marker + " "
        else:
            marker = f"{self.start + len(self.items)}{self.suffix} "
        self.items.append(prefix_lines(content, " " * len(marker), first=marker))

    def make(self, separator: str = "\n\n") -> str:
        return ("\n\n" if self.loose else "\n").join(self.items)


class DefinitionListContext(Context):
    """A definition list (or glossary): its finished items."""

    def __init__(self) -> None:
        super().__init__("deflist")
        self.items: list[str] = []

    def make(self, separator: str = "\n\n") -> str:
        return "\n\n".join(self.items)


class DefinitionItemContext(Context):
    """One term (or several, with classifiers) and its definitions."""

    def __init__(self) -> None:
        super().__init__("deflist-item")
        self.terms: list[str] = []
        self.definitions: list[str] = []

    def make(self, separator: str = "\n\n") -> str:
        lines = self.terms[:] if self.terms else [""]
        for definition in self.definitions or [""]:
            lines.append(prefix_lines(definition, "    ", first=":   "))
        return "\n".join(lines)


class LineBlockContext(Context):
    """A line block: its lines (a nested line block's lines come indented)."""

    def __init__(self) -> None:
        super().__init__("line_block")
        self.lines: list[str] = []

    def make(self, separator: str = "\n\n") -> str:
        return "\n".join(f"| {line}".rstrip() for line in self.lines)


class FigureContext(Context):
    """A figure: its image node (drawn at depart, when the caption is known), caption,
    legend, and for a subfigure the markdown of its images."""

    def __init__(self) -> None:
        super().__init__("figure")
        self.image: nodes.image | None = None
        self.caption = ""
        self.legend = ""
        self.subfigures: list[str] = []

    def make_div(self, image: str, attributes: str) -> str:
        """The figure as a div (*attributes*: its ``{#fig-x ...}``): image, other
        content, caption, legend."""
        extra = self.make()
        parts = [p for p in (image, extra, self.caption, self.legend) if p]
        header = attributes or "{}"
        body = "\n\n".join(parts[:1]) + ("\n\n" + "\n\n".join(parts[1:]) if parts[1:] else "")
        return f"::: {header}\n\n{body}\n:::"


@dataclass
class Cell:
    """One table cell: its markdown and how many extra rows/columns it covers."""

    text: str
    morecols: int = 0
    morerows: int = 0
    align: str | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else [""]


class TableContext(Context):
    """A table: header and body rows of cells, the column widths, and which part the
    rows being visited belong to."""

    def __init__(self) -> None:
        super().__init__("table")
        self.header: list[list[Cell]] = []
        self.body: list[list[Cell]] = []
        self.colwidths: list[int] = []
        self.in_header = False
        #: a cell holds a shortcode (an image path): a grid table must be written again
        self.shortcodes = False

    def add_row(self) -> None:
        (self.header if self.in_header else self.body).append([])

    def add_cell(self, cell: Cell) -> None:
        (self.header if self.in_header else self.body)[-1].append(cell)


class TabSetContext(Context):
    """A sphinx-design tab set: (title, body) of each tab."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.tabs: list[tuple[str, str]] = []


class GridRowContext(Context):
    """A sphinx-design grid row: the markdown of each item."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.items: list[str] = []
