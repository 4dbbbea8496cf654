"""A Jupyter Book living in a repository: files beside the book are read, files beyond the
repository are refused, support files of code cells are copied, and no notebook runs.

The repository (``git init`` in a temporary folder)::

    repo/.git
    repo/CHANGELOG.md                 included by the book
    repo/pkg/default_config.yml       literal-included and offered as a download
    repo/images/shared.png            an image one folder up from the book
    repo/docs/                        the book (_config.yml says execute_notebooks: force)
    repo/docs/nb.ipynb                a notebook whose code would fail if it ran
    repo/docs/data/x.csv, sv.mplstyle files the notebook's code reads
    secret.txt                        beyond the repository: refused
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from jbook_helpers import CliRun, run_cli

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SENTINEL = "SENTINEL-beyond-the-repository"

CONFIG = """\
title: Repo Book
author: Tester
execute:
  execute_notebooks: force
"""

TOC = """\
format: jb-book
root: intro
chapters:
  - file: chapter
  - file: nb
  - file: textnb
"""

TEXT_NOTEBOOK = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# Text notebook

```{code-cell} python
:load: scripts/setup.py
```

```{code-cell} python
import helper
from pathlib import Path
rows = open("../../secret.txt").read()
notes = open("../NOTES.txt").read()
```
"""

INTRO = """\
# Intro

![shared](../images/shared.png)

Read the changes.
"""

CHAPTER = """\
# Chapter

```{figure} ../images/shared.png
:name: fig-shared

The shared figure.
```

```{include} ../CHANGELOG.md
```

```{literalinclude} ../pkg/default_config.yml
:language: yaml
```

Get {download}`the defaults <../pkg/default_config.yml>`.

```{csv-table} Repository table
:file: ../pkg/table.csv
```

```{include} ../../secret.txt
```

![beyond](../../secret.png)

![linked](linked.png)

The end of the chapter.
"""


def _cell(kind: str, source: str, outputs: list | None = None) -> dict:
    cell = {"cell_type": kind, "id": hashlib.sha1(source.encode()).hexdigest()[:8], "metadata": {}}
    cell["source"] = source
    if kind == "code":
        cell["execution_count"] = 1
        cell["outputs"] = outputs or []
    return cell


