"""Doctree nodes that carry Quarto-specific meaning from post-transforms to the writer.

All of the package's own node classes live here: those the reference transforms make
(:mod:`.references`), then those the construct transforms make (:mod:`.constructs`).
"""

from __future__ import annotations

from docutils import nodes


class qmd_crossref(nodes.Inline, nodes.Element):  # noqa: N801 - docutils naming
    """A cross-reference already mapped to a Quarto id.

    Attributes: ``qid`` (Quarto id, e.g. ``fig-x``), ``label`` (the source label),
    ``role`` (numref, ref, eq, myst), ``form`` (``at``: ``@id``; ``number``: ``pre -@id
    post``; ``link``: a plain link), ``pre``/``post`` (the author's words around the
    number), ``explicit`` (the author gave link text), ``refdoc`` and ``anchor`` (where a
    plain link goes), ``numbered`` (Quarto can number the target, so ``@id`` works),
    ``kind``, ``node_id`` and ``title`` (to find the number Sphinx gave the target).
    The children are the text of a plain link.
    """


class qmd_citation(nodes.Inline, nodes.Element):  # noqa: N801
    """A citation: ``keys`` (list of bib keys), ``mode`` (p, t, ps, ts, author, year, ...),
    ``pre`` and ``post`` notes."""


class qmd_doclink(nodes.Inline, nodes.Element):  # noqa: N801
    """A link to another document of the book: ``refdoc``, ``anchor``; children are the text."""


class qmd_bibliography(nodes.General, nodes.Element):  # noqa: N801
    """Where a ``{bibliography}`` directive stood: Quarto's ``::: {#refs}`` goes here."""


class qmd_listing(nodes.General, nodes.Element):  # noqa: N801
    """A captioned code block (Sphinx's ``container(literal_block=True)``): its caption
    and literal block are the children, its ids those of the container."""


class qmd_slide(nodes.General, nodes.Element):  # noqa: N801
    """Where a slide of the page's deck begins (its ``BEGIN SLIDE`` comment stood here).

    The slide is made of the following siblings up to the matching :class:`qmd_slide_end`.
    The only child is the slide's ``title`` (so translation sees it as prose). Attributes:
    ``title_from`` (``marker`` or ``heading``). The book page writes nothing for it.
    """


class qmd_slide_end(nodes.General, nodes.Element):  # noqa: N801
    """Where a slide ends (an ``END SLIDE`` comment, or the point an unclosed one stops)."""


class qmd_pending_value(nodes.Inline, nodes.TextElement):  # noqa: N801
    """A glued or evaluated value that has no stored output (``{glue:text}``, ``{eval}``).

    Attributes: ``origin`` (``glue`` or ``eval``), ``key`` (the glue key, or the eval
    expression), ``expression`` (the Python expression the notebook glued, when found),
    ``fmt_spec`` (``{glue:text}``'s format), ``refdoc`` (the notebook that glues it, when
    it is another page). The child text is the expression, so other builders show it.
    """


class qmd_pending_block(nodes.General, nodes.Element):  # noqa: N801
    """A glued or evaluated block (``{glue}``, ``{glue:figure}``, ``{eval}``) without a
    stored output; attributes as :class:`qmd_pending_value`."""


# -- made by the construct transforms ---------------------------------------------------


class qmd_hard_break(nodes.Inline, nodes.Element):  # noqa: N801
    """A hard line break (MyST writes one as raw html ``<br />`` plus raw latex ``\\\\``)."""


class qmd_task_checkbox(nodes.Inline, nodes.Element):  # noqa: N801
    """The ``[ ]``/``[x]`` of a task-list item; ``checked`` says which."""


class qmd_only(nodes.Element):  # noqa: N801
    """An ``only`` block kept for Quarto: ``formats`` is the Quarto ``when-format`` value."""


class qmd_margin(nodes.Element):  # noqa: N801
    """Content for the page margin (``.column-margin``)."""


class qmd_video(nodes.Element):  # noqa: N801
    """An embedded video (``{{< video url >}}``); ``uri`` and optional ``width``/``height``."""


class qmd_aside(nodes.Inline, nodes.Element):  # noqa: N801
    """A margin note written inline (``[text]{.aside}``)."""


#: the nodes of :mod:`.constructs`
CONSTRUCT_NODES = (qmd_hard_break, qmd_task_checkbox, qmd_only, qmd_margin, qmd_video, qmd_aside)


# -- made by the toctree transform --------------------------------------------------------

#: attribute of a ``reference`` whose text is a page's title (a table-of-contents entry):
#: the docname of that page, so translation treats the text as that title
TITLE_OF = "qmd_title_of"
