"""A stand-in for a third-party extension the qmd builder has never heard of."""

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class mystery(nodes.General, nodes.Element):  # noqa: N801
    pass


class mystery_inline(nodes.Inline, nodes.TextElement):  # noqa: N801
    pass


class MysteryDirective(SphinxDirective):
    has_content = True

    def run(self):
        node = mystery()
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def mystery_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    node = mystery_inline(rawtext, text)
    node.source, node.line = inliner.reporter.get_source_and_line(lineno)
    return [node], []


def setup(app):
    app.add_node(mystery, html=(lambda s, n: None, lambda s, n: None))
    app.add_node(mystery_inline, html=(lambda s, n: None, lambda s, n: None))
    app.add_directive("mystery", MysteryDirective)
    app.add_role("mystery", mystery_role)
    return {"parallel_read_safe": True}
