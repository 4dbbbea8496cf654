"""The build log: progress that advances page by page, and a closing summary that names
what is unresolvable (up to a limit, then a count)."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import build_qmd
from robust_helpers import BASE_CONF

from sphinx_qmd_builder.book.integrity import SUMMARY_LIMIT


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _book(src: Path, pages: dict[str, str]) -> Path:
    src.mkdir(parents=True)
    (src / "conf.py").write_text(BASE_CONF, encoding="utf-8")
    toctree = "\n".join(pages)
    (src / "index.md").write_text(f"# Book\n\n```{{toctree}}\n{toctree}\n```\n", encoding="utf-8")
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    return src


def test_writing_progress_advances(tmp_path: Path) -> None:
    src = _book(tmp_path / "src", {f"p{n}": f"# Page {n}\n\nText.\n" for n in range(4)})
    result = build_qmd(src, tmp_path / "out")
    status = _plain(result.status)
    percents = re.findall(r"writing output\.\.\. \[\s*(\d+)%\]", status)
    # five pages (index and four more), one line each, k of N
    assert percents == ["20", "40", "60", "80", "100"], status


def test_summary_names_unresolvable_references_up_to_a_limit(tmp_path: Path) -> None:
    count = SUMMARY_LIMIT + 3
    refs = "\n\n".join(f"See {{ref}}`missing-{n:02d}`." for n in range(count))
    src = _book(tmp_path / "src", {"refs": f"# Refs\n\n{refs}\n"})
    result = build_qmd(src, tmp_path / "out")
    status = _plain(result.status)
    summary = status[status.index("qmd cross-references:") :]
    assert f"{count} unresolvable" in summary
    named = re.findall(r"^  refs\.md:(\d+): missing-(\d+)$", summary, flags=re.M)
    assert len(named) == SUMMARY_LIMIT
    assert named[0] == ("3", "00")
    assert "  and 3 more (each has its own warning)" in summary
    # unresolvable references are the book's own problem: no failure without -W
    assert result.statuscode == 0
