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
from sphinx.util import docname_join, logging

from ..book.integrity import RefReport
from ..labels import LabelRegistry, QuartoTarget
from ..warning_types import QmdWarning
from .nodes import qmd_bibliography, qmd_citation, qmd_crossref, qmd_doclink, qmd_listing

logger = logging.getLogger(__name__)

try:  # sphinxcontrib-bibtex parses "{pre}key{post}" targets
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets
except ImportError:  # pragma: no cover - bibtex is a dependency, but stay usable without
    parse_citation_targets = None


#: (refdomain, reftype) of the roles whose targets are in the label registry -> role
REGISTRY_ROLES = {
    ("std", "numref"): "numref",
    ("std", "ref"): "ref",
    ("math", "eq"): "eq",
    ("prf", "ref"): "numref",  # sphinx-proof prints "Theorem 1", like numref
    ("", "myst"): "myst",
    (None, "myst"): "myst",
}


class QmdReferenceTransform(SphinxPostTransform):
    """Turn ``numref``/``ref``/``eq``/``doc``/MyST links and citations into Quarto nodes."""

    default_priority = 5  # before sphinx's ReferencesResolver (10) and MyST's (9)
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        registry: LabelRegistry | None = getattr(_builder(self.env), "labels", None)
        if registry is None:
            return
        for node in list(self.document.findall(addnodes.pending_xref)):
            new = self.convert(node, registry)
            if new is not None:
                node.replace_self(new)
            elif (node.get("refdomain"), node.get("reftype")) in REGISTRY_ROLES:
                # Sphinx (or MyST) warns about the missing label; the report lists it too
                _report(self.env).unresolved.append(
                    (self.env.docname, node.line, node.get("reftarget", ""))
                )

    def convert(self, node: addnodes.pending_xref, registry: LabelRegistry) -> nodes.Node | None:
        domain, reftype = node.get("refdomain"), node.get("reftype")
        target = node.get("reftarget", "")
        if domain == "cite":
            return self.citation(node, reftype, target)
        if domain == "std" and reftype == "doc":
            return self.resolve_doc(node, target)
        role = REGISTRY_ROLES.get((domain, reftype))
        if role is None:
            return None
        found = registry.lookup(target, equation=role == "eq")
        if found is None and role in ("ref", "myst"):
            found = registry.lookup(target.lower())  # std labels are lowercased
        if found is None:
            if role == "myst":
                return self.resolve_doc(node, target)
            return None
        return self.crossref(node, role, found)

    def crossref(self, node: addnodes.pending_xref, role: str, found: Any) -> nodes.Element:
        """A reference written the way Quarto can resolve it (see :func:`crossref_form`)."""
        explicit = bool(node.get("refexplicit"))
        if role == "myst" and found.kind == "equation" and not explicit:
            role = "eq"  # MyST prints an equation's number, as the eq role does
        template = node.astext() if explicit else ""
        if role == "eq":
            template = self.config.math_eqref_format or "({number})"
        form, pre, post = crossref_form(role, found, explicit, template)
        number_text = None
        if form == "link" and not explicit and node.get("refdomain") == "prf":
            # a kind Quarto does not number: the words sphinx-proof prints, "Remark 2"
            number_text = proof_number_text(self.env, found.label)
        if form == "link" and not number_text and (found.kind is None or role in ("numref", "eq")):
            logger.warning(
                "%s target %r (%s) cannot be numbered by Quarto; written as a plain link",
                role,
                found.label,
                found.kind or "no numbered kind",
                location=node,
                type="qmd",
                subtype=QmdWarning.UNNUMBERED_REF,
            )
        new = qmd_crossref(
            node.rawsource,
            qid=found.qid,
            label=found.label,
            role=role,
            form=form,
            pre=pre,
            post=post,
            explicit=explicit,
            refdoc=found.docname,
            anchor=found.anchor,
            numbered=found.numbered,
            kind=found.kind,
            node_id=found.node_id,
            title=found.title,
        )
        new.source, new.line = node.source, node.line
        if form == "link":
            if explicit and node.get("refdomain") == "prf":
                # sphinx-proof gives its link text as a literal; it is plain text
                new += nodes.Text(node.astext())
            elif explicit and "%s" not in template and "{number}" not in template:
                new += node.children
            else:
                new += nodes.Text(number_text or found.title or found.label)
        report = _report(self.env)
        report.written += 1
        if form != "link":
            report.at_refs.append((self.env.docname, node.line, found.qid, found.docname))
        elif found.anchor:
            report.link_refs.append((self.env.docname, node.line, found.anchor, found.docname))
        return new

    def resolve_doc(self, node: addnodes.pending_xref, target: str) -> nodes.Node | None:
        """A link to a whole document of the book."""
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
                    "malformed citation %r",
                    target,
                    location=node,
                    type="qmd",
                    subtype=QmdWarning.CITE,
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
                        subtype=QmdWarning.CITE,
                    )
        new = qmd_citation(node.rawsource, keys=keys, mode=mode, pre=pre, post=post)
        new.source, new.line = node.source, node.line
        _builder(self.env).cited_keys.update(keys)
        _report(self.env).citations += len(keys)
        return new


