"""Directives and roles that cost only themselves, never their page or their words.

While a page is read, Sphinx looks directives and roles up through
``docutils.parsers.rst.directives.directive`` and ``roles.role``, which its
``sphinx_domains`` dispatcher replaces for the length of the read (and restores after it,
whatever happens). At ``source-read`` -- inside that read -- the qmd builder puts its own
lookup on top (as ``sphinx.ext.intersphinx`` does), so that for myst-parser 3 and 5 and the
reST parser alike:

* an unknown directive keeps its argument and body as ordinary (parsed) content, an unknown
  role its text as plain text, each with one located warning instead of myst-parser's
  (which drops the words);
* a directive or role whose run raises is replaced by its literal source text and a located
  warning, instead of costing the page (``DirectiveError``, docutils' way of reporting a
  bad directive, still goes to the parser as usual);
* a figure whose caption is blank lines only (docutils 0.21/0.22 raise on it) is converted
  without a caption, with a located warning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles
from docutils.parsers.rst.directives.images import Figure
from docutils.parsers.rst.directives.tables import RSTTable
from docutils.statemachine import StringList
from docutils.utils import SystemMessage
from sphinx.application import Sphinx
from sphinx.errors import SphinxWarning
from sphinx.util import logging

from ..warning_types import QmdWarning
from .paths import builder_name

logger = logging.getLogger(__name__)

#: directives that other parts of the builder (or myst-nb) treat on their own: never
#: given the unknown-directive fallback (their body is code, not prose)
NO_FALLBACK = frozenset({"code-cell", "raw-cell"})

_GUARD_MARK = "_qmd_guarded"


def _warn(env: Any, message: str, line: int | None, subtype: QmdWarning, *args: Any) -> None:
    logger.warning(message, *args, location=(env.docname, line), type="qmd", subtype=subtype)


class _AnyOption(dict):
    """An option spec that accepts every option (an unknown directive's options are kept
    out of the text, but must not make the parser reject its body)."""

    def __missing__(self, key: str) -> Callable[[str | None], str]:
        return directives.unchanged


def _literal_source(directive: Directive) -> str:
    """The directive as its author wrote it, near enough: name, arguments, options, body."""
    head = " ".join([f"{{{directive.name}}}", *directive.arguments]).rstrip()
    options = [f":{key}: {value}".rstrip() for key, value in (directive.options or {}).items()]
    body = list(directive.content or [])
    return "\n".join([head, *options, *([""] if options and body else []), *body])


def _env_of(directive: Directive) -> Any:
    return directive.state.document.settings.env


class UnknownDirective(Directive):
    """What an unknown directive becomes: its argument a paragraph, its body parsed."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOption(**{"class": directives.unchanged})

    def run(self) -> list[nodes.Node]:
        _warn(
            _env_of(self),
            "unknown directive %r: its body is kept as ordinary content",
            self.lineno,
            QmdWarning.DIRECTIVE_UNKNOWN,
            self.name,
        )
        result: list[nodes.Node] = []
        if self.arguments:
            text, messages = self.state.inline_text(self.arguments[0], self.lineno)
            paragraph = nodes.paragraph(self.arguments[0], "", *text)
            paragraph.source, paragraph.line = self.state_machine.get_source_and_line(self.lineno)
            result += [paragraph, *messages]
        if self.content:
            holder = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, holder)
            result += holder.children
        return result


def unknown_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """What an unknown role becomes: its text, plain."""
    env = inliner.document.settings.env
    _warn(
        env,
        "unknown role %r: its text is kept as plain text",
        lineno,
        QmdWarning.ROLE_UNKNOWN,
        name,
    )
    return [nodes.Text(text)], []


def _blank_figure_caption(directive: Directive) -> bool:
    """A figure whose content is blank lines only: docutils would raise on its caption."""
    return (
        isinstance(directive, Figure)
        and bool(directive.content)
        and not "".join(directive.content).strip()
    )


