"""Builds the bundled letter templates (*.docx) with python-docx.

The .docx files are the product: advocates open and edit them in Word. This script is how maintainers keep
the built-in ones consistent (one letterhead, one Re: block, one signature), and styles are defined
here once, as named paragraph styles, so a user restyles a whole letter by editing a style in Word.

Run `python letter_templates/build_templates.py` after changing it; tests/letters/test_documents.py fails when the
committed .docx files no longer match what this script builds.

The same script builds the Spanish templates (`es/KIND.docx`, for `--letter-lang es`): same structure, styles and
Jinja, every English text passed through `_()`, which reads its Spanish from the gettext catalog of the `letters`
domain (msgid: the English text with its whitespace collapsed). `_()` takes only literal strings, so Babel's
python extractor finds every text:

    pybabel extract --no-default-keywords -k _ --no-wrap -o letters-templates.pot letter_templates/build_templates.py

The catalog is the shipped `appeal/locale/es/LC_MESSAGES/letters.mo`, or the .po or .mo named by `--catalog PATH`
or APPEAL_LETTERS_CATALOG (to try a translation before it is merged); without one only the English are built.
"""

from __future__ import annotations

import argparse
import functools
import gettext
import io
import os
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

HERE = Path(__file__).resolve().parent
SHIPPED_CATALOG = HERE.parent / "appeal" / "locale" / "es" / "LC_MESSAGES" / "letters.mo"
CATALOG_VARIABLE = "APPEAL_LETTERS_CATALOG"
SPANISH = "es"  # the folder beside the English templates, and the language the documents declare (es-US)

_catalog: gettext.GNUTranslations | None = None  # set while the Spanish templates are built


class _Untranslated(gettext.NullTranslations):
    """The catalog's fallback: every text it lacks, so a Spanish template is never half English."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def gettext(self, message):
        self.texts.append(message)
        return message


def _(text: str) -> str:
    """`text` as the template says it: the English, or in a Spanish build its translation (looked up by the text
    with its whitespace collapsed, the `letters` domain's msgid rule)."""
    if _catalog is None:
        return text
    return _catalog.gettext(" ".join(text.split()))


def read_catalog(path: Path) -> gettext.GNUTranslations:
    """A compiled .mo, or a .po compiled in memory (Babel), so a translator's fragment can be tried as it is."""
    if path.suffix == ".po":
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with path.open("rb") as source:
            compiled = io.BytesIO()
            write_mo(compiled, read_po(source))
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)
    with path.open("rb") as source:
        return gettext.GNUTranslations(source)

V_PATIENT = "letter.voice.role == 'patient'"
V_PROVIDER = "letter.voice.role == 'provider'"

# Arial: in Word everywhere, and metric-identical to Liberation Sans in LibreOffice, so a line or a table cell
# breaks at the same word in both (Calibri falls back to a much wider font where it is not installed).
FONT = "Arial"


