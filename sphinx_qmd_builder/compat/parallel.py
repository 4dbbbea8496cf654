"""Parallel reading (``-j N``) with the extensions Jupyter Books bring along.

Sphinx reads in parallel only when every loaded extension declares itself parallel-read
safe, and then merges each worker's environment back: every domain through
``merge_domaindata``, every env collector through ``merge_other``. Two extensions of the
Jupyter Book stack break this:

- ``sphinx_multitoc_numbering`` (loaded by ``sphinx_external_toc`` itself) declares
  nothing, so Sphinx reads serially. It only replaces
  ``TocTreeCollector.assign_section_numbers``, which Sphinx calls on the main process
  after all documents are read; it keeps no per-document state. Declared safe here.
- ``sphinx_proof``'s ``ProofDomain`` claims parallel safety but has no
  ``merge_domaindata`` (``NotImplementedError`` in the worker pool). Its proofs live in
  ``env.proof_list``, which sphinx-proof merges in its own ``env-merge-info`` handler; the
  domain's own data holds nothing but its version. Any domain like it (no
  ``initial_data``) gets a merge that adds nothing, on this build's instance only.

Checked and fine as they are: sphinx-exercise (merges ``env.sphinx_exercise_registry``
and node order in ``env-merge-info``; its gated registry is used only while the same
document is read), sphinxcontrib-bibtex (both domains merge), myst-nb (glue and eval
domains, metadata collector), sphinx-external-toc's collector (Sphinx's toctree
collector), sphinx-design and sphinx-togglebutton (no environment state), our label
collector. A domain that has data but cannot merge it, or a collector without
``merge_other``, makes this build read serially, with one info line naming it.

sphinx-exercise keeps, per exercise, a copy of the node in ``env.sphinx_exercise_registry``
-- a copy that still points at its whole document, so the environment carries every
doctree of the book: pickled by each parallel reader for each chunk (a 500-page book with an
exercise per page read twice as slowly with ``-j 2``) and loaded on every rebuild.
:func:`detach_exercise_nodes` keeps the node and drops the document reference; the
registry is read for the node's attributes and children only (the parent chain only by
the LaTeX builder, for solutions, which then finds no section as it already does for
exercises).
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Extensions that declare nothing about parallel safety but are safe: name -> why.
DECLARED_SAFE: dict[str, str] = {
    "sphinx_multitoc_numbering": (
        "replaces TocTreeCollector.assign_section_numbers, which runs on the main process "
        "after reading; no per-document state"
    ),
}

#: set on the app while this build reads serially for a reason found here
_SERIAL_JOBS = "_qmd_serial_read_jobs"


def declare_known_safe(app: Sphinx) -> None:
    """Mark the extensions of :data:`DECLARED_SAFE` parallel-safe, if loaded and undeclared."""
    for name in DECLARED_SAFE:
        extension = app.extensions.get(name)
        if extension is None:
            continue
        if getattr(extension, "parallel_read_safe", None) is None:
            extension.parallel_read_safe = True
        if getattr(extension, "parallel_write_safe", None) is None:
            extension.parallel_write_safe = True


def _domains(env: BuildEnvironment) -> Iterable[Domain]:
    # Sphinx 7 keeps a dict, Sphinx 9 a container with .values() as well
    return list(env.domains.values())


def _merge_nothing(self: Domain, docnames: Any, otherdata: dict[str, Any]) -> None:
    """The domain keeps no per-document data of its own (see the module docstring)."""


def domains_without_merge(env: BuildEnvironment) -> list[str]:
    """Give data-less domains a no-op merge; return the names of those that cannot merge."""
    cannot: list[str] = []
    for domain in _domains(env):
        if type(domain).merge_domaindata is not Domain.merge_domaindata:
            continue
        if type(domain).initial_data:
            cannot.append(f"the {domain.name!r} domain ({type(domain).__module__})")
            continue
        domain.merge_domaindata = types.MethodType(_merge_nothing, domain)
    return cannot


def collectors_without_merge(app: Sphinx) -> list[str]:
    """Env collectors listening to ``env-merge-info`` with the base, unimplemented merge."""
    cannot = []
    for listener in app.events.listeners.get("env-merge-info", []):
        handler = listener.handler
        if getattr(handler, "__func__", None) is EnvironmentCollector.merge_other:
            owner = handler.__self__
            cannot.append(f"the env collector {type(owner).__module__}.{type(owner).__name__}")
    return cannot


def prepare_parallel_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Before reading: make the loaded domains mergeable, or read serially and say why."""
    declare_known_safe(app)  # again: extensions may load others late (jupyter_book does)
    cannot = domains_without_merge(env) + collectors_without_merge(app)
    if not cannot or app.parallel <= 1:
        return
    logger.info(
        "reading serially: %s cannot merge what parallel readers collect",
        ", ".join(cannot),
    )
    setattr(app, _SERIAL_JOBS, app.parallel)
    app.parallel = 1


def restore_parallel_write(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: writing may use all processes again."""
    jobs = getattr(app, _SERIAL_JOBS, None)
    if jobs is not None:
        app.parallel = jobs
        delattr(app, _SERIAL_JOBS)


def detach_exercise_nodes(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: this page's registry nodes without their document.

    Found through the page's own exercise and solution nodes, so the work is proportional
    to the page, not the book (a ``:hidden:`` exercise is not in the doctree and keeps its
    heavy entry)."""
    registry = getattr(app.env, "sphinx_exercise_registry", None)
    if not registry:
        return
    docname = app.env.docname
    for node in doctree.findall(nodes.Element):
        if not type(node).__module__.startswith("sphinx_exercise"):
            continue
        entry = registry.get(node.get("label"))
        held = entry.get("node") if isinstance(entry, dict) else None
        if not isinstance(held, nodes.Element) or entry.get("docname") != docname:
            continue
        detached = held.deepcopy()  # a copy has no parent; its nodes keep the document
        for descendant in detached.findall():
            descendant.document = None
        entry["node"] = detached


def setup_parallel(app: Sphinx) -> None:
    """Connect the handlers; called from the extension's ``setup``."""
    # config-inited: every extension named in the configuration has been set up by then
    app.connect("config-inited", lambda app, config: declare_known_safe(app))
    app.connect("env-before-read-docs", prepare_parallel_read)
    app.connect("env-updated", restore_parallel_write, priority=100)
    # after sphinx-exercise's own doctree-read handler (priority 500)
    app.connect("doctree-read", detach_exercise_nodes, priority=600)
