"""_config.yml -> Sphinx configuration, the way Jupyter Book 1 reads it (no jupyter-book needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sphinx_qmd_builder.book import jupyterbook
from sphinx_qmd_builder.book.jupyterbook import importable, is_jupyter_book, sphinx_config


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
