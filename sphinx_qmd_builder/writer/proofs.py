"""sphinx-proof and sphinx-exercise nodes as Quarto theorem, proof and exercise divs.

Quarto numbers ``::: {#thm-x}`` divs of its theorem types itself, with the title from a
``##`` heading; a proof, remark or solution is an unnumbered ``.proof``/``.remark``/
``.solution`` div. Types Quarto does not know (axiom, criterion, ...) become a
callout whose bold title names the type, with the label kept as an anchor. The Quarto id
comes from the label registry, which records these nodes (``labels.proof_kind``).
"""

from __future__ import annotations

from docutils import nodes

from ..labels import KIND_PREFIX, proof_kind
from . import markdown as md
from .admonitions import collapse_of
from .translator_api import TranslatorAPI

#: Quarto's proof-like classes (unnumbered, Quarto writes the label)
PROOF_CLASSES = {"proof": "proof", "remark": "remark", "solution": "solution"}


def _plain_title(title: str) -> str:
    """``" (Pythagoras)"`` (sphinx-proof's ``proof_title_format``) -> ``Pythagoras``."""
    title = title.strip()
    if title.startswith("\\(") and title.endswith("\\)"):
        title = title[2:-2]
    if title.startswith("(") and title.endswith(")"):
        title = title[1:-1]
    return title.strip()


class ProofVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    def visit_proof_like(self, node: nodes.Element) -> None:
        self.push("proof")

    def depart_proof_like(self, node: nodes.Element) -> None:
        ctx = self.pop()
        realtype = node.get("realtype") or node.get("type") or "proof"
        title = _plain_title(ctx.title)
        body = ctx.make()
        target = self.builder.labels.for_node(self.docname, node)
        if realtype == "solution":
            self.add_block(self._solution(node, target.qid if target else None, body))
            return
        if realtype in PROOF_CLASSES:
            ident = target.qid if target else None
            attrs = self.id_attributes(ident, [PROOF_CLASSES[realtype]])
            heading = f"## {title}\n\n" if title else ""
            self.add_block(f"::: {attrs}\n\n{heading}{body}\n\n:::")
            return
        if target is not None and target.numbered:
            heading = f"## {title}\n\n" if title else ""
            self.add_block(f"::: {self.id_attributes(target.qid)}\n\n{heading}{body}\n\n:::")
            return
        # a type Quarto does not number: say what it is in the title
        name = realtype.replace("_", " ").title()
        full = f"{name} ({title})" if title else name
        ident = target.qid if target else None
        self.add_block(self.callout("note", full, body, None, ident, icon="false"))

    def _solution(self, node: nodes.Element, ident: str | None, body: str) -> str:
        """``::: {.solution}`` led by a reference to its exercise (Quarto numbers it)."""
        exercise = self.builder.labels.lookup(node.get("target_label", ""))
        lead = ""
        if exercise is not None and exercise.numbered:
            lead = f"Solution to @{exercise.qid}"
        elif exercise is not None:
            link = self.link_to(exercise.docname, exercise.qid)
            lead = f"Solution to [{md.escape_text(exercise.label)}]({link})"
        if collapse_of(node):
            # a hidden solution: Quarto's .solution cannot collapse, a callout can
            title = lead or "Solution"
            return self.callout("note", title, body, collapse_of(node), ident, icon="false")
        attrs = self.id_attributes(ident, ["solution"])
        parts = [p for p in (f"**{lead}**" if lead else "", body) if p]
        return f"::: {attrs}\n\n" + "\n\n".join(parts) + "\n\n:::"

    # sphinx-exercise
    visit_exercise_node = visit_exercise_enumerable_node = visit_proof_like
    depart_exercise_node = depart_exercise_enumerable_node = depart_proof_like
    visit_solution_node = visit_proof_like
    depart_solution_node = depart_proof_like

    def visit_exercise_end_node(self, node: nodes.Element) -> None:
        # the gated form was merged into one exercise node by sphinx-exercise
        raise nodes.SkipNode

    visit_solution_start_node = visit_solution_end_node = visit_exercise_end_node


def _install_proof_visitors() -> None:
    """Give every sphinx-proof node type (``axiom_node`` ...) the shared pair."""
    for kind in (*KIND_PREFIX, "axiom", "criterion", "property", "observation", "assumption"):
        setattr(ProofVisitors, f"visit_{kind}_node", ProofVisitors.visit_proof_like)
        setattr(ProofVisitors, f"depart_{kind}_node", ProofVisitors.depart_proof_like)
    for extra in ("notation", "unenumerable", "proof"):
        setattr(ProofVisitors, f"visit_{extra}_node", ProofVisitors.visit_proof_like)
        setattr(ProofVisitors, f"depart_{extra}_node", ProofVisitors.depart_proof_like)


_install_proof_visitors()
__all__ = ["ProofVisitors", "proof_kind"]
