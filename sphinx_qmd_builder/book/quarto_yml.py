"""``_quarto.yml``: the Quarto book project that mirrors the Sphinx book.

The structure comes from the toctrees Sphinx recorded (``env.tocs``), so a ``_toc.yml``
read by sphinx-external-toc and a hand-written ``toctree`` give the same result: the root's
captioned toctrees become Quarto ``part:`` entries, every chapter is followed by its
sections (Quarto books have one level of chapters inside parts), globs are already expanded
by Sphinx, and URL entries become ``href`` items of the sidebar.
"""

from __future__ import annotations

import copy
import json
import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from ..guard.atomic import copy_file_atomic
from ..warning_types import QmdWarning

if TYPE_CHECKING:
    from ..builder import QmdBuilder

logger = logging.getLogger(__name__)


@dataclass
class TocPart:
    """One captioned toctree of the root (or the uncaptioned run of entries)."""

    caption: str | None
    entries: list[str | dict[str, str]] = field(default_factory=list)
    numbered: bool = False


def _toctrees(builder: QmdBuilder, docname: str) -> list[nodes.Element]:
    toc = builder.env.tocs.get(docname)
    if toc is None:
        return []
    return list(toc.findall(addnodes.toctree))


def _children(builder: QmdBuilder, toctree: nodes.Element) -> list[tuple[str | None, str]]:
    """(title, docname-or-url) of a toctree's entries (globs already expanded)."""
    return [(title, ref) for title, ref in toctree.get("entries", []) if ref != "self"]


def toc_parts(builder: QmdBuilder) -> tuple[list[TocPart], list[str]]:
    """The book as parts of ordered entries; and every document reached, in order."""
    env = builder.env
    root = builder.config.root_doc
    seen: set[str] = {root}
    order: list[str] = [root]

    def flatten(docname: str, into: list[str | dict[str, str]]) -> None:
        trees = _toctrees(builder, docname)
        refs: list[tuple[str | None, str]] = []
        if trees:
            for tree in trees:
                refs.extend(_children(builder, tree))
        else:
            refs = [(None, child) for child in env.toctree_includes.get(docname, [])]
        for title, ref in refs:
            add(title, ref, into)

    def add(title: str | None, ref: str, into: list[str | dict[str, str]]) -> None:
        if "://" in ref or ref.startswith("mailto:"):
            into.append({"href": ref, "text": title or ref})
            return
        if ref in seen or ref not in env.all_docs:
            return
        seen.add(ref)
        order.append(ref)
        into.append(ref)
        flatten(ref, into)

    site_map = getattr(env, "external_site_map", None)
    if site_map is not None and root in site_map:
        return _site_map_parts(builder, site_map, seen, order), order

    parts: list[TocPart] = []
    trees = _toctrees(builder, root)
    if not trees:
        loose = TocPart(None)
        for child in env.toctree_includes.get(root, []):
            add(None, child, loose.entries)
        parts.append(loose)
    for tree in trees:
        part = TocPart(tree.get("caption") or None, numbered=bool(tree.get("numbered")))
        for title, ref in _children(builder, tree):
            add(title, ref, part.entries)
        if parts and part.caption is None and parts[-1].caption is None:
            parts[-1].entries.extend(part.entries)
        else:
            parts.append(part)
    return parts, order


