from docutils.parsers.rst import Directive


class Boom(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self):
        raise RuntimeError('boom at run time')


def boom_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    raise ValueError('role boom')


def setup(app):
    app.add_directive('boom', Boom)
    app.add_role('boomrole', boom_role)
    return {'parallel_read_safe': True}