def notebook() -> str:
    stored = [{"output_type": "stream", "name": "stdout", "text": "STORED-OUTPUT\n"}]
    cells = [
        _cell("markdown", "# Notebook"),
        _cell("code", 'open("ran.txt", "w").write("a kernel ran")', stored),
        _cell(
            "code",
            "%matplotlib inline\n"
            "import matplotlib.pyplot as plt\n"
            'plt.style.use("sv.mplstyle")\n'
            "rows = open('data/x.csv').read()\n",
            stored,
        ),
        _cell("code", 'raise RuntimeError("this notebook must not run")', stored),
    ]
    return json.dumps(
        {
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def make_repository(tmp: Path) -> Path:
    """The repository above; returns the book folder."""
    (tmp / "secret.txt").write_text(SENTINEL + "\n", encoding="utf-8")
    (tmp / "secret.png").write_bytes(PNG + SENTINEL.encode())
    repo = tmp / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "CHANGELOG.md").write_text("## Changes\n\nCHANGELOG-TEXT here.\n", encoding="utf-8")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "default_config.yml").write_text("DEFAULT-CONFIG: 1\n", encoding="utf-8")
    (repo / "pkg" / "table.csv").write_text("CSV-CELL,2\n", encoding="utf-8")
    (repo / "images").mkdir()
    (repo / "images" / "shared.png").write_bytes(PNG)
    book = repo / "docs"
    book.mkdir()
    (book / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (book / "_toc.yml").write_text(TOC, encoding="utf-8")
    (book / "intro.md").write_text(INTRO, encoding="utf-8")
    (book / "chapter.md").write_text(CHAPTER, encoding="utf-8")
    (book / "nb.ipynb").write_text(notebook(), encoding="utf-8")
    (book / "data").mkdir()
    (book / "data" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (book / "sv.mplstyle").write_text("lines.linewidth: 2\n", encoding="utf-8")
    (book / "textnb.md").write_text(TEXT_NOTEBOOK, encoding="utf-8")
    (book / "helper.py").write_text("VALUE = 1\n", encoding="utf-8")
    (book / "scripts").mkdir()
    (book / "scripts" / "setup.py").write_text("LOADED_SETUP = True\n", encoding="utf-8")
    (repo / "NOTES.txt").write_text("notes\n", encoding="utf-8")
    # a symlink inside the repository that leaves it
    os.symlink(tmp / "secret.png", book / "linked.png")
    return book


@pytest.fixture(scope="module")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    tmp = tmp_path_factory.mktemp("repo-book")
    book = make_repository(tmp)
    return run_cli(book, tmp / "out")


def _files_with(folder: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


def test_files_beside_the_book_reach_the_book(repo_build: CliRun) -> None:
    chapter = repo_build.read("chapter.qmd")
    assert "CHANGELOG-TEXT here." in chapter
    assert "DEFAULT-CONFIG: 1" in chapter  # the literal include
    assert "CSV-CELL" in chapter  # a csv-table :file: from the repository
    assert "The end of the chapter." in chapter
    # the image one folder up is in the book, under the page's images folder
    images = [p for p in repo_build.out.rglob("shared.png")]
    assert images and all(p.read_bytes() == PNG for p in images)
    assert "shared.png" in repo_build.read("index.qmd")
    # the download is copied and linked
    downloads = list((repo_build.out / "_downloads").rglob("default_config.yml"))
    assert len(downloads) == 1
    link = downloads[0].relative_to(repo_build.out).as_posix()
    assert link in chapter


def test_beyond_the_root_is_refused_with_the_option_named(repo_build: CliRun) -> None:
    refusals = [
        line
        for line in repo_build.stderr.splitlines()
        if "resolves outside the project root" in line
    ]
    assert any("include path '../../secret.txt'" in line for line in refusals), refusals
    assert any("image path '../../secret.png'" in line for line in refusals), refusals
    # the symlink inside the book that leaves the repository (Sphinx names its target)
    assert any("chapter.md:27: WARNING: image path" in line for line in refusals), refusals
    assert all("qmd_project_root" in line and "--project-root" in line for line in refusals)
    assert _files_with(repo_build.out, SENTINEL) == []


def test_refused_images_are_named_and_fail_the_build(repo_build: CliRun) -> None:
    assert repo_build.status == 1, repo_build.stderr
    summary = repo_build.stdout[repo_build.stdout.index("qmd images: 2 not in the book") :]
    assert "chapter.md:" in summary
    assert "chapter.md:25: ../../secret.png (refused" in summary
    assert "chapter.md:27: " in summary


def test_no_notebook_runs_and_quarto_is_told_to_execute(repo_build: CliRun) -> None:
    # the first lines say that notebooks do not run
    plain = re.sub(r"\x1b\[[0-9;]*m", "", repo_build.stdout)
    head = plain[: plain.index("reading sources")]
    assert "notebooks: not executed" in head
    assert "'force'" in head
    assert not (repo_build.book / "ran.txt").exists()
    assert "Executing notebook" not in repo_build.stdout + repo_build.stderr
    assert "must not run" not in repo_build.stderr
    cells = [c for c in repo_build.notebook("nb.ipynb")["cells"] if c["cell_type"] == "code"]
    assert [o.get("text") for c in cells for o in c["outputs"]] == ["STORED-OUTPUT\n"] * 3
    assert repo_build.quarto()["execute"] == {"enabled": True}


def test_support_files_are_copied_beside_the_notebook(repo_build: CliRun) -> None:
    assert (repo_build.out / "data" / "x.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert (repo_build.out / "sv.mplstyle").is_file()
    assert not (repo_build.out / "ran.txt").exists()
    # a MyST notebook: its :load: file and the module it imports
    assert "LOADED_SETUP = True" in repo_build.read("textnb.qmd")
    assert (repo_build.out / "scripts" / "setup.py").is_file()
    assert (repo_build.out / "helper.py").read_text(encoding="utf-8") == "VALUE = 1\n"
    # beyond the root: refused; above the book's top folder: cannot keep its path
    assert "support file path '../../secret.txt' resolves outside the project root" in (
        repo_build.stderr
    )
    assert "support file '../NOTES.txt' cannot keep its path" in repo_build.stderr
    assert not list(repo_build.out.rglob("NOTES.txt"))


def test_code_names() -> None:
    from sphinx_qmd_builder.book.support import code_names

    code = (
        "%matplotlib inline\n"
        "import numpy as np, helper\n"
        "from pkg.sub import thing as other\n"
        "from . import sibling\n"
        "import os.path as osp; import json\n"
        "a = np.load('data/a.wav')\n"
        "b = f'data/{name}.csv'\n"
        "!ls data\n"
        "c = open(r'x.txt', 'rb'  # unclosed\n"
    )
    strings, modules = code_names(code)
    assert strings[:2] == ["data/a.wav", "x.txt"]
    assert modules == ["numpy", "helper", "pkg", "sibling", "os", "json"]


def test_project_root_option_narrows_the_boundary(tmp_path: Path) -> None:
    book = make_repository(tmp_path)
    run = run_cli(book, tmp_path / "out", "-q", "--project-root", str(book))
    assert run.status == 1
    assert "include path '../CHANGELOG.md' resolves outside the project root" in run.stderr
    assert "CHANGELOG-TEXT" not in run.read("chapter.qmd")
    assert not list(run.out.rglob("shared.png"))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("off", {"enabled": False}), ("cache", {"freeze": "auto"}), ("auto", None)],
)
def test_quarto_gets_the_books_own_execution_mode(tmp_path: Path, mode: str, expected) -> None:
    """Whatever this run does (-D nb_execution_mode=off), _quarto.yml says what the book says."""
    book = make_repository(tmp_path)
    (book / "_config.yml").write_text(
        CONFIG.replace("execute_notebooks: force", f"execute_notebooks: {mode}"), encoding="utf-8"
    )
    run = run_cli(book, tmp_path / "out", "-q", "-D", "nb_execution_mode=off")
    assert run.quarto().get("execute") == expected


def test_files_beside_a_conf_py_book_keep_their_repository_path(tmp_path: Path) -> None:
    """With images beside their pages (qmd_images_path = None) an image one folder up goes
    to _repo/<path from the root>; a bib file one folder up too."""
    from helpers import build_qmd
    from robust_helpers import BASE_CONF

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "images").mkdir()
    (repo / "images" / "up.png").write_bytes(PNG)
    (repo / "refs.bib").write_text(
        "@book{knuth,\n title={TAOCP},\n author={Knuth},\n year={1968}\n}\n", encoding="utf-8"
    )
    src = repo / "book"
    (src / "sub").mkdir(parents=True)
    (src / "conf.py").write_text(
        BASE_CONF + "bibtex_bibfiles = ['../refs.bib']\n", encoding="utf-8"
    )
    (src / "index.md").write_text("# Book\n\n```{toctree}\nsub/page\n```\n", encoding="utf-8")
    (src / "sub" / "page.md").write_text(
        "# Page\n\n![up](../../images/up.png)\n\nAs {cite:t}`knuth` says.\n", encoding="utf-8"
    )
    result = build_qmd(src, tmp_path / "out", qmd_images_path=None)
    assert result.statuscode == 0, result.warnings
    assert (result.outdir / "_repo" / "images" / "up.png").read_bytes() == PNG
    assert "](../_repo/images/up.png)" in (result.outdir / "sub" / "page.qmd").read_text("utf-8")
    assert (result.outdir / "_repo" / "refs.bib").is_file()
    quarto = (result.outdir / "_quarto.yml").read_text("utf-8")
    assert "bibliography: _repo/refs.bib" in quarto


def test_conf_py_book_is_not_executed_and_keeps_its_mode(tmp_path: Path) -> None:
    """``sphinx-build -b qmd`` on a conf.py saying ``force``: nothing runs (qmd_execute is
    off), and _quarto.yml asks Quarto to execute even with ``-D nb_execution_mode=off``."""
    from helpers import build_qmd
    from robust_helpers import BASE_CONF

    src = tmp_path / "src"
    src.mkdir()
    conf = BASE_CONF.replace('nb_execution_mode = "off"', 'nb_execution_mode = "force"')
    assert 'nb_execution_mode = "force"' in conf
    (src / "conf.py").write_text(conf, encoding="utf-8")
    (src / "index.md").write_text("# Book\n\n```{toctree}\nnb\n```\n", encoding="utf-8")
    (src / "nb.ipynb").write_text(notebook(), encoding="utf-8")
    for overrides in ({}, {"nb_execution_mode": "off"}):
        out = tmp_path / f"out{len(overrides)}"
        result = build_qmd(src, out, **overrides)
        assert "Executing notebook" not in result.status + result.warnings
        assert not (src / "ran.txt").exists()
        assert "execute:\n  enabled: true" in (out / "_quarto.yml").read_text("utf-8")


def test_refused_paths_are_named_also_after_a_parallel_read(tmp_path: Path) -> None:
    """Includes refused while pages are read in -j reader processes reach the summary."""
    import sys

    from robust_helpers import BASE_CONF

    (tmp_path / "secret.txt").write_text(SENTINEL + "\n", encoding="utf-8")
    src = tmp_path / "repo"
    (src / ".git").mkdir(parents=True)
    (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    names = [f"p{n}" for n in range(4)]
    (src / "index.md").write_text(
        "# Book\n\n```{toctree}\n" + "\n".join(names) + "\n```\n", encoding="utf-8"
    )
    for name in names:
        (src / f"{name}.md").write_text(
            f"# {name}\n\nText.\n\n```{{include}} ../secret.txt\n```\n", encoding="utf-8"
        )
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "qmd", "-j", "2", str(src), str(tmp_path / "out")],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "doing serial read" not in done.stderr
    summary = done.stdout[done.stdout.index("qmd refused paths: 4") :]
    for name in names:
        assert f"  {name}.md:5: include ../secret.txt" in summary
    assert _files_with(tmp_path / "out", SENTINEL) == []
