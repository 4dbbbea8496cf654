"""Write a synthetic Jupyter Book of N pages, for scale benchmarks and the parallel test.

Usage: ``python benchmarks/make_book.py N FOLDER``. Every page has prose, a figure
numbered and referenced from other pages (``{numref}`` to the previous page and to a page
far away), citations, inline and display math with an ``{eq}`` reference, a code block,
an admonition, a sphinx-proof theorem and a sphinx-exercise exercise; one page in ten is a
notebook (``.ipynb`` with code cells and stored outputs). Chapters of ten pages, a
bibliography page at the end. Deterministic: the same N gives the same bytes.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from pathlib import Path

CHAPTER_SIZE = 10
BIB_ENTRIES = 40
IMAGES = 8

SENTENCE = (
    "the flow field is sampled on a regular grid and the solver advances it in time while "
    "the network learns a correction that keeps the simulation close to the reference data "
    "so that gradients of the loss reach every parameter of the model through the solver"
)
WORDS = SENTENCE.split(" ")


def prose(seed: int, sentences: int = 5) -> str:
    """A paragraph of plain words that differs from page to page."""
    out = []
    for s in range(sentences):
        start = (seed * 7 + s * 13) % len(WORDS)
        words = [WORDS[(start + k) % len(WORDS)] for k in range(12 + (seed + s) % 9)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def png(shade: int) -> bytes:
    """A tiny valid grey PNG (8x8), so image handling runs without big files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([shade]) * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def page_path(i: int) -> str:
    """Book-relative path of page *i* without suffix."""
    return f"chapters/ch{i // CHAPTER_SIZE:03d}/p{i:04d}"


def is_notebook(i: int) -> bool:
    return i % CHAPTER_SIZE == CHAPTER_SIZE - 1


def markdown_blocks(i: int, n: int) -> list[str]:
    """The page's content as MyST blocks (shared by .md pages and notebook cells)."""
    prev_fig = f"fig-p{(i - 1) % n:04d}"
    far = (i * 37 + 11) % n
    cite = f"ref{i % BIB_ENTRIES}"
    cite2 = f"ref{(i * 3 + 1) % BIB_ENTRIES}"
    image = f"../../images/img{i % IMAGES}.png"
    return [
        f"(sec-p{i:04d})=\n# Page {i}: {' '.join(WORDS[i % 20 : i % 20 + 3])}",
        prose(i) + f" As shown by {{cite}}`{cite}`, the rate is $k_{{{i}}} = {i}/\\tau$.",
        f"## Method {i}\n\n" + prose(i + 1, 6),
        f"```{{figure}} {image}\n:name: fig-p{i:04d}\n:width: 50%\n\n"
        f"Figure caption of page {i}: {prose(i + 2, 1)}\n```",
        f"{{numref}}`fig-p{i:04d}` continues {{numref}}`{prev_fig}`; compare "
        f"{{numref}}`fig-p{far:04d}` in {{ref}}`sec-p{far:04d}` and {{cite:p}}`{cite2}`.",
        f"$$\nE_{{{i}}} = \\sum_{{j=1}}^{{{i + 2}}} a_j x^j\n$$ (eq-p{i:04d})",
        f"Equation {{eq}}`eq-p{i:04d}` bounds the error. " + prose(i + 3, 3),
        f"```python\ndef step_{i}(state, dt={i / 100}):\n    return state + dt * rhs(state)\n```",
        f":::{{note}}\n{prose(i + 4, 2)}\n:::",
        f"```{{prf:theorem}} Bound {i}\n:label: thm-p{i:04d}\n\n{prose(i + 5, 2)}\n```",
        f"```{{exercise}}\n:label: ex-p{i:04d}\n\n{prose(i + 6, 2)} Use {{prf:ref}}"
        f"`thm-p{i:04d}`.\n```",
        f"## Discussion {i}\n\n" + prose(i + 7, 8),
    ]


def notebook(i: int, n: int) -> str:
    cells = []
    for k, block in enumerate(markdown_blocks(i, n)):
        cells.append({"cell_type": "markdown", "id": f"m{k}", "metadata": {}, "source": block})
        if k in (2, 7):
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": k,
                    "id": f"c{k}",
                    "metadata": {},
                    "source": f"x = {i} * {k}\nprint(x)",
                    "outputs": [{"name": "stdout", "output_type": "stream", "text": f"{i * k}\n"}],
                }
            )
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1) + "\n"


def bibtex() -> str:
    return "".join(
        f"@article{{ref{k},\n  author = {{Author{k}, A. and Other, B.}},\n"
        f"  title = {{On topic number {k}}},\n  journal = {{Journal {k % 5}}},\n"
        f"  year = {{{1990 + k % 30}}},\n  volume = {{{k}}},\n  pages = {{1--{k + 9}}}\n}}\n\n"
        for k in range(BIB_ENTRIES)
    )


def make_book(n: int, folder: Path) -> Path:
    """Write the book of *n* pages into *folder* (created); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(
        f"title: Synthetic book of {n} pages\nauthor: Benchmark\n"
        "execute:\n  execute_notebooks: 'off'\nonly_build_toc_files: true\n"
        "bibtex_bibfiles:\n  - references.bib\n"
        "parse:\n  myst_enable_extensions: [dollarmath, colon_fence]\n"
        "sphinx:\n  extra_extensions:\n    - sphinx_proof\n    - sphinx_exercise\n",
        encoding="utf-8",
    )
    (folder / "references.bib").write_text(bibtex(), encoding="utf-8")
    images = folder / "images"
    images.mkdir(exist_ok=True)
    for k in range(IMAGES):
        (images / f"img{k}.png").write_bytes(png(40 + k * 25))
    (folder / "intro.md").write_text(
        f"# Synthetic book\n\n{prose(0, 4)}\n\nThe first figure is {{numref}}`fig-p0000`.\n",
        encoding="utf-8",
    )
    (folder / "bibliography.md").write_text(
        "# Bibliography\n\n```{bibliography}\n```\n", encoding="utf-8"
    )
    chapters = []
    for start in range(0, n, CHAPTER_SIZE):
        members = range(start, min(start + CHAPTER_SIZE, n))
        for i in members:
            path = folder / page_path(i)
            path.parent.mkdir(parents=True, exist_ok=True)
            if is_notebook(i):
                path.with_suffix(".ipynb").write_text(notebook(i, n), encoding="utf-8")
            else:
                text = "\n\n".join(markdown_blocks(i, n)) + "\n"
                path.with_suffix(".md").write_text(text, encoding="utf-8")
        first, *rest = members
        entry = f"  - file: {page_path(first)}\n"
        if rest:
            entry += "    sections:\n" + "".join(f"      - file: {page_path(i)}\n" for i in rest)
        chapters.append(entry)
    (folder / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Pages\n    numbered: true\n"
        "    chapters:\n"
        + "".join("  " + line + "\n" for c in chapters for line in c.rstrip("\n").split("\n"))
        + "  - caption: Back matter\n    chapters:\n      - file: bibliography\n",
        encoding="utf-8",
    )
    return folder


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.exit(__doc__.splitlines()[2])
    make_book(int(args[0]), Path(args[1]))


if __name__ == "__main__":
    main()