def _site_map_parts(
    builder: QmdBuilder, site_map: Any, seen: set[str], order: list[str]
) -> list[TocPart]:
    """The parts from sphinx-external-toc's site map (the ``_toc.yml`` as written).

    Unlike the toctrees Sphinx recorded, the site map keeps the sections of an entry whose
    own file is missing (sphinx-external-toc warned about it), in their place.
    """
    from sphinx.util.matching import patfilter

    env = builder.env
    all_docs = sorted(env.all_docs)

    walked: set[str] = set()

    suffixes = tuple(builder.config.source_suffix)

    def add_doc(entry: str, into: list[str | dict[str, str]]) -> None:
        # the site map keeps an entry as written: with or without its suffix
        docname = next((entry[: -len(s)] for s in suffixes if entry.endswith(s)), entry)
        if docname in walked:
            return
        walked.add(docname)
        if docname not in seen and docname in env.all_docs:
            seen.add(docname)
            order.append(docname)
            into.append(docname)
        document = site_map.get(entry) or site_map.get(docname)
        for tree in getattr(document, "subtrees", []):
            add_items(tree, into)

    def add_items(tree: Any, into: list[str | dict[str, str]]) -> None:
        for item in tree.items:
            kind = type(item).__name__
            if kind == "UrlItem":
                into.append({"href": item.url, "text": item.title or item.url})
            elif kind == "GlobItem":
                for docname in sorted(patfilter(all_docs, str(item))):
                    add_doc(docname, into)
            else:
                add_doc(str(item), into)

    parts: list[TocPart] = []
    for tree in site_map[site_map.root.docname].subtrees:
        part = TocPart(tree.caption or None, numbered=bool(tree.numbered))
        add_items(tree, part.entries)
        if parts and part.caption is None and parts[-1].caption is None:
            parts[-1].entries.extend(part.entries)
        else:
            parts.append(part)
    return parts


def toctree_order(builder: QmdBuilder) -> list[str]:
    """Every document reachable from the root document, in toctree (reading) order."""
    return toc_parts(builder)[1]


def book_chapters(builder: QmdBuilder) -> list[Any]:
    """``book: chapters:`` as the toc says it: the root page, then parts.

    URL entries stay in place (a website sidebar can hold them; :func:`check_book` moves them
    out of a book's chapters). Pages in no toctree are left out: Jupyter Book builds them but
    keeps them out of the navigation, and Quarto still renders every page of the project.
    """
    parts, _order = toc_parts(builder)
    uri = builder.get_target_uri
    chapters: list[Any] = [uri(builder.config.root_doc)]
    for part in parts:
        items = [entry if isinstance(entry, dict) else uri(entry) for entry in part.entries]
        if part.caption:
            chapters.append({"part": part.caption, "chapters": items})
        else:
            chapters.extend(items)
    return chapters


def chapter_numbers(builder: QmdBuilder) -> dict[str, str | None]:
    """Docname -> the chapter number the Quarto book shows for it (None: unnumbered).

    Read from the structure ``_quarto.yml`` is written from (QUARTO.md facts 21, 22):
    chapters count from 1 in order, skipping the unnumbered pages (the root page, the
    chapters a partly numbered toc leaves out); parts take no number; appendices are
    lettered. A page that fails to write later is not known yet here.
    """
    docs = {builder.get_target_uri(docname): docname for docname in builder.env.all_docs}
    unnumbered = builder.unnumbered_docs()
    numbers: dict[str, str | None] = {}
    counts = [0, 0]  # chapters, appendices

    def walk(entries: list[Any], appendix: bool) -> None:
        for entry in entries:
            if isinstance(entry, dict):
                walk(entry.get("chapters") or [], appendix)
                continue
            docname = docs.get(entry)
            if docname is None or docname in numbers:
                continue
            if docname in unnumbered:
                numbers[docname] = None
                continue
            counts[appendix] += 1
            numbers[docname] = letters(counts[1]) if appendix else str(counts[0])

    chapters, appendices = split_appendices(book_chapters(builder))
    walk(chapters, False)
    walk(appendices, True)
    return numbers


