"""``jupyter-book build BOOK --builder custom --custom-builder qmd`` (jupyter-book < 2 only).

Jupyter Book finds the builder through the ``sphinx.builders`` entry point. Its output must be
the same book ``sphinx-qmd`` writes from the same folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from jbook_helpers import (
    JB_ROOT,
    TESTS,
    copy_book,
    differences,
    run_cli,
    run_jupyter_book,
    run_sphinx_qmd,
)

pytest.importorskip("jupyter_book", reason="needs a jupyter-book < 2 environment")

SKIP_DIRS = {".doctrees", ".jupyter_execute", "_static"}


def _tree(folder: Path) -> dict[str, bytes]:
    files = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not SKIP_DIRS.intersection(relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def test_jupyter_book_custom_builder(tmp_path: Path) -> None:
    book = copy_book(JB_ROOT, tmp_path)
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    # jupyter-book stops on an extension that is not installed; sphinx-qmd warns instead
    config["sphinx"]["extra_extensions"] = [
        ext for ext in config["sphinx"]["extra_extensions"] if ext != "not_an_installed_extension"
    ]
    (book / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")

    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from jupyter_book.cli.main import main; main()",
            "build",
            str(book),
            "--builder",
            "custom",
            "--custom-builder",
            "qmd",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = book / "_build" / "qmd"
    quarto = yaml.safe_load((out / "_quarto.yml").read_text(encoding="utf-8"))
    assert quarto["book"]["title"] == "A Tiny Book"
    parts = [p for p in quarto["book"]["chapters"] if isinstance(p, dict) and "part" in p]
    assert [p["part"] for p in parts] == ["Basics", "More"]
    # nothing was written beside the build folder (myst-nb's folders moved inside)
    assert sorted(p.name for p in (book / "_build").iterdir()) == [".doctrees", "qmd"]

    # the same book as sphinx-qmd writes it (sphinx-thebe's HTML scripts are dropped)
    cli = run_cli(book, tmp_path / "cli-out", "-q")
    assert cli.status == 0, cli.stderr
    jb_files, cli_files = _tree(out), _tree(cli.out)
    assert sorted(jb_files) == sorted(cli_files)
    different = [name for name in jb_files if jb_files[name] != cli_files[name]]
    assert different == []
    assert b"thebe" not in b"".join(jb_files.values())


def test_jupyter_book_defaults_do_not_reach_the_book(tmp_path: Path) -> None:
    """jupyter-book lays its default_config.yml under the book's: its placeholders (title,
    author, its own repository URL) must not reach the Quarto book, and what it drops
    (``parse.myst_dmath_double_inline``) must; the MathJax 2 macros are read on both routes.
    """
    book = copy_book(TESTS / "roots" / "jb-defaults", tmp_path)
    cli = run_sphinx_qmd(book, tmp_path / "cli-out")
    jb = run_jupyter_book(book)
    assert cli.status == jb.status == 0, cli.log[-2000:] + jb.log[-2000:]
    assert differences(cli.out, jb.out) == []

    quarto = yaml.safe_load((jb.out / "_quarto.yml").read_text(encoding="utf-8"))
    assert quarto["book"]["title"] == "Book Without Settings"  # the root page's title
    assert "author" not in quarto["book"]
    assert not {"repo-url", "repo-branch", "repo-subdir"} & set(quarto["book"])
    assert quarto["execute"] == {"enabled": True}  # the book's intent, nothing was run
    header = quarto["format"]["pdf"]["include-in-header"]
    assert "RR" in str(header)
    intro = (jb.out / "index.qmd").read_text(encoding="utf-8")
    assert "$$" in intro and "\\$" not in intro  # display math, no escaped dollars
    # the ftp: link is not an external link for Jupyter Book 1 (myst_url_schemes default)
    chapter = (jb.out / "chapter.qmd").read_text(encoding="utf-8")
    assert "[the web](https://example.org)" in chapter
    assert "](ftp:" not in chapter and "a file server" in chapter
    # {margin}: sphinx-book-theme's directive on jupyter-book's route, the builder's own on
    # sphinx-qmd's; the same margin note either way
    assert ".column-margin" in chapter and "margin directive on one route" in chapter


def test_numbering_across_parts_is_the_same_on_both_routes(tmp_path: Path) -> None:
    """``html: use_multitoc_numbering: false``: each numbered part starts at chapter 1 (read
    by sphinx-external-toc on both routes), so Sphinx's number of an axiom in the second
    part, which the reference text carries (Quarto numbers no axioms), is 1.1."""
    book = copy_book(TESTS / "roots" / "jb-multitoc", tmp_path)
    cli = run_sphinx_qmd(book, tmp_path / "cli-out")
    jb = run_jupyter_book(book)
    assert cli.status == jb.status == 0, cli.log[-2000:] + jb.log[-2000:]
    assert differences(cli.out, jb.out) == []
    assert "[Axiom 1.1](second.qmd#ax-choice)" in (jb.out / "first.qmd").read_text("utf-8")


def test_recursive_update_keeps_the_repository_on_both_routes(tmp_path: Path) -> None:
    """``sphinx: recursive_update: true`` (as in Jupyter Book's own documentation) merges
    sphinx.config's ``html_theme_options`` into the repository settings."""
    book = copy_book(TESTS / "roots" / "jb-recursive", tmp_path)
    cli = run_sphinx_qmd(book, tmp_path / "cli-out")
    jb = run_jupyter_book(book)
    assert cli.status == jb.status == 0, cli.log[-2000:] + jb.log[-2000:]
    assert differences(cli.out, jb.out) == []
    quarto = yaml.safe_load((cli.out / "_quarto.yml").read_text(encoding="utf-8"))
    assert quarto["book"]["repo-url"] == "https://github.com/example/merged"
    assert quarto["book"]["repo-branch"] == "master"
    assert quarto["book"]["repo-subdir"] == "docs"
