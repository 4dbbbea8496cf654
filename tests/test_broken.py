"""The broken-input corpus (tests/broken/): no traceback, a located warning, the rest converted.

Each folder of tests/broken is one case: the files of a page (or a few) and ``case.yml``
saying what is expected (``warning``: a regex for one warning line, relative to the case
folder, or null for none; ``also``: regexes for further warning lines; ``left_out``: pages
that must not be written; ``keep``: text the output must still hold; ``words``: texts every
one of which the written pages must hold -- the words a broken construct must not cost;
``conf``: extra conf.py lines, built alone). Cases without ``conf``
are built together, each in its own sub-folder of one book, so one build covers them all.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pypandoc
import pytest
import yaml
from helpers import build_qmd
from robust_helpers import (
    BASE_CONF,
    SENTINEL,
    files_containing,
    plant_sentinels,
    read_case,
    wellformed_problems,
)

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "case.yml").is_file())
GROUPED = [c for c in CASES if "conf" not in read_case(BROKEN / c)]
ALONE = [c for c in CASES if "conf" in read_case(BROKEN / c)]

GOOD_PAGE = "# Good page\n\nThis page is fine and must be converted.\n"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def _docs_of(folder: Path) -> list[str]:
    """Document names (no suffix) in a case folder, as the glob toctree finds them."""
    docs = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.suffix not in (".md", ".ipynb") or any(p.startswith("_") for p in rel.parts):
            continue
        docs.append(rel.with_suffix("").as_posix())
    return docs


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory):
    """All grouped cases in one book: src/<case>/..., plus a good page and an index."""
    base = tmp_path_factory.mktemp("broken")
    plant_sentinels(base)
    src = base / "src"
    src.mkdir()
    (src / ".git").mkdir()  # the project root: path-* cases reach beyond it
    (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    (src / "good.md").write_text(GOOD_PAGE, encoding="utf-8")
    (src / "index.md").write_text(
        "# Broken corpus\n\n```{toctree}\n:glob:\ngood\n*/*\n```\n", encoding="utf-8"
    )
    for case in GROUPED:
        shutil.copytree(BROKEN / case, src / case, ignore=shutil.ignore_patterns("case.yml"))
    return build_qmd(src, base / "out")


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory):
    """Cases with their own conf.py lines, each built as its own small book."""
    results = {}
    for case in ALONE:
        base = tmp_path_factory.mktemp(case)
        plant_sentinels(base)
        src = base / "src"
        shutil.copytree(BROKEN / case, src, ignore=shutil.ignore_patterns("case.yml"))
        (src / ".git").mkdir()  # the project root: path-* cases reach beyond it
        conf = BASE_CONF + "\n" + read_case(BROKEN / case)["conf"] + "\n"
        (src / "conf.py").write_text(conf, encoding="utf-8")
        (src / "good.md").write_text(GOOD_PAGE, encoding="utf-8")
        docs = _docs_of(src)
        (src / "index.md").write_text(
            "# Book\n\n```{toctree}\n" + "\n".join(d for d in docs if d != "index") + "\n```\n",
            encoding="utf-8",
        )
        results[case] = build_qmd(src, base / "out")
    return results


def _flat(chapters: list) -> list[str]:
    """Page names of ``book: chapters:`` (parts included)."""
    names: list[str] = []
    for entry in chapters:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names.extend(_flat(entry.get("chapters", [])))
    return names


def _page_texts(page: Path) -> list[str]:
    """The markdown of a written page: the .qmd, or each cell of a written notebook."""
    text = page.read_bytes().decode("utf-8")  # strict: UTF-8
    if page.suffix != ".ipynb":
        return [text]
    notebook = json.loads(text)
    sources = []
    for cell in notebook["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        sources.append(source if cell["cell_type"] == "markdown" else f"```\n{source}\n```")
    return sources


def _check_case(case: str, result, prefix: str) -> None:
    expect = read_case(BROKEN / case)
    warnings = result.warnings
    assert "Traceback" not in warnings + result.status
    case_lines = [line for line in warnings.splitlines() if f"/src/{prefix}" in line]
    if prefix:
        case_lines = [line for line in case_lines if f"/src/{prefix}" in line]
    if expect["warning"] is None:
        assert not [line for line in case_lines if "WARNING" in line], case_lines
    for regex in [expect["warning"], *expect.get("also", [])] if expect["warning"] else []:
        pattern = re.compile(re.escape(f"/src/{prefix}") + regex)
        assert any(pattern.search(line) for line in warnings.splitlines()), (
            f"expected /{regex}/ in:\n" + "\n".join(case_lines or [warnings])
        )
    out = result.outdir / prefix if prefix else result.outdir
    src_docs = _docs_of(BROKEN / case)
    chapters = yaml.safe_load((result.outdir / "_quarto.yml").read_text(encoding="utf-8"))
    chapters = chapters["book"]["chapters"]
    written = []
    for doc in src_docs:
        # notebooks stay notebooks (qmd_notebook_format = "ipynb"), other pages are .qmd
        pages = [out / f"{doc}{suffix}" for suffix in (".qmd", ".ipynb")]
        names = [f"{prefix}{doc}{suffix}" for suffix in (".qmd", ".ipynb")]
        if doc in expect["left_out"]:
            assert not any(page.exists() for page in pages), f"{doc} written although left out"
            assert not set(names) & set(_flat(chapters))
        else:
            found = [page for page in pages if page.is_file()]
            assert len(found) == 1, f"{doc}: {found}"
            assert found[0].relative_to(result.outdir).as_posix() in _flat(chapters)
            written.extend(_page_texts(found[0]))
    for text in written:
        assert wellformed_problems(text) == [], text[:2000]
        pypandoc.convert_text(text, "json", format="markdown")  # parses
    if "keep" in expect:
        assert any(expect["keep"] in text for text in written), written
    lost = [word for word in expect.get("words", []) if not any(word in t for t in written)]
    assert not lost, f"words lost: {lost}\n" + "\n".join(written)
    # the good page of the book is always there
    assert (result.outdir / "good.qmd").is_file()
    assert "good.qmd" in _flat(chapters)


@pytest.mark.parametrize("case", GROUPED)
def test_grouped_case(case: str, grouped) -> None:
    _check_case(case, grouped, f"{case}/")


@pytest.mark.parametrize("case", ALONE)
def test_alone_case(case: str, alone) -> None:
    result = alone[case]
    _check_case(case, result, "")
    expected_status = read_case(BROKEN / case).get("status", 0)
    assert result.statuscode == expected_status


def test_grouped_book_says_pages_were_left_out(grouped) -> None:
    left = {f"{case}/{doc}" for case in GROUPED for doc in read_case(BROKEN / case)["left_out"]}
    assert left, "the corpus has cases that leave a page out"
    assert grouped.statuscode == 1
    for doc in left:
        assert doc in grouped.status


def test_no_sentinel_anywhere(grouped, alone) -> None:
    """Files planted beyond the project root are never read into the output or cache."""
    assert files_containing(grouped.outdir, SENTINEL) == []
    for result in alone.values():
        assert files_containing(result.outdir, SENTINEL) == []


def test_guards_are_for_the_qmd_builder_only(tmp_path: Path) -> None:
    """Unknown directives and roles under another builder: myst-parser's own warnings, and
    the lookups the qmd builder wraps while it reads a page are Sphinx's again afterwards."""
    from docutils.parsers.rst import directives, roles

    lookups = (directives.directive, roles.role)
    build_qmd(_one_case_book(tmp_path / "qmd", "directive-unknown"), tmp_path / "qmd" / "out")
    assert (directives.directive, roles.role) == lookups
    src = _one_case_book(tmp_path / "html", "role-unknown")
    warnings = build_qmd(src, tmp_path / "html" / "out", "html").warnings
    assert "Unknown interpreted text role" in warnings
    assert "qmd.role_unknown" not in warnings
    assert (directives.directive, roles.role) == lookups


def _one_case_book(base: Path, case: str) -> Path:
    src = base / "src"
    shutil.copytree(BROKEN / case, src, ignore=shutil.ignore_patterns("case.yml"))
    (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    (src / "index.md").write_text("# Book\n\n```{toctree}\npage\n```\n", encoding="utf-8")
    return src
