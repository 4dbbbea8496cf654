"""Property test: MyST pages generated from the constructs the builder supports -- and from
broken ones (unknown directives and roles, code cells whose options are not YAML, math
environments never closed) -- never make it raise, every page it writes parses with pandoc
and is well-formed, every prose word of the source is in it, and every Quarto
cross-reference it writes points at an id that exists in the book.

One Sphinx application is reused and rebuilt incrementally for each example (a fresh
application per example would cost a second each). ``ROBUST_EXAMPLES`` sets the number of
examples (default 150; run thousands locally), ``ROBUST_DEADLINE`` a time limit in seconds
counted from the test's own start, ``ROBUST_MIN_EXAMPLES`` how many pages must have been
checked by then (default 30) for the test to pass.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ast_facts, is_crossref, sphinx_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robust_helpers import BASE_CONF, wellformed_problems
from sphinx.util.docutils import docutils_namespace

EXAMPLES = int(os.environ.get("ROBUST_EXAMPLES", "150"))
DEADLINE = float(os.environ.get("ROBUST_DEADLINE", "120"))
MIN_EXAMPLES = int(os.environ.get("ROBUST_MIN_EXAMPLES", "30"))

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5e1c1f60000000049454e44ae426082"
)

# words with characters pandoc or Quarto could read as syntax
WORDS = st.sampled_from(
    [
        "alpha",
        "Beta",
        "x_1",
        "_lead",
        "trail_",
        "50$",
        "$5",
        "@handle",
        "a*b",
        "<tag>",
        "{{<",
        "#hash",
        "100%",
        "[x]",
        "a|b",
        "~tilde",
        "^hat",
        "Grüße",
        "\\back",
        "end.",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
PLAIN = st.sampled_from(["alpha", "beta gamma", "Grüße", "x1"])
MATH = st.sampled_from(["x^2", "\\frac{a}{b}", "e^{i\\pi} + 1 = 0", "\\sum_{k=1}^n k", "a_{ij}"])


class Doc:
    """A page under construction: its blocks and the labels it defines (kind, label)."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.labels: list[tuple[str, str]] = []
        self.words: list[str] = []
        self.counter = 0

    def word(self) -> str:
        """A prose word the output must hold (plain letters and digits: nothing to escape)."""
        self.counter += 1
        self.words.append(f"Prose{self.counter}w")
        return self.words[-1]

    def label(self, kind: str) -> str:
        self.counter += 1
        name = f"{kind}-l{self.counter}"
        self.labels.append((kind, name))
        return name


@st.composite
def inline(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "em", "strong", "code", "math", "link"]))
        words = draw(TEXT)
        if kind == "text":
            parts.append(words)
        elif kind == "em":
            parts.append(f"*{draw(PLAIN)}*")
        elif kind == "strong":
            parts.append(f"**{draw(PLAIN)}**")
        elif kind == "code":
            parts.append(f"`{words.replace('`', '')}`")
        elif kind == "math":
            parts.append(f"${draw(MATH)}$")
        else:
            parts.append(f"[{draw(st.sampled_from(['site', 'docs']))}](https://example.org/x)")
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn, doc: Doc, depth: int) -> str:
    kinds = ["para", "para", "code", "math", "figure", "table", "list"]
    if depth == 0:
        # a heading inside a directive is a rubric in MyST, not a section
        kinds.append("section")
    if depth < 2:
        kinds += ["admonition", "colon", "unknown-directive"]
    kinds += ["unknown-role", "unclosed-env"]
    kind = draw(st.sampled_from(kinds))
    if kind == "para":
        return f"{doc.word()} {draw(inline())}"
    if kind == "unknown-directive":
        # an extension that is not installed: its argument and body are prose
        fence = draw(st.sampled_from(["`", ":"])) * (6 - depth)
        name = draw(st.sampled_from(["frobnicate", "prf:lemma", "nosuch-box"]))
        argument = f" {doc.word()} {draw(PLAIN)}" if draw(st.booleans()) else ""
        options = ":class: tip\n" if draw(st.booleans()) else ""
        body = "\n\n".join(f"{doc.word()} {draw(inline())}" for _ in range(draw(st.integers(1, 2))))
        return f"{fence}{{{name}}}{argument}\n{options}{body}\n{fence}"
    if kind == "unknown-role":
        name = draw(st.sampled_from(["frobnicate", "glorp", "nosuch:role"]))
        return f"{doc.word()} {{{name}}}`{doc.word()} {draw(PLAIN)}` {doc.word()}"
    if kind == "unclosed-env":
        env = draw(st.sampled_from(["align", "cases", "aligned", "equation"]))
        if draw(st.booleans()):
            return f"{doc.word()} $\\begin{{{env}}} x$ {doc.word()}"
        return f"\\begin{{{env}}}\na &= b\n\n{doc.word()} {draw(inline())}"
    if kind == "code":
        return "```python\n" + draw(TEXT).replace("`", "") + "\n```"
    if kind == "math":
        if draw(st.booleans()):
            return f"$$\n{draw(MATH)}\n$$ ({doc.label('eq')})"
        return f"$$\n{draw(MATH)}\n$$"
    if kind == "figure":
        name = f":name: {doc.label('fig')}\n" if draw(st.booleans()) else ""
        # "Caption" first: a caption that starts as a block (e.g. "<tag>" is an HTML block)
        # is no caption, docutils reports an error and the figure loses its label
        return f"```{{figure}} pic.png\n{name}\nCaption {draw(TEXT)}\n```"
    if kind == "table":
        rows = draw(st.integers(1, 3))
        cells = [[draw(TEXT).replace("|", "") for _ in range(2)] for _ in range(rows)]
        name = f":name: {doc.label('tbl')}\n" if draw(st.booleans()) else ""
        title = draw(TEXT).replace("`", "")
        if draw(st.booleans()):
            body = "\n".join(f"* - {a}\n  - {b}" for a, b in cells)
            return f"```{{list-table}} {title}\n{name}:header-rows: 0\n\n{body}\n```"
        # a pipe table gets its caption (and name) from the {table} directive
        pipe = "| head a | head b |\n| --- | --- |\n"
        pipe += "\n".join(f"| {a} | {b} |" for a, b in cells)
        return f"```{{table}} {title}\n{name}\n{pipe}\n```"
    if kind == "list":
        return draw(nested_list(depth=0))
    if kind == "section":
        label = doc.label("sec")
        return f"({label})=\n## {draw(TEXT)}"
    inner = "\n\n".join(draw(block(doc, depth + 1)) for _ in range(draw(st.integers(1, 2))))
    name = draw(st.sampled_from(["note", "warning", "tip", "important"]))
    if kind == "admonition":
        fence = "`" * (6 - depth)
        return f"{fence}{{{name}}}\n{inner}\n{fence}"
    fence = ":" * (6 - depth)
    return f"{fence}{{{name}}}\n{inner}\n{fence}"


