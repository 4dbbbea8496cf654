"""Golden output of each construct group (tests/roots/test-<group>), plus structural checks.

A golden file is rewritten with ``QMD_UPDATE_GOLDEN=1``; read the diff by eye before
committing it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import ast_facts, build_qmd, build_root, check_golden, pandoc_ast, pandoc_plain

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden_constructs"
GROUPS = ["admonitions", "design", "figures", "proofs", "prose"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return {name: build_root(name, tmp_path_factory.mktemp(name)) for name in GROUPS}


@pytest.mark.parametrize("group", GROUPS)
def test_golden(group: str, built: dict) -> None:
    result = built[group]
    text = result.read("index.qmd")
    check_golden(GOLDEN, {f"{group}.qmd": text})


@pytest.mark.parametrize("group", GROUPS)
def test_no_unknown_node_warnings(group: str, built: dict) -> None:
    assert "no Quarto form" not in built[group].warnings


def test_admonitions_are_callouts(built: dict) -> None:
    facts = ast_facts(built["admonitions"].read("index.qmd"))
    classes = [c[0] for c in facts.div_classes if c]
    # 20 top-level boxes plus the nested tip
    assert len(classes) == 21
    assert all(c.startswith("callout-") for c in classes)
    assert classes.count("callout-caution") == 3  # caution, danger, error


def test_design_tabset_has_one_heading_per_tab(built: dict) -> None:
    text = built["design"].read("index.qmd")
    facts = ast_facts(text)
    assert ["panel-tabset"] in facts.div_classes
    plain = pandoc_plain(text)
    for word in ("Python text.", "R text.", "Card footer.", "Right body.", "primary badge"):
        assert word in plain


def test_nested_tab_sets_use_deeper_headings(built: dict) -> None:
    text = built["design"].read("index.qmd")
    blocks = [b for b in pandoc_ast(text)["blocks"] if b["t"] == "Div"]
    nested = blocks[-1]
    assert nested["c"][0][1] == ["panel-tabset"]
    levels = [b["c"][0] for b in nested["c"][1] if b["t"] == "Header"]
    inner = next(b for b in nested["c"][1] if b["t"] == "Div")
    assert levels == [2, 2]
    assert [b["c"][0] for b in inner["c"][1] if b["t"] == "Header"] == [3, 3]


def test_proof_ids_come_from_the_label_registry(built: dict) -> None:
    result = built["proofs"]
    facts = ast_facts(result.read("index.qmd"))
    assert {"thm-pythagoras", "lem-my-lemma", "def-vs", "exr-ex-add"} <= facts.ids
    assert "thm-pythagoras" in facts.citations  # {prf:ref} without text: Quarto numbers it
    labels = (result.outdir / "labels.json").read_text(encoding="utf-8")
    assert '"qid": "thm-pythagoras"' in labels


def test_prose_words_survive(built: dict) -> None:
    plain = pandoc_plain(built["prose"].read("index.qmd"))
    for words in (
        "A margin note.",
        "Sidebar text.",
        "Edsger Dijkstra",
        "A multi-dimensional array.",
        "The named footnote.",
        "Line one",
        "second line",
        "Markedly Structured Text",
        "Widget Pro",
        "Only in PDF.",
        "Included text with a word.",
        "The first function",
        "A paragraph that runs into display math:",
    ):
        assert words in plain, words


def test_display_math_inside_a_paragraph_is_kept(built: dict) -> None:
    facts = ast_facts(built["prose"].read("index.qmd"))
    assert [(kind, tex.strip()) for kind, tex in facts.math] == [("DisplayMath", "a = b")]


def test_unknown_nodes_warn_with_location_and_keep_text(tmp_path: Path) -> None:
    result = build_root("unknown", tmp_path)
    # (Sphinx 7 does not print the "[qmd.unknown]" type; the message is the same)
    warnings = [w for w in result.warnings.splitlines() if "no Quarto form for" in w]
    # one warning per occurrence (two blocks, one inline), each with file:line
    assert len(warnings) == 3, result.warnings
    assert any("index.md:5:" in w and "mystery" in w for w in warnings)
    assert any("index.md:9:" in w and "mystery_inline" in w for w in warnings)
    assert any("index.md:11:" in w for w in warnings)
    plain = pandoc_plain(result.read("index.qmd"))
    for words in ("Secret words inside.", "An inline hidden phrase here.", "Second box."):
        assert words in plain


def test_unknown_warning_can_be_suppressed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(TESTS / "roots" / "test-unknown", src)
    result = build_qmd(src, tmp_path / "out", suppress_warnings=["qmd.unknown"])
    assert "qmd.unknown" not in result.warnings
    assert "no Quarto form" not in result.warnings
    assert "Second box." in result.read("index.qmd")


def test_subfigures_are_quarto_subfigures(built: dict) -> None:
    result = built["figures"]
    text = result.read("index.qmd")
    facts = ast_facts(text)
    # sub-image labels go through the label registry: ids and {numref} agree
    assert {"fig-panels", "fig-panel-left", "fig-panel-right", "fig-spanning"} <= facts.ids
    assert {"fig-panels", "fig-panel-right"} <= set(facts.citations)
    divs = [b for b in pandoc_ast(text)["blocks"] if b["t"] == "Div"]
    layouts = [dict(d["c"][0][2]).get("layout-ncol") for d in divs]
    assert layouts == ["2", "2", "2", "2", None]  # the last one is a margin note
    # the outer caption is the last paragraph, after the images
    assert pandoc_plain(text).index("Right panel") < pandoc_plain(text).index("Both panels")


def test_spanning_subfigure_grid_is_reported(built: dict) -> None:
    warnings = built["figures"].warnings
    assert warnings.count("subfigure grid") == 1
    assert "index.md:" in warnings


def test_design_grid_of_figures_lays_out_the_figures(built: dict) -> None:
    text = built["figures"].read("index.qmd")
    divs = [b for b in pandoc_ast(text)["blocks"] if b["t"] == "Div"]
    grid = [d for d in divs if dict(d["c"][0][2]).get("layout-ncol")][-1]
    # the figures are the grid's cells, no anonymous wrapper div between
    assert [cell["c"][0][0] for cell in grid["c"][1]] == ["fig-grid-left", "fig-grid-right"]
    assert "fig-grid-right" in ast_facts(text).citations


def test_videos_are_quarto_video_shortcodes(built: dict) -> None:
    text = built["figures"].read("index.qmd")
    shortcodes = [line for line in text.splitlines() if line.startswith("{{< video ")]
    assert len(shortcodes) == 4
    assert 'width="400" height="300"' in shortcodes[0]
    assert "embed/dQw4w9WgXcQ?start=43" in shortcodes[1]
    assert shortcodes[2].startswith("{{< video https://vimeo.com/148751763")
    assert 'title="Recorded talk"' in shortcodes[3]
    assert "The talk, *recorded* in 2023." in pandoc_plain(text)


def test_book_theme_margin_notes_go_to_the_margin(built: dict) -> None:
    text = built["figures"].read("index.qmd")
    facts = ast_facts(text)
    spans = re.findall(r'"t": "Span", "c": \[\["", \["aside"\]', json.dumps(pandoc_ast(text)))
    assert len(spans) == 1
    assert ["column-margin"] in facts.div_classes
    plain = pandoc_plain(text)
    assert "{-}" not in plain
    assert "Second paragraph of the long note." in plain
    assert "An ordinary footnote." in plain  # a plain footnote stays one
