"""The ``qmd`` builder: where each page, image and bibliography goes, and book-wide state.

Modelled on ``sphinx/builders/text.py``: the builder decides what is written where;
:mod:`.writer` decides how one doctree becomes Quarto markdown.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.io import StringOutput
from sphinx.builders import Builder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.osutil import relative_uri

from .book.bibfiles import copy_bib, references_page
from .book.integrity import RefReport
from .book.notebooks import is_notebook_source, notebook_text, read_notebook
from .book.quarto_yml import (
    TocListing,
    book_chapters,
    chapter_numbers,
    check_book,
    dump_yaml,
    page_title,
    quarto_config,
    toc_listing,
    toc_titles,
    toctree_order,
    unnumbered_chapters,
)
from .book.support import support_files
from .book.website import website_config
from .compat import app_of
from .guard.atomic import (
    copy_file_atomic,
    remove_stale_temp_files,
    write_text_atomic,
    write_text_if_changed,
)
from .guard.isolation import (
    FAILED,
    IsolatingBuilder,
    is_left_out,
    report_left_out,
    without_pages,
)
from .guard.paths import is_allowed, project_root, refused_paths
from .jobs import ParallelBuilder, tune_gc
from .labels import LabelRegistry
from .warning_types import QmdWarning
from .writer.slides import SLIDES_DIR, Deck, deck_uri
from .writer.translator import CELL_LANGUAGES, QmdTranslator, QmdWriter

logger = logging.getLogger(__name__)


@dataclass
class DocImages:
    """The images of one page: source path (relative to srcdir) -> how the page names them."""

    references: dict[str, str]
    copies: dict[str, str]  # output path (relative to outdir) -> source path (relative to srcdir)
    #: source path -> the same reference without a shortcode (for grid tables, QUARTO.md 3)
    plain: dict[str, str] = field(default_factory=dict)


class QmdBuilder(ParallelBuilder, IsolatingBuilder, Builder):
    """Writes a Quarto book: one ``.qmd`` per document plus ``_quarto.yml``."""

    name = "qmd"
    format = "qmd"
    epilog = __("The Quarto book is in %(outdir)s (render it with `quarto render`).")
    out_suffix = ".qmd"
    allow_parallel = True
    default_translator_class = QmdTranslator
    supported_image_types = [
        "image/svg+xml",
        "image/png",
        "image/gif",
        "image/jpeg",
        "image/webp",
        "application/pdf",
    ]
    supported_remote_images = True

    current_docname: str = ""

    #: present in outdir while a build runs; a leftover means a killed build
    pending_marker = ".qmd-build-incomplete"

    def init(self) -> None:
        tune_gc()  # until build-finished (jobs.restore_gc)
        remove_stale_temp_files(self.outdir)
        # present from the start of a build to its finish(): a leftover means the last
        # build stopped somewhere (killed while reading or writing), so write every page
        self.interrupted_before = (self.outdir / self.pending_marker).exists()
        write_text_atomic(self.outdir / self.pending_marker, "")
        self.labels = LabelRegistry()
        self.ref_report = RefReport()
        self.cited_keys: set[str] = set()
        self.image_copies: dict[str, str] = {}
        self.images_copied: set[str] = set()  # copied (or tried) so far
        self.download_copies: dict[str, str] = {}
        self.doc_has_images: set[str] = set()
        #: (document, line, image path, why) of each image the book does not get
        self.lost_images: list[tuple[str, int | None, str, str]] = []
        #: output path (relative to outdir) -> source file of files code cells read
        self.support_copies: dict[str, str] = {}
        self._doc_images: dict[str, DocImages] = {}
        #: plan_images() of write_doc_serialized, taken over by write_doc (same doctree,
        #: same plan: planning twice was a tenth of writing); both run in the same process
        self._planned_images: dict[str, DocImages] = {}
        self._uri_docs: dict[str, str] | None = None  # page file -> docname (docname_of_uri)
        self.failed_writes: set[str] = set()
        self._chapter_numbers: dict[str, str | None] | None = None  # quarto_chapter()
        #: pages handed to write_doc (-j workers send theirs back: jobs.RECORDED)
        self.pages_to_write: set[str] = set()

    @property
    def project_type(self) -> str:
        """``book`` or ``website`` (``qmd_project_type``, checked when the config is read)."""
        return str(self.config.qmd_project_type)

    # -- where things go ------------------------------------------------------------

    def out_name(self, docname: str) -> str:
        """The output page of *docname*, relative to outdir, without suffix."""
        if docname == self.config.root_doc:
            return "index"
        if docname == "index":
            # the root document owns index.qmd; a non-root "index" must move aside
            return "index-page"
        return docname

    def doc_suffix(self, docname: str) -> str:
        """``.ipynb`` for a notebook kept as a notebook, else ``.qmd``."""
        return ".ipynb" if self.writes_ipynb(docname) else self.out_suffix

    def writes_ipynb(self, docname: str) -> bool:
        if self.config.qmd_notebook_format != "ipynb":
            return False
        return is_notebook_source(self.env.doc2path(docname))

    def notebook_kernel(self, docname: str) -> str | None:
        """The kernel name of a notebook page ('' if unknown); None for a plain page."""
        kernelspec = self.env.metadata.get(docname, {}).get("kernelspec")
        if not kernelspec and not is_notebook_source(self.env.doc2path(docname)):
            return None
        if isinstance(kernelspec, str):
            # myst-nb stores front-matter mappings as JSON text in the metadata
            try:
                kernelspec = json.loads(kernelspec)
            except ValueError:
                kernelspec = {}
        return str(kernelspec.get("name", "")) if isinstance(kernelspec, dict) else ""

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return self.out_name(docname) + self.doc_suffix(docname)

    def get_outdated_docs(self) -> Iterator[str]:
        """Pages whose output file is missing (or every page, after an interrupted build).

        Sphinx adds by itself the documents it re-reads and the toctree pages listing them,
        and :mod:`.incremental` the pages referencing what those changed. Output mtimes are
        not compared with sources: a page whose bytes did not change is not rewritten
        (its file keeps its mtime), and must not be offered again on every later build.
        A build that stops before :meth:`finish` leaves :attr:`pending_marker` behind.
        """
        if self.interrupted_before:
            # the last build was interrupted: write every page again
            yield from self.env.found_docs
            return
        for docname in self.env.found_docs:
            target = self.outdir / self.get_target_uri(docname)
            if docname not in self.env.all_docs or not target.exists():
                yield docname

    def book_path(self, source: str | os.PathLike[str]) -> str | None:
        """Where a file the build reads goes in the book, relative to outdir.

        Inside the source folder: the same path. Outside it but inside the project root
        (``../images/x.png`` of a book in a repository): ``_repo/<path from the root>``,
        so two files of the same name never collide and the layout stays readable.
        None for anything else (myst-nb's output folder).
        """
        path = os.path.normpath(os.path.join(self.srcdir, source))
        built = os.path.relpath(path, self.outdir)
        if not built.startswith(os.pardir):
            return Path(built).as_posix()  # written by this build (myst-nb's outputs)
        inside = os.path.relpath(path, self.srcdir)
        if not inside.startswith(os.pardir):
            return Path(inside).as_posix()
        from_root = os.path.relpath(path, project_root(self))
        if from_root.startswith(os.pardir):
            return None
        return posixpath.join("_repo", Path(from_root).as_posix())

    def note_lost_image(self, docname: str, node: nodes.Node | None, uri: str, why: str) -> None:
        """Record an image the book does not get: it is named in the summary (status 1)."""
        line = getattr(node, "line", None) if node is not None else None
        entry = (docname, line, uri, why)
        if entry not in self.lost_images:
            self.lost_images.append(entry)

    def link_to(
        self, from_doc: str, to_doc: str, anchor: str | None = None, own_page: bool = False
    ) -> str:
        """A relative link from the page of *from_doc* to *to_doc* (and an anchor in it).

        *own_page*: a link from a page to itself without an anchor names the page's file.
        """
        suffix = f"#{anchor}" if anchor else ""
        if from_doc == to_doc and anchor:
            return suffix
        if from_doc == to_doc and own_page:
            return posixpath.basename(self.get_target_uri(to_doc))
        uri = relative_uri(self.get_target_uri(from_doc), self.get_target_uri(to_doc))
        return uri + suffix

    def docname_of_uri(self, from_doc: str, path: str) -> str | None:
        """The document whose page a link *path* written on *from_doc*'s page names."""
        if self._uri_docs is None:
            self._uri_docs = {self.get_target_uri(d): d for d in self.env.all_docs}
        base = posixpath.dirname(self.get_target_uri(from_doc))
        return self._uri_docs.get(posixpath.normpath(posixpath.join(base, path)))

    # -- writing --------------------------------------------------------------------------

    def prepare_labels(self) -> None:
        """The book-wide label registry, from the environment once reading is done
        (also asked for by :mod:`.incremental` to find pages a change reaches)."""
        self._unnumbered: set[str] | None = None
        self._unnumbered = self.unnumbered_docs()  # fixed while writing: once, not per title
        self.labels = LabelRegistry.from_env(
            self.env,
            self.unnumbered_docs(),
            self.orphan_docs(),
            self.config.qmd_number_unlabelled_equations,
            self.config.qmd_number_unlabelled_figures,
        )
        self._labels_ready = True

    def prepare_writing(self, docnames: set[str]) -> None:
        if not getattr(self, "_labels_ready", False):
            self.prepare_labels()
        self._labels_ready = False  # a second build() of this app computes it again
        # book-wide, fixed while writing: computed once, not once per page
        self._toc_titles = toc_titles(self)
        self.writer = QmdWriter(self)

    def orphan_docs(self) -> set[str]:
        """Documents no toctree reaches from the root: Sphinx numbers none of their figures."""
        if not self.config.numfig:
            return set()
        reached: set[str] = set()
        todo = [self.config.root_doc]
        while todo:
            docname = todo.pop()
            if docname in reached:
                continue
            reached.add(docname)
            todo.extend(self.env.toctree_includes.get(docname, []))
        return set(self.env.all_docs) - reached

    def quarto_chapter(self, docname: str) -> str | None:
        """The chapter number the Quarto book shows for *docname* (None: unnumbered)."""
        if self._chapter_numbers is None:
            self._chapter_numbers = chapter_numbers(self)
        return self._chapter_numbers.get(docname)

    def unnumbered_docs(self) -> set[str]:
        """Documents whose headings Quarto does not number: the book's index page, and the
        chapters a partly numbered ``_toc.yml`` leaves unnumbered. Walks the whole toc:
        computed once per build by :meth:`prepare_labels`, before pages are written."""
        cached = getattr(self, "_unnumbered", None)
        if cached is not None:
            return cached
        return {self.config.root_doc} | unnumbered_chapters(self)

    def write_doc_serialized(self, docname: str, doctree: nodes.document) -> None:
        """Record on the main process what finish() copies (survives ``-j``)."""
        self._planned_images.pop(docname, None)
        if is_left_out(self.env, docname) or doctree.get(FAILED):
            return
        self.pages_to_write.add(docname)
        images = self.plan_images(docname, doctree, warn=True)
        self._planned_images[docname] = images
        self.image_copies.update(images.copies)
        self.support_copies.update(support_files(self, docname, doctree))
        for node in doctree.findall(nodes.Element):
            if node.tagname == "download_reference" and node.get("filename"):
                source = node.get("reftarget", "")
                if not source or not is_allowed(self, self.env.relfn2path(source, docname)[1]):
                    continue  # the input checks refused it with a warning
                key = self._download_key(docname, source)
                # Sphinx 9 keys dlfiles by Path, Sphinx 7 by str
                found = self.env.dlfiles.get(key) or self.env.dlfiles.get(Path(key))
                if found is not None:
                    self.download_copies[posixpath.join("_downloads", node["filename"])] = (
                        self._download_key(docname, source)
                    )

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        self.current_docname = docname
        target = self.outdir / self.get_target_uri(docname)
        if is_left_out(self.env, docname) or doctree.get(FAILED):
            target.unlink(missing_ok=True)  # an old page must not outlive its broken source
            return
        planned = self._planned_images.pop(docname, None)
        self._doc_images[docname] = planned or self.plan_images(docname, doctree)
        destination = StringOutput(encoding="utf-8")
        try:
            self.writer.write(doctree, destination)
            page = self.writer.page
            if self.writes_ipynb(docname):
                source = read_notebook(self.env.doc2path(docname))
                text = notebook_text(page, source, docname)
            else:
                text = page.text
        except Exception as err:  # RecursionError included: one page, not the book
            self.page_not_written(docname, err)
            return
        self.ref_report.note_page(docname, page.ids, self.labels.qids_of(docname))
        try:
            # unchanged bytes: the file and its mtime stay (Quarto's freeze and watchers)
            write_text_if_changed(target, text, durable=False)
        except OSError as err:
            logger.warning(
                __("error writing file %s: %s"), target, err, type="qmd", subtype=QmdWarning.IO
            )
        self.write_deck(docname, page.deck, page.front_matter)

    def write_deck(self, docname: str, deck: Deck | None, page_front: dict[str, Any]) -> None:
        """``slides/<page>.qmd`` from the page's deck; no deck removes an old one."""
        target = self.outdir / deck_uri(self.out_name(docname))
        if not self.config.qmd_slides or deck is None or not deck.slides:
            target.unlink(missing_ok=True)  # the page lost its markers: no stale deck
            return
        front: dict[str, Any] = {}
        title = page_front.get("title") or self.env.titles.get(docname)
        if title is not None:
            front["title"] = title if isinstance(title, str) else title.astext()
        if "params" in page_front:
            front["params"] = page_front["params"]  # the page's images folder
        if deck.cites:
            bibs = [
                posixpath.relpath(Path(bib).as_posix(), SLIDES_DIR)
                for bib in getattr(self.config, "bibtex_bibfiles", None) or []
            ]
            if bibs:
                front["bibliography"] = bibs[0] if len(bibs) == 1 else bibs
        try:
            write_text_if_changed(target, deck.text(front), durable=False)
        except OSError as err:
            logger.warning(
                __("error writing file %s: %s"), target, err, type="qmd", subtype=QmdWarning.IO
            )

    def written_decks(self) -> list[str]:
        """The decks in the book (relative paths), in the order of the book's pages."""
        if not self.config.qmd_slides:
            return []
        found = []
        for docname in toctree_order(self) + sorted(self.env.all_docs):
            uri = deck_uri(self.out_name(docname))
            if uri not in found and docname in self.env.all_docs and (self.outdir / uri).is_file():
                found.append(uri)
        return found

    def finish(self) -> None:
        self.copy_images()
        self.copy_downloads()
        self.copy_support_files()
        bibfiles = self.copy_bibliographies()
        cites = self.book_cites()
        # with translation under -j, Sphinx's write workers write the pages and their
        # failed_writes stay there; write_doc removes the target of a failed page, so a
        # missing target is the failure's trace (jobs.py's workers send theirs back)
        self.failed_writes |= {
            docname
            for docname in self.pages_to_write
            if not (self.outdir / self.get_target_uri(docname)).exists()
        }
        left_out = set(report_left_out(self)) | self.failed_writes
        if self.failed_writes:
            app_of(self).statuscode = 1
        missing = {self.get_target_uri(docname) for docname in left_out}
        chapters = without_pages(book_chapters(self), missing)
        own_page = self.config.qmd_references_page in {
            self.get_target_uri(docname) for docname in self.env.all_docs
        }
        # never overwrite the book's own page of that name; a {bibliography} page is it
        # a website lists each page's references under it: no page of its own
        website = self.project_type == "website"
        if cites and not own_page and not self.bibliography_docs() and not website:
            self.write_references_page()
            chapters.append(self.config.qmd_references_page)
        decks = self.written_decks()
        if not decks:
            (self.outdir / SLIDES_DIR / "_metadata.yml").unlink(missing_ok=True)
        else:
            metadata = {"format": {"revealjs": dict(self.config.qmd_slides_format)}}
            write_text_if_changed(self.outdir / SLIDES_DIR / "_metadata.yml", dump_yaml(metadata))
        if website:
            project = website_config(self, chapters, bibfiles, decks)
        else:
            # the structure is checked against what Quarto accepts once every page is written
            project = check_book(self, quarto_config(self, chapters, bibfiles))
        # book-wide files keep their mtime when their content is the same
        write_text_if_changed(self.outdir / "_quarto.yml", dump_yaml(project))
        write_text_if_changed(
            self.outdir / "labels.json",
            json.dumps(self.labels.as_json(), indent=2, ensure_ascii=False) + "\n",
        )
        # under -j with translation, Sphinx's workers wrote the pages: their ids stayed there
        self.ref_report.ids_complete = not (
            getattr(self, "parallel_ok", False) and self.config.qmd_translate
        )
        self.ref_report.emit(self.located)
        if self.report_lost_images() | self.report_refused_paths():
            app_of(self).statuscode = 1
        (self.outdir / self.pending_marker).unlink(missing_ok=True)
        self._unnumbered = None  # the next build of this app walks the toc again

    # -- images ---------------------------------------------------------------------------

    def images_folder(self, docname: str) -> str | None:
        """The book-relative folder of *docname*'s images, or None to keep them beside it."""
        template = self.config.qmd_images_path
        if template is None:
            return None
        return template.format(docname=self.out_name(docname))

    def plan_images(self, docname: str, doctree: nodes.document, warn: bool = False) -> DocImages:
        """Decide, deterministically, where each image of a page goes and how it is named.

        *warn*: say (once, on the main process) which image has no file to point at, and
        note a missing image as lost (named in the closing summary).
        """
        folder = self.images_folder(docname)
        page_dir = posixpath.dirname(self.out_name(docname)) or "."
        references: dict[str, str] = {}
        plain: dict[str, str] = {}
        copies: dict[str, str] = {}
        used: set[str] = set()
        in_notebook = self.writes_ipynb(docname)
        for node in doctree.findall(nodes.image):
            if in_notebook and _in_code_cell(node):
                continue  # the notebook keeps the output itself
            uri = self.image_source(node, warn=warn)
            if uri in references or "://" in uri or uri.startswith("data:"):
                continue
            if folder is None:
                out_path = uri
                if uri.startswith("../"):
                    # beside the book in its repository: under _repo/ in the book
                    out_path = self.book_path(uri) or uri
                references[uri] = posixpath.relpath(out_path, page_dir)
            else:
                name = posixpath.basename(uri)
                if name in used:
                    stem, dot, ext = name.rpartition(".")
                    n = 2
                    while f"{stem}-{n}{dot}{ext}" in used:
                        n += 1
                    name = f"{stem}-{n}{dot}{ext}"
                used.add(name)
                out_path = posixpath.join(folder.strip("/"), name)
                references[uri] = "{{< meta params.images_path >}}" + name
            plain[uri] = posixpath.relpath(out_path, page_dir)
            source = Path(self.srcdir) / uri
            if source.is_file() and is_allowed(self, source):
                copies[out_path] = uri
            elif warn and not source.is_file():
                # Sphinx warned where it read the page ("image file not readable")
                self.note_lost_image(docname, node, uri, "missing")
        if references and folder is not None:
            self.doc_has_images.add(docname)
        return DocImages(references, copies, plain)

    def image_source(self, node: nodes.image, warn: bool = False) -> str:
        """The source file of an image node, relative to srcdir.

        For ``pic.*`` Sphinx lists the files it found by mimetype; like Sphinx's HTML
        builder, take the first of :attr:`supported_image_types` that is there. *warn*:
        say when no file fits (Sphinx's reader only warns about a missing plain path).
        """
        uri = node["uri"]
        candidates = node.get("candidates") or {}
        if "?" in candidates or "*" in candidates or not uri.endswith(".*"):
            return uri  # remote, data: or one plain path (Sphinx warned if unreadable)
        for mimetype in self.supported_image_types:
            if mimetype in candidates:
                return candidates[mimetype]
        if warn:
            found = ", ".join(sorted(candidates.values()))
            logger.warning(
                __("no image file for %s%s; the path is kept as written"),
                uri,
                f" Quarto can show (found {found})" if found else "",
                location=node,
                type="qmd",
                subtype=QmdWarning.IMAGE,
            )
        return uri

    def image_reference(self, docname: str, node: nodes.image, shortcode: bool = True) -> str:
        """How the page *docname* refers to the image *node*.

        *shortcode* False: where Quarto breaks on shortcodes (grid tables, QUARTO.md 3),
        the path of the copy relative to the page instead of ``{{< meta ... >}}``.
        """
        uri = self.image_source(node)
        if "://" in uri or uri.startswith("data:"):
            return uri
        plan = self._doc_images.get(docname)
        if plan is None or uri not in plan.references:
            return uri
        return plan.references[uri] if shortcode else plan.plain.get(uri, uri)

    def front_matter_extra(self, docname: str) -> dict[str, Any]:
        """Front-matter keys the builder owns (the writer owns the title)."""
        extra: dict[str, Any] = self.toc_title_matter(docname)
        folder = self.images_folder(docname)
        plan = self._doc_images.get(docname)
        if folder is not None and plan is not None and plan.references:
            extra["params"] = {"images_path": folder}
        return extra

    def toc_title_matter(self, docname: str) -> dict[str, str]:
        """A ``_toc.yml`` ``title:`` is what the navigation shows: Quarto shows the page's
        title there, so it becomes the title; the page's own heading stays as subtitle."""
        titles = getattr(self, "_toc_titles", None)
        override = (titles if titles is not None else toc_titles(self)).get(docname)
        if not override or docname == self.config.root_doc:
            return {}
        own = page_title(self, docname)
        if own and own != override:
            return {"title": override, "subtitle": own}
        return {"title": override}

    def toc_listing(self, docname: str, tree: nodes.Element) -> TocListing:
        """The toctree *tree* of *docname* as links (a post-transform makes it a list)."""
        return toc_listing(self, docname, tree)

    def copy_images(self, quiet: bool = False) -> None:
        """Copy the images planned for the book that are not copied yet (*quiet*: no
        progress line, for -j workers copying their own pages' images)."""
        todo = sorted(set(self.image_copies) - self.images_copied)
        if not todo:
            return
        if not quiet:
            todo = status_iterator(
                todo, __("copying images... "), "brown", len(todo), app_of(self).verbosity
            )
        for out_path in todo:
            source = Path(self.srcdir) / self.image_copies[out_path]
            self.images_copied.add(out_path)  # tried: a failure is warned about once
            try:
                copy_file_atomic(source, self.outdir / out_path)
            except OSError as err:
                logger.warning(
                    __("cannot copy image file %r: %s"),
                    str(source),
                    err,
                    type="qmd",
                    subtype=QmdWarning.IMAGE,
                )

    def located(self, docname: str, line: int | None) -> str:
        """``path/page.md:12`` (source-relative) for the closing summaries."""
        where = str(self.env.doc2path(docname, False))
        return f"{where}:{line}" if line is not None else where

    def report_lost_images(self) -> bool:
        """Name every image the book does not get (refused or missing); whether any was."""
        if not self.lost_images:
            return False
        logger.info("")
        logger.info(
            __("qmd images: %d not in the book (refused or missing):"), len(self.lost_images)
        )
        for docname, line, uri, why in sorted(self.lost_images, key=_entry_order):
            logger.info("  %s: %s (%s)", self.located(docname, line), uri, why)
        return True

    def report_refused_paths(self) -> bool:
        """Name every other file a page reached for beyond the project root (includes,
        literal includes, downloads, ``:load:``, raw/csv files, support files)."""
        records = [
            (docname, line, kind, path)
            for docname, entries in refused_paths(self.env).items()
            if docname in self.env.all_docs
            for line, kind, path in entries
        ]
        if not records:
            return False
        logger.info("")
        logger.info(
            __("qmd refused paths: %d beyond the project root %s (not read, not copied):"),
            len(records),
            project_root(self),
        )
        for docname, line, kind, path in sorted(records, key=_entry_order):
            logger.info("  %s: %s %s", self.located(docname, line), kind, path)
        return True

    def copy_support_files(self) -> None:
        """Copy the files code cells read (see :mod:`.book.support`) beside their pages."""
        for out_path, source in sorted(self.support_copies.items()):
            try:
                copy_file_atomic(Path(source), self.outdir / out_path)
            except OSError as err:
                logger.warning(
                    __("cannot copy support file %r: %s"),
                    source,
                    err,
                    type="qmd",
                    subtype=QmdWarning.SUPPORT,
                )

    # -- downloads, bibliography --------------------------------------------------------------

    def _download_key(self, docname: str, target: str) -> str:
        _rel, filename = self.env.relfn2path(target, docname)
        # a download beside the book (inside the project root) is "../x.zip" here
        return os.path.relpath(filename, self.srcdir) if Path(filename).is_absolute() else _rel

    def download_target(self, docname: str, node: nodes.Element) -> str | None:
        if not node.get("filename"):
            return node.get("reftarget")
        return posixpath.relpath(
            posixpath.join("_downloads", node["filename"]),
            posixpath.dirname(self.out_name(docname)) or ".",
        )

    def copy_downloads(self) -> None:
        for out_path, source in sorted(self.download_copies.items()):
            try:
                copy_file_atomic(Path(self.srcdir) / source, self.outdir / out_path)
            except OSError as err:
                logger.warning(
                    __("cannot copy download %r: %s"),
                    source,
                    err,
                    type="qmd",
                    subtype=QmdWarning.DOWNLOAD,
                )

    def copy_bibliographies(self) -> list[str]:
        """Copy the ``bibtex_bibfiles`` into the book; return their book-relative paths."""
        bibfiles = list(getattr(self.config, "bibtex_bibfiles", None) or [])
        copied = []
        for bib in bibfiles:
            source = Path(self.srcdir) / bib
            if not source.is_file() or not is_allowed(self, source):
                continue  # sphinxcontrib-bibtex warns about missing files; safety refused others
            encoding = getattr(self.config, "bibtex_encoding", None) or "utf-8-sig"
            target = self.book_path(bib) or Path(bib).name
            copy_bib(source, self.outdir / target, encoding)
            copied.append(target)
        return copied

    def book_cites(self) -> bool:
        """Whether any page of the book cites (from the environment, so rebuilds agree)."""
        try:
            domain = self.env.get_domain("cite")
            if domain.citation_refs:
                return True
        except Exception:
            pass
        return bool(self.cited_keys)

    def bibliography_docs(self) -> set[str]:
        """Documents with a ``{bibliography}`` directive: ``::: {#refs}`` is written there."""
        try:
            bibliographies = self.env.get_domain("cite").bibliographies
        except Exception:
            return set()
        return {key.docname for key in bibliographies if key.docname in self.env.all_docs}

    def write_references_page(self) -> None:
        write_text_if_changed(self.outdir / self.config.qmd_references_page, references_page())

    # -- notebooks --------------------------------------------------------------------------------

    def cell_language(self, docname: str, source: nodes.Element | None) -> str:
        """The Quarto engine language of a code cell of *docname*."""
        language = ""
        metadata = self.env.metadata.get(docname, {})
        kernelspec = metadata.get("kernelspec") or {}
        if isinstance(kernelspec, dict):
            language = kernelspec.get("language", "")
        if not language and source is not None:
            language = source.get("language", "")
        language = (language or "python").lower()
        return CELL_LANGUAGES.get(language, language)


def clear_pending_marker(app: Any, exception: BaseException | None) -> None:
    """``build-finished``: a build that ended without an error is complete. Also reached
    when Sphinx 7 returns early with nothing out of date, without calling finish()."""
    builder = app.builder
    if exception is None and isinstance(builder, QmdBuilder):
        (builder.outdir / builder.pending_marker).unlink(missing_ok=True)


def _entry_order(entry: tuple[str, int | None, str, str]) -> tuple[str, int, str, str]:
    return (entry[0], entry[1] or 0, entry[2], entry[3])


def _in_code_cell(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.container) and parent.get("nb_element") == "cell_code":
            return True
        parent = parent.parent
    return False
