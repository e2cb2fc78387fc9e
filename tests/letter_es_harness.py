"""Shared by the tests of `--letter-lang es` (the letter, the browser's letter page): a Spanish catalog and a small
Spanish template made for a test, so the mechanism is tested apart from the translators' fragments. The catalog is
the committed letters.po with each text it does not translate yet given a visible stand-in ("«ES» " + the
English), so what came through the catalog can be told."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from docx import Document

from appeal.base import letter_language

PO = Path(letter_language.LOCALE_DIR) / "es" / "LC_MESSAGES" / "letters.po"
STAND_IN = "«ES» "


def catalog_folder(folder: Path, drop: tuple[str, ...] = ()) -> Path:
    """A locale folder whose es/letters.mo is the committed catalog, its untranslated texts given a stand-in,
    without the msgids in `drop`."""
    catalog = read_po(open(PO, "rb"))
    for message in list(catalog):
        if not message.id:
            continue
        if message.id in drop:
            del catalog[message.id]
        elif not message.string:
            message.string = STAND_IN + message.id
    target = folder / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "letters.mo", "wb") as out:
        write_mo(out, catalog)
    return folder


def spanish_template(path: Path) -> None:
    """A small Spanish appeal template: the letter plan's parts and Attachment A, laid out in Spanish."""
    document = Document()
    for text in ("{{ letter.date }}",
                 "{%p for line in letter.re_lines %}", "{{ line.label }}: {{ line.value }}", "{%p endfor %}",
                 "Estimado(a) revisor(a):",
                 "Motivos indicados: {{ letter.reason_labels | join('; ') }}.",
                 "{%p for section in letter.arguments %}", "TÍTULO {{ section.heading }}",
                 "{%p for paragraph in section.paragraphs %}", "PÁRRAFO {{ paragraph }}", "{%p endfor %}",
                 "{%p for claim in section.further %}", "PRUEBA {{ claim }}", "{%p endfor %}", "{%p endfor %}",
                 "{%p for item in letter.rights %}", "DERECHO {{ item }}", "{%p endfor %}",
                 "{%p for item in letter.requests %}", "PIDO {{ item }}", "{%p endfor %}",
                 "{%p for item in letter.setting %}", "Entorno: {{ item }}", "{%p endfor %}",
                 "{%p for prior in prior_treatments %}",
                 "{{ prior.name }} | {{ prior.drug_class.label }} | {{ prior.response.label }}", "{%p endfor %}",
                 "Atentamente,", "{%p for line in letter.signature %}", "{{ line }}", "{%p endfor %}",
                 "{{p evidence_appendix }}"):
        document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