def _passes_through(err: BaseException) -> bool:
    """Exceptions that are the parser's own reporting, not a directive breaking."""
    from docutils.parsers.rst import DirectiveError

    if isinstance(err, DirectiveError | SphinxWarning | SystemMessage):
        return True
    return type(err).__name__ == "MockingError"  # myst-parser shows these itself


@functools.cache
def guarded_directive(cls: type[Directive]) -> type[Directive]:
    """*cls* with a ``run`` that costs only the directive when it raises."""
    if getattr(cls, _GUARD_MARK, False) or cls.run is RSTTable.run:
        # myst-parser recognises docutils' table by its run method: leave it be
        return cls
    original = cls.run

    def run(self: Directive) -> list[nodes.Node]:
        env = _env_of(self)
        if _blank_figure_caption(self):
            message = "figure caption is blank; the figure is kept without one"
            _warn(env, message, self.lineno, QmdWarning.FIGURE_CAPTION)
            self.content = StringList()
        try:
            return original(self)
        except Exception as err:
            if _passes_through(err):
                raise
            _warn(
                env,
                "directive %r failed (%s: %s); its text is kept as a literal block",
                self.lineno,
                QmdWarning.DIRECTIVE_FAILED,
                self.name,
                type(err).__name__,
                str(err).strip().splitlines()[0] if str(err).strip() else "",
            )
            text = _literal_source(self)
            block = nodes.literal_block(text, text)
            block.source, block.line = self.state_machine.get_source_and_line(self.lineno)
            return [block]

    guarded = type(cls.__name__, (cls,), {"run": run, _GUARD_MARK: True})
    guarded.__module__ = cls.__module__
    guarded.__qualname__ = cls.__qualname__
    return guarded


def guarded_role(fn: Callable[..., Any]) -> Callable[..., Any]:
    """*fn* such that a raise costs only the role: its source is kept as inline code."""
    if getattr(fn, _GUARD_MARK, False):
        return fn

    def role(
        name: str, rawtext: str, text: str, lineno: int, inliner: Any, *args: Any, **kwargs: Any
    ) -> Any:
        # options and content go on exactly as given: old-style roles default them to {}/[]
        try:
            return fn(name, rawtext, text, lineno, inliner, *args, **kwargs)
        except (SphinxWarning, SystemMessage):
            raise
        except Exception as err:
            _warn(
                inliner.document.settings.env,
                "role %r failed (%s: %s); its text is kept as inline code",
                lineno,
                QmdWarning.ROLE_FAILED,
                name,
                type(err).__name__,
                str(err).strip().splitlines()[0] if str(err).strip() else "",
            )
            return [nodes.literal(rawtext, rawtext)], []

    # docutils reads ``options``/``content`` off role functions
    for attr in ("options", "content"):
        if hasattr(fn, attr):
            setattr(role, attr, getattr(fn, attr))
    setattr(role, _GUARD_MARK, True)
    return role


def install_guards(app: Sphinx, docname: str, source: list[str]) -> None:
    """Put the guarded lookups on top of Sphinx's for the rest of this page's read.

    Sphinx's ``sphinx_domains`` restores the lookups it replaced when the read ends, so
    nothing here outlives the page.
    """
    if builder_name(app.env) != "qmd":
        return
    lookup_directive = directives.directive
    lookup_role = roles.role
    if getattr(lookup_directive, _GUARD_MARK, False):
        return

    def directive(name: str, language_module: Any, document: Any) -> tuple[Any, list[Any]]:
        cls, messages = lookup_directive(name, language_module, document)
        if cls is None:
            if name in NO_FALLBACK:
                return cls, messages
            return guarded_directive(UnknownDirective), []
        return guarded_directive(cls), messages

    def role(name: str, language_module: Any, lineno: int, reporter: Any) -> tuple[Any, list]:
        fn, messages = lookup_role(name, language_module, lineno, reporter)
        if fn is None:
            return unknown_role, []
        return guarded_role(fn), messages

    setattr(directive, _GUARD_MARK, True)
    directives.directive = directive
    roles.role = role


def setup_directive_guards(app: Sphinx) -> None:
    app.connect("source-read", install_guards)
