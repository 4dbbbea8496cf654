"""Warning subtypes: one enum, every member documented, used, and listed in docs/warnings.md;
no call site passes a subtype as a string literal."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO

from sphinx_qmd_builder.warning_types import QmdWarning, warnings_markdown

PACKAGE = REPO / "sphinx_qmd_builder"


def subtype_params(tree: ast.AST) -> dict[str, int | None]:
    """Each function defined in *tree*: the position of its ``subtype`` parameter (after
    ``self``), or None when it takes no subtype."""
    found: dict[str, int | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = [arg.arg for arg in node.args.posonlyargs + node.args.args]
            if params[:1] == ["self"]:
                params = params[1:]
            found[node.name] = params.index("subtype") if "subtype" in params else None
    return found


def warn_helpers() -> dict[str, int]:
    """Helpers of the package that take a subtype (``warn(message, node, subtype)``,
    ``_warn(env, message, line, subtype)``): name -> position of the subtype."""
    seen: dict[str, set[int]] = {}
    for path in PACKAGE.rglob("*.py"):
        for name, index in subtype_params(ast.parse(path.read_text(encoding="utf-8"))).items():
            if index is not None:
                seen.setdefault(name, set()).add(index)
    assert all(len(indexes) == 1 for indexes in seen.values()), seen
    return {name: indexes.pop() for name, indexes in seen.items()}


def subtype_arguments(path: Path, helpers: dict[str, int]) -> list[tuple[int, ast.expr]]:
    """Every expression passed as a warning subtype in *path*: (line, expression). A
    helper defined in *path* itself wins over a namesake elsewhere (``book/quarto_yml.py``
    has a ``warn`` without a subtype)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local = subtype_params(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        found += [(kw.value.lineno, kw.value) for kw in node.keywords if kw.arg == "subtype"]
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        index = local[name] if name in local else helpers.get(name)
        if index is not None and len(node.args) > index:
            found.append((node.args[index].lineno, node.args[index]))
    return found


def package_subtypes() -> list[tuple[str, ast.expr]]:
    helpers = warn_helpers()
    assert {"warn", "_warn"} <= set(helpers)  # the walk finds the helpers at all
    return [
        (f"{path.relative_to(REPO)}:{line}", expression)
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, expression in subtype_arguments(path, helpers)
    ]


def test_no_call_site_passes_a_string_literal_subtype() -> None:
    literals = [
        (where, expression.value)
        for where, expression in package_subtypes()
        if isinstance(expression, ast.Constant)
    ]
    assert literals == [], "use a QmdWarning member (sphinx_qmd_builder/warning_types.py)"


def test_every_member_is_documented_and_used() -> None:
    used = {
        expression.attr
        for _where, expression in package_subtypes()
        if isinstance(expression, ast.Attribute)
        and isinstance(expression.value, ast.Name)
        and expression.value.id == "QmdWarning"
    }
    members = set(QmdWarning.__members__)
    assert used - members == set(), "not members of QmdWarning"
    assert members - used == set(), "members no call site uses: remove them"
    assert len({member.value for member in QmdWarning}) == len(QmdWarning.__members__)
    for member in QmdWarning:
        assert re.fullmatch(r"[a-z][a-z_-]*", member.value), member
        assert member.name == member.value.upper().replace("-", "_"), member
        assert len(member.doc) > 20 and member.doc.endswith("."), member


def test_member_is_its_value() -> None:
    """Log output ("[qmd.bib]") and suppress_warnings see the plain string."""
    assert QmdWarning.BIB == "bib"
    assert f"qmd.{QmdWarning.BIB}" == "qmd.bib"
    assert "qmd.%s" % QmdWarning.BIB == "qmd.bib"  # noqa: UP031 (Sphinx formats with %)
    assert QmdWarning("bib") is QmdWarning.BIB


def test_docs_list_is_generated_from_the_enum() -> None:
    docs = (REPO / "docs" / "warnings.md").read_text(encoding="utf-8")
    assert docs == warnings_markdown(), (
        "docs/warnings.md is out of step: python -m sphinx_qmd_builder.warning_types "
        "> docs/warnings.md"
    )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/warnings.md)" in readme
