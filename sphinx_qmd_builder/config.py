"""The ``qmd_*`` configuration values: one table, registered in a loop and documented in README."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    rebuild: str
    types: tuple[type, ...]
    help: str


CONFIG_VALUES: tuple[ConfigValue, ...] = (
    ConfigValue(
        "qmd_images_path",
        "/assets/images/{docname}/",
        "env",
        (str, type(None)),
        "Where a document's images go in the book. Each page gets "
        "`params: images_path:` in its front matter and images are written as "
        "`{{< meta params.images_path >}}name.png`. `{docname}` is the document's name. "
        "`None` keeps images beside the page, with relative paths.",
    ),
    ConfigValue(
        "qmd_keep_image_alt",
        False,
        "env",
        (bool,),
        'Keep an image\'s alt text as `fig-alt="..."` (the house example drops it).',
    ),
    ConfigValue(
        "qmd_drop_image_classes",
        ("bg-primary", "mb-1"),
        "env",
        (tuple, list),
        "Image classes left out of the output: the house example turns "
        '`<img class="bg-primary mb-1" width="600px">` into `{width=600}`; other classes '
        "are kept (`{.bordered width=48}`).",
    ),
    ConfigValue(
        "qmd_callout_appearance",
        "simple",
        "env",
        (str, type(None)),
        "The `appearance` attribute of every callout (`default`, `simple`, `minimal`); "
        "`None` leaves it out.",
    ),
    ConfigValue(
        "qmd_code_cell_options",
        {"eval": True, "echo": True},
        "env",
        (dict,),
        "`#|` options written at the top of every executable code cell, in order.",
    ),
    ConfigValue(
        "qmd_latex_export_markers",
        ("### BEGIN LATEX EXPORT", "### END LATEX EXPORT"),
        "env",
        (tuple, list, type(None)),
        "HTML comments from the first marker to the second are removed; every other "
        "comment is kept. `None` keeps all comments.",
    ),
    ConfigValue(
        "qmd_escape_fences",
        False,
        "env",
        (bool,),
        "Write code fences as ```` \\``` ```` (for pasting into a chat). Off: an escaped "
        "fence breaks a real `.qmd`.",
    ),
    ConfigValue(
        "qmd_title_from_heading",
        True,
        "env",
        (bool,),
        "Take each page's `title:` from its first heading and remove that heading from "
        "the body; the other headings keep their level (`##` stays `##`). Off: the first "
        "heading stays in the body as the page's only `#` heading, which Quarto takes as "
        "the title. Either way a later level-1 heading is written at `##` (with a "
        "warning), because Quarto numbers every body `#` as a new chapter, and the root "
        "page is `# Title {.unnumbered}` with no `title:`, so chapters count from 1.",
    ),
    ConfigValue(
        "qmd_book_title",
        None,
        "env",
        (str, type(None)),
        "Title of the Quarto book; `None` uses Sphinx's `project`.",
    ),
    ConfigValue(
        "qmd_quarto_formats",
        {"html": {"theme": "cosmo"}, "pdf": {"documentclass": "scrreprt"}},
        "env",
        (dict,),
        "The `format:` section of `_quarto.yml`.",
    ),
    ConfigValue(
        "qmd_references_page",
        "references.qmd",
        "env",
        (str,),
        "Name of the bibliography page written when the book cites anything.",
    ),
    ConfigValue(
        "qmd_translate",
        False,
        "env",
        (bool,),
        "Translate prose (paragraphs, headings, captions, list items, table cells, "
        "admonitions, terms, link text) with DeepL and a translation memory. Code, math, "
        "URLs, labels, citation keys and raw markup are never sent. The key is read only "
        "from the environment variable `DEEPL_AUTH_KEY`.",
    ),
    ConfigValue("qmd_translate_source", "DE", "env", (str,), "DeepL source language of the book."),
    ConfigValue(
        "qmd_translate_target",
        "EN-US",
        "env",
        (str,),
        "DeepL target language; also the memory's folder name.",
    ),
    ConfigValue(
        "qmd_translate_documents",
        ("*",),
        "env",
        (tuple, list, str),
        "Glob patterns of the documents to translate (e.g. skip pages already in the "
        "target language).",
    ),
    ConfigValue(
        "qmd_deepl_server_url",
        None,
        "env",
        (str, type(None)),
        "DeepL API server; `None` lets the client choose (free or pro, from the key).",
    ),
    ConfigValue(
        "qmd_translation_dir",
        "translations",
        "env",
        (str,),
        "The translation memory: one gettext `.po` per document under "
        "`<dir>/<target>/`, relative to the source folder. DeepL-made entries carry the "
        "translator comment `machine-translated: deepl`; delete it when reviewed. "
        "A non-empty msgstr is never overwritten; `fuzzy` entries are not used.",
    ),
    ConfigValue(
        "qmd_translate_glossary",
        None,
        "env",
        (dict, str, type(None)),
        "Term pairs for a DeepL glossary: a dict, or a CSV file of `source,target` rows. "
        "Created once, reused by id, re-created when the pairs change.",
    ),
    ConfigValue(
        "qmd_translate_missing",
        "warn",
        "env",
        (str,),
        "What happens when texts are neither in the memory nor translatable (no key): "
        "`warn` (one summary warning) or `error` (fail the build, for CI).",
    ),
)


CONFIG_VALUES += (
    ConfigValue(
        "qmd_notebook_format",
        "ipynb",
        "env",
        (str,),
        "How `.ipynb` chapters are written: `ipynb` keeps them notebooks (stored outputs "
        "kept, markdown cells converted, tags as `#|` options); `qmd` writes them as `.qmd` "
        "pages, which DROPS every stored output (Quarto must execute the book to get them "
        "back).",
    ),
)

CONFIG_VALUES += (
    ConfigValue(
        "qmd_number_unlabelled_equations",
        False,
        "env",
        (bool,),
        "Give numbered amsmath environments that have no label (`\\begin{equation}`, "
        "`\\begin{align}` ..., which Sphinx numbers) an id `eq-<page>-<n>`, so that Quarto "
        "numbers them too and every equation keeps Sphinx's number. Off: unlabelled "
        "display math stays plain `$$ ... $$`.",
    ),
)

CONFIG_VALUES += (
    ConfigValue(
        "qmd_number_unlabelled_figures",
        True,
        "env",
        (bool,),
        "Give captioned figures, tables and code listings that have no label (Sphinx "
        "numbers them when `numfig` is on, as Jupyter Book does) an id "
        "`fig-<page>-fig<n>`, so that Quarto numbers them too and every figure keeps "
        "the number Sphinx gave it within its chapter. Off: they are written "
        "unnumbered, and the labelled figures after them are numbered lower than in Sphinx.",
    ),
    ConfigValue(
        "qmd_slides",
        True,
        "env",
        (bool,),
        "Write a revealjs deck `slides/<page>.qmd` for every page with slide markers "
        "(see `qmd_slide_markers`), and drop the markers from the book page. Off: no decks, "
        "the markers stay HTML comments.",
    ),
    ConfigValue(
        "qmd_slide_markers",
        ("### BEGIN SLIDE", "Title:(.*)", "### END SLIDE"),
        "env",
        (tuple, list),
        "Three regular expressions, matched against the whole text of an HTML comment "
        "(without `<!--`/`-->`): where a slide begins, its title (group 1 is the title), "
        "where it ends.",
    ),
    ConfigValue(
        "qmd_slides_format",
        {"slide-number": True, "center-title-slide": True, "code-copy": True},
        "env",
        (dict,),
        "The revealjs options of every deck: `format: revealjs:` in `slides/_metadata.yml`.",
    ),
    ConfigValue(
        "qmd_project_type",
        "book",
        "env",
        (str,),
        "`book`: a Quarto book (chapters, numbering, cross-page `@` references). `website`: "
        "the same pages as a website with a sidebar from the toc (parts become sections, "
        "decks a `Slides` section); references to other pages become links that show "
        "the number the target's page shows (figures counted per page).",
    ),
)


CONFIG_VALUES += (
    ConfigValue(
        "qmd_project_root",
        None,
        "env",
        (str, type(None)),
        "The folder the book may read files from (images, includes, literal includes, "
        "downloads, raw/csv files, bib files, support files of code cells). `None`: the "
        "nearest folder upward from the source folder that holds `.git`, else the source "
        "folder. A relative path is taken from the source folder. Paths beyond it are "
        "refused (`sphinx-qmd --project-root DIR`).",
    ),
    ConfigValue(
        "qmd_execute",
        False,
        "env",
        (bool,),
        "Run notebooks while converting, as the book's execution mode says. Off: myst-nb's "
        "execution is turned off for the qmd builder whatever `nb_execution_mode` (or "
        "`execute_notebooks` in `_config.yml`) says; stored outputs are kept "
        "(`sphinx-qmd --execute`).",
    ),
    ConfigValue(
        "qmd_book_execution",
        None,
        "",
        (str, type(None)),
        "What `_quarto.yml` asks Quarto to do: `off` (`execute: enabled: false`), `cache` "
        "(`freeze: auto`), `force` (`enabled: true`), `auto` (Quarto's default: `.qmd` "
        "pages run, `.ipynb` chapters keep their outputs). `None`: the book's own "
        "setting (`execute_notebooks` in `_config.yml`, `nb_execution_mode` in conf.py, "
        "before any `-D` override), whatever this conversion ran.",
    ),
)


def register_config_values(app: Sphinx) -> None:
    for value in CONFIG_VALUES:
        app.add_config_value(value.name, value.default, value.rebuild, types=value.types)


def config_table_markdown() -> str:
    """The README table of config values, made from the same source as the registration."""
    rows = ["| name | default | what it does |", "| --- | --- | --- |"]
    for value in CONFIG_VALUES:
        cells = (f"`{value.name}`", f"`{value.default!r}`", value.help)
        # a bare "|" (even inside `code`) would end a GFM table cell
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)
