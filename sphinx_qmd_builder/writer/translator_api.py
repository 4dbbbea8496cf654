"""What the visitor mixins use of :class:`~.writer.QmdTranslator`, declared once.

The writer's handlers live in one mixin per kind of node (``visit_*.py``); they all
write through the translator's context stack. This base names that shared surface for
type checkers, so each mixin does not repeat it. At run time it adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes

if TYPE_CHECKING:
    from ..builder import QmdBuilder
    from .translator import Context


class TranslatorAPI:
    """Base of the visitor mixins; :class:`~.writer.QmdTranslator` provides all of it."""

    builder: QmdBuilder
    config: Any
    docname: str
    front_matter: dict[str, Any]

    if TYPE_CHECKING:

        @property
        def ctx(self) -> Context: ...
        def push(self, kind: str = "block") -> Context: ...
        def pop(self) -> Context: ...
        def add_block(self, text: str) -> None: ...
        def add_inline(self, text: str) -> None: ...
        def add_video(self, url: str, shortcode: str) -> None: ...
        def warn(self, message: str, node: nodes.Node, subtype: str, *args: Any) -> None: ...
        def callout(
            self,
            kind: str,
            title: str,
            body: str,
            collapse: str | None = None,
            ident: str | None = None,
            **extra: Any,
        ) -> str: ...
