"""Path safety: nothing outside the project root is read or copied into the book.

A migration runs in CI on pull requests from strangers. Sphinx itself reads ``{include}``
files from anywhere and its html builder copies ``../../../etc/passwd`` given as an image
path. Every path the qmd build reads (images, downloads, includes, literal includes, bib
files, logos, support files of code cells) is resolved with symlinks followed and refused
when it leaves the allowed folders: the project root and myst-nb's output folder, which
holds notebook outputs.

The project root is where a book lives: books keep images one folder up or include the
repository's CHANGELOG, so the boundary is the repository (the nearest folder upward
with ``.git``), not the book folder; without one it is the source folder.
``qmd_project_root`` (``sphinx-qmd --project-root``) names it explicitly.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Raw
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include as SphinxInclude
from sphinx.directives.patches import CSVTable
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..compat import app_of
from ..warning_types import QmdWarning

logger = logging.getLogger(__name__)

#: per document being read: the files of the MyST include chain now open (the page first)
_INCLUDE_CHAIN: dict[str, list[str]] = {}


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether *path*, with symlinks followed, lies in *root* (also symlinks followed)."""
    try:
        resolved = Path(path).resolve()
        base = Path(root).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return resolved == base or base in resolved.parents


def builder_name(env: Any) -> str:
    """The running builder's name, from the environment (Sphinx 7.4 to 9)."""
    cls = getattr(env, "_builder_cls", None)
    if cls is not None:
        return str(cls.name)
    return str(app_of(env).builder.name)


def find_project_root(srcdir: str | os.PathLike[str], configured: str | None = None) -> Path:
    """The project root: *configured* (relative to *srcdir*), else the nearest folder
    upward from *srcdir* holding ``.git`` (a folder, or a file in a worktree or
    submodule), else *srcdir* itself."""
    source = Path(srcdir).resolve()
    if configured:
        return (source / Path(configured).expanduser()).resolve()
    for folder in (source, *source.parents):
        if (folder / ".git").exists():
            return folder
    return source


#: per build environment: (srcdir, qmd_project_root) -> the root found. Every image, download
#: and include asks (resolving and walking up for ``.git`` each time was ~1 % of a build)
_ROOTS: weakref.WeakKeyDictionary[Any, dict[tuple[str, Any], Path]] = weakref.WeakKeyDictionary()


def project_root(app: Any) -> Path:
    """The project root of a build; *app* is the application, the builder or the environment."""
    config = getattr(app, "config", None)
    configured = getattr(config, "qmd_project_root", None) if config is not None else None
    env = app if isinstance(app, BuildEnvironment) else getattr(app, "env", None)
    if not isinstance(env, BuildEnvironment):
        return find_project_root(app.srcdir, configured)
    found = _ROOTS.setdefault(env, {})
    key = (str(app.srcdir), configured)
    if key not in found:
        found[key] = find_project_root(app.srcdir, configured)
    return found[key]


def allowed_roots(app: Any) -> list[Path]:
    """The folders the build may read from: the project root, and notebook outputs.

    *app* is the Sphinx application, the builder or the environment (all have ``srcdir``).
    """
    roots = [project_root(app)]
    env = getattr(app, "env", app)
    nb_config = getattr(env, "mystnb_config", None) if env is not None else None
    folder = getattr(nb_config, "output_folder", None)
    if folder:
        roots.append(Path(folder))
    return roots


def is_allowed(app: Any, path: str | os.PathLike[str]) -> bool:
    return any(is_inside(path, root) for root in allowed_roots(app))


def file_location(path: str | os.PathLike[str], line: int | None = None) -> nodes.Element:
    """A warning location for a file that is not a document (bib file, conf.py)."""
    node = nodes.Element()
    node.source, node.line = str(path), line
    return node


