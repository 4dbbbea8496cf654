"""The book's copy of a ``.bib``: only the entries pybtex could read, so pandoc reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pypandoc
import pytest
from helpers import build_qmd
from robust_helpers import BASE_CONF

from sphinx_qmd_builder.book.bibfiles import copy_bib

GOOD = "@book{good,\n title={Good Book},\n author={Somebody},\n year={2001}\n}\n"

BROKEN = {
    "missing comma": "@article{broken,\n title={Broken},\n author={Nobody}\n year={2000}\n}\n",
    "no key": "@article{,\n title={Keyless}\n}\n",
    "key with spaces": "@article{a b c,\n title={Spaced}\n}\n",
}


def _pandoc_keys(path: Path) -> list[str]:
    """The entry ids pandoc reads from a bib file (raises when pandoc rejects it)."""
    import json

    csl = json.loads(pypandoc.convert_file(str(path), "csljson", format="bibtex"))
    return sorted(item["id"] for item in csl)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_entry_is_dropped_and_pandoc_reads_the_rest(tmp_path: Path, case: str) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(BROKEN[case] + "\n" + GOOD, encoding="utf-8")
    with pytest.raises(RuntimeError):
        _pandoc_keys(source)  # the reason for cleaning: pandoc rejects the whole file
    target = tmp_path / "out" / "refs.bib"
    copy_bib(source, target, "utf-8-sig")
    assert _pandoc_keys(target) == ["good"]
    assert "Good Book" in target.read_text("utf-8")


def test_wellformed_bib_is_copied_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_bytes(("% my comment\n" + GOOD).encode("utf-8"))
    target = tmp_path / "out" / "refs.bib"
    copy_bib(source, target, "utf-8-sig")
    assert target.read_bytes() == source.read_bytes()


def test_book_copy_names_the_dropped_entries(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(BASE_CONF + "bibtex_bibfiles = ['refs.bib']\n", "utf-8")
    (src / "refs.bib").write_text(BROKEN["missing comma"] + "\n" + GOOD, encoding="utf-8")
    (src / "index.md").write_text(
        "# Cites\n\nGood {cite}`good` and broken {cite}`broken`.\n", encoding="utf-8"
    )
    result = build_qmd(src, tmp_path / "out")
    assert "Traceback" not in result.warnings
    dropped = [
        line for line in result.warnings.splitlines() if "left out of the book's copy" in line
    ]
    assert len(dropped) == 1, result.warnings
    # the names end the message (Sphinx 9 appends " [qmd.bib]", Sphinx 7 nothing)
    assert re.search(r"refs\.bib:4: .*could reject them\): broken(\x1b| \[|$)", dropped[0])
    assert _pandoc_keys(result.outdir / "refs.bib") == ["good"]
    assert "refs.bib" in (result.outdir / "_quarto.yml").read_text("utf-8")
    assert "@good" in (result.outdir / "index.qmd").read_text("utf-8")
