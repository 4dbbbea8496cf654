"""Writer handlers for tables: pipe tables where they suffice, grid tables otherwise.

A table whose cells are single lines, with one header row and no spans, becomes a pipe
table; anything else (cell spans, several paragraphs or lists in a cell, no header or
several header rows) becomes a pandoc grid table, which Quarto reads with spans. The
caption and the id go below the table, ``: Caption {#tbl-x}``.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from sphinx.util import logging

from ..warning_types import QmdWarning
from .contexts import Cell, TableContext
from .media import VIDEO_NODES
from .translator_api import TranslatorAPI

_ALIGN_CLASSES = {"text-left": "left", "text-center": "center", "text-right": "right"}


class TableVisitors(TranslatorAPI):
    """Mixin of :class:`~.translator.QmdTranslator`: docutils tables."""

    warn: Any
    stack: list[Any]
    #: > 0 while a grid table's cells are written: no shortcodes there (QUARTO.md fact 3)
    in_grid_table = 0

    def visit_table(self, node: nodes.table) -> None:
        self.push(TableContext())

    def note_shortcode(self) -> None:
        """A shortcode was written: the table around it must not become a grid table as is."""
        for ctx in reversed(self.stack):
            if isinstance(ctx, TableContext):
                ctx.shortcodes = True
                return

    def grid_rows_again(self, node: nodes.table) -> tuple[list[list[Cell]], list[list[Cell]]]:
        """The table's rows written again for a grid table: image paths without shortcodes.

        Whether a table is a grid table is known only once its cells are written; the
        rare grid table holding a shortcode is written a second time, silently (its
        warnings were given the first time).
        """
        self.in_grid_table += 1
        again = TableContext()
        self.push(again)
        try:
            with logging.suppress_logging():
                for child in node.children:
                    if not isinstance(child, nodes.title):
                        child.walkabout(self)
        finally:
            self.pop()
            self.in_grid_table -= 1
        return again.header, again.body

    def depart_table(self, node: nodes.table) -> None:
        ctx = self.pop()
        assert isinstance(ctx, TableContext)
        header, body = ctx.header, ctx.body
        ncols = max((_row_width(r) for r in header + body), default=0)
        if ncols == 0:
            self.warn("empty table left out", node, QmdWarning.TABLE)
            return
        aligns = _column_aligns(header + body, ncols)
        if _fits_pipe_table(header, body):
            table = pipe_table(header[0], body, aligns)
        else:
            if ctx.shortcodes and not self.in_grid_table:
                header, body = self.grid_rows_again(node)
                for video in node.findall(lambda n: n.tagname in VIDEO_NODES):
                    self.warn(
                        "a video in a grid table is written as a link: Quarto breaks grid "
                        "tables that hold a shortcode",
                        video,
                        QmdWarning.VIDEO,
                    )
            table = grid_table(header, body, ncols, aligns)
        target = self.builder.labels.for_node(self.docname, node)
        caption = ctx.title
        widths = ctx.colwidths if "colwidths-given" in node.get("classes", []) else []
        parts = []
        if target is not None and not target.numbered:
            parts.append(self.anchor(target.qid))
        parts.append(table)
        ident = target.qid if target is not None and target.numbered else None
        colwidths = _percentages(widths) if widths and len(widths) == ncols else None
        attrs = self.id_attributes(ident, [], tbl_colwidths=colwidths)
        if caption or attrs:
            parts.append(f": {caption} {attrs}".rstrip() if caption else f": {attrs}")
        self.add_block("\n\n".join(parts))

    def visit_tgroup(self, node: nodes.tgroup) -> None:
        pass

    def depart_tgroup(self, node: nodes.tgroup) -> None:
        pass

    @property
    def table(self) -> TableContext:
        """The table being written (a table's parts are visited right inside it)."""
        ctx = self.ctx
        assert isinstance(ctx, TableContext), "a table part outside a table"
        return ctx

    def visit_colspec(self, node: nodes.colspec) -> None:
        self.table.colwidths.append(node.get("colwidth", 1))
        raise nodes.SkipNode

    def visit_thead(self, node: nodes.thead) -> None:
        self.table.in_header = True

    def depart_thead(self, node: nodes.thead) -> None:
        self.table.in_header = False

    def visit_tbody(self, node: nodes.tbody) -> None:
        self.table.in_header = False

    def depart_tbody(self, node: nodes.tbody) -> None:
        pass

    def visit_row(self, node: nodes.row) -> None:
        self.table.add_row()

    def depart_row(self, node: nodes.row) -> None:
        pass

    def visit_entry(self, node: nodes.entry) -> None:
        self.push("cell")

    def depart_entry(self, node: nodes.entry) -> None:
        text = self.pop().make()
        align = next(
            (_ALIGN_CLASSES[c] for c in node.get("classes", []) if c in _ALIGN_CLASSES), None
        )
        cell = Cell(text, node.get("morecols", 0), node.get("morerows", 0), align)
        self.table.add_cell(cell)


def _row_width(row: list[Cell]) -> int:
    return sum(1 + cell.morecols for cell in row)


def _percentages(widths: list[int]) -> str:
    total = sum(widths) or 1
    return json.dumps([round(100 * w / total) for w in widths])


def _column_aligns(rows: list[list[Cell]], ncols: int) -> list[str | None]:
    """Column alignment, from the first row that names it for each column (MyST pipe tables)."""
    aligns: list[str | None] = [None] * ncols
    for row in rows:
        if _row_width(row) != ncols or any(c.morecols for c in row):
            continue
        for i, cell in enumerate(row):
            if aligns[i] is None and cell.align:
                aligns[i] = cell.align
    return aligns


def _fits_pipe_table(header: list[list[Cell]], body: list[list[Cell]]) -> bool:
    if len(header) != 1:
        return False
    ncols = _row_width(header[0])
    for row in header + body:
        if len(row) != ncols:
            return False
        for cell in row:
            if cell.morecols or cell.morerows or "\n" in cell.text:
                return False
            if "|" in cell.text.replace("\\|", ""):
                return False  # a bare pipe (inside code) would split the row
    return True


def pipe_table(header: list[Cell], body: list[list[Cell]], aligns: list[str | None]) -> str:
    widths = [max(3, *(len(row[i].text) for row in [header, *body])) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = [_aligned("-" * (width + 2), align) for width, align in zip(widths, aligns)]
    out = [line([c.text for c in header]), "|" + "|".join(rule) + "|"]
    out += [line([c.text for c in row]) for row in body]
    return "\n".join(out)


def _layout(rows: list[list[Cell]], ncols: int) -> list[list[tuple[Cell, int, int] | None]]:
    """Place cells on the grid: slot -> (cell, row of its top, column of its left), or None."""
    grid: list[list[tuple[Cell, int, int] | None]] = [[None] * ncols for _ in rows]
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while c < ncols and grid[r][c] is not None:
                c += 1
            if c >= ncols:
                break
            for dr in range(cell.morerows + 1):
                for dc in range(cell.morecols + 1):
                    if r + dr < len(rows) and c + dc < ncols:
                        grid[r + dr][c + dc] = (cell, r, c)
            c += cell.morecols + 1
    return grid


def grid_table(
    header: list[list[Cell]], body: list[list[Cell]], ncols: int, aligns: list[str | None]
) -> str:
    """A pandoc grid table; spanning cells cover several rows and columns of the grid."""
    rows = header + body
    grid = _layout(rows, ncols)
    empty = Cell("")
    for r in range(len(rows)):
        for c in range(ncols):
            if grid[r][c] is None:
                grid[r][c] = (empty, r, c)  # a short row: pad with empty cells

    def place(r: int, c: int) -> tuple[Cell, int, int]:
        slot = grid[r][c]
        assert slot is not None
        return slot

    # column widths: single-column cells first, then widen the last column of a span
    widths = [3] * ncols
    for r in range(len(rows)):
        for c in range(ncols):
            cell, top, left = place(r, c)
            if top == r and left == c and not cell.morecols:
                widths[c] = max(widths[c], *(len(line) for line in cell.lines))
    for r in range(len(rows)):
        for c in range(ncols):
            cell, top, left = place(r, c)
            if top == r and left == c and cell.morecols:
                last = min(ncols - 1, c + cell.morecols)
                span = sum(widths[c : last + 1]) + 3 * (last - c)
                need = max(len(line) for line in cell.lines)
                if need > span:
                    widths[last] += need - span
    # row heights: single-row cells first, then grow the last row of a row span
    heights = [1] * len(rows)
    for r in range(len(rows)):
        for c in range(ncols):
            cell, top, left = place(r, c)
            if top == r and left == c and not cell.morerows:
                heights[r] = max(heights[r], len(cell.lines))
    for r in range(len(rows)):
        for c in range(ncols):
            cell, top, left = place(r, c)
            if top == r and left == c and cell.morerows:
                last = min(len(rows) - 1, r + cell.morerows)
                span = sum(heights[r : last + 1]) + (last - r)
                if len(cell.lines) > span:
                    heights[last] += len(cell.lines) - span

    def cell_width(cell: Cell, left: int) -> int:
        last = min(ncols - 1, left + cell.morecols)
        return sum(widths[left : last + 1]) + 3 * (last - left)

    def cell_line(cell: Cell, top: int, r: int, offset: int) -> str:
        """Line *offset* of row *r* of a cell whose top row is *top*."""
        index = sum(heights[top:r]) + (r - top) + offset
        return cell.lines[index] if index < len(cell.lines) else ""

    def rule(r: int, char: str, with_aligns: bool = False) -> str:
        """The border above row *r* (``r == len(rows)``: the bottom border).

        *with_aligns*: pandoc reads column alignment from the colons of the rule under
        the header (or of the top rule when there is no header); a rule that a row span
        crosses cannot carry them, so it is drawn plain.
        """
        crossed = any(0 < r < len(rows) and place(r, c)[1] < r for c in range(ncols))
        with_aligns = with_aligns and not crossed
        out = "+"
        c = 0
        while c < ncols:
            inside = 0 < r < len(rows) and place(r, c)[1] < r  # a row span crosses it
            if inside:
                cell, top, left = place(r, c)
                width = cell_width(cell, left) if left == c else widths[c]
                text = cell_line(cell, top, r - 1, heights[r - 1])
                out += " " + text.ljust(width) + " "
                step = cell.morecols + 1 if left == c else 1
            else:
                seg = char * (widths[c] + 2)
                if with_aligns:
                    seg = _aligned(seg, aligns[c])
                out += seg
                step = 1
            c += step
            out += "+" if c >= ncols or not _joins(place, r, c, len(rows)) else "|"
        return out

    lines = []
    for r in range(len(rows)):
        header_rule = r == len(header) and bool(header)
        top_aligned = r == 0 and not header
        lines.append(rule(r, "=" if header_rule else "-", with_aligns=top_aligned or header_rule))
        for offset in range(heights[r]):
            out = "|"
            c = 0
            while c < ncols:
                cell, top, left = place(r, c)
                width = cell_width(cell, left)
                out += " " + cell_line(cell, top, r, offset).ljust(width) + " |"
                c = left + cell.morecols + 1
            lines.append(out)
    header_only = len(header) == len(rows)
    lines.append(rule(len(rows), "=" if header_only else "-", with_aligns=header_only))
    return "\n".join(lines)


def _joins(place: Any, r: int, c: int, nrows: int) -> bool:
    """Whether the border above row *r* at column boundary *c* runs between two row spans."""
    if not 0 < r < nrows:
        return False
    return place(r, c - 1)[1] < r and place(r, c)[1] < r


def _aligned(segment: str, align: str | None) -> str:
    """A rule segment with pandoc's alignment colons."""
    if align == "left":
        return ":" + segment[1:]
    if align == "right":
        return segment[:-1] + ":"
    if align == "center":
        return ":" + segment[1:-1] + ":"
    return segment
