"""Quarto semantics check: what real Quarto (1.10.18) would do with a converted book.

Plain pandoc parses pages one by one; Quarto numbers a *book*. This module reads a written
Quarto project the way Quarto does (../shared/QUARTO.md): it walks ``book.chapters`` (parts,
appendices) in order, reads every page with pandoc (``-f markdown`` for ``.qmd``, ``-f
ipynb`` for notebooks), computes chapter, section, figure, table and equation numbers as
Quarto's crossref filter does, and lists what a reader of the rendered book would see go
wrong. Each problem has a *rule* (one of :data:`RULES`), so tests can assert per rule.

Quarto's numbering, as modelled here (QUARTO.md facts 1, 14, 15, 21, 22, 10):

* every chapter file consumes the next chapter number unless its title heading is
  ``.unnumbered`` (``# Title {.unnumbered}`` with no YAML title); parts do not;
  appendices are lettered ``A``, ``B`` ...;
* the title is the YAML ``title:``, else the page's first heading of any level (for a
  notebook: its first markdown cell's ``# Title``);
* every *other* level-1 heading in the body starts a new chapter number (fact 1) and resets
  the figure, table and equation counters; ``.unnumbered`` headings count for nothing;
* figures, tables, listings, equations and theorem kinds are numbered ``<chapter>.<n>`` per
  kind; in an unnumbered chapter plainly ``<n>`` (fact 21); a figure inside a figure is a
  subfigure ``<parent>a``;
* a heading that is the first element of a callout (or of a theorem div) is its title; a
  heading in a ``.panel-tabset`` is a tab; neither is a section.

The figure prefix does not depend on ``number-sections`` (Quarto's crossref filter counts
level-1 headings whatever that option says); only the printed section numbers do.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import string
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypandoc
import yaml

from sphinx_qmd_builder.labels import KNOWN_PREFIXES

#: every rule the check knows, with what a reader of the rendered book would see
RULES: dict[str, str] = {
    "body_h1": "a level-1 heading in a chapter body: Quarto numbers it as a new chapter (fact 1)",
    "no_title": "a chapter with no YAML title and no level-1 first heading (fact 15)",
    "ref_missing": "an @-reference whose target id is nowhere in the book",
    "ref_unnumbered": "an @-reference to a target Quarto does not number there (fact 8)",
    "ref_cross_page": "an @-reference to another page outside a book project (fact 7)",
    "link_missing": "a link to page.qmd#id (or #id) whose page carries no such id: a dead anchor",
    "duplicate_id": "an id defined twice in the book",
    "unparsed_div": "a paragraph starting with ':::': a div pandoc did not parse (fact 4)",
    "grid_shortcode": "a shortcode '{{<' inside a grid table (fact 3)",
    "quad_asterisks": "'****' printed literally (fact 5)",
    "comment_fence": "a line inside an HTML comment starting with a code fence (fact 16)",
    "chapter_entry": "a _quarto.yml chapter entry that is not an existing file (fact 2)",
    "callout_heading": "a heading that is not the first element of a callout (fact 10)",
    "cell_classes": "'#| classes:' as a list or with bare words after the first (fact 4)",
    "inline_cell": "inline `{python} ...` code, printed literally without execution (fact 18)",
}

#: the id prefixes Quarto's crossref filter numbers (the package's own list)
CROSSREF_PREFIXES = frozenset(KNOWN_PREFIXES)
#: the prefixes of floats and theorem-like divs counted per chapter (sections aside)
COUNTED = CROSSREF_PREFIXES - {"sec"}

#: a Quarto executable cell opening (```{python}), which plain pandoc does not read
QUARTO_CELL = re.compile(r"^(\s*`{3,})\{([\w-]+)[^}\n]*\}[ \t]*$", re.M)
GRID_RULE = re.compile(r"^\s*\+[-=:+]+\+\s*$")
FENCE_LINE = re.compile(r"^(`{3,}|~{3,})")
FENCE_OPEN = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
INLINE_CELL = re.compile(r"^\{(python|r|julia|ojs|bash)\}")
EQUATION_ID = re.compile(r"^\{#(eq-[^\s}]+)\}")


@dataclass(frozen=True)
class Problem:
    rule: str
    where: str  # page (and line when known), or _quarto.yml
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Target:
    """One id of the book: where it is and the number Quarto prints for it (None: none)."""

    ident: str
    page: str
    number: str | None


@dataclass(frozen=True)
class Chapter:
    page: str
    number: str | None  # None: unnumbered (or a part page)
    title: str | None
    appendix: bool = False
    part: bool = False


@dataclass
class BookCheck:
    problems: list[Problem] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)  # page -> its @ids, in order
    book: bool = True

    def by_rule(self) -> Counter[str]:
        return Counter(p.rule for p in self.problems)

    def of_rule(self, rule: str) -> list[str]:
        return [str(p) for p in self.problems if p.rule == rule]

    def chapter_of(self, page: str) -> Chapter | None:
        return next((c for c in self.chapters if c.page == page), None)


# -- reading a page ----------------------------------------------------------------------


@dataclass
class Page:
    name: str
    text: str  # the raw text (markdown cells joined, for a notebook)
    meta: dict[str, Any]
    blocks: list[Any]  # pandoc blocks; notebook markdown cells unwrapped

    def line_of(self, snippet: str) -> str:
        """``page:line`` of the first line containing *snippet* (just the page if none)."""
        if snippet:
            for number, line in enumerate(self.text.splitlines(), 1):
                if snippet in line:
                    return f"{self.name}:{number}"
        return self.name


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    try:
        data = yaml.safe_load(text[4:end]) if end > 0 else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _cell_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


@functools.cache
def ipynb_format() -> str:
    """``ipynb`` with pandoc-markdown's extensions: Quarto reads notebook markdown cells as
    it reads a ``.qmd`` (divs, citations, attributes), where pandoc's own ipynb reader
    defaults to GitHub-flavoured markdown."""
    pandoc = pypandoc.get_pandoc_path()

    def enabled(fmt: str) -> set[str]:
        listing = subprocess.run(
            [pandoc, f"--list-extensions={fmt}"], capture_output=True, text=True, check=True
        ).stdout.split()
        return {line[1:] for line in listing if line.startswith("+")}

    extra = sorted(enabled("markdown") - enabled("ipynb") - {"yaml_metadata_block"})
    return "ipynb" + "".join(f"+{name}" for name in extra)


def read_page(path: Path, name: str) -> Page:
    """One page as Quarto reads it: front matter, pandoc blocks, raw text."""
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
        meta: dict[str, Any] = {}
        if cells and cells[0].get("cell_type") == "raw":
            meta = _front_matter(_cell_text(cells[0]))
        text = "\n\n".join(_cell_text(c) for c in cells if c.get("cell_type") == "markdown")
        ast = json.loads(pypandoc.convert_file(str(path), "json", format=ipynb_format()))
        blocks: list[Any] = []
        for block in ast["blocks"]:
            classes = block["c"][0][1] if block.get("t") == "Div" else []
            if "cell" in classes and "markdown" in classes:
                blocks.extend(block["c"][1])
            elif "cell" in classes and "raw" in classes:
                continue  # the front matter (or raw output Quarto passes through)
            else:
                blocks.append(block)
        return Page(name, text, meta, blocks)
    text = path.read_text(encoding="utf-8")
    # read a Quarto cell as Quarto does: a code block of that language
    pandoc_text = QUARTO_CELL.sub(r"\1{.\2 .quarto-cell}", text)
    ast = json.loads(pypandoc.convert_text(pandoc_text, "json", format="markdown"))
    return Page(name, text, _front_matter(text), ast["blocks"])


def page_from_text(name: str, text: str) -> Page:
    """A ``.qmd`` page from text (unit tests)."""
    pandoc_text = QUARTO_CELL.sub(r"\1{.\2 .quarto-cell}", text)
    ast = json.loads(pypandoc.convert_text(pandoc_text, "json", format="markdown"))
    return Page(name, text, _front_matter(text), ast["blocks"])


# -- small AST helpers ---------------------------------------------------------------------


def stringify(value: Any) -> str:
    """The text of inlines (enough to name a heading in a message)."""
    if isinstance(value, list):
        return "".join(stringify(v) for v in value)
    if not isinstance(value, dict):
        return ""
    kind, content = value.get("t"), value.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("Link", "Image", "Span"):
        return stringify(content[1])
    if kind in ("Quoted", "Cite"):
        return stringify(content[1])
    return stringify(content) if isinstance(content, list) else ""


def _attr(block: dict[str, Any]) -> list[Any] | None:
    kind, content = block.get("t"), block.get("c")
    if kind in ("Div", "CodeBlock", "Figure", "Table", "Span", "Image", "Code", "Link"):
        return content[0]
    if kind == "Header":
        return content[1]
    return None


def _prefix(ident: str) -> str | None:
    prefix = ident.split("-", 1)[0]
    return prefix if "-" in ident and prefix in CROSSREF_PREFIXES else None


def cell_options(code: str) -> dict[str, str]:
    """The ``#|`` options at the top of a cell, as raw strings (a list stays ``[...]``)."""
    options: dict[str, str] = {}
    key = None
    for line in code.splitlines():
        if not line.startswith("#|"):
            break
        body = line[2:]
        match = re.match(r"\s*([\w-]+)\s*:\s*(.*)$", body)
        if match and not body.startswith("   "):
            key = match.group(1)
            options[key] = match.group(2).strip()
        elif key is not None:
            options[key] = (options[key] + "\n" + body.strip()).strip()
    return options