def letters(n: int) -> str:
    """Quarto's appendix number: A, B, ... Z, AA ..."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def is_article(builder: QmdBuilder) -> bool:
    """A ``jb-article`` toc: one root page whose sections are its pages."""
    site_map = getattr(builder.env, "external_site_map", None) or getattr(
        builder.config, "external_site_map", None
    )
    return getattr(site_map, "file_format", None) == "jb-article"


def is_numbered(builder: QmdBuilder) -> bool:
    return any(part.numbered for part in toc_parts(builder)[0]) or any(
        tree.get("numbered") for docname in builder.env.tocs for tree in _toctrees(builder, docname)
    )


def numbered_docs(builder: QmdBuilder) -> set[str]:
    """Documents Sphinx numbers: those below a ``numbered`` toctree (it numbers its subtrees)."""
    found: set[str] = set()

    def walk(docname: str, numbered: bool, seen: set[str]) -> None:
        for tree in _toctrees(builder, docname):
            inner = numbered or bool(tree.get("numbered"))
            for _title, ref in _children(builder, tree):
                if ref in seen or ref not in builder.env.all_docs:
                    continue
                seen.add(ref)
                if inner:
                    found.add(ref)
                walk(ref, inner, seen)

    walk(builder.config.root_doc, False, {builder.config.root_doc})
    return found


def unnumbered_chapters(builder: QmdBuilder) -> set[str]:
    """Chapters outside every numbered toctree of a book that numbers some others.

    Quarto numbers every chapter of a numbered book; these are the ones Sphinx leaves
    unnumbered (``numbered: false`` next to ``numbered: true`` in ``_toc.yml``).
    """
    if not is_numbered(builder):
        return set()
    _parts, order = toc_parts(builder)
    numbered = numbered_docs(builder)
    return {doc for doc in order[1:] if doc not in numbered}


def number_depth(builder: QmdBuilder) -> int | None:
    """``numbered: N`` (a depth) of every numbered toctree, when they agree."""
    depths = {
        int(tree.get("numbered"))
        for docname in builder.env.tocs
        for tree in _toctrees(builder, docname)
        if tree.get("numbered")
    }
    if len(depths) == 1:
        depth = depths.pop()
        if 0 < depth < 999:  # sphinx-external-toc writes `numbered: true` as 999
            return depth
    return None


def toc_titles(builder: QmdBuilder) -> dict[str, str]:
    """``title:`` of a ``_toc.yml`` entry (or ``Title <doc>`` in a toctree), by docname."""
    titles: dict[str, str] = {}
    for docname in builder.env.tocs:
        for tree in _toctrees(builder, docname):
            for title, ref in _children(builder, tree):
                if title and ref in builder.env.all_docs:
                    titles.setdefault(ref, str(title))
    return titles


def page_title(builder: QmdBuilder, docname: str) -> str:
    """The page's own title (its first heading); '' when it has none."""
    title = builder.env.titles.get(docname)
    text = " ".join(title.astext().split()) if title is not None else ""
    return "" if text == "<no title>" else text


# -- the {tableofcontents} list ----------------------------------------------------------


@dataclass
class TocLink:
    """One line of a generated table of contents: a page (or URL) and its own entries."""

    title: str
    target: str  # a docname, or a URL when ``external``
    external: bool = False
    children: list[TocLink] = field(default_factory=list)


@dataclass
class TocListing:
    """A visible toctree as a list: its caption and its links, nested as the toc nests."""

    caption: str | None
    links: list[TocLink] = field(default_factory=list)


def toc_listing(builder: QmdBuilder, docname: str, tree: nodes.Element) -> TocListing:
    """The toctree *tree* of *docname* with every page below it (source titles only).

    Jupyter Book prints this where a page says ``{tableofcontents}``; Sphinx prints it for a
    visible ``toctree``. Quarto has no such directive, so a post-transform turns it into a
    list of links (:mod:`..transforms.toctree`) that translation then treats as prose.
    """
    titles = toc_titles(builder)
    seen: set[str] = {docname}

    def links(tree: nodes.Element) -> list[TocLink]:
        found: list[TocLink] = []
        for title, ref in _children(builder, tree):
            if "://" in ref or ref.startswith("mailto:"):
                found.append(TocLink(title or ref, ref, external=True))
                continue
            if ref in seen or ref not in builder.env.all_docs:
                continue
            seen.add(ref)
            text = title or titles.get(ref) or page_title(builder, ref) or ref
            link = TocLink(text, ref)
            for child in _toctrees(builder, ref):
                link.children.extend(links(child))
            found.append(link)
        return found

    return TocListing(tree.get("caption") or None, links(tree))


# -- where a _toc.yml entry is --------------------------------------------------------------


def toc_file(builder: QmdBuilder) -> Path | None:
    """The ``_toc.yml`` sphinx-external-toc read, if any."""
    if not _uses_external_toc(builder):
        return None
    path = Path(builder.srcdir) / str(builder.config.external_toc_path)
    return path if path.is_file() else None


