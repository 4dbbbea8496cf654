"""Embedded videos as Quarto's ``{{< video >}}`` shortcode.

``sphinxcontrib-youtube`` writes ``youtube`` / ``vimeo`` / ``peertube`` nodes (a video id,
``width``/``height`` as ``(number, unit)``, ``aspect``, ``url_parameters``);
``sphinxcontrib-video`` writes ``video_node`` (``sources``: ``(src, mime, is_remote)``,
``width``/``height`` strings, ``alt``, ``caption``). Quarto embeds YouTube and Vimeo by
their page URL and plays files itself; a PeerTube instance it does not know, so that one
stays an iframe in a raw HTML block.
"""

from __future__ import annotations

import posixpath

from docutils import nodes

from ..warning_types import QmdWarning
from . import markdown as md
from .translator_api import TranslatorAPI

_PLATFORM_URL = {
    "youtube": "https://www.youtube.com/embed/{}",
    "vimeo": "https://vimeo.com/{}",
}


def _size(value: object) -> str | None:
    """``(560, "px")`` / ``"560"`` / ``"50%"`` -> the shortcode's width/height value."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        number, unit = value
        return f"{number}%" if unit == "%" else str(number)
    if isinstance(value, str) and value:
        return value
    return None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def video_shortcode(url: str, **options: str | None) -> str:
    """``{{< video URL key="value" ... >}}``; options that are None are left out."""
    parts = [url] + [f"{k.replace('_', '-')}={_quote(v)}" for k, v in options.items() if v]
    return "{{< video " + " ".join(parts) + " >}}"


#: node names written as a ``{{< video >}}`` shortcode
VIDEO_NODES = frozenset({"youtube", "vimeo", "video_node", "qmd_video"})


class MediaVisitors(TranslatorAPI):
    """Mixin for :class:`~.translator.QmdTranslator`."""

    def add_video(self, url: str, shortcode: str) -> None:
        """The video's shortcode; in a grid table, where a shortcode breaks the table
        (QUARTO.md 3), a link to it (the table says so, :mod:`.tables`)."""
        if getattr(self, "in_grid_table", 0):
            self.add_block(f"[Video](<{url}>)")
            return
        getattr(self, "note_shortcode", lambda: None)()
        self.add_block(shortcode)

    def visit_youtube(self, node: nodes.Element) -> None:
        platform = node.get("platform") or node.__class__.__name__
        url = _PLATFORM_URL[platform].format(node["id"]) + (node.get("url_parameters") or "")
        aspect = node.get("aspect")
        self.add_video(
            url,
            video_shortcode(
                url,
                width=_size(node.get("width")),
                height=_size(node.get("height")),
                aspect_ratio=f"{aspect[0]}x{aspect[1]}" if aspect else None,
            ),
        )
        raise nodes.SkipNode

    visit_vimeo = visit_youtube

    def visit_peertube(self, node: nodes.Element) -> None:
        instance = str(node.get("instance") or "").rstrip("/")
        url = f"{instance}/videos/embed/{node['id']}{node.get('url_parameters') or ''}"
        self.add_block(f'```{{=html}}\n<iframe src="{url}" allowfullscreen></iframe>\n```')
        raise nodes.SkipNode

    def visit_video_node(self, node: nodes.Element) -> None:
        sources = node.get("sources") or []
        if not sources:
            raise nodes.SkipNode
        src, _mime, remote = sources[0]
        if not remote:
            # the builder copies images only; the page points at the source's place
            src = self.rebased(posixpath.relpath(src, posixpath.dirname(self.docname) or "."))
            self.warn(
                "video file %s is not copied; place it beside the page in the Quarto book",
                node,
                QmdWarning.VIDEO,
                src,
            )
        if len(sources) > 1:
            self.warn("video %s: only the first source is kept", node, QmdWarning.VIDEO, src)
        caption = node.get("caption", "")
        self.add_video(
            src,
            video_shortcode(
                src,
                width=_size(node.get("width")),
                height=_size(node.get("height")),
                title=node.get("alt") or caption or None,
            ),
        )
        if caption:
            self.add_block(md.escape_text(" ".join(caption.split())))
        raise nodes.SkipNode
