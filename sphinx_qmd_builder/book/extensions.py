"""Which Sphinx extensions the ``sphinx-qmd`` route loads for a Jupyter Book, and why.

Jupyter Book 1 loads a dozen extensions for every book. Several of them only shape HTML
pages; a Quarto book has no use for them and they cost start-up time, hooks on every page,
and (``sphinx_multitoc_numbering``) parallel reading. This module is the one place that
says which ones the ``sphinx-qmd`` route leaves out, with the reason for each, and provides
natively the one thing among them that changes the doctree: the theme's ``{margin}``
directive. A book's own ``conf.py`` is never edited: with a ``conf.py`` the book is built
with the extensions it names.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst.directives.body import Sidebar
from sphinx.application import Sphinx
from sphinx.util.docutils import is_directive_registered

#: Extensions left out of the ``sphinx-qmd`` route: name -> why only HTML needs it.
HTML_ONLY_EXTENSIONS: dict[str, str] = {
    "jupyter_book": "wires the HTML theme, launch buttons and PDF builds of jupyter-book's CLI",
    "sphinx_book_theme": (
        "the HTML theme; its one doctree-changing piece, the {margin} directive, is provided "
        "natively (MarginDirective below); its footnote-to-sidenote transform runs only for "
        "HTML (our own post-transform handles `{-}` margin footnotes)"
    ),
    "pydata_sphinx_theme": "the HTML theme sphinx_book_theme builds on",
    "sphinx_copybutton": "adds a copy button (JavaScript/CSS) to HTML code blocks",
    "sphinx_thebe": "live code cells in HTML pages (JavaScript); the {thebe-button} is HTML",
    "sphinx_comments": "hypothes.is/utterances comment widgets in HTML pages",
    "sphinx_jupyterbook_latex": "adjusts the LaTeX/PDF builder's output only",
    "sphinx_multitoc_numbering": (
        "section (and so figure) numbers continued across toctrees, as the HTML book "
        "shows them; Quarto numbers chapters itself. Not really left out: "
        "sphinx_external_toc loads it on every route, so the numbers Sphinx gives "
        "references are the same either way, and :mod:`..compat.parallel` declares it "
        "parallel-safe"
    ),
    "sphinxext.opengraph": "OpenGraph <meta> tags in HTML heads",
    "sphinx_sitemap": "sitemap.xml of the HTML site",
    "sphinx.ext.githubpages": "writes .nojekyll into the HTML output",
}

#: Jupyter Book 1's default extensions that change the doctree, so the qmd route keeps them.
#: ``sphinx_togglebutton`` stays: its ``{toggle}`` directive makes a container node the
#: writer turns into a collapsed callout.
JB_DOCTREE_EXTENSIONS: tuple[str, ...] = (
    "sphinx_togglebutton",
    "myst_nb",
    "sphinx_external_toc",
    "sphinx.ext.intersphinx",
    "sphinx_design",
)


def is_html_only(extension: str) -> bool:
    """Whether the qmd route leaves *extension* out (see :data:`HTML_ONLY_EXTENSIONS`)."""
    return extension in HTML_ONLY_EXTENSIONS


class MarginDirective(Sidebar):
    """``{margin}`` as sphinx-book-theme defines it: a sidebar classed ``margin``.

    Same doctree as the theme's ``Margin`` (a test compares them when the theme is
    installed), so the writer's ``.column-margin`` output does not depend on which route
    loaded it. The title is optional.
    """

    optional_arguments = 1
    required_arguments = 0

    def run(self) -> list[nodes.Node]:
        if not self.arguments:
            self.arguments = [""]
        result = super().run()
        result[0]["classes"].append("margin")
        return result


def add_theme_directives(app: Sphinx) -> None:
    """Register ``{margin}`` unless a loaded theme or extension already did (builder-inited:
    an HTML theme's own setup has run by then, so it keeps its directive)."""
    if not is_directive_registered("margin"):
        app.add_directive("margin", MarginDirective)
