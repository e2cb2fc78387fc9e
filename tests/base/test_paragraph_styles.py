"""The fast readings of a document's paragraphs (appeal/base/paragraph_styles.py) give what python-docx's own
`paragraph.style.name` and `paragraph.text` give, on every kind of content a run holds and every bundled template."""

from __future__ import annotations

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from appeal.base.paragraph_styles import paragraph_text, style_names
from appeal.letters import kinds

RUNS = (
    '<w:r><w:t>plain </w:t><w:tab/><w:t xml:space="preserve"> tabbed </w:t></w:r>'
    '<w:r><w:rPr><w:b/></w:rPr><w:t>bold</w:t><w:br/><w:t>wrapped</w:t><w:br w:type="page"/>'
    '<w:br w:type="column"/><w:cr/><w:noBreakHyphen/><w:ptab w:relativeTo="margin" w:alignment="right" '
    'w:leader="none"/><w:softHyphen/><w:sym w:font="Wingdings" w:char="F0E0"/><w:t/></w:r>'
    '<w:hyperlink r:id="rId9"><w:r><w:t>linked</w:t></w:r><w:r><w:tab/><w:t>twice</w:t></w:r></w:hyperlink>'
    '<w:proofErr w:type="spellStart"/><w:ins w:id="1" w:author="a"><w:r><w:t>inserted</w:t></w:r></w:ins>'
    '<w:r><w:t>end</w:t></w:r>'
)


def test_paragraph_text_is_python_docxs():
    document = Document()
    for body in (RUNS, "", '<w:r><w:t> </w:t></w:r>', '<w:hyperlink><w:r><w:t>only a link</w:t></w:r></w:hyperlink>'):
        paragraph = document.add_paragraph()
        for element in parse_xml(f'<w:p {nsdecls("w", "r")}>{body}</w:p>'):
            paragraph._p.append(element)
    texts = [paragraph_text(paragraph._p) for paragraph in document.paragraphs]
    assert texts == [paragraph.text for paragraph in document.paragraphs]
    assert texts[0].startswith("plain \t tabbed bold\nwrapped\n-\t") and "linked\ttwice" in texts[0]


def test_style_names_are_python_docxs_in_every_template():
    for kind in kinds.all_kinds().values():
        document = Document(str(kind.template))
        assert style_names(document) == [paragraph.style.name for paragraph in document.paragraphs], kind.name
    document = Document()
    for style in ("Heading 2", "Normal", None, "List Bullet"):
        document.add_paragraph("x", style=style)
    document.add_paragraph("x")._p.style = "NoSuchStyle"  # an id the document lacks: the default's name
    document.add_paragraph("x")._p.style = "DefaultParagraphFont"  # a character style's id: the default's too
    document.add_paragraph("x", style="Heading 1")
    assert style_names(document) == [paragraph.style.name for paragraph in document.paragraphs]
    document.styles["Heading 1"].element.set(qn("w:default"), "1")  # the last default paragraph style counts
    names = style_names(document)
    assert names == [paragraph.style.name for paragraph in document.paragraphs]
    assert [names[1], names[2], names[4], names[5]] == ["Heading 1"] * 4  # "Normal" was written as no style