def set_font(style, name=FONT):
    """Name the font for every script, dropping the theme fonts that would otherwise win over it."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attribute)) is not None:
            del fonts.attrib[qn(attribute)]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)


# The table styles the letters use; python-docx's blank document defines a hundred more (Word rebuilds any of its
# built-in styles from its own definitions when one is chosen, so none is lost to a person editing a template).
TABLE_STYLES = {"Normal Table", "Table Grid"}


def trim_blank_document(document):
    """Drop what python-docx's blank document carries and no letter uses: 98 table style definitions (300 KB of
    its 350 KB styles.xml) and the Word 2010 copy of the style sheet (stylesWithEffects.xml, 440 KB, which later
    Words and LibreOffice never read). Every letter is drafted from a template, read and written whole: they were
    a third of drafting a letter and of reading it back (profiled)."""
    sheet = document.styles.element
    for style in sheet.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.find(qn("w:name")).get(qn("w:val")) not in TABLE_STYLES:
            sheet.remove(style)
    part = document.part
    for key, relation in list(part.rels.items()):
        if relation.reltype.endswith("/stylesWithEffects"):
            part.drop_rel(key)


def new_document():
    """An empty letter with the styles and margins every template shares (in the language being built)."""
    document = Document(io.BytesIO(_styled(spanish=_catalog is not None)))
    # Every paragraph names its style, and python-docx finds a style's id by searching the whole style list (and
    # again for the default style) each time: three quarters of the build. The styles are all defined, so each
    # name's id is looked up once a document.
    document.part.get_style_id = functools.cache(document.part.get_style_id)
    return document


@functools.cache
def _styled(spanish: bool) -> bytes:
    """The empty letter, saved: defining its styles took as long as writing a letter, so it is done once."""
    document = Document()
    trim_blank_document(document)
    styles = document.styles
    if spanish:  # Word and LibreOffice check a Spanish letter's spelling in Spanish
        styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(
            qn("w:lang")).set(qn("w:val"), "es-US")
    normal = styles["Normal"]
    set_font(normal)
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.widow_control = True

    def paragraph_style(name, base="Normal", size=None, bold=False, italic=False, space_after=None, color=None):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        if size:
            style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        if color:
            style.font.color.rgb = RGBColor.from_string(color)
        if space_after is not None:
            style.paragraph_format.space_after = Pt(space_after)
        return style

    paragraph_style("Letterhead", size=10, space_after=0)
    paragraph_style("Letterhead Name", size=13, bold=True, space_after=0)
    paragraph_style("Address Block", space_after=0)
    paragraph_style("Re Line", space_after=0)
    banner = paragraph_style("Urgent Banner", size=13, bold=True, color="C00000", space_after=4)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_style("Denial Quote", base="Quote" if "Quote" in [s.name for s in styles] else "Normal", italic=True)
    styles["Denial Quote"].paragraph_format.left_indent = Pt(28)
    styles["Denial Quote"].paragraph_format.right_indent = Pt(28)
    paragraph_style("Body Text Letter", space_after=6)
    paragraph_style("Field", space_after=2)
    # The closing, the blank lines for a handwritten signature and the signature lines stay on one page, and so
    # do the last request, the reserved next step and the thanks before them: the last page never holds only the
    # closing and the enclosures.
    paragraph_style("Closing Text", base="Body Text Letter").paragraph_format.keep_with_next = True
    paragraph_style("Closing", space_after=6).paragraph_format.keep_with_next = True
    paragraph_style("Signature", space_after=0).paragraph_format.keep_with_next = True
    enclosures_label = paragraph_style("Enclosures Label", space_after=2)
    enclosures_label.paragraph_format.keep_with_next = True
    enclosures_label.paragraph_format.space_before = Pt(6)
    paragraph_style("Small Print", size=9, italic=True)
    paragraph_style("Table Text", size=9, space_after=0)
    paragraph_style("Table Heading", size=9, bold=True, space_after=0)
    for name in ("List Bullet", "List Number"):
        styles[name].paragraph_format.space_after = Pt(2)
    # a paragraph right under a table or a list keeps a little air above it
    paragraph_style("Body Spaced", base="Body Text Letter").paragraph_format.space_before = Pt(4)
    # Enclosures stay with the signature, so no page holds only the end of the list.
    paragraph_style("List Enclosure", base="List Bullet", space_after=2).paragraph_format.keep_with_next = True
    for heading in ("Heading 1", "Heading 2", "Heading 3"):
        set_font(styles[heading])
        styles[heading].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        styles[heading].paragraph_format.keep_with_next = True
        styles[heading].paragraph_format.space_after = Pt(2)
    styles["Heading 2"].font.size = Pt(11.5)
    styles["Heading 2"].paragraph_format.space_before = Pt(8)
    styles["Heading 3"].font.size = Pt(10.5)
    styles["Heading 3"].paragraph_format.space_before = Pt(6)
    section = document.sections[0]
    section.left_margin = section.right_margin = Inches(1)
    section.top_margin = section.bottom_margin = Inches(0.7)
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


def tag(document, text):
    """A paragraph holding only a block tag ({%p ... %}); docxtpl removes it when rendering."""
    document.add_paragraph(text, style="Normal")


def para(document, text, style="Body Text Letter"):
    return document.add_paragraph(text, style=style)


def labeled(document, label, value, style="Re Line"):
    """A bold label ('Re:', 'Treatment:') and its value, a space between them."""
    paragraph = document.add_paragraph(style=style)
    paragraph.add_run(label + " ").bold = True
    paragraph.add_run(value)
    return paragraph


def letterhead(document):
    tag(document, "{%p if " + V_PROVIDER + " and sender.organization %}")
    para(document, "{{ sender.organization }}", "Letterhead Name")
    tag(document, "{%p endif %}")
    tag(document, "{%p if " + V_PATIENT + " %}")
    para(document, "{{ sender.name or patient.first_name ~ ' ' ~ patient.last_name }}", "Letterhead Name")
    para(document, "{{ patient.address }}", "Letterhead")
    para(document, "{{ patient.phone }}{% if patient.email %} | {{ patient.email }}{% endif %}", "Letterhead")
    tag(document, "{%p else %}")
    name_line = (
        "{{ sender.name }}{% if sender.credentials %}, {{ sender.credentials }}{% endif %}"
        "{% if sender.specialty %} | {{ sender.specialty }}{% endif %}"
    )
    # The signer's name heads the page, unless a practice name already does.
    tag(document, "{%p if " + V_PROVIDER + " and sender.organization %}")
    para(document, name_line, "Letterhead")
    tag(document, "{%p else %}")
    para(document, name_line, "Letterhead Name")
    tag(document, "{%p endif %}")
    tag(document, "{%p if not " + V_PROVIDER + " and sender.organization %}")
    para(document, "{{ sender.organization }}", "Letterhead")
    tag(document, "{%p endif %}")
    para(document, "{{ sender.address }}", "Letterhead")
    para(
        document,
        _("Phone {{ sender.phone }}{% if sender.fax %} | Fax {{ sender.fax }}{% endif %}"
          "{% if sender.npi %} | NPI {{ sender.npi }}{% endif %}"),
        "Letterhead",
    )
    tag(document, "{%p endif %}")
    para(document, "", "Address Block")
    para(document, "{{ letter.date }}")


def urgent_banner(document):
    tag(document, "{%p if letter.urgent %}")
    para(document, _("URGENT: EXPEDITED REVIEW REQUESTED"), "Urgent Banner")
    para(document, _(
        "{% if letter.voice.role == 'provider' %}As the treating provider, I certify{% else %}The treating provider "
        "certifies{% endif %} that the standard timeline could seriously jeopardize the patient's life, health or "
        "ability to regain maximum function. Please decide as fast as the patient's condition requires"
        "{% if letter.urgent_deadline %}, and no later than {{ letter.urgent_deadline }}{% endif %}."
    ))
    tag(document, "{%p endif %}")


def recipient(document, default_line):
    para(document, default_line, "Address Block")
    tag(document, "{%p for line in letter.recipient %}")
    para(document, "{{ line }}", "Address Block")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if insurance.appeals_fax %}")
    para(document, _("By fax: {{ insurance.appeals_fax }}"), "Address Block")
    tag(document, "{%p endif %}")
    para(document, "", "Address Block")


def addressee(document):
    """The address block of a letter that does not go to the plan (a regulator, an employer): letter.recipient."""
    tag(document, "{%p for line in letter.recipient %}")
    para(document, "{{ line }}", "Address Block")
    tag(document, "{%p endfor %}")
    para(document, "", "Address Block")


def re_block(document, subject):
    labeled(document, _("Re:"), subject)
    tag(document, "{%p for line in letter.re_lines %}")
    labeled(document, "{{ line.label }}:", "{{ line.value }}")
    tag(document, "{%p endfor %}")
    para(document, "", "Address Block")


def denial_section(document, intro):
    document.add_heading(_("The decision being appealed"), level=2)
    para(document, intro)
    para(document, "“{{ denial.quote }}”", "Denial Quote")
    tag(document, "{%p if letter.reason_labels %}")
    para(document, _("The stated grounds: {{ letter.reason_labels | join('; ') }}."))
    tag(document, "{%p endif %}")


def arguments_section(document, heading):
    """Each point with its paragraphs (claims cited by Attachment A number), then any item on the point that no
    paragraph cites, as its claim with its number."""
    tag(document, "{%p if letter.arguments %}")
    document.add_heading(heading, level=2)
    tag(document, "{%p for section in letter.arguments %}")
    document.add_heading("{{ section.heading }}", level=3)
    tag(document, "{%p for paragraph in section.paragraphs %}")
    para(document, "{{ paragraph }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if section.further %}")
    para(document, _("{% if loop.last %}Other published evidence (Attachment A):{% else %}Further evidence on "
                     "this point (Attachment A):{% endif %}"), "Field")
    tag(document, "{%p for claim in section.further %}")
    para(document, "{{ claim }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def clinical_section(document, with_stakes=True, with_scores=True):
    """Diagnoses, history, episode, ratings and the provider's assessment. The effect on daily life, hospital care
    and safety go under 'What is at stake' when the letter has that section (with_stakes=False)."""
    document.add_heading(_("Clinical summary"), level=2)
    labeled(
        document,
        _("Diagnoses:"),
        _("{% for d in diagnoses %}{{ d.code }} ({{ d.description }}){% if not loop.last %}; {% endif %}{% else %}"
          "[ADD: diagnosis codes (ICD-10-CM)]{% endfor %}"),
        "Field",
    )
    fields = [
        ("history", _("History:")),
        # "episode" only for a condition payers count in episodes (depression); a pain letter says "condition"
        ("current_episode", _("Current {% if letter.facts.episodic %}episode{% else %}condition{% endif %}:")),
    ]
    if with_stakes:
        fields += [("functional_impairment", _("Effect on daily life:")), ("hospitalizations", _("Hospitalizations:")),
                   ("suicide_risk", _("Suicide risk:"))]
    fields.append(("contraindications", _("Why other options are unsuitable:")))
    for field, label in fields:
        optional_line(document, "clinical." + field, label, "{{ clinical." + field + " | sentence }}")
    if with_scores:  # a letter with its own score section does not list the ratings twice
        optional_line(document, "letter.scores", _("Symptom ratings:"), "{{ letter.scores | join('; ') }}.")
    tag(document, "{%p if letter.notes_paragraphs %}")
    document.add_heading(
        _("{% if letter.voice.role == 'provider' %}My assessment{% else %}The treating provider's assessment"
          "{% endif %}"),
        level=3,
    )
    tag(document, "{%p for paragraph in letter.notes_paragraphs %}")
    para(document, "{{ paragraph }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def stakes_section(document):
    """What a denial would put at stake, in the case's own recorded facts."""
    tag(document, "{%p if letter.consequences or letter.if_denied %}")
    document.add_heading(_("What is at stake"), level=2)
    tag(document, "{%p if letter.consequences %}")
    para(
        document,
        _("{% if letter.voice.role == 'patient' %}My condition has{% elif letter.voice.role == 'provider' %}My "
          "patient's condition has{% else %}{{ letter.voice.possessive }} condition has{% endif %} already had these "
          "effects{% if 'records' in letter.enclosed %}, documented in the enclosed records{% endif %}; they are what "
          "is at stake if effective treatment is refused:"),
        "Field",
    )
    tag(document, "{%p for item in letter.consequences %}")
    para(document, "{{ item }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")
    tag(document, "{%p if letter.if_denied %}")
    para(document, "{{ letter.if_denied }}")
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")


