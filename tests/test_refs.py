"""Cross-references, equations, tables and citations: one test root per syntax.

Each root is built with ``-b qmd`` and compared with golden files in
``tests/golden/refs-<name>/`` (set ``QMD_UPDATE_GOLDEN=1`` to rewrite them, then read
the diff). Structural checks parse the output with pandoc: every ``@id`` resolves to an
id in the book and every citation key is in the bib file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from helpers import (
    BuildResult,
    ast_facts,
    bib_keys,
    build_qmd,
    build_root,
    check_golden,
    is_crossref,
)

from sphinx_qmd_builder.book.integrity import RefReport
from sphinx_qmd_builder.labels import normalise_id, quarto_id
from sphinx_qmd_builder.writer.refs import format_citation, number_reference
from sphinx_qmd_builder.writer.tables import Cell, grid_table

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
GOLDEN = TESTS / "golden"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def build_refs_root(name: str, tmp_path: Path) -> BuildResult:
    return build_root(f"refs-{name}", tmp_path)


def check_refs_golden(name: str, outdir: Path, files: list[str]) -> None:
    check_golden(
        GOLDEN / f"refs-{name}", {file: (outdir / file).read_text("utf-8") for file in files}
    )


def book_facts(outdir: Path) -> tuple[set[str], list[tuple[str, str]]]:
    """Every id in the book, and every (page, @key) the pages cite."""
    ids: set[str] = set()
    cites: list[tuple[str, str]] = []
    for page in sorted(outdir.rglob("*.qmd")):
        facts = ast_facts(page.read_text(encoding="utf-8"))
        ids |= facts.ids
        cites += [(page.name, key) for key in facts.citations]
    return ids, cites


def unresolved_crossrefs(outdir: Path) -> list[tuple[str, str]]:
    ids, cites = book_facts(outdir)
    return [(page, key) for page, key in cites if is_crossref(key) and key not in ids]


# -- label syntaxes and roles -----------------------------------------------------------


@pytest.fixture(scope="module")
def labels_build(tmp_path_factory: pytest.TempPathFactory):
    return build_refs_root("labels", tmp_path_factory.mktemp("labels"))


def test_labels_golden(labels_build) -> None:
    check_refs_golden("labels", labels_build.outdir, ["index.qmd", "labels.qmd", "roles.qmd"])


def test_labels_every_crossref_resolves(labels_build) -> None:
    assert unresolved_crossrefs(labels_build.outdir) == []
    ids, cites = book_facts(labels_build.outdir)
    assert {k for _, k in cites if is_crossref(k)} >= {
        "fig-with-capitals",
        "fig-colon",
        "fig-already",
        "fig-no-prefix-dots",
        "lst-code-listing",
        "eq-energy",
        "eq-pythagoras",
        "eq-aligned",
        "eq-inner",
    }


def test_textless_ref_to_a_section_shows_its_title(labels_build) -> None:
    """Sphinx shows a section's title for {ref}`label` and MyST's [](#label); Quarto's
    @sec-x would print "Section 1" (QUARTO.md 8): a link with the title instead."""
    text = labels_build.read("roles.qmd")
    assert "Plain ref: [Introduction Part](labels.qmd#sec-intro-part)," in text
    assert "MyST links: [Introduction Part](labels.qmd#sec-intro-part)," in text
    assert "@sec-intro-part" not in text


def test_download_copied_and_linked(labels_build) -> None:
    text = labels_build.read("roles.qmd")
    links = [line for line in text.splitlines() if line.startswith("A download:")]
    # Sphinx shows a download as code; the file goes to _downloads/ beside the pages
    assert len(links) == 1 and "[`the data`](_downloads/" in links[0]
    target = links[0].split("](", 1)[1].rstrip(").")
    assert (labels_build.outdir / target).read_text() == "a,b\n1,2\n"


def test_labels_json_maps_every_label(labels_build) -> None:
    data = json.loads(labels_build.read("labels.json"))
    mapping = {label: entry["qid"] for label, entry in data.items()}
    assert mapping["sec:intro_part"] == "sec-intro-part"
    assert mapping["fig_with_capitals"] == "fig-with-capitals"
    # docutils lowercases names (Sphinx looks them up lowercased); math labels keep case
    # two labels on one figure share the one id the figure carries
    assert mapping["plainfig"] == "fig-with-capitals"
    assert mapping["fig:colon"] == "fig-colon"
    assert mapping["fig-already"] == "fig-already"  # never a doubled prefix
    assert mapping["no.prefix.dots"] == "fig-no-prefix-dots"
    assert mapping["code_listing"] == "lst-code-listing"
    assert mapping["eq:Energy"] == "eq-energy"
    assert mapping["pythagoras"] == "eq-pythagoras"
    # Quarto numbers neither paragraphs nor the headings of the index page
    assert mapping["para-label"] == "para-label"
    assert mapping["preface-section"] == "preface-section"
    assert data["para-label"]["docname"] == "labels"


def test_labels_warn_for_unnumbered_targets(labels_build) -> None:
    warnings = labels_build.warnings
    assert "roles.md:16" in warnings and "'para-label'" in warnings
    # a chapter title and the index page's sections are linked faithfully, without warning
    assert warnings.count("cannot be numbered by Quarto") == 2
    assert "dangling" not in warnings and "unresolvable" not in warnings


def test_integrity_summary_counts(labels_build) -> None:
    # a text-less {ref} to a figure or a section is a link showing its caption or title,
    # as Sphinx shows it, not an @id
    assert "qmd cross-references: 25 written, 13 as @id of which 13 resolve" in (
        labels_build.status
    )


# -- equations ----------------------------------------------------------------------------


def test_equations_labelled_and_plain(labels_build) -> None:
    text = labels_build.read("labels.qmd")
    facts = ast_facts(text)
    display = [m for kind, m in facts.math if kind == "DisplayMath"]
    assert len(display) == 7
    assert "$$\nE = mc^2\n$$ {#eq-energy}" in text
    assert "$$\nx = y\n$$\n" in text  # unlabelled stays plain
    # numbered amsmath environments without a label stay plain by default
    assert "{#eq-labels-" not in text
    # amsmath top-level environments become their inner forms (HTML and LaTeX)
    assert "\\begin{align}" not in text and "\\begin{align*}" not in text
    assert text.count("\\begin{aligned}") == 2 and text.count("\\begin{gathered}") == 1
    # a \label{} inside amsmath becomes the Quarto id (and leaves the LaTeX)
    assert "$$\n\\nabla \\cdot u = 0\n$$ {#eq-inner}" in text and "\\label" not in text


def test_unlabelled_amsmath_numbered_on_request(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-refs-labels", src)
    result = build_qmd(src, tmp_path / "out", qmd_number_unlabelled_equations=True)
    text = result.read("labels.qmd")
    # Sphinx numbers \begin{align} (3rd) and \begin{gather} (6th): so does Quarto now
    assert "\\end{aligned}\n$$ {#eq-labels-3}" in text
    assert "\\end{gathered}\n$$ {#eq-labels-6}" in text
    assert "$$\nx = y\n$$\n" in text  # never numbered by Sphinx: still plain
    assert unresolved_crossrefs(result.outdir) == []
    # the generated labels are nobody's: labels.json leaves them out
    data = json.loads(result.read("labels.json"))
    assert "eq:Energy" in data and not [k for k in data if _is_uuid(k)]


# -- tables -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables_build(tmp_path_factory: pytest.TempPathFactory):
    return build_refs_root("tables", tmp_path_factory.mktemp("tables"))


def test_tables_golden(tables_build) -> None:
    check_refs_golden("tables", tables_build.outdir, ["index.qmd"])


def test_tables_structure(tables_build) -> None:
    from helpers import pandoc_ast

    ast = pandoc_ast(tables_build.read("index.qmd"))
    tables = [b for b in ast["blocks"] if b["t"] == "Table"]
    assert len(tables) == 7
    ids = [t["c"][0][0] for t in tables]
    assert ids == ["", "tbl-results-2024", "tbl-list-table", "tbl-csv-data", "tbl-spans", "", ""]
    # a pipe inside code needs a grid table: the cell keeps its code whole
    code_cell = tables[6]["c"][4][0][3][0][1][0][4][0]["c"][0]
    assert code_cell == {"t": "Code", "c": [["", [], []], "a | b"]}
    # alignment of the first table survives: left, center, right
    aligns = [spec[0]["t"] for spec in tables[0]["c"][2]]
    assert aligns == ["AlignLeft", "AlignCenter", "AlignRight"]
    # the spanning cells of the grid table
    body_rows = tables[4]["c"][4][0][3]
    first_cell = body_rows[0][1][0]
    assert first_cell[2] == 2  # row span
    header_cells = tables[4]["c"][3][1][0][1]
    assert header_cells[1][3] == 2  # column span
    assert unresolved_crossrefs(tables_build.outdir) == []


def test_grid_table_rowspan_and_colspan() -> None:
    header = [[Cell("H"), Cell("Wide", morecols=1)]]
    body = [[Cell("tall\ncell", morerows=1), Cell("b"), Cell("c")], [Cell("e"), Cell("f")]]
    table = grid_table(header, body, 3, [None, None, None])
    from helpers import pandoc_ast

    ast = pandoc_ast(table)
    assert ast["blocks"][0]["t"] == "Table"
    rows = ast["blocks"][0]["c"][4][0][3]
    assert rows[0][1][0][2] == 2 and len(rows[1][1]) == 2


# -- citations ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cite_build(tmp_path_factory: pytest.TempPathFactory):
    return build_refs_root("cite", tmp_path_factory.mktemp("cite"))


def test_cite_golden(cite_build) -> None:
    check_refs_golden("cite", cite_build.outdir, ["chapter.qmd", "bibliography.qmd"])


def test_cite_keys_in_bib_and_refs_placed(cite_build) -> None:
    keys = bib_keys(cite_build.outdir / "refs.bib")
    _, cites = book_facts(cite_build.outdir)
    assert cites and all(key in keys for _, key in cites)
    assert "::: {#refs}" in cite_build.read("bibliography.qmd")
    # the bibliography directive's page is the references chapter: no second one
    assert not (cite_build.outdir / "references.qmd").exists()
    assert "references.qmd" not in cite_build.read("_quarto.yml")


# -- sphinx-proof / sphinx-exercise ------------------------------------------------------


def test_proof_labels(tmp_path: Path) -> None:
    result = build_refs_root("proof", tmp_path)
    data = json.loads(result.read("labels.json"))
    mapping = {label: (e["qid"], e["numbered"]) for label, e in data.items()}
    assert mapping["pythagoras"] == ("thm-pythagoras", True)
    assert mapping["lem:Small_Lemma"] == ("lem-small-lemma", True)
    assert mapping["def-vector"] == ("def-vector", True)
    assert mapping["ex-one"] == ("exr-ex-one", True)
    # Quarto numbers neither solutions nor axioms: plain anchors and links
    assert mapping["sol-one"] == ("sol-one", False)
    assert mapping["choice"] == ("choice", False)
    text = result.read("index.qmd")
    assert "@thm-pythagoras, @lem-small-lemma, @def-vector," in text
    # an axiom keeps the number sphinx-proof printed; Quarto numbers algorithms itself
    assert "[Axiom 1](#choice), @exr-ex-one" in text


# -- the integrity report ----------------------------------------------------------------


def test_unresolvable_reference_reported(tmp_path: Path) -> None:
    result = build_refs_root("broken", tmp_path)
    assert "index.md:6" in result.warnings
    assert "unresolvable reference to 'missing-figure'" in result.warnings
    assert "unresolvable reference to 'no-such-label'" in result.warnings
    assert "2 unresolvable" in result.status
    # MyST makes a dead "#no-such-label" link of it; only its text is kept
    text = result.read("index.qmd")
    assert "A MyST link to nothing: some text." in text and "#no-such-label" not in text


def test_report_warnings_are_fatal_with_W(tmp_path: Path) -> None:
    """Sphinx's own warning silenced, the report's warning alone fails ``sphinx-build -W``."""
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-refs-broken", src)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "-b",
        "qmd",
        "-q",
        str(src),
        str(tmp_path / "out"),
    ]
    command += ["-D", "suppress_warnings=ref.ref,ref.numref,myst.xref_missing"]
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode != 0
    assert "unresolvable reference to 'missing-figure'" in result.stderr
    assert "undefined label" not in result.stderr


def test_dangling_reference_reported() -> None:
    report = RefReport()
    report.at_refs = [("a", 3, "fig-x", "b"), ("a", 4, "fig-y", "b"), ("a", 5, "fig-z", "c")]
    report.note_page("b", {"fig-x", "sec-other"}, {"fig-x", "fig-y"})
    # page c was not written in this (incremental) build: its ids are not checked
    assert report.dangling() == [("a", 4, "fig-y", "b")]
    report.ids_complete = False
    assert report.dangling() == []


# -- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind", "expected"),
    [
        ("fig:x", "figure", "fig-x"),
        ("fig-x", "figure", "fig-x"),
        ("Fig_With_Caps", "figure", "fig-with-caps"),
        ("my.label", "table", "tbl-my-label"),
        ("sec:Intro Part", "section", "sec-intro-part"),
        ("eq-", "equation", "eq-eq"),
        ("para", None, "para"),
    ],
)
def test_quarto_id(label: str, kind: str | None, expected: str) -> None:
    assert quarto_id(label, kind) == expected


def test_normalise_id_never_empty() -> None:
    assert normalise_id("::") == "x"


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        ("Abbildung ", "", "Abbildung -@fig-x"),
        ("(", ")", "(-@fig-x)"),
        ("Fig", "", "Fig[-@fig-x]"),
        ("", "a", "[-@fig-x]a"),
        ("", "(b)", "-@fig-x(b)"),
        ("", "_b", "[-@fig-x]\\_b"),
    ],
)
def test_number_reference(pre: str, post: str, expected: str) -> None:
    assert number_reference("fig-x", pre, post) == expected


@pytest.mark.parametrize(
    ("mode", "pre", "post", "expected"),
    [
        ("p", [""], [""], "[@k]"),
        ("p", ["see"], ["p. 3"], "[see @k, p. 3]"),
        ("t", [""], ["ch. 2"], "@k [ch. 2]"),
        ("year", [""], [""], "-@k"),
        ("yearpar", [""], [""], "[-@k]"),
        ("foot", [""], [""], "^[[@k]]"),
    ],
)
def test_format_citation(mode: str, pre: list[str], post: list[str], expected: str) -> None:
    assert format_citation(["k"], mode, pre, post) == expected
