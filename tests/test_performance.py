"""Parallel reading, incremental rebuilds and the qmd route's extension list (issue 15).

No timings here: ``benchmarks/scale.py`` measures; these check that ``-j 2`` gives the
same bytes as ``-j 1`` (sphinx-proof and sphinx-exercise loaded), that a rebuild touches
only what changed, and that HTML-only extensions stay out without losing ``{margin}``.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from jbook_helpers import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from make_book import make_book, page_path  # noqa: E402
from sphinx.errors import SphinxParallelError  # noqa: E402

from sphinx_qmd_builder.book.extensions import HTML_ONLY_EXTENSIONS, MarginDirective  # noqa: E402
from sphinx_qmd_builder.book.jupyterbook import sphinx_config  # noqa: E402
from sphinx_qmd_builder.jobs import balanced_chunks, run_forked  # noqa: E402

CACHES = (".doctrees", ".jupyter_cache", ".jupyter_execute")


def output_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not str(p.relative_to(folder)).startswith(CACHES)
    }


def output_mtimes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file() and not str(p.relative_to(folder)).startswith(CACHES)
    }


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-page synthetic book: proofs, exercises, citations, numrefs across pages."""
    return make_book(12, tmp_path_factory.mktemp("synthetic") / "book")


def test_parallel_read_gives_the_same_bytes(book: Path, tmp_path: Path) -> None:
    serial = run_cli(book, tmp_path / "j1", "-D", "nb_execution_mode=off")
    parallel = run_cli(book, tmp_path / "j2", "-j", "2", "-D", "nb_execution_mode=off")
    assert serial.status == 0, serial.stderr
    assert parallel.status == 0, parallel.stderr
    # read in parallel (no "doing serial read"), with progress page by page
    assert "doing serial" not in parallel.stderr
    assert "reading serially" not in parallel.stdout
    pages = sorted(str(p.relative_to(book).with_suffix("")) for p in book.rglob("*.md"))
    pages += sorted(str(p.relative_to(book).with_suffix("")) for p in book.rglob("*.ipynb"))
    for phase in ("reading sources", "writing output"):
        plain = re.sub(r"\x1b\[[0-9;]*m", "", parallel.stdout)  # colours off
        lines = [line for line in plain.splitlines() if phase in line and "%]" in line]
        shown = [line.split()[-1] for line in lines]
        assert sorted(shown) == sorted(pages), phase
    one, two = output_files(serial.out), output_files(parallel.out)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    page = two[page_path(3) + ".qmd"].decode()
    assert "::: {#thm-p0003}" in page and "@fig-p0002" in page