def classes_problem(value: str) -> str | None:
    """Why a ``#| classes:`` value breaks Quarto (fact 4), or None when it is fine."""
    value = value.strip()
    if value.startswith("[") or value.startswith("-") or "\n-" in value:
        return f"a list ({value!r}); write one string '.a .b'"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    bare = [word for word in value.split()[1:] if not word.startswith(".")]
    if bare:
        return f"bare word(s) {bare} after the first class in {value!r}; write '.a .b'"
    return None


# -- numbering -----------------------------------------------------------------------------


class Numbering:
    """Quarto's crossref counters across the book (chapter, sections, kinds)."""

    def __init__(self) -> None:
        self.chapter_count = 0
        self.appendix_count = 0
        self.label: str | None = None  # the current chapter's number, None: unnumbered
        self.appendix = False
        self.sections: list[int] = []
        self.kinds: Counter[str] = Counter()

    def body_chapter(self) -> str | None:
        """A numbered level-1 heading in a chapter body: Quarto counts it as the next
        chapter for its own numbers (fact 1), without moving the book's chapter count."""
        base = self.label
        if base is None:
            base = _letter(self.appendix_count) if self.appendix else str(self.chapter_count)
        if base.isdigit():
            self.label = str(int(base) + 1)
        else:
            self.label = _letter(_letter_value(base) + 1)
        self.sections = []
        self.kinds = Counter()
        return self.label

    def start_chapter(self, numbered: bool, appendix: bool) -> str | None:
        self.appendix = appendix
        if numbered:
            if appendix:
                self.appendix_count += 1
                self.label = _letter(self.appendix_count)
            else:
                self.chapter_count += 1
                self.label = str(self.chapter_count)
        else:
            self.label = None
        self.sections = []
        self.kinds = Counter()
        return self.label

    def section(self, level: int) -> str | None:
        depth = level - 1
        while len(self.sections) < depth:
            self.sections.append(0)
        del self.sections[depth:]
        self.sections[depth - 1] += 1
        if self.label is None:
            return None
        return ".".join([self.label, *(str(n) for n in self.sections)])

    def next(self, kind: str) -> str:
        self.kinds[kind] += 1
        number = str(self.kinds[kind])
        return number if self.label is None else f"{self.label}.{number}"


