"""Shared fixtures: sphinx.testing roots, in-process qmd builds, pandoc parsing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["sphinx.testing.fixtures"]

TESTS = Path(__file__).parent
REPO = TESTS.parent
EXAMPLE = REPO / "example_project"
CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Test roots for ``@pytest.mark.sphinx(testroot=...)`` live in tests/roots/test-<name>."""
    return TESTS / "roots"


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory):
    """The example project built once with -b qmd: (outdir, warnings text)."""
    from helpers import build_qmd

    src = tmp_path_factory.mktemp("example-src")
    shutil.copytree(EXAMPLE, src, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("example-out")
    return build_qmd(src, out)
