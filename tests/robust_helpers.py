"""Helpers for the robustness tests: project scaffolding and output well-formedness checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

#: what every planted file outside the source folder contains
SENTINEL = "SENTINEL-7f3a9c-do-not-leak"

BASE_CONF = """\
project = "Robustness"
extensions = ["myst_nb", "sphinxcontrib.bibtex", "sphinx_qmd_builder"]
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image"]
bibtex_bibfiles = []
nb_execution_mode = "off"
numfig = True
exclude_patterns = ["_build", "**/_*", "_*", "**/_ext", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]
show_warning_types = True  # the [type.subtype] a case may name (default only from Sphinx 8)
"""


def plant_sentinels(folder: Path) -> None:
    """Files outside the source folder that a hostile page reaches for."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text(f"{SENTINEL}\n", encoding="utf-8")
    # a PNG signature and the sentinel: copied anywhere, it would show up in a byte scan
    (folder / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + SENTINEL.encode())
    (folder / "secret.bib").write_text(
        f"@book{{leak,\n title={{{SENTINEL}}},\n author={{X}},\n year={{2000}}\n}}\n",
        encoding="utf-8",
    )


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under *root* (doctree cache included) whose bytes contain *needle*."""
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


# a fence may open a list item ("- ```{=html}"), so a list marker may come before it
_FENCE = re.compile(r"^(\s*(?:(?:[-*+]|\d+[.)])\s+)?)(`{3,}|~{3,})(.*)$")
_DIV = re.compile(r"^(:{3,})\s*(\S.*)?$")


def wellformed_problems(text: str) -> list[str]:
    """Why a .qmd page is not well-formed (empty list: it is)."""
    problems = []
    lines = text.split("\n")
    body_start = 0
    if text.startswith("---\n"):
        try:
            end = lines.index("---", 1)
        except ValueError:
            return ["front matter is never closed"]
        try:
            data = yaml.safe_load("\n".join(lines[1:end]))
        except yaml.YAMLError as err:
            return [f"front matter is not YAML: {err}"]
        if not isinstance(data, dict):
            problems.append("front matter is not a mapping")
        body_start = end + 1
    fence: tuple[str, int] | None = None
    divs = 0
    for line in lines[body_start:]:
        match = _FENCE.match(line)
        if fence is not None:
            closing = match and match.group(2)[0] == fence[0] and len(match.group(2)) >= fence[1]
            if closing and not match.group(3).strip():
                fence = None
            continue
        if match:
            fence = (match.group(2)[0], len(match.group(2)))
            continue
        div = _DIV.match(line.strip())
        if div:
            divs += 1 if div.group(2) else -1
            if divs < 0:
                problems.append("a ::: closes a div that was never opened")
                divs = 0
    if fence is not None:
        problems.append("a code fence is never closed")
    if divs:
        problems.append(f"{divs} div(s) never closed")
    if text.count("<!--") != text.count("-->"):
        problems.append("an HTML comment is not closed")
    return problems


def read_case(folder: Path) -> dict[str, Any]:
    data = yaml.safe_load((folder / "case.yml").read_text(encoding="utf-8"))
    data.setdefault("warning", None)
    data.setdefault("left_out", [])
    return data
