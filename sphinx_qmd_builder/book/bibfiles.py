"""The book's copy of a ``.bib`` file: only the entries pybtex could read.

sphinxcontrib-bibtex reads a malformed entry leniently (pybtex skips the rest of the
entry after a syntax error), so the Sphinx side of the build goes on. pandoc, which reads
the copied file when Quarto renders the book, is stricter and may reject the whole file.
A file with no syntax error is copied byte for byte; otherwise the entries that raised an
error are dropped (with one located warning naming them) and the rest is written again
through pybtex's own BibTeX writer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.util import logging

from ..guard.atomic import copy_file_atomic, write_text_if_changed
from ..guard.paths import file_location
from ..warning_types import QmdWarning

logger = logging.getLogger(__name__)


@dataclass
class BibReading:
    """What a lenient pybtex reading of one ``.bib`` found."""

    data: Any = None
    #: (entry key or None when the error came before the key, line of the error)
    broken: list[tuple[str | None, int | None]] = field(default_factory=list)


def read_bib(path: str | os.PathLike[str], encoding: str) -> BibReading:
    """Parse *path* leniently, noting which entry each syntax error happened in.

    pybtex reports a syntax error while its low-level parser is inside the failing
    command and hands the (partial) entry over afterwards, while that parser still points
    at the command; so an entry whose command start saw an error is a broken one.
    """
    import pybtex.errors
    from pybtex.database.input.bibtex import Parser

    reading = BibReading()
    failed_at: dict[int, int | None] = {}  # command start -> line of its first error
    matched: set[int] = set()

    class RecordingParser(Parser):
        low: Any = None

        def handle_error(self, error: Exception) -> None:
            line = getattr(error, "lineno", None)
            line = line if isinstance(line, int) else None
            # syntax errors carry the low-level parser; data errors (a duplicate field,
            # whose first value pybtex keeps) do not, and pandoc reads those entries
            if getattr(error, "parser", None) is not None:
                self.low = error.parser
                failed_at.setdefault(error.parser.command_start, line)
            super().handle_error(error)

        def process_entry(self, entry_type: str, key: str | None, fields: Any) -> None:
            if key is None:  # the name pybtex gives it
                key = f"unnamed-{self.unnamed_entry_counter}"
            start = getattr(self.low, "command_start", None)
            if start in failed_at:
                matched.add(start)
                reading.broken.append((key, failed_at[start]))
            super().process_entry(entry_type, key, fields)

    with pybtex.errors.capture():
        reading.data = RecordingParser(encoding).parse_file(str(path))
    # errors in a command that gave no entry at all (pybtex skipped it whole)
    for start, line in failed_at.items():
        if start not in matched:
            reading.broken.append((None, line))
    return reading


def copy_bib(source: Path, target: Path, encoding: str) -> None:
    """Copy *source* to *target*, leaving out the entries pybtex could not read."""
    try:
        reading = read_bib(source, encoding)
    except Exception:
        # unreadable as a whole: the configuration check has warned and dropped it already
        copy_file_atomic(source, target)
        return
    if not reading.broken:
        copy_file_atomic(source, target)
        return
    from pybtex.database import BibliographyData

    broken_keys = {key for key, _line in reading.broken if key}
    kept = BibliographyData(
        entries=[(k, e) for k, e in reading.data.entries.items() if k not in broken_keys],
        preamble=reading.data.preamble_list,
    )
    names = [key if key else f"an entry at line {line}" for key, line in reading.broken]
    first_line = next((line for _key, line in reading.broken if line), None)
    logger.warning(
        "bibliography entries left out of the book's copy (pandoc could reject them): %s",
        ", ".join(dict.fromkeys(names)),
        location=file_location(source, first_line),
        type="qmd",
        subtype=QmdWarning.BIB,
    )
    write_text_if_changed(target, kept.to_string("bibtex"))


def references_page() -> str:
    """The book's references page, for a book that cites but has no ``{bibliography}``
    page of its own: Quarto puts the bibliography into the ``#refs`` div."""
    return "# References {.unnumbered}\n\n::: {#refs}\n:::\n"
