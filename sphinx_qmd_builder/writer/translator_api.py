"""What the visitor mixins use of :class:`~.translator.QmdTranslator`, declared once.

The writer's handlers live in one mixin per family of nodes (``figures.py``, ``tables.py``
...); they all write through the translator's context stack (:mod:`.contexts`). This base
names that shared surface for type checkers, so each mixin does not repeat it. At run
time it adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from docutils import nodes

from ..warning_types import QmdWarning

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..builder import QmdBuilder
    from .contexts import Context

    C = TypeVar("C", bound=Context)


class TranslatorAPI:
    """Base of the visitor mixins; :class:`~.translator.QmdTranslator` provides all of it."""

    builder: QmdBuilder
    config: Any
    docname: str
    front_matter: dict[str, Any]

    if TYPE_CHECKING:

        @property
        def ctx(self) -> Context: ...
        def push(self, ctx: Context | str = "block") -> Context: ...
        def pop(self) -> Context: ...
        def add_block(self, text: str) -> None: ...
        def add_inline(self, text: str) -> None: ...
        def add_video(self, url: str, shortcode: str) -> None: ...
        def collect(self, kind: type[C], text: str, part: Callable[[C], list[str]]) -> None: ...
        def warn(self, message: str, node: nodes.Node, subtype: QmdWarning, *args: Any) -> None: ...
        def link_to(self, refdoc: str, anchor: str | None = None) -> str: ...
        def rebased(self, path: str) -> str: ...
        def resolves_here(self, qid: str, refdoc: str) -> bool: ...
        def id_attributes(
            self,
            ident: str | None = None,
            classes: list[str] | tuple[str, ...] = (),
            **kv: object,
        ) -> str: ...
        def anchor(self, ident: str) -> str: ...
        def note_id(self, ident: str | None) -> None: ...
        def callout(
            self,
            kind: str,
            title: str,
            body: str,
            collapse: str | None = None,
            ident: str | None = None,
            **extra: Any,
        ) -> str: ...
