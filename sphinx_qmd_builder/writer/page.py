"""What the translator hands the builder for one page: a :class:`PageOutput`.

As Sphinx's text writer hands over ``visitor.body`` and nothing else, the translator
finishes one ``PageOutput`` per page; the builder only decides where it goes (a ``.qmd``
file, or a notebook put together by :mod:`..book.notebooks`) and never reads the
translator's stack or attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from .slides import Deck


@dataclass
class PageOutput:
    """One translated page."""

    #: the page's markdown below the front matter
    body: str
    #: the YAML front matter (title, params, jupyter kernel, nocite ...)
    front_matter: dict[str, Any] = field(default_factory=dict)
    #: every Quarto id the page writes (``{#id}``, ``[]{#id}``, ``#| label: id``)
    ids: set[str] = field(default_factory=set)
    #: for a notebook written as ``.ipynb``: converted markdown per markdown-cell index
    cell_markdown: dict[int, str] | None = None
    #: for a notebook written as ``.ipynb``: ``#|`` option lines per code-cell index
    code_options: dict[int, list[str]] = field(default_factory=dict)
    #: the page's revealjs deck (its marked slides), None when it has none
    deck: Deck | None = None

    @property
    def front_matter_block(self) -> str:
        """``---`` YAML ``---`` (empty when there is no front matter)."""
        if not self.front_matter:
            return ""
        return f"---\n{front_matter_yaml(self.front_matter)}---"

    @property
    def text(self) -> str:
        """The whole ``.qmd`` page."""
        parts = [p for p in (self.front_matter_block, self.body) if p]
        return "\n\n".join(parts) + "\n"


def front_matter_yaml(data: dict[str, Any]) -> str:
    """YAML front matter in the house style: strings double-quoted, two-space nesting."""

    def scalar(value: Any) -> str:
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        return (
            yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("\n...")
        )

    def lines(mapping: dict[str, Any], depth: int) -> list[str]:
        out = []
        for key, value in mapping.items():
            pad = "  " * depth
            if isinstance(value, dict):
                out.append(f"{pad}{key}:")
                out.extend(lines(value, depth + 1))
            else:
                out.append(f"{pad}{key}: {scalar(value)}")
        return out

    return "\n".join(lines(data, 0)) + "\n"
