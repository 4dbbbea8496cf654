"""The Quarto semantics check on real output: the example project and the three corpora.

Each rule is its own test, so a rule that holds today is enforced now. The corpus failures
that other branches fix are marked ``xfail`` for exactly that book and rule (see XFAIL).
The numbers Quarto prints are compared with Sphinx's (``env.toc_fignumbers``), read from
the environment the same build pickled.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA
from helpers import build_qmd
from jbook_helpers import copy_book, run_cli
from quarto_semantics import RULES, BookCheck, check_book, compare_with_sphinx

BOOKS = ["pbdl-book", "teachbooks-manual", "pseudodiffusers-ko"]

#: (book, rule) -> the branch whose merge removes those problems; un-xfail after merging.
#: Empty since main has branch core (pbdl-book's comment fence, fact 16, was the last one).
XFAIL: dict[tuple[str, str], str] = {}


def sphinx_env(outdir: Path) -> Any:
    """The build environment Sphinx pickled next to the output (its numbering)."""
    with (outdir / ".doctrees" / "environment.pickle").open("rb") as handle:
        return pickle.load(handle)


def labels(outdir: Path) -> dict[str, Any]:
    return json.loads((outdir / "labels.json").read_text(encoding="utf-8"))


# -- the example project ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_check(example_build) -> BookCheck:
    return check_book(example_build.outdir)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_example_rule(example_check: BookCheck, rule: str) -> None:
    assert example_check.of_rule(rule) == []


def test_example_numbers_agree_with_sphinx(example_build, example_check: BookCheck) -> None:
    outdir = example_build.outdir
    agreement = compare_with_sphinx(example_check, sphinx_env(outdir), labels(outdir))
    assert agreement.differ == []
    assert agreement.per_kind == {"fig": 31, "eq": 1}


def test_german_chapter_refers_to_its_own_figures(example_check: BookCheck) -> None:
    """Every figure reference of the German chapter prints its own chapter's number."""
    chapter = example_check.chapter_of("segmentation.qmd")
    assert chapter is not None and chapter.number == "3"
    refs = [r for r in example_check.refs["segmentation.qmd"] if r.startswith("fig-")]
    assert len(refs) >= 20
    for ident in refs:
        target = example_check.targets[ident]
        if target.page == "segmentation.qmd":
            assert target.number and target.number.split(".")[0] == "3", ident


# -- a book Sphinx numbers per chapter -----------------------------------------------------------


def test_numbered_toctree_numbers_agree(tmp_path: Path) -> None:
    """With numfig and a numbered toctree Sphinx prints "Fig. 2.1": Quarto must too.

    (A page with two level-1 headings is two chapters to Sphinx but one to Quarto, whose
    chapters are files: there the numbers cannot agree, and the second heading is demoted.)
    """
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'project = "Numbered"\nextensions = ["myst_parser", "sphinx_qmd_builder"]\n'
        'myst_enable_extensions = ["dollarmath", "amsmath"]\nnumfig = True\n',
        encoding="utf-8",
    )
    (src / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "index.md").write_text(
        "# Book\n\nHello.\n\n```{toctree}\n:numbered:\n\none\ntwo\n```\n", encoding="utf-8"
    )
    chapter = (
        "# Chapter {n}\n\n```{{figure}} img.png\n\nNo label, numbered by Sphinx\n```\n\n"
        "## Section\n\n```{{figure}} img.png\n:name: fig-{n}a\n\nA\n```\n\n"
        "$$x = {n}$$ (eq-{n}a)\n\n## Second {n}\n\n```{{figure}} img.png\n:name: fig-{n}b\n\n"
        "B\n```\n\n```{{list-table}} T\n:name: tbl-{n}a\n\n* - a\n```\n\n"
        "See {{numref}}`fig-{n}a`, {{numref}}`fig-{n}b`, {{eq}}`eq-{n}a`, {{numref}}`tbl-{n}a`.\n"
    )
    for n, name in ((1, "one"), (2, "two")):
        (src / f"{name}.md").write_text(chapter.format(n=n), encoding="utf-8")
    result = build_qmd(src, tmp_path / "out")
    check = check_book(result.outdir)
    assert check.problems == []
    agreement = compare_with_sphinx(check, sphinx_env(result.outdir), labels(result.outdir))
    assert agreement.per_chapter
    assert agreement.per_kind == {"fig": 4, "eq": 2, "tbl": 2}
    assert agreement.differ == []
    assert check.targets["fig-2b"].number == "2.3"
    # the unlabelled captioned figure got an id, so Quarto numbers it as Sphinx does
    assert check.targets["fig-two-fig1"].number == "2.1"
    assert "::: {#fig-two-fig1}" in result.read("two.qmd")
    assert not [key for key in labels(result.outdir) if "fig1" in key]  # no author label


def test_unlabelled_figures_left_unnumbered_on_request(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'extensions = ["myst_parser", "sphinx_qmd_builder"]\nnumfig = True\n'
        "qmd_number_unlabelled_figures = False\n",
        encoding="utf-8",
    )
    (src / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "index.md").write_text(
        "# Book\n\n```{figure} img.png\n\nPlain caption\n```\n", encoding="utf-8"
    )
    result = build_qmd(src, tmp_path / "out")
    assert "![Plain caption](" in result.read("index.qmd")


# -- the corpora (slow) --------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BOOKS)
def corpus_check(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    name = request.param
    if not (CORPORA / name).is_dir():
        pytest.skip("../shared/corpora is not beside the repo")
    tmp = tmp_path_factory.mktemp(name)
    book = copy_book(CORPORA / name, tmp / "src")
    run = run_cli(book, tmp / "out", "-q", "-D", "nb_execution_mode=off")
    # exit 1: the copies of two books lack images (test_corpora_jbook.LOSES_IMAGES)
    assert run.status in (0, 1) and "Traceback" not in run.stderr, run.stderr[-2000:]
    yield name, run.out, check_book(run.out)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.corpus
@pytest.mark.parametrize("rule", sorted(RULES))
def test_corpus_rule(corpus_check, rule: str, request: pytest.FixtureRequest) -> None:
    name, _out, check = corpus_check
    reason = XFAIL.get((name, rule))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=False, reason=reason))
    assert check.of_rule(rule) == []


@pytest.mark.corpus
def test_corpus_numbers_agree_with_sphinx(corpus_check) -> None:
    name, out, check = corpus_check
    agreement = compare_with_sphinx(check, sphinx_env(out), labels(out))
    assert agreement.total > 0
    assert agreement.differ == []