def parity_section(document):
    """The mental health parity point, only for plans the parity law reaches (the plan decides)."""
    tag(document, "{%p if letter.parity %}")
    document.add_heading(_("Mental health parity"), level=2)
    tag(document, "{%p for item in letter.parity %}")
    para(document, "{{ item }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def row_flags(row, header=False):
    """A row never splits across pages; the header row repeats at the top of each page."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def fill_table(table, headers, loop, values, widths):
    """Header row, then one row per item: docxtpl's {%tr %} tags repeat the middle row. Fixed column widths,
    chosen so the longest word of each column fits at 9 pt (tests render the examples and check none breaks)."""
    table.autofit = False  # w:tblLayout fixed: the widths below hold in Word and LibreOffice alike
    for index, width in enumerate(widths):
        table.columns[index].width = Inches(width)
        for row in table.rows:
            row.cells[index].width = Inches(width)
    for cell, text in zip(table.rows[0].cells, headers):  # headers: already translated
        cell.text = ""
        cell.paragraphs[0].style = "Table Heading"
        cell.paragraphs[0].add_run(text)
    row_flags(table.rows[0], header=True)
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, values):
        cell.text = text
        cell.paragraphs[0].style = "Table Text"
    row_flags(table.rows[2])
    table.rows[3].cells[0].text = "{%tr endfor %}"


def prior_treatments_table(document):
    document.add_heading(_("Treatments already tried"), level=2)
    tag(document, "{%p if prior_treatments %}")
    table = document.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    headers = (_("Treatment"), _("Class"), "{{ letter.dose_heading }}", _("Weeks"), _("Response"), _("Why stopped"))
    values = (
        "{{ item.name }}",
        "{{ item.drug_class.label if item.drug_class else '' }}",
        "{{ item.dose or '' }}",
        "{{ item.adequate_weeks | int if item.adequate_weeks else '' }}",
        "{{ item.response.label if item.response else '' }}",
        "{{ item.reason_stopped or '' }}",
    )
    fill_table(table, headers, "item in prior_treatments", values, (1.3, 1.15, 0.95, 0.55, 1.0, 1.55))
    tag(document, "{%p else %}")
    para(document, _("[ADD: the treatments already tried, with dose, duration and result]"))
    tag(document, "{%p endif %}")


def treatment_section(document, heading=None):
    document.add_heading(heading or _("The treatment requested"), level=2)
    labeled(document, _("Treatment:"), _("{{ treatment.display_name or '[ADD: treatment requested]' }}"), "Field")
    optional_line(
        document,
        "treatment.codes",
        _("Codes:"),
        "{% for code in treatment.codes %}{{ code.code }}{% if code.description %} ({{ code.description }})"
        "{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}",
    )
    labeled(document, _("Dose and schedule:"), "{{ treatment.induction }}", "Field")
    optional_line(document, "treatment.maintenance", _("Maintenance:"), "{{ treatment.maintenance }}")
    optional_line(document, "treatment.sessions", _("Sessions requested:"), "{{ treatment.sessions }}")
    optional_line(  # a place skipped on purpose is left out (None); one not yet given stays a visible blank
        document,
        "treatment.facility is not none",
        _("Where:"),
        "{{ treatment.facility }}{% if treatment.network_status %} ({{ treatment.network_status.label }})"
        "{% endif %}",
    )
    tag(document, "{%p for item in letter.setting %}")
    labeled(document, _("Setting and monitoring:"), "{{ item }}", "Field")
    tag(document, "{%p endfor %}")
    optional_line(document, "treatment.cost_per_session", _("Cost per session:"), "{{ treatment.cost_per_session }}")
    optional_line(document, "letter.urgent", _("Why this is urgent:"), "{{ treatment.urgency_reason | sentence }}")


def list_section(document, items, heading, style="List Bullet", keep_last=False):
    """A heading and one list paragraph per item, all left out when the list is empty; with `keep_last`, the last
    item is kept with the closing that follows it (same style, so the list's spacing stays even)."""
    tag(document, "{%p if " + items + " %}")
    if heading:
        document.add_heading(heading, level=2)
    tag(document, "{%p for item in " + items + " %}")
    if keep_last:
        tag(document, "{%p if loop.last %}")
        para(document, "{{ item }}", style).paragraph_format.keep_with_next = True
        tag(document, "{%p else %}")
    para(document, "{{ item }}", style)
    if keep_last:
        tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def optional_line(document, condition, label, value):
    """A labeled line ('Maintenance: ...') shown only when `condition` holds."""
    tag(document, "{%p if " + condition + " %}")
    labeled(document, label, value, "Field")
    tag(document, "{%p endif %}")


def rights_section(document, heading=None):
    list_section(document, "letter.rights", heading or _("Rights and deadlines that apply"))


def requests_section(document, heading=None):
    list_section(document, "letter.requests", heading or _("What is requested"), "List Number", keep_last=True)


def criteria_section(document):
    tag(document, "{%p if letter.criteria_met %}")
    labeled(document, _("The usual coverage criteria for this treatment, each met here:"),
            "{{ letter.criteria_met | join('; ') }}.",
            "Body Spaced")
    tag(document, "{%p endif %}")


def reserve_next_level(document):
    """The next level of review, named and reserved."""
    tag(document, "{%p if letter.next_level %}")
    para(
        document,
        _("{% if letter.level %}If the denial is upheld{% else %}If the plan denies this request{% endif %}, "
          "{% if letter.voice.role == 'patient' %}I reserve my right{% elif letter.voice.role == 'provider' %}my "
          "patient reserves the right{% else %}I reserve, on behalf of {{ patient.first_name }} "
          "{{ patient.last_name }}, the right{% endif %} to go on to {{ letter.next_level }}, and every other right "
          "under the plan and the law."),
        "Closing Text",
    )
    tag(document, "{%p endif %}")


def closing(document, thanks):
    para(document, thanks, "Closing Text")
    para(document, _("Sincerely,"), "Closing")
    para(document, "", "Signature")  # room for a handwritten signature
    para(document, "", "Signature")
    tag(document, "{%p for line in letter.signature %}")
    para(document, "{{ line }}", "Signature")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if letter.enclosures %}")
    para(document, _("Enclosures:"), "Enclosures Label")
    tag(document, "{%p for item in letter.enclosures %}")
    tag(document, "{%p if loop.last and not letter.evidence %}")
    para(document, "{{ item }}", "List Enclosure").paragraph_format.keep_with_next = False  # the list ends here
    tag(document, "{%p else %}")
    para(document, "{{ item }}", "List Enclosure")
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if letter.evidence %}")
    para(document, _("Attachment A: Evidence of medical necessity"),
         "List Enclosure").paragraph_format.keep_with_next = False
    tag(document, "{%p endif %}")
    tag(document, "{%p endif %}")
    para(document, "{{p evidence_appendix }}")


