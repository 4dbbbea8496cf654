"""The ``qmd_*`` configuration values: one table, registered in a loop and documented in README."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import ENUM, Config
from sphinx.errors import ConfigError

#: given a value of the right type, what is allowed instead of it (None: it is fine)
Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    rebuild: str
    types: tuple[type, ...]
    help: str
    #: the only values allowed (registered as Sphinx's ``ENUM``); empty: any of *types*
    choices: tuple[Any, ...] = ()
    #: a finer check than *types* (list items, dict values, templates)
    check: Check | None = None


def _strings(value: Any) -> str | None:
    if all(isinstance(item, str) for item in value):
        return None
    return "a list of strings"


def _markers(value: Any) -> str | None:
    if value is None:
        return None
    if len(value) == 2 and all(isinstance(m, str) and m.strip() for m in value):
        return None
    return "None or two non-empty strings: (begin marker, end marker)"


def _non_empty(value: Any) -> str | None:
    return None if value.strip() else "a non-empty string"


def _images_path(value: Any) -> str | None:
    if value is None:
        return None
    allowed = (
        "None, or a folder template that contains {docname}, ends with '/' and has no "
        "'..' (e.g. '/assets/images/{docname}/')"
    )
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(value)}
    except ValueError:  # an unmatched brace
        return allowed
    fields.discard(None)
    if fields != {"docname"} or not value.endswith("/") or ".." in value.split("/"):
        return allowed
    return None


_CELL_OPTION_VALUES = (str, bool, int, float, list, type(None))


def _cell_options(value: Any) -> str | None:
    for key, option in value.items():
        if (
            not isinstance(key, str)
            or not key.strip()
            or not isinstance(option, _CELL_OPTION_VALUES)
        ):
            return "a dict of option names (strings) to YAML values (str, bool, number, list)"
    return None


def _formats(value: Any) -> str | None:
    for key, options in value.items():
        if not isinstance(key, str) or not isinstance(options, (dict, str, type(None))):
            return "a dict of Quarto format names to their options (a dict, 'default' or None)"
    return None


def _slide_markers(value: Any) -> str | None:
    allowed = "three regular expressions (begin, title, end), the title one with a (group)"
    if len(value) != 3 or not all(isinstance(pattern, str) for pattern in value):
        return allowed
    try:
        compiled = [re.compile(pattern) for pattern in value]
    except re.error as err:
        return f"{allowed}; {err}"
    return None if compiled[1].groups >= 1 else allowed


def _option_dict(value: Any) -> str | None:
    if all(isinstance(key, str) for key in value):
        return None
    return "a dict of option names (strings) to values"


def _glossary(value: Any) -> str | None:
    if isinstance(value, dict) and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return "None, a CSV file name, or a dict of source terms to target terms (strings)"
    return None


def _documents(value: Any) -> str | None:
    return None if isinstance(value, str) else _strings(value)


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
        check=_images_path,
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
        check=_strings,
    ),
    ConfigValue(
        "qmd_callout_appearance",
        "simple",
        "env",
        (str, type(None)),
        "The `appearance` attribute of every callout (`default`, `simple`, `minimal`); "
        "`None` leaves it out.",
        choices=("default", "simple", "minimal", None),
    ),
    ConfigValue(
        "qmd_code_cell_options",
        {"eval": True, "echo": True},
        "env",
        (dict,),
        "`#|` options written at the top of every executable code cell, in order.",
        check=_cell_options,
    ),
    ConfigValue(
        "qmd_latex_export_markers",
        ("### BEGIN LATEX EXPORT", "### END LATEX EXPORT"),
        "env",
        (tuple, list, type(None)),
        "HTML comments from the first marker to the second are removed; every other "
        "comment is kept. `None` keeps all comments.",
        check=_markers,
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
        check=_formats,
    ),
    ConfigValue(
        "qmd_references_page",
        "references.qmd",
        "env",
        (str,),
        "Name of the bibliography page written when the book cites anything.",
        check=_non_empty,
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
    ConfigValue(
        "qmd_translate_source",
        "DE",
        "env",
        (str,),
        "DeepL source language of the book.",
        check=_non_empty,
    ),
    ConfigValue(
        "qmd_translate_target",
        "EN-US",
        "env",
        (str,),
        "DeepL target language; also the memory's folder name.",
        check=_non_empty,
    ),
    ConfigValue(
        "qmd_translate_documents",
        ("*",),
        "env",
        (tuple, list, str),
        "Glob patterns of the documents to translate (e.g. skip pages already in the "
        "target language).",
        check=_documents,
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
        check=_glossary,
    ),
    ConfigValue(
        "qmd_translate_missing",
        "warn",
        "env",
        (str,),
        "What happens when texts are neither in the memory nor translatable (no key): "
        "`warn` (one summary warning) or `error` (fail the build, for CI).",
        choices=("warn", "error"),
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
        choices=("ipynb", "qmd"),
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
        check=_slide_markers,
    ),
    ConfigValue(
        "qmd_slides_format",
        {"slide-number": True, "center-title-slide": True, "code-copy": True},
        "env",
        (dict,),
        "The revealjs options of every deck: `format: revealjs:` in `slides/_metadata.yml`.",
        check=_option_dict,
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
        choices=("book", "website"),
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
    """Register every ``qmd_*`` value, and check them all once conf.py has been read."""
    for value in CONFIG_VALUES:
        types = ENUM(*value.choices) if value.choices else value.types
        app.add_config_value(value.name, value.default, value.rebuild, types=types)
    # before Sphinx's own type check (priority 800), which only warns
    app.connect("config-inited", check_config_values)


_TYPE_NAMES = {
    str: "a string",
    bool: "True or False",
    type(None): "None",
    tuple: "a list",
    list: "a list",
    dict: "a dict",
}


def _either(options: list[str]) -> str:
    options = list(dict.fromkeys(options))
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def config_problem(value: ConfigValue, given: Any) -> str | None:
    """Why *given* is not allowed for *value* (None: it is): the name, what was given and
    what is allowed, in one sentence."""
    if value.choices:
        allowed = None if given in value.choices else _either([repr(c) for c in value.choices])
    elif not isinstance(given, value.types) or (
        isinstance(given, bool) and bool not in value.types
    ):
        allowed = _either([_TYPE_NAMES.get(t, t.__name__) for t in value.types])
    else:
        allowed = value.check(given) if value.check else None
    if allowed is None:
        return None
    return f"{value.name} = {given!r} is not allowed: it must be {allowed}"


def check_config_values(app: Sphinx, config: Config) -> None:
    """Stop the build on a wrong ``qmd_*`` value, before it fails somewhere deep inside."""
    problems = [
        problem
        for value in CONFIG_VALUES
        if (problem := config_problem(value, getattr(config, value.name))) is not None
    ]
    if problems:
        raise ConfigError("\n".join(problems))


def config_table_markdown() -> str:
    """The README table of config values, made from the same source as the registration."""
    rows = ["| name | default | what it does |", "| --- | --- | --- |"]
    for value in CONFIG_VALUES:
        cells = (f"`{value.name}`", f"`{value.default!r}`", value.help)
        # a bare "|" (even inside `code`) would end a GFM table cell
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)
