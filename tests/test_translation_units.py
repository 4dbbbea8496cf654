"""Unit tests of the translation pieces: placeholders, rebuild, batching, memory, glossary."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from docutils import nodes
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx.errors import ConfigError

from sphinx_qmd_builder.transforms.nodes import TITLE_OF, qmd_citation, qmd_crossref
from sphinx_qmd_builder.translation import client, segments
from sphinx_qmd_builder.translation.memory import MACHINE_COMMENT, DocumentMemory
from sphinx_qmd_builder.translation.settings import load_glossary


def paragraph() -> nodes.paragraph:
    """Die *Katze* mit ``code`` und $x$ sieht @fig-a [@key], siehe [Link](https://e.org)."""
    para = nodes.paragraph()
    para += nodes.Text("Die ")
    para += nodes.emphasis("", "Katze")
    para += nodes.Text(" mit\n")
    para += nodes.literal("code", "code")
    para += nodes.Text(" und ")
    para += nodes.math("x", "x")
    para += nodes.Text(" sieht ")
    para += qmd_crossref("", qid="fig-a", label="fig-a", role="numref", explicit=False)
    para += nodes.Text(" ")
    para += qmd_citation("", keys=["key"], mode="p", pre=[""], post=[""])
    para += nodes.Text(", siehe ")
    para += nodes.reference("", "Link", refuri="https://e.org")
    para += nodes.Text(".")
    return para


def test_protect_numbers_inline_nodes_and_collapses_spaces() -> None:
    segment = segments.protect(paragraph())
    assert segment.source == (
        'Die <em i="1">Katze</em> mit <x i="2"/> und <x i="3"/> sieht <x i="4"/> '
        '<x i="5"/>, siehe <a i="6">Link</a>.'
    )
    assert segment.tags == {"1": "em", "2": "x", "3": "x", "4": "x", "5": "x", "6": "a"}
    assert [note for _, note in segment.notes()] == ["`code`", "$x$", "@fig-a", "@key"]


def test_rebuild_reuses_inline_nodes_in_the_translated_order() -> None:
    para = paragraph()
    originals = list(para.children)
    segment = segments.protect(para)
    segments.apply(
        segment,
        'See <x i="5"/> and <x i="4"/>: the <em i="1">cat</em> with <x i="2"/> and '
        '<x i="3"/>, see <a i="6">link</a>.',
    )
    assert para.astext().startswith("See  and : the cat with code and x, see link.")
    # the very same inline nodes, not copies
    kept = [c for c in para.children if not isinstance(c, nodes.Text)]
    assert kept[0] is originals[9] and kept[1] is originals[7]
    assert kept[-1] is originals[11] and kept[-1]["refuri"] == "https://e.org"


@pytest.mark.parametrize(
    ("translated", "problem"),
    [
        ('Die <em i="1">Katze</em> mit <x i="2"/> und <x i="3"/> sieht <x i="4"/>.', "lost: 5, 6"),
        (
            'A <em i="1">b</em> <x i="2"/><x i="2"/> <x i="3"/> <x i="4"/> <x i="5"/> '
            '<a i="6">l</a>',
            "repeated: 2",
        ),
        ('<x i="9"/>', "unknown element"),
        ('<em i="2">x</em>', "expected <x>"),
        ("<em i='1'>unclosed", "not well-formed"),
    ],
)
def test_rebuild_refuses_damaged_markup(translated: str, problem: str) -> None:
    segment = segments.protect(paragraph())
    before = segment.node.deepcopy().astext()
    with pytest.raises(segments.RebuildError, match=problem):
        segments.apply(segment, translated)
    assert segment.node.astext() == before  # untouched


def test_spaces_around_placeholders_come_back() -> None:
    segment = segments.protect(paragraph())
    segments.apply(
        segment,
        'The <em i="1">cat</em> with<x i="2"/>and<x i="3"/> sees<x i="4"/> <x i="5"/>, '
        'see <a i="6">link</a>.',
    )
    assert segment.node.astext() == "The cat with code and x sees  , see link."


def test_words_around_a_reference_number_are_translated() -> None:
    para = nodes.paragraph()
    para += nodes.Text("Siehe ")
    para += qmd_crossref("", qid="fig-a", role="numref", form="number", pre="Abbildung ", post="")
    para += nodes.Text(".")
    segment = segments.protect(para)
    assert segment.source == 'Siehe <a i="1">Abbildung <x i="2"/></a>.'
    with pytest.raises(segments.RebuildError, match="left its words"):
        segments.apply(segment, 'See <a i="1">Figure</a> <x i="2"/>.')
    segments.apply(segment, 'See <a i="1">Fig. <x i="2"/> (top)</a>.')
    ref = para[1]
    assert (ref["pre"], ref["post"], ref.children) == ("Fig. ", " (top)", [])
    # "(%s)" around an equation number has no words: it stays a plain placeholder
    eq = qmd_crossref("", qid="eq-a", role="eq", form="number", pre="(", post=")")
    assert segments.protect(nodes.paragraph("", "Gleichung ", eq)).source == 'Gleichung <x i="1"/>'


def test_excluded_parts_and_wordless_units_are_not_segments() -> None:
    doc = nodes.section()
    doc += nodes.title("", "Titel")
    doc += nodes.literal_block("x = 1", "x = 1")
    cell = nodes.container(nb_element="cell_code_output")
    cell += nodes.paragraph("", "Ausgabe einer Zelle")
    doc += cell
    doc += nodes.paragraph("", "(1)")
    skip = nodes.paragraph("", "nicht", classes=["notranslate"])
    doc += skip
    found = [s.source for s in segments.extract_segments(doc)]
    assert found == ["Titel"]


def test_toc_entry_is_translated_as_its_page_title() -> None:
    """A list item that is only a page's title as a link: the text alone is the unit (the
    heading's entry), and it is no unit when that page is not translated."""
    doc = nodes.section()
    doc += nodes.title("", "Segmentierung")
    links = nodes.bullet_list()
    for docname, title in (("seg", "Segmentierung"), ("intro", "Introduction")):
        ref = nodes.reference(title, title, refuri=f"{docname}.qmd", internal=True)
        ref[TITLE_OF] = docname
        links += nodes.list_item("", nodes.paragraph("", "", ref))
    doc += links
    found = list(segments.extract_segments(doc, translated=lambda d: d == "seg"))
    assert [s.source for s in found] == ["Segmentierung", "Segmentierung"]
    segments.apply(found[1], "Segmentation")
    assert links[0].astext() == "Segmentation"
    assert links[0][0][0]["refuri"] == "seg.qmd"  # the link itself is kept
    # an ordinary link alone in a paragraph is still the paragraph's unit
    plain = nodes.paragraph("", "", nodes.reference("Mehr", "Mehr", refuri="x.qmd"))
    assert [s.source for s in segments.extract_segments(plain)] == ['<a i="1">Mehr</a>']


def test_batches_respect_count_and_size_limits() -> None:
    small = [f"Satz {n}." for n in range(120)]
    assert [len(b) for b in client.batches(small)] == [50, 50, 20]
    big = ["ä" * 12_000] * 5  # 72 KB each as JSON (\\u00e4): two never share a request
    groups = list(client.batches(big))
    assert all(len(g) == 1 for g in groups) and sum(map(len, groups)) == 5


def test_memory_keeps_human_edits_and_retires_vanished_sources(tmp_path: Path) -> None:
    path = tmp_path / "EN-US" / "doc.po"
    a = segments.protect(nodes.paragraph("", "Erster Satz."))
    b = segments.protect(nodes.paragraph("", "Zweiter Satz."))
    memory = DocumentMemory(path, "DE", "EN-US", "Projekt")
    memory.add_machine(a.source, "First sentence.")
    memory.add_machine(b.source, "Second sentence.")
    memory.sync([a, b], "doc.md")
    assert memory.save()
    po = polib.pofile(str(path))
    assert po.find("Erster Satz.").tcomment == MACHINE_COMMENT
    po.find("Erster Satz.").msgstr = "The first sentence, reviewed."
    po.find("Erster Satz.").tcomment = ""
    po.save()

    memory = DocumentMemory(path, "DE", "EN-US", "Projekt")
    memory.add_machine(a.source, "machine again")  # must not replace the person's text
    assert memory.lookup(a.source).translation == "The first sentence, reviewed."
    memory.sync([a], "doc.md")  # b's source is gone
    memory.save()
    po = polib.pofile(str(path))
    assert po.find("Erster Satz.").msgstr == "The first sentence, reviewed."
    assert [e.msgid for e in po.obsolete_entries()] == ["Zweiter Satz."]
    # an obsolete entry still answers: a source that comes back is not paid twice
    assert DocumentMemory(path, "DE", "EN-US", "P").lookup(b.source).translation == (
        "Second sentence."
    )


def test_memory_unchanged_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "doc.po"
    a = segments.protect(nodes.paragraph("", "Satz."))
    memory = DocumentMemory(path, "DE", "EN-US", "P")
    memory.add_machine(a.source, "Sentence.")
    memory.sync([a], "doc.md")
    memory.save()
    before = path.read_bytes()
    memory = DocumentMemory(path, "DE", "EN-US", "P")
    memory.sync([a], "doc.md")
    assert not memory.save()
    assert path.read_bytes() == before


def test_fuzzy_entries_are_neither_used_nor_replaced(tmp_path: Path) -> None:
    path = tmp_path / "doc.po"
    memory = DocumentMemory(path, "DE", "EN-US", "P")
    memory.add_machine("Satz.", "Sentence?", fuzzy=True)
    assert memory.lookup("Satz.").translation is None
    assert memory.lookup("Satz.").fuzzy


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt not installed")
def test_catalog_passes_msgfmt_check(tmp_path: Path) -> None:
    path = tmp_path / "doc.po"
    seg = segments.protect(paragraph())
    memory = DocumentMemory(path, "DE", "EN-US", "P")
    memory.add_machine(seg.source, seg.source.replace("Die", "The"))
    memory.sync([seg], "doc.md")
    memory.save()
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "doc.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr


def test_glossary_from_csv_and_dict(tmp_path: Path) -> None:
    (tmp_path / "terms.csv").write_text(
        "# source,target\nFaltung,convolution\nSchicht, layer\n", encoding="utf-8"
    )
    assert load_glossary("terms.csv", tmp_path) == {"Faltung": "convolution", "Schicht": "layer"}
    assert load_glossary({"A": "b", "": "x"}, tmp_path) == {"A": "b"}
    (tmp_path / "bad.csv").write_text("lonely\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_glossary("bad.csv", tmp_path)


inline_items = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.text(min_size=1, max_size=12)),
        st.tuples(st.just("em"), st.text(min_size=1, max_size=8)),
        st.tuples(st.just("code"), st.text(min_size=1, max_size=8)),
        st.tuples(st.just("math"), st.text(min_size=1, max_size=8)),
    ),
    min_size=1,
    max_size=8,
)