def refuse(
    kind: str,
    path: str | os.PathLike[str],
    location: Any = None,
    env: Any = None,
    docname: str | None = None,
) -> None:
    """The one warning for a refused path (``qmd.path``, silence with suppress_warnings).

    With *env*, the refusal is also recorded for the closing summary (content of page
    *docname*, default the page being read, that the book does not get: exit status 1).
    """
    logger.warning(
        "%s path %r resolves outside the project root; refused (not read, not copied). "
        "To allow it, set qmd_project_root (sphinx-qmd --project-root DIR) to a folder "
        "that holds it",
        kind,
        str(path),
        location=location,
        type="qmd",
        subtype=QmdWarning.PATH,
    )
    if env is None:
        return
    docname = docname or getattr(env, "docname", None)
    if not docname:
        return
    line = getattr(location, "line", None)
    if isinstance(location, tuple):
        line = location[1] if len(location) > 1 else None
    elif isinstance(location, str) and ":" in location:
        tail = location.rsplit(":", 1)[1]
        line = int(tail) if tail.isdigit() else None
    entry = (line if isinstance(line, int) else None, kind, str(path))
    records = refused_paths(env).setdefault(docname, [])
    if entry not in records:
        records.append(entry)


def refused_paths(env: Any) -> dict[str, list[tuple[int | None, str, str]]]:
    """Per document: (line, kind, path) of each refused path, kept in the environment so
    that refusals made while reading (also in ``-j`` reader processes) reach the summary."""
    records = getattr(env, "qmd_refused_paths", None)
    if records is None:
        records = {}
        env.qmd_refused_paths = records
    return records


