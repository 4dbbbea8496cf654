"""The DeepL side: batching, glossary by id, and failures sorted into what the build does.

Only this module talks to the ``deepl`` package. Its retries and backoff (429, 5xx,
timeouts, dropped connections) are the client's own; what is left after them is sorted
here: a bad key stops the build, an exhausted quota stops translating, anything else
leaves the batch untranslated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..guard.atomic import write_text_atomic
from .report import TranslationReport

#: DeepL accepts at most 50 texts and 128 KiB per request; stay below both.
MAX_TEXTS = 50
MAX_BYTES = 120 * 1024
#: after this many batches in a row fail (after the client's own retries), stop asking
MAX_FAILED_BATCHES = 3
TAG_OPTIONS = {
    "tag_handling": "xml",
    "split_sentences": "nonewlines",
    "outline_detection": False,
}


class AuthorizationFailed(Exception):
    """The key was refused (HTTP 403)."""


class QuotaExceeded(Exception):
    """The account's character quota is used up (HTTP 456)."""


class GlossaryMissing(Exception):
    """The glossary id we kept is unknown to the account."""


class BatchFailed(Exception):
    """A batch could not be translated even after the client's retries."""


@dataclass
class GlossaryState:
    """Which DeepL glossary holds which term pairs (kept beside the memory)."""

    glossary_id: str
    digest: str


def batches(texts: Sequence[str]) -> Iterator[list[str]]:
    """Consecutive groups of *texts* within DeepL's per-request limits."""
    group: list[str] = []
    size = 0
    for text in texts:
        # JSON escaping can grow a text; count it as it travels
        length = len(json.dumps(text).encode("utf-8")) + 2
        if group and (len(group) >= MAX_TEXTS or size + length > MAX_BYTES):
            yield group
            group, size = [], 0
        group.append(text)
        size += length
    if group:
        yield group


def _scrub(message: str, key: str | None) -> str:
    """An error message as it may be shown: the key never appears."""
    if key and len(key) >= 6:  # a real key; replacing "x" everywhere would garble the text
        message = message.replace(key, "***")
    return message


class DeepLClient:
    """One translator for the whole build; counts requests and billed characters."""

    def __init__(
        self,
        auth_key: str,
        *,
        server_url: str | None,
        source_lang: str,
        target_lang: str,
        glossary: dict[str, str],
        glossary_file: Path,
        report: TranslationReport,
    ) -> None:
        # imported here: a build that translates nothing does not pay for the client
        # (deepl and requests: 0.1 s of start-up)
        import deepl

        self._key = auth_key
        self.translator = deepl.Translator(auth_key, server_url=server_url)
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.glossary = glossary
        self.glossary_file = glossary_file
        self.report = report
        self.failed_in_a_row = 0
        self._glossary_id: str | None = None

    def close(self) -> None:
        self.translator.close()

    @property
    def gave_up(self) -> bool:
        return self.failed_in_a_row >= MAX_FAILED_BATCHES

    # -- glossary -----------------------------------------------------------------------------

    def _glossary_digest(self) -> str:
        data = json.dumps(
            [self.source_lang, self.target_lang, sorted(self.glossary.items())], ensure_ascii=False
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def _read_glossary_state(self) -> GlossaryState | None:
        try:
            data = json.loads(self.glossary_file.read_text(encoding="utf-8"))
            return GlossaryState(data["glossary_id"], data["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def glossary_id(self, *, recreate: bool = False) -> str | None:
        """The id of a DeepL glossary with exactly our pairs: reused, or created once."""
        if not self.glossary:
            return None
        digest = self._glossary_digest()
        if self._glossary_id and not recreate:
            return self._glossary_id
        state = self._read_glossary_state()
        if state is not None and state.digest == digest and not recreate:
            self._glossary_id = state.glossary_id
            return self._glossary_id
        info = self._call(
            self.translator.create_glossary,
            f"sphinx-qmd-builder {digest[:12]}",
            self.source_lang,
            self.target_lang,
            self.glossary,
        )
        if state is not None and state.glossary_id != info.glossary_id:
            try:  # the old pairs are no longer wanted; failing to delete is harmless
                self._call(self.translator.delete_glossary, state.glossary_id)
            except BatchFailed:
                pass
        self._glossary_id = info.glossary_id
        try:
            write_text_atomic(
                self.glossary_file,
                json.dumps({"glossary_id": info.glossary_id, "digest": digest}, indent=2) + "\n",
            )
        except OSError:
            pass  # reused for this build only; the memory's own warning says why
        return self._glossary_id

    # -- translation --------------------------------------------------------------------------

    def translate(self, texts: list[str], context: str | None = None) -> list[str]:
        """Translate one batch; raises :class:`AuthorizationFailed`, :class:`QuotaExceeded`
        or :class:`BatchFailed`."""
        glossary = self.glossary_id()
        try:
            results = self._translate(texts, context, glossary)
        except GlossaryMissing:
            # someone deleted it on the account: make it again, once
            glossary = self.glossary_id(recreate=True)
            results = self._translate(texts, context, glossary)
        if len(results) != len(texts):
            self.failed_in_a_row += 1
            raise BatchFailed(f"{len(texts)} texts sent, {len(results)} translations received")
        self.failed_in_a_row = 0
        self.report.billed_characters += sum(r.billed_characters or 0 for r in results)
        return [r.text for r in results]

    def _translate(self, texts: list[str], context: str | None, glossary: str | None) -> list:
        results = self._call(
            self.translator.translate_text,
            texts,
            source_lang=self.source_lang,
            target_lang=self.target_lang,
            context=context or None,
            glossary=glossary,
            **TAG_OPTIONS,
        )
        return list(results) if isinstance(results, list) else [results]

    def _call(self, function, *args, **kwargs):
        """One API call (the client retries inside); errors sorted, the key scrubbed."""
        import deepl

        self.report.requests += 1
        try:
            return function(*args, **kwargs)
        except deepl.AuthorizationException:
            raise AuthorizationFailed() from None
        except deepl.QuotaExceededException:
            raise QuotaExceeded() from None
        except deepl.DeepLException as err:
            if err.http_status_code == 404 and kwargs.get("glossary"):
                raise GlossaryMissing() from None
            self.failed_in_a_row += 1
            raise BatchFailed(_scrub(str(err), self._key)) from None
