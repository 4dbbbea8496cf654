"""Translation end to end: the real ``deepl`` client against our fake DeepL server.

Nothing here reaches the internet: the server listens on 127.0.0.1 and ``server_url``
points the client at it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import deepl
import polib
import pytest
from babel.messages.pofile import read_po
from conftest import EXAMPLE, REPO, TESTS
from fake_deepl import KEY, FakeDeepL, running
from helpers import ast_facts, bib_keys, build_qmd, is_crossref

from sphinx_qmd_builder.translation import TranslationError
from sphinx_qmd_builder.translation.memory import MACHINE_COMMENT

ROOT = TESTS / "roots" / "test-translate"
NEVER_SENT = [
    "code_wert",  # inline code
    "mc^2",  # inline math
    "nicht übersetzen",  # code block
    "a^2",  # display math
    "example.org",  # URLs
    "fig-bild",  # labels
    "sec-intro",
    "eq-pyth",
    "muster_2020",  # citation keys
    "geheim",  # raw HTML and comments
    "bild.png",
]


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deepl client's own retries, but fast; and a key only where a test sets one."""
    monkeypatch.setattr(deepl.http_client, "max_network_retries", 2)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", 1.0)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_MAX", 0.02)
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    return src


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDeepL]:
    monkeypatch.setenv("DEEPL_AUTH_KEY", KEY)
    with running() as state:
        yield state


def build(src: Path, out: Path, fake: FakeDeepL | None = None, **overrides):
    if fake is not None:
        overrides.setdefault("qmd_deepl_server_url", fake.url)
    # Sphinx 7 leaves "[qmd.translate]" off warnings unless asked
    overrides.setdefault("show_warning_types", True)
    return build_qmd(src, out, **overrides)


def translate_warnings(warnings: str) -> list[str]:
    return [line for line in warnings.splitlines() if "[qmd.translate]" in line]


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".doctrees" not in p.parts
    }


def memory(src: Path, doc: str = "index") -> polib.POFile:
    return polib.pofile(str(src / "translations" / "EN-US" / f"{doc}.po"))


# -- the happy path ----------------------------------------------------------------------


def test_markup_survives_translation(book: Path, tmp_path: Path, fake: FakeDeepL) -> None:
    plain = build(book, tmp_path / "plain", qmd_translate=False)
    done = build(book, tmp_path / "out", fake)
    assert not translate_warnings(done.warnings)
    source, english = plain.read("index.qmd"), done.read("index.qmd")
    assert "DIES IST EIN *WICHTIGER* SATZ MIT `code_wert` UND $E = mc^2$ UND **FETTEM TEXT**" in (
        english
    )
    assert "[DER WEBSEITE](https://example.org/seite)" in english
    assert "# EINLEITUNG {.unnumbered}" in english  # the root page's title heading
    assert "**WICHTIGER HINWEIS**" in english
    assert "<https://example.org/nackt>" in english
    # the words around the number are translated, the number stays Quarto's
    assert re.search(r"ABBILDUNG -?@fig-bild", english) and "%S" not in english
    before, after = ast_facts(source), ast_facts(english)
    assert after.citations == before.citations  # every @crossref and @key, in order
    assert {"fig-bild", "muster_2020", "sec-intro", "eq-pyth"} <= set(after.citations) | set(
        after.ids
    )
    assert after.ids == before.ids
    known = bib_keys(book / "refs.bib")
    for key in after.citations:  # every reference still resolves
        assert key in (after.ids if is_crossref(key) else known), key
    assert after.math == before.math
    assert after.code_blocks == before.code_blocks
    assert "rohes HTML geheim" in english and "ein Kommentar, geheim" in english


