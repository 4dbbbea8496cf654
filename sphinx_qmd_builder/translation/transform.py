"""The post-transform that translates each document before the writer sees it.

It runs late (priority 850): cross-references and citations are already ``qmd_crossref``
and ``qmd_citation`` nodes (priority 5), Sphinx has resolved the remaining references
(10), so what is left inside a unit is either prose or an inline node that travels as an
untranslatable placeholder. The writer is unchanged: it sees ordinary nodes.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxWarning
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..guard.atomic import write_text_atomic
from ..warning_types import QmdWarning
from .client import (
    AuthorizationFailed,
    BatchFailed,
    DeepLClient,
    QuotaExceeded,
    batches,
)
from .memory import MACHINE_COMMENT, DocumentMemory
from .report import TranslationReport
from .segments import RebuildError, Segment, apply, extract_segments, parse_translation
from .settings import KEY_VARIABLE, TranslationSettings, settings_from_config

logger = logging.getLogger(__name__)


class TranslationError(SphinxWarning):
    """An error that must end the whole build (a refused key, missing translations in CI).

    It derives from :class:`SphinxWarning` ("warning treated as error") on purpose: code
    that isolates pages lets that one through so that ``-W`` still stops a build, and a
    refused key must stop it too instead of costing one failed request per page.
    """

    category = "Translation error"


class TranslationSession:
    """Book-wide translation state of one build: settings, client, counters."""

    def __init__(self, settings: TranslationSettings) -> None:
        self.settings = settings
        self.report = TranslationReport()
        self._client: DeepLClient | None = None
        self.quota_exhausted = False
        self.stopped_warned = False
        self.unwritable: set[Path] = set()
        self.state: MemoryState | None = None
        #: msgid -> (msgstr, translator comment) from every page's catalog, made on demand
        self._shared: dict[str, tuple[str, str]] | None = None

    def shared(self) -> dict[str, tuple[str, str]]:
        """Translations of all pages, so text that moved or repeats is not paid twice."""
        if self._shared is None:
            self._shared = {}
            for path in sorted(self.settings.directory.rglob("*.po")):
                memory = DocumentMemory(path, "", self.settings.target_lang, "")
                for entry in memory.usable_entries():
                    self._shared.setdefault(entry.msgid, (entry.msgstr, entry.tcomment))
        return self._shared

    def client(self) -> DeepLClient | None:
        if self.settings.auth_key is None:
            return None
        if self._client is None:
            self._client = DeepLClient(
                self.settings.auth_key,
                server_url=self.settings.server_url,
                source_lang=self.settings.source_lang,
                target_lang=self.settings.target_lang,
                glossary=self.settings.glossary,
                glossary_file=self.settings.directory / "glossary.json",
                report=self.report,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- one document ---------------------------------------------------------------------

    def translate_document(self, document: nodes.document, docname: str, docfile: str) -> None:
        settings = self.settings
        segments = list(
            extract_segments(document, image_alt=settings.image_alt, translated=settings.translates)
        )
        memory = DocumentMemory(
            settings.memory_path(docname),
            settings.source_lang,
            settings.target_lang,
            settings.project,
        )
        if memory.broken is not None:
            logger.warning(
                "translation memory %s cannot be read (%s): this page stays untranslated "
                "and the file is left as it is",
                memory.path,
                memory.broken,
                location=docname,
                type="qmd",
                subtype=QmdWarning.TRANSLATE,
            )
            self.report.left(docname, "memory unreadable", len(segments))
            return
        found: dict[str, str] = {}
        reason: dict[str, str] = {}
        pending: dict[str, Segment] = {}
        for segment in segments:
            hit = memory.lookup(segment.source)
            if hit.translation is not None:
                found[segment.source] = hit.translation
            elif hit.fuzzy:
                reason[segment.source] = "fuzzy"
            else:
                pending.setdefault(segment.source, segment)
        if pending:
            shared = self.shared()
            for source in list(pending):
                if source in shared:
                    translation, comment = shared[source]
                    memory.add_copy(source, translation, comment)
                    found[source] = translation
                    del pending[source]
        fresh: set[str] = set()
        if pending:
            self.request(document, docname, pending, memory, found, reason, fresh)
        for segment in segments:
            translated = found.get(segment.source)
            if translated is None:
                self.report.left(docname, reason.get(segment.source, "failed"))
                continue
            try:
                apply(segment, translated)
            except RebuildError as err:
                logger.warning(
                    "translation memory entry does not fit its source (%s); kept untranslated",
                    err,
                    location=segment.node,
                    type="qmd",
                    subtype=QmdWarning.TRANSLATE,
                )
                self.report.left(docname, "markup")
                continue
            if segment.source in fresh:
                self.report.translated_now += 1
            else:
                self.report.from_memory += 1
        memory.sync(segments, docfile)
        self.save(memory)
        if self.state is not None:
            self.state.record(docname, memory.path)

    def request(
        self,
        document: nodes.document,
        docname: str,
        pending: dict[str, Segment],
        memory: DocumentMemory,
        found: dict[str, str],
        reason: dict[str, str],
        fresh: set[str],
    ) -> None:
        """Ask DeepL for *pending*, batch by batch, saving the memory after each batch so
        an interrupted build loses nothing it paid for."""
        client = self.client()
        if client is None:
            reason.update(dict.fromkeys(pending, "no key"))
            return
        title = document.next_node(nodes.title)
        context = title.astext() if title is not None else None
        for batch in batches(list(pending)):
            if self.quota_exhausted:
                reason.update(dict.fromkeys(batch, "quota"))
                continue
            if client.gave_up:
                reason.update(dict.fromkeys(batch, "failed"))
                if not self.stopped_warned:
                    self.stopped_warned = True
                    logger.warning(
                        "DeepL failed repeatedly; no more requests in this build",
                        type="qmd",
                        subtype=QmdWarning.TRANSLATE,
                    )
                continue
            try:
                translations = client.translate(batch, context)
            except AuthorizationFailed:
                raise TranslationError(
                    f"DeepL refused the key in {KEY_VARIABLE} (HTTP 403). Check the key "
                    "and qmd_deepl_server_url (free-plan keys use api-free.deepl.com). "
                    f"Stopped before writing {docname!r}; the translation memory is intact."
                ) from None
            except QuotaExceeded:
                self.quota_exhausted = True
                reason.update(dict.fromkeys(batch, "quota"))
                continue
            except BatchFailed as err:
                logger.warning(
                    "DeepL request failed (%s): %d segments stay untranslated",
                    err,
                    len(batch),
                    location=docname,
                    type="qmd",
                    subtype=QmdWarning.TRANSLATE,
                )
                reason.update(dict.fromkeys(batch, "failed"))
                continue
            for source, translated in zip(batch, translations):
                try:
                    parse_translation(pending[source], translated)
                except RebuildError as err:
                    # kept (fuzzy) so a reviewer can repair it instead of paying again
                    memory.add_machine(source, translated, fuzzy=True)
                    reason[source] = "markup"
                    logger.warning(
                        "DeepL damaged the markup of this text (%s); kept untranslated and "
                        "stored as fuzzy in %s",
                        err,
                        memory.path.name,
                        location=pending[source].node,
                        type="qmd",
                        subtype=QmdWarning.TRANSLATE,
                    )
                    continue
                memory.add_machine(source, translated)
                found[source] = translated
                fresh.add(source)
                self.shared()[source] = (translated, MACHINE_COMMENT)
            self.save(memory)

    def save(self, memory: DocumentMemory) -> None:
        """Write a catalog; a folder that cannot be written costs a warning, not the build
        (the page is still written translated)."""
        try:
            memory.save()
        except OSError as err:
            if memory.path in self.unwritable:
                return
            self.unwritable.add(memory.path)
            logger.warning(
                "cannot write translation memory %s: %s",
                memory.path,
                err,
                type="qmd",
                subtype=QmdWarning.TRANSLATE,
            )

    # -- end of build ---------------------------------------------------------------------

    def finish(self) -> None:
        report = self.report
        self.close()
        logger.info("translation (%s): %s", self.settings.target_lang, report.summary())
        if report.reasons.get("quota"):
            logger.warning(
                "DeepL quota exhausted (HTTP 456): %d segments remain untranslated; "
                "everything translated so far is kept in %s",
                report.reasons["quota"],
                self.settings.directory,
                type="qmd",
                subtype=QmdWarning.TRANSLATE,
            )
        missing = report.reasons.get("no key", 0)
        if missing:
            docs = sorted(report.missing_by_doc)
            message = (
                f"{missing} segments in {len(docs)} documents ({', '.join(docs[:5])}"
                f"{', ...' if len(docs) > 5 else ''}) are not in the translation memory "
                f"and {KEY_VARIABLE} is not set: they stay in {self.settings.source_lang}"
            )
            if self.settings.missing == "error":
                raise TranslationError(message)
            logger.warning(message, type="qmd", subtype=QmdWarning.TRANSLATE)


#: one session per build environment (a transform has no other handle on the build)
_SESSIONS: weakref.WeakKeyDictionary[Any, TranslationSession] = weakref.WeakKeyDictionary()


def session_for(env: Any) -> TranslationSession | None:
    """The build's translation session, made on first use; None when translation is off."""
    session = _SESSIONS.get(env)
    if session is None:
        settings = settings_from_config(env.config, env.srcdir)
        if not settings.enabled:
            return None
        session = TranslationSession(settings)
        session.state = MemoryState(env.doctreedir)
        _SESSIONS[env] = session
    return session