#: libyaml's loader where PyYAML has it: a 500-page ``_toc.yml`` composes in 4 ms, not 33
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def toc_locations(builder: QmdBuilder) -> dict[str, str]:
    """``path/_toc.yml:line`` of each entry: by docname, URL and ``caption:<text>``.

    A string location (not a ``(docname, line)`` tuple, which Sphinx reads as a page).
    """
    path = toc_file(builder)
    if path is None:
        return {}
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError):
        return {}
    suffixes = tuple(builder.config.source_suffix)
    found: dict[str, str] = {}

    def note(key: str, node: yaml.Node) -> None:
        found.setdefault(key, f"{path}:{node.start_mark.line + 1}")

    def walk(node: yaml.Node | None) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if isinstance(value, yaml.ScalarNode) and name in ("file", "root"):
                    entry = str(value.value)
                    docname = next((entry[: -len(s)] for s in suffixes if entry.endswith(s)), entry)
                    note(docname, key)
                elif isinstance(value, yaml.ScalarNode) and name in ("url", "glob"):
                    note(str(value.value), key)
                elif isinstance(value, yaml.ScalarNode) and name == "caption":
                    note(f"caption:{value.value}", key)
                else:
                    walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(root)
    return found


# -- settings from the Sphinx / Jupyter Book configuration ------------------------------------


#: Sphinx's ``project`` when nobody set it: never a book title
SPHINX_DEFAULT_PROJECT = "Project name not set"
#: Sphinx's ``author`` when nobody set it (Sphinx 7.4+; "unknown" before)
UNSET_AUTHORS = frozenset({"", None, "unknown", "Author name not set"})


def configured_title(builder: QmdBuilder) -> str:
    """The title the configuration gives (``qmd_book_title``, ``html_title``, ``project``)."""
    config = builder.config
    if config.qmd_book_title:
        return str(config.qmd_book_title)
    explicit = "html_title" in config.overrides or "html_title" in getattr(
        config, "_raw_config", {}
    )
    if explicit and config.html_title:
        return str(config.html_title)
    project = str(config.project or "")
    return "" if project == SPHINX_DEFAULT_PROJECT else project


def book_title(builder: QmdBuilder) -> str:
    """The book's title, never empty: the configured one, else the root page's title.

    An empty ``title:`` makes Quarto print "Project name not set" on every page.
    """
    title = plain_text(configured_title(builder)).strip()
    if title:
        return title
    return page_title(builder, builder.config.root_doc) or Path(builder.srcdir).name


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(value: str) -> str:
    """Jupyter Book titles and authors may carry HTML (they went into an HTML footer)."""
    if "<" not in value:
        return value
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return " ".join("".join(parser.parts).split())


def copy_asset(builder: QmdBuilder, path: str | None) -> str | None:
    """Copy a logo/favicon (relative to the source folder) into the book; its book path."""
    if not path:
        return None
    if "://" in path:
        return path
    source = Path(builder.srcdir) / path
    if not source.is_file():
        logger.warning(
            "%s not found; left out of _quarto.yml", path, type="qmd", subtype=QmdWarning.PROJECT
        )
        return None
    relative = Path(path).as_posix().lstrip("/")
    if relative.startswith("../"):
        relative = posixpath.basename(relative)
    try:
        copy_file_atomic(source, Path(builder.outdir) / relative)
    except OSError as err:
        logger.warning("cannot copy %s: %s", path, err, type="qmd", subtype=QmdWarning.PROJECT)
        return None
    return relative


def repository(builder: QmdBuilder) -> dict[str, str]:
    options = getattr(builder.config, "html_theme_options", None) or {}
    found: dict[str, str] = {}
    if options.get("repository_url"):
        found["repo-url"] = str(options["repository_url"])
        if options.get("repository_branch"):
            found["repo-branch"] = str(options["repository_branch"])
        if options.get("path_to_docs"):
            found["repo-subdir"] = str(options["path_to_docs"]).strip("/")
    return found


#: myst-nb's value for a config value nobody set (its legacy names default to it)
_UNSET = "--unset--"


def _mode(value: Any) -> str | None:
    """An execution mode as a word (YAML reads ``off`` as False, ``on`` as True)."""
    if value is False:
        return "off"
    if value is True:
        return "auto"
    return None if value in (None, "", _UNSET) else str(value)


