"""German -> English (or any DeepL pair) with a reviewable translation memory.

Segments (:mod:`.segments`) are found on the resolved doctree, looked up in one gettext
catalog per document (:mod:`.memory`), and only what is missing goes to DeepL
(:mod:`.client`), in batches. :mod:`.transform` ties it together as a post-transform.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from .transform import (
    QmdTranslateTransform,
    TranslationError,
    memory_changed_docs,
    report_translation,
)

__all__ = ["QmdTranslateTransform", "TranslationError", "setup_translation"]


def setup_translation(app: Sphinx) -> None:
    app.add_post_transform(QmdTranslateTransform)
    app.connect("env-get-outdated", memory_changed_docs)
    app.connect("build-finished", report_translation)
