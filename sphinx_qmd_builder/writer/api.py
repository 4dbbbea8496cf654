"""API reference pages: Sphinx object descriptions (``desc`` nodes) and field lists.

autodoc, sphinx-click, ``{py:function}``, ``{option}`` ... all describe an object with a
``desc``: one or more ``desc_signature`` lines and a ``desc_content``. Quarto has no such
construct; each becomes one item of a pandoc definition list, the signature as inline code
(carrying the signature's id, so links to the object keep working) and the content as the
definition::

    [`tinymod.greet(name: str, times: int = 1) -> str`]{#tinymod.greet}

    :   Say hello to *name*.

No heading is written, so an API page never shifts section numbers (QUARTO.md fact 10's
lesson). Field lists (``:param:`` -> "Parameters") become nested definition lists.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from . import markdown as md
from .contexts import Context, DefinitionListContext, prefix_lines
from .translator_api import TranslatorAPI


def signature_text(node: nodes.Node) -> str:
    """A signature as one line of plain text, written as Sphinx's text builder shows it."""
    if isinstance(node, nodes.Text):
        return " ".join(node.astext().split("\n"))
    if not isinstance(node, nodes.Element):
        return ""
    if isinstance(node, addnodes.desc_parameterlist):
        return "(" + _joined(node) + ")"
    if isinstance(node, getattr(addnodes, "desc_type_parameter_list", ())):
        return "[" + _joined(node) + "]"
    if isinstance(node, addnodes.desc_optional):
        return "[" + _joined(node) + "]"
    if isinstance(node, addnodes.desc_returns):
        return " -> " + "".join(signature_text(c) for c in node.children)
    return "".join(signature_text(c) for c in node.children)


def _joined(node: nodes.Element) -> str:
    """Parameters separated by commas; an optional group follows its neighbour directly."""
    text = ""
    for child in node.children:
        part = signature_text(child)
        if isinstance(child, addnodes.desc_optional):
            text += ("[, " + part[1:]) if text else part
        else:
            text += (", " if text else "") + part
    return text


class DescContext(Context):
    """One object description: its signature lines (the term) and its content."""

    def __init__(self) -> None:
        super().__init__("desc")
        self.signatures: list[str] = []

    def make(self, separator: str = "\n\n") -> str:
        term = ", ".join(self.signatures)
        content = super().make(separator)
        if not content or not term:
            return "\n\n".join(p for p in (term, content) if p)
        return term + "\n\n" + prefix_lines(content, "    ", first=":   ")


class FieldContext(Context):
    """One field of a field list: its name (the term) and its body."""

    def __init__(self) -> None:
        super().__init__("field")
        self.name = ""

    def make(self, separator: str = "\n\n") -> str:
        body = super().make(separator)
        if not body:
            return self.name
        return self.name + "\n" + prefix_lines(body, "    ", first=":   ")


class ApiVisitors(TranslatorAPI):
    """Mixin for :class:`~sphinx_qmd_builder.writer.QmdTranslator`."""

    # -- object descriptions ---------------------------------------------------------------

    def visit_desc(self, node: addnodes.desc) -> None:
        self.push(DescContext())

    def depart_desc(self, node: addnodes.desc) -> None:
        self.add_block(self.pop().make())

    def visit_desc_signature(self, node: addnodes.desc_signature) -> None:
        text = md.inline_code(" ".join(signature_text(node).split()))
        ids = node.get("ids") or []
        if ids:
            # every name of the object is a link target (``-o`` and ``--output``)
            extra = "".join(self.anchor(ident) for ident in ids[1:])
            text = f"{extra}[{text}]{self.id_attributes(ids[0])}"
        self.collect(DescContext, text, lambda desc: desc.signatures)
        raise nodes.SkipNode

    def visit_desc_content(self, node: addnodes.desc_content) -> None:
        pass

    def depart_desc_content(self, node: addnodes.desc_content) -> None:
        pass

    def visit_desc_inline(self, node: nodes.Element) -> None:
        # an object named inline in prose (``:cpp:expr:``): code, as a literal
        self.add_inline(md.inline_code(" ".join(signature_text(node).split())))
        raise nodes.SkipNode

    # -- field lists (``:param x:``, ``:returns:`` and rST field lists) -----------------------

    def visit_field_list(self, node: nodes.field_list) -> None:
        self.push(DefinitionListContext())

    def depart_field_list(self, node: nodes.field_list) -> None:
        self.add_block(self.pop().make())

    def visit_field(self, node: nodes.field) -> None:
        self.push(FieldContext())

    def depart_field(self, node: nodes.field) -> None:
        self.collect(DefinitionListContext, self.pop().make(), lambda fields: fields.items)

    def visit_field_name(self, node: nodes.field_name) -> None:
        self.push("inline")

    def depart_field_name(self, node: nodes.field_name) -> None:
        text = " ".join(self.pop().make_inline().split())
        field = self.ctx
        if isinstance(field, FieldContext):
            field.name = text
        else:
            self.add_block(text)  # a tree docutils never makes: keep the words

    def visit_field_body(self, node: nodes.field_body) -> None:
        pass

    def depart_field_body(self, node: nodes.field_body) -> None:
        pass

    # -- other nodes of API pages -----------------------------------------------------------

    def visit_versionmodified(self, node: nodes.Element) -> None:
        # "Added in version 1.2: ..." (Sphinx wrote the words; they are inline children)
        pass

    def depart_versionmodified(self, node: nodes.Element) -> None:
        pass

    def visit_autosummary_table(self, node: nodes.Element) -> None:
        # a ``comment`` subclass in Sphinx; its table is content
        pass

    def depart_autosummary_table(self, node: nodes.Element) -> None:
        pass

    def visit_tabular_col_spec(self, node: nodes.Element) -> None:
        # LaTeX column widths
        raise nodes.SkipNode

    def visit_hlist(self, node: nodes.Element) -> None:
        # columns of one list: Quarto shows the items as one list
        pass

    def depart_hlist(self, node: nodes.Element) -> None:
        pass

    visit_hlistcol = visit_hlist
    depart_hlistcol = depart_hlist

    def visit_productionlist(self, node: nodes.Element) -> None:
        """A grammar: one ``name ::= tokens`` line per production, as Sphinx shows it."""
        lines = []
        for production in node.findall(addnodes.production):
            text = " ".join(production.astext().split())
            name = production.get("tokenname", "")
            if name and not text.startswith(name):  # Sphinx 7 keeps the name in an attribute
                text = f"{name} ::= {text}"
            if text:
                lines.append(text)
        code = "\n".join(lines)
        fence = md.code_fence(code)
        self.add_block(f"{fence}\n{code}\n{fence}")
        raise nodes.SkipNode
