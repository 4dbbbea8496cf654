"""Jupyter Book 1 folders: ``_config.yml`` (+ ``_toc.yml``) turned into Sphinx configuration.

Mirrors what ``jupyter_book.config.yaml_to_sphinx`` does, without needing jupyter-book
installed (it is not, in the current-end environment). HTML-only settings (theme, launch
buttons, analytics) and HTML-only extensions (listed with reasons in :mod:`.extensions`)
are left out: the qmd builder has no use for them, except the few that
``_quarto.yml`` mirrors (logo, favicon, repository URL), which keep their Sphinx names so a
``jupyter-book build --builder custom`` run and a ``sphinx-qmd`` run read them the same way.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .extensions import JB_DOCTREE_EXTENSIONS, is_html_only

#: Jupyter Book 1's own extensions that matter for content (the HTML-only ones, and why
#: each is left out, are listed in :mod:`.extensions`).
JB_DEFAULT_EXTENSIONS = JB_DOCTREE_EXTENSIONS

#: ``parse.myst_enable_extensions`` when ``_config.yml`` does not say (JB1's default_config.yml).
JB_DEFAULT_MYST_EXTENSIONS = ("colon_fence", "dollarmath", "linkify", "substitution", "tasklist")

#: ``parse.myst_url_schemes`` when ``_config.yml`` does not say (JB1 passes its default on).
JB_DEFAULT_URL_SCHEMES = ("mailto", "http", "https")

#: ``repository.branch`` when ``_config.yml`` names a URL but no branch (JB1's default).
JB_DEFAULT_BRANCH = "master"

#: What jupyter-book 1 fills in from its default_config.yml when ``_config.yml`` does not
#: say: placeholders, not the book's own (see :func:`align_jupyter_book_route`).
JB_PLACEHOLDERS = {"html_title": "My Jupyter Book", "author": "The Jupyter Book community"}
JB_PLACEHOLDER_REPOSITORY = "https://github.com/executablebooks/jupyter-book"

#: ``exclude_patterns`` Jupyter Book always adds.
JB_DEFAULT_EXCLUDES = ("_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints")

#: ``execute.*`` keys -> myst-nb config values (as in JB1).
EXECUTE_KEYS = {
    "allow_errors": "nb_execution_allow_errors",
    "raise_on_error": "nb_execution_raise_on_error",
    "eval_regex": "nb_eval_name_regex",
    "show_tb": "nb_execution_show_tb",
    "run_in_temp": "nb_execution_in_temp",
    "stderr_output": "nb_output_stderr",
    "timeout": "nb_execution_timeout",
    "cache": "nb_execution_cache_path",
    "execute_notebooks": "nb_execution_mode",
    "exclude_patterns": "nb_execution_excludepatterns",
}


@dataclass
class JupyterBookConfig:
    """The Sphinx configuration of a Jupyter Book folder, and what could not be honoured."""

    overrides: dict[str, Any]
    missing_extensions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_jupyter_book(folder: Path) -> bool:
    """A Jupyter Book 1 folder: ``_config.yml`` or ``_toc.yml`` and no ``conf.py``."""
    return not (folder / "conf.py").is_file() and (
        (folder / "_config.yml").is_file() or (folder / "_toc.yml").is_file()
    )


def importable(module: str) -> bool:
    """Whether *module* can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def load_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from *path*; an empty mapping for an empty file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a YAML mapping")
    return data


def _load_extensions(names: Iterable[str], extensions: list[str], missing: list[str]) -> None:
    """Add the importable *names* to *extensions* (HTML-only ones left out, see
    :mod:`.extensions`); the others go to *missing*, to be named in one warning."""
    for ext in names:
        if is_html_only(ext):
            continue
        if importable(ext):
            _add_unique(extensions, [ext])
        elif ext not in missing:
            missing.append(ext)


def _add_unique(target: list[str], items: Iterable[str]) -> None:
    for item in items:
        if item not in target:
            target.append(item)


def _recursive_update(target: dict[str, Any], update: dict[str, Any]) -> None:
    """``sphinx: recursive_update: true``: nested dicts are merged, as JB1 does."""
    for key, value in update.items():
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            target[key] = dict(target[key])
            _recursive_update(target[key], value)
        else:
            target[key] = value