def book_execution_mode(config: Any) -> str | None:
    """The book's own execution mode: what it asks for, not what this conversion ran.

    ``qmd_book_execution`` if given (``sphinx-qmd`` sets it from ``_config.yml``); else
    the value conf.py itself assigns (a ``-D nb_execution_mode=off`` override only
    changes this run); else the configured value (``jupyter-book`` passes
    ``_config.yml`` as overrides). None without myst-nb.
    """
    explicit = config.qmd_book_execution if "qmd_book_execution" in config else None
    if explicit:
        return _mode(explicit)
    raw = getattr(config, "_raw_config", None) or {}
    for name in ("jupyter_execute_notebooks", "nb_execution_mode"):
        if _mode(raw.get(name)) is not None:
            return _mode(raw[name])
    if "nb_execution_mode" not in config:
        return None
    legacy = getattr(config, "jupyter_execute_notebooks", None)
    if isinstance(legacy, (str, bool)) and _mode(legacy) is not None:
        return _mode(legacy)
    return _mode(config.nb_execution_mode)


def execution(builder: QmdBuilder) -> dict[str, Any] | None:
    """The book's execution mode (:func:`book_execution_mode`) as Quarto's ``execute:``.

    ``off``: never run; ``cache``: ``freeze: auto``; ``force``: ``enabled: true`` (Quarto
    runs ``.ipynb`` chapters only when told to); ``auto``/``inline``: Quarto's default,
    which like myst-nb's ``auto`` runs what has no stored outputs (``.qmd`` pages) and
    keeps the outputs stored in ``.ipynb`` chapters.
    """
    mode = book_execution_mode(builder.config)
    if mode is None:
        return None
    if mode == "off":
        return {"enabled": False}
    if mode == "cache":
        return {"freeze": "auto"}
    if mode == "force":
        return {"enabled": True}
    return None


def mathjax_macros(builder: QmdBuilder) -> dict[str, Any]:
    """``\\name -> definition`` from ``mathjax3_config.tex.macros`` or MathJax 2's config.

    MathJax 2's form (``TeX.Macros``) is read under every name it may end up with: Jupyter
    Book 1 renames ``mathjax_config`` to ``mathjax3_config``, or to ``mathjax2_config`` when
    ``mathjax_path`` names MathJax 2.
    """
    config = builder.config
    for name, keys in (
        ("mathjax3_config", ("tex", "macros")),
        ("mathjax3_config", ("TeX", "Macros")),
        ("mathjax2_config", ("TeX", "Macros")),
        ("mathjax_config", ("TeX", "Macros")),
    ):
        value = getattr(config, name, None) if name in config else None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, dict) and value:
            return value
    return {}


def newcommands(macros: dict[str, Any], latex: bool) -> list[str]:
    """LaTeX definitions of MathJax macros (``[body, nargs, default]`` forms included)."""
    lines = []
    for name, spec in macros.items():
        body, nargs, default = spec, 0, None
        if isinstance(spec, list):
            body = spec[0] if spec else ""
            nargs = int(spec[1]) if len(spec) > 1 else 0
            default = spec[2] if len(spec) > 2 else None
        args = f"[{nargs}]" if nargs else ""
        if default is not None:
            args += f"[{default}]"
        if latex:
            # \providecommand + \renewcommand: works whether or not LaTeX already has it
            lines.append(
                f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{args}{{{body}}}"
            )
        else:
            lines.append(f"\\newcommand{{\\{name}}}{args}{{{body}}}")
    return lines


def with_macros(formats: dict[str, Any], macros: dict[str, Any]) -> dict[str, Any]:
    """Add the macros to the HTML (hidden MathJax definitions) and PDF (preamble) formats."""
    formats = copy.deepcopy(formats) if formats else {"html": {}, "pdf": {}}
    html_defs = "".join(newcommands(macros, latex=False))
    html_text = f'<span style="display:none">\\({html_defs}\\)</span>'
    latex_text = "\n".join(newcommands(macros, latex=True))
    for fmt, key, text in (
        ("html", "include-before-body", html_text),
        ("pdf", "include-in-header", latex_text),
    ):
        if fmt not in formats:
            continue
        options = formats[fmt] if isinstance(formats[fmt], dict) else {}
        existing = options.get(key)
        entries = existing if isinstance(existing, list) else ([existing] if existing else [])
        options[key] = [*entries, {"text": text}]
        formats[fmt] = options
    return formats


