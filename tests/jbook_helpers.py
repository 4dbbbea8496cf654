"""Helpers for the Jupyter Book tests: run ``sphinx-qmd`` in-process, read its output."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).parent
JB_ROOT = TESTS / "roots" / "jb-book"


@dataclass
class CliRun:
    book: Path
    out: Path
    status: int
    stdout: str
    stderr: str

    def read(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")

    def quarto(self) -> dict[str, Any]:
        return yaml.safe_load(self.read("_quarto.yml"))

    def notebook(self, name: str) -> dict[str, Any]:
        return json.loads(self.read(name))


def run_cli(book: Path, out: Path, *args: str) -> CliRun:
    """``sphinx-qmd BOOK OUT ARGS`` in this process, with its stdout/stderr captured."""
    from sphinx_qmd_builder.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main([str(book), str(out), *args])
    return CliRun(book, out, status, stdout.getvalue(), stderr.getvalue())


def copy_book(source: Path, tmp: Path) -> Path:
    target = tmp / source.name
    shutil.copytree(source, target)
    return target


def listing(folder: Path) -> dict[str, float]:
    """Every file under *folder* with its modification time."""
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def flat_chapters(items: list[Any]) -> list[Any]:
    """``book: chapters`` flattened: files and hrefs in reading order, parts unwrapped."""
    flat: list[Any] = []
    for item in items:
        if isinstance(item, dict) and "part" in item:
            flat.extend(flat_chapters(item.get("chapters", [])))
        elif isinstance(item, dict) and "href" in item:
            flat.append(item["href"])
        else:
            flat.append(item)
    return flat


def accepted_forms_problems(out: Path, data: dict[str, Any]) -> list[str]:
    """Every entry outside the forms QUARTO.md lists (read here from the YAML alone)."""
    problems = []
    book = data["book"]
    if not isinstance(book.get("title"), str) or not book["title"].strip():
        problems.append("empty title")
    for key in ("chapters", "appendices"):
        for entry in book.get(key, []):
            if isinstance(entry, dict) and "part" in entry:
                title = entry["part"]
                if not isinstance(title, str) or not title.strip() or "://" in title:
                    problems.append(f"part title {title!r}")
                inner = entry.get("chapters")
                if not isinstance(inner, list) or not inner:
                    problems.append(f"part {title!r} without chapters")
                    continue
                entries = inner
            else:
                entries = [entry]
            for page in entries:
                if not isinstance(page, str) or "://" in page or not (out / page).is_file():
                    problems.append(f"{key}: {page!r}")
    return problems


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def cell_option_lines(cell: dict[str, Any]) -> list[str]:
    return [line for line in source(cell).splitlines() if line.startswith("#| ")]
