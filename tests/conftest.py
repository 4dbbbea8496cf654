"""Shared fixtures and paths: the example project built once, a pristine source_suffix per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
EXAMPLE = REPO / "example_project"
# QMD_CORPORA: the corpora folder when the checkout is not next to ../shared (a worktree)
CORPORA = Path(os.environ.get("QMD_CORPORA") or REPO.parent / "shared" / "corpora")


def _source_suffix_default() -> dict:
    from sphinx.config import Config

    entry = Config.config_values["source_suffix"]
    return entry[0] if isinstance(entry, tuple) else entry.default


_PRISTINE_SOURCE_SUFFIX = dict(_source_suffix_default())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Sphinx updates its default ``source_suffix`` dict in place: after one in-process
    build with myst-parser, ``.md`` stays mapped to "markdown" and a later myst-nb
    build in the same process fails. Every test (and the session fixtures it sets up
    first) starts from the pristine default."""
    default = _source_suffix_default()
    default.clear()
    default.update(_PRISTINE_SOURCE_SUFFIX)


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory):
    """The example project built once with -b qmd (a helpers.BuildResult)."""
    from helpers import build_qmd

    src = tmp_path_factory.mktemp("example-src")
    shutil.copytree(EXAMPLE, src, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("example-out")
    return build_qmd(src, out)
