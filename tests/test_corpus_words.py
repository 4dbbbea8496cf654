"""Nothing is lost on real books: word conservation and no MyST syntax left.

For every book in ``../shared/corpora`` (copied to a temporary folder, with a test-only
``conf.py`` from :mod:`corpus_conf`) and for ``example_project/``:

* the book is built twice, with Sphinx's own ``text`` builder and with ``qmd``;
* the words of the text rendering are looked up in a plain-text rendering of the
  ``.qmd`` pages (pandoc's AST of each page, every inline text, code and TeX source,
  without raw HTML/LaTeX, which the text builder leaves out too);
* conservation = words of the text rendering found in the Quarto rendering (as a
  multiset) / words of the text rendering; it must be >= 99.5%.

Discounted on the text side, because Quarto generates them itself from the ``.qmd``
(so they are not in it): notebook cell outputs (Quarto runs the cells), the labels
Sphinx prints for callouts ("Note", "Warning", ...), reference numbers and their default
prefixes ("Fig. 3", "(2)", "Theorem 1"), citation texts and the bibliography. Also the
text builder's ``[image]`` placeholders and image alt texts (house style drops alt text:
``qmd_keep_image_alt = False``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pypandoc
import pytest
import sphinx.writers.text
from corpus_conf import copy_book
from docutils import nodes
from helpers import PANDOC_FORMAT, build_qmd
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.writers.text import TextTranslator

TESTS = Path(__file__).parent
# QMD_CORPORA: the corpora folder when the checkout is not next to ../shared (a worktree)
CORPORA = Path(os.environ.get("QMD_CORPORA") or TESTS.parent.parent / "shared" / "corpora")
EXAMPLE = TESTS.parent / "example_project"
# without the corpora (a fresh clone), only the example project is measured
CORPUS_BOOKS = sorted(p.name for p in CORPORA.glob("*") if (p / "_config.yml").is_file())
BOOKS = [*CORPUS_BOOKS, "example_project"]
THRESHOLD = 0.995

_WORD = re.compile(r"\w+")
#: words Quarto puts before a reference number it generates
REFERENCE_PREFIXES = {
    "fig",
    "figure",
    "table",
    "tab",
    "listing",
    "section",
    "sec",
    "eq",
    "equation",
    "theorem",
    "lemma",
    "corollary",
    "proposition",
    "conjecture",
    "definition",
    "example",
    "exercise",
    "algorithm",
    "remark",
    "abbildung",
    "tabelle",
    "gleichung",
}
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[^}]*\}")
_NUMBER = re.compile(r"^\(?\d+(\.\d+)*\)?\.?$")
#: MyST syntax that must not survive into Quarto text
MYST_LEFTOVERS = {
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    # (a Quarto executable cell, ```{python}, is pandoc text too: not MyST)
    "directive fence": re.compile(
        r"(```|:::)\{(?!(?:python|r|julia|ojs|mermaid|dot)\})[a-z][\w:-]*\}"
    ),
    "label line": re.compile(r"(?m)^\([\w:.-]+\)=\s*$"),
    "substitution": re.compile(r"\{\{\s*[A-Za-z_][\w.]*\s*\}\}"),
}


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


class LenientTextTranslator(TextTranslator):
    """The text writer, but nodes it does not know (sphinx-proof's) keep their text."""

    def unknown_visit(self, node: nodes.Node) -> None:
        pass

    def unknown_departure(self, node: nodes.Node) -> None:
        pass


def discount_generated(
    app: Sphinx, doctree: nodes.document, docname: str, kept_outputs: frozenset[str] = frozenset()
) -> None:
    """Remove from the text rendering what Quarto generates instead of reading."""
    for node in list(doctree.findall(nodes.container)):
        if docname in kept_outputs:
            break  # written as .ipynb: the stored outputs are kept, so they count
        if node.get("nb_element") in ("cell_code_output", "cell_code_outputs"):
            node.parent.remove(node)
    for node in list(doctree.findall(nodes.Admonition)):
        if type(node) in (nodes.admonition, addnodes.seealso) or node.parent is None:
            continue
        if node.__class__.__module__.startswith("docutils"):
            # a titled generic box keeps its words; the generated label goes
            node.replace_self(nodes.admonition("", *node.children, classes=node["classes"]))
    for node in list(doctree.findall(addnodes.toctree)):
        node.parent.remove(node)  # Quarto's sidebar and chapter list come from _quarto.yml
    for node in list(doctree.findall(nodes.math_block)):
        node.replace_self(nodes.math_block("", strip_environments(node.astext())))
    for node in list(doctree.findall(nodes.inline)):
        if "bibtex-citation" in node.get("classes", []):
            node.parent.remove(node)  # Quarto formats citations from the .bib file
    for node in list(doctree.findall(nodes.enumerated_list)):
        # list numbers are the renderer's, on both sides
        node.replace_self(nodes.bullet_list("", *node.children))
    for node in list(doctree.findall(nodes.citation)):
        node.parent.remove(node)  # the bibliography: Quarto writes it
    for node in list(doctree.findall(nodes.image)):
        node.parent.remove(node)
    for node in list(doctree.findall(nodes.reference)):
        if node.get("internal") is False or node.get("refuri", "").startswith(("http", "mailto")):
            continue
        if _is_citation(node, doctree):
            node.replace_self(nodes.Text(""))
            continue
        text = node.astext()
        tokens = text.split()
        if not any(_NUMBER.match(t) for t in tokens):
            continue
        kept = [
            t
            for t in tokens
            if not _NUMBER.match(t) and t.strip(".:()").lower() not in REFERENCE_PREFIXES
        ]
        node.replace_self(nodes.Text(" ".join(kept)))


def strip_environments(tex: str) -> str:
    """TeX without ``\\begin{env}``/``\\end{env}``: Quarto writes equation environments as
    ``$$ ... $$ {#eq-x}``, so the environment names are its own, not the author's words."""
    return _ENVIRONMENT.sub(" ", tex)


def _is_citation(node: nodes.reference, doctree: nodes.document) -> bool:
    target = doctree.ids.get(node.get("refid", ""))
    return isinstance(target, nodes.citation) or "bibtex" in " ".join(node.get("classes", []))


def build_text(srcdir: Path, outdir: Path, kept_outputs: frozenset[str] = frozenset()) -> None:
    def prepare(app: Sphinx) -> None:
        app.set_translator("text", LenientTextTranslator, override=True)
        app.connect(
            "doctree-resolved",
            lambda app, doctree, docname: discount_generated(app, doctree, docname, kept_outputs),
        )

    # no wrapping: the text writer may break CJK lines inside a word, cutting it in two
    with mock.patch.object(sphinx.writers.text, "MAXWIDTH", 1000):
        build_qmd(srcdir, outdir, "text", prepare=prepare, text_add_secnumbers=False)


_INLINE_MARKUP = {"Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps"}
_BLOCKS = {
    "Para",
    "Plain",
    "Header",
    "Div",
    "BlockQuote",
    "BulletList",
    "OrderedList",
    "DefinitionList",
    "LineBlock",
    "Table",
    "Figure",
    "Note",
}


def _ast_text(value: Any, out: list[str]) -> None:
    """Every word a reader (or pandoc's plain writer) sees, TeX math as its source."""
    if isinstance(value, dict):
        kind, content = value.get("t"), value.get("c")
        if kind in ("RawBlock", "RawInline"):
            return
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "CodeBlock"):
            out.append(" " + content[1] + " ")
        elif kind == "Math":
            out.append(" " + strip_environments(content[1]) + " ")
        elif kind in _INLINE_MARKUP:
            # the text builder writes markers around these ("*x*"), which split words
            out.append(" ")
            _ast_text(content, out)
            out.append(" ")
        elif kind == "MetaString":
            out.append(" " + content + " ")
        else:
            if kind in _BLOCKS:
                out.append("\n")
            for child in value.values():
                _ast_text(child, out)
            if kind in _BLOCKS:
                out.append("\n")
    elif isinstance(value, list):
        for child in value:
            _ast_text(child, out)


