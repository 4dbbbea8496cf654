"""``sphinx-qmd BOOK_DIR OUT_DIR``: a Sphinx project or a Jupyter Book 1 folder -> Quarto book.

A folder with ``conf.py`` is built as it is; a Jupyter Book folder (``_config.yml`` and
``_toc.yml``, no ``conf.py``) gets its configuration from :mod:`.jupyterbook`, in memory:
nothing is written into the book folder. Everything the build writes (doctrees, myst-nb's
output folder and execution cache) goes under OUT_DIR. No notebook runs unless
``--execute`` is given. Exit status as ``sphinx-build``:
0 success, 1 warnings turned errors (``-W``) or a failed build (also: a page left out, an
image refused or missing), 2 bad arguments or a crash.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sphinx-qmd",
        description="Convert a Sphinx project or a Jupyter Book 1 folder into a Quarto book.",
    )
    p.add_argument("book_dir", type=Path, help="the book (a folder with conf.py or _config.yml)")
    p.add_argument("out_dir", type=Path, help="where the Quarto book is written")
    p.add_argument("-j", "--jobs", default="1", help="parallel processes ('auto' or N)")
    p.add_argument("-W", dest="warning_is_error", action="store_true", help="warnings fail")
    p.add_argument(
        "--keep-going", action="store_true", help="with -W: go on and report all warnings"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument(
        "-v", dest="verbosity", action="count", default=0, help="more output (-vv: even more)"
    )
    p.add_argument(
        "-D",
        dest="define",
        action="append",
        default=[],
        metavar="name=value",
        help="override a configuration value",
    )
    p.add_argument("-E", dest="fresh_env", action="store_true", help="read every file again")
    p.add_argument(
        "--project-type",
        choices=("book", "website"),
        help="the Quarto project written (qmd_project_type; default book)",
    )
    p.add_argument(
        "--execute",
        action="store_true",
        help="run the notebooks as the book's execution mode says (qmd_execute); by default "
        "no code runs and the stored outputs are kept",
    )
    p.add_argument(
        "--project-root",
        metavar="DIR",
        type=Path,
        help="the folder files may be read from (qmd_project_root); default: the nearest "
        "folder above the book holding .git, else the book folder",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    tr = p.add_argument_group("translation (DeepL; the key only from DEEPL_AUTH_KEY)")
    tr.add_argument("--translate", action="store_true", help="translate prose (qmd_translate)")
    tr.add_argument("--translate-source", metavar="LANG", help="source language, e.g. DE")
    tr.add_argument("--translate-target", metavar="LANG", help="target language, e.g. EN-US")
    tr.add_argument("--deepl-server-url", metavar="URL", help="DeepL API server")
    tr.add_argument("--translation-dir", metavar="DIR", help="translation memory folder")
    tr.add_argument("--translate-glossary", metavar="CSV", help="glossary: source,target rows")
    tr.add_argument(
        "--translate-missing", choices=("warn", "error"), help="untranslated text without a key"
    )
    return p


def _translation_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The ``qmd_translate*`` config values given as flags."""
    overrides: dict[str, Any] = {"qmd_translate": True} if args.translate else {}
    for flag, name in (
        ("translate_source", "qmd_translate_source"),
        ("translate_target", "qmd_translate_target"),
        ("deepl_server_url", "qmd_deepl_server_url"),
        ("translation_dir", "qmd_translation_dir"),
        ("translate_glossary", "qmd_translate_glossary"),
        ("translate_missing", "qmd_translate_missing"),
    ):
        value = getattr(args, flag)
        if value is not None:
            overrides[name] = value
    return overrides


def _jobs(value: str) -> int:
    if value == "auto":
        import os

        return os.cpu_count() or 1
    number = int(value)
    if number < 1:
        raise ValueError("-j needs a positive number")
    return number


