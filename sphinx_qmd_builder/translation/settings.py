"""Translation settings, read once from the Sphinx config (and the environment, for the key)."""

from __future__ import annotations

import csv
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError

KEY_VARIABLE = "DEEPL_AUTH_KEY"
MISSING_MODES = ("warn", "error")


@dataclass(frozen=True)
class TranslationSettings:
    enabled: bool
    source_lang: str
    target_lang: str
    server_url: str | None
    directory: Path  # the memory of this target language: <qmd_translation_dir>/<target>
    glossary: dict[str, str] = field(default_factory=dict)
    missing: str = "warn"
    documents: tuple[str, ...] = ("*",)
    image_alt: bool = False
    project: str = ""
    auth_key: str | None = field(default=None, repr=False)  # never printed

    def translates(self, docname: str) -> bool:
        return any(fnmatch.fnmatchcase(docname, pattern) for pattern in self.documents)

    def memory_path(self, docname: str) -> Path:
        return self.directory / f"{docname}.po"


def load_glossary(value: Any, srcdir: Path) -> dict[str, str]:
    """Term pairs from a dict, or from a CSV file of ``source,target`` rows (relative to
    the source folder)."""
    if not value:
        return {}
    if isinstance(value, dict):
        pairs = {str(k).strip(): str(v).strip() for k, v in value.items()}
    else:
        path = Path(value)
        if not path.is_absolute():
            path = srcdir / path
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
        except OSError as err:
            raise ConfigError(f"qmd_translate_glossary: cannot read {path}: {err}") from None
        pairs = {}
        for row in rows:
            if len(row) < 2:
                raise ConfigError(f"qmd_translate_glossary: {path}: row {row!r} is not a pair")
            pairs[row[0].strip()] = row[1].strip()
    return {k: v for k, v in pairs.items() if k and v}


def settings_from_config(config: Any, srcdir: str | os.PathLike[str]) -> TranslationSettings:
    src = Path(srcdir)
    missing = config.qmd_translate_missing
    if missing not in MISSING_MODES:
        raise ConfigError(f"qmd_translate_missing must be one of {MISSING_MODES}, not {missing!r}")
    folder = Path(config.qmd_translation_dir)
    if not folder.is_absolute():
        folder = src / folder
    target = str(config.qmd_translate_target).upper()
    documents = config.qmd_translate_documents
    if isinstance(documents, str):
        documents = (documents,)
    return TranslationSettings(
        enabled=bool(config.qmd_translate),
        source_lang=str(config.qmd_translate_source).upper(),
        target_lang=target,
        server_url=config.qmd_deepl_server_url or None,
        directory=folder / target,
        glossary=load_glossary(config.qmd_translate_glossary, src),
        missing=missing,
        documents=tuple(documents),
        image_alt=bool(config.qmd_keep_image_alt),
        project=str(config.project or ""),
        auth_key=os.environ.get(KEY_VARIABLE) or None,
    )