@given(inline_items)
@settings(max_examples=150, deadline=None)
def test_protect_then_rebuild_from_the_source_is_lossless(items: list[tuple[str, str]]) -> None:
    """The msgid put back unchanged gives the same text (spaces collapsed) and nodes."""
    para = nodes.paragraph()
    for kind, text in items:
        if kind == "text":
            para += nodes.Text(text)
        elif kind == "em":
            para += nodes.emphasis("", text)
        elif kind == "code":
            para += nodes.literal(text, text)
        else:
            para += nodes.math(text, text)
    inline_before = [c for c in para.children if not isinstance(c, nodes.Text)]
    code_before = [c.astext() for c in inline_before if not isinstance(c, nodes.emphasis)]
    pieces = [c if not isinstance(c, nodes.Text) else c.astext() for c in para.children]
    pieces = [p.astext() if isinstance(p, nodes.emphasis) else p for p in pieces]
    segment = segments.protect(para)
    segments.apply(segment, segment.source)  # any text at all goes through XML
    inline_after = [c for c in para.children if not isinstance(c, nodes.Text)]
    assert [id(c) for c in inline_after] == [id(c) for c in inline_before]
    code_after = [c.astext() for c in inline_after if not isinstance(c, nodes.emphasis)]
    assert code_after == code_before  # code and math are never touched
    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML cannot carry them in prose
    expected = "".join(
        part.astext()
        if isinstance(part, (nodes.literal, nodes.math))
        else control.sub("", re.sub(r"\s+", " ", part))
        for part in pieces
    )
    assert para.astext().split() == expected.split()  # same words, spaces collapsed
