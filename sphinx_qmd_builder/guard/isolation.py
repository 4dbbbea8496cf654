"""Per-document isolation: one broken page costs one warning, never the whole book.

Sphinx aborts the build on the first document that fails to read (an invalid UTF-8 byte
under Sphinx 9, a notebook that is not JSON, an exception in a parser or extension, a
recursion). The qmd builder reads each document inside a guard instead:

* undecodable bytes: one located warning, then the page is read again with replacement
  characters (an honest salvage: only the broken bytes change);
* anything else: one located warning and the page is *left out*. A placeholder doctree
  keeps Sphinx's environment consistent (toctrees, parallel merges), the page is marked
  in its metadata, no ``.qmd`` is written for it, ``_quarto.yml`` leaves it out and the
  exit status is 1.
"""

from __future__ import annotations

import codecs
import json
import re
import time
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import SphinxWarning
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.docutils import new_document

from ..compat import app_of
from ..warning_types import QmdWarning

logger = logging.getLogger(__name__)

#: metadata key that marks a document left out of the book (value: the reason)
LEFT_OUT = "qmd_left_out"

#: doctree attribute of a page whose resolving failed under -j (it is not written)
FAILED = "qmd_resolve_failed"

#: a codec that decodes UTF-8 with U+FFFD for every undecodable byte
REPLACE_CODEC = "qmd_utf8_replace"

_LINE_IN_MESSAGE = re.compile(r"\bat line (\d+)")


class _ReplacingDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data: Any, errors: str, final: bool) -> tuple[str, int]:
        return codecs.utf_8_decode(data, "replace", final)


def _search_codec(name: str) -> codecs.CodecInfo | None:
    if name != REPLACE_CODEC:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        encode=utf8.encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "replace", True),
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=_ReplacingDecoder,
        streamreader=utf8.streamreader,
        streamwriter=utf8.streamwriter,
        name=REPLACE_CODEC,
    )


codecs.register(_search_codec)