def summary_lines(text: str) -> list[str]:
    """The closing summaries of a build log (cross-references, lost images, refused paths)
    with the lines each names, in the order printed."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("qmd "):
            inside = True
        elif not line.startswith("  "):
            inside = False
        if inside:
            lines.append(line)
    return lines


def test_parallel_write_reports_what_serial_reports(book: Path, tmp_path: Path) -> None:
    """Pages are resolved and written in the -j workers; what they record for the end of
    the build (references, ids each page carries, lost images, refused support files,
    citations) comes back: the same summaries, warnings and exit status as -j 1."""
    work = tmp_path / "book"
    shutil.copytree(book, work)
    (work / ".git").mkdir()  # the project root: a support file beyond it is refused
    (tmp_path / "outside.csv").write_text("a,b\n", encoding="utf-8")
    broken = work / page_path(5)
    with open(broken.with_suffix(".md"), "a", encoding="utf-8") as handle:
        handle.write(
            "\n\nSee {ref}`no-such-label` and [the figure](#fig-nowhere).\n\n"
            "![A lost picture](images/not-there.png)\n"
        )
    notebook = (work / page_path(9)).with_suffix(".ipynb")  # support files: notebook cells
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    source = ["open('../../../outside.csv')\n"]
    cells["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
    )
    notebook.write_text(json.dumps(cells), encoding="utf-8")
    serial = run_cli(work, tmp_path / "j1", "-D", "nb_execution_mode=off")
    parallel = run_cli(work, tmp_path / "j2", "-j", "2", "-D", "nb_execution_mode=off")
    assert serial.status == parallel.status == 1  # a lost image makes the status 1
    summary = summary_lines(serial.stdout)
    assert any(line.startswith("qmd cross-references:") for line in summary)
    assert any(line.startswith("qmd images: 1 not in the book") for line in summary)
    assert any(line.startswith("qmd refused paths: 1 beyond") for line in summary)
    assert "id check skipped" not in parallel.stdout
    assert summary_lines(parallel.stdout) == summary
    assert sorted(serial.stderr.splitlines()) == sorted(parallel.stderr.splitlines())
    one, two = output_files(serial.out), output_files(parallel.out)
    assert [name for name in one if one.get(name) != two.get(name)] == []
    assert sorted(one) == sorted(two)


def test_collector_setting_comes_back_after_a_build(book: Path, tmp_path: Path) -> None:
    import gc

    before = gc.get_threshold()
    run = run_cli(book, tmp_path / "out", "-D", "nb_execution_mode=off")
    assert run.status == 0, run.stderr
    assert gc.get_threshold() == before


#: builder state that never leaves the process that made it (caches, read-only registries)
PROCESS_LOCAL = {"labels", "_doc_images", "_planned_images", "_uri_docs", "_chapter_numbers"}


def test_every_collection_the_builder_keeps_is_sent_back_or_local() -> None:
    """A new set/dict/list the builder fills while writing must be in jobs.RECORDED (sent
    back by -j workers) or named process-local here: else -j would lose it silently."""
    import ast
    import inspect
    import textwrap

    from sphinx_qmd_builder.builder import QmdBuilder
    from sphinx_qmd_builder.jobs import RECORDED

    tree = ast.parse(textwrap.dedent(inspect.getsource(QmdBuilder.init)))
    made = set()
    for node in ast.walk(tree):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
            and (
                isinstance(value, ast.Dict | ast.List | ast.Set)
                or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name))  # set()
                or (isinstance(value, ast.Constant) and value.value is None)  # a lazy cache
            )
        ):
            made.add(target.attr)
    assert "cited_keys" in made and "lost_images" in made  # the scan sees the init
    assert made - set(RECORDED) - PROCESS_LOCAL == set()
    assert set(RECORDED) <= made


def test_balanced_chunks_keep_order_and_share_the_work() -> None:
    names = [f"p{i}" for i in range(20)]
    assert balanced_chunks(names, [1] * 20, 4) == [names[i : i + 5] for i in (0, 5, 10, 15)]
    chunks = balanced_chunks(names, [1] * 18 + [20, 20], 4)
    assert [name for chunk in chunks for name in chunk] == names  # page order, none lost
    assert len(chunks) <= 4 and all(chunks)
    assert chunks[-1] == ["p19"]  # the last big page is not piled onto the small ones
    assert balanced_chunks(names[:3], [5, 5, 5], 8) == [["p0"], ["p1"], ["p2"]]
    assert balanced_chunks([], [], 4) == []


def _square(item: str) -> None:
    if item == "boom":
        raise ValueError("this page cannot be read")


def test_forked_workers_return_results_in_chunk_order() -> None:
    import os

    seen: list[str] = []
    results = run_forked(
        [["a", "b"], [], ["c"]],
        lambda: None,
        seen.append,  # runs in the worker: the main process's list stays empty
        lambda: (os.getpid(), list(seen)),
        "testing... ",
        "purple",
        0,
    )
    assert [items for _pid, items in results] == [["a", "b"], ["c"]]
    assert seen == []
    assert len({pid for pid, _items in results}) == 2 and os.getpid() not in results


def test_the_main_process_can_work_the_first_chunk() -> None:
    import os

    here: list[str] = []
    results = run_forked(
        [["a", "b"], ["c"]],
        lambda: None,
        lambda item: None,
        lambda: os.getpid(),
        "testing... ",
        "purple",
        0,
        here=here.append,
    )
    assert here == ["a", "b"]
    assert results[0] is None and results[1] != os.getpid()


def _die(item: str) -> None:
    import os

    os._exit(3)  # as a process killed by the system (out of memory) would


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    import multiprocessing

    with pytest.raises(SphinxParallelError, match="ended without its result"):
        run_forked([["a"], ["b"]], lambda: None, _die, lambda: None, "testing... ", "purple", 0)
    assert multiprocessing.active_children() == []


def test_a_failing_worker_stops_the_build() -> None:
    import multiprocessing

    with pytest.raises(SphinxParallelError, match="this page cannot be read"):
        run_forked(
            [["ok"], ["boom"]], lambda: None, _square, lambda: None, "testing... ", "purple", 0
        )
    assert multiprocessing.active_children() == []


def test_rebuild_touches_only_what_changed(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli(book, out, "-q", "-D", "nb_execution_mode=off").status == 0
    first = output_mtimes(out)
    assert "_quarto.yml" in first and "labels.json" in first
    time.sleep(0.05)  # mtimes would show any rewrite

    assert run_cli(book, out, "-q", "-D", "nb_execution_mode=off").status == 0
    assert output_mtimes(out) == first, "a rebuild with no change rewrote files"

    before = output_files(out)
    edited = book / (page_path(4) + ".md")
    original = edited.read_text(encoding="utf-8")
    try:
        edited.write_text(original + "\nA new closing paragraph.\n", encoding="utf-8")
        run = run_cli(book, out, "-v", "-D", "nb_execution_mode=off")
        assert run.status == 0, run.stderr
    finally:
        edited.write_text(original, encoding="utf-8")
    after = output_mtimes(out)
    rewritten = {name for name in after if after[name] != first.get(name)}
    changed = {name for name, data in output_files(out).items() if before.get(name) != data}
    # only the edited page's bytes change, and only files whose bytes changed were written
    assert changed == {page_path(4) + ".qmd"}
    assert rewritten == changed
    # Sphinx re-translated the toctree parent as well (files_to_rebuild): kept as it was
    assert page_path(0) in run.stdout


def test_unchanged_page_is_not_offered_again(book: Path, tmp_path: Path) -> None:
    """A re-read page whose bytes did not change counts as current afterwards."""
    out = tmp_path / "out"
    assert run_cli(book, out, "-q", "-D", "nb_execution_mode=off").status == 0
    edited = book / (page_path(5) + ".md")
    original = edited.read_text(encoding="utf-8")
    try:
        time.sleep(0.05)
        edited.write_text(original + "\n% a MyST comment: no output change\n", encoding="utf-8")
        run = run_cli(book, out, "-v", "-D", "nb_execution_mode=off")
        written = [
            line for line in strip_colour(run.stdout).splitlines() if "writing output... [" in line
        ]
        assert any(line.endswith(page_path(5)) for line in written), written
        again = run_cli(book, out, "-v", "-D", "nb_execution_mode=off")
        assert "targets for 0 source files that are out of date" in strip_colour(again.stdout)
    finally:
        edited.write_text(original, encoding="utf-8")


def strip_colour(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_html_only_extensions_are_left_out() -> None:
    book = {
        "sphinx": {
            "extra_extensions": ["sphinx_proof", "sphinx_copybutton", "sphinx_multitoc_numbering"],
            "config": {"extensions": ["sphinx_thebe", "sphinx_comments"]},
        }
    }
    extensions = sphinx_config(book).overrides["extensions"]
    assert "sphinx_proof" in extensions
    assert "sphinx_togglebutton" in extensions  # {toggle} changes the doctree
    assert not set(extensions) & set(HTML_ONLY_EXTENSIONS)
    assert all(reason for reason in HTML_ONLY_EXTENSIONS.values())


def test_margin_converts_without_the_theme(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text("title: Margins\n", encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (book / "index.md").write_text(
        "# Margins\n\nBody text.\n\n```{margin}\nA note in the margin.\n```\n\n"
        "```{margin} Titled\nWith a title.\n```\n",
        encoding="utf-8",
    )
    run = run_cli(book, tmp_path / "out", "-q")
    assert run.status == 0, run.stderr
    assert "Unknown directive" not in run.stderr
    page = run.read("index.qmd")
    assert page.count("::: {.column-margin}") == 2
    assert "A note in the margin." in page and "With a title." in page


def test_margin_doctree_matches_the_theme() -> None:
    theme = pytest.importorskip("sphinx_book_theme.directives")
    from docutils.core import publish_doctree
    from docutils.parsers.rst import directives

    source = ".. margin::\n\n   Untitled note.\n\n.. margin:: A title\n\n   Titled note.\n"
    trees = []
    for directive in (theme.Margin, MarginDirective):
        directives.register_directive("margin", directive)
        try:
            trees.append(publish_doctree(source).pformat())
        finally:
            directives._directives.pop("margin", None)
    assert trees[0] == trees[1]
    assert 'classes="margin"' in trees[1]


FAKE_EXTENSION = '''
from sphinx.domains import Domain


class TallyDomain(Domain):
    """Keeps per-document data but cannot merge it."""

    name = "tally"
    initial_data = {"seen": {}}

    def process_doc(self, env, docname, document):
        self.data["seen"][docname] = True


def setup(app):
    app.add_domain(TallyDomain)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
'''


def test_serial_fallback_names_the_domain(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (book / "tally_ext.py").write_text(FAKE_EXTENSION, encoding="utf-8")
    (book / "conf.py").write_text(
        "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n"
        "extensions = ['myst_parser', 'tally_ext', 'sphinx_qmd_builder']\n",
        encoding="utf-8",
    )
    names = [f"page{k}" for k in range(7)]
    (book / "index.md").write_text(
        "# Home\n\n```{toctree}\n" + "\n".join(names) + "\n```\n", encoding="utf-8"
    )
    for name in names:
        (book / f"{name}.md").write_text(f"# {name}\n\nText.\n", encoding="utf-8")
    run = run_cli(book, tmp_path / "out", "-j", "2")
    assert run.status == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if "reading serially" in line]
    assert len(lines) == 1 and "'tally' domain" in lines[0]
    assert (tmp_path / "out" / "page6.qmd").is_file()


def test_retitled_page_rewrites_its_readers(book: Path, tmp_path: Path) -> None:
    """A changed section title reaches the pages whose links show it; the result is the
    book a fresh build writes."""
    out = tmp_path / "out"
    assert run_cli(book, out, "-q", "-D", "nb_execution_mode=off").status == 0
    first = output_mtimes(out)
    before = output_files(out)
    edited = book / (page_path(2) + ".md")
    original = edited.read_text(encoding="utf-8")
    try:
        time.sleep(0.05)
        edited.write_text(original.replace("# Page 2:", "# Renamed page 2:"), encoding="utf-8")
        run = run_cli(book, out, "-q", "-D", "nb_execution_mode=off")
        assert run.status == 0, run.stderr
        fresh = run_cli(book, tmp_path / "fresh", "-q", "-D", "nb_execution_mode=off")
    finally:
        edited.write_text(original, encoding="utf-8")
    after = output_files(out)
    changed = {name for name, data in after.items() if before.get(name) != data}
    rewritten = {name for name, mtime in output_mtimes(out).items() if first.get(name) != mtime}
    assert page_path(3) + ".qmd" in changed  # links to sec-p0002 show its title
    assert rewritten == changed
    assert after == output_files(fresh.out)


def test_environment_does_not_carry_doctrees(book: Path, tmp_path: Path) -> None:
    """sphinx-exercise's registry nodes lose their document: the pickled environment
    (loaded on every rebuild, sent back by every parallel reader) stays small."""
    import pickle

    out = tmp_path / "out"
    assert run_cli(book, out, "-q", "-D", "nb_execution_mode=off").status == 0
    with (out / ".doctrees" / "environment.pickle").open("rb") as handle:
        env = pickle.load(handle)
    registry = env.sphinx_exercise_registry
    assert len(registry) == 12
    for entry in registry.values():
        node = entry["node"]
        assert node.parent is None
        assert all(n.document is None for n in node.findall())
        assert node.get("label")  # attributes and children stay
        assert node.children


def test_pybtex_plugin_lookup_is_cached() -> None:
    from sphinx_qmd_builder.compat.pybtex_cache import cache_pybtex_plugin_lookup

    pytest.importorskip("pybtex")
    import pybtex.plugin

    assert cache_pybtex_plugin_lookup()
    first = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")
    assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is first
    assert pybtex.plugin.entry_points.qmd_cached


def test_the_installed_command_reports_and_exits_with_the_build_status(
    book: Path, tmp_path: Path
) -> None:
    """``sphinx-qmd`` (the console script, cli.console_main) skips the interpreter's
    tear-down: its output must still be complete and its status the build's."""
    import subprocess

    command = Path(sys.executable).parent / "sphinx-qmd"
    assert command.is_file(), "the package is installed (pip install -e .) with its command"
    good = subprocess.run(
        [str(command), str(book), str(tmp_path / "out"), "-D", "nb_execution_mode=off"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.rstrip().endswith("(render it with `quarto render`).")  # flushed
    assert (tmp_path / "out" / "_quarto.yml").is_file()
    missing = subprocess.run(
        [str(command), str(tmp_path / "nowhere"), str(tmp_path / "out2")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