def notebook_markdown(path: Path) -> str:
    """A notebook written by the builder, as one markdown text: its raw front matter,
    markdown cells, code (fenced) and the text of its stored outputs."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    for cell in notebook.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "code":
            parts.append(f"````\n{source}\n````")
            for output in cell.get("outputs", []):
                text = output.get("text") or output.get("data", {}).get("text/plain") or ""
                text = "".join(text) if isinstance(text, list) else text
                if text.strip():
                    parts.append(f"````\n{text}\n````")
        else:
            parts.append(source)
    return "\n\n".join(parts)


def qmd_plain(text: str) -> str:
    ast = json.loads(
        pypandoc.convert_text(text, "json", format=PANDOC_FORMAT, extra_args=["--wrap=none"])
    )
    out: list[str] = []
    title = ast.get("meta", {}).get("title")
    if title:
        _ast_text(title, out)
        out.append(" ")
    _ast_text(ast["blocks"], out)
    return "".join(out)


def qmd_text_without_code(text: str) -> str:
    """Inline text only (no code, math or raw), to look for MyST syntax left behind."""
    ast = json.loads(pypandoc.convert_text(text, "json", format=PANDOC_FORMAT))
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            kind = value.get("t")
            if kind in ("Code", "CodeBlock", "Math", "RawBlock", "RawInline"):
                return
            if kind == "Str":
                out.append(value["c"])
                return
            if kind in ("Space", "SoftBreak"):
                out.append(" ")
                return
            if kind in ("Para", "Plain", "Header", "LineBreak"):
                out.append("\n")
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(ast["blocks"])
    return "".join(out)


def _is_page(path: Path, outdir: Path) -> bool:
    """A page of the book, not a file in a tool's folder (``.jupyter_execute``, ``_build``)."""
    return not any(part.startswith((".", "_")) for part in path.relative_to(outdir).parts[:-1])


