"""Seconds and peak memory of ``sphinx-qmd`` at several book sizes: one command, one table.

Usage::

    python benchmarks/scale.py                      # synthetic books of 100, 500, 2000 pages
    python benchmarks/scale.py --sizes 100 --jobs 2
    python benchmarks/scale.py --book ../shared/corpora/pbdl-book

For each book (synthetic ones come from ``make_book.py``; ``--book`` copies a real one),
every build runs in its own process through the ``sphinx-qmd`` route (``_config.yml`` ->
Sphinx config, notebook execution off), one after the other, so the ratios of one table
are taken under the same machine load:

- ``dummy -j1`` / ``qmd -j1``: a fresh build (Sphinx's parse-only floor vs. ours);
- ``dummy -j1 (qmd's gc setting)``: the floor with the garbage-collector setting a qmd build
  uses (``jobs.tune_gc``), so ``qmd/this`` is what converting costs on top of reading;
- ``dummy -jN`` / ``qmd -jN``: the same with N processes;
- ``qmd no-change``: the ``qmd -j1`` output built again with nothing changed;
- ``qmd one-page edit``: then one paragraph appended to one page, built again.

Columns: wall seconds, CPU seconds (user + system of the build and its workers: what it
costs whatever else runs on the machine), wall ms per page, peak RSS (MiB) of the largest
process of the build (``wait4`` rusage: the build and the workers it waited for), and for
rebuilds the number of output files whose mtime changed. Prints a markdown table. Not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from make_book import make_book  # noqa: E402

#: runs the sphinx-qmd CLI with another builder (dummy), so both take the same route;
#: "dummy+gc" is dummy with the collector setting a qmd build uses (jobs.tune_gc)
DRIVER = """
import sys
import sphinx.application as application

BUILDER = sys.argv.pop(1)
if BUILDER.endswith("+gc"):
    from sphinx_qmd_builder.jobs import tune_gc

    BUILDER = BUILDER.removesuffix("+gc")
    tune_gc()
Base = application.Sphinx


class Forced(Base):
    def __init__(self, *args, **kwargs):
        kwargs["buildername"] = BUILDER
        super().__init__(*args, **kwargs)


application.Sphinx = Forced
from sphinx_qmd_builder.cli import console_main

console_main(sys.argv[1:])
"""


@dataclass
class Result:
    label: str
    seconds: float
    cpu: float
    peak_mib: float
    pages: int
    changed: int | None = None


def mtimes(folder: Path) -> dict[str, int]:
    """Output files (not Sphinx's caches) with their mtimes in nanoseconds."""
    skip = (".doctrees", ".jupyter_cache", ".jupyter_execute")
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file() and not str(p.relative_to(folder)).startswith(skip)
    }


