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
from jbook_helpers import JB_ROOT, copy_book, run_cli

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
