"""Small test roots (tests/roots/test-<name>): one behaviour each, read back through pandoc."""

from __future__ import annotations

import re
from pathlib import Path

from book_checks import book_problems, read_page
from helpers import build_qmd, build_root

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def warning_lines(warnings: str) -> list[str]:
    """The warning lines of a build, without terminal colours."""
    text = ANSI.sub("", warnings)
    return [line for line in text.splitlines() if "WARNING" in line]


# -- basic structure ------------------------------------------------------------------------


def test_basic_structure(tmp_path: Path) -> None:
    result = build_root("basic", tmp_path)
    out = result.outdir
    assert warning_lines(result.warnings) == []
    assert book_problems(out) == []
    assert {p.name for p in out.rglob("*.qmd")} == {"index.qmd", "inline.qmd", "other.qmd"}

    index = (out / "index.qmd").read_text(encoding="utf-8")
    # the root page is unnumbered the way Quarto honours: no YAML title, `# Title {.unnumbered}`
    assert index.startswith("# Basic Book {.unnumbered}\n")
    assert "*emphasis*, **strong**, `literal` and $a^2$ math" in index

    inline = (out / "inline.qmd").read_text(encoding="utf-8")
    page = read_page(inline)
    # the first heading is the title; the others keep their level and get sec- ids
    assert "\n## Lists {#sec-lists-section}\n" in inline
    assert {"sec-lists-section", "sec-plain-target"} <= page.ids
    # tight lists stay tight, nested ones indented under their item
    assert "- first bullet\n- second bullet with `code`\n  - nested bullet\n" in inline
    assert "1. first step\n2. second step\n" in inline
    # links: external kept, other document -> its .qmd; a text-less {ref} to a section is a
    # link to its id showing its title, as Sphinx shows it (QUARTO.md 8), also across files
    assert "https://example.org/page" in page.link_targets
    assert "sub/other.qmd" in page.link_targets
    assert {"sub/other.qmd#sec-other-section", "#sec-lists-section"} <= set(page.link_targets)
    assert not {"sec-other-section", "sec-lists-section"} & set(page.cites)
    # characters that are Markdown syntax come back as the same text
    assert "Characters that are syntax in Markdown: 5 * 3, a_b, [brackets], @handle and 100$." in (
        " ".join(page.prose)
    )
    # comments stay comments; the LaTeX export block goes
    assert "<!-- a kept HTML comment -->" in page.raw
    assert any("slide notes" in raw for raw in page.raw)
    assert "secret latex" not in inline
    # amsmath align becomes aligned inside $$ (valid in MathJax and LaTeX)
    assert "$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$" in inline
    assert '```python\nprint("fenced code")\n```' in inline

    other = (out / "sub" / "other.qmd").read_text(encoding="utf-8")
    assert 'images_path: "/assets/images/sub/other/"' in other
    figure = (
        "::: {#fig-dot}\n\n![]({{< meta params.images_path >}}dot.png){width=300}\n\nA dot.\n:::"
    )
    assert figure in other
    assert (out / "assets" / "images" / "sub" / "other" / "dot.png").is_file()
    assert "fig-alt" not in other
    # {doc} becomes a link to the page, titled as Sphinx titles it
    assert "and the page [Inline and Lists](../inline.qmd)." in other


def test_basic_options(tmp_path: Path) -> None:
    result = build_root(
        "basic",
        tmp_path,
        qmd_escape_fences=True,
        qmd_images_path=None,
        qmd_keep_image_alt=True,
        qmd_latex_export_markers=("%% BEGIN SLIDES", "%% END SLIDES"),
    )
    out = result.outdir
    assert warning_lines(result.warnings) == []
    inline = (out / "inline.qmd").read_text(encoding="utf-8")
    # fences escaped on request (the user's paste-into-a-chat rule)
    assert '\\```python\nprint("fenced code")\n\\```' in inline
    # other markers: the LaTeX export comment now stays, the slide notes go
    assert "secret latex" in inline
    assert "slide notes" not in inline
    other = (out / "sub" / "other.qmd").read_text(encoding="utf-8")
    # qmd_images_path=None: no params, a path relative to the page, image kept beside it
    assert "params" not in other
    assert '![](../img/dot.png){width=300 fig-alt="a dot"}' in other
    assert (out / "img" / "dot.png").is_file()
    assert not (out / "assets").exists()


def test_latex_markers_none_keeps_all_comments(tmp_path: Path) -> None:
    result = build_root("basic", tmp_path, qmd_latex_export_markers=None)
    inline = (result.outdir / "inline.qmd").read_text(encoding="utf-8")
    assert "### BEGIN LATEX EXPORT" in inline and "secret latex" in inline