def _defines(items: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-D needs name=value, got {item!r}")
        overrides[name.strip()] = value
    return overrides


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sphinx-qmd``; returns the exit status."""
    args = parser().parse_args(argv)
    book: Path = args.book_dir
    out: Path = args.out_dir
    err = sys.stderr
    if not book.is_dir():
        print(f"sphinx-qmd: error: {book} is not a folder", file=err)
        return 2
    if book.resolve() == out.resolve() or _is_inside(book, out):
        print("sphinx-qmd: error: OUT_DIR must not contain the book", file=err)
        return 2
    if _is_inside(out, book) and out.resolve().relative_to(book.resolve()).parts[0] != "_build":
        # the written .ipynb/.qmd would be read back as sources; _build is excluded by default
        print("sphinx-qmd: error: OUT_DIR inside the book must be under its _build/", file=err)
        return 2
    try:
        jobs = _jobs(args.jobs)
        defines = _defines(args.define)
    except ValueError as exc:
        print(f"sphinx-qmd: error: {exc}", file=err)
        return 2

    import yaml
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from .book.jupyterbook import is_jupyter_book, read_book

    status = None if args.quiet else sys.stdout
    confdir: Path | None = book
    overrides: dict[str, Any] = {}
    if is_jupyter_book(book):
        confdir = None
        try:
            jb = read_book(book)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            print(f"sphinx-qmd: error: cannot read {book / '_config.yml'}: {exc}", file=err)
            return 2
        overrides.update(jb.overrides)
        if "myst_nb" in overrides.get("extensions", []):
            # myst-nb's default cache is beside OUT_DIR; keep everything inside it
            overrides.setdefault("nb_execution_cache_path", str((out / ".jupyter_cache").resolve()))
        if jb.missing_extensions:
            print(
                "WARNING: extensions named in _config.yml are not installed and are left out: "
                + ", ".join(jb.missing_extensions)
                + " (their directives get the unknown-construct warning)",
                file=err,
            )
        for note in jb.notes:
            print(f"WARNING: {note}", file=err)
        if status is not None:
            print(f"Jupyter Book folder: {book} (configuration from _config.yml)", file=status)
    elif not (book / "conf.py").is_file():
        print(f"sphinx-qmd: error: {book} has neither conf.py nor _config.yml/_toc.yml", file=err)
        return 2
    overrides.update(_translation_overrides(args))
    if args.project_type:
        overrides["qmd_project_type"] = args.project_type
    if args.execute:
        overrides["qmd_execute"] = True
    if args.project_root is not None:
        if not args.project_root.is_dir():
            print(f"sphinx-qmd: error: {args.project_root} is not a folder", file=err)
            return 2
        overrides["qmd_project_root"] = str(args.project_root.resolve())
    overrides.update(defines)

    out.mkdir(parents=True, exist_ok=True)
    app = None
    try:
        with patch_docutils(confdir), docutils_namespace():
            app = Sphinx(
                srcdir=str(book),
                confdir=str(confdir) if confdir is not None else None,
                outdir=str(out),
                doctreedir=str(out / ".doctrees"),
                buildername="qmd",
                confoverrides=overrides,
                status=status,
                warning=err,
                freshenv=args.fresh_env,
                warningiserror=args.warning_is_error,
                parallel=jobs,
                keep_going=args.keep_going,
                verbosity=args.verbosity,
            )
            app.build()
            return app.statuscode
    except Exception as exc:
        if args.warning_is_error and exc.__class__.__name__ == "SphinxWarning":
            print(f"sphinx-qmd: warning treated as error: {exc}", file=err)
            return 1
        print(f"sphinx-qmd: error: {exc.__class__.__name__}: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("sphinx-qmd: interrupted", file=err)
        return 2


def console_main(argv: Sequence[str] | None = None) -> None:
    """The ``sphinx-qmd`` command: :func:`main`, then exit without freeing every object.

    Tearing the interpreter down after a build frees the environment, the doctrees and the
    modules one object at a time: 0.6 s of a 9 s build of a 500-page book, for nothing.
    Exit handlers (logging, temporary folders, child processes) still run first; only the
    deallocation is skipped. :func:`main` itself returns normally, for callers in Python.
    """
    status = main(argv)
    atexit._run_exitfuncs()  # what a normal exit runs: flushes logs, removes temp folders
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    console_main()
