from docutils import nodes
from docutils.parsers.rst import Directive


class kaboom(nodes.General, nodes.Element):
    pass


def visit(self, node):
    raise ValueError('cannot write this')


class Kaboom(Directive):
    def run(self):
        return [kaboom()]


def setup(app):
    app.add_node(kaboom, qmd=(visit, None))
    app.add_directive('kaboom', Kaboom)
    return {'parallel_read_safe': True}