def start_letter(recipient_line, subject, salutation, first_paragraph, banner=False):
    """Letterhead, date, optional URGENT banner, recipient, Re: block, salutation and the first paragraph.

    `recipient_line` is the plan's department the letter goes to; None for a letter that does not go to the plan
    (a regulator, an employer), addressed by letter.recipient alone."""
    document = new_document()
    letterhead(document)
    if banner:
        urgent_banner(document)
    if recipient_line is None:
        addressee(document)
    else:
        recipient(document, recipient_line)
    re_block(document, subject)
    para(document, salutation)
    para(document, first_paragraph)
    return document


def open_voice(rest):
    """The first sentence's opening in the sender's voice ("I am writing as the treating provider of ..."), then
    `rest` (translated), which goes on from it ("to appeal ...")."""
    return _(
        "{% if letter.voice.role == 'patient' %}I am writing{% elif letter.voice.role == 'provider' %}I am writing "
        "as the treating provider of my patient, {{ patient.first_name }} {{ patient.last_name }},{% else %}I am "
        "writing on behalf of {{ patient.first_name }} {{ patient.last_name }}, as {% if sender.relationship %}"
        "{{ patient.first_name | possessive }} {{ sender.relationship }} and {% endif %}authorized representative"
        "{% if letter.representative_authority %} ({{ letter.representative_authority }}){% endif %},{% endif %}"
    ) + " " + rest


def argued_case(document, arguments_heading):
    """The body every letter that argues the clinical case shares: the points, the clinical summary, the
    treatments tried, the criteria met, the treatment itself, what a denial would mean and parity."""
    arguments_section(document, arguments_heading)
    clinical_section(document, with_stakes=False)
    prior_treatments_table(document)
    criteria_section(document)
    treatment_section(document)
    stakes_section(document)
    parity_section(document)


def build_appeal():
    document = start_letter(
        _("Appeals Department"),
        _("{% if letter.urgent %}Expedited {{ letter.request_title | lower }}{% else %}{{ letter.request_title }}"
          "{% endif %} of the denial of {{ treatment.display_name or 'care' }}"),
        _("Dear Appeals Reviewer:"),
        open_voice(_(
            "to appeal {{ insurance.insurer | possessive }} decision to deny coverage of "
            "{{ treatment.display_name or '[ADD: treatment requested]' }}, and to ask that the decision be overturned. "
            "{% if denial.level_exhausted == 'first_internal' %}The first internal appeal was denied. "
            "{% endif %}This letter answers each reason given for the denial, summarizes the clinical facts, and "
            "lists what is requested of the plan."
        )),
        banner=True,
    )
    denial_section(
        document, _("The notice dated {{ denial.notice_date }} (reference {{ denial.reference }}) gives this reason:")
    )
    argued_case(document, _("Why the denial should be overturned"))
    rights_section(document)
    requests_section(document)
    reserve_next_level(document)
    closing(
        document,
        _("Please send the written decision {% if letter.voice.role == 'provider' %}to my office{% else %}to me"
          "{% endif %} at the address at the top of this letter. Thank you for reviewing this appeal promptly and on "
          "its medical merits."),
    )
    return document


