"""Time ``-b qmd`` against ``-b dummy`` (Sphinx's parse-only floor) and ``-b html`` on a book.

Usage: ``python benchmarks/bench.py [BOOK] [--jobs N]``. BOOK is a Jupyter Book
(``_config.yml`` + ``_toc.yml``; default ``../shared/corpora/pbdl-book``) or a Sphinx project
with a conf.py. The book is copied to a temporary folder, given a conf.py mirroring its
``_config.yml`` (notebook execution off) and built from scratch once per builder, each in
its own process; the script prints wall seconds, the ratios and each build's peak memory
(``getrusage`` of that child process). Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from corpus_conf import copy_book  # noqa: E402

BUILDERS = ("dummy", "html", "qmd")


def build(builder: str, src: Path, work: Path, jobs: int) -> tuple[float, float, int]:
    """Build *src* with *builder* from scratch: (wall seconds, peak RSS in MiB, warnings)."""
    out = work / f"out-{builder}"
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-E", "-j", str(jobs)]
    cmd += ["-D", "show_warning_types=1"]  # Sphinx 7.4 hides [type.subtype] by default
    cmd += ["-d", str(work / f"doctrees-{builder}"), str(src), str(out)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    log = work / f"{builder}.log"
    with log.open("w") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        # wait4 gives this child's own resource usage (ru_maxrss is KiB on Linux)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        sys.exit(f"{builder} build failed ({proc.returncode}):\n{tail}")
    warnings = sum(1 for line in log.read_text(errors="replace").splitlines() if "WARNING" in line)
    return seconds, usage.ru_maxrss / 1024, warnings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", default=str(REPO.parent / "shared/corpora/pbdl-book"))
    parser.add_argument("--jobs", type=int, default=1, help="sphinx-build -j (default 1)")
    args = parser.parse_args(argv)
    book = Path(args.book).resolve()
    with tempfile.TemporaryDirectory(prefix="qmd-bench-") as tmp:
        work = Path(tmp)
        if (book / "conf.py").exists():
            src = work / "book"
            shutil.copytree(book, src)
        else:
            src = copy_book(book, work / "book")
        docs = sum(1 for p in src.rglob("*") if p.suffix in (".md", ".ipynb", ".rst"))
        python = sys.version.split()[0]
        print(f"book: {book} ({docs} source files), -j {args.jobs}, Python {python}")
        results = {}
        for builder in BUILDERS:
            results[builder] = build(builder, src, work, args.jobs)
            seconds, peak, warnings = results[builder]
            line = f"  -b {builder:<6} {seconds:8.2f} s   peak {peak:7.1f} MiB"
            print(f"{line}   {warnings} warnings")
        qmd, dummy, html = results["qmd"][0], results["dummy"][0], results["html"][0]
        print(f"  qmd/dummy = {qmd / dummy:.2f}   qmd/html = {qmd / html:.2f}")
        pages = list((work / "out-qmd").rglob("*.qmd"))
        print(f"  qmd wrote {len(pages)} pages; its warnings by type:")
        kinds = Counter(re.findall(r"\[([\w.]+)\]$", (work / "qmd.log").read_text(), re.M))
        for kind, count in kinds.most_common(8):
            print(f"    {count:5d} {kind}")


if __name__ == "__main__":
    main()
