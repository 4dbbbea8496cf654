from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.transforms.post_transforms import SphinxPostTransform


class marked(nodes.General, nodes.Element):
    pass


class Marked(Directive):
    def run(self):
        return [marked()]


class Explode(SphinxPostTransform):
    default_priority = 100

    def run(self, **kwargs):
        for node in self.document.findall(marked):
            raise KeyError('post-transform failed')


def setup(app):
    app.add_node(marked)
    app.add_directive('marked', Marked)
    app.add_post_transform(Explode)
    return {'parallel_read_safe': True}
