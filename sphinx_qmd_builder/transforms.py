"""Post-transforms that prepare a resolved doctree for the Quarto writer.

They run only for the ``qmd`` format, before Sphinx's own reference resolver, so that
cross-references and citations keep their *labels* (Quarto numbers them itself) instead
of being frozen into "Fig. 3" links.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from .labels import LabelRegistry
from .nodes import qmd_citation, qmd_crossref, qmd_doclink

logger = logging.getLogger(__name__)

try:  # sphinxcontrib-bibtex parses "{pre}key{post}" targets
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets
except ImportError:  # pragma: no cover - bibtex is a dependency, but stay usable without
    parse_citation_targets = None


class QmdReferenceTransform(SphinxPostTransform):
    """Turn ``numref``/``ref``/``eq``/``doc``/MyST links and citations into Quarto nodes."""

    default_priority = 5  # before sphinx's ReferencesResolver (10) and MyST's (9)
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        registry: LabelRegistry | None = getattr(self.app.builder, "labels", None)
        if registry is None:
            return
        for node in list(self.document.findall(addnodes.pending_xref)):
            new = self.convert(node, registry)
            if new is not None:
                node.replace_self(new)

    def convert(self, node: addnodes.pending_xref, registry: LabelRegistry) -> nodes.Node | None:
        domain, reftype = node.get("refdomain"), node.get("reftype")
        target = node.get("reftarget", "")
        if domain == "cite":
            return self.citation(node, reftype, target)
        if (domain, reftype) in (("std", "numref"), ("std", "ref"), ("math", "eq")) or (
            domain in ("", None) and reftype == "myst"
        ):
            label = target
            if (domain, reftype) == ("math", "eq"):
                role = "eq"
            elif reftype == "myst":
                role = "myst"
            else:
                role = reftype
            found = registry.lookup(label)
            if found is None and role in ("ref", "myst"):
                found = registry.lookup(label.lower())
            if found is None:
                if role == "myst":
                    doc = self.resolve_doc(node, target)
                    if doc is not None:
                        return doc
                return None  # leave it to Sphinx: it warns about the missing label
            new = qmd_crossref(
                node.rawsource,
                qid=found.qid,
                label=label,
                role=role,
                explicit=bool(node.get("refexplicit")),
                refdoc=found.docname,
                numbered=found.numbered,
            )
            new.source, new.line = node.source, node.line
            if node.get("refexplicit"):
                new += node.children
            return new
        if domain == "std" and reftype == "doc":
            return self.resolve_doc(node, target)
        return None

    def resolve_doc(self, node: addnodes.pending_xref, target: str) -> nodes.Node | None:
        """A link to a whole document of the book."""
        from sphinx.util import docname_join

        refdoc = node.get("refdoc", self.env.docname)
        target = target.split("#", 1)[0]
        for suffix in self.config.source_suffix:
            if target.endswith(suffix):
                target = target[: -len(suffix)]
        docname = docname_join(refdoc, target)
        if docname not in self.env.all_docs:
            return None
        new = qmd_doclink(node.rawsource, refdoc=docname)
        new.source, new.line = node.source, node.line
        if node.get("refexplicit"):
            new += node.children
        else:
            title = self.env.titles.get(docname)
            new += nodes.Text(title.astext() if title is not None else docname)
        return new

    def citation(self, node: addnodes.pending_xref, mode: str, target: str) -> nodes.Node:
        keys, pre, post = [], [], []
        if parse_citation_targets is not None:
            try:
                for cite in parse_citation_targets(target):
                    keys.append(cite.key)
                    pre.append(cite.pre)
                    post.append(cite.post)
            except ValueError:
                logger.warning(
                    "malformed citation %r", target, location=node, type="qmd", subtype="cite"
                )
        if not keys:
            keys = [k.strip() for k in target.split(",") if k.strip()]
            pre = post = [""] * len(keys)
        known = _bib_keys(self.env)
        if known is not None:
            for key in keys:
                if key not in known:
                    logger.warning(
                        "citation key %r is in no bibliography file",
                        key,
                        location=node,
                        type="qmd",
                        subtype="cite",
                    )
        new = qmd_citation(node.rawsource, keys=keys, mode=mode, pre=pre, post=post)
        new.source, new.line = node.source, node.line
        self.app.builder.cited_keys.update(keys)  # type: ignore[attr-defined]
        return new


def _bib_keys(env: Any) -> set[str] | None:
    try:
        return set(env.get_domain("cite").bibdata.data.entries.keys())
    except Exception:
        return None


class LatexExportCommentRemover(SphinxPostTransform):
    """Remove the ``BEGIN LATEX EXPORT`` ... ``END LATEX EXPORT`` part of HTML comments.

    Only the marked part goes; the rest of a comment is kept, and a comment that held
    nothing else disappears.
    """

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        markers = self.config.qmd_latex_export_markers
        if not markers:
            return
        begin, end = markers
        for node in list(self.document.findall(nodes.raw)):
            if "html" not in node.get("format", "").split():
                continue
            text = node.astext()
            if begin not in text:
                continue
            kept, remainder = [], text
            while begin in remainder:
                before, _, after = remainder.partition(begin)
                kept.append(before)
                if end not in after:
                    logger.warning(
                        "%r without %r: the rest of this comment is kept",
                        begin,
                        end,
                        location=node,
                        type="qmd",
                        subtype="latex_export",
                    )
                    kept.append(begin + after)
                    remainder = ""
                    break
                remainder = after.partition(end)[2]
            kept.append(remainder)
            new_text = "".join(kept)
            if _is_empty_comment(new_text):
                node.parent.remove(node)
            else:
                new = nodes.raw(new_text, new_text, format=node["format"])
                new.source, new.line = node.source, node.line
                node.replace_self(new)


def _is_empty_comment(text: str) -> bool:
    stripped = text.strip()
    if stripped.startswith("<!--") and stripped.endswith("-->"):
        return not stripped[4:-3].strip()
    return not stripped
