"""A test-only ``conf.py`` for a Jupyter Book v1 folder (``_config.yml`` + ``_toc.yml``).

Mirrors what ``jupyter-book config sphinx`` would write, closely enough to build the
corpora with any Sphinx builder: myst-nb with execution off, sphinx-external-toc for the
table of contents, the usual Jupyter Book extensions, the book's ``extra_extensions``
(those that are installed) and ``sphinx: config:``. Self-contained on purpose: the
product's own Jupyter Book support is another module and must not be tested by itself.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import yaml

#: extensions Jupyter Book v1 always loads (when they are installed here)
DEFAULT_EXTENSIONS = [
    "myst_nb",
    "sphinx_external_toc",
    "sphinx_design",
    "sphinx_togglebutton",
    "sphinx_proof",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx.ext.intersphinx",
]

MYST_EXTENSIONS = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "html_image",
    "linkify",
    "substitution",
    "tasklist",
    "html_admonition",
]

#: config keys that only matter to HTML themes and may name things not installed here
_SKIP_CONFIG = {"html_theme", "html_theme_options", "html_js_files", "thebe_config"}


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def conf_values(book: Path) -> dict[str, Any]:
    """The Sphinx configuration of the Jupyter Book in *book*."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8")) or {}
    sphinx = config.get("sphinx") or {}
    extensions = [e for e in DEFAULT_EXTENSIONS if _importable(e.split(".")[0])]
    for ext in sphinx.get("extra_extensions") or []:
        if ext not in extensions and _importable(ext):
            extensions.append(ext)
    myst_extensions = [e for e in MYST_EXTENSIONS if e != "linkify" or _importable("linkify_it")]
    values: dict[str, Any] = {
        "project": config.get("title", "Book"),
        "author": config.get("author", ""),
        "extensions": extensions,
        "external_toc_path": "_toc.yml",
        "external_toc_exclude_missing": False,
        "nb_execution_mode": "off",
        "myst_enable_extensions": myst_extensions,
        "myst_heading_anchors": 4,
        "numfig": True,
        "suppress_warnings": ["myst.domains", "mystnb.unknown_mime_type"],
        "exclude_patterns": ["_build", "**.ipynb_checkpoints", ".DS_Store", "Thumbs.db"],
        "bibtex_bibfiles": config.get("bibtex_bibfiles") or [],
        "bibtex_reference_style": "author_year",
    }
    # an empty notebook file makes myst-nb raise while reading; it holds no words, so the
    # word count loses nothing when it is left out (broken inputs are tested elsewhere)
    empty = sorted(
        p.relative_to(book).as_posix() for p in book.rglob("*.ipynb") if p.stat().st_size == 0
    )
    values["exclude_patterns"] += empty
    if "language" in config:
        values["language"] = config["language"]
    parse = config.get("parse") or {}
    for key, value in parse.items():
        if key.startswith("myst_") and key != "myst_enable_extensions":
            values[key] = value
    for key, value in (sphinx.get("config") or {}).items():
        if key not in _SKIP_CONFIG:
            values[key] = value
    return values


def write_conf(book: Path) -> None:
    """Write ``conf.py`` into the (copied) book folder *book*."""
    lines = [f"{key} = {value!r}" for key, value in conf_values(book).items()]
    (book / "conf.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy_book(source: Path, dest: Path) -> Path:
    """Copy a read-only corpus book to *dest* and give it a conf.py."""
    shutil.copytree(source, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("_build"))
    for path in dest.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
        elif path.is_dir():
            path.chmod(0o755)
    write_conf(dest)
    return dest
