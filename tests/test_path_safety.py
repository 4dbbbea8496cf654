"""Path safety: a sentinel planted outside the project root is reached for through every
path kind (also through symlinks inside the source folder) and never read or copied; and
nothing is written outside the output folder (myst-nb's jupyter_execute included).

The source folder is its own repository (it holds ``.git``), so the project root is the
source folder and everything one folder up is beyond it."""

from __future__ import annotations

import base64
import json
import os

import pytest
from helpers import build_qmd
from robust_helpers import BASE_CONF, SENTINEL, files_containing, plant_sentinels

from sphinx_qmd_builder.book.notebooks import MYSTNB_OUTPUT_FOLDER

# a 1x1 PNG: a notebook output myst-nb writes to its output folder
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

HOSTILE = """\
# Hostile

![direct](../secret.png)

![via link](linked.png)

![via linked folder](linkdir/secret.png)

```{figure} ../secret.png
A figure.
```

<img src="linked.png" alt="html img">

Get {download}`this <../secret.txt>` and {download}`that <linked.txt>`.

```{include} ../secret.txt
```

```{include} linked.txt
```

```{literalinclude} ../secret.txt
```

```{literalinclude} linkdir/secret.txt
```

The end of the hostile page.
"""


LOADED = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# Loaded

```{code-cell} python
:load: ../secret.txt
```

```{code-cell} python
:load: linkdir/secret.txt
```

The end of the loaded page.
"""


def _notebook() -> str:
    cell = {
        "cell_type": "code",
        "id": "c1",
        "metadata": {},
        "execution_count": 1,
        "source": "plot()",
        "outputs": [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"},
            }
        ],
    }
    return json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "# Plot"},
                cell,
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "P", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile")
    plant_sentinels(base)
    (base / "outside").mkdir()
    (base / "outside" / "secret.png").write_bytes((base / "secret.png").read_bytes())
    (base / "outside" / "secret.txt").write_text(SENTINEL + "\n", encoding="utf-8")
    src = base / "src"
    src.mkdir()
    (src / ".git").mkdir()  # the project root is the source folder
    os.symlink(base / "secret.png", src / "linked.png")
    os.symlink(base / "secret.txt", src / "linked.txt")
    os.symlink(base / "secret.bib", src / "linked.bib")
    os.symlink(base / "outside", src / "linkdir")
    conf = BASE_CONF + (
        "bibtex_bibfiles = ['../secret.bib', 'linked.bib']\n"
        "html_logo = 'linked.png'\n"
        "exclude_patterns.append('linkdir')\n"
    )
    (src / "conf.py").write_text(conf, encoding="utf-8")
    (src / "index.md").write_text(
        "# Book\n\n```{toctree}\nhostile\nplot\nloaded\n```\n", encoding="utf-8"
    )
    (src / "loaded.md").write_text(LOADED, encoding="utf-8")
    (src / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (src / "plot.ipynb").write_text(_notebook(), encoding="utf-8")
    before = sorted(p.name for p in base.iterdir())
    result = build_qmd(src, base / "out")
    return base, before, result


def test_sentinel_is_nowhere(hostile) -> None:
    base, _before, result = hostile
    assert (result.outdir / "hostile.qmd").is_file()
    assert "The end of the hostile page" in (result.outdir / "hostile.qmd").read_text("utf-8")
    assert "The end of the loaded page" in (result.outdir / "loaded.qmd").read_text("utf-8")
    assert files_containing(result.outdir, SENTINEL) == []  # .doctrees is inside outdir
    assert files_containing(result.doctreedir, SENTINEL) == []


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("image", 4),  # direct, via link, via linked folder, figure; <img> is the same path
        ("download", 2),
        ("include", 2),
        ("literalinclude", 2),
        ("bibliography", 2),
        ("logo", 1),
        (":load:", 2),
    ],
)
def test_each_path_kind_is_refused(hostile, kind: str, count: int) -> None:
    _base, _before, result = hostile
    refusals = [
        line
        for line in result.warnings.splitlines()
        if f"WARNING: {kind} path " in line and "resolves outside the project root" in line
    ]
    assert len(refusals) >= count, result.warnings
    if kind == ":load:":
        assert all("loaded.md:" in line for line in refusals)
    elif kind not in ("bibliography", "logo"):
        assert all("hostile.md:" in line for line in refusals)


def test_refused_paths_leave_no_link(hostile) -> None:
    """A refused image or download is not linked from the page (the file was never copied)."""
    _base, _before, result = hostile
    page = (result.outdir / "hostile.qmd").read_text("utf-8")
    linked = [
        line
        for line in page.splitlines()
        if ("secret" in line or "linkdir" in line or "linked." in line)
        and ("](" in line or "<img" in line)
    ]
    assert linked == []


def test_nothing_written_beside_the_output(hostile) -> None:
    """myst-nb writes notebook outputs to outdir/../jupyter_execute; ours stay in outdir."""
    base, before, result = hostile
    after = sorted(p.name for p in base.iterdir())
    assert sorted(set(after) - set(before)) == ["out"]
    folder = result.outdir / MYSTNB_OUTPUT_FOLDER
    assert folder.is_dir()
    # myst-nb did write the notebook's image output, into the redirected folder
    written = list(folder.rglob("*.png"))
    assert written and all(p.read_bytes() == PNG for p in written)
