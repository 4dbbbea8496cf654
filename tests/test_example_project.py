"""The example project end to end: golden files, pandoc structure checks, word conservation.

Golden files live in tests/golden/example_project/. After a deliberate change of the
output, rewrite them with ``QMD_UPDATE_GOLDEN=1 python -m pytest tests/test_example_project.py``
and read the diff by eye before committing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from book_checks import book_problems, page_words, qmd_pages, words
from conftest import EXAMPLE, TESTS
from helpers import build_qmd
from sphinx.application import Sphinx
from sphinx.locale import admonitionlabels

GOLDEN = TESTS / "golden" / "example_project"
UPDATE = os.environ.get("QMD_UPDATE_GOLDEN") == "1"
MANIFEST = "files.txt"


def output_files(outdir: Path) -> list[str]:
    """Every file the build wrote (doctrees aside), relative to *outdir*."""
    return sorted(
        p.relative_to(outdir).as_posix()
        for p in outdir.rglob("*")
        if p.is_file() and ".doctrees" not in p.relative_to(outdir).parts
    )


def golden_names(outdir: Path) -> list[str]:
    """The files compared byte for byte: every page and the Quarto project file."""
    return [n for n in output_files(outdir) if n.endswith(".qmd") or n == "_quarto.yml"]


def test_example_builds_without_warnings(example_build) -> None:
    assert example_build.warnings == ""


def test_golden_files(example_build) -> None:
    outdir = example_build.outdir
    names = golden_names(outdir)
    manifest = "\n".join(output_files(outdir)) + "\n"
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir(parents=True)
        for name in names:
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(outdir / name, GOLDEN / name)
        (GOLDEN / MANIFEST).write_text(manifest, encoding="utf-8")
        pytest.skip("golden files rewritten; review the diff by eye")
    assert GOLDEN.is_dir(), "no golden files yet: run with QMD_UPDATE_GOLDEN=1"
    expected = sorted(
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )
    assert names == expected
    assert manifest == (GOLDEN / MANIFEST).read_text(encoding="utf-8")
    for name in names:
        assert (outdir / name).read_text(encoding="utf-8") == (GOLDEN / name).read_text(
            encoding="utf-8"
        ), f"{name} differs from tests/golden/example_project/{name}"


def test_pandoc_structure(example_build) -> None:
    assert book_problems(example_build.outdir) == []


def test_every_numref_and_cite_became_quarto(example_build) -> None:
    """The source's numrefs and cites appear as @ids / [@keys] (not only 'no leftovers')."""
    seg = example_build.read("segmentation.qmd")
    source = (EXAMPLE / "segmentation.md").read_text(encoding="utf-8")
    # outside comments, every {numref}`x` of the source is an @x in the output
    visible = re.sub(r"<!--.*?-->", "", source, flags=re.S)
    for label in re.findall(r"\{numref\}`([^`]+)`", visible):
        assert f"@{label}" in seg
    for key in re.findall(r"\{cite\}`([^`]+)`", visible):
        assert f"[@{key}]" in seg


# -- word conservation --------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_text(tmp_path_factory: pytest.TempPathFactory):
    """Sphinx's own ``text`` rendering of the example project: (outdir, app)."""
    src = tmp_path_factory.mktemp("example-text-src")
    shutil.copytree(EXAMPLE, src, dirs_exist_ok=True)
    result = build_qmd(src, tmp_path_factory.mktemp("example-text-out"), "text")
    return result.outdir, result.app


def sphinx_generated(text: str, app: Sphinx) -> str:
    """*text* without what Sphinx's text writer generates and Quarto generates itself.

    Each removal is derived from Sphinx's own configuration, not from a word list:
    figure/table reference labels (``numfig_format``), equation numbers of the math
    domain, admonition labels ("Note:"), and image placeholders ("[image: alt]"; the
    house style drops alt text).
    """
    for fmt in app.config.numfig_format.values():
        pattern = r"\s+".join(
            re.escape(part).replace(re.escape("%s"), r"(?:%s|[\d.]+)") for part in fmt.split()
        )
        text = re.sub(pattern, " ", text)
    numbers = {str(num) for _doc, num in app.env.get_domain("math").equations.values()}
    for number in numbers:
        text = text.replace(f"({number})", " ")
    for label in admonitionlabels.values():
        text = re.sub(rf"^\s*{re.escape(str(label))}:\s*$", "", text, flags=re.M)
    return re.sub(r"\[image(?::[^\]]*)?\]", " ", text)


#: LaTeX environment markup: ``align`` becomes ``aligned`` on purpose (writer/equations.py)
MATH_ENV = re.compile(r"\\(?:begin|end)\{[^}]*\}")


def toctree_words(app: Sphinx, docname: str) -> Counter[str]:
    """Words of the toctree entries Sphinx renders on *docname* (Quarto's sidebar has them)."""
    found: Counter[str] = Counter()
    for child in app.env.toctree_includes.get(docname, []):
        found += words(app.env.tocs[child].astext())
    return found


def citation_words(bibfile: Path) -> set[str]:
    """Words a bibtex citation label may consist of: author surnames, years, 'et al.'."""
    bib = bibfile.read_text(encoding="utf-8")
    found: set[str] = {"et", "al"}
    for authors in re.findall(r"author\s*=\s*\{(.*?)\},?\n", bib):
        for person in authors.split(" and "):
            found |= set(words(person.split(",")[0]))
    found |= set(re.findall(r"year\s*=\s*\{(\d+)\}", bib))
    return found


@pytest.fixture(scope="module")
def example_untranslated(tmp_path_factory: pytest.TempPathFactory):
    """The example built without translation: conservation measures the writer alone."""
    src = tmp_path_factory.mktemp("example-untranslated-src")
    shutil.copytree(EXAMPLE, src, dirs_exist_ok=True)
    return build_qmd(src, tmp_path_factory.mktemp("example-untranslated"), qmd_translate=False)


def test_every_word_is_kept(example_untranslated, example_text) -> None:
    example_build = example_untranslated
    text_out, app = example_text
    discount = citation_words(EXAMPLE / "references.bib")
    pages = list(qmd_pages(example_build.outdir))
    assert pages
    missing: dict[str, Counter[str]] = {}
    for page in pages:
        name = page.relative_to(example_build.outdir).with_suffix("").as_posix()
        docname = app.config.root_doc if name == "index" else name
        text_file = text_out / f"{docname}.txt"
        if not text_file.exists():
            continue  # pages the builder adds itself (references.qmd)
        rendered = sphinx_generated(text_file.read_text(encoding="utf-8"), app)
        source = words(MATH_ENV.sub(" ", rendered)) - toctree_words(app, docname)
        kept = page_words(page.read_text(encoding="utf-8"), drop=MATH_ENV)
        lost = Counter(
            {w: n - kept[w] for w, n in source.items() if n > kept[w] and w not in discount}
        )
        if lost:
            missing[name] = lost
    assert not missing, "\n".join(f"{name}: {dict(lost)}" for name, lost in missing.items())
    # the comparison saw real pages, not empty renderings
    assert sum(words((text_out / "segmentation.txt").read_text("utf-8")).values()) > 2000
