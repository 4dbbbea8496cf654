"""Builder behaviour: incremental rebuilds, parallel builds, the entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from book_checks import book_problems
from conftest import REPO, TESTS

ROOTS = TESTS / "roots"


def outputs(outdir: Path) -> dict[str, bytes]:
    """Every file of a build (doctrees aside) with its bytes."""
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and ".doctrees" not in p.relative_to(outdir).parts
    }


def make_book(root: Path, chapters: int = 8) -> Path:
    """A MyST book with enough documents for Sphinx to really split work under ``-j``.

    Each chapter has a labelled section, a figure and equation, and refers to the next.
    """
    (root / "img").mkdir(parents=True)
    shutil.copyfile(ROOTS / "test-basic" / "img" / "dot.png", root / "img" / "dot.png")
    (root / "conf.py").write_text(
        'project = "Parallel"\n'
        'extensions = ["myst_parser", "sphinx_qmd_builder"]\n'
        'myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image"]\n'
        "numfig = True\n",
        encoding="utf-8",
    )
    names = [f"chapter{n}" for n in range(chapters)]
    toctree = "\n".join(names)
    (root / "index.md").write_text(f"# Book\n\n```{{toctree}}\n{toctree}\n```\n", "utf-8")
    for n, name in enumerate(names):
        nxt = names[(n + 1) % chapters]
        (root / f"{name}.md").write_text(
            f"# Chapter {n}\n\n({name}-sec)=\n## Part {n}\n\n"
            f"See {{ref}}`{nxt}-sec`, {{numref}}`fig-{name}` and {{eq}}`eq-{name}`.\n\n"
            f":::{{figure-md}} fig-{name}\n"
            f'<img src="img/dot.png" alt="dot" width="{100 + n}px">\n\nDot {n}.\n:::\n\n'
            f"$$\nx_{n} = {n}\n$$ (eq-{name})\n",
            encoding="utf-8",
        )
    return root


def sphinx_build(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx ARGS`` in a subprocess that imports this checkout's package."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_incremental_rebuild_rewrites_only_outdated(tmp_path: Path) -> None:
    src = make_book(tmp_path / "src", chapters=4)
    out = tmp_path / "out"
    assert sphinx_build("-q", "-b", "qmd", str(src), str(out)).stderr == ""
    before = {p.name: p.stat().st_mtime_ns for p in sorted(out.glob("*.qmd"))}
    time.sleep(0.05)  # let a rewrite show in the mtime, whatever the filesystem's resolution
    changed = src / "chapter1.md"
    changed.write_text(changed.read_text("utf-8").replace("Dot 1.", "Dot one."), "utf-8")
    status = sphinx_build("-b", "qmd", str(src), str(out)).stdout
    after = {p.name: p.stat().st_mtime_ns for p in sorted(out.glob("*.qmd"))}
    rewritten = {name for name in before if after[name] != before[name]}
    # Sphinx also rewrites the toctree parent of a changed page (its toctree shows titles)
    assert "chapter1.qmd" in rewritten
    assert rewritten <= {"chapter1.qmd", "index.qmd"}, status
    assert "Dot one." in (out / "chapter1.qmd").read_text("utf-8")
    # a third build with nothing changed writes nothing
    time.sleep(0.05)
    sphinx_build("-b", "qmd", str(src), str(out))
    assert {p.name: p.stat().st_mtime_ns for p in sorted(out.glob("*.qmd"))} == after


def test_parallel_build_is_byte_identical(tmp_path: Path) -> None:
    src = make_book(tmp_path / "src")
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out-j{jobs}"
        assert sphinx_build("-q", "-b", "qmd", "-j", jobs, str(src), str(out)).stderr == ""
        results[jobs] = outputs(out)
    assert results["1"] == results["2"]
    assert len([n for n in results["1"] if n.endswith(".qmd")]) == 9
    assert book_problems(tmp_path / "out-j2") == []
    # the images of every page were planned on the main process and copied
    assert "assets/images/chapter7/dot.png" in results["2"]


@pytest.mark.parametrize("root", ["test-plain-sphinx"])
def test_entry_point_without_extension_in_conf(tmp_path: Path, root: str) -> None:
    """``sphinx-build -b qmd`` works on a project whose conf.py does not name us."""
    src = tmp_path / "src"
    shutil.copytree(ROOTS / root, src)
    conf: dict[str, object] = {}
    exec((src / "conf.py").read_text("utf-8"), conf)
    assert "sphinx_qmd_builder" not in conf["extensions"]
    out = tmp_path / "out"
    proc = sphinx_build("-b", "qmd", str(src), str(out))
    assert "WARNING" not in proc.stderr, proc.stderr
    index = (out / "index.qmd").read_text("utf-8")
    # a text-less {ref} to a section shows its title, as Sphinx does (QUARTO.md 8)
    text = (
        "Text pointing to [A Section](next.qmd#sec-plain-label) and to [the next page](next.qmd)."
    )
    assert text in index
    nxt = (out / "next.qmd").read_text("utf-8")
    assert "# A Section {#sec-plain-label}" in nxt
    assert "Back to [A Section](#sec-plain-label)." in nxt
    assert (out / "_quarto.yml").is_file()