class RefusedPathCollector(EnvironmentCollector):
    """Keeps :func:`refused_paths` in step with re-read and parallel-read documents."""

    def clear_doc(self, app: Sphinx, env: Any, docname: str) -> None:
        refused_paths(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
        theirs = refused_paths(other)
        mine = refused_paths(env)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        pass


# -- configuration: bib files, logos, myst-nb's output folder -----------------------------


def guard_config_paths(app: Sphinx) -> None:
    """Before sphinxcontrib-bibtex reads its files: drop bib files and logos from outside."""
    if app.builder is None or app.builder.name != "qmd":
        return
    conf = file_location(Path(app.confdir) / "conf.py")
    bibfiles = getattr(app.config, "bibtex_bibfiles", None)
    if bibfiles:
        kept = []
        for bib in bibfiles:
            if is_allowed(app, Path(app.confdir) / bib):
                kept.append(bib)
            else:
                refuse("bibliography", bib, location=conf)
        app.config.bibtex_bibfiles = [bib for bib in kept if _bib_readable(app, bib)]
        _BIB_ERRORS[id(app)] = _start_bib_capture()
    for name in ("html_logo", "html_favicon"):
        value = getattr(app.config, name, None)
        if not value or "://" in str(value):
            continue
        if not is_allowed(app, Path(app.confdir) / value):
            refuse(name.removeprefix("html_"), value, location=conf)
            setattr(app.config, name, None)


#: per application: the pybtex error capture open while sphinxcontrib-bibtex parses
_BIB_ERRORS: dict[int, Any] = {}


def _bib_readable(app: Sphinx, bib: str) -> bool:
    """Parse *bib* once leniently: warn (located) for each syntax error; drop it if unreadable.

    pybtex stops at the first syntax error in strict mode, and sphinxcontrib-bibtex lets
    that stop the whole build. Leniently parsed, a bad entry costs only its own citations.
    """
    try:
        import pybtex.errors
        from pybtex.database.input.bibtex import Parser
    except ImportError:  # pragma: no cover - pybtex comes with sphinxcontrib-bibtex
        return True
    path = Path(app.confdir) / bib
    if not path.is_file():
        return True  # sphinxcontrib-bibtex warns about missing files
    encoding = getattr(app.config, "bibtex_encoding", None) or "utf-8-sig"
    try:
        with pybtex.errors.capture() as errors:
            Parser(encoding).parse_file(str(path))
    except Exception as err:
        logger.warning(
            "bibliography file cannot be read (%s); its citations are lost",
            err,
            location=file_location(path),
            type="qmd",
            subtype=QmdWarning.BIB,
        )
        return False
    for error in errors:
        logger.warning(
            "bibliography syntax error, the entry is skipped: %s",
            error,
            location=file_location(path, getattr(error, "lineno", None)),
            type="qmd",
            subtype=QmdWarning.BIB,
        )
    return True


def _start_bib_capture() -> Any:
    """Collect pybtex errors (already reported above) instead of raising them."""
    try:
        import pybtex.errors
    except ImportError:  # pragma: no cover
        return None
    capture = pybtex.errors.capture()
    capture.__enter__()
    return capture


def end_bib_capture(app: Sphinx) -> None:
    capture = _BIB_ERRORS.pop(id(app), None)
    if capture is not None:
        capture.__exit__(None, None, None)


# -- directives that read files --------------------------------------------------------------


class SafeLiteralInclude(LiteralInclude):
    """``literalinclude`` that refuses files outside the project root."""

    def run(self) -> list[nodes.Node]:
        if builder_name(self.env) == "qmd":
            _rel, filename = self.env.relfn2path(self.arguments[0])
            if not is_inside(filename, project_root(self.env)):
                refuse("literalinclude", self.arguments[0], self.get_location(), env=self.env)
                return []
        return super().run()


class SafeInclude(SphinxDirective):
    """``include`` that refuses files outside the project root, then includes as usual.

    Not a subclass of docutils' ``Include`` on purpose: MyST replaces every such subclass
    by its own reader, which would read the file before anyone could check the path. In a
    MyST document the check runs here and the reading is handed to MyST's reader; in a
    reStructuredText document to Sphinx's ``include``.
    """

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True
    has_content = False
    option_spec = {
        **SphinxInclude.option_spec,
        # MyST-only options (MyST adds them to Include subclasses itself)
        "relative-images": directives.flag,
        "relative-docs": directives.path,
        "heading-offset": directives.nonnegative_int,
    }

    def run(self) -> list[nodes.Node]:
        argument = "".join(s.strip() for s in self.arguments[0].splitlines())
        if not (argument.startswith("<") and argument.endswith(">")):
            _rel, filename = self.env.relfn2path(argument)
            if builder_name(self.env) == "qmd" and not is_inside(filename, project_root(self.env)):
                refuse("include", argument, location=self.get_location(), env=self.env)
                return []
        try:
            from myst_parser.mocking import MockIncludeDirective, MockState
        except ImportError:  # pragma: no cover - myst-parser is a dependency
            MockState = MockIncludeDirective = None
        if MockState is not None and isinstance(self.state, MockState):
            # MyST includes nest synchronously: a file already open in the chain is a cycle
            _rel, filename = self.env.relfn2path(argument)
            key = str(Path(filename).resolve())
            chain = _INCLUDE_CHAIN.setdefault(self.env.docname, [])
            if not chain:
                chain.append(str(Path(self.env.doc2path(self.env.docname)).resolve()))
            if key in chain:
                logger.warning(
                    "circular include of %r; the repeated include is left out",
                    argument,
                    location=self.get_location(),
                    type="qmd",
                    subtype=QmdWarning.INCLUDE,
                )
                return []
            reader = MockIncludeDirective(
                self.state._renderer,
                name=self.name,
                klass=SphinxInclude,
                arguments=self.arguments,
                options=self.options,
                body=list(self.content),
                lineno=self.lineno,
            )
            chain.append(key)
            try:
                return reader.run()
            finally:
                chain.pop()
                if len(chain) == 1:
                    del _INCLUDE_CHAIN[self.env.docname]
        directive = SphinxInclude(
            self.name,
            self.arguments,
            self.options,
            self.content,
            self.lineno,
            self.content_offset,
            self.block_text,
            self.state,
            self.state_machine,
        )
        return directive.run()


class _ExternalData:
    """``:file:`` and ``:url:`` options of docutils' ``raw`` and ``csv-table``.

    A file outside the project root is refused like any other path; a URL is never
    fetched (a build of strangers' pages must not make requests on their behalf).
    """

    options: dict[str, Any]
    state: Any
    env: Any

    def refused(self) -> bool:
        if builder_name(self.env) != "qmd":
            return False
        location = self.get_location()
        if "url" in self.options:
            logger.warning(
                "%s: URL %r is not fetched; the directive is left out",
                self.name,
                self.options["url"],
                location=location,
                type="qmd",
                subtype=QmdWarning.PATH,
            )
            return True
        if "file" in self.options:
            current = self.state.document.current_source or str(self.env.doc2path(self.env.docname))
            path = Path(current).parent / self.options["file"]
            if not is_inside(path, project_root(self.env)):
                refuse(f"{self.name} file", self.options["file"], location, env=self.env)
                return True
        return False


class SafeRaw(_ExternalData, SphinxDirective, Raw):
    def run(self) -> list[nodes.Node]:
        return [] if self.refused() else super().run()


class SafeCSVTable(_ExternalData, SphinxDirective, CSVTable):
    def run(self) -> list[nodes.Node]:
        return [] if self.refused() else super().run()


#: the allowed folders of the qmd build running in this process (empty: none runs)
_LOAD_ROOTS: list[Path] = []
#: that build's environment (where refusals are recorded)
_LOAD_ENV: list[Any] = []


def _guarded_load(original: Any) -> Any:
    """myst-nb's reader of ``{code-cell}`` ``:load:`` files, refusing files beyond the root.

    myst-nb reads the file while it turns a MyST page into a notebook, before any
    directive or transform could look at the path; its module-level reader is the one
    place to check it. Outside a qmd build the original reader runs unchanged.
    """

    def load(nb_path: Any, file_name: str, token: Any, body_lines: list[str]) -> list[str]:
        if nb_path is not None and _LOAD_ROOTS:
            target = Path(nb_path).parent / file_name
            if not any(is_inside(target, root) for root in _LOAD_ROOTS):
                line = token.map[0] + 1 if getattr(token, "map", None) else None
                env = _LOAD_ENV[0] if _LOAD_ENV else None
                docname = env.path2doc(str(nb_path)) if env is not None else None
                known = refused_paths(env).get(docname, []) if docname else []
                if (line, ":load:", file_name) not in known:  # the writer reads it again
                    location = file_location(nb_path, line)
                    refuse(
                        ":load:", file_name, location, env=env if docname else None, docname=docname
                    )
                return body_lines  # the cell keeps its own body (usually empty)
        return original(nb_path, file_name, token, body_lines)

    load.__wrapped__ = original
    return load


def guard_mystnb_load(app: Sphinx) -> None:
    """Check ``:load:`` paths during a qmd build (see :func:`_guarded_load`)."""
    if app.builder is None or app.builder.name != "qmd":
        return
    try:
        from myst_nb.core import read
    except ImportError:
        return
    reader = getattr(read, "_load_code_from_file", None)
    if reader is None:  # pragma: no cover - another myst-nb
        return
    if not hasattr(reader, "__wrapped__"):
        read._load_code_from_file = _guarded_load(reader)
    _LOAD_ROOTS[:] = allowed_roots(app)
    _LOAD_ENV[:] = [app.env]


def end_load_guard(app: Sphinx, exception: BaseException | None) -> None:
    _LOAD_ROOTS.clear()
    _LOAD_ENV.clear()


def setup_safety(app: Sphinx) -> None:
    app.add_directive("include", SafeInclude, override=True)
    app.add_directive("literalinclude", SafeLiteralInclude, override=True)
    app.add_directive("raw", SafeRaw, override=True)
    app.add_directive("csv-table", SafeCSVTable, override=True)
    app.add_env_collector(RefusedPathCollector)
    # before sphinxcontrib-bibtex (500) reads the bib files
    app.connect("builder-inited", guard_config_paths, priority=100)
    # after sphinxcontrib-bibtex (500) has parsed the bib files
    app.connect("builder-inited", end_bib_capture, priority=900)
    # after myst-nb (500) and keep_mystnb_inside_outdir (600): its output folder is allowed
    app.connect("builder-inited", guard_mystnb_load, priority=700)
    app.connect("build-finished", end_load_guard)
