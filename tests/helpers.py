"""Helpers for tests: build a project with -b qmd in-process, read output with pandoc."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypandoc
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

PANDOC_FORMAT = "markdown"


@dataclass
class BuildResult:
    outdir: Path
    warnings: str
    status: str

    def read(self, name: str) -> str:
        return (self.outdir / name).read_text(encoding="utf-8")


def build_qmd(
    srcdir: Path,
    outdir: Path,
    builder: str = "qmd",
    prepare: Callable[[Sphinx], None] | None = None,
    **overrides: Any,
) -> BuildResult:
    """Run Sphinx in-process on *srcdir* (a folder with conf.py) and return its output.

    *prepare* may adjust the application (translators, event handlers) before it builds.
    """
    status, warnings = io.StringIO(), io.StringIO()
    # as sphinx-build does: directives, roles and nodes registered by this build are
    # forgotten afterwards, so later builds in the same process start clean
    with patch_docutils(str(srcdir)), docutils_namespace():
        app = Sphinx(
            str(srcdir),
            str(srcdir),
            str(outdir),
            str(outdir / ".doctrees"),
            builder,
            confoverrides=overrides,
            status=status,
            warning=warnings,
            freshenv=True,
        )
        if prepare is not None:
            prepare(app)
        app.build()
    return BuildResult(Path(outdir), warnings.getvalue(), status.getvalue())


def pandoc_ast(text: str) -> dict[str, Any]:
    """The pandoc AST (JSON) of Quarto markdown text."""
    return json.loads(pypandoc.convert_text(text, "json", format=PANDOC_FORMAT))


def pandoc_plain(text: str) -> str:
    return pypandoc.convert_text(text, "plain", format=PANDOC_FORMAT, extra_args=["--wrap=none"])


@dataclass
class AstFacts:
    """What structural checks need from one parsed page."""

    ids: set[str] = field(default_factory=set)
    citations: list[str] = field(default_factory=list)  # every @key (crossrefs included)
    div_classes: list[list[str]] = field(default_factory=list)
    code_blocks: list[tuple[list[str], str]] = field(default_factory=list)
    math: list[tuple[str, str]] = field(default_factory=list)  # (DisplayMath|InlineMath, text)


def _walk(value: Any, facts: AstFacts) -> None:
    if isinstance(value, dict):
        kind = value.get("t")
        content = value.get("c")
        if kind in ("Div", "Header", "Span", "CodeBlock", "Image", "Link", "Figure", "Table"):
            attr = content[0] if kind not in ("Header",) else content[1]
            if kind in ("Image", "Link"):
                attr = content[0]
            ident = attr[0]
            if ident:
                facts.ids.add(ident)
            if kind == "Div":
                facts.div_classes.append(attr[1])
            if kind == "CodeBlock":
                facts.code_blocks.append((attr[1], content[1]))
        if kind == "Cite":
            facts.citations.extend(c["citationId"] for c in content[0])
        if kind == "Math":
            facts.math.append((content[0]["t"], content[1]))
        for child in value.values():
            _walk(child, facts)
    elif isinstance(value, list):
        for child in value:
            _walk(child, facts)


def ast_facts(text: str) -> AstFacts:
    facts = AstFacts()
    _walk(pandoc_ast(text)["blocks"], facts)
    # Quarto reads "$$ ... $$ {#eq-x}" as an equation id; pandoc leaves it as text
    facts.ids.update(re.findall(r"\$\$\s*\{#(eq-[^\s}]+)\}", text))
    return facts


CROSSREF_PREFIXES = (
    "fig-",
    "tbl-",
    "eq-",
    "sec-",
    "lst-",
    "thm-",
    "lem-",
    "cor-",
    "prp-",
    "cnj-",
    "alg-",
    "def-",
    "exm-",
    "exr-",
    "sol-",
)


def is_crossref(key: str) -> bool:
    return key.startswith(CROSSREF_PREFIXES)


def bib_keys(bibfile: Path) -> set[str]:
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bibfile.read_text(encoding="utf-8")))
