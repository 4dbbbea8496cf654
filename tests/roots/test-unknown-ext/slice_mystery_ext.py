"""A tiny extension whose nodes the qmd writer has never heard of (and one it has)."""

from docutils import nodes
from docutils.parsers.rst import Directive


class mystery_block(nodes.General, nodes.Element):  # noqa: N801
    pass


class mystery_inline(nodes.Inline, nodes.TextElement):  # noqa: N801
    pass


class friendly_block(nodes.General, nodes.Element):  # noqa: N801
    pass


class MysteryDirective(Directive):
    has_content = True

    def run(self):
        node = mystery_block()
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class FriendlyDirective(MysteryDirective):
    def run(self):
        node = friendly_block()
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def mystery_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    node = mystery_inline(rawtext, text)
    node.source, node.line = inliner.reporter.get_source_and_line(lineno)
    return [node], []


def _pass(self, node):
    pass


def visit_friendly_qmd(self, node):
    self.push()


def depart_friendly_qmd(self, node):
    self.add_block("::: {.friendly}\n\n" + self.pop().make() + "\n\n:::")


def setup(app):
    app.add_node(mystery_block, html=(_pass, _pass))
    app.add_node(mystery_inline, html=(_pass, _pass))
    app.add_node(friendly_block, html=(_pass, _pass), qmd=(visit_friendly_qmd, depart_friendly_qmd))
    app.add_directive("mystery", MysteryDirective)
    app.add_directive("friendly", FriendlyDirective)
    app.add_role("mystery", mystery_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