#: captions of a last ``_toc.yml`` part that become Quarto's ``book: appendices:``
APPENDIX_CAPTIONS = frozenset({"appendix", "appendices"})


def split_appendices(
    chapters: list[Any], keep_last: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Any], list[Any]]:
    """(chapters, appendices): a last part captioned "Appendix"/"Appendices" is appendices.

    Jupyter Book has no appendices; a part its author called that is the one sure sign.
    *keep_last* are pages the builder appended after the toc (the references page).
    """
    tail = []
    body = list(chapters)
    while body and isinstance(body[-1], str) and body[-1] in keep_last:
        tail.insert(0, body.pop())
    last = body[-1] if body else None
    if (
        isinstance(last, dict)
        and isinstance(last.get("part"), str)
        and last["part"].strip().lower() in APPENDIX_CAPTIONS
        and isinstance(last.get("chapters"), list)
        and last["chapters"]
    ):
        return body[:-1] + tail, list(last["chapters"])
    return chapters, []


def quarto_config(builder: QmdBuilder, chapters: list[Any], bibfiles: list[str]) -> dict[str, Any]:
    """The ``_quarto.yml`` of the book (a ``jb-article`` toc too: its sections are chapters)."""
    config = builder.config
    title = book_title(builder)
    author = config.author if config.author not in UNSET_AUTHORS else None
    author = plain_text(str(author)) if author else None
    logo = copy_asset(builder, getattr(config, "html_logo", None) or None)
    favicon = copy_asset(builder, getattr(config, "html_favicon", None) or None)
    book: dict[str, Any] = {"title": title}
    if author:
        book["author"] = author
    if favicon:
        book["favicon"] = favicon
    if logo:
        book["sidebar"] = {"logo": logo}
    book.update(repository(builder))
    chapters, appendices = split_appendices(chapters, {config.qmd_references_page})
    book["chapters"] = chapters
    if appendices:
        book["appendices"] = appendices
    project: dict[str, Any] = {"project": {"type": "book"}, "book": book}
    if is_numbered(builder):
        depth = number_depth(builder)
        if depth:
            project["number-depth"] = depth
    elif builder.env.tocs and _uses_external_toc(builder):
        # a Jupyter Book numbers nothing unless its _toc.yml says `numbered: true`
        project["number-sections"] = False
    if bibfiles:
        project["bibliography"] = bibfiles if len(bibfiles) > 1 else bibfiles[0]
    executing = execution(builder)
    if executing:
        project["execute"] = executing
    formats = config.qmd_quarto_formats
    macros = mathjax_macros(builder)
    if macros:
        formats = with_macros(formats, macros)
    if formats:
        project["format"] = formats
    return project


# -- validation: only the forms Quarto accepts (QUARTO.md facts 2, 15, 21, 22) ------------------


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and ("://" in value or value.startswith("mailto:"))


