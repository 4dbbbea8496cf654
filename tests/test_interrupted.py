"""Interrupted builds: kill ``sphinx-build -b qmd`` at random moments, run it again, and
compare with an uninterrupted build -- every output file the same, no partial files left.

The scenario is the one that bites: a finished build of version 1 of the book, the sources
change (a page edited, a page added), the build of version 2 is killed (SIGKILL, or SIGINT
as Ctrl-C), and the next build must give exactly what an uninterrupted build of version 2
gives. ``ROBUST_KILLS`` sets how many kills (default 3; the seed is fixed unless
``ROBUST_SEED`` is set).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sphinx_qmd_builder.book.notebooks import MYSTNB_CACHE_FOLDER, MYSTNB_OUTPUT_FOLDER

REPO = Path(__file__).parent.parent
EXAMPLE = REPO / "example_project"
KILLS = int(os.environ.get("ROBUST_KILLS", "3"))
SEED = int(os.environ.get("ROBUST_SEED", "7"))


def _command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-b", "qmd", "-q", str(src), str(out)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def _run(src: Path, out: Path) -> float:
    start = time.monotonic()
    done = subprocess.run(_command(src, out), env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return time.monotonic() - start


#: working folders of Sphinx and myst-nb inside outdir, not pages of the book: myst-nb
#: writes its text-notebook copies there with fresh random cell ids on every build
WORK_FOLDERS = {".doctrees", MYSTNB_OUTPUT_FOLDER, MYSTNB_CACHE_FOLDER}


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the book (working folders aside), by relative path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not WORK_FOLDERS & set(p.relative_to(out).parts)
    }


def _make_version_2(src: Path) -> None:
    seg = src / "segmentation.md"
    seg.write_text(
        seg.read_text("utf-8").replace("### Upsampling", "### Upsampling (revised)"), "utf-8"
    )
    (src / "appendix.md").write_text("# Appendix\n\nAdded in version 2.\n", "utf-8")
    index = src / "index.md"
    text = index.read_text("utf-8")
    marker = "segmentation\n"
    assert marker in text
    index.write_text(text.replace(marker, marker + "appendix\n", 1), "utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory):
    """Version 1 built at base/src (outputs kept as out1), version 2 built uninterrupted."""
    base = tmp_path_factory.mktemp("interrupt")
    src = base / "src"
    shutil.copytree(EXAMPLE, src)
    out = base / "out"
    _run(src, out)
    shutil.copytree(out, base / "out1")
    shutil.copytree(src, base / "src1")
    _make_version_2(src)
    reference = base / "reference"
    duration = _run(src, reference)
    shutil.copytree(src, base / "src2")
    return base, _snapshot(reference), duration


def _restore(base: Path) -> None:
    """Back to a finished build of version 1, then edit the sources to version 2."""
    for name, copy in (("src", "src1"), ("out", "out1")):
        shutil.rmtree(base / name, ignore_errors=True)
        shutil.copytree(base / copy, base / name)
    shutil.rmtree(base / "src")
    shutil.copytree(base / "src2", base / "src")
    for path in (base / "src").rglob("*.md"):  # newer than the outputs, as after an edit
        os.utime(path)


def test_version_2_differs(versions) -> None:
    """The comparison below means something: version 2 changes the book."""
    base, reference, _duration = versions
    assert _snapshot(base / "out1") != reference
    assert "appendix.qmd" in reference


@pytest.mark.parametrize("attempt", range(KILLS))
def test_killed_build_resumes_to_the_same_book(versions, attempt: int) -> None:
    base, reference, duration = versions
    rng = random.Random(SEED * 1000 + attempt)
    _restore(base)
    src, out = base / "src", base / "out"
    delay = rng.uniform(0.3, 0.95) * duration
    how = signal.SIGINT if attempt % 3 == 2 else signal.SIGKILL
    process = subprocess.Popen(
        _command(src, out), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        process.send_signal(how)
    process.wait(timeout=120)
    partial = sorted(set(_snapshot(out).items()) ^ set(reference.items()))
    print(f"attempt {attempt}: killed={killed} after {delay:.2f}s, {len(partial)} files differ")
    _run(src, out)
    assert _snapshot(out) == reference, f"killed={killed} after {delay:.2f}s"
    assert list(out.rglob(".*.tmp")) == []
