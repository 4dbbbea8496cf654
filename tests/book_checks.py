"""Book-wide structural checks on a produced Quarto book, read back through pandoc.

Used by the example-project tests and by the corpus tests: every check returns a list of
human-readable problems, so a failing test shows all of them at once.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from helpers import bib_keys, is_crossref, pandoc_ast

#: MyST syntax that must not survive outside HTML comments
MYST_LEFTOVERS = re.compile(
    r"\{(numref|ref|cite(:[a-z]+)?|eq|doc|term|download|glue(:[a-z]+)?|math|sub-ref)\}"
    r"|figure-md|code-cell|:::\{|```\{|^\([\w:.-]+\)=$",
)
#: MyST directive names that would show up as the class of a code block or div
MYST_DIRECTIVES = frozenset(
    [
        "note",
        "warning",
        "tip",
        "important",
        "admonition",
        "figure",
        "figure-md",
        "code-cell",
        "math",
        "toctree",
        "glue",
        "image",
        "table",
        "list-table",
        "dropdown",
        "seealso",
        "eval-rst",
    ]
)
#: a Quarto executable cell opening (```{python}), which plain pandoc does not read
QUARTO_CELL = re.compile(r"^(\s*`{3,})\{([\w-]+)[^}\n]*\}[ \t]*$", re.M)
LATEX_EXPORT = "BEGIN LATEX EXPORT"


@dataclass
class PageReading:
    """What pandoc reads in one page: prose, comments, code, math, ids and citations."""

    prose: list[str] = field(default_factory=list)  # Str/Code text outside raw blocks
    raw: list[str] = field(default_factory=list)  # raw blocks/inlines (HTML comments ...)
    math: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    code_classes: list[str] = field(default_factory=list)
    div_classes: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    cites: list[str] = field(default_factory=list)
    link_targets: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)  # languages of Quarto executable cells
    images: list[str] = field(default_factory=list)
    figures: int = 0  # pandoc Figure blocks and fig- divs


def _attr_of(kind: str, content: Any) -> list[Any] | None:
    if kind in ("Div", "CodeBlock", "Span", "Figure", "Table", "Code", "Image", "Link"):
        return content[0]
    if kind == "Header":
        return content[1]
    return None


def _walk(value: Any, page: PageReading) -> None:
    if isinstance(value, list):
        for child in value:
            _walk(child, page)
        return
    if not isinstance(value, dict):
        return
    kind, content = value.get("t"), value.get("c")
    attr = _attr_of(kind, content) if kind else None
    if attr:
        if attr[0]:
            page.ids.add(attr[0])
        if kind == "Div":
            page.div_classes.extend(attr[1])
    if kind == "Str":
        page.prose.append(content)
        return
    if kind == "Code":
        page.prose.append(content[1])
        return
    if kind == "CodeBlock":
        page.code_classes.extend(content[0][1])
        page.code.append(content[1])
        return
    if kind in ("RawBlock", "RawInline"):
        page.raw.append(content[1])
        return
    if kind == "Math":
        page.math.append(content[1])
        return
    if kind == "Cite":
        page.cites.extend(c["citationId"] for c in content[0])
    if kind == "Link":
        page.link_targets.append(content[2][0])
    if kind == "Image":
        page.images.append(content[2][0])
    if kind == "Figure" or (kind == "Div" and attr and attr[0].startswith("fig-")):
        page.figures += 1
    _walk(content, page)


def read_page(text: str) -> PageReading:
    page = PageReading()
    # read a Quarto cell as Quarto does: a code block of that language
    pandoc_text = QUARTO_CELL.sub(r"\1{.\2 .quarto-cell}", text)
    _walk(pandoc_ast(pandoc_text)["blocks"], page)
    page.cells = [m.group(2) for m in QUARTO_CELL.finditer(text)]
    # Quarto reads "$$ ... $$ {#eq-x}" as an equation id; pandoc leaves it as text
    page.ids.update(re.findall(r"\$\$\s*\{#(eq-[^\s}]+)\}", text))
    return page


def front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---\n", 4)
    return yaml.safe_load(text[4:end]) or {} if end > 0 else {}


def qmd_pages(outdir: Path) -> Iterator[Path]:
    yield from sorted(p for p in outdir.rglob("*.qmd") if ".doctrees" not in p.parts)


def book_bibliography(outdir: Path) -> set[str]:
    """Every key of the bibliography files that ``_quarto.yml`` names."""
    config = yaml.safe_load((outdir / "_quarto.yml").read_text(encoding="utf-8"))
    bibs = config.get("bibliography") or []
    if isinstance(bibs, str):
        bibs = [bibs]
    keys: set[str] = set()
    for bib in bibs:
        keys |= bib_keys(outdir / bib)
    return keys


def myst_leftovers(text: str) -> Counter[str]:
    """MyST syntax found in *text* (prose as pandoc read it, or a Sphinx text rendering)."""
    return Counter(m.group(0) for m in MYST_LEFTOVERS.finditer(text))


def book_problems(outdir: Path, literal_myst: dict[str, Counter[str]] | None = None) -> list[str]:
    """Every structural problem of the book in *outdir* (an empty list when it is sound).

    *literal_myst* maps a page to MyST-looking text that Sphinx itself shows literally on
    it (the author's text, e.g. a fence MyST did not parse): that much is not a leftover.
    """
    problems: list[str] = []
    config = yaml.safe_load((outdir / "_quarto.yml").read_text(encoding="utf-8"))
    if config.get("project", {}).get("type") != "book":
        problems.append("_quarto.yml: project type is not book")
    pages = {
        p.relative_to(outdir).as_posix(): read_page(p.read_text("utf-8")) for p in qmd_pages(outdir)
    }
    chapters = _chapters(config.get("book", {}))
    for chapter in chapters:
        if chapter not in pages:
            problems.append(f"_quarto.yml names {chapter}, which was not written")
    all_ids: set[str] = set().union(*(page.ids for page in pages.values())) if pages else set()
    bib = book_bibliography(outdir)
    for name, page in pages.items():
        for key in page.cites:
            if is_crossref(key):
                if key not in all_ids:
                    problems.append(f"{name}: @{key} resolves to no id in the book")
            elif key not in bib:
                problems.append(f"{name}: citation @{key} is in no bibliography")
        left = myst_leftovers("\n".join(page.prose))
        left -= (literal_myst or {}).get(name, Counter())
        for token, count in sorted(left.items()):
            problems.append(f"{name}: MyST syntax left: {token!r} x{count}")
        for cls in page.cells + page.div_classes:
            if cls.strip("{}") in MYST_DIRECTIVES:
                problems.append(f"{name}: MyST directive left as a block: {cls}")
        for raw in page.raw + page.prose:
            if LATEX_EXPORT in raw:
                problems.append(f"{name}: {LATEX_EXPORT!r} left")
        source = (outdir / name).read_text("utf-8")
        if LATEX_EXPORT in source and not any(LATEX_EXPORT in p for p in problems):
            problems.append(f"{name}: {LATEX_EXPORT!r} left")
    labels_file = outdir / "labels.json"
    if labels_file.is_file():
        # every numbered target Sphinx knew is an id Quarto can find
        for label, target in json.loads(labels_file.read_text("utf-8")).items():
            if target.get("kind") and target["qid"] not in all_ids:
                problems.append(f"label {label!r} ({target['qid']}) is no id in the book")
    return problems


def _chapters(book: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for entry in book.get("chapters", []) or []:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            if "href" in entry:
                out.append(entry["href"])
            if "part" in entry and str(entry["part"]).endswith(".qmd"):
                out.append(entry["part"])
            out.extend(_chapters(entry))
    return out


WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in WORD.findall(text))


def page_words(text: str, drop: re.Pattern[str] | None = None) -> Counter[str]:
    """The words of a page as pandoc reads it, with its title from the front matter.

    *drop* removes markup (matched in the text pandoc read) before counting.
    """
    page = read_page(text)
    title = str(front_matter(text).get("title", ""))
    joined = " ".join([title, *page.prose, *page.math, *page.code, *page.cites])
    return words(drop.sub(" ", joined) if drop else joined)