def build_prior_auth():
    document = start_letter(
        _("Utilization Management / Prior Authorization"),
        _("{% if letter.urgent %}Expedited prior{% else %}Prior{% endif %} authorization request for "
          "{{ treatment.display_name or 'care' }}"),
        _("Dear Utilization Reviewer:"),
        open_voice(_(
            "to request prior authorization of {{ treatment.display_name or '[ADD: treatment requested]' }}"
            "{% if treatment.sessions %}, {{ treatment.sessions }} sessions{% endif %}"
            "{% if treatment.start_date %}, to begin on or after {{ treatment.start_date }}{% endif %}. "
            "The clinical facts below show that the treatment is medically necessary"
            "{% if letter.facts.failed_names %} and that the usual alternatives have been tried without an adequate "
            "response{% endif %}."
        )),
        banner=True,
    )
    argued_case(document, _("The case for this treatment"))
    rights_section(document, _("Decision deadline and rights"))
    requests_section(document)
    reserve_next_level(document)
    closing(document, _("Thank you for your prompt review. Please contact {% if letter.voice.role == 'provider' %}my "
                        "office{% else %}me{% endif %} at the number above with any questions."))
    return document


def build_medical_necessity():
    """Addressed to the plan's medical director (the reviewer who reads it), usable for an HSA or FSA too."""
    document = start_letter(
        _("Medical Director"),
        _("Letter of medical necessity for {{ treatment.display_name or '[ADD: treatment]' }}"),
        _("Dear Medical Director:"),
        _("{% if letter.voice.role == 'provider' %}I am the treating provider of my patient, {{ patient.first_name }} "
          "{{ patient.last_name }}{% if sender.specialty %}, and I practice {{ sender.specialty | lower }}{% endif %}."
          "{% else %}[ADD: a letter of medical necessity is signed by the treating provider]{% endif %} "
          "I am writing to document that {{ treatment.display_name or '[ADD: treatment]' }} is medically necessary "
          "for the diagnosis and treatment of the conditions listed below, and is not for general health or "
          "well-being. This letter may also be given to a health savings account (HSA) or flexible spending "
          "account (FSA) administrator: medical care includes amounts paid for the diagnosis, cure, mitigation, "
          "treatment or prevention of disease (26 U.S.C. 213(d)(1)(A))."),
    )
    argued_case(document, _("The case for this treatment"))
    para(
        document,
        _("In my clinical judgment, {{ treatment.display_name or 'this treatment' }} is medically necessary for "
          "my patient{% if letter.facts.failed_names %}: the conventional treatments listed above have been tried "
          "without an adequate response{% endif %}, and without effective treatment the illness is likely to "
          "continue or worsen."),
        "Closing Text",
    )
    closing(document, _("I am available for a peer-to-peer discussion with the plan's reviewer{% if sender.phone %} "
                        "at {{ sender.phone }}{% endif %}. Please contact my office with any other questions."))
    return document


def build_external_review():
    document = start_letter(
        _("External Review Request"),
        _("{% if letter.urgent %}Expedited request{% else %}Request{% endif %} for independent external review"),
        _("Dear Independent Reviewer:"),
        open_voice(_(
            "to request an independent external review of {{ insurance.insurer | possessive }} final "
            "decision to deny coverage of {{ treatment.display_name or '[ADD: treatment requested]' }}, and to ask "
            "that it be overturned. The plan's internal appeals {% if denial.level_exhausted in ['final_internal', "
            "'external'] %}have been completed{% else %}are exhausted or deemed exhausted{% endif %}. The denial "
            "turns on medical judgment, which is what external review exists to decide."
        )),
        banner=True,
    )
    denial_section(
        document, _("The plan's final notice dated {{ denial.notice_date }} (reference {{ denial.reference }}) says:")
    )
    argued_case(document, _("Why the plan's decision is wrong"))
    rights_section(document)
    requests_section(document)
    reserve_next_level(document)
    closing(document, _("Thank you for your independent review of this case."))
    return document


def build_reimbursement():
    document = start_letter(
        _("Claims Department"),
        _("Claim for reimbursement of out-of-network services"),
        _("Dear Claims Reviewer:"),
        open_voice(_(
            "to claim reimbursement for {{ treatment.display_name or '[ADD: treatment]' }}, which "
            "{% if letter.voice.role == 'patient' %}I{% else %}{{ patient.first_name }} {{ patient.last_name }}"
            "{% endif %} received{% if treatment.facility %} at {{ treatment.facility }}{% endif %} and paid for out "
            "of pocket. The services are itemized below{% if 'superbill' in letter.enclosed %} and on the enclosed "
            "superbill{% endif %}; the clinical facts that made them medically necessary follow."
        )),
    )
    document.add_heading(_("Services billed"), level=2)
    tag(document, "{%p if treatment.services %}")
    table = document.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    fill_table(
        table,
        (_("Date"), _("Codes"), _("Description"), _("Charge"), _("Paid")),
        "line in treatment.services",
        ("{{ line.date }}", "{{ line.codes | join(', ') }}", "{{ line.description }}", "{{ line.charge }}", "{{ line.paid }}"),
        (1.35, 1.05, 2.5, 0.8, 0.8),
    )
    labeled(document, _("Total charged:"), _("{{ letter.facts.total_charged }}; total paid: "
                                              "{{ letter.facts.total_paid }}"), "Field")
    tag(document, "{%p else %}")
    para(document, _("[ADD: each service: date, codes, description, charge and amount paid]"))
    tag(document, "{%p endif %}")
    labeled(
        document,
        _("Billing provider:"),
        _("{{ treatment.facility }}, NPI {{ treatment.billing_npi }}, tax ID {{ treatment.tax_id }}"),
        "Field",
    )
    arguments_section(document, _("Why the plan should pay"))
    clinical_section(document)
    prior_treatments_table(document)
    parity_section(document)
    rights_section(document, _("Decision deadline and rights"))
    requests_section(document)
    reserve_next_level(document)
    closing(document, _("Please send the payment and an explanation of benefits to me at the address at the top of "
                        "this letter."))
    return document