def error_line(err: BaseException) -> int | None:
    """The source line an exception points at, when it (or its cause) says so."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnicodeDecodeError) and isinstance(current.object, bytes):
            return current.object[: current.start].count(b"\n") + 1
        if isinstance(current, json.JSONDecodeError):
            return current.lineno
        line = getattr(current, "lineno", None) or getattr(current, "line", None)
        if isinstance(line, int) and line > 0:
            return line
        current = current.__cause__ or current.__context__
    # myst-nb says where in its message ("Code cell 1 at line 12 could not be read")
    found = _LINE_IN_MESSAGE.search(str(err))
    return int(found.group(1)) if found else None


def describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:200] + "..."
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def is_left_out(env: Any, docname: str) -> bool:
    return LEFT_OUT in env.metadata.get(docname, {})


def left_out_docs(env: Any) -> list[str]:
    return sorted(d for d in env.all_docs if is_left_out(env, d))


class IsolatingBuilder:
    """Builder mixin: reading, resolving and writing a page fail alone, with one warning."""

    def read_doc(self, docname: str, *, _cache: bool = True) -> None:
        try:
            super().read_doc(docname, _cache=_cache)
        except SphinxWarning:
            raise  # -W under Sphinx 7.4: a warning is meant to stop the build
        except UnicodeDecodeError as err:
            logger.warning(
                "undecodable bytes (not %s); read with replacement characters",
                err.encoding,
                location=(docname, error_line(err)),
                type="qmd",
                subtype=QmdWarning.DECODE,
            )
            self._reset_document_state(docname)
            settings = self.env.settings
            saved = settings.get("input_encoding")
            settings["input_encoding"] = REPLACE_CODEC
            try:
                super().read_doc(docname, _cache=_cache)
            except SphinxWarning:
                raise
            except Exception as again:
                self._leave_out(docname, again, _cache=_cache)
            finally:
                settings["input_encoding"] = saved
        except Exception as err:  # RecursionError included
            self._leave_out(docname, err, _cache=_cache)

    def _write_serial(self, docnames: Any) -> None:
        """Write page by page, so that a failing post-transform costs only its page.

        Sphinx resolves a page (post-transforms of every extension) and writes it in one
        loop that any exception ends; this is that loop with each page guarded (and one
        progress line over all pages, k of N).
        """
        docnames = list(docnames)
        for docname in status_iterator(
            docnames,
            __("writing output... "),
            "darkgreen",
            len(docnames),
            app_of(self).verbosity,
        ):
            self._write_guarded(docname)

    def _write_guarded(self, docname: str) -> None:
        """Resolve and write one page; an exception costs that page (``-W`` still stops)."""
        try:
            self._write_one(docname)
        except SphinxWarning:
            raise
        except Exception as err:
            self.page_not_written(docname, err)

    def _write_one(self, docname: str) -> None:
        """Resolve and write one page, as Sphinx's own serial loop does (7.4 to 9)."""
        try:
            from sphinx.builders import _write_docname  # Sphinx >= 8.1
        except ImportError:  # Sphinx 7.4
            app = app_of(self)
            app.phase = BuildPhase.RESOLVING
            doctree = self.env.get_and_resolve_doctree(docname, self)
            app.phase = BuildPhase.WRITING
            self.write_doc_serialized(docname, doctree)
            self.write_doc(docname, doctree)
            return
        _write_docname(docname, env=self.env, builder=self, tags=self.tags)

    def page_not_written(self, docname: str, err: BaseException) -> None:
        """One located warning; the page leaves the book, its old output file too."""
        logger.warning(
            "page not written: %s",
            describe(err),
            location=(docname, error_line(err)),
            type="qmd",
            subtype=QmdWarning.WRITE,
        )
        self.failed_writes.add(docname)
        target = self.outdir / self.get_target_uri(docname)
        target.unlink(missing_ok=True)

    def _write_parallel(self, docnames: Any, nproc: int) -> None:
        """Under ``-j`` Sphinx resolves every page on the main process before handing it to
        a worker, in one loop that any exception ends: guard the resolving of each page."""
        env = self.env
        resolve = env.get_and_resolve_doctree

        def guarded(docname: str, *args: Any, **kwargs: Any) -> nodes.document:
            try:
                return resolve(docname, *args, **kwargs)
            except SphinxWarning:
                raise
            except Exception as err:
                self.page_not_written(docname, err)
                doctree = new_document(str(env.doc2path(docname)))
                doctree[FAILED] = True  # write_doc_serialized and write_doc skip it
                return doctree

        env.get_and_resolve_doctree = guarded
        try:
            super()._write_parallel(docnames, nproc)
        finally:
            del env.get_and_resolve_doctree

    def _reset_document_state(self, docname: str) -> None:
        """Forget what a failed read left behind in the environment."""
        env = self.env
        self.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
        if hasattr(env, "current_document"):
            env.current_document = type(env.current_document)()
        else:  # Sphinx 7.4
            env.temp_data.clear()
        env.ref_context.clear()

    def _leave_out(self, docname: str, err: BaseException, *, _cache: bool) -> None:
        """Warn once with file and line, and store a placeholder that marks the page."""
        reason = describe(err)
        logger.warning(
            "document left out of the book: %s",
            reason,
            location=(docname, error_line(err)),
            type="qmd",
            subtype=QmdWarning.DOCUMENT,
        )
        env = self.env
        self._reset_document_state(docname)
        env.prepare_settings(docname)
        source = str(env.doc2path(docname))
        doctree = new_document(source)
        doctree.settings.env = env
        section = nodes.section(ids=[nodes.make_id(docname) or "left-out"])
        section += nodes.title(text=Path(docname).name)
        doctree += section
        # what Sphinx's reading does for every page: the domains (their per-document data
        # must exist for parallel merges) and the collectors (titles, toctrees, metadata)
        for domain in env.domains.values():
            domain.process_doc(env, docname, doctree)
        self.events.emit("doctree-read", doctree)
        env.metadata.setdefault(docname, {})[LEFT_OUT] = reason
        env.all_docs[docname] = time.time_ns() // 1_000
        # read it again next time, so the warning and the exit status come back
        env.reread_always.add(docname)
        if hasattr(env, "current_document"):
            env.current_document = type(env.current_document)()
        else:
            env.temp_data.clear()
        env.ref_context.clear()
        self.write_doctree(docname, doctree, _cache=_cache)


def report_left_out(builder: Any) -> list[str]:
    """At the end of the build: say which pages are missing and make the exit status 1."""
    missing = left_out_docs(builder.env)
    if missing:
        app = app_of(builder)
        app.statuscode = 1
        logger.info("%d document(s) left out of the book: %s", len(missing), ", ".join(missing))
    return missing


def without_pages(chapters: list[Any], missing: set[str]) -> list[Any]:
    """``book: chapters:`` without the *missing* pages (inside parts too; empty parts go)."""
    kept: list[Any] = []
    for entry in chapters:
        if isinstance(entry, str):
            if entry not in missing:
                kept.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("chapters"), list):
            inner = without_pages(entry["chapters"], missing)
            if inner:
                kept.append({**entry, "chapters": inner})
        else:
            kept.append(entry)
    return kept
