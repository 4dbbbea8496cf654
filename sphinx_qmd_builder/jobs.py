"""``-j N``: how the qmd builder shares reading, resolving and writing among processes.

Sphinx's own scheme (``Builder._read_parallel`` / ``_write_parallel``) leaves most of the
work of a book on one process:

- it reads in about ``sqrt(pages × 10 / N)``-page chunks (50 for a 500-page book), each in
  a freshly forked process that pickles the *whole* environment back, everything merged
  before it was forked included; the main process unpickles and merges each;
- it then resolves every page (the post-transforms of every extension, ours included) on
  the main process and hands the resolved doctrees to ``N - 1`` processes that only write.

For a 500-page book that made ``-j 2`` 1.1× faster than ``-j 1``. Here:

- reading uses ``2 × N`` chunks of about equal source size, in page order (fewer
  environments pickled and merged; two chunks per process keep the progress moving and
  let a process that finishes early take another);
- writing forks ``N`` processes that each resolve *and* write a chunk of pages. What
  resolving and writing a page records for :meth:`.QmdBuilder.finish` (the attributes in
  :data:`RECORDED`, plus the paths refused while planning support files) goes back with
  the chunk's result and is merged in page order, so ``-j N`` gives the same files,
  summaries and exit status as ``-j 1`` (``tests/test_performance.py`` compares them).

With translation on, pages are resolved on the main process as Sphinx does: the
translation session (DeepL batches, the memory's state file, the closing report) lives
on one process.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from typing import Any

from sphinx.errors import SphinxWarning
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.parallel import ParallelTasks

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
)


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


class ParallelBuilder:
    """Builder mixin: ``-j N`` reading in fewer chunks, resolving and writing in workers."""

    def _source_size(self, docname: str) -> int:
        try:
            return os.stat(self.env.doc2path(docname)).st_size
        except OSError:
            return 1

    def _chunks(self, docnames: Sequence[str], nproc: int) -> list[list[str]]:
        sizes = [self._source_size(docname) for docname in docnames]
        return balanced_chunks(docnames, sizes, 2 * nproc)

    def _read_parallel(self, docnames: list[str], nproc: int) -> None:
        """Sphinx's parallel reading (same steps, same merge) with :meth:`_chunks`."""
        app = app_of(self)
        env = self.env
        chunks = self._chunks(docnames, nproc)
        progress = status_iterator(
            chunks, __("reading sources... "), "purple", len(chunks), app.verbosity
        )
        for docname in docnames:  # clear all outdated pages at once, as Sphinx does
            self.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)

        def read_chunk(docs: list[str]) -> bytes:
            if hasattr(env, "_app"):
                env._app = app  # Sphinx 8+: pickling drops it
            else:
                env.app = app  # Sphinx 7.4
            for docname in docs:
                self.read_doc(docname, _cache=False)
            return pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

        def merge(docs: list[str], theirs: bytes) -> None:
            env.merge_info_from(docs, pickle.loads(theirs), app)
            next(progress)

        tasks = ParallelTasks(nproc)
        for chunk in chunks:
            tasks.add_task(read_chunk, chunk, merge)
        tasks.join()
        logger.info("")

    def _write_parallel(self, docnames: Sequence[str], nproc: int) -> None:
        """Resolve and write pages in ``-j N`` worker processes (Sphinx passes ``N - 1``:
        its main process resolves; here it only merges what the workers send back)."""
        app = app_of(self)
        if self.config.qmd_translate:
            super()._write_parallel(docnames, nproc)
            return
        docnames = list(docnames)
        chunks = self._chunks(docnames, app.parallel)
        progress = status_iterator(
            chunks, __("writing output... "), "darkgreen", len(chunks), app.verbosity
        )
        results: dict[int, dict[str, Any]] = {}

        def write_chunk(task: tuple[int, list[str]]) -> dict[str, Any]:
            _index, docs = task
            for attribute in RECORDED:
                setattr(self, attribute, type(getattr(self, attribute))())
            refused = refused_paths(self.env)
            before = {docname: list(refused.get(docname, [])) for docname in docs}
            for docname in docs:
                try:
                    self._write_one(docname)
                except SphinxWarning:
                    raise
                except Exception as err:  # one page, not the book
                    self.page_not_written(docname, err)
            record = {attribute: getattr(self, attribute) for attribute in RECORDED}
            record["refused_paths"] = {
                docname: refused[docname]
                for docname in docs
                if refused.get(docname, []) != before[docname]
            }
            return record

        def chunk_done(task: tuple[int, list[str]], record: dict[str, Any]) -> None:
            results[task[0]] = record
            next(progress)

        tasks = ParallelTasks(app.parallel)
        for index, chunk in enumerate(chunks):
            tasks.add_task(write_chunk, (index, chunk), chunk_done)
        tasks.join()
        refused = refused_paths(self.env)
        for index in sorted(results):  # page order, whatever order the chunks finished in
            record = results[index]
            refused.update(record.pop("refused_paths"))
            for attribute, theirs in record.items():
                _merge_into(self, attribute, theirs)
        logger.info("")
