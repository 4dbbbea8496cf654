"""Real Jupyter Books from ../shared/corpora (slow: run with ``-m corpus``, or in CI)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from book_checks import book_problems, myst_leftovers, qmd_pages, read_page
from conftest import CORPORA
from corpus_conf import copy_book
from helpers import build_qmd

PSEUDO = CORPORA / "pseudodiffusers-ko"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not PSEUDO.is_dir(), reason="../shared/corpora is not beside the repo"),
]


@pytest.fixture(scope="module")
def pseudo_builds(tmp_path_factory: pytest.TempPathFactory):
    """pseudodiffusers-ko built with -b qmd and, for comparison, Sphinx's -b text."""
    src = copy_book(PSEUDO, tmp_path_factory.mktemp("pseudo") / "book")
    qmd = build_qmd(src, tmp_path_factory.mktemp("pseudo-qmd"))
    text = build_qmd(src, tmp_path_factory.mktemp("pseudo-text"), builder="text")
    return qmd, text, src


def test_pseudodiffusers_structure(pseudo_builds) -> None:
    qmd, text, _src = pseudo_builds
    assert "Traceback" not in qmd.warnings and "Exception" not in qmd.warnings
    pages = list(qmd_pages(qmd.outdir))
    assert len(pages) >= 68
    # MyST-looking text that Sphinx itself shows literally (it never parsed it) is the
    # author's text; anything beyond that is a leftover of ours
    literal: dict[str, Counter[str]] = {}
    for page in pages:
        name = page.relative_to(qmd.outdir).as_posix()
        rendered = text.outdir / (name.removesuffix(".qmd") + ".txt")
        if name == "index.qmd":
            rendered = text.outdir / "intro.txt"
        if rendered.exists():
            literal[name] = myst_leftovers(rendered.read_text("utf-8"))
    assert book_problems(qmd.outdir, literal) == []


def test_pseudodiffusers_missing_images(pseudo_builds) -> None:
    """Every image is missing: one located warning each, and every image is still written."""
    qmd, _text, src = pseudo_builds
    lines = [line for line in ANSI.sub("", qmd.warnings).splitlines() if "WARNING" in line]
    warned: Counter[str] = Counter()
    for line in lines:
        match = re.match(r"^(\S+)\.md:\d+: WARNING: image file not readable", line)
        if match:
            warned[Path(match.group(1)).relative_to(src).as_posix()] += 1
    assert sum(warned.values()) > 800
    # no second warning from our builder about the same missing images
    assert not [line for line in lines if "qmd.image" in line or "cannot copy image" in line]
    written: Counter[str] = Counter()
    figures = 0
    for page in qmd_pages(qmd.outdir):
        reading = read_page(page.read_text("utf-8"))
        docname = page.relative_to(qmd.outdir).with_suffix("").as_posix()
        docname = "intro" if docname == "index" else docname
        written[docname] = sum(1 for uri in reading.images if "://" not in uri)
        figures += reading.figures
    assert +written == warned  # one warning per local image, and each image still written
    assert figures > 850  # the corpus has 916 figure-md blocks (a few malformed)
