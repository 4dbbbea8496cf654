"""Every warning subtype the builder emits, documented in one place (``docs/warnings.md``).

Each warning is logged as ``logger.warning(..., type="qmd", subtype=QmdWarning.X)``:
Sphinx prints it with ``[qmd.<value>]`` at the end, and ``suppress_warnings =
["qmd.<value>"]`` in conf.py silences it (``"qmd"`` silences them all). A member *is* its
string value, so log output and ``suppress_warnings`` do not depend on this class.
(Named ``warning_types``, not ``warnings``, so that no import can mistake it for the
standard library's module.)
"""

from __future__ import annotations

from enum import Enum

WARNING_TYPE = "qmd"


class QmdWarning(str, Enum):
    """A ``qmd.*`` warning subtype; ``doc`` says what it means."""

    doc: str

    def __new__(cls, value: str, doc: str) -> QmdWarning:
        member = str.__new__(cls, value)
        member._value_ = value
        member.doc = doc
        return member

    def __str__(self) -> str:
        return self.value

    # -- reading the sources -----------------------------------------------------------------
    DOCUMENT = (
        "document",
        "A document could not be read (the parser or an extension failed on it); it is left "
        "out of the book, the other pages are written.",
    )
    FRONT_MATTER_TITLE = (
        "front_matter_title",
        "A page has no heading; its title comes from its front matter `title:`.",
    )
    DECODE = (
        "decode",
        "A source file has bytes that are not valid in its encoding; it is read with "
        "replacement characters.",
    )
    CONTROL_CHARACTER = (
        "control_character",
        "A control character that is not text (e.g. NUL) in a page or notebook cell; NUL is "
        "written as U+FFFD, the others are left out.",
    )
    FENCE = (
        "fence",
        "A code or colon fence is never closed: it runs to the end of the page.",
    )
    DROPPED = (
        "dropped",
        "Lines the Markdown parser dropped (lists or quotes nested past its limit of block "
        "levels); flatten them.",
    )
    COMMENT = (
        "comment",
        "An HTML comment is never closed (it would hide the rest of the page); it is closed "
        "at its end.",
    )
    MATH = (
        "math",
        "Math with unbalanced braces or an unclosed environment, which MathJax and LaTeX "
        "would reject; it is written as it is.",
    )
    MATH_ENVIRONMENT = (
        "math_environment",
        "A LaTeX environment in math is never closed (`\\begin{...}` without its `\\end`); "
        "the math is kept as written.",
    )
    DIRECTIVE_UNKNOWN = (
        "directive_unknown",
        "An unknown directive (its extension is not installed or not listed); its body is "
        "kept as ordinary content.",
    )
    DIRECTIVE_FAILED = (
        "directive_failed",
        "A directive raised an error; its text is kept as a literal block.",
    )
    ROLE_UNKNOWN = (
        "role_unknown",
        "An unknown role; its text is kept as plain text.",
    )
    ROLE_FAILED = (
        "role_failed",
        "A role raised an error; its text is kept as inline code.",
    )
    FIGURE_CAPTION = (
        "figure_caption",
        "A figure's caption is blank; the figure is kept without one.",
    )
    INCLUDE = (
        "include",
        "A circular include; the repeated include is left out.",
    )
    PATH = (
        "path",
        "A path (include, literalinclude, image, download, bibliography, logo) resolves "
        "outside the source folder, or a URL would have to be fetched: it is refused, "
        "neither read nor copied.",
    )
    NOTEBOOK = (
        "notebook",
        "A notebook cell is malformed (it is left out), or a notebook cannot be read again "
        "when it is written (its text is written as one markdown cell).",
    )
    CODE_CELL = (
        "code_cell",
        "A `{code-cell}` outside a notebook page (or nested in a directive) is kept as a plain "
        "code block, which Quarto does not execute; or its `:load:` file cannot be read.",
    )
    NOTEBOOK_FORMAT = (
        "notebook_format",
        "A notebook older than nbformat 4; it is converted to nbformat 4, every cell kept.",
    )
    CELL_OPTIONS_INVALID = (
        "cell_options_invalid",
        "A MyST notebook cell's options are not valid YAML, or a cell break's metadata is not "
        "a JSON object; the cell is kept without them.",
    )
    KERNEL = (
        "kernel",
        "A notebook's kernel language has no Quarto engine; its cells are written as cells "
        "of that language, which Quarto does not execute.",
    )
    # -- cross-references and citations -----------------------------------------------------
    LABEL_COLLISION = (
        "label_collision",
        "Two labels become the same Quarto id; the later one gets another id.",
    )
    UNNUMBERED_REF = (
        "unnumbered_ref",
        "A reference to a target Quarto cannot number (not a figure, table, equation, "
        "section or theorem-like block) is written as a plain link.",
    )
    UNRESOLVED_REF = (
        "unresolved_ref",
        "A reference Sphinx could not resolve; its text is kept as plain text.",
    )
    DANGLING_REF = (
        "dangling_ref",
        "A cross-reference (`@id` or a link to `page.qmd#id`) is written but no page of the "
        "book carries that id: Quarto would show `?@id`.",
    )
    CITE = (
        "cite",
        "A citation is malformed, or its key is in no bibliography file.",
    )
    BIB = (
        "bib",
        "A bibliography file cannot be read, or has entries pandoc could reject; those "
        "entries are left out of the book's copy.",
    )
    BIBLIOGRAPHY = (
        "bibliography",
        "A second `{bibliography}` on one page is left out (Quarto places one).",
    )
    # -- writing pages -----------------------------------------------------------------------
    HEADING_LEVEL = (
        "heading_level",
        "More than one level-1 heading on a page: the first is the page title, the later "
        "ones are written at `##` (their subsections one level down).",
    )
    UNKNOWN = (
        "unknown",
        "A node with no Quarto form (usually from an extension the builder does not know); "
        "its text is kept.",
    )
    RAW = (
        "raw",
        "Raw content in a format Quarto cannot carry is left out.",
    )
    ONLY = (
        "only",
        "An `{only}` expression is not a single output format; it is decided as for the "
        "qmd builder.",
    )
    LATEX_EXPORT = (
        "latex_export",
        "An HTML comment opens the LaTeX export block (`qmd_latex_export_markers`) but never "
        "closes it; the rest of the comment is kept.",
    )
    TABLE = (
        "table",
        "An empty table is left out.",
    )
    SUBFIGURE = (
        "subfigure",
        "A subfigure grid with spanning areas or holes is simplified to its column count "
        "(Quarto has no spanning cells).",
    )
    VIDEO = (
        "video",
        "A local video file is not copied (place it beside the page), a video has several "
        "sources and only the first is kept, or a video in a grid table is written as a link "
        "(Quarto breaks grid tables that hold a shortcode).",
    )
    GLUE = (
        "glue",
        "A `{glue}` value or figure cannot be shown as Jupyter Book shows it: the notebook "
        "stores no output to take it from (store the outputs, or execute the book), a glued "
        "figure has no caption paragraph, or Quarto captions the figure only if its cell "
        "outputs an image.",
    )
    CELL_OPTION = (
        "cell_option",
        "A code cell's tag or myst-nb option has no Quarto equivalent, or only a partial one "
        "(e.g. `hide-cell` folds only the code).",
    )
    SLIDES = (
        "slides",
        "Slide markers that do not pair up (a slide that never ends, an end without a "
        "beginning, a title outside a slide or twice in one), or a slide that cannot be "
        "written (it is left out of the deck); the book page keeps every word.",
    )
    # -- writing the book --------------------------------------------------------------------
    WRITE = (
        "write",
        "A page could not be written (the writer failed on it); it is left out of the book "
        "and of `_quarto.yml`, and its old output file is removed.",
    )
    IO = (
        "io",
        "An output file could not be written (disk full, permissions).",
    )
    IMAGE = (
        "image",
        "An image file cannot be copied, or an image path names a folder.",
    )
    DOWNLOAD = (
        "download",
        "A `{download}` file cannot be copied.",
    )
    SUPPORT = (
        "support",
        "A file a code cell reads cannot be copied beside its page, or cannot keep its path "
        "there; the cell will not find it when Quarto executes the book.",
    )
    PROJECT = (
        "project",
        "A logo or favicon named in the configuration is missing or cannot be copied; it is "
        "left out of `_quarto.yml`.",
    )
    BOOK_STRUCTURE = (
        "book_structure",
        "The table of contents has something Quarto would refuse or show wrongly (a URL "
        "among the chapters, a part without a title or pages, an entry that is no written "
        "page, a book without a title); it is repaired as the message says.",
    )
    TRANSLATE = (
        "translate",
        "Translation: the memory cannot be read or written, DeepL failed or ran out of quota, "
        "DeepL damaged a text's markup, or texts are neither in the memory nor translatable "
        "(no key). The texts concerned stay in the source language.",
    )


def warnings_markdown() -> str:
    """docs/warnings.md, made from the enum (tests/test_warning_types.py keeps it in step)."""
    lines = [
        "# Warnings",
        "",
        "<!-- generated from sphinx_qmd_builder/warning_types.py: "
        "python -m sphinx_qmd_builder.warning_types > docs/warnings.md -->",
        "",
        "Every warning of the builder is located (file and line where there is one) and ends",
        f"with its type, e.g. `[{WARNING_TYPE}.unknown]`. Silence one subtype in conf.py with",
        f'`suppress_warnings = ["{WARNING_TYPE}.unknown"]`, all of them with',
        f'`suppress_warnings = ["{WARNING_TYPE}"]`; `sphinx-build -W` makes them fatal.',
        "",
        "| warning | what it means | silence it with |",
        "| --- | --- | --- |",
    ]
    for member in QmdWarning:
        name = f"{WARNING_TYPE}.{member.value}"
        lines.append(f'| `{name}` | {member.doc} | `suppress_warnings = ["{name}"]` |')
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(warnings_markdown(), end="")