def test_never_sent_content_never_reaches_the_server(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    build(book, tmp_path / "out", fake)
    sent = "\n".join(fake.texts)
    assert "Die Definition des Begriffs." in sent and "Spalte eins" in sent  # sanity
    for secret in NEVER_SENT:
        assert secret not in sent, secret
    assert len(fake.texts) == len(set(fake.texts))  # each text once


def test_rerun_makes_zero_requests_and_identical_output(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    first = build(book, tmp_path / "one", fake)
    assert "requests" in first.status and fake.translate_requests == 2  # one per document
    catalogs = {p.name: p.read_bytes() for p in (book / "translations" / "EN-US").glob("*.po")}
    count = len(fake.requests)
    second = build(book, tmp_path / "two", fake)
    assert len(fake.requests) == count
    assert "0 segments translated now" in second.status and "0 requests" in second.status
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")
    again = {p.name: p.read_bytes() for p in (book / "translations" / "EN-US").glob("*.po")}
    assert again == catalogs


def test_parallel_build_translates_as_a_serial_one(tmp_path: Path, fake: FakeDeepL) -> None:
    """Under -j the translation session stays on the main process (pages are resolved
    there): the same book, the same requests, a complete report."""
    results = {}
    for jobs in (1, 2):
        src = tmp_path / f"src{jobs}"
        shutil.copytree(ROOT, src)
        before = fake.translate_requests
        done = build(src, tmp_path / f"out{jobs}", fake, parallel=jobs)
        assert not translate_warnings(done.warnings)
        report = [line for line in done.status.splitlines() if "requests" in line]
        assert report
        pages = outputs(tmp_path / f"out{jobs}")
        results[jobs] = (pages, fake.translate_requests - before, report)
    assert results[2][1] == results[1][1] == 2
    assert results[2][0] == results[1][0]
    assert results[2][2] == results[1][2]  # the report counts every page's segments


def test_caption_shown_by_a_textless_ref_is_translated(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    """A text-less {ref} to a figure shows its caption as link text: prose like the
    caption itself, so it reaches the translator (it stayed in German before)."""
    with open(book / "index.md", "a", encoding="utf-8") as handle:
        handle.write("\n\nSiehe {ref}`fig-bild` hier.\n")
    done = build(book, tmp_path / "out", fake)
    assert not translate_warnings(done.warnings)
    page = (tmp_path / "out" / "index.qmd").read_text(encoding="utf-8")
    line = next(line for line in page.splitlines() if line.endswith("(#fig-bild) HIER."))
    assert line.startswith("SIEHE [EINE BESCHRIFTUNG MIT")  # the fake server upper-cases
    assert "Eine Beschriftung" not in line


def test_text_repeated_or_moved_across_pages_is_paid_once(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    other = book / "other.md"
    text = other.read_text(encoding="utf-8")
    other.write_text(text + "\nDer Inhalt des Hinweises.\n", encoding="utf-8")
    result = build(book, tmp_path / "one", fake)
    assert fake.texts.count("Der Inhalt des Hinweises.") == 1
    assert "DER INHALT DES HINWEISES." in result.read("other.qmd")
    entry = memory(book, "other").find("Der Inhalt des Hinweises.")
    assert entry.msgstr == "DER INHALT DES HINWEISES." and entry.tcomment == MACHINE_COMMENT

    # moved: the paragraph leaves other.md for a new page
    other.write_text(text, encoding="utf-8")
    (book / "third.md").write_text("# Drittes\n\nDer Inhalt des Hinweises.\n", "utf-8")
    index = book / "index.md"
    index.write_text(index.read_text("utf-8").replace("other\n```", "other\nthird\n```"), "utf-8")
    fake.requests.clear()
    build(book, tmp_path / "two", fake)
    assert fake.texts == ["Drittes"]


def test_toc_entry_is_the_page_title_paid_once(book: Path, tmp_path: Path, fake: FakeDeepL) -> None:
    """A visible toctree's link text is its page's title: one entry, one request, and the
    same words in the list as on the page."""
    result = build(book, tmp_path / "out", fake)
    assert fake.texts.count("Anderes Kapitel") == 1
    assert result.read("index.qmd").endswith("\n- [ANDERES KAPITEL](other.qmd)\n")
    assert "ANDERES KAPITEL" in result.read("other.qmd")
    # the link text alone is the unit (no <a> markup): the heading's entry
    assert memory(book).find("Anderes Kapitel").msgstr == "ANDERES KAPITEL"
    assert memory(book, "other").find("Anderes Kapitel").msgstr == "ANDERES KAPITEL"


def test_toc_entry_of_an_untranslated_page_keeps_its_title(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    result = build(book, tmp_path / "out", fake, qmd_translate_documents=["index"])
    assert "Anderes Kapitel" not in fake.texts
    assert result.read("index.qmd").endswith("\n- [Anderes Kapitel](other.qmd)\n")
    assert memory(book).find("Anderes Kapitel") is None


def test_report_counts_segments_requests_and_billed_characters(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    result = build(book, tmp_path / "out", fake)
    billed = fake.characters
    assert billed > 0
    texts = len(fake.texts)
    assert f"{texts} segments translated now" in result.status
    assert f"2 requests, {billed} characters billed" in result.status


def test_catalogs_are_valid_gettext(book: Path, tmp_path: Path, fake: FakeDeepL) -> None:
    build(book, tmp_path / "out", fake)
    for path in (book / "translations" / "EN-US").glob("*.po"):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        assert len(catalog) > 0
        if shutil.which("msgfmt"):
            check = subprocess.run(
                ["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
            )
            assert check.returncode == 0 and not check.stderr, check.stderr
        entries = polib.pofile(str(path)).translated_entries()
        assert entries and all(e.tcomment == MACHINE_COMMENT for e in entries)


def test_human_edits_are_kept_and_vanished_sources_turn_obsolete(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    build(book, tmp_path / "one", fake)
    po = memory(book)
    entry = po.find("Der Inhalt des Hinweises.")
    entry.msgstr = "What the notice says, reviewed."
    entry.tcomment = ""
    po.save()
    index = book / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("Erster Punkt der Liste", "Neuer Punkt"),
        encoding="utf-8",
    )
    fake.requests.clear()
    result = build(book, tmp_path / "two", fake)
    assert fake.texts == ["Neuer Punkt"]  # only what is new
    assert "What the notice says, reviewed." in result.read("index.qmd")
    assert "- NEUER PUNKT" in result.read("index.qmd")
    po = memory(book)
    assert po.find("Der Inhalt des Hinweises.").msgstr == "What the notice says, reviewed."
    assert [e.msgid for e in po.obsolete_entries()] == ["Erster Punkt der Liste"]


def test_reviewed_memory_alone_triggers_a_rewrite(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    def incremental() -> Path:
        out = tmp_path / "out"
        build_qmd(book, out, freshenv=False, qmd_deepl_server_url=fake.url)
        return out / "index.qmd"

    page = incremental()
    assert "DER INHALT DES HINWEISES." in page.read_text(encoding="utf-8")
    time.sleep(0.01)
    po = memory(book)
    po.find("Der Inhalt des Hinweises.").msgstr = "Reviewed notice."
    po.save()
    assert "Reviewed notice." in incremental().read_text(encoding="utf-8")


def test_image_alt_is_translated_when_kept(book: Path, tmp_path: Path, fake: FakeDeepL) -> None:
    result = build(book, tmp_path / "out", fake, qmd_keep_image_alt=True)
    assert 'fig-alt="EIN BILD MIT KATZE"' in result.read("index.qmd")


def test_unreadable_memory_is_left_alone_with_a_warning(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    catalog = book / "translations" / "EN-US" / "index.po"
    catalog.parent.mkdir(parents=True)
    # a merge conflict left in the catalog
    catalog.write_text('msgid "Einleitung"\nmsgstr "Intro"\n<<<<<<< HEAD\n', encoding="utf-8")
    before = catalog.read_bytes()
    result = build(book, tmp_path / "out", fake)
    warnings = translate_warnings(result.warnings)
    assert any("index.po cannot be read" in w for w in warnings), warnings
    assert catalog.read_bytes() == before
    assert "Dies ist ein *wichtiger* Satz" in result.read("index.qmd")
    assert "EIN ZWEITER ABSATZ" in result.read("other.qmd")  # other pages go on
    assert all("Dies ist" not in t for t in fake.texts)


def test_unwritable_memory_folder_costs_a_warning_not_the_build(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    (book / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    result = build(book, tmp_path / "out", fake, qmd_translation_dir="blocked")
    assert any("cannot write translation memory" in w for w in translate_warnings(result.warnings))
    assert "DIES IST EIN" in result.read("index.qmd")


def test_key_never_appears_in_outputs_logs_or_errors(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    result = build(book, tmp_path / "out", fake)
    fake.key = "another-key"
    with pytest.raises(TranslationError) as refused:
        build(book, tmp_path / "out2", fake, qmd_translate_target="DE")  # new target: requests
    texts = [result.warnings, result.status, str(refused.value), repr(refused.value)]
    for folder in (tmp_path / "out", book / "translations"):
        files = [p for p in folder.rglob("*") if p.is_file()]
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in files]
    assert texts and not any(KEY in text for text in texts)


# -- faults --------------------------------------------------------------------------------


def test_bad_key_is_one_clear_error_before_anything_is_written(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    fake.key = "the-right-key"  # the environment has another one
    with pytest.raises(TranslationError, match="DEEPL_AUTH_KEY.*403") as refused:
        build(book, tmp_path / "out", fake)
    assert KEY not in str(refused.value)
    assert not (tmp_path / "out" / "index.qmd").exists()
    assert not (book / "translations" / "EN-US" / "index.po").exists()
    sent = [r for r in fake.requests if r["path"] == "/v2/translate"]
    assert len(sent) == 1  # no retries for a refused key


def test_rate_limit_is_retried_by_the_client(book: Path, tmp_path: Path, fake: FakeDeepL) -> None:
    fake.faults = ["429", "429"]
    result = build(book, tmp_path / "out", fake)
    assert not translate_warnings(result.warnings)
    assert fake.translate_requests == 4  # 2 refused + 2 documents
    assert "DIES IST EIN" in result.read("index.qmd")


@pytest.mark.parametrize("fault", ["503", "drop", "hang"])
def test_transient_fault_once_is_retried(
    book: Path, tmp_path: Path, fake: FakeDeepL, fault: str
) -> None:
    fake.faults = [fault]
    result = build(book, tmp_path / "out", fake)
    assert not translate_warnings(result.warnings)
    assert "DIES IST EIN" in result.read("index.qmd")


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_persistent_fault_leaves_text_untranslated_with_a_warning(
    book: Path, tmp_path: Path, fake: FakeDeepL, fault: str
) -> None:
    fake.always = fault
    result = build(book, tmp_path / "out", fake)
    warnings = translate_warnings(result.warnings)
    assert any("DeepL request failed" in w for w in warnings), result.warnings
    assert "Dies ist ein *wichtiger* Satz" in result.read("index.qmd")
    assert fake.translate_requests == 3 * 2  # first try + 2 retries, for each document
    assert "left untranslated" in result.status


def test_quota_exhausted_keeps_what_was_translated(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    with running() as probe:  # how many characters the first document costs
        build(book, tmp_path / "probe", probe)
        first = sum(len(t) for t in probe.requests[0]["body"]["text"])
    shutil.rmtree(book / "translations")
    fake.quota = first
    result = build(book, tmp_path / "out", fake)
    warnings = translate_warnings(result.warnings)
    # other's heading came with the first document (its toc entry), so one segment is left
    assert any("quota exhausted" in w and "1 segments remain" in w for w in warnings), warnings
    assert "DIES IST EIN" in result.read("index.qmd")
    assert "Ein zweiter Absatz" in result.read("other.qmd")
    assert memory(book).translated_entries()
    fake.quota = None  # next month: only the rest is paid
    fake.requests.clear()
    build(book, tmp_path / "next", fake)
    assert fake.texts == ["Ein zweiter Absatz für die Unterbrechung."]


def test_spaces_eaten_around_placeholders_are_restored(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    fake.always = "swallow-spaces"
    result = build(book, tmp_path / "out", fake)
    assert "SATZ MIT `code_wert` UND $E = mc^2$ UND" in result.read("index.qmd")


def test_lost_placeholder_keeps_source_and_is_stored_fuzzy(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    fake.always = "lose-tag"
    result = build(book, tmp_path / "out", fake)
    warnings = translate_warnings(result.warnings)
    assert any("damaged the markup" in w and "placeholder(s) lost" in w for w in warnings)
    page = result.read("index.qmd")
    assert "Dies ist ein *wichtiger* Satz mit `code_wert`" in page  # the source, intact
    assert "DIE DEFINITION DES BEGRIFFS." in page  # texts without placeholders are fine
    assert any("fuzzy" in e.flags for e in memory(book))
    fake.always = None
    fake.requests.clear()
    build(book, tmp_path / "again", fake)
    assert fake.texts == []  # the fuzzy entry waits for a reviewer, it is not paid again


def test_interrupted_build_resumes_where_it_stopped(book: Path, tmp_path: Path) -> None:
    with running() as fake:
        fake.faults = ["none", "hang"]  # the second document's request never returns
        env = dict(os.environ, DEEPL_AUTH_KEY=KEY, PYTHONPATH=str(REPO))
        command = [sys.executable, "-m", "sphinx", "-b", "qmd", "-q", "-E"]
        command += ["-D", f"qmd_deepl_server_url={fake.url}", str(book), str(tmp_path / "out")]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert fake.hanging.wait(60), process.communicate(timeout=5)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait()
        folder = book / "translations" / "EN-US"
        assert sorted(p.name for p in folder.iterdir()) == ["index.po"]  # no torn files
        assert memory(book).translated_entries()
        if shutil.which("msgfmt"):
            check = subprocess.run(
                ["msgfmt", "--check", "-o", os.devnull, str(folder / "index.po")]
            )
            assert check.returncode == 0
        fake.requests.clear()
        os.environ["DEEPL_AUTH_KEY"] = KEY
        try:
            result = build(book, tmp_path / "out2", fake)
        finally:
            del os.environ["DEEPL_AUTH_KEY"]
        # "Anderes Kapitel" was paid with index (its toc entry) and is reused for the heading
        assert fake.texts == ["Ein zweiter Absatz für die Unterbrechung."]
        assert "EIN ZWEITER ABSATZ" in result.read("other.qmd")


# -- without a key ---------------------------------------------------------------------------


def test_without_key_memory_is_used_and_the_rest_warned_once(
    book: Path, tmp_path: Path, fake: FakeDeepL, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(book, tmp_path / "one", fake)
    (book / "translations" / "EN-US" / "other.po").unlink()
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    fake.requests.clear()
    result = build(book, tmp_path / "two", fake)
    assert fake.requests == []
    assert "DIES IST EIN" in result.read("index.qmd")
    assert "Ein zweiter Absatz" in result.read("other.qmd")
    warnings = translate_warnings(result.warnings)
    # the heading of other is in index's memory too (the toc entry): only the paragraph
    assert len(warnings) == 1 and "1 segments in 1 documents (other)" in warnings[0]
    with pytest.raises(TranslationError, match="1 segments"):
        build(book, tmp_path / "three", fake, qmd_translate_missing="error")


# -- glossary ----------------------------------------------------------------------------


def test_glossary_created_once_reused_and_recreated_on_change(
    book: Path, tmp_path: Path, fake: FakeDeepL
) -> None:
    glossary = {"Hinweis": "notice", "Satz": "sentence"}
    first = build(book, tmp_path / "one", fake, qmd_translate_glossary=glossary)
    assert fake.glossary_creations == 1
    assert "DIES IST EIN *WICHTIGER* SENTENCE" in first.read("index.qmd")
    translate_bodies = [r["body"] for r in fake.requests if r["path"] == "/v2/translate"]
    assert all(b.get("glossary_id") == "glossary-1" for b in translate_bodies)

    other = book / "other.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nNoch ein Satz.\n", encoding="utf-8")
    fake.requests.clear()
    build(book, tmp_path / "two", fake, qmd_translate_glossary=glossary)
    assert fake.glossary_creations == 1  # reused by id
    assert [r["body"].get("glossary_id") for r in fake.requests] == ["glossary-1"]

    other.write_text(other.read_text(encoding="utf-8") + "\nDer letzte Satz.\n", encoding="utf-8")
    build(book, tmp_path / "three", fake, qmd_translate_glossary={"Satz": "phrase"})
    assert fake.glossary_creations == 2
    assert list(fake.glossaries) == ["glossary-2"]  # the old one was deleted
    assert "DER LETZTE PHRASE" in (tmp_path / "three" / "other.qmd").read_text(encoding="utf-8")


# -- the example project ------------------------------------------------------------------


def test_example_project_builds_in_english_from_its_memory(tmp_path: Path) -> None:
    src = tmp_path / "example"
    shutil.copytree(EXAMPLE, src)
    catalogs = {p: p.read_bytes() for p in (src / "translations").rglob("*.po")}
    assert catalogs
    with running() as fake:  # reachable, but nobody may call it
        result = build(src, tmp_path / "out", None, qmd_deepl_server_url=fake.url)
        assert fake.requests == []
    assert not translate_warnings(result.warnings)
    assert "0 left untranslated; 0 requests" in result.status
    # the chapter list shows the translated title, from the heading's memory entry
    assert "\n- [Segmentation](segmentation.qmd)\n" in result.read("index.qmd")
    page = result.read("segmentation.qmd")
    assert 'title: "Segmentation"' in page
    prose = _prose(page)  # slide titles in HTML comments are never translated
    for german in ("Segmentierung", "Einführung", " wird ", " und ", " ist ", " der "):
        assert german not in prose, german
    assert "# Introduction" in page
    assert {p: p.read_bytes() for p in catalogs} == catalogs  # the memory is left alone


def _prose(page: str) -> str:
    """The page without HTML comments (slide titles there are never translated)."""
    out, rest = [], page
    while "<!--" in rest:
        before, _, rest = rest.partition("<!--")
        out.append(before)
        rest = rest.partition("-->")[2]
    out.append(rest)
    return "".join(out)


# -- a real book -------------------------------------------------------------------------------

KOREAN_BOOK = REPO.parent / "shared" / "corpora" / "pseudodiffusers-ko"
KOREAN_CONF = """
project = "Text-to-Image Generation-feat-Diffusion"
extensions = ["myst_nb", "sphinx_qmd_builder"]
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "html_image", "substitution"]
exclude_patterns = ["_build", "translations"]
root_doc = "intro"
numfig = True
suppress_warnings = ["toc.not_included"]
"""


@pytest.mark.corpus
@pytest.mark.skipif(not KOREAN_BOOK.is_dir(), reason="corpus not available")
def test_korean_book_keeps_its_markup_through_translation(tmp_path: Path, fake: FakeDeepL) -> None:
    """Real chapters: math, code, citations and labelled ids survive, nothing of them is
    sent, and everything else is translated."""
    src = tmp_path / "ko"
    chapters = sorted((KOREAN_BOOK / "docs" / "review").glob("[A-F]*.md"))  # a third of it
    for chapter in [KOREAN_BOOK / "intro.md", *chapters]:
        target = src / chapter.relative_to(KOREAN_BOOK)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(chapter, target)
    (src / "conf.py").write_text(KOREAN_CONF, encoding="utf-8")
    plain = build(src, tmp_path / "plain", qmd_translate=False)
    done = build(src, tmp_path / "en", fake, qmd_translate=True, qmd_translate_source="KO")
    assert not translate_warnings(done.warnings), translate_warnings(done.warnings)[:3]
    assert "0 left untranslated" in done.status
    sent = "\n".join(fake.texts)
    pages = sorted((tmp_path / "plain").rglob("docs/review/[A-F]*.qmd"))
    assert len(pages) > 10
    for page in pages:
        before = ast_facts(page.read_text(encoding="utf-8"))
        after = ast_facts((tmp_path / "en" / page.relative_to(plain.outdir)).read_text("utf-8"))
        name = page.name
        assert after.citations == before.citations, name
        assert after.math == before.math, name
        assert after.code_blocks == before.code_blocks, name
        assert after.div_classes == before.div_classes, name
        labelled = {i for i in before.ids if is_crossref(i)}
        assert labelled == {i for i in after.ids if is_crossref(i)}, name
        for _kind, formula in before.math:
            if len(formula) > 12:
                assert formula.strip() not in sent, (name, formula)
        for _classes, code in before.code_blocks:
            if len(code) > 20:
                assert code not in sent, name


# -- command line --------------------------------------------------------------------------


def test_cli_flags_turn_translation_on(
    book: Path,
    tmp_path: Path,
    fake: FakeDeepL,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sphinx_qmd_builder.cli import main

    conf = book / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("qmd_translate = True", ""), "utf-8")
    out = tmp_path / "out"
    flags = ["--translate", "--deepl-server-url", fake.url, "--translate-target", "EN-GB"]
    assert main([str(book), str(out), "-q", *flags]) == 0
    assert "DIES IST EIN" in (out / "index.qmd").read_text(encoding="utf-8")
    assert (book / "translations" / "EN-GB" / "index.po").is_file()
    assert {r["body"]["target_lang"] for r in fake.requests} == {"EN-GB"}

    (book / "translations" / "EN-GB" / "other.po").unlink()
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    code = main([str(book), str(tmp_path / "ci"), "-q", *flags, "--translate-missing", "error"])
    assert code == 2
    assert "1 segments in 1 documents (other)" in capsys.readouterr().err