class QmdDeadLinkTransform(SphinxPostTransform):
    """Keep only the text of a link to an id that is not on the page.

    MyST turns a ``[text](label)`` it cannot resolve into a link to ``#label`` (after
    warning); Quarto could not follow it either. The integrity report lists it.
    """

    default_priority = 20  # after MyST's (9) and Sphinx's (10) reference resolvers
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        on_page: set[str] | None = None
        for node in list(self.document.findall(nodes.reference)):
            refid = node.get("refid")
            if not refid or refid in self.document.ids or node.parent is None:
                continue
            if on_page is None:
                # rST parsed inside MyST (``{eval-rst}``: autodoc) registers its ids with a
                # document of its own; the nodes still carry them
                on_page = {i for n in self.document.findall(nodes.Element) for i in n["ids"]}
            if refid not in on_page:
                node.replace_self(node.children or [nodes.Text(node.astext())])


class QmdAnchorTransform(SphinxPostTransform):
    """Links Sphinx resolved itself point at the heading's Quarto id, not the docutils id.

    ``{button-ref}``, card links and ``{contents}`` lists come out of Sphinx's resolver
    as ``page.qmd#content-cards`` / ``#content-cards``; on the page the heading is
    ``{#sec-content-cards}`` (the label registry's id), and a chapter's own title has no
    anchor at all (it is the page's YAML title), so a link to it goes to the page.
    """

    default_priority = 25  # after the resolvers (9, 10) and the dead-link check (20)
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        builder = _builder(self.env)
        registry: LabelRegistry | None = getattr(builder, "labels", None)
        if registry is None or not hasattr(builder, "link_to"):
            return
        docname = self.env.docname
        first = next((c for c in self.document.children if isinstance(c, nodes.section)), None)
        title_ids = set(first["ids"]) if first is not None else set()
        for node in self.document.findall(nodes.reference):
            if node.get("refid"):
                target_doc: str | None = docname
                fragment = node["refid"]
            else:
                uri = node.get("refuri", "")
                if "#" not in uri or ":" in uri.split("#", 1)[0]:
                    continue  # no fragment, or another scheme (https:, mailto:)
                path, fragment = uri.split("#", 1)
                target_doc = builder.docname_of_uri(docname, path) if path else docname
            if target_doc is None:
                continue
            found = registry.by_node.get((target_doc, fragment))
            if found is not None:
                anchor = found.anchor
            elif target_doc == docname and fragment in title_ids:
                anchor = None  # the page title: no heading on the page
            else:
                continue
            if anchor == fragment and node.get("refuri"):
                continue
            node["refuri"] = builder.link_to(docname, target_doc, anchor, own_page=True)
            node.attributes.pop("refid", None)


class QmdListingTransform(SphinxPostTransform):
    """Captioned code blocks become :class:`.nodes.qmd_listing` nodes (Quarto listings).

    A node of its own keeps them apart from every other kind of container (notebook
    cells, sphinx-design components, toggles) that the writer's container handlers see.
    """

    default_priority = 6
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.container)):
            if node.get("literal_block") and node.next_node(nodes.literal_block) is not None:
                new = qmd_listing("", *node.children, ids=list(node.get("ids", [])))
                new.source, new.line = node.source, node.line
                node.replace_self(new)


