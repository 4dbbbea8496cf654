"""README says what the code does: config table, quick start, before/after excerpt."""

from __future__ import annotations

import re

from conftest import EXAMPLE, REPO, TESTS

from sphinx_qmd_builder.config import CONFIG_VALUES, config_table_markdown

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text under ``## title`` up to the next ``## `` heading outside code fences."""
    lines, inside, fence = [], False, False
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            inside = line.rstrip("\n") == f"## {title}"
            continue
        if inside:
            lines.append(line)
    assert lines, f"README has no '## {title}' section"
    return "".join(lines)


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def test_config_table_is_generated_from_config() -> None:
    match = re.search(
        r"<!-- config-table:start -->\n(.*?)\n<!-- config-table:end -->", README, flags=re.S
    )
    assert match, "README lacks the config-table markers"
    assert match.group(1) == config_table_markdown()
    for value in CONFIG_VALUES:
        assert f"`{value.name}`" in match.group(1)


def test_quick_start_has_exactly_two_commands() -> None:
    blocks = fenced(section("Quick start"), "bash")
    assert len(blocks) == 2
    install, test = (block.strip() for block in blocks)
    assert "\n" not in install and "\n" not in test
    assert "example_project" in install and "-b qmd" in install
    assert "pytest" in test and ".[test]" in test


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run takes its test command from the README, so the two cannot drift apart."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "Quick start" in ci and "README.md" in ci


def test_before_after_excerpt_is_real() -> None:
    before, after, notes, slide = fenced(section("Before and after"), "markdown")
    source = (EXAMPLE / "intro.md").read_text(encoding="utf-8")
    golden = (TESTS / "golden" / "example_project" / "intro.qmd").read_text(encoding="utf-8")
    lecture = (EXAMPLE / "segmentation.md").read_text(encoding="utf-8")
    deck = (TESTS / "golden" / "example_project" / "slides" / "segmentation.qmd").read_text(
        encoding="utf-8"
    )
    for excerpt, real in ((before, source), (after, golden), (notes, lecture), (slide, deck)):
        chunks = [c.strip("\n") for c in re.split(r"^\.\.\..*$", excerpt, flags=re.M)]
        for chunk in filter(None, chunks):
            assert chunk in real, chunk


def test_no_type_ignore_comments() -> None:
    """README: no type checker runs, so nothing says what one should ignore."""
    marker = "# type" + ": ignore"
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("sphinx_qmd_builder", "tests", "benchmarks")
        for path in sorted((REPO / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if marker in line
    ]
    assert found == []
    assert "no type checker" in section("Development")
