"""The cross-reference integrity report written at the end of every qmd build.

The transforms count what they write; after each page is written the builder records
which registry ids the page carries (the ids its :class:`.writer.page.PageOutput` names).
At the end each ``@id`` whose id no page carries, and each reference nobody could
resolve, is a located warning (so ``-W`` makes it fatal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sphinx.util import logging

from ..warning_types import QmdWarning

logger = logging.getLogger(__name__)

#: how many unresolvable references the closing summary names (then a count of the rest)
SUMMARY_LIMIT = 20


@dataclass
class RefReport:
    """What one build wrote: references, resolved ids, and what is left unresolved."""

    written: int = 0  # cross-references written (as @id or as a plain link)
    citations: int = 0  # citation keys written
    #: (document, line, Quarto id, document of the target) of each ``@id`` reference
    at_refs: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    #: the same for plain links to an anchor
    link_refs: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    unresolved: list[tuple[str, int | None, str]] = field(default_factory=list)  # doc, line, label
    ids_written: dict[str, set[str]] = field(default_factory=dict)  # docname -> ids on the page
    ids_complete: bool = True  # False when pages were written in other processes (-j)

    def clear_doc(self, docname: str) -> None:
        self.at_refs = [r for r in self.at_refs if r[0] != docname]
        self.link_refs = [r for r in self.link_refs if r[0] != docname]
        self.unresolved = [r for r in self.unresolved if r[0] != docname]

    def merge(self, other: RefReport) -> None:
        """Add what *other* recorded for other pages (a ``-j`` worker's chunk)."""
        self.written += other.written
        self.citations += other.citations
        self.at_refs.extend(other.at_refs)
        self.link_refs.extend(other.link_refs)
        self.unresolved.extend(other.unresolved)
        self.ids_written.update(other.ids_written)

    def note_page(self, docname: str, ids: set[str], qids: set[str]) -> None:
        """Record which of the registry's ids *qids* for *docname* the page carries: those
        among the *ids* the translator wrote."""
        self.ids_written[docname] = qids & ids

    def dangling(self) -> list[tuple[str, int | None, str, str]]:
        """References whose id is missing from the target's page.

        Only pages written in this build are checked (an incremental build leaves the
        others as they were, checked when they were written).
        """
        if not self.ids_complete:
            return []
        return [
            ref
            for ref in self.at_refs + self.link_refs
            if ref[3] in self.ids_written and ref[2] not in self.ids_written[ref[3]]
        ]

    def emit(self, where: Callable[[str, int | None], str] | None = None) -> None:
        """Log the summary naming what is unresolvable, then one located warning per problem.

        *where* turns a document name and line into the location shown (default:
        ``docname:line``).
        """
        dangling = self.dangling()
        resolved = len(self.at_refs) - sum(1 for ref in dangling if ref in self.at_refs)
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
        problems = sorted(
            [(doc, line, f"{qid} (no page carries this id)") for doc, line, qid, _ in dangling]
            + [(doc, line, label) for doc, line, label in self.unresolved],
            key=lambda item: (item[0], item[1] or 0, item[2]),
        )
        for docname, line, label in problems[:SUMMARY_LIMIT]:
            if where is not None:
                name = where(docname, line)
            else:
                name = f"{docname}:{line}" if line is not None else docname
            logger.info("  %s: %s", name, label)
        if len(problems) > SUMMARY_LIMIT:
            logger.info("  and %d more (each has its own warning)", len(problems) - SUMMARY_LIMIT)
        for docname, line, qid, _target_doc in dangling:
            logger.warning(
                "reference to %r is written but no page carries that id",
                qid,
                location=(docname, line),
                type="qmd",
                subtype=QmdWarning.DANGLING_REF,
            )
        for docname, line, label in self.unresolved:
            logger.warning(
                "unresolvable reference to %r is kept as text",
                label,
                location=(docname, line),
                type="qmd",
                subtype=QmdWarning.UNRESOLVED_REF,
            )
