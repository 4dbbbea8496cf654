"""The real books of ``../shared/corpora``: every cross-reference and citation survives.

For each book (copied to a temporary folder, with a test-only conf.py made from its
``_config.yml`` and ``_toc.yml`` by :mod:`corpus_conf`) the qmd output is parsed with
pandoc: every ``@fig-``/``@tbl-``/``@eq-``/``@sec-`` ... reference must name an id some
page carries, every citation key must be in the book's bib files, and the number of
figure / table / equation ids must equal the number of numbered figure / table /
equation targets in Sphinx's environment. Slow: marked ``corpus``.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest
from conftest import CORPORA, EXAMPLE
from corpus_conf import copy_book
from helpers import ast_facts, bib_keys, build_qmd, is_crossref
from sphinx.application import Sphinx

from sphinx_qmd_builder.writer.equations import math_labels

BOOKS = ["pbdl-book", "teachbooks-manual", "pseudodiffusers-ko"]


def quarto_cells_as_code(text: str) -> str:
    """Read ```` ```{python} ```` cells as pandoc code blocks, as Quarto's engines do.

    Plain pandoc does not know executable cells and would read a decorator such as
    ``@jax.jit`` inside one as a citation.
    """
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip("`")
        fence = len(line) - len(stripped)
        if fence >= 3 and stripped.startswith("{") and not stripped.startswith(("{.", "{#", "{=")):
            line = "`" * fence + "{." + stripped[1:]
        lines.append(line)
    return "\n".join(lines)


def page_markdown(page: Path) -> str:
    """A page as pandoc reads it: a notebook's cells (code cells as code blocks) in order."""
    if page.suffix != ".ipynb":
        return quarto_cells_as_code(page.read_text(encoding="utf-8"))
    parts = []
    for cell in json.loads(page.read_text(encoding="utf-8")).get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code":
            fence = "`" * max(
                3, 1 + max((len(r) for r in source.split("\n") if set(r) == {"`"}), default=0)
            )
            source = f"{fence}{{.python}}\n{source}\n{fence}"
        parts.append(source)
    return "\n\n".join(parts)


def _generated(label: str) -> bool:
    try:
        uuid.UUID(label)
    except ValueError:
        return False
    return True


def env_numbered_targets(app: Sphinx) -> dict[str, set[tuple[str, str]]]:
    """Figures, tables and labelled equations that Sphinx numbers, as (docname, node id).

    Figures and tables count labelled or not: ``qmd_number_unlabelled_figures`` (on) gives
    the unlabelled ones an id too, so that Quarto numbers every one Sphinx numbers.

    Read per document (``toc_fignumbers`` and the pickled doctrees), so a label defined
    in two documents counts twice, as it has two targets.
    """
    from docutils import nodes

    env = app.env
    targets: dict[str, set[tuple[str, str]]] = {"fig": set(), "tbl": set(), "eq": set()}
    for docname in sorted(env.all_docs):
        doctree = env.get_doctree(docname)
        numbers = env.toc_fignumbers.get(docname, {})
        for figtype, kind in (("figure", "fig"), ("table", "tbl")):
            for node_id in numbers.get(figtype, {}):
                node = doctree.ids.get(node_id)
                if node is not None:
                    targets[kind].add((docname, node_id))
        for math in doctree.findall(nodes.math_block):
            # labelled by the author (MyST's amsmath gives the others a generated uuid);
            # a single \label{} inside amsmath counts too: the builder makes it the id
            label = math.get("label")
            inner = math_labels(math.astext())
            if label and not _generated(label) and math.get("number") is not None:
                targets["eq"].add((docname, label))
            elif math.get("ids") and len(inner) == 1:
                targets["eq"].add((docname, inner[0]))
    return targets


@pytest.mark.corpus
@pytest.mark.parametrize("book", BOOKS)
def test_corpus_references_survive(book: str, tmp_path: Path) -> None:
    source = CORPORA / book
    if not source.is_dir():
        pytest.skip(f"{source} is not here")
    check_book(book, copy_book(source, tmp_path / "src"), tmp_path)


def test_example_project_references_survive(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    check_book("example_project", src, tmp_path)


def check_book(book: str, src: Path, tmp_path: Path) -> None:
    """Build *src* with -b qmd and check its references, citations and id counts."""
    out = tmp_path / "out"
    result = build_qmd(src, out)
    app = result.app
    assert "Traceback" not in result.warnings

    ids: set[str] = set()
    cites: list[tuple[str, str]] = []
    for page in sorted([*out.rglob("*.qmd"), *out.rglob("*.ipynb")]):
        facts = ast_facts(page_markdown(page))
        ids |= facts.ids
        cites += [(page.relative_to(out).as_posix(), key) for key in facts.citations]
    crossrefs = [(page, key) for page, key in cites if is_crossref(key)]
    citations = [(page, key) for page, key in cites if not is_crossref(key)]

    dangling = [(page, key) for page, key in crossrefs if key not in ids]
    assert dangling == []

    keys: set[str] = set()
    for bib in app.config.bibtex_bibfiles:
        keys |= bib_keys(src / bib)
    assert [(page, key) for page, key in citations if key not in keys] == []

    env_targets = env_numbered_targets(app)
    out_counts = {kind: sum(1 for i in ids if i.startswith(kind + "-")) for kind in env_targets}
    env_counts = {kind: len(found) for kind, found in env_targets.items()}
    print(
        f"\n{book}: {len(crossrefs)} @crossrefs, {len(citations)} citations, "
        f"ids in output {out_counts}, numbered targets in env {env_counts}"
    )
    assert out_counts == env_counts