def build_claim_file_request():
    """One page: what is asked for, item by item with the rule behind each for this plan (the kind's requests)."""
    document = start_letter(
        _("Appeals Department"),
        _("Request for the complete claim file, criteria and reviewer credentials"),
        _("{% if insurance.plan_type in ['employer_self_funded', 'employer_fully_insured'] %}Dear Plan Administrator:"
          "{% else %}To the Appeals Department:{% endif %}"),
        open_voice(_(
            "to request, free of charge, copies of the documents relevant to the claim above, to "
            "prepare {% if letter.next_level %}{{ letter.next_level }}{% else %}an appeal{% endif %}:"
        )),
    )
    list_section(document, "letter.requests", None, "List Number")
    closing(
        document,
        _("Please send these documents within 30 days{% if insurance.appeals_fax %}, by fax if you can{% endif %}: "
          "the time to appeal is running."),
    )
    return document


def build_parity_request():
    """One page: the parity standard, then the documents that show whether the plan meets it, each with its rule."""
    document = start_letter(
        _("Plan Administrator"),
        _("Request for mental health parity disclosures (MHPAEA)"),
        _("Dear Plan Administrator:"),
        open_voice(_(
            "to request, free of charge, the information the plan must disclose about the limits it "
            "places on {{ treatment.display_name or '[ADD: treatment]' }}, a treatment for a mental health "
            "condition.{% for item in letter.parity %} {{ item }}{% endfor %} Please send:"
        )),
    )
    list_section(document, "letter.requests", None, "List Number")
    closing(document, _("Thank you. Please send the information in writing to the address above."))
    return document


def quoted_reason(document, intro):
    """The plan's own words for its denial, when the case has them."""
    tag(document, "{%p if denial.quote %}")
    para(document, intro)
    para(document, "“{{ denial.quote }}”", "Denial Quote")
    tag(document, "{%p endif %}")


def timeline_table(document, heading):
    """The dispute in date order, one row a dated event."""
    tag(document, "{%p if letter.timeline %}")
    document.add_heading(heading, level=2)
    table = document.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    fill_table(table, (_("Date"), _("What happened")), "item in letter.timeline", ("{{ item.label }}", "{{ item.value }}"),
               (1.45, 5.05))
    tag(document, "{%p endif %}")


def plan_facts(document):
    """What kind of plan this is and who runs it: what tells a regulator the complaint is theirs."""
    optional_line(document, "insurance.plan_type", _("Plan type:"), "{{ insurance.plan_type.label }}")
    # the Labor Department files a self-funded plan's complaint under its sponsor: a blank when it is not known
    optional_line(document, "insurance.employer or insurance.plan_type == 'employer_self_funded'",
                  _("Plan sponsor (employer):"), "{{ insurance.employer }}")
    optional_line(document, "insurance.insurer", _("Insurer or claims administrator:"), "{{ insurance.insurer }}")
    optional_line(document, "insurance.state", _("State:"), "{{ insurance.state }}")


def build_regulator_complaint():
    document = start_letter(
        None,
        _("Complaint about {{ insurance.insurer or 'a health plan' }}: "
          "{{ treatment.display_name or 'a denied claim' }}"),
        _("Dear Sir or Madam:"),
        open_voice(_(
            "to file a complaint about how {{ insurance.insurer or 'the plan' }} has handled "
            "{% if letter.voice.role == 'patient' %}my{% else %}{{ patient.first_name | possessive }}{% endif %} "
            "claim for {{ treatment.display_name or 'care' }}, and to ask you to review it."
        )),
    )
    plan_facts(document)
    quoted_reason(document, _("The plan's stated reason for the denial:"))
    timeline_table(document, _("What happened, in date order"))
    list_section(document, "letter.consequences", _("What is at stake"))
    document.add_heading(_("The rules the plan did not follow"), level=2)
    tag(document, "{%p if letter.breaches %}")
    tag(document, "{%p for item in letter.breaches %}")
    para(document, "{{ item }}", "List Bullet")
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    para(
        document,
        _("The dates above do not by themselves show a missed deadline, so none is claimed here. I ask you to "
          "review whether the plan handled the claim and the appeal as the law and the plan's own terms require."),
    )
    tag(document, "{%p endif %}")
    requests_section(document, _("What I ask you to do"))
    closing(document, _("Thank you for your help. I can send any further document you need."))
    return document


def build_employer_letter():
    document = start_letter(
        None,
        _("{{ insurance.plan_name or 'Company health plan' }}: denial of {{ treatment.display_name or 'care' }}"),
        _("Dear Benefits Manager:"),
        open_voice(_(
            "about a coverage decision made under {{ insurance.plan_name or 'the company health plan' }}. "
            "{{ insurance.employer or 'The company' }} sponsors this self-funded plan and pays its claims from its own "
            "funds; {{ insurance.insurer or 'its claims administrator' }} decides claims for it. The plan has denied "
            "{{ treatment.display_name or 'care' }} for {% if letter.voice.role == 'patient' %}me{% else %}"
            "{{ patient.first_name }} {{ patient.last_name }}{% endif %}, and I ask for the company's help as plan "
            "sponsor."
        )),
    )
    quoted_reason(document, _("The reason the claims administrator gave:"))
    timeline_table(document, _("What has happened so far"))
    list_section(document, "letter.consequences", _("What is at stake"))
    list_section(document, "letter.breaches", _("Deadlines the plan has not kept"))
    requests_section(document, _("What I ask of the company"))
    para(document, _("The plan's own appeal process is being pursued as well; this letter does not replace it."))
    para(
        document,
        _("This letter contains health information. Please share it only with the people who administer the plan, "
          "and keep it out of personnel files."),
    )
    closing(document, _("Thank you for your time. I would be glad to talk this over by phone."))
    return document


MEDICARE = "insurance.plan_type in ['medicare_original', 'medicare_advantage', 'medicare_part_d']"


