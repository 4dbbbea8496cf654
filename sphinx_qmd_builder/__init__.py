"""sphinx-qmd-builder: a Sphinx builder that writes a Quarto book.

``sphinx-build -b qmd SRC OUT`` works on any Sphinx/MyST project (the builder is
registered through the ``sphinx.builders`` entry point); ``extensions =
["sphinx_qmd_builder"]`` works as well.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from .book.extensions import add_theme_directives
from .book.jupyterbook import align_jupyter_book_route
from .book.notebooks import (
    add_qmd_mime_priority,
    decide_execution,
    drop_thebe_scripts,
    keep_mystnb_inside_outdir,
)
from .builder import QmdBuilder, clear_pending_marker
from .compat.parallel import setup_parallel
from .compat.pybtex_cache import apply_speedups
from .config import register_config_values
from .guard.cell_options import setup_cell_options
from .guard.directives import setup_directive_guards
from .guard.input_checks import setup_checks
from .guard.paths import setup_safety
from .incremental import setup_incremental
from .jobs import restore_gc
from .labels import QmdLabelCollector
from .transforms import glue
from .transforms.constructs import CONSTRUCT_TRANSFORMS
from .transforms.nodes import (
    CONSTRUCT_NODES,
    qmd_bibliography,
    qmd_citation,
    qmd_crossref,
    qmd_doclink,
    qmd_listing,
    qmd_pending_block,
    qmd_pending_value,
    qmd_slide,
    qmd_slide_end,
)
from .transforms.read import ImageLineFiller, title_from_front_matter
from .transforms.references import (
    LatexExportCommentRemover,
    QmdAnchorTransform,
    QmdBibliographyTransform,
    QmdDeadLinkTransform,
    QmdListingTransform,
    QmdReferenceTransform,
)
from .transforms.slides import SlideMarkerTransform
from .transforms.toctree import TocTreeLists
from .translation import setup_translation

__version__ = "0.1.0"


def _skip(self: Any, node: Any) -> None:
    from docutils import nodes

    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    register_config_values(app)
    app.add_builder(QmdBuilder)
    app.connect("build-finished", clear_pending_marker)
    app.connect("build-finished", restore_gc)
    for node in (
        qmd_crossref,
        qmd_citation,
        qmd_doclink,
        qmd_bibliography,
        qmd_listing,
        qmd_pending_value,
        qmd_pending_block,
        qmd_slide,
        qmd_slide_end,
        *CONSTRUCT_NODES,
    ):
        # other builders never see these nodes (the transforms run only for qmd)
        app.add_node(node)
    app.add_env_collector(QmdLabelCollector)
    app.add_post_transform(QmdReferenceTransform)
    app.add_post_transform(QmdBibliographyTransform)
    app.add_post_transform(QmdListingTransform)
    app.add_post_transform(QmdDeadLinkTransform)
    app.add_post_transform(QmdAnchorTransform)
    app.add_post_transform(LatexExportCommentRemover)
    app.add_post_transform(SlideMarkerTransform)
    app.add_post_transform(TocTreeLists)
    app.add_post_transform(glue.QmdPendingGlueTransform)
    for transform in CONSTRUCT_TRANSFORMS:
        app.add_post_transform(transform)
    app.add_transform(ImageLineFiller)
    # before Sphinx's title collector (500), which reads the document's title attribute
    app.connect("doctree-read", title_from_front_matter, priority=400)
    setup_translation(app)
    # after myst-nb's own handler (priority 500), which puts its folders beside outdir
    app.connect("builder-inited", keep_mystnb_inside_outdir, priority=600)
    app.connect("builder-inited", decide_execution, priority=610)
    app.connect("config-inited", add_qmd_mime_priority)
    # jupyter-book's route: its default_config.yml placeholders out, dropped values back
    app.connect("config-inited", align_jupyter_book_route)
    # after every extension's setup(): stand in for myst-nb's glue/eval/code-cell
    app.connect("config-inited", glue.register)
    app.connect("doctree-resolved", drop_thebe_scripts, priority=900)
    # the theme's {margin}, for routes that leave the HTML theme out (book/extensions.py)
    app.connect("builder-inited", add_theme_directives)
    setup_parallel(app)
    setup_incremental(app)
    app.connect("config-inited", apply_speedups)
    setup_safety(app)
    setup_checks(app)
    setup_directive_guards(app)
    setup_cell_options(app)
    return {
        "version": __version__,
        # 2: LabelRecord gained fields; 3: glue/eval/code-cell stand-ins; 4: env.qmd_refs
        "env_version": 4,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