class _BookCheck:
    """Walks ``book: chapters``/``appendices`` keeping what Quarto accepts, warning for the rest."""

    def __init__(self, builder: QmdBuilder) -> None:
        self.builder = builder
        self.outdir = Path(builder.outdir)
        self.locations = toc_locations(builder)
        self.docnames = {builder.get_target_uri(doc): doc for doc in builder.env.all_docs}
        self.links: list[dict[str, str]] = []

    def where(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.locations.get(self.docnames.get(key, key))

    def warn(self, key: str | None, message: str, *args: Any) -> None:
        logger.warning(
            message,
            *args,
            location=self.where(key),
            type="qmd",
            subtype=QmdWarning.BOOK_STRUCTURE,
        )

    def is_page(self, entry: Any) -> bool:
        if not isinstance(entry, str) or not entry or _is_url(entry):
            return False
        return (self.outdir / entry).is_file()

    def usable_part_title(self, title: Any) -> bool:
        if not isinstance(title, str) or not title.strip() or _is_url(title):
            return False
        # "p2.qmd" is a part page (QUARTO.md fact 22): it must have been written
        return not title.endswith((".qmd", ".ipynb", ".md")) or self.is_page(title)

    def chapters(self, items: Any, where: str, nested: bool = False) -> list[Any]:
        kept: list[Any] = []
        for entry in items if isinstance(items, list) else []:
            href = entry.get("href") if isinstance(entry, dict) else entry
            if _is_url(href):
                text = entry.get("text") if isinstance(entry, dict) else None
                self.links.append({"href": str(href), "text": str(text or href)})
                self.warn(
                    href,
                    "link %s is not a page: Quarto refuses URLs in book %s; "
                    "it is in the navbar instead",
                    href,
                    where,
                )
            elif isinstance(entry, dict) and "part" in entry:
                title = entry.get("part")
                inner = self.chapters(entry.get("chapters"), where, nested=True)
                if nested or not self.usable_part_title(title):
                    why = "is inside a part" if nested else "has no usable title"
                    self.warn(
                        f"caption:{title}",
                        "part %r %s; its pages are listed without it",
                        title,
                        why,
                    )
                    kept.extend(inner)
                elif not inner:
                    self.warn(f"caption:{title}", "part %r has no pages; left out", title)
                else:
                    kept.append({**entry, "chapters": inner})
            elif self.is_page(entry):
                kept.append(entry)
            else:
                self.warn(
                    entry if isinstance(entry, str) else None,
                    "book %s entry %r is not a written page; left out of _quarto.yml",
                    where,
                    entry,
                )
        return kept


def check_book(builder: QmdBuilder, data: dict[str, Any]) -> dict[str, Any]:
    """Keep ``_quarto.yml`` inside the forms Quarto accepts; warn for every change.

    Every ``chapters``/``appendices`` item must be a written page or a ``part:`` with a title
    (or an existing file) and pages; a URL there stops the render (QUARTO.md fact 2) and goes to
    ``book: navbar: left:``; an empty title gives "Project name not set" on every page.
    Warnings point at the ``_toc.yml`` entry when there is one.
    """
    book = data.get("book")
    if not isinstance(book, dict):
        return data
    check = _BookCheck(builder)
    book["chapters"] = check.chapters(book.get("chapters") or [], "chapters")
    if "appendices" in book:
        appendices = check.chapters(book.get("appendices") or [], "appendices")
        if appendices:
            book["appendices"] = appendices
        else:
            del book["appendices"]
    if not book["chapters"]:
        root = builder.get_target_uri(builder.config.root_doc)
        check.warn(root, "the book has no written page; %s is listed anyway", root)
        book["chapters"] = [root]
    if check.links:
        navbar = book.setdefault("navbar", {})
        navbar.setdefault("left", []).extend(check.links)
    title = book.get("title")
    if not isinstance(title, str) or not title.strip():
        title = book["title"] = book_title(builder)
    if not configured_title(builder).strip():
        logger.warning(
            "the book has no title (an empty or missing `title:`); Quarto would print "
            "'Project name not set': the title is %r",
            title,
            location=_config_location(builder),
            type="qmd",
            subtype=QmdWarning.BOOK_STRUCTURE,
        )
    return data


def _config_location(builder: QmdBuilder) -> str | None:
    """``path/_config.yml:line`` of a Jupyter Book's ``title:`` (or of the file)."""
    path = Path(builder.srcdir) / "_config.yml"
    if not path.is_file():
        return None
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError):
        root = None
    if isinstance(root, yaml.MappingNode):
        for key, _value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "title":
                return f"{path}:{key.start_mark.line + 1}"
    return f"{path}:1"


def _uses_external_toc(builder: QmdBuilder) -> bool:
    return "external_toc_path" in builder.config


def dump_yaml(data: dict[str, Any]) -> str:
    """``_quarto.yml`` text (keys in the order they were built)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def quarto_config_yaml(builder: QmdBuilder, chapters: list[Any], bibfiles: list[str]) -> str:
    """The checked ``_quarto.yml`` text (see :func:`check_book`)."""
    return dump_yaml(check_book(builder, quarto_config(builder, chapters, bibfiles)))


def quarto_executes(builder: QmdBuilder) -> bool:
    """Whether the written ``_quarto.yml`` lets Quarto run the book's code."""
    return (execution(builder) or {}).get("enabled", True) is not False