class QmdBibliographyTransform(SphinxPostTransform):
    """Mark where each ``{bibliography}`` stood and turn ``footcite`` into cited footnotes.

    Runs before sphinxcontrib-bibtex's own BibliographyTransform (priority 5), which would
    replace the directive by a list of formatted entries: Quarto makes the list itself,
    at ``::: {#refs}``.
    """

    default_priority = 4
    formats = ("qmd",)

    def run(self, **kwargs: Any) -> None:
        try:
            from sphinxcontrib.bibtex.nodes import bibliography
        except ImportError:  # pragma: no cover
            return
        for node in list(self.document.findall(bibliography)):
            new = qmd_bibliography()
            new.source, new.line = node.source, node.line
            node.replace_self(new)
        self.footcites()

    def footcites(self) -> None:
        """``{footcite}`` -> ``^[[@key]]``: the footnote holds the citation, Quarto formats it."""
        if next(iter(self.document.findall(nodes.footnote_reference)), None) is None:
            return  # no footnote on the page: the names of every bib entry are not needed
        keys = _footcite_names(self.env, self.config)
        if not keys:
            return
        used: set[int] = set()
        for ref in list(self.document.findall(nodes.footnote_reference)):
            refid = ref.get("refid", "")
            footnote = self.document.ids.get(refid)
            if not isinstance(footnote, nodes.footnote):
                continue
            key = next((keys[n] for n in footnote.get("names", []) if n in keys), None)
            if key is None:
                continue
            new = qmd_citation(ref.rawsource, keys=[key], mode="foot", pre=[""], post=[""])
            new.source, new.line = ref.source, ref.line
            ref.replace_self(new)
            _builder(self.env).cited_keys.add(key)
            _report(self.env).citations += 1
            used.add(id(footnote))
        for footnote in list(self.document.findall(nodes.footnote)):
            if id(footnote) in used and footnote.parent is not None:
                footnote.parent.remove(footnote)
        if used:
            # MyST's rule above the footnotes, when no footnote is left below it
            for rule in list(self.document.findall(nodes.transition)):
                parent = rule.parent
                if "footnotes" in rule.get("classes", []) and parent is not None:
                    after = parent.children[parent.index(rule) + 1 :]
                    if not any(isinstance(n, nodes.footnote) for n in after):
                        parent.remove(rule)


def _footcite_names(env: Any, config: Any) -> dict[str, str]:
    """Footnote name -> bib key, for the names sphinxcontrib-bibtex gives footcite notes."""
    from docutils.nodes import make_id

    try:
        entries = env.get_domain("cite").bibdata.data.entries
    except Exception:
        return {}
    template = getattr(config, "bibtex_footcite_id", None) or "footcite-{key}"
    counts = range(1, 51) if "footbibliography_count" in template else [1]
    names: dict[str, str] = {}
    for key in entries:
        for count in counts:
            names[make_id(template.format(key=key, footbibliography_count=count))] = key
    return names


def crossref_form(
    role: str, target: QuartoTarget, explicit: bool, template: str
) -> tuple[str, str, str]:
    """How a reference is written: ``(form, text before, text after)``.

    ``at``: ``@fig-x`` (Quarto prints "Figure 1"). ``number``: the author's own words
    around the bare number, ``Abbildung -@fig-x`` (numref ``Abbildung %s``) or ``(-@eq-x)``
    (the eq role). ``link``: ``[text](page.qmd#id)``, for explicit link text and for
    targets Quarto cannot number.
    """
    if not target.numbered:
        return "link", "", ""
    if role in ("numref", "eq") and template:
        for placeholder in ("%s", "{number}"):
            if placeholder in template:
                pre, _, post = template.partition(placeholder)
                name = target.title or target.label
                return "number", pre.replace("{name}", name), post.replace("{name}", name)
        return "link", "", ""
    if explicit:
        return "link", "", ""
    if role in ("ref", "myst") and target.kind in TITLED_KINDS and target.title:
        # Sphinx shows the caption or section title, not a number: a link with that text
        # (QUARTO.md 6 and 8: Quarto would print "Figure 1" / "Section 2.1"); an equation
        # has no caption (Sphinx finds no title): Quarto's number is kept
        return "link", "", ""
    return "at", "", ""


#: kinds a text-less ``{ref}`` names by their caption or title (Sphinx's ``ref`` role)
TITLED_KINDS = frozenset({"figure", "table", "equation", "code", "section"})


def proof_number_text(env: Any, label: str) -> str | None:
    """What sphinx-proof prints for a text-less ``{prf:ref}``: ``Algorithm 2``.

    Taken from sphinx-proof's own records and Sphinx's figure numbers, in its language.
    """
    entry = (getattr(env, "proof_list", None) or {}).get(label)
    if not isinstance(entry, dict) or not entry.get("realtype"):
        return None
    try:
        from sphinx_proof.domain import translate
    except ImportError:  # pragma: no cover - the entry exists only with sphinx-proof
        name = str(entry["realtype"]).title()
    else:
        name = str(translate(str(entry["realtype"]).title()))
    if entry.get("nonumber"):
        return name
    try:
        numbers = env.toc_fignumbers[entry["docname"]][entry["countertype"]][label]
    except (KeyError, TypeError):
        return name
    return f"{name} {'.'.join(map(str, numbers))}"


def _builder(env: Any) -> Any:
    """The running builder (``Transform.app`` is deprecated in Sphinx 9)."""
    app = getattr(env, "_app", None) or getattr(env, "app", None)
    return getattr(app, "builder", None)


def _report(env: Any) -> RefReport:
    report = getattr(_builder(env), "ref_report", None)
    if report is None:  # a builder that is not ours ran the transform: count nowhere
        report = RefReport()
    return report


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
                        subtype=QmdWarning.LATEX_EXPORT,
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