def test_get_target_uri_gives_qmd_paths(tmp_path: Path) -> None:
    result = build_root("basic", tmp_path)
    builder = result.app.builder
    assert builder.get_target_uri("index") == "index.qmd"
    assert builder.get_target_uri("sub/other") == "sub/other.qmd"
    assert builder.link_to("sub/other", "inline", "sec-links") == "../inline.qmd#sec-links"
    assert builder.link_to("inline", "inline", "x") == "#x"


# -- bad input ---------------------------------------------------------------------------------


def test_unknown_nodes_warn_once_and_keep_text(tmp_path: Path) -> None:
    result = build_root("unknown-ext", tmp_path)
    lines = warning_lines(result.warnings)
    assert len(lines) == 2, lines
    block = next(line for line in lines if "mystery_block" in line)
    inline = next(line for line in lines if "mystery_inline" in line)
    # file:line of the directive / role, and a type that suppress_warnings can name
    assert re.search(r"index\.md:5: WARNING: .*\[qmd\.unknown\]$", block), block
    assert re.search(r"index\.md:9: WARNING: .*\[qmd\.unknown\]$", inline), inline
    text = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert "Secret block words." in text
    assert "A sentence with inline riddle inside." in text
    # a node whose extension registered a qmd handler uses it
    assert "::: {.friendly}\n\nHandled by the extension.\n\n:::" in text


def test_unknown_node_warning_can_be_suppressed(tmp_path: Path) -> None:
    result = build_root("unknown-ext", tmp_path, suppress_warnings=["qmd.unknown"])
    assert warning_lines(result.warnings) == []
    assert "Secret block words." in (result.outdir / "index.qmd").read_text(encoding="utf-8")


def test_missing_image_one_warning_figure_kept(tmp_path: Path) -> None:
    result = build_root("missing-image", tmp_path)
    lines = warning_lines(result.warnings)
    assert len(lines) == 1, lines
    # located to a line on both dependency ends (myst-parser 3 gives the image line 0)
    assert "missing.png" in lines[0] and re.search(r"index\.md:\d+: WARNING", lines[0])
    text = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert "See @fig-missing." in text
    # the alt text is kept although house style drops it: without the file it is all there is
    assert (
        "::: {#fig-missing}\n\n"
        '![]({{< meta params.images_path >}}missing.png){width=600 fig-alt="gone"}'
        "\n\nThe caption survives.\n:::"
    ) in text
    assert book_problems(result.outdir) == []


def test_image_classes_dropped_as_configured(tmp_path: Path) -> None:
    result = build_root("missing-image", tmp_path, qmd_drop_image_classes=["mb-1"])
    text = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert (
        '![]({{< meta params.images_path >}}missing.png){.bg-primary width=600 fig-alt="gone"}'
        in text
    )


# -- headings ---------------------------------------------------------------------------------


def test_two_line_heading_stays_one_heading(tmp_path: Path) -> None:
    """A setext heading written over two lines is one ATX heading (and one title)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_parser"]\n', encoding="utf-8")
    (src / "index.md").write_text(
        "Page title\nover two lines\n==============\n\nText.\n\n"
        "Section heading\nover two lines\n--------------\n\nMore text.\n",
        encoding="utf-8",
    )
    result = build_qmd(src, tmp_path / "out")
    page = (tmp_path / "out" / "index.qmd").read_text(encoding="utf-8")
    # the root page keeps its title as its unnumbered # heading (QUARTO.md, intro)
    assert page.startswith("# Page title over two lines {.unnumbered}\n")
    assert "\n## Section heading over two lines\n" in page
    assert page.count("over two lines") == 2
    assert "Traceback" not in result.warnings


def test_inline_math_before_a_digit_stays_math(tmp_path: Path) -> None:
    """pandoc does not close ``$...$`` right before a digit: the math would be text, and in
    a heading the ``{#sec-...}`` after it would be text too."""
    from helpers import ast_facts

    src = tmp_path / "src"
    src.mkdir()
    conf = 'extensions = ["myst_parser"]\nmyst_enable_extensions = ["dollarmath"]\n'
    (src / "conf.py").write_text(conf, encoding="utf-8")
    (src / "index.md").write_text(
        "# Title\n\nCosts $x$5 or $y$ 6.\n\n(cost)=\n## From $5 _lead$5 on\n\nText.\n",
        encoding="utf-8",
    )
    page = build_qmd(src, tmp_path / "out").read("index.qmd")
    facts = ast_facts(page)
    assert [text for _kind, text in facts.math] == ["x", "y", "5 _lead"], page
    assert "cost" in facts.ids, page