def _letter_value(letters: str) -> int:
    value = 0
    for char in letters:
        value = value * 26 + string.ascii_uppercase.index(char) + 1
    return value


def _letter(n: int) -> str:
    letters = string.ascii_uppercase
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = letters[rest] + out
    return out


class PageWalker:
    """Walks one page's blocks: numbers its targets and records its problems."""

    def __init__(self, check: BookCheck, numbering: Numbering, page: Page, in_book: bool):
        self.check = check
        self.numbering = numbering
        self.page = page
        self.in_book = in_book
        self.cites: list[str] = []  # every @id on the page
        self.ids: set[str] = set()  # every id the page carries
        self.links: list[str] = []  # every link target written on the page
        self.fig_parent: str | None = None  # the number of the figure being walked
        self.title_header: dict[str, Any] | None = None

    def problem(self, rule: str, message: str, snippet: str = "") -> None:
        self.check.problems.append(Problem(rule, self.page.line_of(snippet), message))

    def add_target(self, ident: str, number: str | None) -> None:
        self.ids.add(ident)
        if ident in self.check.targets:
            first = self.check.targets[ident]
            if _prefix(ident):  # other ids (pandoc's automatic ones) are per page
                self.problem("duplicate_id", f"#{ident} also defined in {first.page}", ident)
            return
        self.check.targets[ident] = Target(ident, self.page.name, number)

    # -- the page's title and chapter number

    def run(self, appendix: bool = False, part: bool = False, chapter: bool = True) -> None:
        """Number the page as a chapter (or a part page) and walk it."""
        meta_title = self.page.meta.get("title")
        title_header = None
        if not meta_title:
            title_header = next((b for b in self.page.blocks if b.get("t") == "Header"), None)
        title = str(meta_title) if meta_title else None
        numbered = not part
        if title_header is not None:
            title = stringify(title_header["c"][2])
            numbered = numbered and "unnumbered" not in title_header["c"][1][1]
        titled = bool(meta_title) or (title_header is not None and title_header["c"][0] == 1)
        if chapter and not part and not titled:
            shown = f"with the heading {title!r}" if title_header is not None else "by file name"
            self.problem(
                "no_title",
                f"no YAML title and no level-1 first heading: Quarto titles the chapter {shown}",
                title or "",
            )
        label = self.numbering.start_chapter(numbered and self.in_book, appendix)
        self.check.chapters.append(Chapter(self.page.name, label, title, appendix, part))
        if title_header is not None:
            ident = title_header["c"][1][0]
            if ident:
                self.add_target(ident, label if _prefix(ident) == "sec" else None)
        self.title_header = title_header
        self.has_title = bool(meta_title) or title_header is not None
        self.blocks(self.page.blocks, parent_fig=None)

    # -- blocks

    def blocks(self, blocks: list[Any], parent_fig: str | None, container: str = "") -> None:
        for index, block in enumerate(blocks):
            self.block(block, parent_fig, container, index)

    def block(self, block: Any, parent_fig: str | None, container: str, index: int) -> None:
        if not isinstance(block, dict):
            return
        kind, content = block.get("t"), block.get("c")
        if kind == "Header":
            self.header(block, container, index)
            self.inlines(content[2])
            return
        if kind in ("Para", "Plain"):
            first = content[0] if content else None
            opening = first["c"] if first and first.get("t") == "Str" else ""
            # an escaped \::: is the author's literal text, shown as Sphinx showed it
            if opening.startswith(":::") and "\\" + opening not in self.page.text:
                text = stringify(content)
                self.problem("unparsed_div", f"not parsed as a div: {text[:60]!r}", first["c"])
            self.equations(content)
            self.inlines(content)
            return
        if kind == "Div":
            self.div(block, parent_fig, container)
            return
        if kind == "Figure":
            ident = content[0][0]
            number = self.float_number(ident, parent_fig)
            self.inlines(content[1])
            inner = number if _prefix(ident) == "fig" else parent_fig
            self.within_figure(inner, lambda: self.blocks(content[2], inner))
            return
        if kind == "Table":
            self.float_number(content[0][0], parent_fig)
            self.inlines(content)
            return
        if kind == "CodeBlock":
            self.code_block(block, parent_fig)
            return
        if kind in ("RawBlock", "RawInline"):
            self.raw(content)
            return
        if kind in ("BlockQuote",):
            self.blocks(content, parent_fig, container)
            return
        if kind in ("BulletList",):
            for item in content:
                self.blocks(item, parent_fig, container)
            return
        if kind == "OrderedList":
            for item in content[1]:
                self.blocks(item, parent_fig, container)
            return
        if kind == "DefinitionList":
            for term, definitions in content:
                self.inlines(term)
                for definition in definitions:
                    self.blocks(definition, parent_fig, container)
            return
        if kind == "LineBlock":
            for line in content:
                self.inlines(line)

    def header(self, block: dict[str, Any], container: str, index: int) -> None:
        level, attr, inlines = block["c"]
        ident, classes = attr[0], attr[1]
        text = stringify(inlines)
        if block is self.title_header:
            return
        if container == "callout":
            if index == 0:
                return  # the callout's title
            self.problem(
                "callout_heading",
                f"heading {text!r} inside a callout, not first: numbered as a section "
                "and missing from the page TOC",
                text,
            )
        if container == "tabset":
            return
        unnumbered = "unnumbered" in classes
        number = None
        if level == 1:
            if self.in_book:
                self.problem(
                    "body_h1",
                    f"level-1 heading {text!r} in the body of a chapter that has a title: "
                    "Quarto numbers it as a new chapter",
                    text,
                )
            if not unnumbered and self.in_book:
                # Quarto's crossref filter: every numbered level-1 heading is a new chapter
                number = self.numbering.body_chapter()
        elif not unnumbered:
            number = self.numbering.section(level)
        if ident:
            self.add_target(ident, number if _prefix(ident) == "sec" else None)

    def div(self, block: dict[str, Any], parent_fig: str | None, container: str) -> None:
        attr, children = block["c"]
        ident, classes = attr[0], attr[1]
        if any(c.startswith("callout") for c in classes):
            self.blocks(children, parent_fig, "callout")
            return
        if "panel-tabset" in classes:
            self.blocks(children, parent_fig, "tabset")
            return
        if "cell" in classes and "code" in classes:
            # a notebook code cell: its options are #| lines of its source
            for child in children:
                if child.get("t") == "CodeBlock":
                    self.cell_source(child["c"][1], parent_fig, ident=ident)
                else:
                    self.block(child, parent_fig, "", 1)
            return
        prefix = _prefix(ident) if ident else None
        number = self.float_number(ident, parent_fig) if ident else None
        theorem = prefix in COUNTED and prefix not in ("fig", "tbl", "lst", "eq")
        if theorem and children and children[0].get("t") == "Header":
            # a theorem-like div: a first heading is its name
            self.inlines(children[0]["c"][2])
            children = children[1:]
        inner = number if prefix == "fig" else parent_fig
        self.within_figure(inner, lambda: self.blocks(children, inner, container))

    def within_figure(self, number: str | None, walk: Any) -> None:
        """Walk inside a figure: inline images with fig- ids there are its subfigures."""
        outer, self.fig_parent = self.fig_parent, number
        try:
            walk()
        finally:
            self.fig_parent = outer

    def float_number(self, ident: str, parent_fig: str | None) -> str | None:
        """Number a figure, table, listing or theorem *ident*; record it as a target."""
        if not ident:
            return None
        prefix = _prefix(ident)
        number = None
        if prefix in COUNTED:
            if prefix == "fig" and parent_fig is not None:
                # a subfigure: the parent's number and a letter
                self.numbering.kinds["fig" + parent_fig] += 1
                number = (
                    parent_fig
                    + string.ascii_lowercase[(self.numbering.kinds["fig" + parent_fig] - 1) % 26]
                )
            else:
                number = self.numbering.next(prefix)
        self.add_target(ident, number)
        return number

    def code_block(self, block: dict[str, Any], parent_fig: str | None) -> None:
        attr, code = block["c"]
        if "quarto-cell" in attr[1]:
            self.cell_source(code, parent_fig)
        elif attr[0]:
            self.float_number(attr[0], parent_fig)

    def cell_source(self, code: str, parent_fig: str | None, ident: str = "") -> None:
        options = cell_options(code)
        classes = options.get("classes")
        if classes is not None:
            why = classes_problem(classes)
            if why:
                self.problem("cell_classes", why, "classes:")
        label = options.get("label", "").strip("\"'")
        if label and _prefix(label) in ("fig", "tbl", "lst"):
            self.float_number(label, parent_fig)
        elif label:
            self.add_target(label, None)

    def equations(self, inlines: list[Any]) -> None:
        """``$$ ... $$ {#eq-x}``: Quarto's equation id, which pandoc leaves as text."""
        for i, inline in enumerate(inlines):
            if inline.get("t") != "Math" or inline["c"][0]["t"] != "DisplayMath":
                continue
            rest = [x for x in inlines[i + 1 : i + 3] if x.get("t") not in ("Space", "SoftBreak")]
            if rest and rest[0].get("t") == "Str":
                match = EQUATION_ID.match(rest[0]["c"])
                if match:
                    self.add_target(match.group(1), self.numbering.next("eq"))

    def raw(self, content: list[Any]) -> None:
        fmt, text = content
        if fmt != "html" or "<!--" not in text:
            return
        for line in text.split("\n")[1:]:
            if FENCE_LINE.match(line):
                self.problem(
                    "comment_fence",
                    f"line {line.strip()[:40]!r} inside an HTML comment starts with a fence",
                    line,
                )

    def inlines(self, value: Any) -> None:
        """Citations, ``****``, inline cells and raw comments among inlines (any depth)."""
        if isinstance(value, list):
            for item in value:
                self.inlines(item)
            return
        if not isinstance(value, dict):
            return
        kind, content = value.get("t"), value.get("c")
        if kind == "Str":
            if "****" in content and "****" in self.page.text:  # not the author's \*\*\*\*
                self.problem("quad_asterisks", f"{content[:40]!r} shows literally", content)
            return
        if kind == "Code":
            if INLINE_CELL.match(content[1]):
                self.problem(
                    "inline_cell", f"`{content[1][:40]}` is printed, not run", content[1][:20]
                )
            return
        if kind == "Cite":
            for citation in content[0]:
                self.cites.append(citation["citationId"])
            self.inlines(content[1])
            return
        if kind == "RawInline":
            self.raw(content)
            return
        if kind in ("Image", "Span", "Code", "Link") and _attr(value):
            ident = _attr(value)[0]
            if ident and _prefix(ident) == "fig" and kind == "Image":
                self.float_number(ident, self.fig_parent)
            elif ident:
                self.add_target(ident, None)
        if kind == "Link":
            self.links.append(content[2][0])
        if kind == "Note":
            self.blocks(content, None)
            return
        self.inlines(content)