@dataclass
class Conservation:
    book: str
    text_words: int
    found: int
    missing: Counter[str]

    @property
    def ratio(self) -> float:
        return self.found / self.text_words if self.text_words else 1.0


def measure(book: str, tmp: Path) -> tuple[Conservation, dict[str, list[str]]]:
    src = tmp / "src"
    if book == "example_project":
        shutil.copytree(EXAMPLE, src)
    else:
        copy_book(CORPORA / book, src)
    # conservation measures the writer; translation replaces the German words on purpose
    # (example_project sets qmd_translate; test_translation.py checks what it keeps)
    result = build_qmd(src, tmp / "qmd", qmd_translate=False)
    notebooks = [p for p in sorted(result.outdir.rglob("*.ipynb")) if _is_page(p, result.outdir)]
    kept = frozenset(p.relative_to(result.outdir).with_suffix("").as_posix() for p in notebooks)
    build_text(src, tmp / "text", kept)
    text_words: Counter[str] = Counter()
    for path in sorted((tmp / "text").rglob("*.txt")):
        text_words += words(path.read_text(encoding="utf-8"))
    sphinx_text = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((tmp / "text").rglob("*.txt"))
    )
    qmd_words: Counter[str] = Counter()
    leftovers: dict[str, list[str]] = {}
    pages = [p for p in sorted(result.outdir.rglob("*.qmd")) if _is_page(p, result.outdir)]
    for path in pages + notebooks:
        if path.suffix == ".ipynb":
            page = notebook_markdown(path)
        else:
            page = path.read_text(encoding="utf-8")
        qmd_words += words(qmd_plain(page))
        prose = qmd_text_without_code(page)
        for kind, pattern in MYST_LEFTOVERS.items():
            for match in pattern.finditer(prose):
                if match.group(0) in sphinx_text:
                    continue  # MyST itself read it as text (e.g. a mis-indented fence)
                rel = path.relative_to(result.outdir).as_posix()
                leftovers.setdefault(rel, []).append(f"{kind}: {match.group(0)!r}")
    found = sum(min(n, qmd_words[w]) for w, n in text_words.items())
    missing = Counter({w: n - qmd_words[w] for w, n in text_words.items() if n > qmd_words[w]})
    return Conservation(book, sum(text_words.values()), found, missing), leftovers


@pytest.mark.corpus
@pytest.mark.parametrize("book", BOOKS)
def test_words_conserved_and_no_myst_left(book: str, tmp_path: Path) -> None:
    result, leftovers = measure(book, tmp_path)
    report = (
        f"{book}: {result.found}/{result.text_words} words = {result.ratio:.4%}; "
        f"most missing: {result.missing.most_common(15)}"
    )
    print(report)
    assert not leftovers, leftovers
    assert result.ratio >= THRESHOLD, report
