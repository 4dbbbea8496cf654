"""Translatable units of a doctree, as XML with placeholders, and their reconstruction.

A unit is a whole paragraph (or title, caption, term, ...), never a single text node:
splitting a sentence at an emphasis breaks it for the translator. Inline markup travels
as XML elements: untranslatable pieces (code, math, citations, cross-references, images,
raw markup) as empty ``<x i="N"/>``, inline containers whose text is prose (emphasis,
strong, link text) as ``<em i="N">...</em>`` and so on. After translation the inline
nodes are put back by their number, so the writer sees ordinary nodes again.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docutils import nodes
from sphinx import addnodes

from ..transforms.nodes import TITLE_OF, qmd_crossref, qmd_doclink

#: Elements that are translated as one unit (their inline children travel as XML).
UNIT_TYPES: tuple[type[nodes.Element], ...] = (
    nodes.paragraph,
    nodes.title,
    nodes.subtitle,
    nodes.caption,
    nodes.rubric,
    nodes.term,
    nodes.line,
    nodes.attribution,
)

#: Nothing below these is prose (or it is generated, like a cell's output).
NEVER_TRANSLATED: tuple[type[nodes.Node], ...] = (
    nodes.literal_block,
    nodes.doctest_block,
    nodes.math_block,
    nodes.raw,
    nodes.comment,
    nodes.citation,  # bibliography entries keep their original text
    nodes.system_message,
    nodes.substitution_definition,
    nodes.field_name,
    addnodes.toctree,
    addnodes.desc_signature,
)

#: inline containers whose content is prose -> XML tag name (for readable catalogs)
CONTAINER_TAGS: dict[type[nodes.Element], str] = {
    nodes.emphasis: "em",
    nodes.strong: "strong",
    nodes.subscript: "sub",
    nodes.superscript: "sup",
    nodes.title_reference: "cite",
    nodes.abbreviation: "abbr",
    nodes.inline: "span",
    nodes.reference: "a",
    qmd_doclink: "a",
    qmd_crossref: "a",
}

#: subclasses of the containers above that hold code, not prose
CODE_LIKE: tuple[type[nodes.Element], ...] = (addnodes.literal_emphasis, addnodes.literal_strong)

PLACEHOLDER_TAG = "x"
_WORD = re.compile(r"\w", re.UNICODE)
_SPACE = re.compile(r"\s+")
_NUMBER_SLOT = re.compile(r"(%s|\{number\}|\{name\})")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RebuildError(ValueError):
    """A translation whose markup does not match its source (a placeholder lost, doubled...)."""


@dataclass
class Segment:
    """One translatable unit: the node, its protected source text and its inline nodes."""

    node: nodes.Element
    source: str  # XML text: the msgid of the translation memory
    inline: dict[str, nodes.Node] = field(default_factory=dict)  # "N" -> node
    tags: dict[str, str] = field(default_factory=dict)  # "N" -> tag name
    spaces: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # placeholder -> ws
    attribute: str | None = None  # "alt": the unit is an attribute, not the children
    #: number-slot placeholder -> its cross-reference ("Abbildung <x/>": pre/post words)
    slots: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> int | None:
        node: nodes.Node | None = self.node
        while node is not None and getattr(node, "line", None) is None:
            node = node.parent
        return getattr(node, "line", None)

    def notes(self) -> list[tuple[str, str]]:
        """What each placeholder stands for, for the reviewer (``#.`` comments)."""
        return [
            (f'<x i="{key}"/>', describe(node))
            for key, node in self.inline.items()
            if self.tags[key] == PLACEHOLDER_TAG
        ]


def describe(node: nodes.Node) -> str:
    """A short human description of an untranslatable inline node."""
    if isinstance(node, qmd_crossref):
        return f"@{node['qid']}"
    if node.tagname == "qmd_citation":
        return "@" + "; @".join(node.get("keys", []))
    if isinstance(node, nodes.math):
        return f"${node.astext()}$"
    if isinstance(node, nodes.literal):
        return f"`{node.astext()}`"
    if isinstance(node, nodes.image):
        return f"image {node.get('uri', '')}"
    if isinstance(node, nodes.Text):
        return f"the number slot {str(node)!r} of a cross-reference"
    text = node.astext()
    text = _SPACE.sub(" ", text).strip()
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{node.tagname} {text!r}" if text else node.tagname


def is_excluded(node: nodes.Node) -> bool:
    """Whether *node* sits below something that is never translated."""
    parent: nodes.Node | None = node
    while parent is not None:
        if isinstance(parent, NEVER_TRANSLATED):
            return True
        if isinstance(parent, nodes.Element):
            if "notranslate" in parent.get("classes", ()):
                return True
            if str(parent.get("nb_element", "")).startswith(("cell_code", "mime")):
                return True
        parent = parent.parent
    return False


def has_words(text: str) -> bool:
    """Only text with letters in it is worth a request (not "(1)", not a lone placeholder)."""
    outside_tags = re.sub(r"<[^>]*>", "", text)
    return any(ch.isalpha() for ch in outside_tags)


def title_link(unit: nodes.Element) -> nodes.reference | None:
    """The link of a unit that is only a page's title as a link (a table-of-contents entry)."""
    if len(unit.children) != 1:
        return None
    child = unit.children[0]
    if isinstance(child, nodes.reference) and child.get(TITLE_OF):
        return child
    return None


def extract_segments(
    document: nodes.Node,
    *,
    image_alt: bool = False,
    translated: Callable[[str], bool] | None = None,
) -> Iterator[Segment]:
    """The translatable units of *document*, in document order.

    A page title repeated as a link is translated as that title: the link text alone is the
    unit, so it is the same memory entry as the page's heading, and it is left alone when
    the page it names is not translated (*translated*: docname -> bool; None: all are).
    """
    for node in document.findall(nodes.Element):
        if isinstance(node, UNIT_TYPES):
            if is_excluded(node):
                continue
            unit: nodes.Element = node
            link = title_link(node)
            if link is not None:
                if translated is not None and not translated(link[TITLE_OF]):
                    continue
                unit = link
            segment = protect(unit)
            if has_words(segment.source):
                yield segment
        elif image_alt and isinstance(node, nodes.image):
            alt = node.get("alt", "")
            if alt and alt != node.get("uri") and not is_excluded(node):
                text = _SPACE.sub(" ", escape(alt)).strip()
                if has_words(text):
                    yield Segment(node, text, attribute="alt")


def _is_number_form(node: nodes.Node) -> bool:
    """A cross-reference written as the author's words around Quarto's number."""
    if not isinstance(node, qmd_crossref) or node.get("form") != "number":
        return False
    return any(ch.isalpha() for ch in node.get("pre", "") + node.get("post", ""))


def _is_container(node: nodes.Node) -> bool:
    """Inline elements whose children are prose and go to the translator."""
    if isinstance(node, nodes.literal) and isinstance(node.parent, (qmd_crossref, qmd_doclink)):
        # a role's link text ({numref}`Abbildung %s <x>`) is wrapped in literal, yet prose
        return True
    if not isinstance(node, tuple(CONTAINER_TAGS)) or isinstance(node, CODE_LIKE):
        return False
    if "notranslate" in node.get("classes", ()):
        return False
    if isinstance(node, qmd_crossref):
        # "@fig-x" has no text of its own; the author's link text is prose, and so is the
        # caption or title a text-less {ref} shows as its link text
        return bool(node.children) and (bool(node.get("explicit")) or node.get("form") == "link")
    if isinstance(node, nodes.reference):
        uri = node.get("refuri", "")
        # a bare URL is a URL, not prose
        return not (uri and node.astext() == uri)
    return True


def _tag_for(node: nodes.Element) -> str:
    if isinstance(node, nodes.literal):
        return "code"  # only a cross-reference's text gets here, see _is_container
    for cls in type(node).__mro__:
        if cls in CONTAINER_TAGS:
            return CONTAINER_TAGS[cls]
    return "span"


def protect(unit: nodes.Element) -> Segment:
    """The XML source text of *unit*, with its inline nodes numbered in document order."""
    segment = Segment(unit, "")
    counter = 0

    def walk(parent: nodes.Element) -> str:
        nonlocal counter
        parts: list[str] = []
        for child in parent.children:
            if isinstance(child, nodes.Text):
                # astext(): without docutils' backslash-escape markers (NUL), which XML
                # cannot carry; other control characters are dropped for the same reason
                text = _CONTROL.sub("", _SPACE.sub(" ", child.astext()))
                if isinstance(parent, qmd_crossref) or isinstance(parent.parent, qmd_crossref):
                    # "Abbildung %s": the number slot is the writer's, not prose
                    for piece in _NUMBER_SLOT.split(text):
                        if _NUMBER_SLOT.fullmatch(piece):
                            counter += 1
                            key = str(counter)
                            segment.inline[key] = nodes.Text(piece)
                            segment.tags[key] = PLACEHOLDER_TAG
                            parts.append(f'<{PLACEHOLDER_TAG} i="{key}"/>')
                        else:
                            parts.append(escape(piece))
                    continue
                parts.append(escape(text))
                continue
            counter += 1
            key = str(counter)
            segment.inline[key] = child
            if _is_number_form(child):
                # "Abbildung -@fig-x": the words around the number are prose, the number
                # is Quarto's; pre/post come back from the text around the slot
                counter += 1
                slot = str(counter)
                segment.inline[slot] = nodes.Text("%s")
                segment.tags[slot] = PLACEHOLDER_TAG
                segment.slots[slot] = key
                segment.tags[key] = "a"
                pre, post = escape(child.get("pre", "")), escape(child.get("post", ""))
                parts.append(f'<a i="{key}">{pre}<{PLACEHOLDER_TAG} i="{slot}"/>{post}</a>')
                continue
            if _is_container(child):
                tag = _tag_for(child)
                segment.tags[key] = tag
                parts.append(f'<{tag} i="{key}">{walk(child)}</{tag}>')
            else:
                segment.tags[key] = PLACEHOLDER_TAG
                parts.append(f'<{PLACEHOLDER_TAG} i="{key}"/>')
        return "".join(parts)

    text = walk(unit)
    # collapse the spaces that two neighbouring text nodes or soft breaks leave behind
    text = _SPACE.sub(" ", text).strip()
    segment.source = text
    for key, tag in segment.tags.items():
        if tag == PLACEHOLDER_TAG:
            mark = f'<{PLACEHOLDER_TAG} i="{key}"/>'
            at = text.find(mark)
            before = at > 0 and text[at - 1] == " "
            after_at = at + len(mark)
            after = after_at < len(text) and text[after_at] == " "
            segment.spaces[key] = (before, after)
    return segment


# -- back from XML to nodes ---------------------------------------------------------------


def parse_translation(segment: Segment, translated: str) -> ET.Element:
    """Parse and check a translation: every source element exactly once, nothing else."""
    try:
        root = ET.fromstring(f"<t>{translated}</t>")
    except ET.ParseError as err:
        raise RebuildError(f"not well-formed XML ({err})") from None
    seen: dict[str, int] = {}
    for element in root.iter():
        if element is root:
            continue
        key = element.get("i")
        if key is None or key not in segment.tags:
            raise RebuildError(f"unknown element <{element.tag}>")
        if element.tag != segment.tags[key]:
            raise RebuildError(f"element {key} is <{element.tag}>, expected <{segment.tags[key]}>")
        if element.tag == PLACEHOLDER_TAG and (len(element) or (element.text or "").strip()):
            raise RebuildError(f"placeholder {key} got content")
        seen[key] = seen.get(key, 0) + 1
    missing = sorted(set(segment.tags) - set(seen), key=int)
    doubled = sorted((k for k, n in seen.items() if n > 1), key=int)
    if missing:
        raise RebuildError("placeholder(s) lost: " + ", ".join(missing))
    if doubled:
        raise RebuildError("placeholder(s) repeated: " + ", ".join(doubled))
    for parent in root.iter():
        key = parent.get("i", "")
        # "Abbildung <x/>": exactly the number inside, words around it
        inside = len(parent) == 1 and segment.slots.get(parent[0].get("i", "")) == key
        if key in segment.slots.values() and not inside:
            raise RebuildError(f"the number of reference {key} left its words")
    return root


def _restore_spaces(segment: Segment, parent: ET.Element) -> None:
    """Put back a space next to a placeholder where the source had one and a word now
    touches it (translators like to eat spaces around tags); never remove spaces."""
    children = list(parent)
    for index, child in enumerate(children):
        _restore_spaces(segment, child)
        if child.tag != PLACEHOLDER_TAG:
            continue
        before, after = segment.spaces.get(child.get("i", ""), (False, False))
        if before:
            prev = parent.text if index == 0 else children[index - 1].tail
            if prev and _WORD.match(prev[-1]):
                if index == 0:
                    parent.text = prev + " "
                else:
                    children[index - 1].tail = prev + " "
        if after and child.tail and _WORD.match(child.tail[0]):
            child.tail = " " + child.tail


def rebuild(segment: Segment, translated: str) -> list[nodes.Node] | str:
    """The new children of the unit (or the new attribute text) from *translated*."""
    root = parse_translation(segment, translated)
    if segment.attribute is not None:
        return "".join(root.itertext())
    _restore_spaces(segment, root)

    def number_words(element: ET.Element) -> tuple[str, str]:
        return element.text or "", element[0].tail or ""  # checked by parse_translation

    def build(element: ET.Element) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        if element.text:
            out.append(nodes.Text(element.text))
        for child in element:
            key = child.get("i", "")
            original = segment.inline[key]
            if key in segment.slots.values():
                original["pre"], original["post"] = number_words(child)
            elif child.tag != PLACEHOLDER_TAG:
                assert isinstance(original, nodes.Element)
                original.children = []
                original.extend(build(child))
            out.append(original)
            if child.tail:
                out.append(nodes.Text(child.tail))
        return out

    return build(root)


def apply(segment: Segment, translated: str) -> None:
    """Replace the unit's content by *translated* (raises :class:`RebuildError`)."""
    new = rebuild(segment, translated)
    if isinstance(new, str):
        segment.node[segment.attribute] = new
        return
    segment.node.children = []
    segment.node.extend(new)
