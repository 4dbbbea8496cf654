"""Helpers for tests: build a project with -b qmd in-process, read output with pandoc."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypandoc
import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from sphinx_qmd_builder.labels import KNOWN_PREFIXES

PANDOC_FORMAT = "markdown"
ROOTS = Path(__file__).parent / "roots"


@dataclass
class BuildResult:
    outdir: Path
    warnings: str
    status: str
    app: Sphinx  # its config and environment, for tests that compare with what Sphinx read

    @property
    def statuscode(self) -> int:
        return self.app.statuscode

    @property
    def doctreedir(self) -> Path:
        return Path(self.app.doctreedir)

    def read(self, name: str) -> str:
        return (self.outdir / name).read_text(encoding="utf-8")


def sphinx_app(
    srcdir: Path,
    outdir: Path,
    builder: str,
    status: io.StringIO,
    warnings: io.StringIO,
    freshenv: bool = True,
    overrides: dict[str, Any] | None = None,
    parallel: int = 0,
) -> Sphinx:
    """The application :func:`build_qmd` builds with (doctrees in ``outdir/.doctrees``).

    Only a test that keeps one application alive across many builds (the property test)
    calls it directly, inside its own ``docutils_namespace()``.
    """
    return Sphinx(
        str(srcdir),
        str(srcdir),
        str(outdir),
        str(Path(outdir) / ".doctrees"),
        builder,
        confoverrides=overrides or {},
        status=status,
        warning=warnings,
        freshenv=freshenv,
        parallel=parallel,
    )


def build_qmd(
    srcdir: Path,
    outdir: Path,
    builder: str = "qmd",
    prepare: Callable[[Sphinx], None] | None = None,
    *,
    freshenv: bool = True,
    parallel: int = 0,
    **overrides: Any,
) -> BuildResult:
    """Run Sphinx in-process on *srcdir* (a folder with conf.py) and return its output.

    The one way tests build a project in this process (subprocess tests run the CLI).
    *prepare* may adjust the application (translators, event handlers) before it builds;
    ``freshenv=False`` reuses the environment of an earlier build into *outdir*;
    *parallel* is ``-j``.
    """
    status, warnings = io.StringIO(), io.StringIO()
    # as sphinx-build does: directives, roles and nodes registered by this build are
    # forgotten afterwards, so later builds in the same process start clean
    with patch_docutils(str(srcdir)), docutils_namespace():
        app = sphinx_app(srcdir, outdir, builder, status, warnings, freshenv, overrides, parallel)
        if prepare is not None:
            prepare(app)
        app.build()
    return BuildResult(Path(outdir), warnings.getvalue(), status.getvalue(), app)


def build_root(name: str, tmp_path: Path, **overrides: Any) -> BuildResult:
    """Build a copy of the test root ``tests/roots/test-<name>`` with -b qmd."""
    src = tmp_path / "src"
    shutil.copytree(ROOTS / f"test-{name}", src)
    return build_qmd(src, tmp_path / "out", **overrides)


def check_golden(folder: Path, actual: dict[str, str]) -> None:
    """Compare output texts (name -> text) with the golden files in *folder*.

    With ``QMD_UPDATE_GOLDEN=1`` the files are rewritten instead and the test is skipped,
    never passed: a run that wrote what it compares with has checked nothing.
    """
    if os.environ.get("QMD_UPDATE_GOLDEN") == "1":
        for name, text in actual.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        pytest.skip(f"golden files in {folder} rewritten; review the diff by eye")
    for name, text in actual.items():
        golden = folder / name
        assert golden.is_file(), f"no golden file {golden}: run with QMD_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


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


#: every Quarto cross-reference prefix the package writes, from the package itself
CROSSREF_PREFIXES = tuple(sorted(f"{prefix}-" for prefix in KNOWN_PREFIXES))


def is_crossref(key: str) -> bool:
    return key.startswith(CROSSREF_PREFIXES)


def bib_keys(bibfile: Path) -> set[str]:
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bibfile.read_text(encoding="utf-8")))
