"""Book-wide label registry: every Sphinx label mapped to exactly one Quarto id.

Quarto resolves ``@id`` only for lowercase ids with a type prefix (``fig-``, ``sec-``,
``eq-`` ...), unique across the book. Sphinx knows every explicit label and the node it
names; an environment collector records the kind of each labelled node while the
document is read, and :class:`LabelRegistry` turns that into Quarto ids when writing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Quarto prefix of each kind of numbered target.
KIND_PREFIX = {
    "figure": "fig",
    "table": "tbl",
    "code": "lst",
    "equation": "eq",
    "section": "sec",
    "theorem": "thm",
    "lemma": "lem",
    "corollary": "cor",
    "proposition": "prp",
    "conjecture": "cnj",
    "definition": "def",
    "example": "exm",
    "exercise": "exr",
    "solution": "sol",
    "remark": "rem",
    "algorithm": "alg",
}
KNOWN_PREFIXES = frozenset(KIND_PREFIX.values())

_NOT_ID_CHARS = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class LabelRecord:
    """What the collector saw of one explicit label while reading a document."""

    label: str
    node_id: str
    kind: str | None  # a key of KIND_PREFIX, or None for targets Quarto cannot number
    line: int | None


@dataclass(frozen=True)
class QuartoTarget:
    """The Quarto id a label became, and where it lives."""

    label: str
    qid: str
    docname: str
    node_id: str
    kind: str | None

    @property
    def numbered(self) -> bool:
        """Quarto can number it, so ``@qid`` resolves."""
        return self.kind is not None


def normalise_id(text: str) -> str:
    """Lowercase; ``:``, ``_``, spaces, dots and other non-id characters become ``-``."""
    norm = _NOT_ID_CHARS.sub("-", text.lower())
    return re.sub(r"-{2,}", "-", norm).strip("-") or "x"


def quarto_id(label: str, kind: str | None) -> str:
    """The Quarto id for *label* of *kind*; never a doubled prefix (``fig:x`` -> ``fig-x``)."""
    norm = normalise_id(label)
    if kind is None:
        return norm
    prefix = KIND_PREFIX[kind]
    if norm.startswith(prefix + "-") and len(norm) > len(prefix) + 1:
        return norm
    return f"{prefix}-{norm}"


def node_kind(node: nodes.Node) -> str | None:
    """The numbered kind of a labelled node, as Quarto would number it."""
    if isinstance(node, nodes.section):
        return "section"
    if isinstance(node, nodes.figure):
        return "figure"
    if isinstance(node, nodes.table):
        return "table"
    if isinstance(node, nodes.math_block):
        return "equation"
    if isinstance(node, nodes.container) and node.get("literal_block"):
        return "code"
    # myst-nb cells with a figure caption are numbered as figures
    if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
        return "figure" if node.next_node(nodes.figure) else None
    for cls in node.get("classes", []) if isinstance(node, nodes.Element) else []:
        # sphinx-proof / sphinx-exercise nodes carry their kind as a class
        if cls in KIND_PREFIX and cls not in ("figure", "table", "code", "section"):
            return cls
    return None


class QmdLabelCollector(EnvironmentCollector):
    """Records, per document, every explicit label and the kind of node it names."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        _store(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
    ) -> None:
        store, other_store = _store(env), _store(other)
        for docname in docnames:
            if docname in other_store:
                store[docname] = other_store[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        docname = app.env.docname
        records: dict[str, LabelRecord] = {}
        for name, explicit in doctree.nametypes.items():
            if not explicit or _is_generated(name):
                continue
            node_id = doctree.nameids.get(name)
            if not node_id or node_id not in doctree.ids:
                continue
            node = doctree.ids[node_id]
            if isinstance(node, nodes.target) and not node.get("refuri"):
                # a target that did not propagate to a following element
                kind = None
            elif isinstance(node, (nodes.target, addnodes.pending_xref)):
                continue
            else:
                kind = node_kind(node)
            records[name] = LabelRecord(name, node_id, kind, node.line)
        for cell in doctree.findall(nodes.container):
            # a myst-nb cell named as a figure but without stored output has no figure node
            # for Sphinx to label; Quarto numbers the cell itself (label: fig-...)
            if cell.get("nb_element") != "cell_code":
                continue
            figure = ((cell.get("cell_metadata") or {}).get("mystnb") or {}).get("figure") or {}
            name = figure.get("name") if isinstance(figure, dict) else None
            if name and str(name) not in records:
                node_id = f"cell-{cell.get('cell_index', 0)}"
                records[str(name)] = LabelRecord(str(name), node_id, "figure", cell.line)
        for math in doctree.findall(nodes.math_block):
            label = math.get("label")
            if label and label not in records and not _is_generated(label):
                node_id = f"equation-{label}"
                if math.get("ids"):
                    node_id = math["ids"][0]
                records[label] = LabelRecord(label, node_id, "equation", math.line)
        _store(app.env)[docname] = records


def _is_generated(label: str) -> bool:
    """MyST gives numbered amsmath blocks a random uuid label no author can reference."""
    try:
        uuid.UUID(label)
    except ValueError:
        return False
    return True


def _store(env: BuildEnvironment) -> dict[str, dict[str, LabelRecord]]:
    if not hasattr(env, "qmd_labels"):
        env.qmd_labels = {}  # type: ignore[attr-defined]
    return env.qmd_labels  # type: ignore[attr-defined]


class LabelRegistry:
    """Maps every source label (and the node id it names) to one unique Quarto id."""

    def __init__(self) -> None:
        self.by_label: dict[str, QuartoTarget] = {}
        self.by_node: dict[tuple[str, str], QuartoTarget] = {}

    @classmethod
    def from_env(cls, env: BuildEnvironment) -> LabelRegistry:
        registry = cls()
        taken: dict[str, QuartoTarget] = {}
        for docname in sorted(_store(env)):
            if docname not in env.all_docs:
                continue
            for label in sorted(_store(env)[docname]):
                record = _store(env)[docname][label]
                qid = quarto_id(label, record.kind)
                if qid in taken:
                    first = taken[qid]
                    new_qid = _free_id(qid, taken)
                    logger.warning(
                        "label %r becomes Quarto id %r, already taken by %r in %s; using %r",
                        label,
                        qid,
                        first.label,
                        env.doc2path(first.docname),
                        new_qid,
                        location=(docname, record.line),
                        type="qmd",
                        subtype="label_collision",
                    )
                    qid = new_qid
                target = QuartoTarget(label, qid, docname, record.node_id, record.kind)
                taken[qid] = target
                registry.by_label[label] = target
                registry.by_node[(docname, record.node_id)] = target
        return registry

    def lookup(self, label: str) -> QuartoTarget | None:
        return self.by_label.get(label)

    def for_node(self, docname: str, node: nodes.Element) -> QuartoTarget | None:
        """The target of an element of *docname*, found by any of its ids."""
        for node_id in node.get("ids", []):
            target = self.by_node.get((docname, node_id))
            if target is not None:
                return target
        return None

    def as_json(self) -> dict[str, Any]:
        return {label: asdict(t) for label, t in sorted(self.by_label.items())}


def _free_id(qid: str, taken: dict[str, Any]) -> str:
    n = 2
    while f"{qid}-{n}" in taken:
        n += 1
    return f"{qid}-{n}"
