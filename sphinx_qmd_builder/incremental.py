"""Incremental builds: which pages a change to other pages can alter.

Sphinx rewrites the documents it re-reads and the toctree pages that list them. A page
also shows what it references elsewhere: a plain link's text is the target's section
title or caption, ``@id`` is the target's Quarto id (which a new clashing label elsewhere
can change), a ``{doc}`` link shows the page title. Sphinx's HTML builder lets those go
stale until a full build; here, after reading, the label registry is compared with the one
the previous build wrote (``labels.json``, line numbers aside) and every page referencing
a label whose target changed, or a page whose title changed, is written again. Pages
whose bytes come out the same keep their file and mtime (see the builder's write_doc).
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: registry fields that do not reach a referencing page
IGNORED_FIELDS = ("line",)


def _refs(env: BuildEnvironment) -> dict[str, set[str]]:
    """Per document: every reference target it names (labels lowercased, and docnames)."""
    if not hasattr(env, "qmd_refs"):
        env.qmd_refs = {}
    return env.qmd_refs


def _doc_candidates(docname: str, target: str) -> set[str]:
    """What a link target of *docname* may name as a document (over-inclusion is cheap)."""
    path = target.split("#", 1)[0]
    if not path:
        return set()
    stem = posixpath.splitext(path)[0] if "." in posixpath.basename(path) else path
    if stem.startswith("/"):
        return {stem.lstrip("/")}
    return {stem, posixpath.normpath(posixpath.join(posixpath.dirname(docname), stem))}


class QmdReferenceCollector(EnvironmentCollector):
    """Records what each document references, so a change elsewhere finds its readers."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        _refs(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
    ) -> None:
        store, other_store = _refs(env), _refs(other)
        for docname in docnames:
            if docname in other_store:
                store[docname] = other_store[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        docname = app.env.docname
        targets: set[str] = set()
        for xref in doctree.findall(addnodes.pending_xref):
            target = str(xref.get("reftarget", ""))
            if not target:
                continue
            targets.add(target.lower())
            targets.update(_doc_candidates(docname, target))
        for ref in doctree.findall(nodes.reference):
            if ref.get("refuri") and "://" not in ref["refuri"]:
                targets.update(_doc_candidates(docname, ref["refuri"]))
        _refs(app.env)[docname] = targets


def _comparable(entry: Any) -> Any:
    if isinstance(entry, dict):
        return {k: v for k, v in entry.items() if k not in IGNORED_FIELDS}
    return entry


def changed_labels(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Label names (lowercased) whose registry entry differs between two builds."""
    names = set()
    for key in old.keys() | new.keys():
        if _comparable(old.get(key)) != _comparable(new.get(key)):
            entry = new.get(key) or old.get(key) or {}
            names.add(str(entry.get("label", key)).lower() if isinstance(entry, dict) else key)
    return names


def snapshot_titles(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Before re-reading: the titles of the documents about to be read."""
    app._qmd_old_titles = {
        docname: env.titles[docname].astext() for docname in docnames if docname in env.titles
    }


def readers_of_changes(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: pages that reference a target the last reading changed."""
    builder = app.builder
    if builder.name != "qmd":
        return []
    old_titles: dict[str, str] = getattr(app, "_qmd_old_titles", {})
    retitled = {
        docname
        for docname, title in old_titles.items()
        if docname in env.titles and env.titles[docname].astext() != title
    }
    try:
        old = json.loads((builder.outdir / "labels.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # first build (every page is written) or an unreadable file
    builder.prepare_labels()
    labels = changed_labels(old, builder.labels.as_json())
    if not labels and not retitled:
        return []
    wanted = labels | retitled
    readers = sorted(
        docname
        for docname, targets in _refs(env).items()
        if docname in env.all_docs and targets & wanted
    )
    if readers:
        logger.info(
            "qmd: %d page(s) reference changed labels or titles and are written again",
            len(readers),
        )
    return readers


def setup_incremental(app: Sphinx) -> None:
    app.add_env_collector(QmdReferenceCollector)
    app.connect("env-before-read-docs", snapshot_titles)
    app.connect("env-get-updated", readers_of_changes)
