"""The cross-reference integrity report written at the end of every qmd build.

The transforms count what they write; the writer records every id it puts on the page.
At the end each ``@id`` whose id no page carries, and each reference nobody could
resolve, is a located warning (so ``-W`` makes it fatal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sphinx.util import logging

logger = logging.getLogger(__name__)


@dataclass
class RefReport:
    """What one build wrote: references, resolved ids, and what is left unresolved."""

    written: int = 0  # cross-references written (as @id or as a plain link)
    citations: int = 0  # citation keys written
    at_refs: list[tuple[str, int | None, str]] = field(default_factory=list)  # doc, line, qid
    unresolved: list[tuple[str, int | None, str]] = field(default_factory=list)  # doc, line, label
    ids_written: dict[str, set[str]] = field(default_factory=dict)  # docname -> ids on the page
    ids_complete: bool = True  # False when pages were written in other processes (-j)

    def clear_doc(self, docname: str) -> None:
        self.at_refs = [r for r in self.at_refs if r[0] != docname]
        self.unresolved = [r for r in self.unresolved if r[0] != docname]

    def note_id(self, docname: str, ident: str) -> None:
        self.ids_written.setdefault(docname, set()).add(ident)

    def dangling(self) -> list[tuple[str, int | None, str]]:
        """``@id`` references whose id is on no page of the book."""
        if not self.ids_complete:
            return []
        every_id = set().union(*self.ids_written.values()) if self.ids_written else set()
        return [ref for ref in self.at_refs if ref[2] not in every_id]

    def emit(self) -> None:
        """Log the summary, then one located warning per problem."""
        dangling = self.dangling()
        resolved = len(self.at_refs) - len(dangling)
        check = "" if self.ids_complete else " (id check skipped: pages written in parallel)"
        logger.info(
            "qmd cross-references: %d written, %d as @id of which %d resolve, %d unresolvable, "
            "%d citation keys%s",
            self.written,
            len(self.at_refs),
            resolved,
            len(self.unresolved) + len(dangling),
            self.citations,
            check,
        )
        for docname, line, qid in dangling:
            logger.warning(
                "@%s is written but no page carries the id %r",
                qid,
                qid,
                location=(docname, line),
                type="qmd",
                subtype="dangling_ref",
            )
        for docname, line, label in self.unresolved:
            logger.warning(
                "unresolvable reference to %r is kept as text",
                label,
                location=(docname, line),
                type="qmd",
                subtype="unresolved_ref",
            )
