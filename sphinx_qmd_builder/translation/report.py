"""Counters of one build's translation work, summarised at the end of the build."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TranslationReport:
    translated_now: int = 0
    from_memory: int = 0
    untranslated: int = 0
    requests: int = 0
    billed_characters: int = 0
    #: why segments stayed untranslated: "no key", "quota", "failed", "markup", "fuzzy"
    reasons: Counter[str] = field(default_factory=Counter)
    #: docname -> untranslated count
    missing_by_doc: Counter[str] = field(default_factory=Counter)

    def left(self, docname: str, reason: str, count: int = 1) -> None:
        self.untranslated += count
        self.reasons[reason] += count
        self.missing_by_doc[docname] += count

    def summary(self) -> str:
        text = (
            f"{self.translated_now} segments translated now, {self.from_memory} from memory, "
            f"{self.untranslated} left untranslated; {self.requests} requests, "
            f"{self.billed_characters} characters billed"
        )
        if self.reasons:
            why = ", ".join(f"{n} {reason}" for reason, n in sorted(self.reasons.items()))
            text += f" (untranslated: {why})"
        return text
