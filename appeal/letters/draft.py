"""Drafting a letter: case -> letter plan -> rendered .docx, and the report of what is still missing."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from appeal.base import letter_language
from appeal.base.errors import UserError
from appeal.base.paragraph_styles import document_texts
from appeal.base.safe_write import write_bytes
from appeal.cases import voice
from appeal.cases.case import Case
from appeal.letters import kinds
from appeal.letters.appendix import appendix_subdoc
from appeal.letters.enclosure_check import check_document
from appeal.letters.letter_plan import context_for, refusals
from appeal.letters.render import render_document

_BLANK = re.compile(r"\[ADD: ([^\]]+)\]")


@dataclass
class Drafted:
    """A rendered letter in memory, with what it still lacks."""

    kind: kinds.LetterKind
    content: bytes
    blanks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    enclosures: list[str] = field(default_factory=list)
    suggested_enclosures: list[str] = field(default_factory=list)
    sending: list[str] = field(default_factory=list)  # how to send a letter that does not go to the plan
    to_draft: list[str] = field(default_factory=list)  # enclosures this tool drafts, with the command


def choose_kind(case: Case, requested: str | None, template_dirs: tuple[Path, ...] = ()) -> kinds.LetterKind:
    name = requested or case.letter_kind
    if not name:
        raise UserError("Which letter? Give --letter KIND, or set letter_kind in the case file (see `appeal letters`).")
    kind = kinds.get(name, template_dirs)
    reasons = refusals(case, kind)
    if reasons:
        raise UserError(f"--letter {kind.name} cannot be drafted for this case. " + " ".join(reasons))
    if kind.needs_denial and case.denial is None:
        raise UserError(
            f"The {kind.name} letter answers a denial, but the case has no 'denial' section. Add the denial "
            "(date, reference number, reason, quote), or choose --letter prior-auth."
        )
    return kind


def blanks_in(content: bytes) -> list[str]:
    """Every visible blank left in the document, in reading order, once each."""
    from docx import Document

    return blanks_in_document(Document(io.BytesIO(content)))


def blanks_in_document(document) -> list[str]:
    """`blanks_in` for a python-docx document already in memory (the one a letter's bytes were saved from)."""
    return _blanks(document_texts(document))


def _blanks(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for label in _BLANK.findall(text):
            if label not in found:
                found.append(label)
    return found


def draft(
    case: Case, kind: kinds.LetterKind, today: date | None = None, evidence_dirs: list[Path] | None = None,
    language: str = letter_language.ENGLISH, template_dirs: tuple[Path, ...] = (),
) -> Drafted:
    """The letter in memory, in `language` (`--letter-lang`): English from the kind's template; another language
    from its template in that language (kinds.translated_template) with every text through the `letters` catalog,
    refused whole when either is missing, so a plan never gets a letter half in English."""
    if language == letter_language.ENGLISH:
        return _draft(case, kind, kind.template, today, evidence_dirs)
    name = letter_language.NAMES[language]
    template = kinds.translated_template(kind, language, template_dirs)
    if template is None:
        raise UserError(f"The {kind.name} letter has no {name} template yet (no "
                        f"{kind.template.parent / language / kind.template.name}), so it cannot be written in {name}; "
                        "draft it in English (without --letter-lang).")
    with letter_language.writing(language) as gaps:
        drafted = _draft(case, kind, template, today, evidence_dirs)
    if gaps:
        shown = "\n".join(f"  - {text if len(text) <= 120 else text[:119] + '…'}" for text in list(gaps)[:10])
        more = f"\n  ... and {len(gaps) - 10} more" if len(gaps) > 10 else ""
        raise UserError(f"The {kind.name} letter cannot be written in {name}: the {letter_language.DOMAIN} catalog "
                        f"has no {name} for {len(gaps)} of its texts, and a letter is never sent half in English. "
                        f"Nothing was written. The texts without a translation:\n{shown}{more}")
    return drafted


def _draft(case: Case, kind: kinds.LetterKind, template: Path, today: date | None,
           evidence_dirs: list[Path] | None) -> Drafted:
    context = context_for(case, kind, today, evidence_dirs)
    chosen = context["letter"].evidence

    letter = context["letter"]

    def attachments(template) -> dict:
        made = {"evidence_appendix": appendix_subdoc(template, chosen)}
        if kind.charts_scores:
            from appeal.letters.score_chart import chart_picture  # loaded only for a letter with a chart

            made["score_chart"] = chart_picture(template, letter.score_courses, letter.score_chart_alt, case.treatment.start_date)
        return made

    # The blanks are read from the rendered document in memory: the same tree the bytes were saved from, so
    # the same text as re-opening the bytes, without parsing them again (profiled).
    rendered = render_document(template, context, attachments)
    enclosures = letter.enclosures + (["Attachment A: Evidence of medical necessity (in the letter)"] if chosen else [])
    texts = document_texts(rendered.document)  # read once: python-docx works out a paragraph's text anew each time asked
    # what it calls enclosed is listed, and back (the check reads English words: an English letter's only)
    enclosure_warnings = check_document(rendered.document, texts) if letter_language.current() == "en" else []
    warnings = (letter.warnings + enclosure_warnings
                + voice.warnings(case, "\n".join(texts)))  # a chart's note in the patient's own letter
    return Drafted(kind, rendered.content, _blanks(texts), warnings, enclosures,
                   letter.suggested_enclosures, letter.sending, letter.to_draft)


def warm(evidence_dirs: list[Path] | None = None) -> None:
    """Load, once per process, what every letter uses: the ICD-10 code set, the rules, the wording, the
    evidence library (with `evidence_dirs`), the letter kinds and their templates. A batch's workers call it
    as they start, so no case pays for it; everything it loads is cached and unchanged by drafting."""
    from appeal.cases import icd10
    from appeal.letters.letter_plan import warm as warm_plan
    from appeal.letters.render import warm as warm_template

    icd10.check("F33.2")
    warm_plan(evidence_dirs)
    for kind in kinds.all_kinds().values():
        warm_template(kind.template)


def default_name(case: Case, kind: kinds.LetterKind, today: date | None = None) -> Path:
    """patient-kind-date.docx: sortable, and says whose letter it is without opening it (plain letters only, so
    every program and fax service takes the name: 'Martínez' is martinez, not mart-nez)."""
    import unicodedata

    who = "-".join(part for part in (case.patient.last_name, case.patient.first_name) if part) or "patient"
    who = unicodedata.normalize("NFKD", who).encode("ascii", "ignore").decode()  # the accents dropped, not the letters
    who = re.sub(r"[^A-Za-z0-9-]+", "-", who).strip("-").lower() or "patient"
    return Path(f"{who}-{kind.name}-{(today or date.today()).isoformat()}.docx")


def write(drafted: Drafted, path: Path, *, strict: bool, force: bool) -> Path:
    """Write the letter, marked with the checksum of what was written (so the packet can tell an edited one)."""
    from appeal.letters.written_mark import mark

    if strict and drafted.blanks:
        listed = "\n".join(f"  - {label}" for label in drafted.blanks)
        raise UserError(f"--strict: the letter still has {len(drafted.blanks)} blank(s), so nothing was written:\n{listed}")
    return write_bytes(path, mark(drafted.content), overwrite=force)
