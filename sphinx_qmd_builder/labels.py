"""Book-wide label registry: every Sphinx label mapped to exactly one Quarto id.

Quarto resolves ``@id`` only for lowercase ids with a type prefix (``fig-``, ``sec-``,
``eq-`` ...), unique across the book. Sphinx knows every explicit label and the node it
names; an environment collector records the kind of each labelled node while the
document is read, and :class:`LabelRegistry` turns that into Quarto ids when writing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

from .warning_types import QmdWarning
from .writer.equations import math_labels

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
#: id prefixes that make Quarto number a div or image by its id alone: a plain anchor
#: (a target Sphinx does not number) must not start with one
NUMBERING_PREFIXES = KNOWN_PREFIXES - {"sec", "sol", "rem"}

#: registry key of an equation label that also names a std target of the same document
EQUATION_KEY = " (equation)"

_NOT_ID_CHARS = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class LabelRecord:
    """What the collector saw of one explicit label while reading a document."""

    label: str
    node_id: str
    kind: str | None  # a key of KIND_PREFIX, or None for targets Quarto cannot number
    line: int | None
    title: str = ""  # section title or caption: the text of a plain link to it
    chapter: bool = False  # the document's own title (its first top-level section)
    primary_id: str = ""  # the node's first id: labels of one node share one Quarto id
    id_base: str = ""  # what the Quarto id is made from, when not the label itself


@dataclass(frozen=True)
class QuartoTarget:
    """The Quarto id a label became, and where it lives.

    ``numbered`` targets are written with their id and referenced as ``@qid``; the others
    get a plain anchor (``qid`` without a type prefix, Quarto reserves those) and are
    referenced by a plain link. A chapter title has no anchor: links go to its page.
    """

    label: str
    qid: str
    docname: str
    node_id: str
    kind: str | None
    numbered: bool = True
    title: str = ""
    line: int | None = None
    chapter: bool = False

    @property
    def anchor(self) -> str | None:
        """The fragment a plain link to this target uses (None: the page itself)."""
        return None if self.chapter else self.qid


def normalise_id(text: str) -> str:
    """Lowercase; ``:``, ``_``, spaces, dots and other non-id characters become ``-``."""
    norm = _NOT_ID_CHARS.sub("-", text.lower())
    return re.sub(r"-{2,}", "-", norm).strip("-") or "x"


def quarto_id(label: str, kind: str | None) -> str:
    """The Quarto id for *label* of *kind*; never a doubled prefix (``fig:x`` -> ``fig-x``)."""
    norm = normalise_id(label)
    if kind is None:
        head, dash, rest = norm.partition("-")
        if dash and rest and head in NUMBERING_PREFIXES:
            # Quarto would number a div or image with this id as a figure, theorem ...
            # (``^(%a+)-``); an underscore keeps the words and stops that
            return f"{head}_{rest}"
        return norm
    prefix = KIND_PREFIX[kind]
    if norm.startswith(prefix + "-") and len(norm) > len(prefix) + 1:
        return norm
    return f"{prefix}-{norm}"


def node_kind(node: nodes.Node) -> str | None:
    """The numbered kind of a labelled node, as Quarto would number it.

    Figures, tables and listings count only with a caption: Sphinx numbers nothing
    else, and Quarto needs a caption to number them.
    """
    if isinstance(node, nodes.section):
        return "section"
    if isinstance(node, nodes.figure):
        return "figure" if node.next_node(nodes.caption) is not None else None
    if isinstance(node, nodes.image) and isinstance(node.parent, nodes.figure):
        # a sphinx-subfigure image: Quarto numbers it as a subfigure (1a)
        return "figure" if node.parent.get("is_subfigure") else None
    if isinstance(node, nodes.table):
        return "table" if _has_title(node) else None
    if isinstance(node, nodes.math_block):
        return "equation"
    if isinstance(node, nodes.container) and node.get("literal_block"):
        return "code" if node.next_node(nodes.caption) is not None else None
    # myst-nb cells with a figure caption are numbered as figures
    if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
        return "figure" if node.next_node(nodes.figure) else None
    if _is_proof_node(node):
        return proof_kind(node)
    return None


#: the sphinx-proof / sphinx-exercise kinds Quarto numbers as theorem divs
QUARTO_THEOREM_KINDS = frozenset(
    {"theorem", "lemma", "corollary", "proposition", "conjecture", "definition", "example"}
    | {"exercise", "algorithm"}
)


def proof_kind(node: nodes.Element) -> str | None:
    """The kind of a sphinx-proof/sphinx-exercise node when Quarto can number it, else None.

    Remarks, solutions, axioms ... have no numbered Quarto form: their labels stay plain
    anchors. Algorithms are Quarto's ``alg`` theorem type.
    """
    if node.tagname == "unenumerable_node":
        return None  # :nonumber: -- Sphinx prints no number, Quarto must not either
    kind = node.get("realtype") or node.get("type")
    return kind if kind in QUARTO_THEOREM_KINDS else None


def _is_proof_node(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and bool(
        node.get("label") and (node.get("realtype") or node.get("serial_number") is not None)
    )


def _has_title(node: nodes.Element) -> bool:
    return any(isinstance(child, nodes.title) for child in node.children)


def node_title(node: nodes.Node) -> str:
    """The text a plain link to *node* shows: a section title or a caption."""
    if not isinstance(node, nodes.Element):
        return ""
    for child in node.children:
        if isinstance(child, (nodes.title, nodes.caption)):
            return child.astext().strip()
    caption = node.next_node(nodes.caption)
    return caption.astext().strip() if caption is not None else ""


def _is_chapter_title(doctree: nodes.document, node: nodes.Node) -> bool:
    """The first top-level section: the page title in Quarto, with no heading of its own."""
    first = next((c for c in doctree.children if isinstance(c, nodes.section)), None)
    return node is first


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
            records[name] = LabelRecord(
                name,
                node_id,
                kind,
                node.line or _first_line(node),
                node_title(node),
                _is_chapter_title(doctree, node),
                node["ids"][0] if node.get("ids") else node_id,
            )
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
            if label and not _is_generated(label):
                node_id = f"equation-{label}"
                if math.get("ids"):
                    node_id = math["ids"][0]
                # the math domain is its own namespace: a figure may have the same label
                key = label if label not in records else label + EQUATION_KEY
                records[key] = LabelRecord(label, node_id, "equation", math.line)
            elif math.get("ids"):
                # amsmath written with \label{} inside: one label names the block
                inner = math_labels(math.astext())
                if len(inner) == 1 and inner[0] not in records:
                    records[inner[0]] = LabelRecord(
                        inner[0], math["ids"][0], "equation", math.line, "", False, math["ids"][0]
                    )
                elif label and math.get("number") is not None:
                    # a numbered amsmath environment without a label: Sphinx numbers it;
                    # Quarto does only with qmd_number_unlabelled_equations (from_env)
                    records[label] = LabelRecord(
                        label,
                        math["ids"][0],
                        "equation",
                        math.line,
                        primary_id=math["ids"][0],
                        id_base=f"{docname}-{math['number']}",
                    )
        for proof in doctree.findall(_is_proof_node):
            # sphinx-proof labels live in its own domain, not in doctree.nametypes
            label = proof["label"]
            if proof.get("ids") and not _is_generated(label) and label not in records:
                records[label] = LabelRecord(
                    label,
                    proof["ids"][0],
                    proof_kind(proof),
                    proof.line or _first_line(proof),
                    node_title(proof),
                    primary_id=proof["ids"][0],
                )
        if app.config.numfig:
            records.update(_unlabelled_numbered(doctree, docname, records))
        _store(app.env)[docname] = records


def _unlabelled_numbered(
    doctree: nodes.document, docname: str, records: dict[str, LabelRecord]
) -> dict[str, LabelRecord]:
    """Captioned figures, tables and listings without a label: Sphinx numbers them (numfig).

    Each gets a generated label (a uuid, never in labels.json) and the id base
    ``<docname>-fig<n>`` (``tbl<n>``, ``lst<n>``), so that Quarto numbers it too
    (``qmd_number_unlabelled_figures``) and the labelled ones after it keep Sphinx's numbers.
    """
    named = {record.node_id for record in records.values()}
    named |= {record.primary_id for record in records.values() if record.primary_id}
    found: dict[str, LabelRecord] = {}
    counts: dict[str, int] = {}
    for node in doctree.findall(nodes.Element):
        if not isinstance(node, (nodes.figure, nodes.table, nodes.container)):
            continue
        if isinstance(node, nodes.container) and not node.get("literal_block"):
            continue
        kind = node_kind(node)
        ids = node.get("ids") or []
        if kind is None or not ids or named & set(ids):
            continue
        counts[kind] = counts.get(kind, 0) + 1
        label = str(uuid.uuid5(uuid.NAMESPACE_URL, f"qmd:{docname}#{ids[0]}"))
        found[label] = LabelRecord(
            label,
            ids[0],
            kind,
            node.line or _first_line(node),
            node_title(node),
            primary_id=ids[0],
            id_base=f"{docname}-{KIND_PREFIX[kind]}{counts[kind]}",
        )
    return found


def _first_line(node: nodes.Node) -> int | None:
    """Directive nodes often have no line; their first child with one is close enough."""
    for child in node.findall(nodes.Element):
        if child.line:
            return child.line
    return None


def _is_generated(label: str) -> bool:
    """MyST gives numbered amsmath blocks a random uuid label no author can reference."""
    try:
        uuid.UUID(label)
    except ValueError:
        return False
    return True


def _store(env: BuildEnvironment) -> dict[str, dict[str, LabelRecord]]:
    if not hasattr(env, "qmd_labels"):
        env.qmd_labels = {}
    return env.qmd_labels


class LabelRegistry:
    """Maps every source label (and the node id it names) to one unique Quarto id."""

    def __init__(self) -> None:
        self.by_label: dict[str, QuartoTarget] = {}  # the target Sphinx resolves a label to
        self.by_node: dict[tuple[str, str], QuartoTarget] = {}
        self.targets: list[tuple[str, QuartoTarget]] = []  # every (key, target), duplicates too
        self.by_doc: dict[str, list[QuartoTarget]] = {}  # per page: lookups stay O(page)

    @classmethod
    def from_env(
        cls,
        env: BuildEnvironment,
        unnumbered: set[str] | None = None,
        orphans: set[str] | None = None,
        number_unlabelled_equations: bool = False,
        number_unlabelled_figures: bool = True,
    ) -> LabelRegistry:
        """Build the registry; sections of the *unnumbered* documents get plain anchors.

        Figures, tables and listings of *orphans* (documents outside every toctree, which
        Sphinx does not number) stay unnumbered too, so both books count alike. Numbered
        amsmath environments without a label get an id only with
        *number_unlabelled_equations* (``qmd_number_unlabelled_equations``); captioned
        figures, tables and listings without one with *number_unlabelled_figures*.
        """
        registry = cls()
        unnumbered = unnumbered or set()
        orphans = orphans or set()
        # Sphinx's own name for each label (section title, caption, "Solution to ...")
        std_labels = env.get_domain("std").labels
        equations = env.get_domain("math").equations
        taken: dict[str, QuartoTarget] = {}

        def add(key: str, target: QuartoTarget, node_id: str) -> None:
            registry.targets.append((key, target))
            registry.by_doc.setdefault(target.docname, []).append(target)
            registry.by_node[(target.docname, node_id)] = target
            # a label defined twice: references go where Sphinx sends them (it warned)
            owner = (
                equations.get(target.label, ("",))[0]
                if target.kind == "equation"
                else std_labels.get(key, ("",))[0]
            )
            if key not in registry.by_label or owner == target.docname:
                registry.by_label[key] = target

        for docname in sorted(_store(env)):
            if docname not in env.all_docs:
                continue
            shared: dict[str, QuartoTarget] = {}  # primary node id -> its first label's target
            for key in sorted(_store(env)[docname]):
                record = _store(env)[docname][key]
                label = record.label
                if _is_generated(label):
                    if record.kind == "equation" and not number_unlabelled_equations:
                        continue
                    if record.kind != "equation" and (
                        not number_unlabelled_figures or docname in orphans
                    ):
                        continue
                first = shared.get(record.primary_id) if record.primary_id else None
                if first is not None:
                    # a second label of the same node: the node has one id in the output
                    target = QuartoTarget(
                        label,
                        first.qid,
                        docname,
                        record.node_id,
                        first.kind,
                        first.numbered,
                        first.title,
                        first.line,
                        first.chapter,
                    )
                    add(key, target, record.node_id)
                    registry.by_node[(docname, record.node_id)] = first
                    continue
                numbered = record.kind is not None and not record.chapter
                if record.kind == "section" and docname in unnumbered:
                    numbered = False
                if record.kind in ("figure", "table", "code") and docname in orphans:
                    numbered = False
                qid = quarto_id(record.id_base or label, record.kind if numbered else None)
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
                        subtype=QmdWarning.LABEL_COLLISION,
                    )
                    qid = new_qid
                target = QuartoTarget(
                    label,
                    qid,
                    docname,
                    record.node_id,
                    record.kind,
                    numbered,
                    std_labels.get(label, ("", "", ""))[2] or record.title,
                    record.line,
                    record.chapter,
                )
                if not record.chapter:
                    taken[qid] = target
                if record.primary_id:
                    shared[record.primary_id] = target
                add(key, target, record.node_id)
        return registry

    def lookup(self, label: str, equation: bool = False) -> QuartoTarget | None:
        """The target of *label*; *equation*: look in the math domain's labels first."""
        if equation:
            found = self.by_label.get(label + EQUATION_KEY) or self.by_label.get(label)
            if found is not None and found.kind == "equation":
                return found
        return self.by_label.get(label)

    def equation_in(self, docname: str, label: str) -> QuartoTarget | None:
        """The equation *label* of *docname* itself (a label may be defined twice)."""
        for target in self.by_doc.get(docname, ()):
            if target.label == label and target.kind == "equation":
                return target
        return self.lookup(label, equation=True)

    def qids_of(self, docname: str) -> set[str]:
        """Every Quarto id that belongs on the page of *docname*."""
        return {t.qid for t in self.by_doc.get(docname, ()) if t.anchor}

    def numbered_ids(self, kind: str) -> set[str]:
        """The Quarto ids of every numbered target of *kind* (for the integrity report)."""
        return {t.qid for _, t in self.targets if t.numbered and t.kind == kind}

    def for_node(self, docname: str, node: nodes.Element) -> QuartoTarget | None:
        """The target of an element of *docname*, found by any of its ids."""
        for node_id in node.get("ids", []):
            target = self.by_node.get((docname, node_id))
            if target is not None:
                return target
        return None

    def as_json(self) -> dict[str, Any]:
        """Label -> Quarto id and document; a label defined twice also as ``label (doc)``."""
        data: dict[str, Any] = {}
        for key, target in self.targets:
            if _is_generated(target.label):
                continue  # no author wrote it: nothing to fix elsewhere
            name = key if self.by_label.get(key) is target else f"{key} ({target.docname})"
            # the fields are plain values: no deep copy (asdict's) needed
            data[name] = {f.name: getattr(target, f.name) for f in _TARGET_FIELDS}
        return dict(sorted(data.items()))


_TARGET_FIELDS = fields(QuartoTarget)


def _free_id(qid: str, taken: dict[str, Any]) -> str:
    n = 2
    while f"{qid}-{n}" in taken:
        n += 1
    return f"{qid}-{n}"