def _execution_mode(value: Any) -> Any:
    # YAML reads an unquoted `off` as False
    if value is False:
        return "off"
    if value is True:
        return "auto"
    return value


def sphinx_config(book: dict[str, Any], folder: Path | None = None) -> JupyterBookConfig:
    """Sphinx config values (for ``confoverrides``) from a parsed ``_config.yml``.

    Extensions that are not importable are left out and listed in ``missing_extensions``
    (the caller warns once and builds on). *folder* is the book folder, used for
    ``_toc.yml`` and ``sphinx.local_extensions`` paths.
    """
    conf: dict[str, Any] = {}
    notes: list[str] = []
    extensions: list[str] = [ext for ext in JB_DEFAULT_EXTENSIONS if importable(ext)]

    for key, name in (
        ("title", "html_title"),
        ("author", "author"),
        ("copyright", "copyright"),
        ("logo", "html_logo"),
        ("project", "project"),
    ):
        if key in book:
            conf[name] = "" if book[key] is None else book[key]
    if book.get("title") and "project" not in book:
        conf["project"] = book["title"]

    excludes = set(JB_DEFAULT_EXCLUDES)
    excludes.update(book.get("exclude_patterns") or [])
    conf["exclude_patterns"] = sorted(excludes)

    if "only_build_toc_files" in book:
        conf["external_toc_exclude_missing"] = bool(book["only_build_toc_files"])

    repository = book.get("repository") or {}
    theme_options: dict[str, Any] = {}
    for spx_key, yml_key in (
        ("path_to_docs", "path_to_book"),
        ("repository_url", "url"),
        ("repository_branch", "branch"),
    ):
        if repository.get(yml_key):
            theme_options[spx_key] = repository[yml_key]
    if theme_options.get("repository_url"):
        # JB1 links to this branch when the book names none (its default_config.yml)
        theme_options.setdefault("repository_branch", JB_DEFAULT_BRANCH)
    if theme_options:
        conf["html_theme_options"] = theme_options

    html = book.get("html") or {}
    if html.get("favicon"):
        conf["html_favicon"] = html["favicon"]
    if html.get("baseurl"):
        conf["html_baseurl"] = html["baseurl"]
    if "use_multitoc_numbering" in html:
        # chapters numbered on across numbered parts (sphinx-external-toc reads it)
        conf["use_multitoc_numbering"] = bool(html["use_multitoc_numbering"])

    parse = book.get("parse") or {}
    # JB1 keeps its default list when the book's list is empty or missing
    myst_extensions = list(parse.get("myst_enable_extensions") or JB_DEFAULT_MYST_EXTENSIONS)
    if "linkify" in myst_extensions and not importable("linkify_it"):
        myst_extensions.remove("linkify")
        notes.append(
            "the MyST extension 'linkify' needs linkify-it-py, which is not installed; "
            "bare URLs stay plain text"
        )
    conf["myst_enable_extensions"] = myst_extensions
    for key in ("myst_substitutions", "myst_url_schemes", "myst_dmath_double_inline"):
        if key in parse:
            conf[key] = parse[key]
    # JB1 passes its default on (myst-parser's own default also has ftp)
    conf.setdefault("myst_url_schemes", list(JB_DEFAULT_URL_SCHEMES))

    execute = book.get("execute") or {}
    for yml_key, spx_key in EXECUTE_KEYS.items():
        if yml_key in execute and execute[yml_key] not in ("", None):
            conf[spx_key] = execute[yml_key]
    conf["nb_execution_mode"] = _execution_mode(conf.get("nb_execution_mode", "auto"))
    # the book's own intent for _quarto.yml, whatever this run does (-D, qmd_execute)
    conf["qmd_book_execution"] = conf["nb_execution_mode"]

    sphinx_section = book.get("sphinx") or {}
    extra = sphinx_section.get("extra_extensions") or []
    if isinstance(extra, str):
        extra = [extra]
    local = sphinx_section.get("local_extensions") or {}
    missing: list[str] = []
    for name, path in local.items():
        if folder is not None and path:
            import sys

            resolved = str((folder / path).resolve())
            if resolved not in sys.path:
                sys.path.append(resolved)
        extra = [*extra, name]
    if book.get("bibtex_bibfiles") or "bibtex_reference_style" in book:
        # JB1 loads sphinxcontrib-bibtex for either key but passes on only the bib files
        # (a reference style goes under sphinx: config:)
        extra = [*extra, "sphinxcontrib.bibtex"]
        bibfiles = book.get("bibtex_bibfiles") or []
        conf["bibtex_bibfiles"] = [bibfiles] if isinstance(bibfiles, str) else list(bibfiles)
    _load_extensions(extra, extensions, missing)

    user_config = dict(sphinx_section.get("config") or {})
    if "mathjax_config" in user_config:
        # JB1 renames it for Sphinx >= 4: MathJax 2 when mathjax_path says @2, else MathJax 3
        target = (
            "mathjax2_config"
            if "@2" in str(user_config.get("mathjax_path", ""))
            else "mathjax3_config"
        )
        user_config.setdefault(target, user_config.pop("mathjax_config"))
    user_extensions = user_config.pop("extensions", None)
    _load_extensions(user_extensions or [], extensions, missing)
    if sphinx_section.get("recursive_update") is True:
        _recursive_update(conf, user_config)
    else:
        conf.update(user_config)

    if folder is not None and (folder / "_toc.yml").is_file():
        conf["external_toc_path"] = "_toc.yml"
    if "sphinx_external_toc" not in extensions:
        conf.pop("external_toc_path", None)
        conf.pop("external_toc_exclude_missing", None)
    conf.setdefault("numfig", True)
    conf.setdefault("suppress_warnings", ["myst.domains"])
    _add_unique(extensions, ["sphinx_qmd_builder"])
    conf["extensions"] = extensions
    return JupyterBookConfig(conf, missing, notes)


