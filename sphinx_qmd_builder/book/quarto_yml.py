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
    """``book: chapters:`` -- the root page, then parts; pages outside every toctree last."""
    parts, order = toc_parts(builder)
    uri = builder.get_target_uri
    chapters: list[Any] = [uri(builder.config.root_doc)]
    for part in parts:
        items = [entry if isinstance(entry, dict) else uri(entry) for entry in part.entries]
        if part.caption:
            chapters.append({"part": part.caption, "chapters": items})
        else:
            chapters.extend(items)
    rest = sorted(set(builder.env.all_docs) - set(order))
    chapters.extend(uri(docname) for docname in rest)
    return chapters


def is_article(builder: QmdBuilder) -> bool:
    """A ``jb-article`` toc: one document, not a book."""
    site_map = getattr(builder.env, "external_site_map", None) or getattr(
        builder.config, "external_site_map", None
    )
    return getattr(site_map, "file_format", None) == "jb-article"


def is_numbered(builder: QmdBuilder) -> bool:
    return any(part.numbered for part in toc_parts(builder)[0]) or any(
        tree.get("numbered") for docname in builder.env.tocs for tree in _toctrees(builder, docname)
    )


# -- settings from the Sphinx / Jupyter Book configuration ------------------------------------


def book_title(builder: QmdBuilder) -> str:
    config = builder.config
    if config.qmd_book_title:
        return config.qmd_book_title
    explicit = "html_title" in config.overrides or "html_title" in getattr(
        config, "_raw_config", {}
    )
    if explicit and config.html_title:
        return str(config.html_title)
    return str(config.project)


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
        logger.warning("%s not found; left out of _quarto.yml", path, type="qmd", subtype="project")
        return None
    relative = Path(path).as_posix().lstrip("/")
    if relative.startswith("../"):
        relative = posixpath.basename(relative)
    try:
        copy_file_atomic(source, Path(builder.outdir) / relative)
    except OSError as err:
        logger.warning("cannot copy %s: %s", path, err, type="qmd", subtype="project")
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
    """``\\name -> definition`` from ``mathjax3_config.tex.macros`` or MathJax 2's config."""
    config = builder.config
    for name, keys in (
        ("mathjax3_config", ("tex", "macros")),
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


def quarto_config(builder: QmdBuilder, chapters: list[Any], bibfiles: list[str]) -> dict[str, Any]:
    config = builder.config
    title = plain_text(book_title(builder))
    author = config.author if config.author and config.author != "unknown" else None
    author = plain_text(str(author)) if author else None
    logo = copy_asset(builder, getattr(config, "html_logo", None) or None)
    favicon = copy_asset(builder, getattr(config, "html_favicon", None) or None)
    if is_article(builder):
        pages = [c for c in chapters if isinstance(c, str)]
        project: dict[str, Any] = {"project": {"type": "default", "render": pages}}
        project["title"] = title
        if author:
            project["author"] = author
    else:
        book: dict[str, Any] = {"title": title}
        if author:
            book["author"] = author
        if favicon:
            book["favicon"] = favicon
        if logo:
            book["sidebar"] = {"logo": logo}
        book.update(repository(builder))
        book["chapters"] = chapters
        project = {"project": {"type": "book"}, "book": book}
        if not is_numbered(builder) and builder.env.tocs and _uses_external_toc(builder):
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


def _uses_external_toc(builder: QmdBuilder) -> bool:
    return "external_toc_path" in builder.config


def quarto_config_yaml(builder: QmdBuilder, chapters: list[Any], bibfiles: list[str]) -> str:
    data = quarto_config(builder, chapters, bibfiles)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
