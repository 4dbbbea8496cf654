"""``-j N``: how the qmd builder shares reading, resolving and writing among processes.

Sphinx's own scheme (``Builder._read_parallel`` / ``_write_parallel``) leaves most of the
work of a book on one process:

- it reads in about ``sqrt(pages × 10 / N)``-page chunks (50 for a 500-page book), each in
  a freshly forked process that pickles the *whole* environment back, everything merged
  before it was forked included; the main process unpickles and merges each;
- it then resolves every page (the post-transforms of every extension, ours included) on
  the main process and hands the resolved doctrees to ``N - 1`` processes that only write.

For a 500-page book that made ``-j 2`` 1.1× faster than ``-j 1``. Here:

- N runs of pages of about equal source size, in page order: the main process works
  the first itself, a forked process each of the others (:func:`run_forked`); each page's
  log records and a progress step reach the main process as soon as the page is done
  (progress page by page, where Sphinx's advances by chunks), the result once at the end;
- reading: each forked process sends its environment back once; the main process merges
  them in page order (the pages it read itself keep their doctrees cached, as in a serial
  build, for Sphinx's figure-number walk);
- writing: each process resolves *and* writes its pages and copies their images. What
  resolving and writing records for :meth:`.QmdBuilder.finish` (the attributes in
  :data:`RECORDED`, plus the paths refused while planning support files) goes back with
  the result and is merged in page order, so ``-j N`` gives the same files, summaries and
  exit status as ``-j 1`` (``tests/test_performance.py`` compares them).

With translation on, pages are resolved on the main process as Sphinx does: the
translation session (DeepL batches, the memory's state file, the closing report) lives
on one process.

The garbage collector: reading keeps every doctree of the book in memory, and Python's
default collector (a young-generation pass every 700 new objects) walked them over and
over -- a seventh of a 500-page build. While a qmd build runs, the young generation
collects every :data:`GC_YOUNG_THRESHOLD` objects (:func:`tune_gc`); the process's own
setting comes back when the build finishes. Peak memory did not change (measured with
``benchmarks/scale.py``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Any

from sphinx.errors import SphinxParallelError
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator

from .book.integrity import RefReport
from .compat import app_of
from .guard.paths import refused_paths

logger = logging.getLogger(__name__)

#: Builder attributes that resolving and writing a page add to (post-transforms, the
#: builder's write_doc_serialized / write_doc). Under ``-j`` each worker starts its chunk
#: with them empty and sends them back; the main process merges them in page order.
RECORDED: tuple[str, ...] = (
    "cited_keys",  # citation keys written (transforms/references.py)
    "ref_report",  # references written, unresolved, ids each page carries
    "image_copies",  # images finish() copies
    "download_copies",  # downloads finish() copies
    "support_copies",  # files code cells read, copied beside the page
    "doc_has_images",
    "lost_images",  # images the book does not get, named in the closing summary
    "pages_to_write",  # pages handed to write_doc
    "failed_writes",  # pages whose writing failed
    "images_copied",  # images a -j worker already copied (finish() copies the rest)
)


#: objects allocated between two young-generation collections while a qmd build runs
GC_YOUNG_THRESHOLD = 10_000

_saved_gc_thresholds: list[tuple[int, ...]] = []


def tune_gc() -> None:
    """Collect less often while the build runs (see the module doc); undone by
    :func:`restore_gc`."""
    thresholds = gc.get_threshold()
    _saved_gc_thresholds.append(thresholds)
    gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])


def restore_gc(app: Any = None, exception: BaseException | None = None) -> None:
    """``build-finished``: the collector as it was before the build."""
    if _saved_gc_thresholds:
        gc.set_threshold(*_saved_gc_thresholds.pop())


@contextmanager
def frozen_heap() -> Iterator[None]:
    """While workers are forked: the collector leaves the objects that exist now alone, so
    a worker's collections do not write to (and so copy) every page it shares with the
    main process (what Python's documentation of ``gc.freeze`` advises before a fork)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def balanced_chunks(docnames: Sequence[str], sizes: Sequence[int], count: int) -> list[list[str]]:
    """*docnames* cut, in order, into at most *count* runs of about equal total *sizes*."""
    if not docnames:
        return []
    count = max(1, min(count, len(docnames)))
    total = sum(sizes) or 1
    chunks: list[list[str]] = [[]]
    done = 0
    for docname, size in zip(docnames, sizes):
        # start the next chunk once this one holds its share of the book
        if chunks[-1] and done >= total * len(chunks) / count and len(chunks) < count:
            chunks.append([])
        chunks[-1].append(docname)
        done += size
    return chunks


def _merge_into(builder: Any, attribute: str, theirs: Any) -> None:
    mine = getattr(builder, attribute)
    if isinstance(mine, RefReport):
        mine.merge(theirs)
    elif isinstance(mine, set):
        mine |= theirs
    elif isinstance(mine, dict):
        mine.update(theirs)
    elif isinstance(mine, list):
        mine.extend(theirs)
    else:  # a new kind of record must say how it merges
        raise TypeError(f"cannot merge builder.{attribute} of type {type(mine).__name__}")


def _serializable(records: list[Any]) -> list[Any]:
    logging.convert_serializable(records)
    return records


def _worker(
    conn: Connection,
    items: list[str],
    first: Callable[[], None],
    each: Callable[[str], None],
    last: Callable[[], Any],
) -> None:
    """One forked process: *first*, *each* item, then *last*. Each step's log records travel
    to the main process with it (replayed there in order, as Sphinx's own workers' are)."""
    collector = logging.LogCollector()
    try:
        first()
        for item in items:
            with collector.collect():
                each(item)
            conn.send(("item", item, _serializable(collector.logs)))
        with collector.collect():
            result = last()
        conn.send(("done", result, _serializable(collector.logs)))
    except BaseException as err:
        message = traceback.format_exception_only(type(err), err)[0].strip()
        conn.send(("failed", (message, traceback.format_exc()), []))
    finally:
        conn.close()


def run_forked(
    chunks: list[list[str]],
    first: Callable[[], None],
    each: Callable[[str], None],
    last: Callable[[], Any],
    summary: str,
    color: str,
    verbosity: int,
    here: Callable[[str], None] | None = None,
) -> list[Any]:
    """Run *chunks* side by side: a forked process per chunk runs *first*, *each* of its
    items, then *last*; the results of *last* come back in chunk order.

    With *here*, the first chunk runs in this process instead, item by item with *here*,
    in between the messages of the others (its result is None): one fork less, and what
    it does needs no sending back. Progress advances item by item; a failing process
    stops the others and raises :class:`SphinxParallelError` (as Sphinx's own pool does).
    """
    chunks = [chunk for chunk in chunks if chunk]
    total = sum(len(chunk) for chunk in chunks)
    finished: list[str] = []  # items in the order they were done: what progress shows
    progress = status_iterator(
        (finished[i] for i in range(total)), summary, color, total, verbosity
    )
    context = multiprocessing.get_context("fork")
    processes = []
    open_ends: dict[Connection, int] = {}
    results: dict[int, Any] = {}
    own = list(chunks[0]) if here is not None and chunks else []
    with frozen_heap():
        try:
            for index, chunk in enumerate(chunks):
                if index == 0 and here is not None:
                    results[0] = None
                    continue
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(send, chunk, first, each, last))
                process.start()
                send.close()  # the worker holds the sending end: EOF when it dies
                processes.append(process)
                open_ends[receive] = index
            while open_ends or own:
                if own and here is not None:
                    item = own.pop(0)
                    here(item)
                    finished.append(item)
                    next(progress)
                    ready = wait(list(open_ends), timeout=0) if open_ends else []
                else:
                    ready = wait(list(open_ends))
                for conn in ready:
                    index = open_ends[conn]
                    try:
                        kind, payload, records = conn.recv()
                    except EOFError:
                        message = f"worker process {index} ended without its result"
                        raise SphinxParallelError(message, "") from None
                    for record in records:
                        logger.handle(record)
                    if kind == "item":
                        finished.append(payload)
                        next(progress)
                    elif kind == "done":
                        results[index] = payload
                        del open_ends[conn]
                    else:
                        raise SphinxParallelError(*payload)
        finally:
            for process in processes:
                if process.is_alive() and open_ends:
                    process.terminate()
                process.join()
    next(progress, None)  # ends the progress line
    return [results[index] for index in range(len(chunks))]