# -- raw-text rules --------------------------------------------------------------------------


def grid_table_shortcodes(page: Page) -> list[Problem]:
    """A shortcode inside a grid table (fact 3): Quarto expands it first and breaks the table."""
    problems = []
    in_table = False
    fence: str | None = None
    for number, line in enumerate(page.text.splitlines(), 1):
        opening = FENCE_OPEN.match(line)
        if fence is not None:
            if opening and opening.group(1).startswith(fence):
                fence = None
            continue
        if opening and not in_table:
            fence = opening.group(1)
            continue
        stripped = line.strip()
        if GRID_RULE.match(line):
            in_table = True
        elif in_table and not (stripped.startswith("|") or stripped.startswith("+")):
            in_table = False
        if in_table and "{{<" in line:
            problems.append(
                Problem(
                    "grid_shortcode",
                    f"{page.name}:{number}",
                    f"shortcode in a grid table cell: {stripped[:60]!r}",
                )
            )
    return problems


# -- the book ----------------------------------------------------------------------------------


def _entries(items: Any, appendix: bool = False) -> list[tuple[str, Any, bool, bool]]:
    """(kind, value, appendix, part-page) of every chapter entry in order."""
    out: list[tuple[str, Any, bool, bool]] = []
    for entry in items or []:
        if isinstance(entry, str):
            out.append(("file", entry, appendix, False))
        elif isinstance(entry, dict) and "part" in entry:
            part = entry["part"]
            if isinstance(part, str) and part.endswith((".qmd", ".ipynb", ".md")):
                out.append(("file", part, appendix, True))
            out.extend(_entries(entry.get("chapters"), appendix))
        elif (
            isinstance(entry, dict) and set(entry) == {"text"} and set(str(entry["text"])) <= {"-"}
        ):
            continue  # a separator
        else:
            out.append(("bad", entry, appendix, False))
    return out


