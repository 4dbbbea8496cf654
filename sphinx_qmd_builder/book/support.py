"""Support files: the files a page's code cells read, copied beside the page in the book.

A Quarto book that executes needs what the notebook's code opens (``sv.mplstyle``,
``data/a.wav``), not only the page. Detected, for the code cells of notebook pages:

* the file named by a cell's ``:load:`` option;
* every string literal of a cell's code that names an existing file relative to the
  page's folder (``open("data/x.csv")``, ``plt.style.use("sv.mplstyle")``);
* ``import name`` / ``from name import ...`` where ``name.py`` lies beside the page.

The code is tokenized (Python's :mod:`tokenize`, which also gets through IPython magics),
never executed. Not detected: paths built at run time (f-strings, ``os.path.join``,
``Path("data") / name``), folders, files named only in markdown. A file is copied only
when it lies inside the project root and keeps its relative path in the book (a path
climbing above the book's top folder cannot).
"""

from __future__ import annotations

import ast
import io
import os
import posixpath
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from ..guard.paths import is_allowed, refuse
from ..warning_types import QmdWarning

if TYPE_CHECKING:
    from ..builder import QmdBuilder

logger = logging.getLogger(__name__)

#: suffixes of pages: never copied as data (the book writes its own version of a page)
PAGE_SUFFIXES = frozenset({".md", ".ipynb", ".rst", ".qmd", ".rmd"})

#: a string literal longer than this is text, not a path
MAX_PATH_LENGTH = 300


def code_names(code: str) -> tuple[list[str], list[str]]:
    """String literals of *code* and the top-level modules it imports (best effort).

    Tokenizing stops quietly at code Python's tokenizer cannot read (another kernel
    language, an unclosed bracket); what was found until then is kept.
    """
    strings: list[str] = []
    modules: list[str] = []
    state = ""  # "import": module names follow; "from": the module of a from-import
    expect = False  # the next name is a module (not a dotted tail or an alias)
    bare = False  # `from . import name`: the names are modules beside the page
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            kind, text = token.type, token.string
            if kind == tokenize.STRING:
                strings.extend(_string_value(text))
            if kind in (tokenize.NEWLINE, tokenize.NL) or text == ";":
                state, expect, bare = "", False, False
            elif kind == tokenize.NAME and text == "import" and state in ("", "from"):
                state, expect = ("import", True) if state == "" or bare else ("skip", False)
            elif kind == tokenize.NAME and text == "from" and state == "":
                state, expect, bare = "from", True, False
            elif state == "from" and text in (".", "..."):
                bare = expect or bare
                expect = False
            elif state == "from" and kind == tokenize.NAME:
                if expect and not bare:
                    modules.append(text)
                expect, bare = False, False
            elif state == "import" and kind == tokenize.NAME:
                if text == "as":
                    expect = False
                elif expect:
                    modules.append(text)
                    expect = False
            elif state == "import" and text == ",":
                expect = True
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return strings, modules


def _string_value(token: str) -> list[str]:
    """The text of a string literal token ([] for an f-string or undecodable bytes)."""
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError):
        return []  # an f-string: its value is only known when the code runs
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return [value] if isinstance(value, str) else []


def _candidate(text: str) -> bool:
    """Whether a string literal could be a relative file path."""
    return (
        0 < len(text) <= MAX_PATH_LENGTH
        and "\n" not in text
        and "://" not in text
        and not text.startswith(("/", "~"))
        and not os.path.isabs(text)
        and text.strip() == text
    )


def cell_code_sources(doctree: nodes.document) -> list[tuple[nodes.Element, str, str | None]]:
    """(cell, code, ``:load:`` path) for each code cell of a notebook page."""
    found = []
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        code = "\n".join(
            block.astext()
            for source in cell.findall(nodes.container)
            if source.get("nb_element") == "cell_code_source"
            for block in source.findall(nodes.literal_block)
        )
        metadata = cell.get("cell_metadata") or {}
        load = metadata.get("load") if isinstance(metadata, dict) else None
        found.append((cell, code, load if isinstance(load, str) else None))
    return found


def support_files(builder: QmdBuilder, docname: str, doctree: nodes.document) -> dict[str, str]:
    """Output path (relative to outdir) -> source file, for the files *docname*'s code reads."""
    cells = cell_code_sources(doctree)
    if not cells:
        return {}
    page_dir = Path(builder.env.doc2path(docname)).parent
    out_dir = posixpath.dirname(builder.out_name(docname))
    page_targets: set[str] | None = None  # every page of the book: only when a file is found
    copies: dict[str, str] = {}
    seen: set[str] = set()
    for cell, code, load in cells:
        strings, modules = code_names(code)
        names = [load] if load else []
        names += [text for text in strings if _candidate(text)]
        names += [f"{module}.py" for module in modules]
        for name in names:
            source = page_dir / name
            if name in seen or not source.is_file() or source.suffix.lower() in PAGE_SUFFIXES:
                continue
            seen.add(name)
            if not is_allowed(builder, source):
                refuse("support file", name, cell, env=builder.env, docname=docname)
                continue
            relative = Path(name).as_posix()
            out_path = posixpath.normpath(posixpath.join(out_dir, relative))
            if page_targets is None:
                page_targets = {builder.get_target_uri(doc) for doc in builder.env.all_docs}
            if out_path.startswith("../") or out_path == ".." or out_path in page_targets:
                logger.warning(
                    "support file %r cannot keep its path beside the page in the book; not copied",
                    name,
                    location=cell,
                    type="qmd",
                    subtype=QmdWarning.SUPPORT,
                )
                continue
            copies[out_path] = str(source)
    return copies
