"""The translation memory: one gettext catalog (``.po``) per document.

msgid is the protected source text of a unit (:mod:`.segments`), msgstr its translation.
Entries made by DeepL carry the translator comment ``machine-translated: deepl``; a
reviewer deletes that line (Poedit: "Comment" field, Weblate: translator comment) when the
entry is checked. Nothing here ever overwrites a non-empty msgstr, so a person's edit is
kept; a ``fuzzy`` entry is the reviewer's "not ready" and is neither used nor replaced.
Entries whose source disappeared become obsolete (``#~``), and come back if it reappears.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from ..guard.atomic import write_text_atomic
from .segments import Segment

MACHINE_COMMENT = "machine-translated: deepl"
GENERATOR = "sphinx-qmd-builder"
HEADER = (
    "Translation memory of one page, kept by sphinx-qmd-builder.\n"
    'msgid: the source text, <x i="N"/> marks code, math, references (see the #.\n'
    "notes); msgstr: its translation, which must keep every mark. Entries with the\n"
    f"comment '{MACHINE_COMMENT}' are unreviewed: delete that comment when checked.\n"
    "Your edits are never overwritten; a fuzzy entry is not used."
)


def gettext_language(code: str) -> str:
    """DeepL's ``EN-US`` as gettext's ``en_US``."""
    lang, _, region = code.partition("-")
    return lang.lower() + (f"_{region.upper()}" if region else "")


@dataclass
class Lookup:
    """What the memory holds for one source text."""

    translation: str | None
    fuzzy: bool = False


class DocumentMemory:
    """The catalog of one document; loaded lazily, written atomically only when it changed."""

    def __init__(self, path: Path, source_lang: str, target_lang: str, project: str) -> None:
        self.path = path
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.project = project
        self.original_text: str | None = None
        #: why the catalog could not be read; then it is never written (a person's work
        #: is in it) and the page is not sent either (nowhere to keep what it cost)
        self.broken: str | None = None
        self.catalog = polib.POFile(wrapwidth=78)
        if path.is_file():
            try:
                self.original_text = path.read_text(encoding="utf-8")
                self.catalog = polib.pofile(self.original_text, wrapwidth=78)
            except Exception as err:  # polib reports syntax errors as OSError, others vary
                self.broken = str(err) or err.__class__.__name__
                self.catalog = polib.POFile(wrapwidth=78)
        self.catalog.encoding = "utf-8"
        self._ensure_header()

    def _ensure_header(self) -> None:
        defaults = {
            "Project-Id-Version": self.project or "book",
            "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
            "Last-Translator": f"DeepL via {GENERATOR}",
            "Language-Team": gettext_language(self.target_lang),
            "Language": gettext_language(self.target_lang),
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Source-Language": gettext_language(self.source_lang),
            "X-Generator": GENERATOR,
        }
        for key, value in defaults.items():
            self.catalog.metadata.setdefault(key, value)
        if not self.catalog.header:
            self.catalog.header = HEADER

    # -- reading ------------------------------------------------------------------------------

    def lookup(self, source: str) -> Lookup:
        entry = self.catalog.find(source, include_obsolete_entries=True)
        if entry is None or not entry.msgstr:
            return Lookup(None)
        if "fuzzy" in entry.flags:
            return Lookup(None, fuzzy=True)
        return Lookup(entry.msgstr)

    # -- writing ------------------------------------------------------------------------------

    def add_machine(self, source: str, translation: str, *, fuzzy: bool = False) -> None:
        """Record what DeepL made of *source*; a non-empty human msgstr is never replaced."""
        entry = self._fill(source, translation, MACHINE_COMMENT)
        if entry is not None and fuzzy and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")

    def add_copy(self, source: str, translation: str, tcomment: str) -> None:
        """Take over another page's entry for the same source text (moved or repeated
        text is paid for once); its machine/reviewed mark comes with it."""
        self._fill(source, translation, tcomment)

    def _fill(self, source: str, translation: str, tcomment: str) -> polib.POEntry | None:
        """Set *source*'s translation unless it already has one; the entry, or None."""
        entry = self.catalog.find(source, include_obsolete_entries=True)
        if entry is not None and entry.msgstr:
            return None
        if entry is None:
            entry = polib.POEntry(msgid=source, msgstr="")
            self.catalog.append(entry)
        entry.msgstr = translation
        entry.obsolete = False
        entry.tcomment = tcomment
        return entry

    def usable_entries(self) -> Iterator[polib.POEntry]:
        """Entries another page may reuse: translated and not fuzzy."""
        for entry in self.catalog:
            if entry.msgstr and "fuzzy" not in entry.flags:
                yield entry

    def sync(self, segments: Iterable[Segment], docfile: str) -> None:
        """Order entries as the document, note what placeholders mean, retire the rest."""
        by_id: dict[str, polib.POEntry] = {}
        for entry in self.catalog:
            by_id.setdefault(entry.msgid, entry)
        ordered: list[polib.POEntry] = []
        occurrences: dict[str, list[tuple[str, str]]] = {}
        notes: dict[str, dict[str, list[str]]] = {}
        for segment in segments:
            entry = by_id.get(segment.source)
            if entry is None:
                entry = polib.POEntry(msgid=segment.source, msgstr="")
                by_id[segment.source] = entry
            if entry.msgid not in occurrences:
                occurrences[entry.msgid] = []
                notes[entry.msgid] = {}
                ordered.append(entry)
            for mark, meaning in segment.notes():
                known = notes[entry.msgid].setdefault(mark, [])
                if meaning not in known:
                    known.append(meaning)
            line = segment.line
            occurrences[entry.msgid].append((docfile, str(line) if line else ""))
        seen = set(occurrences)
        for entry in ordered:
            entry.obsolete = False
            entry.occurrences = occurrences[entry.msgid]
            # what each placeholder stands for, so a reviewer can read the sentence
            entry.comment = "\n".join(
                f"{mark} = {' | '.join(meanings)}" for mark, meanings in notes[entry.msgid].items()
            )
        retired = [e for e in self.catalog if e.msgid not in seen]
        for entry in retired:
            entry.obsolete = True
            entry.occurrences = []
        self.catalog[:] = ordered + retired

    def text(self) -> str:
        return str(self.catalog) + "\n"

    def save(self) -> bool:
        """Write the catalog if its content changed; return whether it was written."""
        if self.broken is not None:
            return False
        if self.original_text is not None and self._same_as_original():
            return False
        if not len(self.catalog) and self.original_text is None:
            return False
        self.catalog.metadata["PO-Revision-Date"] = datetime.datetime.now(
            datetime.timezone.utc
        ).strftime("%Y-%m-%d %H:%M+0000")
        text = self.text()
        write_text_atomic(self.path, text)
        self.original_text = text
        return True

    def _same_as_original(self) -> bool:
        """Compare without the revision date, which changes only when content does."""
        assert self.original_text is not None
        old = polib.pofile(self.original_text, wrapwidth=78)
        old.metadata["PO-Revision-Date"] = self.catalog.metadata.get("PO-Revision-Date", "")
        return str(old) == str(self.catalog)
