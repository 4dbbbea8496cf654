"""A test-only ``conf.py`` for a Jupyter Book (``_config.yml`` + ``_toc.yml``, no conf.py).

Mirrors what Jupyter Book 1 would hand to Sphinx, as far as the qmd builder cares: its
default MyST extensions (or the book's), bibtex files, the external TOC, extra extensions,
notebook execution off. The real CLI for this belongs to the Jupyter-Book issue; this is
only so that tests and benchmarks can build the real books in ../shared/corpora.
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
from pathlib import Path
from typing import Any

import yaml

#: Jupyter Book 1's default ``parse.myst_enable_extensions``
JB_MYST_EXTENSIONS = ["colon_fence", "dollarmath", "linkify", "substitution", "tasklist"]


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def jb_sphinx_config(book: Path) -> dict[str, Any]:
    """Sphinx config values for the Jupyter Book in *book*."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8")) or {}
    parse = config.get("parse") or {}
    sphinx = config.get("sphinx") or {}
    myst_extensions = list(parse.get("myst_enable_extensions") or JB_MYST_EXTENSIONS)
    if "linkify" in myst_extensions and not _importable("linkify_it"):
        myst_extensions.remove("linkify")  # needs linkify-it-py; only autolinks bare URLs
    extensions = ["myst_nb", "sphinx_external_toc"]
    bibfiles = list(config.get("bibtex_bibfiles") or [])
    if bibfiles:
        extensions.append("sphinxcontrib.bibtex")
    for extra in sphinx.get("extra_extensions") or []:
        if _importable(extra.split(".")[0]):
            extensions.append(extra)
    values: dict[str, Any] = {
        "project": config.get("title", "Book"),
        "author": config.get("author", ""),
        "extensions": extensions,
        "external_toc_path": "_toc.yml",
        "external_toc_exclude_missing": False,
        "myst_enable_extensions": myst_extensions,
        "myst_dmath_double_inline": bool(parse.get("myst_dmath_double_inline", True)),
        "nb_execution_mode": "off",
        "numfig": True,
        "exclude_patterns": ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"],
        "suppress_warnings": ["myst.domains"],
    }
    if config.get("only_build_toc_files"):
        # as Jupyter Book does: every source file the TOC does not name is excluded
        listed = toc_files(book)
        for path in sorted(book.rglob("*")):
            rel = path.relative_to(book).as_posix()
            if path.suffix in SOURCE_SUFFIXES and rel.rsplit(".", 1)[0] not in listed:
                values["exclude_patterns"].append(rel)
    if bibfiles:
        values["bibtex_bibfiles"] = bibfiles
        values["bibtex_reference_style"] = "author_year"
    return values


SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")


def toc_files(book: Path) -> set[str]:
    """Every document ``_toc.yml`` names (``root`` and each ``file``), without suffix."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("root", "file") and isinstance(item, str):
                    found.add(item.rsplit(".", 1)[0] if item.endswith(SOURCE_SUFFIXES) else item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8")))
    return found


def copy_book(book: Path, dest: Path) -> Path:
    """Copy the read-only *book* to *dest* (writable) and write its conf.py there."""
    shutil.copytree(book, dest, ignore=shutil.ignore_patterns("_build", ".git"))
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    lines = [f"{key} = {value!r}" for key, value in jb_sphinx_config(dest).items()]
    (dest / "conf.py").write_text(
        "# generated for tests from _config.yml\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    return dest