class ParallelBuilder:
    """Builder mixin: ``-j N`` reading, resolving and writing in N forked processes."""

    def _source_size(self, docname: str) -> int:
        try:
            return os.stat(self.env.doc2path(docname)).st_size
        except OSError:
            return 1

    def _chunks(self, docnames: Sequence[str], nproc: int) -> list[list[str]]:
        sizes = [self._source_size(docname) for docname in docnames]
        return balanced_chunks(docnames, sizes, nproc)

    def _read_parallel(self, docnames: list[str], nproc: int) -> None:
        """Read in *nproc* processes; merge their environments in page order."""
        app = app_of(self)
        env = self.env
        chunks = self._chunks(docnames, nproc)
        for docname in docnames:  # clear all outdated pages at once, as Sphinx does
            self.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)

        def read_one(docname: str) -> None:
            self.read_doc(docname, _cache=False)

        def environment() -> bytes:
            return pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

        def first() -> None:
            if hasattr(env, "_app"):
                env._app = app  # as Sphinx's reader does (Sphinx 7.4: env.app)
            else:
                env.app = app

        def read_here(docname: str) -> None:
            self.read_doc(docname)  # as a serial build reads: its doctree stays cached

        theirs = run_forked(
            chunks,
            first,
            read_one,
            environment,
            __("reading sources... "),
            "purple",
            app.verbosity,
            here=read_here,
        )
        for chunk, data in zip(chunks[1:], theirs[1:]):  # the first chunk was read here
            env.merge_info_from(chunk, pickle.loads(data), app)

    def _write_parallel(self, docnames: Sequence[str], nproc: int) -> None:
        """Resolve and write pages in ``-j N`` processes (Sphinx passes ``N - 1``: its
        main process resolves; here it only merges what the workers send back)."""
        app = app_of(self)
        if self.config.qmd_translate:
            super()._write_parallel(docnames, nproc)
            return
        chunks = self._chunks(list(docnames), app.parallel)
        refused = refused_paths(self.env)
        refused_before = {docname: list(refused.get(docname, [])) for docname in docnames}

        def start() -> None:
            for attribute in RECORDED:
                setattr(self, attribute, type(getattr(self, attribute))())

        def record() -> dict[str, Any]:
            self.copy_images(quiet=True)  # this process's pages' images, side by side
            found = {attribute: getattr(self, attribute) for attribute in RECORDED}
            found["refused_paths"] = {
                docname: entries
                for docname, entries in refused.items()
                if docname in refused_before and entries != refused_before[docname]
            }
            return found

        last_here = chunks[0][-1] if chunks else None

        def write_here(docname: str) -> None:
            self._write_guarded(docname)  # recorded on this process: nothing to send back
            if docname == last_here:
                self.copy_images(quiet=True)  # while the others still write

        records = run_forked(
            chunks,
            start,
            self._write_guarded,
            record,
            __("writing output... "),
            "darkgreen",
            app.verbosity,
            here=write_here,
        )
        for found in records[1:]:  # page order (the first chunk was written here)
            refused.update(found.pop("refused_paths"))
            for attribute, theirs in found.items():
                _merge_into(self, attribute, theirs)