def read_book(folder: Path) -> JupyterBookConfig:
    """The Sphinx configuration of the Jupyter Book in *folder*."""
    config_file = folder / "_config.yml"
    book = load_yaml(config_file) if config_file.is_file() else {}
    return sphinx_config(book, folder)


def align_jupyter_book_route(app: Any, config: Any) -> None:
    """``jupyter-book build --builder custom --custom-builder qmd`` reads ``_config.yml`` as
    ``sphinx-qmd`` does, so both routes write the same book.

    jupyter-book 1 lays its default_config.yml under the book's: a book without ``title``
    becomes "My Jupyter Book", one without ``author`` is by "The Jupyter Book community",
    one without ``repository`` links to jupyter-book's own repository. Those are
    placeholders, not the book's, and are taken back out. It also drops
    ``parse.myst_dmath_double_inline`` (only ``myst_substitutions`` and ``myst_url_schemes``
    reach Sphinx), which is put back, and sets no ``project`` where ``sphinx-qmd`` takes the
    title. Only a build that loaded the ``jupyter_book`` extension from a Jupyter Book
    folder is touched.
    """
    from .quarto_yml import SPHINX_DEFAULT_PROJECT

    srcdir = Path(app.srcdir)
    if "jupyter_book" not in (config.extensions or []) or not is_jupyter_book(srcdir):
        return
    config_file = srcdir / "_config.yml"
    try:
        book = load_yaml(config_file) if config_file.is_file() else {}
    except (OSError, ValueError, yaml.YAMLError):
        return
    for name, placeholder in JB_PLACEHOLDERS.items():
        key = "title" if name == "html_title" else name
        if key not in book and name in config and config[name] == placeholder:
            config[name] = ""
    if book.get("title") and "project" not in book and config.project == SPHINX_DEFAULT_PROJECT:
        # sphinx-qmd names the project after the title (translation memories carry it)
        config.project = book["title"]

    options = config.html_theme_options if "html_theme_options" in config else None
    if isinstance(options, dict) and options.get("repository_url") == JB_PLACEHOLDER_REPOSITORY:
        user_options = ((book.get("sphinx") or {}).get("config") or {}).get("html_theme_options")
        named = {
            (book.get("repository") or {}).get("url"),
            (user_options or {}).get("repository_url") if isinstance(user_options, dict) else None,
        }
        if JB_PLACEHOLDER_REPOSITORY not in named:
            repository_keys = ("repository_url", "repository_branch", "path_to_docs")
            config.html_theme_options = {
                key: value for key, value in options.items() if key not in repository_keys
            }

    parse = book.get("parse") or {}
    if "myst_dmath_double_inline" in parse and "myst_dmath_double_inline" in config:
        config.myst_dmath_double_inline = parse["myst_dmath_double_inline"]