def build(builder: str, book: Path, out: Path, jobs: int, log: Path) -> tuple[float, float, float]:
    """One build in its own process: (wall seconds, CPU seconds, peak RSS MiB).

    CPU seconds (user + system, the build and the workers it waited for) say what a
    build costs independent of other load on the machine; wall seconds are what -j buys.
    """
    cmd = [sys.executable, "-c", DRIVER, builder, str(book), str(out), "-q", "-j", str(jobs)]
    cmd += ["-D", "nb_execution_mode=off"]
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONWARNINGS="ignore")
    with log.open("a") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    # 1: the book lost something (warnings) but was built; still timed
    built = out / ("_quarto.yml" if builder == "qmd" else ".doctrees/environment.pickle")
    if code not in (0, 1) or not built.is_file():
        sys.exit(f"{builder} build of {book} failed ({code}); see {log}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def edit_page(book: Path) -> Path:
    """Append a paragraph to one page in the middle of the book; return it."""
    sources = sorted(p for p in book.rglob("*.md") if not p.name.startswith("_"))
    target = sources[len(sources) // 2]
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\n\nOne more paragraph, appended for the one-page-edit benchmark.\n")
    return target


def bench_book(name: str, book: Path, work: Path, jobs: int) -> list[Result]:
    pages = sum(1 for p in book.rglob("*") if p.suffix in (".md", ".ipynb", ".rst"))
    log = work / "build.log"
    results = []

    def run(label: str, builder: str, out: str, j: int, fresh: bool = True) -> Result:
        target = work / out
        if fresh and target.exists():
            shutil.rmtree(target)
        before = mtimes(target) if target.exists() else None
        seconds, cpu, peak = build(builder, book, target, j, log)
        changed = None
        if before is not None:
            after = mtimes(target)
            changed = sum(1 for k, v in after.items() if before.get(k) != v)
        result = Result(f"{name}: {label}", seconds, cpu, peak, pages, changed)
        results.append(result)
        print(f"  {result.label:<38} {seconds:8.2f} s", file=sys.stderr, flush=True)
        return result

    run("dummy -j1", "dummy", "dummy1", 1)
    run("qmd -j1", "qmd", "qmd1", 1)
    run("dummy -j1 (qmd's gc setting)", "dummy+gc", "dummy1", 1)
    if jobs > 1:
        run(f"dummy -j{jobs}", "dummy", "dummyN", jobs)
        run(f"qmd -j{jobs}", "qmd", "qmdN", jobs)
    run("qmd no-change rebuild", "qmd", "qmd1", 1, fresh=False)
    edited = edit_page(book)
    run(f"qmd one-page edit ({edited.stem})", "qmd", "qmd1", 1, fresh=False)
    return results


def table(results: list[Result]) -> str:
    by_label = {r.label: r for r in results}
    lines = [
        "| build | pages | wall s | CPU s | wall/page | peak MiB | ratio (wall) | rewritten |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        book, _, what = r.label.partition(": ")
        base = None
        if what.startswith("qmd -j"):
            base = by_label.get(f"{book}: dummy {what[4:]}")
        elif what.startswith("dummy -j1 ("):
            base = by_label.get(f"{book}: qmd -j1")
        elif what.startswith("dummy -j") and what != "dummy -j1":
            base = by_label.get(f"{book}: dummy -j1")
            base = Result("", base.seconds, 0, 0, 0) if base else None
        elif what.startswith("qmd one-page"):
            base = next((x for x in results if x.label == f"{book}: qmd no-change rebuild"), None)
        ratio = ""
        if base is not None:
            if what.startswith("dummy -j1 ("):
                ratio = f"qmd/this {base.seconds / r.seconds:.2f}"
            elif what.startswith("dummy -j"):
                ratio = f"speed-up {base.seconds / r.seconds:.2f}×"
            elif what.startswith("qmd -j"):
                ratio = f"qmd/dummy {r.seconds / base.seconds:.2f}"
                one = by_label.get(f"{book}: qmd -j1")
                if one is not None and one is not r:
                    ratio += f", speed-up {one.seconds / r.seconds:.2f}×"
            else:
                ratio = f"edit/no-change {r.seconds / base.seconds:.2f}"
        changed = "" if r.changed is None else str(r.changed)
        lines.append(
            f"| {r.label} | {r.pages} | {r.seconds:.2f} | {r.cpu:.2f} "
            f"| {r.seconds / r.pages * 1000:.1f} ms "
            f"| {r.peak_mib:.0f} | {ratio} | {changed} |"
        )
    return "\n".join(lines)


def machine() -> str:
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    import sphinx

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load} at the end; Python {platform.python_version()}, "
        f"Sphinx {sphinx.__version__}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000", help="synthetic book sizes")
    parser.add_argument("--book", type=Path, help="a real Jupyter Book folder instead")
    parser.add_argument("--jobs", type=int, default=2, help="N of the -jN rows (default 2)")
    args = parser.parse_args(argv)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="qmd-scale-") as tmp:
        work = Path(tmp)
        if args.book:
            book = work / "book"
            shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("_build", ".git"))
            results += bench_book(args.book.name, book, work, args.jobs)
        else:
            for size in (int(s) for s in args.sizes.split(",")):
                book = make_book(size, work / f"book{size}")
                folder = work / f"run{size}"
                folder.mkdir()
                print(f"{size} pages", file=sys.stderr)
                results += bench_book(f"N={size}", book, folder, args.jobs)
    print(table(results))
    print(f"\nMachine: {machine()}")


if __name__ == "__main__":
    main()
