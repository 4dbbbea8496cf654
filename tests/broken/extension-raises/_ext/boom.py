from docutils.parsers.rst import Directive


class Boom(Directive):
    def run(self):
        raise RuntimeError('boom at run time')


def setup(app):
    app.add_directive('boom', Boom)
    return {'parallel_read_safe': True}