def build_representative_authorization():
    """The patient's authorization of a representative; for Medicare, the written appointment that takes the place
    of form CMS-1696, with every element Medicare requires (letter.rights names the source)."""
    document = new_document()
    para(document, "{{ patient.first_name }} {{ patient.last_name }}", "Letterhead Name")
    para(document, "{{ patient.address }}", "Letterhead")
    para(document, "{{ patient.phone }}{% if patient.email %} | {{ patient.email }}{% endif %}", "Letterhead")
    para(document, "", "Address Block")
    para(document, "{{ letter.date }}")
    recipient(document, _("Appeals Department"))
    tag(document, "{%p if " + MEDICARE + " %}")
    medicare_appointment(document)
    tag(document, "{%p else %}")
    labeled(document, _("Re:"), _("Authorization of representative for {{ patient.first_name }} "
                                  "{{ patient.last_name }}"))
    labeled(document, _("Member ID:"), "{{ patient.member_id }}")
    optional_line(document, "insurance.plan_name", _("Plan:"), "{{ insurance.plan_name }}")
    para(document, "", "Address Block")
    para(document, _("To the plan:"))
    para(
        document,
        _("I, {{ patient.first_name }} {{ patient.last_name }}, born {{ patient.date_of_birth }}, member ID "
          "{{ patient.member_id }}, authorize {{ sender.name }}{% if sender.relationship %}, my "
          "{{ sender.relationship }},{% endif %}{% if sender.organization %} of {{ sender.organization }},{% endif %} "
          "to act as my authorized representative with {{ insurance.insurer }} about my claim for "
          "{{ treatment.display_name or 'care' }}{% if denial.reference %} (reference {{ denial.reference }}"
          "{% if denial.notice_date %}, denial notice dated {{ denial.notice_date }}{% endif %}){% endif %}."),
    )
    document.add_heading(_("What my representative may do"), level=2)
    for item in (
        _("file and pursue, on my behalf, every appeal, grievance and request for external review of this claim, "
          "including a request for an expedited decision;"),
        _("receive copies of every notice, decision and letter about this claim, and the claim file, including the "
          "health information in them;"),
        _("speak and write to the plan, its reviewers and any independent review organization about this claim."),
    ):
        para(document, item, "List Number")
    document.add_heading(_("How long it lasts"), level=2)
    para(
        document,
        _("This authorization lasts until this claim, and every appeal and review of it, is finally decided. I may "
          "revoke it at any time by writing to the plan; a revocation does not undo what was done before the plan "
          "received it. Information sent to my representative under this authorization may be shared again by them "
          "and may then no longer be protected by federal privacy rules."),
    )
    labeled(document, _("My representative:"), _("{{ sender.name }}{% if sender.relationship %} "
                                                  "({{ sender.relationship }}){% endif %}{% if sender.phone %}; phone "
                                                  "{{ sender.phone }}{% endif %}{% if sender.email %}; "
                                                  "{{ sender.email }}{% endif %}"), "Field")
    optional_line(document, "sender.address", _("Address:"), "{{ sender.address }}")
    para(document, _("Accepted by my representative:") + " ____________________________   " + _("Date:")
         + " ____________")
    closing(document, _("Please record this authorization on my file and send copies of every notice about this "
                        "claim to both of us."))
    tag(document, "{%p endif %}")
    return document


def medicare_appointment(document):
    """The written appointment Medicare accepts in place of form CMS-1696: signed and dated by both; appoints the
    representative and authorizes the release of health information; its purpose, scope and limits; both names,
    addresses and phones; the Medicare number; the representative's relationship or professional status; a
    provider's promise of no fee (a representative with an NPI); one year's validity and a copy with each appeal."""
    # (an address typed on several lines is printed on one: `replace('\\n', ', ')`)
    document.add_heading(_("Appointment of representative for {{ patient.first_name }} {{ patient.last_name }}"),
                         level=2)
    # Original Medicare's card number is the Medicare number; a Medicare plan's member ID is the plan's own.
    labeled(document, _("Medicare number:"), _("{% if insurance.plan_type == 'medicare_original' %}"
                                               "{{ patient.member_id }}{% else %}[ADD: Medicare number (MBI) from the "
                                               "Medicare card]{% endif %}"))
    tag(document, "{%p if insurance.plan_type != 'medicare_original' %}")
    labeled(document, _("Plan member ID:"), "{{ patient.member_id }}")
    tag(document, "{%p endif %}")
    optional_line(document, "denial.reference", _("Claim or reference number:"), "{{ denial.reference }}")
    para(
        document,
        _("I, {{ patient.first_name }} {{ patient.last_name }}{% if patient.date_of_birth %}, born "
          "{{ patient.date_of_birth }},{% endif %} appoint {{ sender.name }}{% if sender.relationship and not "
          "sender.npi %}, my {{ sender.relationship }},{% elif sender.organization %} of {{ sender.organization }}"
          "{% endif %} as my representative, to act for me in my Medicare claim for "
          "{{ treatment.display_name or 'care' }}{% if denial.reference %}, reference {{ denial.reference }}"
          "{% if denial.notice_date %} (notice dated {{ denial.notice_date }}){% endif %},{% endif %} and in every "
          "appeal of it."), "Body Spaced",
    )
    scope = labeled(document, _("Purpose and scope:"),
                    _("{{ sender.name }} may, for me, ask for and pursue every appeal of this claim, including a fast "
                      "(expedited) decision where it applies; present evidence and arguments; receive every notice "
                      "and decision and the claim file; and speak and write to Medicare, {{ insurance.insurer }} and "
                      "anyone who reviews this claim.") + " ", "Body Text Letter")
    scope.add_run(_("Limits:") + " ").bold = True
    scope.add_run(_("none beyond this purpose and scope."))
    labeled(document, _("Release of health information:"),
            _("I authorize Medicare, {{ insurance.insurer }} and anyone who decides this claim or an appeal of it to "
              "release to {{ sender.name }} my identifiable health information about this claim and its appeals."),
            "Body Text Letter")
    labeled(document, _("How long it lasts:"),
            _("This appointment is valid for one year from the later of the two dates signed below, unless I revoke "
              "it sooner. A copy of it goes with each appeal filed for me in that year."), "Body Text Letter")
    labeled(document, _("Beneficiary:"), _("{{ patient.first_name }} {{ patient.last_name }}; phone "
                                           "{{ patient.phone }}; {{ patient.address | replace('\\n', ', ') }}"),
            "Field")
    signature_line(document, _("Signature of {{ patient.first_name }} {{ patient.last_name }}"))
    document.add_heading(_("Accepted by the representative"), level=2)
    para(
        document,
        _("I, {{ sender.name }}, accept this appointment. I am not disqualified, suspended or otherwise prohibited by "
          "law from acting as a representative before the Department of Health and Human Services."
          "{% if sender.npi %} {% if sender.organization %}Neither {{ sender.organization }}, which provided the "
          "care at issue, nor I will charge{% else %}As a provider of the care at issue, I will not charge"
          "{% endif %} {{ patient.first_name }} {{ patient.last_name }} any fee for this representation.{% endif %}"),
    )
    labeled(document, _("Representative:"), _("{{ sender.name }}; phone {{ sender.phone }}; "
                                              "{{ sender.address | replace('\\n', ', ') }}"), "Field")
    labeled(document, _("Relationship to {{ patient.first_name }} {{ patient.last_name }} or professional status:"),
            "{{ sender.relationship }}{% if sender.credentials %}, {{ sender.credentials }}{% endif %}"
            "{% if sender.organization %}; {{ sender.organization }}{% endif %}"
            "{% if sender.npi %} (NPI {{ sender.npi }}){% endif %}", "Field")
    signature_line(document, _("Signature of {{ sender.name }}"))
    tag(document, "{%p for item in letter.rights %}")
    para(document, "{{ item }}", "Small Print")
    tag(document, "{%p endfor %}")


