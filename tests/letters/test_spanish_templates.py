"""The Spanish templates (letter_templates/es/KIND.docx, for `--letter-lang es`): built by the same script as the
English from the `letters` catalog, with the same structure, styles and Jinja logic, and every text translated."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import jinja2.nodes
import pytest
from babel.messages.extract import extract_from_file
from docx import Document
from docxtpl import DocxTemplate
from templates_harness import BUILDER, SPANISH, built_templates, builder

from appeal.base.paragraph_styles import style_names
from appeal.letters import kinds
from appeal.letters.render_env import make_environment


def test_committed_spanish_templates_match_their_builder(tmp_path_factory):
    for kind in kinds.all_kinds().values():
        built, committed = built_templates(tmp_path_factory) / "es" / kind.template.name, SPANISH / kind.template.name
        with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(committed) as kept:
            assert fresh.read("word/document.xml") == kept.read("word/document.xml"), kind.name
            assert fresh.read("word/styles.xml") == kept.read("word/styles.xml"), kind.name
        assert b'w:val="es-US"' in zipfile.ZipFile(committed).read("word/styles.xml"), kind.name


def test_a_catalog_missing_a_text_writes_no_spanish_template(tmp_path):
    """A Spanish template is never half English: a text the catalog lacks stops the build, named as its msgid (the
    Spanish build itself, as the builder's command line runs it after the English)."""
    from babel.messages.pofile import read_po, write_po

    with open(SPANISH / "templates.po", "rb") as source:
        catalog = read_po(source)
    catalog.delete("Clinical summary")
    partial = tmp_path / "partial.po"
    with open(partial, "wb") as target:
        write_po(target, catalog)
    with pytest.raises(SystemExit) as stopped:
        builder().build_spanish(tmp_path / "out" / "es", builder().read_catalog(partial))
    assert "lacks 1 text(s)" in str(stopped.value.code) and "  Clinical summary" in str(stopped.value.code)
    assert not (tmp_path / "out" / "es").exists()


def test_babel_extracts_every_text_the_builder_translates():
    """The lead regenerates the `letters` template with pybabel: every `_()` holds a literal, whitespace-collapsed
    string, and those are exactly the texts a Spanish build looks up."""
    extracted = {message for _, message, _, _ in extract_from_file("python", str(BUILDER), keywords={"_": None})}
    assert all(text == " ".join(text.split()) for text in extracted)
    with open(SPANISH / "templates.po", "rb") as source:
        from babel.messages.pofile import read_po

        translated = {message.id for message in read_po(source) if message.id}
    assert extracted == translated


def _jinja(path: Path) -> jinja2.nodes.Template:
    """The template's body as docxtpl hands it to Jinja."""
    template = DocxTemplate(str(path))
    body = Document(str(path))._element.body
    return make_environment(for_docx=True).parse(template.patch_xml(template.xml_to_string(body)))


def _names(tree: jinja2.nodes.Template) -> set[str]:
    """Every variable path the template reads ('letter.voice.role'), and every filter it uses ('|possessive')."""
    found = {"|" + node.name for node in tree.find_all(jinja2.nodes.Filter)}
    for node in tree.find_all(jinja2.nodes.Getattr):
        parts, inner = [node.attr], node.node
        while isinstance(inner, jinja2.nodes.Getattr):
            parts.append(inner.attr)
            inner = inner.node
        if isinstance(inner, jinja2.nodes.Name):
            found.add(".".join([inner.name, *reversed(parts)]))
    return found


def _paths(names: set[str]) -> set[str]:
    """The full variable paths among `names` (not their prefixes, nor the filters)."""
    prefixes = {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 1)}
    return {name for name in names if not name.startswith("|")} - prefixes


def test_spanish_templates_read_what_the_english_read():
    """Same variables and no new filter; the only change is the voice rule: no `possessive` filter or
    `voice.possessive` (English agreement) in Spanish, which may say `voice.object` instead (and need not lower-case
    what English lower-cases)."""
    for kind in kinds.all_kinds().values():
        english, spanish = _names(_jinja(kind.template)), _names(_jinja(SPANISH / kind.template.name))
        assert "|possessive" not in spanish and "letter.voice.possessive" not in spanish, kind.name
        assert _paths(spanish) - {"letter.voice.object"} == _paths(english) - {"letter.voice.possessive"}, kind.name
        filters = {name for name in spanish if name.startswith("|")}
        assert filters <= {name for name in english if name.startswith("|")}, kind.name


_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
SAME_IN_BOTH = {"Plan", "Fax", "NPI"}  # words Spanish writes as English does


def test_spanish_templates_have_the_english_structure_and_no_english_text():
    """Paragraph for paragraph and cell for cell the same styles; every paragraph with words of its own (outside
    the tags) reads differently from the English one, so no text was left untranslated."""
    for kind in kinds.all_kinds().values():
        english, spanish = Document(str(kind.template)), Document(str(SPANISH / kind.template.name))
        assert style_names(spanish) == style_names(english), kind.name
        pairs = list(zip(english.paragraphs, spanish.paragraphs))
        pairs += [(a, b) for ta, tb in zip(english.tables, spanish.tables) for ra, rb in zip(ta.rows, tb.rows)
                  for ca, cb in zip(ra.cells, rb.cells) for a, b in zip(ca.paragraphs, cb.paragraphs)]
        assert len(english.tables) == len(spanish.tables), kind.name
        for theirs, ours in pairs:
            words = set(re.findall(r"[A-Za-z]{2,}", _TAGS.sub(" ", theirs.text))) - SAME_IN_BOTH
            if words:
                assert ours.text != theirs.text, (kind.name, theirs.text)