@st.composite
def nested_list(draw: st.DrawFn, depth: int) -> str:
    ordered = draw(st.booleans())
    items = []
    for number in range(draw(st.integers(1, 3))):
        marker = f"{number + 1}." if ordered else "-"
        pad = " " * (len(marker) + 1)
        text = draw(inline())
        item = f"{marker} {text}"
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            sub = draw(nested_list(depth=depth + 1))
            item += "\n\n" + "\n".join(pad + line if line else "" for line in sub.split("\n"))
        items.append(item)
    return "\n".join(items)


@st.composite
def page(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], list[str]]:
    doc = Doc()
    blocks = [draw(block(doc, 0)) for _ in range(draw(st.integers(1, 6)))]
    cells = draw(st.booleans())
    if doc.labels:
        refs = []
        for kind, label in draw(st.lists(st.sampled_from(doc.labels), max_size=4)):
            role = {"fig": "numref", "tbl": "numref", "eq": "eq", "sec": "ref"}[kind]
            refs.append(f"{{{role}}}`{label}`")
        if refs:
            blocks.append("See " + ", ".join(refs) + ".")
    head = ""
    if cells:
        head = (
            "---\njupytext:\n  text_representation:\n    format_name: myst\n"
            "kernelspec:\n  name: python3\n  display_name: Python 3\n  language: python\n---\n"
        )
        # options that are not YAML (a --- block or :key: lines) cost only the options
        options = draw(st.sampled_from(["", ":tags: [unclosed\n", "---\n: bad: [yaml\n---\n"]))
        blocks.append(f"```{{code-cell}} python\n{options}print(1)\n```")
        blocks.append(f"{doc.word()} after the cell.")
    text = head + "# Generated page\n\n" + "\n\n".join(blocks) + "\n"
    return text, doc.labels, doc.words


class Book:
    """One Sphinx application rebuilt incrementally, page.md rewritten per example."""

    def __init__(self, base: Path) -> None:
        self.src = base / "src"
        self.src.mkdir()
        (self.src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
        (self.src / "pic.png").write_bytes(PNG)
        (self.src / "index.md").write_text("# Book\n\n```{toctree}\npage\n```\n", encoding="utf-8")
        (self.src / "page.md").write_text("# Start\n", encoding="utf-8")
        self.warnings = io.StringIO()
        self.out = base / "out"
        self.app = sphinx_app(self.src, self.out, "qmd", io.StringIO(), self.warnings)
        self.app.build()
        self.stamp = time.time()

    def build(self, text: str) -> str:
        path = self.src / "page.md"
        path.write_text(text, encoding="utf-8")
        self.stamp += 10
        os.utime(path, (self.stamp, self.stamp))
        self.warnings.seek(0)
        self.warnings.truncate()
        self.app.build()
        return (self.out / "page.qmd").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    # the application lives for the module; its docutils registrations end with it
    with docutils_namespace():
        yield Book(tmp_path_factory.mktemp("property"))


def test_generated_pages(book: Book) -> None:
    """Up to EXAMPLES generated pages within DEADLINE seconds of this test's own start;
    fewer than MIN_EXAMPLES checked pages is a failure, not a pass."""
    start = time.monotonic()
    checked = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("ROBUST_RANDOM") is None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(generated=page())
    def check(generated: tuple[str, list[tuple[str, str]], list[str]]) -> None:
        nonlocal checked
        if time.monotonic() - start > DEADLINE:
            return  # time-bounded: the remaining examples are not built
        check_page(book, *generated)
        checked += 1

    check()
    assert checked >= min(MIN_EXAMPLES, EXAMPLES), (
        f"only {checked} generated pages checked in {DEADLINE:.0f} s "
        f"(ROBUST_DEADLINE); at least {MIN_EXAMPLES} are needed (ROBUST_MIN_EXAMPLES)"
    )


def check_page(book: Book, text: str, labels: list[tuple[str, str]], words: list[str]) -> None:
    output = book.build(text)  # never raises
    warnings = book.warnings.getvalue()
    assert "Traceback" not in warnings
    assert wellformed_problems(output) == [], output
    lost = [word for word in words if word not in output]
    assert lost == [], (lost, text, output)
    facts = ast_facts(output)  # pandoc parses it
    missing = [key for key in facts.citations if is_crossref(key) and key not in facts.ids]
    assert missing == [], (text, output)
    for kind, label in labels:
        if kind in ("fig", "tbl", "eq", "sec"):
            assert re.search(rf"#{re.escape(label)}\b", output), (label, output)