def signature_line(document, who):
    """Room for a handwritten signature, then the line naming who signs, with the date beside it."""
    para(document, "", "Signature")
    para(document, who + ": ______________________________   " + _("Date:") + " ____________", "Signature")
    para(document, "", "Address Block")


def score_section(document):
    """The rating-score history: each scale's course in words, the chart (alt text on the picture), and the same
    numbers in a table for screen readers; the definitions of response and remission with their source."""
    document.add_heading(_("Response to treatment"), level=2)
    tag(document, "{%p if letter.score_courses %}")
    tag(document, "{%p for item in letter.score_summary %}")
    para(document, "{{ item }}", "List Bullet")
    tag(document, "{%p endfor %}")
    chart = para(document, "{{ score_chart }}", "Normal")
    chart.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chart.paragraph_format.keep_with_next = True
    para(document, _("Figure 1. Rating scores by date; the dashed lines mark the remission thresholds. The table "
                     "below gives the same numbers."), "Small Print")
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    fill_table(table, (_("Date"), _("Total scores"), _("Change from baseline")), "row in letter.score_rows",
               ("{{ row.date }}", "{{ row.scores }}", "{{ row.change }}"), (1.5, 2.0, 2.8))
    optional_line(document, "letter.score_definition", _("Definitions:"), "{{ letter.score_definition }}")
    tag(document, "{%p else %}")
    para(document, _("[ADD: dated rating scores (clinical.scores) from before treatment and since, on the same "
                     "scale]"))
    tag(document, "{%p endif %}")


def build_reauthorization():
    document = start_letter(
        _("Utilization Management / Prior Authorization"),
        _("{% if letter.urgent %}Expedited request{% else %}Request{% endif %} to continue "
          "{{ treatment.display_name or 'treatment' }} (reauthorization)"),
        _("Dear Utilization Reviewer:"),
        open_voice(_(
            "to request authorization to continue {{ treatment.display_name or '[ADD: treatment]' }}"
            "{% if treatment.sessions %} for {{ treatment.sessions }} further sessions{% endif %}"
            "{% if treatment.authorization_end %}, from the end of the current authorization on "
            "{{ treatment.authorization_end }}{% endif %}, without a gap in treatment. The rating scores recorded "
            "before and during treatment, the dosing and session frequency, and the clinical case for continuing "
            "follow."
        )),
        banner=True,
    )
    score_section(document)
    treatment_section(document, _("Dosing and session frequency"))
    arguments_section(document, _("The case for continuing"))
    clinical_section(document, with_stakes=False, with_scores=False)
    prior_treatments_table(document)
    stakes_section(document)
    parity_section(document)
    rights_section(document, _("Decision deadline and rights"))
    requests_section(document)
    reserve_next_level(document)
    closing(document, _("Thank you for your prompt review. Please contact my office at the number above with any "
                        "questions."))
    return document


BUILDERS = {
    "appeal": build_appeal,
    "prior-auth": build_prior_auth,
    "medical-necessity": build_medical_necessity,
    "external-review": build_external_review,
    "reimbursement": build_reimbursement,
    "claim-file-request": build_claim_file_request,
    "parity-request": build_parity_request,
    "reauthorization": build_reauthorization,
    "regulator-complaint": build_regulator_complaint,
    "employer-letter": build_employer_letter,
    "representative-authorization": build_representative_authorization,
}


def build(folder: Path = HERE) -> list[Path]:
    return save(folder, documents())


def documents() -> dict[str, Document]:
    """Every kind's template, in the language being built (`_catalog`), by its kind's name."""
    built = {}
    for name, builder in BUILDERS.items():
        document = builder()
        document.core_properties.title = name
        document.core_properties.author = "appeal"
        if _catalog is not None:
            document.core_properties.language = "es-US"
        built[name] = document
    return built


def save(folder: Path, built: dict[str, Document]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in built.items():
        path = folder / f"{name}.docx"
        document.save(path)
        written.append(path)
    return written


def build_spanish(folder: Path, catalog: gettext.GNUTranslations) -> list[Path]:
    """The Spanish templates in `folder`, every text from `catalog`; nothing is written when any text is missing
    from it (the message lists them, as msgids): all are built in memory first, once."""
    global _catalog
    untranslated = _Untranslated()
    catalog.add_fallback(untranslated)
    _catalog = catalog
    try:
        built = documents()
        if untranslated.texts:
            missing = "\n".join(f"  {text}" for text in dict.fromkeys(untranslated.texts))
            raise SystemExit(f"The Spanish catalog lacks {len(set(untranslated.texts))} text(s) of the templates; "
                             f"no Spanish template was written:\n{missing}")
        return save(folder, built)
    finally:
        _catalog = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the bundled letter templates (English, and Spanish in es/).")
    parser.add_argument("folder", nargs="?", type=Path, default=HERE, help="where to write (default: beside this script)")
    parser.add_argument("--catalog", type=Path, default=os.environ.get(CATALOG_VARIABLE) or None,
                        help="the Spanish `letters` catalog, .po or .mo (default: $APPEAL_LETTERS_CATALOG, else the "
                             "shipped letters.mo)")
    args = parser.parse_args(argv)
    for path in build(args.folder):
        print(path)
    catalog = args.catalog or (SHIPPED_CATALOG if SHIPPED_CATALOG.is_file() else None)
    if catalog is None:
        print(f"No Spanish catalog ({SHIPPED_CATALOG} or --catalog): the Spanish templates were not built.",
              file=sys.stderr)
        return
    for path in build_spanish(args.folder / SPANISH, read_catalog(Path(catalog))):
        print(path)


if __name__ == "__main__":
    main()