def check_book(outdir: Path) -> BookCheck:
    """Read the Quarto project in *outdir* as Quarto would, and list its problems."""
    config = yaml.safe_load((outdir / "_quarto.yml").read_text(encoding="utf-8")) or {}
    project_type = (config.get("project") or {}).get("type", "default")
    check = BookCheck(book=project_type == "book")
    numbering = Numbering()
    walkers: list[PageWalker] = []
    if check.book:
        book = config.get("book") or {}
        entries = _entries(book.get("chapters")) + _entries(book.get("appendices"), True)
    else:
        render = (config.get("project") or {}).get("render") or sorted(
            p.relative_to(outdir).as_posix() for p in outdir.glob("**/*.qmd")
        )
        entries = [("file", name, False, False) for name in render]
    seen: set[str] = set()
    for kind, value, appendix, part in entries:
        if kind == "bad" or not (outdir / str(value)).is_file():
            check.problems.append(
                Problem("chapter_entry", "_quarto.yml", f"chapter entry {value!r} is no file")
            )
            continue
        if value in seen:
            continue
        seen.add(value)
        page = read_page(outdir / value, value)
        walker = PageWalker(check, numbering, page, in_book=check.book)
        walker.run(appendix=appendix, part=part, chapter=check.book)
        walkers.append(walker)
        check.problems.extend(grid_table_shortcodes(page))
    by_page = {walker.page.name: walker for walker in walkers}
    for walker in walkers:
        for url in walker.links:
            path, hash_, fragment = url.partition("#")
            if not hash_ or not fragment or ":" in path:
                continue  # a whole page, or another site
            name = posixpath.normpath(posixpath.join(posixpath.dirname(walker.page.name), path))
            target_page = by_page.get(name if path else walker.page.name)
            if target_page is not None and fragment not in target_page.ids:
                walker.problem(
                    "link_missing", f"{url}: {target_page.page.name} has no #{fragment}", url
                )
        check.refs[walker.page.name] = [i for i in walker.cites if _prefix(i)]
        for ident in walker.cites:
            if _prefix(ident) is None:
                continue  # a citation key
            target = check.targets.get(ident)
            if target is None:
                walker.problem("ref_missing", f"@{ident}: no such id in the book", "@" + ident)
            elif target.number is None:
                walker.problem(
                    "ref_unnumbered",
                    f"@{ident}: {target.page} has it, but Quarto gives it no number",
                    "@" + ident,
                )
            elif not check.book and target.page != walker.page.name:
                walker.problem(
                    "ref_cross_page",
                    f"@{ident} is on {target.page}: unresolved outside a book project",
                    "@" + ident,
                )
    return check


