"""_config.yml -> Sphinx configuration, the way Jupyter Book 1 reads it (no jupyter-book needed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from sphinx_qmd_builder.book import jupyterbook
from sphinx_qmd_builder.book.jupyterbook import (
    JB_PLACEHOLDER_REPOSITORY,
    align_jupyter_book_route,
    importable,
    is_jupyter_book,
    sphinx_config,
)


def test_metadata_keys_are_mapped() -> None:
    conf = sphinx_config(
        {
            "title": "T",
            "author": "A",
            "copyright": "2024",
            "logo": "l.png",
            "html": {"favicon": "f.ico"},
            "repository": {"url": "https://x/y", "branch": "dev", "path_to_book": "book"},
        }
    ).overrides
    assert conf["html_title"] == "T"
    assert conf["project"] == "T"
    assert conf["author"] == "A"
    assert conf["copyright"] == "2024"
    assert conf["html_logo"] == "l.png"
    assert conf["html_favicon"] == "f.ico"
    assert conf["html_theme_options"] == {
        "repository_url": "https://x/y",
        "repository_branch": "dev",
        "path_to_docs": "book",
    }


def test_unquoted_off_is_execution_off() -> None:
    # YAML reads `execute_notebooks: off` as False
    book = yaml.safe_load("execute:\n  execute_notebooks: off\n")
    assert sphinx_config(book).overrides["nb_execution_mode"] == "off"
    assert sphinx_config({"execute": {"execute_notebooks": "cache"}}).overrides[
        "nb_execution_mode"
    ] == ("cache")
    # Jupyter Book's default is auto
    assert sphinx_config({}).overrides["nb_execution_mode"] == "auto"


def test_default_myst_extensions_and_linkify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jupyterbook, "importable", lambda name: name != "linkify_it")
    found = sphinx_config({})
    assert found.overrides["myst_enable_extensions"] == [
        "colon_fence",
        "dollarmath",
        "substitution",
        "tasklist",
    ]
    assert any("linkify" in note for note in found.notes)
    monkeypatch.setattr(jupyterbook, "importable", lambda name: True)
    assert "linkify" in sphinx_config({}).overrides["myst_enable_extensions"]


def test_parse_section() -> None:
    conf = sphinx_config(
        {
            "parse": {
                "myst_enable_extensions": ["amsmath"],
                "myst_substitutions": {"x": "y"},
            }
        }
    ).overrides
    assert conf["myst_enable_extensions"] == ["amsmath"]
    assert conf["myst_substitutions"] == {"x": "y"}


def test_missing_extensions_are_listed_not_loaded() -> None:
    found = sphinx_config(
        {
            "sphinx": {
                "extra_extensions": ["sphinx.ext.todo", "no_such_ext_abc", "sphinx_book_theme"],
                "config": {"extensions": ["no_such_ext_def"]},
            }
        }
    )
    extensions = found.overrides["extensions"]
    assert "sphinx.ext.todo" in extensions
    assert "no_such_ext_abc" not in extensions
    assert found.missing_extensions == ["no_such_ext_abc", "no_such_ext_def"]
    # an HTML-only extension is dropped quietly
    assert "sphinx_book_theme" not in extensions
    assert "sphinx_qmd_builder" in extensions
    assert "myst_nb" in extensions


def test_bibtex_and_toc_options(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    conf = sphinx_config(
        {"bibtex_bibfiles": "refs.bib", "only_build_toc_files": True, "exclude_patterns": ["x"]},
        tmp_path,
    ).overrides
    assert conf["bibtex_bibfiles"] == ["refs.bib"]
    assert "sphinxcontrib.bibtex" in conf["extensions"]
    assert conf["external_toc_path"] == "_toc.yml"
    assert conf["external_toc_exclude_missing"] is True
    assert "x" in conf["exclude_patterns"] and "_build" in conf["exclude_patterns"]


def test_sphinx_config_section_wins_and_mathjax_config_is_renamed() -> None:
    conf = sphinx_config(
        {
            "title": "T",
            "sphinx": {"config": {"html_title": "Other", "mathjax_config": {"TeX": {}}}},
        }
    ).overrides
    assert conf["html_title"] == "Other"
    assert conf["mathjax3_config"] == {"TeX": {}}
    assert "mathjax_config" not in conf


def test_is_jupyter_book(tmp_path: Path) -> None:
    assert not is_jupyter_book(tmp_path)
    (tmp_path / "_config.yml").write_text("title: x\n", encoding="utf-8")
    assert is_jupyter_book(tmp_path)
    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    assert not is_jupyter_book(tmp_path)


def test_importable() -> None:
    assert importable("json")
    assert not importable("no_such_module_xyz")
    assert not importable("no_such_package_xyz.sub")


def test_repository_branch_is_jupyter_books_default() -> None:
    # JB1 links to `master` when the book names a URL but no branch
    conf = sphinx_config({"repository": {"url": "https://x/y", "path_to_book": "book"}}).overrides
    assert conf["html_theme_options"] == {
        "repository_url": "https://x/y",
        "repository_branch": "master",
        "path_to_docs": "book",
    }
    # no URL: no repository (JB1's own placeholder URL is not the book's)
    options = sphinx_config({"repository": {"branch": "dev"}}).overrides["html_theme_options"]
    assert "repository_url" not in options


def test_parse_defaults_as_jupyter_book_passes_them() -> None:
    conf = sphinx_config({"parse": {"myst_enable_extensions": []}}).overrides
    # an empty list keeps JB1's defaults; the URL schemes are JB1's (no ftp)
    assert "colon_fence" in conf["myst_enable_extensions"]
    assert conf["myst_url_schemes"] == ["mailto", "http", "https"]
    schemes = sphinx_config({"parse": {"myst_url_schemes": ["https"]}}).overrides
    assert schemes["myst_url_schemes"] == ["https"]


def test_recursive_update_merges_nested_settings() -> None:
    book = {
        "repository": {"url": "https://x/y", "branch": "dev"},
        "sphinx": {"config": {"html_theme_options": {"use_repository_button": True}}},
    }
    # JB1's default: sphinx.config replaces the whole value
    assert sphinx_config(book).overrides["html_theme_options"] == {"use_repository_button": True}
    book["sphinx"]["recursive_update"] = True
    assert sphinx_config(book).overrides["html_theme_options"] == {
        "repository_url": "https://x/y",
        "repository_branch": "dev",
        "use_repository_button": True,
    }


def test_mathjax2_config_when_mathjax_path_says_2() -> None:
    macros = {"TeX": {"Macros": {"RR": "R"}}}
    user = {"mathjax_path": "https://x/mathjax@2/a.js", "mathjax_config": macros}
    conf = sphinx_config({"sphinx": {"config": user}}).overrides
    assert conf["mathjax2_config"] == macros
    assert "mathjax3_config" not in conf


def _jupyter_book_config(overrides: dict) -> object:
    from sphinx.config import Config

    config = Config({"extensions": ["myst_nb", "jupyter_book"]}, overrides)
    _add_html_values(config)
    config.add("myst_dmath_double_inline", False, "env", ())
    return config


def _add_html_values(config: object) -> None:
    # registered by the HTML builder, which these bare configurations do not load
    config.add("html_title", "", "html", ())
    config.add("html_theme_options", {}, "html", ())


def test_jupyter_book_route_drops_placeholders(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text(
        "parse:\n  myst_dmath_double_inline: true\n", encoding="utf-8"
    )
    placeholders = {
        "html_title": "My Jupyter Book",
        "author": "The Jupyter Book community",
        "html_theme_options": {
            "repository_url": JB_PLACEHOLDER_REPOSITORY,
            "repository_branch": "master",
            "path_to_docs": "",
            "search_bar_text": "Search this book...",
        },
    }
    config = _jupyter_book_config(placeholders)
    align_jupyter_book_route(SimpleNamespace(srcdir=tmp_path), config)
    assert config.html_title == ""
    assert config.author == ""
    assert config.html_theme_options == {"search_bar_text": "Search this book..."}
    assert config.myst_dmath_double_inline is True


def test_jupyter_book_route_keeps_what_the_book_says(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text(
        f"title: My Jupyter Book\nauthor: The Jupyter Book community\n"
        f"repository:\n  url: {JB_PLACEHOLDER_REPOSITORY}\n",
        encoding="utf-8",
    )
    options = {"repository_url": JB_PLACEHOLDER_REPOSITORY, "repository_branch": "master"}
    config = _jupyter_book_config(
        {
            "html_title": "My Jupyter Book",
            "author": "The Jupyter Book community",
            "html_theme_options": options,
        }
    )
    align_jupyter_book_route(SimpleNamespace(srcdir=tmp_path), config)
    assert config.html_title == "My Jupyter Book"
    assert config.author == "The Jupyter Book community"
    assert config.html_theme_options == options
    assert config.myst_dmath_double_inline is False


def test_other_builds_are_not_touched(tmp_path: Path) -> None:
    # a conf.py project (or a sphinx-qmd run, which does not load jupyter_book)
    (tmp_path / "_config.yml").write_text("parse: {}\n", encoding="utf-8")
    from sphinx.config import Config

    config = Config({"extensions": ["myst_nb"]}, {"html_title": "My Jupyter Book"})
    _add_html_values(config)
    align_jupyter_book_route(SimpleNamespace(srcdir=tmp_path), config)
    assert config.html_title == "My Jupyter Book"


def test_html_and_bibtex_keys_as_jupyter_book_passes_them() -> None:
    conf = sphinx_config(
        {"html": {"use_multitoc_numbering": False}, "bibtex_reference_style": "author_year"}
    ).overrides
    assert conf["use_multitoc_numbering"] is False
    # JB1 loads sphinxcontrib-bibtex for the style but does not pass the style on
    assert "sphinxcontrib.bibtex" in conf["extensions"]
    assert "bibtex_reference_style" not in conf
    assert "use_multitoc_numbering" not in sphinx_config({}).overrides


def test_jupyter_book_route_names_the_project_after_the_title(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: T\n", encoding="utf-8")
    config = _jupyter_book_config({"html_title": "T"})
    align_jupyter_book_route(SimpleNamespace(srcdir=tmp_path), config)
    assert config.project == "T"
    assert config.html_title == "T"
