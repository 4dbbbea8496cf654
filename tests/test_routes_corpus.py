"""One book from every route: ``sphinx-qmd`` and ``jupyter-book build --builder custom``.

Each real book in ../shared/corpora is built twice from the same copy, once by
``sphinx-qmd BOOK OUT`` and once by ``jupyter-book build BOOK --builder custom
--custom-builder qmd`` (jupyter-book < 2 only), both with execution off (the default of
each), and every file the two write must be the same, byte for byte: pages, notebooks,
``_quarto.yml``, ``labels.json``, copied images and bib files. Left out are only the build
caches (doctrees, myst-nb's folders), which are not part of the Quarto book.

Manual run, keeping both outputs: ``python tests/test_routes_corpus.py BOOK WORKDIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from conftest import CORPORA
from jbook_helpers import copy_book, differences, run_jupyter_book, run_sphinx_qmd

from sphinx_qmd_builder.book.jupyterbook import importable

pytest.importorskip("jupyter_book", reason="needs a jupyter-book < 2 environment")

pytestmark = pytest.mark.corpus

BOOKS = ["pbdl-book", "teachbooks-manual", "pseudodiffusers-ko"]


def prepare(name: str, tmp: Path) -> Path:
    """A copy of the book; extensions it names that are not installed are taken out.

    jupyter-book stops on an extension it cannot import (``sphinx-qmd`` warns and goes
    on), so both routes get a ``_config.yml`` without them: the same input.
    """
    book = copy_book(CORPORA / name, tmp)
    config_file = book / "_config.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    sphinx = config.get("sphinx") or {}
    extra = sphinx.get("extra_extensions")
    if extra:
        kept = [ext for ext in extra if importable(ext)]
        if kept != extra:
            sphinx["extra_extensions"] = kept
            config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return book


@pytest.mark.parametrize("name", BOOKS)
def test_both_routes_write_the_same_book(name: str, tmp_path: Path) -> None:
    book = prepare(name, tmp_path / "src")
    cli = run_sphinx_qmd(book, tmp_path / "sphinx-qmd")
    assert (cli.out / "_quarto.yml").is_file(), cli.log[-3000:]
    jb = run_jupyter_book(book)
    assert (jb.out / "_quarto.yml").is_file(), jb.log[-3000:]
    # nothing else of the build lands beside jupyter-book's output folder
    assert sorted(p.name for p in (book / "_build").iterdir()) == [".doctrees", "qmd"]
    # neither route ran a notebook
    for log in (cli.log, jb.log):
        assert "not executed, stored outputs are kept" in log
        assert "Executing notebook" not in log
    assert cli.status == jb.status, (cli.log[-2000:], jb.log[-2000:])
    assert differences(cli.out, jb.out) == []


if __name__ == "__main__":
    import shutil

    work = Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    src = prepare(sys.argv[1], work / "src")
    first = run_sphinx_qmd(src, work / "sphinx-qmd")
    (work / "sphinx-qmd.log").write_text(first.log, encoding="utf-8")
    second = run_jupyter_book(src)
    (work / "jupyter-book.log").write_text(second.log, encoding="utf-8")
    found = differences(first.out, second.out)
    print(f"status sphinx-qmd {first.status}, jupyter-book {second.status}")
    print(f"{len(found)} differing files")
    print("\n".join(found))