class QmdTranslateTransform(SphinxPostTransform):
    """Replace the content of every translatable unit by its translation."""

    default_priority = 850
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        if not self.config.qmd_translate:
            return
        session = session_for(self.env)
        docname = self.env.docname
        if session is None or not session.settings.translates(docname):
            return
        docfile = Path(self.env.doc2path(docname)).relative_to(self.env.srcdir).as_posix()
        session.translate_document(self.document, docname, docfile)


STATE_FILE = "qmd-translation-memory.json"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class MemoryState:
    """What each page's catalog looked like when the build last used it (in the doctree
    folder), so that only a person's edit -- not the build's own writes -- makes a page
    outdated. Updated page by page: a killed build leaves it true."""

    def __init__(self, doctreedir: str | Path) -> None:
        self.path = Path(doctreedir) / STATE_FILE
        try:
            self.digests: dict[str, str | None] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.digests = {}

    def record(self, docname: str, catalog: Path) -> None:
        digest = _file_digest(catalog)
        if self.digests.get(docname, "") == digest:
            return
        self.digests[docname] = digest
        try:
            write_text_atomic(self.path, json.dumps(self.digests, indent=1, sort_keys=True))
        except OSError:
            pass  # only costs a rewrite of the page next time

    def changed(self, docname: str, catalog: Path) -> bool:
        return docname in self.digests and self.digests[docname] != _file_digest(catalog)


def memory_changed_docs(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Documents whose translation memory a reviewer edited since the page was written:
    they must be written again (Sphinx only looks at the sources)."""
    if app.builder.name != "qmd" or not app.config.qmd_translate:
        return []
    settings = settings_from_config(app.config, app.srcdir)
    state = MemoryState(app.doctreedir)
    return [
        docname
        for docname in sorted(env.all_docs)
        if docname not in changed
        and settings.translates(docname)
        and state.changed(docname, settings.memory_path(docname))
    ]


def report_translation(app: Sphinx, exception: BaseException | None) -> None:
    session = _SESSIONS.pop(app.env, None)
    if session is None:
        return
    if exception is not None:
        session.close()
        return
    session.finish()
