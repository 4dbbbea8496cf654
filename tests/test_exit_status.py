"""Exit status of ``sphinx-build -b qmd``: a left-out page or a lost image makes it 1;
``-W`` and ``--keep-going`` behave as they do for Sphinx's own builders (compared with
``-b text``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from robust_helpers import BASE_CONF

REPO = Path(__file__).parent.parent


def _sphinx(src: Path, out: Path, builder: str, *flags: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-E", "-q", *flags, str(src), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _project(folder: Path, pages: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True)
    (folder / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    names = [name.rsplit(".", 1)[0] for name in pages]
    (folder / "index.md").write_text(
        "# Book\n\n```{toctree}\n" + "\n".join(names) + "\n```\n", encoding="utf-8"
    )
    for name, content in pages.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


GOOD = "# Good\n\nFine.\n"


@pytest.mark.parametrize("flags", [(), ("-W",), ("-W", "--keep-going")])
def test_warning_status_as_in_sphinx(tmp_path: Path, flags: tuple[str, ...]) -> None:
    """One ordinary Sphinx warning (a reference to an undefined label, kept as text): qmd
    exits exactly as the text builder does."""
    src = _project(tmp_path / "src", {"good.md": GOOD, "ref.md": "# Ref\n\nSee {ref}`nowhere`.\n"})
    qmd = _sphinx(src, tmp_path / "qmd", "qmd", *flags)
    text = _sphinx(src, tmp_path / "text", "text", *flags)
    assert "Traceback" not in qmd.stderr
    assert "undefined label" in qmd.stderr
    assert qmd.returncode == text.returncode, (qmd.stderr, text.stderr)
    if flags:
        assert qmd.returncode != 0
    else:
        assert qmd.returncode == 0
        assert (tmp_path / "qmd" / "ref.qmd").is_file()


def test_missing_image_sets_status(tmp_path: Path) -> None:
    """An image the book does not get is named at the end and fails the build (no -W)."""
    src = _project(tmp_path / "src", {"good.md": GOOD, "img.md": "# Img\n\n![x](missing.png)\n"})
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "qmd", "-E", str(src), str(tmp_path / "out")],
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "image file not readable" in done.stderr
    assert "qmd images: 1 not in the book" in done.stdout
    assert "img.md:3: missing.png (missing)" in done.stdout
    assert (tmp_path / "out" / "img.qmd").is_file()


def test_left_out_page_sets_status(tmp_path: Path) -> None:
    src = _project(tmp_path / "src", {"good.md": GOOD, "nb.ipynb": '{"cells": ['})
    done = _sphinx(src, tmp_path / "out", "qmd")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "nb.ipynb" in done.stderr and "left out of the book" in done.stderr
    assert (tmp_path / "out" / "good.qmd").is_file()
    assert not list((tmp_path / "out").glob("nb.*"))
    quarto = (tmp_path / "out" / "_quarto.yml").read_text("utf-8")
    assert "good.qmd" in quarto and "nb." not in quarto


def test_keep_going_converts_the_rest(tmp_path: Path) -> None:
    """-W --keep-going: warnings are errors for the status, yet every good page is written."""
    src = _project(
        tmp_path / "src",
        {"good.md": GOOD, "nb.ipynb": '{"cells": [', "bad.md": b"# Bad\n\nCaf\xe9\n"},
    )
    done = _sphinx(src, tmp_path / "out", "qmd", "-W", "--keep-going")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out" / "good.qmd").is_file()
    assert (tmp_path / "out" / "bad.qmd").is_file()


def test_W_stops_without_traceback(tmp_path: Path) -> None:
    src = _project(tmp_path / "src", {"good.md": GOOD, "nb.ipynb": '{"cells": ['})
    done = _sphinx(src, tmp_path / "out", "qmd", "-W")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "left out of the book" in done.stderr


def test_parallel_build_isolates_like_serial(tmp_path: Path) -> None:
    """-j 2: the left-out page's placeholder survives Sphinx's merge of parallel readers."""
    pages: dict[str, str | bytes] = {
        "good.md": GOOD,
        "nb.ipynb": '{"cells": [',
        "bad.md": b"# Bad\n\nCaf\xe9\n",
        "fence.md": "# Fence\n\n```python\nx = 1\n",
        "other.md": "# Other\n\nText.\n",
    }
    src = _project(tmp_path / "src", pages)
    serial = _sphinx(src, tmp_path / "serial", "qmd")
    parallel = _sphinx(src, tmp_path / "parallel", "qmd", "-j", "2")
    assert serial.returncode == parallel.returncode == 1
    assert "Traceback" not in parallel.stderr
    for name in ("good", "bad", "fence", "other", "index"):
        one = (tmp_path / "serial" / f"{name}.qmd").read_text("utf-8")
        assert one == (tmp_path / "parallel" / f"{name}.qmd").read_text("utf-8")
    assert not list((tmp_path / "parallel").glob("nb.*"))
    quarto = (tmp_path / "parallel" / "_quarto.yml").read_text("utf-8")
    assert quarto == (tmp_path / "serial" / "_quarto.yml").read_text("utf-8")


PARALLEL_FAILURES = {
    # an extension's qmd visitor raises: in a -j worker process
    "writer-raises": ("kaboom", "page not written: ValueError: cannot write this"),
    # an extension's post-transform raises: -j resolves pages on the main process
    "transform-raises": ("marked", "page not written: KeyError: 'post-transform failed'"),
}


@pytest.mark.parametrize("case", sorted(PARALLEL_FAILURES))
def test_parallel_write_failure_leaves_the_book(tmp_path: Path, case: str) -> None:
    """-j 2: a page that fails while being resolved or written is left out of
    ``_quarto.yml`` and sets the exit status, exactly as in a serial build."""
    module, message = PARALLEL_FAILURES[case]
    ext = REPO / "tests" / "broken" / case / "_ext" / f"{module}.py"
    pages: dict[str, str | bytes] = {
        "good.md": GOOD,
        "other.md": "# Other\n\nText.\n",
        "page.md": (REPO / "tests" / "broken" / case / "page.md").read_text("utf-8"),
        "zlast.md": "# Last\n\nText.\n",
    }
    src = _project(tmp_path / "src", pages)
    (src / "_ext").mkdir()
    (src / "_ext" / f"{module}.py").write_text(ext.read_text("utf-8"), encoding="utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("import sys, os\nsys.path.insert(0, os.path.abspath('_ext'))\n")
        conf.write(f"extensions.append({module!r})\n")
    serial = _sphinx(src, tmp_path / "serial", "qmd")
    parallel = _sphinx(src, tmp_path / "parallel", "qmd", "-j", "2")
    for done in (serial, parallel):
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert message in done.stderr
    for out in ("serial", "parallel"):
        assert not (tmp_path / out / "page.qmd").exists()
        quarto = (tmp_path / out / "_quarto.yml").read_text("utf-8")
        assert "good.qmd" in quarto and "zlast.qmd" in quarto
        assert "page.qmd" not in quarto
    assert (tmp_path / "parallel" / "_quarto.yml").read_text("utf-8") == (
        tmp_path / "serial" / "_quarto.yml"
    ).read_text("utf-8")