# -- comparison with Sphinx's numbers -----------------------------------------------------------

#: Sphinx's enumerable node type -> the Quarto prefix of the same kind
SPHINX_FIGTYPES = {"figure": "fig", "table": "tbl", "code-block": "lst", "displaymath": "eq"}


@dataclass
class Agreement:
    """How many of Sphinx's numbered, labelled items print the same number in Quarto."""

    per_kind: Counter[str] = field(default_factory=Counter)  # numbered items per prefix
    agree: Counter[str] = field(default_factory=Counter)
    differ: list[str] = field(default_factory=list)
    per_chapter: bool = False  # Sphinx numbers per chapter (numbered toctree)

    @property
    def total(self) -> int:
        return sum(self.per_kind.values())

    @property
    def agreeing(self) -> int:
        return sum(self.agree.values())


def compare_with_sphinx(check: BookCheck, env: Any, labels: dict[str, Any]) -> Agreement:
    """Compare Quarto's numbers with ``env.toc_fignumbers`` for every labelled target.

    Where Sphinx numbers per chapter (``toc_secnumbers``: a numbered toctree) the printed
    numbers must be equal. Where it numbers through the whole book, a Quarto number agrees
    when it carries its own page's chapter number and keeps Sphinx's order in that page:
    ``<chapter>.<k>`` for the k-th item of that kind Sphinx numbered on the page.
    """
    result = Agreement()
    ranks: dict[tuple[str, str, str], int] = {}
    for docname, kinds in env.toc_fignumbers.items():
        for figtype, numbers in kinds.items():
            ordered = sorted(numbers.items(), key=lambda item: item[1])
            for k, (node_id, _number) in enumerate(ordered, 1):
                ranks[(docname, figtype, node_id)] = k
    reverse = {prefix: figtype for figtype, prefix in SPHINX_FIGTYPES.items()}
    seen: set[str] = set()
    for target in labels.values():
        prefix = {"figure": "fig", "table": "tbl", "code": "lst", "equation": "eq"}.get(
            target.get("kind") or ""
        )
        if prefix is None or not target.get("numbered") or target["qid"] in seen:
            continue
        figtype = reverse[prefix]
        docname, node_id = target["docname"], target["node_id"]
        sphinx = env.toc_fignumbers.get(docname, {}).get(figtype, {}).get(node_id)
        if sphinx is None:
            continue  # Sphinx did not number it (no caption, outside every toctree ...)
        seen.add(target["qid"])
        result.per_kind[prefix] += 1
        quarto = check.targets.get(target["qid"])
        printed = quarto.number if quarto else None
        if env.toc_secnumbers.get(docname):
            result.per_chapter = True
            expected = ".".join(str(n) for n in sphinx)
        else:
            chapter = check.chapter_of(quarto.page) if quarto else None
            k = str(ranks[(docname, figtype, node_id)])
            expected = k if chapter is None or chapter.number is None else f"{chapter.number}.{k}"
        if printed == expected:
            result.agree[prefix] += 1
        else:
            result.differ.append(
                f"{docname}: {target['qid']} Quarto {printed or '(none)'}, expected {expected} "
                f"(Sphinx {'.'.join(map(str, sphinx))})"
            )
    return result
