"""Reading the facts of a denial notice: each field found by its label or its context, never by where it sits.

Deterministic and offline: regular expressions over the notice's lines, no model, no network. Every value keeps
the notice line it came from, so the person can check it against the paper. Nothing is guessed:

* a field whose label is not on the notice is left empty and listed as not found;
* a value that fails its format is not used (an ICD-10 code must be in the code set, a date must parse and not be
  in the future, an NPI must pass its check digit, a fax must have 10 digits); OCR's usual slips (O for 0, l for 1,
  S for 5...) are tried as corrections, and a corrected value is marked for checking;
* a value read by OCR from a line Tesseract was unsure of, or found only by context, is marked for checking
  (`certain=False`); the confirm screen asks about each of these.

The deadline the notice states is kept beside the case (the case has no field for it) so that it can be compared
with the deadline the rules give: see `deadline_comparison`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum
from typing import Any, Callable

from pydantic import ValidationError

from appeal.base.language import N_, translate as gettext  # not `_`: this module uses `_` for values it skips
from appeal.cases import icd10, plan_types
from appeal.cases.case import Case, DenialReason, PlanType, ReviewLevel, TreatmentKind
from appeal.cases.fields import check_npi, normalize_phone, not_in_future, parse_date
from appeal.intake import notice_kind, notice_windows
from appeal.intake.notice_kind import DocumentKind, DocumentType
from appeal.intake.notice_text import Line, NoticeText
from appeal.intake.notice_windows import Window

# Tesseract's word confidence under which a line's values are marked for checking.
OCR_SURE = 90
# Values in words that no format can check: read by OCR, they are always marked (a sure-looking 'Pian' for 'Plan').
OCR_WORDS = ("patient_name", "insurer", "plan_name", "service", "appeals_address")

# (key, what the person sees). The order is the order of the confirm screen.
FIELDS: tuple[tuple[str, str], ...] = (
    ("patient_name", N_("Patient's name")),
    ("date_of_birth", N_("Date of birth")),
    ("member_id", N_("Member ID")),
    ("group_number", N_("Group number")),
    ("insurer", N_("Insurance company")),
    ("plan_name", N_("Plan name")),
    ("plan_type", N_("Kind of coverage")),
    ("notice_date", N_("Date of the notice")),
    ("reference", N_("Claim or reference number")),
    ("service", N_("Service denied")),
    ("procedure_codes", N_("Procedure codes (CPT/HCPCS)")),
    ("diagnoses", N_("Diagnosis codes (ICD-10)")),
    ("provider_npi", N_("Provider's NPI")),
    ("reason", N_("Reason for the denial")),
    ("quote", N_("The plan's words")),
    ("appeal_deadline", N_("Appeal deadline on the notice")),
    ("appeals_fax", N_("Fax for appeals")),
    ("appeals_address", N_("Address for appeals")),
    ("adjustment_codes", N_("Adjustment codes (CARC/RARC)")),
)
LABELS = dict(FIELDS)

# Where each field goes in the case. Fields with no case field (the stated deadline, the CARC/RARC codes) stay
# in the import's report and in the case file's header comment.
CASE_PATHS = {
    "date_of_birth": "patient.date_of_birth",
    "member_id": "patient.member_id",
    "group_number": "patient.group_number",
    "insurer": "insurance.insurer",
    "plan_name": "insurance.plan_name",
    "plan_type": "insurance.plan_type",
    "appeals_fax": "insurance.appeals_fax",
    "appeals_address": "insurance.appeals_address",
    "notice_date": "denial.notice_date",
    "reference": "denial.reference",
    "quote": "denial.quote",
    "service": "treatment.name",
    "provider_npi": "treatment.billing_npi",
}


@dataclass(frozen=True)
class Found:
    """One field's value, the notice line it came from, and whether it needs checking (and why)."""

    key: str
    value: Any
    line: Line
    certain: bool = True
    why: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.key]


@dataclass(frozen=True)
class StatedDeadline:
    """The appeal deadline in the notice's own words: a number of days (or months), or a date."""

    days: int | None
    due: date | None
    words: str
    months: int | None = None

    def __str__(self) -> str:
        if self.due:
            return self.due.isoformat()
        return f"{self.months} months" if self.months else f"{self.days} days"


@dataclass
class Extraction:
    notice: NoticeText
    found: dict[str, Found] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)  # values seen but failing their format, said plainly
    treatment_kind: TreatmentKind | None = None  # from the service's name (ketamine infusion, Spravato...)
    other_reasons: list[DenialReason] = field(default_factory=list)  # when the plan gives several
    document: DocumentKind | None = None  # what the document is (a denial, an approval, an EOB...)
    windows: list[Window] = field(default_factory=list)  # every time limit the notice states, with its role
    denial_confirmed: bool = False  # the person said to treat a document that is not a denial as one

    @property
    def writes_denial(self) -> bool:
        """Whether the case gets the denial's fields: for a denial, or when the person said to treat it as one.
        A notice whose type could not be told is read as a denial, as before (its type is shown as unknown)."""
        return self.document is None or self.document.is_denial or self.denial_confirmed

    @property
    def other_windows(self) -> list[Window]:
        """The windows that are not the appeal deadline (peer-to-peer, records, decision times...)."""
        chosen = self.found.get("appeal_deadline")
        return [window for window in self.windows if chosen is None or window.line != chosen.line
                or window.words not in chosen.value.words]

    @property
    def missing(self) -> list[str]:
        return [key for key, _ in FIELDS if key not in self.found]

    def shown(self, key: str) -> str:
        """A field's value as text (the confirm screen, the benchmark): dates ISO, lists comma-separated."""
        found = self.found.get(key)
        return "" if found is None else show(found.value)


def show(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(show(item) for item in value)
    if isinstance(value, CodeList):
        return ", ".join(code for code, _ in value.codes)
    return str(value)


@dataclass(frozen=True)
class CodeList:
    """Procedure codes with the description printed beside each, if any."""

    codes: tuple[tuple[str, str | None], ...]

    def __str__(self) -> str:
        return ", ".join(f"{code} ({text})" if text else code for code, text in self.codes)


# --------------------------------------------------------------------------------------------------------------
# Patterns


DATE = (
    r"(?:\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?!\d)|\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[A-Za-z]*\.? \d{4})"  # 17 AUG 2003
)
IDENTIFIER = r"[A-Z0-9][A-Z0-9-]{3,24}"
PHONE = r"(?:\+?1[\s.-]*)?\(?[0-9OlI]{3}\)?[\s.-]*[0-9OlI]{3}[\s.-]*[0-9OlI]{4}"
NAME_WORD = r"[A-Z][^\W\d_]*(?:['’.-][^\W\d_]*)*\.?"
# Words that end a name: the next label on the same line.
NOT_NAME = {"member", "id", "dob", "date", "group", "claim", "plan", "patient", "birth", "ref", "reference", "case",
            "part", "medical", "insurance", "services", "health", "decision", "notice", "denial", "request",
            "determination", "first-level", "second-level", "level", "review", "final", "adverse", "benefit", "benefits",
            "internal", "coverage", "approval", "authorization", "action"}
# A rank or title before a name ('CPT Wesley Ahn-Castellano', 'SSG Kendra Marchetti'), left out of the name.
TITLES = {"mr", "ms", "mrs", "mx", "dr", "cpt", "capt", "ssg", "sgt", "msg", "maj", "col", "ltc", "lt", "cdr", "pfc",
          "spc", "cpl", "sfc", "cw2", "cw3", "ens", "lcdr", "po1", "po2", "po3", "a1c", "sra", "tsgt", "msgt"}
# A clinician's letters after a name: a name with them is never the patient's.
CREDENTIAL = r"(?:M\.?D|D\.?O|N\.?P|PA-C|APRN|FNP(?:-BC)?|DNP|PhD|Psy\.?D|DDS|DPM|DMD|LCSW|LPC|LMFT|RN|CRNP)\.?"
# After a label: separators and a few words ("is", "on file") before the value.
FILLER = r"(?:\s*(?:[:#\-–]|\.{2,}|\bis\b|\bwas\b|\bon file\b|\bno\.|\bnumber\b|\bfor this \w+\b))*\s*"
# Labels that start another field: a value stops before them ("Patient: Dana Bell   Member ID: ...").
NEXT_LABEL = re.compile(
    r"\s{3,}|(?<=[A-Za-z]{2})(?<!\bCo)(?<!\bInc)(?<!\bCorp)(?<!\bLtd)(?<!\bBros)(?<!\bSt)(?<!\bMt)(?<!\bDr)\.\s+(?=[A-Z][a-z])|\s+(?:Member ID|ID|DOB|Group(?: number| No\.)?|Claim(?: number)?|Codes?|Plan(?: name)?"
    r"|Reference number|Request received)\s*[:#]"
)

# A claim adjustment reason code with its group (CO-45) or a remark code (N115, MA130).
ADJUSTMENT_CODE = r"(?:(?:CO|PR|OA|PI|CR)-?\d{1,3}|(?:MA|N|M)\d{1,3})"
OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                            "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9"})
OCR_LETTERS = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}


def _label(*labels: str, colon: bool = False) -> re.Pattern[str]:
    """A label, then separators. With colon=True the label must end in ':' or end its line (a heading in a form):
    for fields whose value is free text, which a sentence like 'the requested service is not...' would fool."""
    ending = r"(?=\s*:|\s*\.{3,}|\s*$)" if colon else ""
    return re.compile(r"(?i)(?<![A-Za-z])(?:" + "|".join(labels) + r")(?![A-Za-z])" + ending + FILLER)


# --------------------------------------------------------------------------------------------------------------
# Reading the notice


class _Reader:
    def __init__(self, notice: NoticeText):
        self.notice = notice
        self.lines = [replace(line, text=_tidy(line.text, notice.ocr)) for line in notice.lines]
        self.paragraphs = self._paragraphs()
        self.result = Extraction(notice)

    def _paragraphs(self) -> list[tuple[str, list[tuple[int, Line]]]]:
        """Consecutive non-empty lines joined with spaces (sentences wrap), with where each line starts."""
        found, text, starts = [], "", []
        for line in self.lines + [Line(0, "")]:
            if line.text.strip():
                joint = "" if not text or re.search(r"[A-Za-z]-$", text) else " "  # out-of-|network: no space
                starts.append((len(text) + len(joint), line))
                text = f"{text}{joint}{line.text.strip()}"
            elif text:
                found.append((text, starts))
                text, starts = "", []
        return found

    @staticmethod
    def _line_at(starts: list[tuple[int, Line]], offset: int) -> Line:
        return [line for start, line in starts if start <= offset][-1]

    # ---- recording

    def keep(self, key: str, value: Any, line: Line, certain: bool = True, why: str = "") -> bool:
        if key in self.result.found or value in (None, "", [], ()):
            return False
        if self.notice.ocr and line.confidence is not None and line.confidence < OCR_SURE and certain:
            certain, why = False, N_("the scan is unclear on this line")
        elif self.notice.ocr and key in OCR_WORDS and certain:  # no format to check words against: 'Pian' for 'Plan'
            certain, why = False, N_("read by OCR: compare the words with the paper")
        self.result.found[key] = Found(key, value, line, certain, why)
        return True

    def reject(self, key: str, seen: str, line: Line, reason: str) -> None:
        self.result.rejected.append(gettext("{label}: '{seen}' on line {number} {reason}").format(
            label=gettext(LABELS[key]), seen=seen, number=line.number, reason=gettext(reason)))

    # ---- label searches

    def after_label(self, pattern: re.Pattern[str], wraps: bool = False) -> list[tuple[str, Line]]:
        """What follows each occurrence of the label: the rest of its line, or the next line when the label ends
        its line (forms print the value under the label). With `wraps`, a value that runs on to the next line of
        its sentence (no full stop, the next line no label of its own) gets that line too."""
        hits = []
        for index, line in enumerate(self.lines):
            for match in pattern.finditer(line.text):
                cell = self.form_cell(index, match.start())
                if cell is not None:
                    hits.append(cell)
                    continue
                rest = line.text[match.end() :]
                if rest.strip():
                    after = self.lines[index + 1].text.strip() if index + 1 < len(self.lines) else ""
                    if wraps and after and not re.search(r"[.;:]\s*$", rest) and not re.match(r"[A-Z][\w /()#'-]{1,40}:", after) \
                            and len(rest) > 30:
                        rest = f"{rest.rstrip()} {after}"
                    hits.append((rest.strip(), line))
                else:
                    following = next((item for item in self.lines[index + 1 : index + 3] if item.text.strip()), None)
                    if following is not None and (label := pattern.search(following.text)) \
                            and not following.text[: label.start()].strip() and re.search(r":|\S\s{2,}", label.group()):
                        continue  # 'for the following service:' / 'Service:  X': the next line is its own hit
                    if following is not None and re.match(OWN_LABEL, following.text):
                        continue  # '... Benefit Plan:' then 'Service requested: X': the line below is another field's
                    if following is not None:
                        value, at = following.text.strip(), self.lines.index(following)
                        after = self.lines[at + 1].text if at + 1 < len(self.lines) else ""
                        if wraps and re.search(r"\b(?:for|of|and|or|with|per|to|by|in)$", value) and after.strip() \
                                and len(after) - len(after.lstrip()) == len(following.text) - len(following.text.lstrip()):
                            value = f"{value} {after.strip()}"  # 'twice weekly for' / '4 weeks': the value wraps
                        hits.append((value, following))
        return hits

    def form_cell(self, index: int, start: int) -> tuple[str, Line] | None:
        """A form's boxes: a row of headings in capitals, columns apart ('MEMBER NAME      MEMBER ID'), with the
        values on the line under them; the value under the heading at `start`. None when the line is no such row."""
        text = self.lines[index].text
        if not FORM_HEADINGS.fullmatch(text) or start not in [m.start() for m in re.finditer(r"(?:^|(?<= {3}))\S", text)]:
            return None
        following = next((item for item in self.lines[index + 1 : index + 3] if item.text.strip()), None)
        if following is None or FORM_HEADINGS.fullmatch(following.text):
            return None
        headings = [m.start() for m in re.finditer(r"(?:^|(?<= {3}))\S", text)]
        cells = re.split(r" {2,}", following.text.strip())
        if len(cells) == len(headings):  # as many values as headings: each under its own
            value = cells[headings.index(start)].strip()
        elif self.notice.ocr:  # a scan's columns do not line up closely enough to cut by position
            return None
        else:  # a value may start a little before its heading, never past the next one
            end = next((at for at in headings if at > start), None)
            value = following.text[max(0, start - 2) : end].strip()
        return (value, following) if value else None

    @staticmethod
    def other_values(value: Any, hits: list[tuple[str, Line]], read: Callable[[str], Any]) -> bool:
        """Whether the label gives a different value further on (an EOB of two claims, each with its number)."""
        for rest, _ in hits:
            other = read(rest)
            other = other[0] if isinstance(other, tuple) else other
            if other not in (None, "") and other != value:
                return True
        return False

    def labelled(self, key: str, pattern: re.Pattern[str], read: Callable[[str], Any], certain: bool = True,
                 wraps: bool = False) -> bool:
        """The first value after the label that `read` accepts (read returns None, a value, or (value, why))."""
        hits = self.after_label(pattern, wraps)
        for index, (rest, line) in enumerate(hits):
            value = read(rest)
            why = ""
            if isinstance(value, tuple):
                value, why = value
            if value not in (None, ""):
                if not why and key in ONE_OF_SEVERAL and self.other_values(value, hits[index + 1 :], read):
                    why = N_("the notice gives more than one under this label; check this is the one denied")
                return self.keep(key, value, line, certain and not why, why)
        for text, starts in self.paragraphs:  # a label and its value split over two lines of a paragraph
            for match in pattern.finditer(text):
                value = read(text[match.end() :])
                why = ""
                if isinstance(value, tuple):
                    value, why = value
                if value not in (None, ""):
                    line = self._line_at(starts, match.start())
                    value_at = match.end() + len(text[match.end() :]) - len(text[match.end() :].lstrip())
                    if not why and self._line_at(starts, value_at) is not line \
                            and not re.search(r"(?i)[:#]|\b(?:number|no|id)\b", match.group()):
                        # 'Sandia Dermatology Group' / '1001 Medical Arts Ave': a word that ends a line, no label
                        why = N_("the word before it ends the line above, so it may not be a label: check it")
                    return self.keep(key, value, line, certain and not why, why)
        return False

    # ---- the fields

    def run(self) -> Extraction:
        self.result.document = notice_kind.classify(self.lines)
        self.identity()
        self.plan()
        self.dates()
        self.service()
        self.codes()
        document = self.result.document  # an approval has no reason to answer; a partial one has, for its denied part,
        # and a peer-to-peer offer names the reviewer's concern, which the call (or a later appeal) must answer
        if document is None or document.is_denial or document.type in (DocumentType.partial_approval,
                                                                       DocumentType.peer_to_peer_offer):
            self.reason()
        self.appeal_route()
        self.several_claims()
        return self.result

    def several_claims(self) -> None:
        """A notice of several claims (an EOB, a summary notice): what belongs to one claim is marked for checking
        when the claim number itself is one of several."""
        reference = self.result.found.get("reference")
        numbered = [(index, match.group(1)) for index, line in enumerate(self.lines)
                    if (match := re.match(r"(?i)\s*claim(?: (?:number|no\.?|#|id))?\s*[:#]?\s+([A-Z0-9][\w-]*\d[\w-]*)\b", line.text))]
        numbers = {number for _, number in numbered}
        if reference is not None and not reference.certain and reference.value in numbers:
            self.denied_claim(reference, numbered)
        headings = [line.text.split() for line in self.lines if re.search(r"(?i)\bservice\b", line.text)
                    and re.search(r"\S {2,}\S.* {2,}\S", line.text) and not re.search(r"\d", line.text)]
        several = len(numbers) > 1 or any(headings.count(heading) > 1 for heading in headings)  # a table per claim
        if not several and (reference is None or "more than one" not in reference.why):
            return
        for key in ("procedure_codes", "service", "provider_npi"):
            found = self.result.found.get(key)
            if found is not None and found.certain:
                self.result.found[key] = replace(found, certain=False,
                                                 why=N_("the notice lists several claims; check this is the one denied"))

    def denied_claim(self, reference: Found, numbered: list[tuple[int, str]]) -> None:
        """Of several claims, the one whose lines the tables mark denied (a word, or $0.00 paid where other lines
        were paid) is the one to appeal: its number, still marked. Unchanged when the tables do not tell, or
        mark lines of more than one claim."""
        rows = [line for line in self.lines if len(_amounts(line.text)) >= 2]
        claims = set()
        for row in _denied(rows):
            owners = [(index, number) for index, number in numbered if index < self.lines.index(row)]
            if not owners:
                return
            claims.add(owners[-1])
        if len(claims) == 1 and (chosen := claims.pop())[1] != reference.value:
            self.result.found["reference"] = replace(reference, value=chosen[1], line=self.lines[chosen[0]], why=N_(
                "the notice lists several claims; this is the one with a denied line: check it is the one you appeal"))

    def identity(self) -> None:
        # 'Member: <subscriber>' beside 'Patient: <child> (dependent)': the patient's own label first
        self.labelled("patient_name", _label(r"patient(?:'s)? name", r"name of (?:the )?patient", r"patient(?=\s*(?::|\.{2,}))"),
                      _name)
        self.labelled("patient_name", _label(r"(?:patient|member|enrollee|beneficiary|client|recipient|subscriber)(?:'s)? name",
                                             r"name of (?:the )?(?:patient|member|enrollee|beneficiary)",
                                             r"(?:patient|member|enrollee|beneficiary|client|recipient|insured)(?=\s*(?::|\.{2,}))", r"^\s*name(?=\s*(?::|\.{3,}))"),
                      _name)
        self.labelled("patient_name", _label(r"re(?=\s*(?::|\.{3,}))", r"notice for", r"(?:parent|guardian)(?:/guardian| or guardian)? of", r"^\s*to(?=\s*(?::|\.{3,}))"), _name)
        # the employee a plan covers, who may not be the patient (a child on the plan)
        self.labelled("patient_name", _label(r"(?:participant|subscriber|policyholder|sponsor)(?=\s*(?::|\.{3,}))"), _name, certain=False)
        self.name_from_address_block()
        if self.labelled("patient_name", _label(r"dear"),  # 'Dear Dr. Patel': the letter is to the doctor
                         lambda text: None if re.match(r"(?i)(?:dr|doctor)\b", text.strip()) else _name(text), certain=False):
            self.result.found["patient_name"] = replace(self.result.found["patient_name"],
                                                        why=N_("taken from the letter's greeting"))
        self.labelled("date_of_birth", _label(r"date of birth", r"birth ?date", r"DOB", r"born"), _past_date)
        # the plan's own number first: a Medicaid plan's letter may print the state's ID too
        self.labelled("member_id", _label(r"patient(?:'s)? (?-i:DBN)"), self.identifier)  # beside the sponsor's own DBN
        self.patient_id_beside_subscribers()
        self.labelled("member_id", _label(r"(?<!/)plan (?:member )?id(?:entification)?(?: number| no\.?| #)?",
                                          r"plan member (?:number|#)"), self.identifier)
        self.labelled("member_id", _label(r"(?<!medicaid )(?<!state )member id(?:entification)?(?: number| no\.?| #)?",
                                          r"(?<!medicaid )(?<!state )member (?:number|#)"), self.identifier)
        self.labelled("member_id", _label(r"member id(?:entification)?(?: number| no\.?| #)?", r"member (?:number|#)",
                                          r"(?:subscriber|enrollee|client|recipient|beneficiary|medicaid|insured|patient)(?:'s)? id(?:entification)?(?: number| no\.?| #)?(?: \([^)]{1,20}\))?",
                                          r"(?:participant|client|recipient)(?:'s)? id(?: \([^)]{1,20}\))?",
                                          r"medicaid (?:billing|recipient|client) ?(?:number|no\.?|#)", r"recipient ?#",
                                          r"medicare number", r"benefits (?:number|no\.?)(?: \(\w+\))?",
                                          r"(?:subscriber|recipient|enrollee|beneficiary) (?:number|no\.?|#)", r"(?:SSN|ssn)/(?:id|DBN)",
                                          r"(?-i:DBN)", r"identification (?:number|no\.?|#)", r"certificate (?:number|no\.?|#)", r"(?:^\s*|\s{3})id ?(?:#|no\.)",
                                          r"(?:^\s*|\s{3})id(?=\s*(?::|\.{3,}))"),
                      self.identifier)  # a bare 'ID' only where a field starts: not 'Provider ID'
        # a program's own name for its ID ('KanCare ID'): likely the member's, but the label does not say so
        self.labelled("member_id", _label(r"(?!(?:" + NOT_MEMBER_IDS + r")\b)(?-i:[A-Z][A-Za-z]+) ID(?=\s*(?::|\.{3,}))"),
                      self.identifier, certain=False)
        self.state_id_beside_member_id()
        # a number the notice prints masked but for its end ('Medicare Number XXXXXXX7QK2'): as printed, marked
        self.labelled("member_id", _label(r"medicare number", r"member id(?:entification)?(?: number)?"),
                      lambda text: (m.group(), N_("the notice prints only the end of this number; check it"))
                      if (m := re.match(r"[X*]{3,}(?:-[X*]{2,})*-?[A-Z0-9]{3,8}\b", text)) else None)
        self.labelled("group_number", _label(r"group (?:policy )?(?:number|no\.?|#|id)", r"group/plan (?:number|no\.?|#)", r"group(?=\s*(?::|\.{3,}))", r"grp\.?",
                                             r"group(?= [A-Z0-9-]*\d[A-Z0-9-]*\b)"),
                      lambda text: None if re.match(STREET, text) else self.identifier(text))  # 'Dermatology Group / 1001 Main St'
        # 'Group: Mile High Engineering LLC (5530-22)' or '... LLP - 00871203': the employer's name, its group number
        # in brackets or after a dash
        self.labelled("group_number", _label(r"group(?=\s*:)"),
                      lambda text: (m.group(1) or m.group(2), N_("the number after the employer's name: check it"))
                      if (m := re.search(r"(?:\(([A-Z0-9-]*\d[A-Z0-9-]*)\)| - (?:(?i:group|grp)\.? )?([A-Z0-9-]*\d[A-Z0-9-]*))\s*$",
                                         _cut(text))) else None)
        self.labelled("reference", _label(
            r"(?:claim|case|reference|ref|authorization|auth|certification|precertification|pre-?cert|request|appeal|"
            r"grievance|tracking|PA|prior authorization|(?:organization |coverage )?determination|review|confirmation|"
            r"control|document|redetermination|reconsideration|UM|utilization review|file|episode|"
            r"prior approval(?: \(PA\))?|document control)\.? ?(?:number|no\.?|#|id)"
            r"(?: \((?:redetermination|reconsideration|appeal|ICN|DCN)\))?",
            r"claim(?: \((?:TCN|ICN|DCN)\))?(?=\s*(?::|\.{3,}))", r"(?:precertification|authorization|prior authorization|appeal|grievance|our) reference(?=\s*(?::|\.{3,}))",
            r"(?:prior authorization|precertification|authorization) request(?=\s*(?::|\.{3,}))",
            r"(?:authorization|referral)/(?:authorization|referral)(?: (?:number|no\.?|#))?(?=\s*(?::|\.{3,}))",
            r"(?:(?:^\s*|(?<= {3}))case)(?=\s*(?::|\.{3,}))", r"(?:claim ?/ ?)?(?:DCN|ICN)(?=\s*[:#])",
            r"^\s*claim(?= [A-Z0-9-]*\d[A-Z0-9-]*(?: {2,}|\s*$))"),
                      lambda text: self.identifier(re.sub(r"^(?:Claim|Case|Reference|Authorization)\s+(?=[A-Z0-9-]*\d)", "", text)))

    def patient_id_beside_subscribers(self) -> None:
        """'Subscriber: X  Member ID: ...-01' over 'Patient: Y  Patient ID: ...-02': a dependent's own ID is the one
        the plan files the patient's claims under. Marked when the subscriber's differs."""
        patient = [(value, line) for rest, line in self.after_label(PATIENT_ID) if (value := self.identifier(rest))]
        if not patient:
            return
        (value, line), why = patient[0], ""
        if isinstance(value, tuple):  # the identifier was read with a doubt of its own
            value, why = value
        subscribers = {other[0] if isinstance(other, tuple) else other
                       for rest, _ in self.after_label(SUBSCRIBER_ID) if (other := self.identifier(rest))}
        subscriber_differs = bool(subscribers - {value})
        if subscriber_differs:
            why = N_("the notice prints the subscriber's ID too: check which one the plan uses for the patient")
        if not self.keep("member_id", value, line, certain=not why, why=why) and subscriber_differs:
            # an ID read before (a sponsor's DBN) is as doubtful when the subscriber's differs
            self.result.found["member_id"] = replace(self.result.found["member_id"], certain=False, why=why)

    def state_id_beside_member_id(self) -> None:
        """A Medicaid plan's letter may print the state's Medicaid ID beside the plan's member number: the plan's
        is kept, and marked when the state's differs (an appeal to the plan quotes the plan's)."""
        found = self.result.found.get("member_id")
        if found is None or not found.certain:
            return
        state = _label(r"(?:state |medicaid |state medicaid )(?:id(?:entification)?|number|no\.?|#)(?: number)?",
                       r"medicaid (?:billing|recipient|client) ?(?:number|no\.?|#)", r"recipient ?#")
        values = {value[0] if isinstance(value, tuple) else value
                  for rest, _ in self.after_label(state) if (value := self.identifier(rest))}
        if values - {found.value}:
            self.result.found["member_id"] = replace(found, certain=False, why=N_(
                "the notice gives both the plan's member number and the state's Medicaid ID; check this is the plan's"))

    def name_from_address_block(self) -> None:
        """The person a letter is mailed to, from the address block near its top (a name, a street, a town with
        its ZIP code): marked, since a letter may be mailed to someone else."""
        top = [replace(line, text=re.split(r"\s{3,}", line.text.strip())[0]) for line in self.lines[:25]]  # the left column
        for index, line in enumerate(top[:-2]):
            street, town = top[index + 1].text.strip(), top[index + 2].text.strip()
            if not (re.match(r"(?i)\d+\s+\w|p\.?\s?o\.? box\b", street) and re.search(r"\b[A-Z]{2},? \d{5}(?:-\d{4})?$", town)):
                continue
            # 'Marisol Castellanos' / 'for OWEN CASTELLANOS': a letter to a parent for the patient
            text = re.sub(r"(?i)^(?:for|on behalf of)\s+", "", line.text.strip())
            text = re.sub(r"^(?:Mr|Ms|Mrs|Mx|Dr|SSG|SGT|MSG|CPT)\.?\s+", "", text)
            text = re.sub(r"\s+\((?:Ret|Self)\.?\)$", "", text)
            name = _name(text)
            if name and _org(text) is None and len(name.split()) == len(text.split()) <= 4:
                self.keep("patient_name", name, line, False, N_("taken from the address the letter was mailed to"))
                return

    def identifier(self, text: str) -> Any:
        """An ID: letters and digits, at least one digit. OCR cannot be checked against any format: marked."""
        text = re.sub(r"^(?:[X*]{2,}[-\s]?)+\d{0,4}\s*/\s*", "", text)  # a masked SSN before the ID: 'XXX-XX-4471 / ID'
        # an ID printed in groups ('PHG 881 204 557', 'GLM 20044318 01'), with a person's two-digit suffix
        # ('GPA771204553 02'), or after the letters that name it ('DCN 26331A00872', 'CLM 26-0731-77102'): the
        # value alone in its field
        match = re.match(r"(?:[A-Z0-9]{2,6}(?: \d{3,8}){1,4}(?: \d{2})?|" + IDENTIFIER + r" \d{2}"
                         r"|[A-Z]{2,4} (?=[A-Z0-9-]*\d)" + IDENTIFIER + r")(?=\s{2,}|\s*$)", text) \
            or re.match(IDENTIFIER, text)
        if not match or not re.search(r"\d", match.group()) or re.match(r"[X*]{2,}", match.group()):
            return None
        value = match.group().rstrip("-")
        return (value, "read by OCR: compare it with the paper") if self.notice.ocr else value

    def plan(self) -> None:
        self.labelled("insurer", _label(r"insurer(?=\s*(?::|\.{3,}))", r"insurance company(?=\s*(?::|\.{3,}))", r"health plan(?=\s*(?::|\.{3,}))",
                                        r"issued by"), _org)
        # 'Claims Administrator - Tamarack ... Health & Welfare Plan' under a company's letterhead names the plan it
        # administers, not the administrator: a name shaped like a plan's is no insurer
        self.labelled("insurer", _label(r"plan administrator", r"claims administrator"),
                      lambda text: None if re.search(r"(?i)\b(?:plan|fund|trust|program)\W*$", _org(text) or "")
                      else _org(text))
        if "insurer" not in self.result.found:
            self.insurer_from_context()
        self.labelled("plan_name", _label(r"plan name", r"name of (?:your )?plan", r"(?-i:(?:^\s*|(?<= {3}))PLAN(?= {3}|\s*$))", r"(?:your |benefit )?plan(?=\s*(?::|\.{3,}))",
                                          r"product(?=\s*(?::|\.{3,}))", r"program(?=\s*(?::|\.{3,}))", colon=True), _plan_name)
        # 'Coverage:' or 'Group:' given as a plan's name ('Group: Valley School District Employee Benefit Plan')
        self.labelled("plan_name", _label(r"coverage", r"group", r"beneficiary category", colon=True),
                      lambda text: _plan_name(next((part for part in _cut(text).split(" - ") if re.search(PLAN_WORDS, part)),
                                                   "")), certain=False)
        if "plan_name" not in self.result.found:
            self.plan_from_letterhead()
        self.plan_type()

    def plan_from_letterhead(self) -> None:
        """The plan's name at the top of the letter, marked: a line naming a plan by its type's letters ('Senior
        Advantage (HMO)'), or by the program it belongs to after a dash ('... Care - Nevada Medicaid Managed Care');
        an administrator's 'for the X Plan' or 'on behalf of the X Plan'; an FEHB option under its plan's name;
        a state's Medicaid program ('Contractor for Montana Medicaid'); or a plan's letterhead whose next line says
        it is a health plan ('A Medicaid Managed Care Plan'). Original Medicare's 'Part B (Medical Insurance)' in a
        summary notice's title is a part of Medicare, not a plan's name."""
        top = [line for line in self.lines[:8] if re.search(r"[A-Za-z]", line.text) and not re.search(r"(?i)\bOMB\b", line.text)][:4]
        for line, cell, text in ((line, cell, text) for line in top
                                 for cell, text in enumerate(re.split(r"\s{2,}|\s+[·|]\s+|\s{2,}-\s{2,}", line.text.strip())[:2])):
            behalf = re.search(r"(?i)(?:\bfor|on behalf of) the ([A-Z][\w&'.,-]*(?: [\w&'.,-]+){1,10}? (?:Plan|Fund|Trust|Program))\b",
                               text)
            lettered = re.fullmatch(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,7} (?:HMO|PPO|EPO|POS|PDP)(?: \d{3,5})?"  # 'Choice PPO 2500'
                                    r"(?: - [A-Z][\w&' ]{2,30})?", text)  # with its short tag as printed ('- Individual & Family')
            named = text if lettered else re.sub(PROGRAM_AFTER_NAME, "", text)  # the name before its program
            value = (behalf.group(1) if behalf
                     else self.option_of(top, line, cell, named) if re.fullmatch(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,3} Option", named)
                     else named if re.fullmatch(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,7} \(" + PLAN_LETTERS + r"\)", named)
                     or (lettered or named != text and re.fullmatch(r"[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){1,6}", named))
                     and (line is not top[0] or cell > 0)
                     else _letterhead_plan(self.run_on(top, line, text)) if line is not top[0] or cell > 0
                     else None)
            if value:
                self.keep("plan_name", value, line, False, N_("taken from the top of the letter: check it is your plan's name"))
                return
        if self.plan_in_footer():
            return
        if len(top) >= 2 and re.search(r"(?i)\b(?:health plan|managed care|medicaid|medi-cal|medical assistance|members)\b|\bMCO\b",
                                       top[1].text) \
                and re.fullmatch(r"[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){1,5} (?i:Plan|Care|Health Partners)",
                                 top[0].text.strip()):
            name = top[0].text.strip()
            self.keep("plan_name", name.title() if name.isupper() else name, top[0], False,
                      N_("taken from the letterhead: check it is your plan's name"))
            return
        # a letter from a state agency or its contractor, no plan named: the state's Medicaid program it is about
        for line in top:
            for part in re.split(r"\s{2,}|\s+-{1,2}\s+", line.text.strip()):
                if match := re.fullmatch(r"(?:.* (?:for|of) (?:the )?)?(" + STATE_MEDICAID + ")", part):
                    self.keep("plan_name", match.group(1), line, False,
                              N_("taken from the top of the letter: check it is your plan's name"))
                    return

    @staticmethod
    def option_of(top: list[Line], line: Line, cell: int, option: str) -> str:
        """An FEHB plan's option ('High Option') printed under the plan's name is part of it: the plan's brochure
        names 'NALC Health Benefit Plan High Option'; alone, or beside another name, the option is kept as it is."""
        at = top.index(line)
        above = re.split(r"\s{2,}", top[at - 1].text.strip())[0] if at and cell == 0 else ""
        if not re.fullmatch(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,8} (?i:plan)", above):
            return option
        return f"{above.title() if above.isupper() else above} {option}"

    def plan_in_footer(self) -> bool:
        """The plan's name in the notice's last lines, where many plans print it ('Magnolia Select HMO', 'Prairie
        Line Choice PPO - insured by ...', '... Health Plan - Basic Option, an FEHB plan', 'NorthStar Silver 3500
        (Individual) - Offered through MNsure'), marked: only a name shaped like a plan's (its type's letters, a
        metal level, an FEHB option) is taken, never a company's name."""
        shaped = re.compile(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,7} (?:\(" + PLAN_LETTERS + r"\)|" + PLAN_LETTERS + r"(?: \d{3,5})?)"
                            r"|[A-Z][\w&'.-]*(?: [\w&'.-]+){0,3} (?:Bronze|Silver|Gold|Platinum)(?: \d{3,5})?(?: \((?:Individual|"
                            r"Family|Marketplace)\))?|(?:High|Standard|Basic|Consumer Driven|Value) Option")
        lines = [line for line in self.lines if line.text.strip() and not re.search(r"(?i)\bpage \d+ of \d+", line.text)]
        for line in reversed(lines[-6:]):
            for cell in re.split(r"\s{2,}|\s+-\s+|,\s+", line.text.strip()):
                if shaped.fullmatch(cell.rstrip(".")):
                    self.keep("plan_name", cell.rstrip("."), line, False,
                              N_("taken from the foot of the letter: check it is your plan's name"))
                    return True
        return False

    @staticmethod
    def run_on(top: list[Line], line: Line, text: str) -> str:
        """A letterhead's name that starts on the line above ('... Administrator for the Halvorsen Manufacturing' /
        'Employee Health Benefit Plan'): the name whole."""
        at = top.index(line)
        start = re.search(r"\b(?:for|of) the((?: [A-Z][\w&'.-]*)+)$", top[at - 1].text.rstrip()) if at else None
        return f"{start.group(1).strip()} {text}" if start and text == line.text.strip() else text

    def insurer_from_context(self) -> None:
        """The company that signs the letter: '<X> has reviewed', 'insured by <X>', or the letterhead's name when
        the sign-off repeats it. The letterhead alone is only a suggestion to check, and so are the company it names
        as running the plan, the company a Medicare plan's notice says offers it, and Medicare for its own summary
        notice."""
        org = (r"((?!(?:Inc|LLC|Co|Corp|Ltd)\b)[A-Z][\w&'.-]*(?: (?:of |and |& )?(?!Page \d)[A-Z][\w&'.-]*){0,6}"  # not a footer run in: 'Co. Page 2'
               r"(?:, (?:Inc|LLC|Co|Corp|Ltd)\.?)?)")  # 'Trinity Plains Administrators, Inc. provides ...'
        for text, starts in self.paragraphs:
            for pattern in (org + r" (?:has|have) (?:reviewed|denied|decided|received)", r"insured by " + org,
                            org + r" provides claims administration"):
                match = re.search(pattern, text)
                if match and re.search(r"\.\s+(?:We|It|They|I|Our)$", match.group(1)):
                    continue  # '... Health Plan. We have reviewed': the subject is 'We', not the name before it
                if match and _org(match.group(1)):
                    self.keep("insurer", *self.full_name(_org(match.group(1)), self._line_at(starts, match.start(1))))
                    return
        cms = re.compile(r"\bfrom (?:the )?(Centers for Medicare (?:&|and) Medicaid Services)\b")  # the MSN's own words
        for line in self.lines[:6]:
            if match := cms.search(line.text):
                self.keep("insurer", match.group(1), line)
                return
        heads = [line for line in self.lines if line.text.strip()][:4]
        if self.insurer_behind_letterhead(heads) or self.insurer_from_letterhead(heads):
            return
        offered = (r"\boffered by " + org, 0, True)  # '... (PDP) is offered by X Insurance Company. Enrollment ...'
        # the sentence Medicare's marketing rules require: '<plan or company> is a PDP plan with a Medicare contract'
        contract = (org + r" is an? (?:[\w-]+ ){1,4}(?:plan|organization) with a Medicare contract", -1, False)
        for pattern, sentence, needs_org in (offered, contract):
            for text, starts in self.paragraphs:  # the name within its sentence: '... Company. Enrollment' cut there
                if (match := re.search(pattern, text)) and (name := re.split(r"(?<=[a-z])[.!?] ", match.group(1))[sentence]) \
                        and (_org(name) or not needs_org):
                    self.keep("insurer", _org(name) or name, self._line_at(starts, match.start(1)), False,
                              N_("the company the notice says offers the plan: check it is the insurance company"))
                    return
        if any(re.search(r"(?i)\bMedicare Summary Notice\b", line.text) for line in heads):
            self.keep("insurer", "Medicare", heads[0], False,
                      N_("the Medicare Summary Notice is Original Medicare's own statement; check the payer"))

    def insurer_from_letterhead(self, heads: list[Line]) -> bool:
        """The letterhead's name, certain only when the sign-off repeats it; a plan's name by its type's letters
        ('Senior Advantage (PPO)') gives way to a company's name under it ('... Health Plan, Inc.')."""
        names = []
        for number, line in enumerate(heads):
            if number and re.search(r"(?:&|\b(?:and|of|for|the))$", heads[number - 1].text.rstrip()):
                continue  # the end of a sentence wrapped from the line above ('... Centers for Medicare &'), no letterhead
            first = re.split(r"\s{2,}|\s+[·|]\s+", line.text.strip())[0]
            name = _org(first)
            if not name and number + 1 < len(heads) and re.search(
                    r"(?i)\b(?:contractor|administrator|agency|plan)\b", heads[number + 1].text):
                name = re.fullmatch(r"[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){1,5}(?: \([A-Z]{2,6}\))?", first) and first
            if name and not re.search(OFFICE + "$", name):  # an office ('Medicare Part D Appeals'), not the company
                names.append((name, line))
        if not names:
            return False
        name, line = names[0]
        if re.search(r"\(" + PLAN_LETTERS + r"\)$", name):
            name, line = next(((name, line) for name, line in names[1:]
                               if re.search(r"(?i)\b(?:inc|llc|company|corporation|insurance|health plan)\b", name)), (name, line))
        signed = any(name in other.text for other in self.lines[heads[-1].number :])
        return self.keep("insurer", name, line, certain=signed,
                         why="" if signed else N_("taken from the letterhead: check it is the insurance company"))

    def insurer_behind_letterhead(self, heads: list[Line]) -> bool:
        """The company that runs the plan named at the top, marked: a TRICARE region's contractor ('TRICARE East
        Region - Humana Military', or on the line under it), an administrator ('Administered by X', 'Claims
        administered by X', 'X - administrator of the ... Plan'), or the company offering a Medicare plan
        ('Senior Advantage (HMO)   Offered by X'). A claims processor ('Claims processed by X') is not it."""
        company = r"([A-Z][\w&'.-]*(?: (?:of |and |& )?[A-Z][\w&'.-]*){0,6}(?:,? (?:Inc|LLC|Co|Corp)\.?)?)"
        for number, line in enumerate(heads):
            text = line.text.strip()
            below = re.split(r"\s{2,}", heads[number + 1].text.strip())[0] if number + 1 < len(heads) else ""
            found = (re.match(r"TRICARE [A-Z][a-z]+ Region\s+-{1,2}\s+(?!.*" + OFFICE + r")" + company + r"(?:\s{2,}|$)", text)
                     or re.search(r"(?i:administered|offered)(?: locally)? by " + company + r"$", text)
                     or re.match(company + r"\s+-{1,2}\s+(?i:(?:claims |third-party )?administrator (?:of|for))\b", text))
            if not found and number and re.fullmatch(r"TRICARE [A-Z][a-z]+ Region", text):  # the contractor above it
                found = re.fullmatch(company, heads[number - 1].text.strip())
                found = found if found and not re.search(r"(?i)\btricare\b", found.group(1)) else None
                line = heads[number - 1] if found else line
            if not found and re.match(r"TRICARE [A-Z][a-z]+ Region\b", text):  # the contractor on the line under it
                found = re.fullmatch(r"(?:(?i:administered|managed) by )?" + company, below)
                found = found if found and _org(found.group(1)) else None
                line = heads[number + 1] if found else line
            if found:
                self.keep("insurer", _org(found.group(1)) or found.group(1), line, False,
                          N_("taken from the letterhead: check it is the insurance company"))
                return True
        return False

    def full_name(self, name: str, line: Line) -> tuple[str, Line]:
        """A company named short in a sentence ('Sunfield Health Plans has reviewed') and in full on its own line
        ('Sunfield Health Plans of Arizona, Inc.'): the full name, which is the company that is liable."""
        for other in self.lines:
            full = _org(other.text.strip()) if other.text.strip().startswith(name + " of ") else None
            if full and re.fullmatch(re.escape(name) + r" of [A-Z][a-z]+(?: [A-Z][a-z]+)?(?:,? (?:Inc|LLC|Co|Corp)\.?)?", full):
                return full, other
        return name, line

    def plan_type(self) -> None:
        """The kind of coverage, from the words each plan type's `notice_cues:` name (appeal/data/plan_types.yaml)."""
        scores: dict[str, tuple[int, Line, plan_types.NoticeCue]] = {}
        heads = [line for line in self.lines if line.text.strip()][:4]
        letterhead = [replace(heads[0], text=" ".join(line.text.strip() for line in heads))] if heads else []
        for name, cue in plan_cues():
            pattern = _cue_pattern(cue.pattern)
            for line in letterhead if cue.letterhead else self.lines:
                if pattern.search(line.text):
                    if name not in scores or scores[name][0] < cue.weight:
                        scores[name] = (cue.weight, line, cue)
                    break
        if not scores:
            return
        ranked = sorted(scores.items(), key=lambda item: -item[1][0])
        best, (weight, line, cue) = ranked[0]
        close = len(ranked) > 1 and ranked[1][1][0] >= weight - 1
        found = PlanType(best)
        if cue.unsure:
            self.keep("plan_type", found, line, False, cue.unsure)
        elif close:
            self.keep("plan_type", found, line, False,
                      gettext("the notice also mentions {plan}").format(plan=gettext(PlanType(ranked[1][0]).label)))
        else:
            self.keep("plan_type", found, line)

    def dates(self) -> None:
        label = _label(r"date of (?:this )?(?:notice|letter|decision)", r"notice date", r"letter date",
                       r"decision date", r"date mailed", r"mailed on", r"(?:^\s*|(?<= {3}))date(?=\s*(?::|\.{3,}))",
                       r"process(?:ed|ing)? date",
                       r"date (?:issued|prepared|sent|printed|processed)", r"(?:statement|determination|issue|print|EOB|claim summary) date",
                       r"date/time sent", r"^\s*(?:issued|processed|mailed|sent)(?=\s*(?::|\.{3,}))")
        if self.labelled("notice_date", label, _past_date):
            return
        # A letter's date stands alone on a line above the greeting. Used only when exactly one line does.
        # Without a greeting (a form, an EOB), a date alone on a line near the top is likely its date: marked.
        greeting = next((line.number for line in self.lines if re.match(r"(?i)\s*dear\b", line.text)), None)
        top = self.lines[: greeting - 1] if greeting is not None else self.lines[:15]
        weekday = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"  # 'Friday, June 12, 2026'
        alone = [line for line in top if re.fullmatch(r"\s*" + weekday + DATE + r"\s*", line.text)]
        if len(alone) == 1:
            value, why = _past_date(re.sub("^" + weekday, "", alone[0].text.strip())) or (None, "")
            if greeting is None and not why:
                why = N_("a date alone near the top of the notice, without a label: check it is the notice's date")
            self.keep("notice_date", value, alone[0], not why, why)

    def service(self) -> None:
        label = _label(r"service requested", r"requested service", r"item or service", r"service denied",
                       r"(?<!of )(?<!customer )(?<!member )(?<!provider )service(?=\s*(?::|\.{3,}))", r"treatment(?=\s*(?::|\.{3,}))", r"procedure(?=\s*(?::|\.{3,}))", r"medication(?=\s*(?::|\.{3,}))",
                       r"drug requested", r"description of service",
                       r"(?:test|item|equipment|device|supplies)(?: requested| denied)?(?=\s*(?::|\.{3,}))", r"^\s*request(?=\s*(?::|\.{3,}))", r"service or item",
                       r"drug(?=\s*(?::|\.{3,}))", r"(?:drug|item|service|care|medication|treatment|procedure|test)s? (?:requested|reviewed)",
                       r"(?:request|requests|review) for(?: the following(?: [\w()-]+){0,2})?(?=\s*:\s*$)",
                       r"asked (?:us )?for(?=\s*(?::|\.{3,}))", r"(?:(?:^\s*)(?:services|requested)|service under (?:appeal|review)|services? (?:approved|denied|at issue)"
                       r"|service\(s\)(?: at issue| requested| denied)?|items? or services|(?:approved|denied|requested) "
                       r"(?:care|services?))(?=\s*:)",
                       r"\(or payment\) listed below that you \(or your doctor\) requested",  # CMS-10003
                       r"listed below that you[\w ()/]{0,40} requested", colon=True)
        if not self.labelled("service", label, _phrase, wraps=True):
            (self.service_under_lead_in() or self.service_in_prose() or self.service_in_table() or self.services_billed()
             or self.service_in_decision() or self.service_in_subject())
        found = self.result.found.get("service")
        if found:
            name = found.value.lower()
            kind = (TreatmentKind.esketamine_nasal if "esketamine" in name or "spravato" in name
                    else TreatmentKind.im_ketamine if "ketamine" in name and ("intramuscular" in name or " im " in name)
                    else TreatmentKind.iv_ketamine if "ketamine" in name and ("infusion" in name or " iv " in f" {name}")
                    else None)
            self.result.treatment_kind = kind

    def service_under_lead_in(self) -> bool:
        """'our decision denying coverage of:' / 'your appeal of the denial of:' ending its line, and the service
        set apart on the line below, indented: the plan's letter names the care that way. Marked, as a sentence read."""
        lead_in = re.compile(r"(?i)\b(?:(?:denial|denying|denied|coverage|approval|approving|payment|decision|request|"
                             r"appeal|review|reconsideration|redetermination)(?: (?:coverage|payment|approval))? (?:of|for)"
                             r"|(?:has|have|was|were) been (?:denied|approved|partly approved)|(?<=\) )for|asked (?:us )?for)\s*:\s*$")
        for index, line in enumerate(self.lines[:-1]):
            if not lead_in.search(line.text):
                continue
            following = next((item for item in self.lines[index + 1 : index + 3] if item.text.strip()), None)
            if following is None or not re.match(r"\s{2,}\S", following.text) or re.match(OWN_LABEL, following.text):
                continue
            value = _phrase(following.text.strip())
            if value:
                return self.keep("service", value, following, False, SET_APART)
        return False

    def service_in_prose(self) -> bool:
        """'your request for X (CPT ...)', 'the denial of X (96365, J3490)', 'our decision to deny coverage for X
        (HCPCS ...)': the service named in a sentence, just before its codes. The first form is the plan's usual
        wording; the others are read from prose and marked."""
        codes = r"\((?:codes?|CPT|HCPCS|[A-Z]?\d{4}[0-9A-Z]?\b)"
        usual = re.compile(r"request for (?:(?:coverage|payment|(?:prior )?(?:approval|authori[sz]ation)|pre-?certification|"
                           r"pre-?authori[sz]ation) (?:of|for) )?(?!(?:reconsideration|"
                           r"redetermination|an? appeal|review)\b)(.+?) \((?:codes?|CPT|HCPCS)")
        other = re.compile(r"(?i:\b(?:request|appeal|denial|deny(?: coverage)?|approved?|review|coverage|payment))\b"
                           r"(?:[^.]|(?<=\b(?:Dr|Mr|Ms))\.){0,120}?"
                           r"\b(?:for|of) (?:coverage (?:of|for) )?(?!(?i:reconsideration|redetermination|an? appeal|"
                           r"review|the denial|our decision|this|that|your|the request)\b)\"?([^.\"]{3,120}?)\"? " + codes)
        # 'asked us to approve a laparoscopic sleeve gastrectomy (CPT 43775)', 'asked us to pay for physical therapy
        # visits on June 15, 2026 (procedure codes ...)': what the person asked for, before its codes
        asked = re.compile(r"(?i:\basked (?:us|the plan) to (?:approve|cover|pay for|authori[sz]e))\s+(?:an? |the )?"
                           r"([^.()]{3,120}?)(?: (?:on|from) " + DATE + r"(?:,? (?:and|to|-) " + DATE + r")?)? \((?i:codes?|CPT|HCPCS|procedure codes?)")
        for pattern, certain in ((usual, True), (other, False), (asked, False)):
            for text, starts in self.paragraphs:
                match = pattern.search(text)
                value = _phrase(re.sub(r"(?i)^.*\b(?:denial|claim|request|appeal|coverage)(?: \w+){0,2} (?:for|of) ", "",
                                       match.group(1))) if match else None
                if value:
                    why = "" if certain else N_("read from a sentence of the notice: check it names the care denied")
                    return self.keep("service", value, self._line_at(starts, match.start(1)), certain, why)
        # 'Payment for the services listed below was denied.' and, under it, 'Physical therapy visits (CPT ...)'
        for number, (text, _) in enumerate(self.paragraphs[:-1]):
            if re.search(r"(?i)\bservices? (?:listed )?below\b", text):
                following, starts = self.paragraphs[number + 1]
                match = re.match(r"([^()]{3,120}?) " + codes, following)
                if match and _phrase(match.group(1)):
                    return self.keep("service", _phrase(match.group(1)), starts[0][1], False,
                                     N_("read from the list under the notice's sentence: check it names the care denied"))
        return False

    def service_in_decision(self) -> bool:
        """The sentence that says what was decided, when no code follows the care's name: 'We denied the admission to
        an inpatient rehabilitation facility at Mercy Ridge...', 'Medicare will not pay for the transcranial magnetic
        stimulation sessions you received...', 'asked us to approve 6 sessions of IV ketamine infusion treatment at
        ...'. The name ends where the place, the date, the body part or the prescriber begins. Marked."""
        for text, starts in self.paragraphs:
            match = DECIDED.search(text)
            value = _phrase(match.group(1)) if match else None
            if value and not re.search(r"(?i)\b(?:request|claim|appeal|decision|coverage|payment|listed|following|below)\b", value):
                return self.keep("service", value, self._line_at(starts, match.start(1)), False,
                                 N_("read from a sentence of the notice: check it names the care denied"))
        return False

    def service_in_subject(self) -> bool:
        """The letter's subject line, when it names the care beside what the letter is: 'Re: Mounjaro (tirzepatide)
        5 mg/0.5 mL pen - prior authorization request', 'Re: First-level appeal - inpatient rehabilitation facility
        admission'. Each part between dashes that names the letter, a number or a person is left out. Marked."""
        for index, line in enumerate(self.lines[:40]):
            match = re.match(r"\s*(?i:re|subject)\s*:\s*(\S.*)$", line.text)
            if not match:
                continue
            text = match.group(1).strip()
            following = self.lines[index + 1].text if index + 1 < len(self.lines) else ""
            if re.match(r"\s{4,}\S", following) and not re.search(r"[.:]\s*$", text):
                text = f"{text} {following.strip()}"  # the subject wraps under itself
            parts = [part for part in re.split(r"\s+-{1,2}\s+", text) if not PROCEDURAL.search(part)]
            value = _phrase(re.split(r",? at [A-Z]|\s*\(NPI\b", parts[0])[0]) if len(parts) == 1 else None
            if value:
                return self.keep("service", value, line, False,
                                 N_("read from the letter's subject line: check it names the care denied"))
        return False

    def service_in_table(self) -> bool:
        """An EOB's or a claim notice's table: the first service line's cell under 'Description' (or 'Service'),
        with the words that wrap under it on the lines below, marked (which line was denied, the person can tell
        better). A row is a line with an amount or a date, or, under a ruled heading, the first line of text."""
        for index, line in enumerate(self.lines):
            text = line.text
            if re.search(r"\d", text) or not re.search(r"\S {2,}\S.* {2,}\S", text):
                continue
            columns = list(re.finditer(r"(?i)(?:^|(?<=^ )|(?<=  ))(?:description(?: of services?)?|services?(?: provided| description)?"
                                       r"(?: &(?: billing code)?)?|procedures?(?: description)?|requested(?: services?)?)"
                                       r"(?= {2,}|\s*$| approved\?)", text))
            if not columns:
                continue
            # 'Service' over the dates and 'Description' beside it: the description's column names the care
            column = next((found for found in columns if found.group().lower().startswith("description")), columns[0])
            below = self.lines[index + 1 : index + 12]
            ruled = bool(below) and re.fullmatch(r"[\s-]*-{3,}[\s-]*", below[0].text) is not None
            rows = []
            for at, row in enumerate(below):
                if not row.text.strip() and rows or re.match(r"(?i)\s*(?:claim )?totals?\b", row.text):
                    break
                money = _table_row(row.text)
                heading_only = re.fullmatch(r"[\s-]*", row.text) or _amounts(row.text) and not re.search(r"[A-Za-z]{3}", row.text)
                cell_only = (not money and not heading_only and at + 1 < len(below) and row.text[: column.start()].strip() == ""
                             and _amounts(below[at + 1].text)
                             and re.fullmatch(r"\s*(?:[A-Za-z]{1,8}\??\s+)?", below[at + 1].text.split("$")[0]))
                if money or cell_only or ruled and not rows and not heading_only and row.text.strip():
                    rows.append(row)
            for row in (_denied(rows) or rows)[:1]:  # the first line the table marks as denied, else its first line
                cell = self.cell(row, column.start())
                # the cell as printed after a date of service or its code in the same column: '97140 Manual therapy'
                cell = re.sub(r"^(?:\d{1,2} [A-Z][a-z]{2} \d{4}\s+|[A-Z]?\d{4}[0-9A-Z]?\s+(?=[A-Za-z]))", "", cell)
                value = _phrase(cell)
                if value and not re.fullmatch(r"[\d/$.,\s-]+", cell):
                    return self.keep("service", value, row, False,
                                     N_("a service line of the notice's table: check it is the one denied"))
        return False

    def services_billed(self) -> bool:
        """A list of the claim's lines under 'Services billed' (or 'provided', 'requested'), each a code then its
        description: '96365  IV infusion, therapy, initial, up to 1 hour  x6'. The first line's description is the
        service and the codes of all lines its codes, both marked (which line was denied, the person can tell)."""
        for index, line in enumerate(self.lines):
            if not re.fullmatch(r"(?i)\s*services? (?:billed|provided|requested|on (?:this|the) claim)\s*:?\s*", line.text):
                continue
            rows = []
            for row in self.lines[index + 1 : index + 12]:
                match = re.match(r"\s*([A-Z]?\d{4}[0-9A-Z]?)\s{2,}(\S.*?)(?:\s{2,}\S.*)?$", row.text)
                if not match:
                    break
                rows.append((row, match.group(1), match.group(2)))
            value = _phrase(rows[0][2]) if rows else None
            if value:
                why = N_("a service line of the notice's list: check it is the one denied")
                self.keep("service", value, rows[0][0], False, why)
                codes = _procedure_codes(" ".join(code for _, code, _ in rows), self.notice.ocr)
                if codes:
                    self.keep("procedure_codes", CodeList(tuple((code, None) for code, _ in codes[0])), rows[0][0], False,
                              N_("read from the notice's list of service lines: check them"))
                return True
        return False

    def cell(self, row: Line, start: int) -> str:
        """A table cell's words from the column that starts at `start`: on its row, and the words that wrap under
        it on the next lines (in the same column, with no amount beside them), as one phrase."""
        begin = max(0, start - 2)
        if begin and row.text[begin - 1] != " " and (digits := re.match(r"[\d/]+ ", row.text[begin:])):
            begin += digits.end()  # the column's edge cuts the date beside it ('03/10/2|6 PT evaluation'): not the care
        cells = re.split(r" {2,}", row.text[begin:].strip())
        # a date of service printed under the column's heading, the description beside it: '19 Sep 2026  ER visit'
        cell = cells[1] if len(cells) > 1 and re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", cells[0]) else cells[0]
        at = self.lines.index(row)
        for following in self.lines[at + 1 : at + 3]:
            text = following.text
            indent = len(text) - len(text.lstrip())
            wrapped = re.split(r" {2,}", text.strip())[0] if text.strip() else ""
            if (not wrapped or abs(indent - start) > 2 or _table_row(text) or re.search(r"[.:]$", cell)
                    or re.fullmatch(r"\(?(?:[A-Z]?\d{4}[0-9A-Z]?)(?:\s*x\s*\d+)?\)?|[A-Z]{2}-\d+", wrapped)
                    or re.match(r"[A-Z][\w /()#-]{1,30}:", wrapped)):  # 'Diagnosis: ...' below the table
                break
            cell = f"{cell} {wrapped}"
        return cell

    def codes(self) -> None:
        procedure = _label(r"CPT(?:/HCPCS)?(?: codes?)?", r"HCPCS(?: codes?)?", r"procedure codes?", r"service codes?",
                           r"codes?(?=\s*[:(]| \d)", r"codes")
        for rest, line in self.after_label(procedure):
            if len(_amounts(line.text)) >= 2 and not re.search(procedure, line.text):
                continue  # under a table's 'Codes' heading: a row of the table, read whole by codes_in_table
            found = _procedure_codes(rest, self.notice.ocr)
            if found:
                codes, why = found
                lead = line.text[: line.text.find(rest)] if rest in line.text else ""
                at = self.lines.index(line)
                before = self.lines[at - 1].text if at and re.search(r"\b[a-z]+ \w+\s*$", lead) else ""
                on_line = _procedure_codes(before + " " + line.text if not re.search(r"[.:]\s*$", before) else line.text,
                                           self.notice.ocr)  # the sentence's codes, its line before included
                if not why and re.match(r"\s*[A-Z]?\d{4}[0-9A-Z]?\s+(?:is|was|are|were|must|has|had|can|cannot|may|needs?)\b", rest):
                    why = N_("read from a sentence, not under a label: check the codes")  # 'Code 90838 is an add-on code...'
                if not why and (re.search(r"\b[a-z]+ \w+\s*$", lead) or on_line and {c for c, _ in on_line[0]} - {c for c, _ in codes}):
                    why = N_("read from a sentence, not under a label: check the codes")
                    codes = on_line[0] if on_line and len(on_line[0]) > len(codes) else codes  # the line's codes, all
                for row in self.table_rows(line):  # an EOB's table: a code on each service line
                    more = _procedure_codes(row, self.notice.ocr)
                    codes += [code for code in (more[0] if more else []) if code[0] not in {c for c, _ in codes}]
                others = [_procedure_codes(more, self.notice.ocr) for more, _ in self.after_label(procedure)]
                if not why and any(other and {c for c, _ in other[0]} - {c for c, _ in codes} for other in others):
                    why = N_("the notice lists other codes too (another claim?); check these are the ones denied")
                if self.notice.ocr:  # a description misread by OCR would go into the letter: the code is enough
                    codes = [(code, None) for code, _ in codes]
                    for stub in re.findall(r"(?<![\w/-])\d{4}(?![\w/-])", rest):  # J3490 read as 3490
                        self.reject("procedure_codes", stub, line, N_("is not a whole CPT or HCPCS code (a letter or "
                                    "digit lost in the scan?), so it was not used"))
                self.keep("procedure_codes", CodeList(tuple(codes)), line, not why, why)
                break
        if "procedure_codes" not in self.result.found:
            self.codes_in_table() or self.codes_beside_service() or self.drug_codes()
        diagnosis = _label(r"diagnos[ie]s(?: codes?)?(?: \(ICD-?10(?:-CM)?\))?", r"ICD-?10(?:-CM)?(?: codes?)?", r"dx",
                           r"diagnosis given was")
        for rest, line in self.after_label(diagnosis):
            rejected = len(self.result.rejected)
            codes, why = self.icd_codes(rest, line)
            if codes and len(self.result.rejected) > rejected:  # 'Diagnosis: G35, L89.153', G35 no longer billable
                why = N_("the notice lists another code here that is not a billable ICD-10-CM code: check the codes")
            for below in self.lines[self.lines.index(line) + 1 :]:  # more codes listed under the first, one a line,
                # or the list running on to the next line after a comma: 'Diagnoses on the request: I63.512,' / 'G81.91.'
                if re.match(r"\s{8,}[a-z]", below.text):
                    continue  # a code's description running on under it ('without psychotic features')
                if not re.match(r"\s{4,}[A-TV-Z]\d[0-9A-Z]\.?[0-9A-Z]{0,4}\b", below.text) and not (
                        re.search(r"[,;]\s*$|\band\s*$", rest) and re.match(r"\s*[A-TV-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}\b", below.text)):
                    break
                rest = below.text
                more, also = self.icd_codes(below.text.split(" - ")[0], below)
                codes += [code for code in more if code not in codes]
                why = why or also
            lead = line.text[: line.text.find(rest)] if rest in line.text else ""
            if codes and not why and ":" not in lead[-20:] and re.search(r"\b[a-z]{2,}\b", lead.strip().rpartition(" ")[0]):
                why = N_("read from a sentence, not under a label: check the codes")  # '...; diagnoses S83.511D and M25.661'
            if codes and not why and self.notice.ocr:  # each code is checked, but one the scan lost leaves no trace
                why = N_("read by OCR: a code the scan lost would be missing from this list; check it against the paper")
            if codes:
                self.keep("diagnoses", codes, line, not why, why)
                break
        if "diagnoses" not in self.result.found:
            self.diagnoses_in_prose()
        npis: list[tuple[str, str, Line]] = []
        for rest, line in self.after_label(_label(r"NPI(?: number| #)?")):
            match = re.match(r"[0-9OlISB]{10}(?![0-9])", rest.replace(" ", ""))
            if not match:
                continue
            value, why = _checked(match.group(), check_npi, digits=True)
            if value:
                npis.append((value, why, line))
                continue
            self.reject("provider_npi", match.group(), line, N_("fails the NPI check digit, so it was not used"))
        printed = {number for rest, _ in self.after_label(_label(r"NPI(?: number| #)?"))  # 'NPI: A (group) / B'
                   for number in [re.sub(r"\D", "", rest)[:10], *re.findall(r"(?<!\d)\d{10}(?!\d)", rest)]} - {""}
        if npis:
            value, why, line = npis[0]
            if not why and len(printed) > 1:
                why = N_("the notice gives more than one NPI; check this is the provider of the care denied")
            self.keep("provider_npi", value, line, not why, why)
        adjustment, first = [], None  # every labelled code (an EOB's lines each have theirs), in order, once
        for rest, line in self.after_label(_label(r"claim adjustment reason(?: and remark)?(?: codes?)?", r"CARC",
                                                  r"RARC", r"remark codes?", r"adjustment codes?")):
            for text in [rest, *self.table_rows(line), *self.table_rows(line, ADJUSTMENT_CODE)]:
                for code in re.findall(r"\b" + ADJUSTMENT_CODE + r"\b(?!\s*\(not applied\))", text):
                    if code not in adjustment:
                        adjustment.append(code)
                        first = first or line
        if adjustment:
            self.keep("adjustment_codes", adjustment, first)
        else:
            self.adjustment_codes_in_text()

    def adjustment_codes_in_text(self) -> bool:
        """Claim adjustment codes printed without a label: a group and a reason ('CO-50', 'PR-2'), with the remark
        codes listed after one ('CO-50, N386'), every one in the notice once; not one marked '(not applied)'.
        Marked: found in the text, not under a label."""
        group = r"(?<![\w-])(?:CO|PR|OA|PI|CR)-\d{1,3}(?![\w-])"
        codes, first = [], None
        said = r"(?:\s*\((?!not applied)[^()]{1,200}\))?"  # 'CO-119 (Benefit maximum ... reached), N362 (...)'
        for text, starts in self.paragraphs:
            for listed in re.finditer(group + said + r"(?:,?\s*(?:" + group + r"|(?<![\w-])(?:MA|N|M)\d{1,3}(?![\w-]))"
                                      + said + r")*", text):
                if re.match(r"\s*\(not applied\)", text[listed.end() :]):
                    continue
                for code in re.findall(r"(?<![\w(-])(?:CO|PR|OA|PI|CR|MA|N|M)-?\d{1,3}(?![\w-])", re.sub(r"\([^()]*\)", "", listed.group())):
                    if code not in codes:
                        codes.append(code)
                        first = first or self._line_at(starts, listed.start())
        if not codes:
            return False
        return self.keep("adjustment_codes", codes, first, False, N_("found in the notice's text, not under a label: check them"))

    def diagnoses_in_prose(self) -> bool:
        """ICD-10 codes in brackets after the conditions they name ('post-traumatic stress disorder (F43.10)'),
        each a real code: marked, since they were read from a sentence."""
        codes, first = [], None
        for line in self.lines:
            for token in re.findall(r"\(([A-TV-Z]\d{2}\.[0-9A-Z]{1,4})\)", line.text):
                value, _ = _checked(token, icd10.check, digits=False)
                if value and value not in codes:
                    codes.append(value)
                    first = first or line
        return bool(codes) and self.keep("diagnoses", codes, first, False,
                                         N_("read from codes in brackets in the letter's sentences: check them"))

    def codes_in_table(self) -> bool:
        """The codes in a table's code column: a header row (columns apart, no digits) naming a code, and the
        rows under it up to a blank line or the totals."""
        for index, line in enumerate(self.lines):
            text = line.text
            if re.search(r"\d", text) or not re.search(r"\S {2,}\S.* {2,}\S", text) \
                    or not re.search(r"(?i)\b(?:CPT|HCPCS|(?:service |procedure |billing )?codes?|proc(?:edure)?)\b", text):
                continue
            rows: list[Line] = []
            for row in self.lines[index + 1 : index + 30]:
                if not row.text.strip() or re.match(r"(?i)\s*(?:claim )?totals?\b", row.text):
                    if rows:
                        break
                    continue
                if _procedure_codes(row.text, self.notice.ocr):
                    rows.append(row)
            codes: list[tuple[str, str | None]] = []
            for row in rows:
                found = _procedure_codes(row.text, self.notice.ocr)
                codes += [(code, None) for code, _ in (found[0] if found else []) if code not in {c for c, _ in codes}]
            if codes:
                why = N_("read by OCR: CPT codes cannot be checked against a code set here") if self.notice.ocr else ""
                if _denied(rows):  # paid lines beside denied ones: the person tells which codes the appeal is about
                    why = N_("the table lists lines that were paid beside the denied ones; check which codes were denied")
                return self.keep("procedure_codes", CodeList(tuple(codes)), line, not why, why)
        return False

    def drug_codes(self) -> bool:
        """A drug request's National Drug Code, printed after 'NDC' ('NDC 0169-4524-14'): with no CPT or HCPCS code
        on the notice it is the code a pharmacy request goes by, and what the letter names. Dashed, in one of the
        FDA's three 10-digit forms (4-4-2, 5-3-2, 5-4-1) or the 11-digit 5-4-2 billing form."""
        found = [(match.group(1), line) for line in self.lines for match in NDC.finditer(line.text)]
        if not found:
            return False
        codes = tuple(dict.fromkeys(code for code, _ in found))
        why = "" if len(codes) == 1 else N_("the notice gives more than one drug code; check which was denied")
        return self.keep("procedure_codes", CodeList(tuple((code, None) for code in codes)), found[0][1], not why, why)

    def codes_beside_service(self) -> bool:
        """Codes in brackets right after the service's name: 'IV ketamine infusion, 6 sessions (96365, J3490)'."""
        service = self.result.found.get("service")
        if service is None:
            return False
        at = self.lines.index(service.line)
        text = " ".join(line.text for line in self.lines[at : at + 2])  # the name may wrap onto the next line
        if "table" in service.why or service.why == SET_APART:  # a table's (or a set-apart list's) lines: the codes of each
            rows = []
            for line in self.lines[at:]:
                if not line.text.strip() or re.match(r"(?i)\s*(?:claim )?totals?\b", line.text):
                    break
                rows.append(line.text)
            codes = [code for row in rows for code in re.findall(r"\(([A-Z]?\d{4}[0-9A-Z]?)(?:-[A-Z0-9]{2})*\)", row)]
            if codes:
                return self.keep("procedure_codes", CodeList(tuple((code, None) for code in dict.fromkeys(codes))),
                                 service.line, False, N_("read from the table's service lines: check them"))
        block = self.service_block(service.line)
        if block:
            found = _procedure_codes(" ".join(block), self.notice.ocr)
            if found:
                codes, why = found
                return self.keep("procedure_codes", CodeList(tuple((code, None) for code, _ in codes)), service.line,
                                 service.certain and not why, why or service.why)
        match = (re.search(r"\(((?:(?:CPT|HCPCS)\s*)?(?:[A-Z]?\d{4}[0-9A-Z]?(?:\s*x\s*\d+)?[,;]?\s*(?:(?:CPT|HCPCS)\s*)?)+)\)", text)
                 or re.search(r" - ((?:(?:CPT|HCPCS)\s*)?[A-Z]?\d{4}[0-9A-Z]?(?:,\s*[A-Z]?\d{4}[0-9A-Z]?)*)\s*$", service.line.text))
        found = _procedure_codes(match.group(1), self.notice.ocr) if match else None
        if not found:
            return False
        codes, why = found
        return self.keep("procedure_codes", CodeList(tuple((code, None) for code, _ in codes)), service.line, not why, why)

    def service_block(self, first: Line) -> list[str]:
        """The codes printed with a service that fills several lines under its label, up to a blank line or the next
        label: in brackets ('(S0013; G2082)', '(97110 therapeutic exercise, 97112 ...)', '(L1843-KX-RT)') or
        leading a line of their own ('63685  Insertion of ...', 'E2103 -- receiver'). Each as a bare code."""
        at = self.lines.index(first)
        lines = [first.text]
        for line in self.lines[at + 1 : at + 8]:
            if not line.text.strip() or re.match(r"\s*[A-Z][\w /()#'-]{1,40}:", line.text):
                break
            lines.append(line.text)
        text = " ".join(part.strip() for part in lines)
        code = r"[A-Z]?\d{4}[0-9A-Z]?"
        found = []
        for bracket in re.findall(r"\(([^()]*)(?:\)|$)", text):
            if re.match(r"\s*(?:(?:CPT|HCPCS)\s*)?" + code + r"\b", bracket):
                found += re.findall(r"(?<![\w.-])(" + code + r")(?:-[A-Z0-9]{2})*\b(?!\.\d)", bracket)
        for line in lines[1:]:
            if (match := re.match(r"\s*(" + code + r")(?:-[A-Z0-9]{2})*\s+(?:--\s+)?[A-Za-z]", line)):
                found.append(match.group(1))
        return list(dict.fromkeys(found))

    def table_rows(self, line: Line, starts: str = r"\d{1,2}/\d{1,2}/\d{2,4}\b") -> list[str]:
        """The rows under a row that starts like `starts` (an EOB's service lines start with a date, its list of
        remark codes with a code), up to the first that does not."""
        if not re.match(r"\s*" + starts, line.text):
            return []
        rows = []
        for following in self.lines[self.lines.index(line) + 1 :]:
            if not re.match(r"\s*" + starts, following.text):
                if following.text.startswith(" ") and following.text.strip():
                    continue  # an explanation wrapped under its code
                break
            rows.append(following.text)
        return rows

    def icd_codes(self, text: str, line: Line) -> tuple[list[str], str]:
        codes, notes = [], []
        for token in re.findall(r"\b[A-Z0-9][0-9A-Z]{2}\.?[0-9A-Z]{0,4}\b", text):
            if not re.search(r"\d", token) or token.isdigit():
                continue
            value, why = _checked(token, icd10.check, digits=False)
            if value:
                codes.append(value)
                if why:
                    notes.append(why)
            else:
                self.reject("diagnoses", token, line, N_("is not a billable ICD-10-CM code, so it was not used"))
        return codes, "; ".join(notes)

    def reason(self) -> None:
        label = _label(r"(?:specific )?reasons? for (?:the |this |our )?(?:denial|decision|action|determination|adverse determination)",
                       r"basis for (?:the |this |our )?(?:denial|decision)", r"here is why", r"why we denied(?: it| this| (?:part of )?(?:your|the) request)?",
                       r"why we (?:made|reached) (?:this|our|the) decision", r"what we decided and why",
                       r"why we (?:decided|did) (?:this|that)\b", r"(?:the )?reviewer'?s concerns?(?=\s*:)",
                       r"^\s*what this means(?=\s*:|\s*$)",
                       r"why (?:part of )?(?:the|your|this) (?:request|claim|service|drug)(?: was| is)? (?:partly )?(?:denied|not approved)",
                       r"why(?=\s*(?::|\.{3,}))",
                       r"we denied (?:this|your) (?:request|claim|service) because", r"explanation(?=\s*(?::|\.{3,}))", r"rationale",
                       r"denial reason", r"reason(?=\s*(?::|\.{3,}))", r"^\s*why\s*$", r"our reasons?(?=\s*:)",
                       r"explanation of (?:the|our) (?:decision|denial)", r"why did we (?:deny|deny|not approve) [\w ]{1,30}\?",
                       r"why [\w ]{1,40} (?:was|were) (?:denied|not approved)(?=\s*:)",
                       r"reason for the [\w ]{1,30} not approved", r"why we denied part of (?:your|the) request")
        for index, line in enumerate(self.lines):
            match = label.search(line.text)
            if not match:
                continue
            parts = [re.sub(r"^(?:of|for) [\w ]{1,30}?:\s*|^[.:]\s*", "", line.text[match.end() :].strip())]  # '... of these lines:'
            more = False  # another paragraph of prose under the same heading: which one says why, the person can tell
            for at, following in enumerate(self.lines[index + 1 :], index + 1):
                text = following.text.strip()
                if re.search(r"(?i)\bpage \d+ of \d+\b", text):  # a page's foot or head: the reason ends there
                    break
                if not text or (text.isupper() and len(text) > 3) or re.match(r"[A-Z][A-Za-z /()#-]{2,40}:\s", text):
                    if any(parts):
                        after = next((item.text.strip() for item in self.lines[at + 1 : at + 3] if item.text.strip()), "")
                        more = not text and bool(re.match(r"[A-Z][a-z']+ [a-z]", after)) and not re.search(
                            r"(?i)\b(?:appeal|disagree|right to|you may|you can|if you|questions?|call)\b", after)
                        break
                    continue
                parts.append(text)
            quote = re.sub(r"(?<=[A-Za-z]-) ", "", " ".join(part for part in parts if part))
            if quote.endswith(":"):  # '... In the reviewer's words:' and the words set apart below: they say why
                block = []
                for following in self.lines[index + 1 :]:
                    if following.text.startswith("  ") and following.text.strip():
                        block.append(following.text.strip())
                    elif block or following.text.strip() and following.text.strip() not in quote:
                        break
                quote = re.sub(r"(?<=[A-Za-z]-) ", "", " ".join(block)) if block else quote
            quote = _reason_only(quote)
            if quote and not re.search(r"(?i)not a bill|explanation of benefits", quote):  # an EOB's heading
                first = line if parts[0] else next(item for item in self.lines[index + 1 :] if item.text.strip())
                why = (N_("read by OCR: compare the words with the paper") if self.notice.ocr else
                       N_("the reason goes on in the next paragraph: check this is the part that says why") if more else
                       N_("a long passage: check where the plan's reason ends") if len(re.findall(r"[.!?](?= [A-Z])", quote)) >= 3
                       else "")
                self.keep("quote", quote, first, certain=not why, why=why)
                break
        document = self.result.document
        offer = document is not None and document.type == DocumentType.peer_to_peer_offer
        if "quote" not in self.result.found and not offer:  # an offer's concern is read only under its label
            self.quote_in_notes() or self.quote_in_prose()
        quote = self.result.found.get("quote")
        if quote is None:
            return
        hits = sorted((match.start(), reason) for reason, pattern in REASON_CUES
                      if (match := re.search(pattern, quote.value, re.I)))
        reasons = list(dict.fromkeys(reason for _, reason in hits))
        if reasons:
            why = N_("the plan gives more than one reason; the first is used") if len(reasons) > 1 else ""
            if not why and not quote.certain:
                why = N_("the kind of reason was told from words read without a label: check it")
            self.keep("reason", reasons[0], quote.line, not why, why)
            self.result.other_reasons = reasons[1:]

    def quote_in_notes(self) -> bool:
        """An EOB's or a summary notice's notes under the table ('Remarks', 'Notes for Claims Above', 'Remark code
        explanations'), each a key and its words: the first note that gives a kind of reason, without the codes
        it starts with ('CO-242, N130: ...'). Marked: which note goes with the denied line, the person can tell."""
        for index, line in enumerate(self.lines):
            if not NOTES_HEADING.fullmatch(line.text):
                continue
            notes: list[tuple[Line, str]] = []
            for following in self.lines[index + 1 : index + 40]:
                text = following.text
                entry = re.match(r"\s{0,3}([A-Z0-9]{1,4}|" + ADJUSTMENT_CODE + r")\s+(\S.*)$", text)
                if entry and not text.startswith("    "):
                    notes.append((following, entry.group(2).strip()))
                elif notes and text.startswith(" ") and text.strip():
                    notes[-1] = (notes[-1][0], f"{notes[-1][1]} {text.strip()}")
                elif notes or text.strip():
                    break
            for first, words in notes:
                words = re.sub(r"^(?:(?:Denied|Not paid)\.?\s*)?(?:" + ADJUSTMENT_CODE + r"(?:,\s*|\s+))*" + ADJUSTMENT_CODE
                               + r"\s*[:.]\s*|^(?:Denied|Not paid)\.\s*", "", words)
                words = re.sub(r"(?:\s*\(?" + ADJUSTMENT_CODE + r"(?:,\s*" + ADJUSTMENT_CODE + r")*\)?\.?)+$", "", words)
                if any(re.search(pattern, words, re.I) for _, pattern in REASON_CUES):
                    words = _reason_only(words)
                    return self.keep("quote", words if words.endswith(".") else words + ".", first, False,
                                     N_("a note under the notice's table: check it is the one for the denied line"))
        return False

    def quote_in_prose(self) -> bool:
        """A reason given without a heading, in the letter's words: the paragraph that says 'because' or gives a
        kind of reason, from its first sentence that does (the sentence before it only says what was decided).
        Marked: only the person can say these are the plan's reasons."""
        greeting = next((index for index, line in enumerate(self.lines) if re.match(r"(?i)\s*dear\b", line.text)), 0)
        after = self.lines[greeting].number if greeting else 0
        paragraphs = self.paragraphs
        for index, (text, starts) in enumerate(paragraphs):
            if re.search(r"(?i)\bbecause:\s*$", text) and index + 1 < len(paragraphs):
                text, starts = paragraphs[index + 1]  # 'We denied this request because:' and the reason set below
                return self.keep("quote", _reason_only(text), starts[0][1], False,
                                 N_("read from the letter's words, not under a heading: check these are the plan's reasons"))
            if starts[0][1].number <= after or re.search(r"(?i)\b(?:if you (?:disagree|do not agree)|(?:right|how) to "
                                                          r"(?:appeal|ask)|you (?:may|can) (?:appeal|ask for))\b", text):
                continue
            if re.search(r"(?i)not a bill|explanation of benefits", text):
                continue  # an EOB's heading block: '(out-of-network)' beside the provider is no reason
            sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
            for number, sentence in enumerate(sentences):
                if len(sentence) < 80 and re.search(r"(?i)\b(?:approve|deny|denied|denying|cover|pay)\b", sentence) \
                        and not re.search(r"(?i)\bbecause\b", sentence):
                    continue  # 'We are unable to approve this request.': what was decided, not why
                if re.search(PROSE_REASON, sentence):
                    quote = _reason_only(" ".join(sentences[number:]))
                    at = text.index(sentence)
                    return self.keep("quote", quote, self._line_at(starts, at), False,
                                     N_("read from the letter's words, not under a heading: check these are the plan's "
                                        "reasons"))
        return False

    def appeal_route(self) -> None:
        self.stated_deadline()
        document = self.result.document
        if document is not None and document.type in NO_APPEAL_ROUTE:
            self.fax(said_on_its_line=True)  # 'Appeals may be faxed to ...' said beside the offer of a call
            return  # its other faxes and its address are for the records or the call, not for an appeal
        self.fax()
        self.address()
        if "appeals_address" not in self.result.found:
            self.address_block()
        self.route_beyond_the_plan()
        self.review_filed_elsewhere()

    def review_filed_elsewhere(self) -> None:
        """A decision whose next step is only an external review sent to a state office or an independent review
        organization (the address it prints is theirs, not the plan's) offers no appeal to the plan: the review's
        window stays among the other windows, not the appeal deadline, and that office's address and fax are not
        the plan's appeal route. Kept (marked) when the plan takes the request itself or the notice gives no
        address, and for Medicare's next level (an IRE, a QIC), which is an appeal. Whoever takes the review, a fax
        away from the address it goes to is the plan's for the level just decided ('Reconsideration Fax' in the
        letterhead of an FEHB plan whose next step is OPM's review), not the review's."""
        window = notice_windows.appeal_window(self.result.windows)
        if "appeal_deadline" not in self.result.found or window is None \
                or window.role is not notice_windows.WindowRole.external_review:
            return
        address = self.result.found.get("appeals_address")
        fax = self.result.found.get("appeals_fax")
        if address is not None and fax is not None and fax.line.number not in range(
                address.line.number, address.line.number + len(show(address.value).split("\n")) + 3):
            del self.result.found["appeals_fax"]  # the plan's fax for the level just decided, not the review's
        names = [part for part in show(address.value).split("\n") if not re.match(r"(?i)attn|attention|\d|p\.?\s?o\.? box", part)] \
            if address is not None else []
        if not any(re.search(REVIEW_OFFICE, name) for name in names[:2]):
            return  # the addressee is the plan's own office ('Attn: IRO Requests'), or no address: kept, marked
        del self.result.found["appeal_deadline"]
        for key in ("appeals_fax", "appeals_address"):
            found = self.result.found.get(key)
            if found is not None and re.search(REVIEW_OFFICE, f"{found.line.text} {show(found.value)}"):
                del self.result.found[key]

    def route_beyond_the_plan(self) -> None:
        """A fax or address of an independent reviewer or a state office (an external review's, or one the plan
        sends the case to by itself) is not where a person sends an appeal to the plan: kept, but marked."""
        window = notice_windows.appeal_window(self.result.windows)  # the one the deadline was read from
        external = ("appeal_deadline" in self.result.found and window is not None
                    and window.role is notice_windows.WindowRole.external_review)
        outside = re.compile(r"(?i)independent review|\bIRE\b|\bIRO\b|review entity|maximus|reconsideration project|"
                             r"department of (?:insurance|financial)|external review|insurance (?:commissioner|division)")
        for key in ("appeals_fax", "appeals_address"):
            found = self.result.found.get(key)
            if found is None or not found.certain:
                continue
            named = f"{found.line.text} {found.value}" if key == "appeals_address" else found.line.text
            if external or outside.search(named):
                self.result.found[key] = replace(found, certain=False, why=N_(
                    "this is for an independent reviewer or a state office, not for an appeal to the plan: check "
                    "which step you are taking and where it goes"))

    def address_block(self) -> None:
        """An address under words about an appeal: a block of short lines ending in a town and ZIP code whose
        lead-in (the lines before it, or a line of its own up to ':') is about sending an appeal, a grievance, a
        reconsideration, a redetermination, a hearing or an external review request, or whose 'Attn:' line names
        such an office; or the same address run into the sentence ('... appeal ... Write to X, P.O. Box 1, Town,
        ST 12345'). A block beside another column ('Mail appeals to:      Or fax:') is read in its own column."""
        about = re.compile(r"(?i)appeal|grievance|reconsider|redetermination|hearing|external review|review request|to review")
        for index, line in enumerate(self.lines):
            if index < 6 or not ZIP_LINE.search(line.text.strip()):
                continue  # the letterhead's own address is not where appeals go
            indent = len(line.text) - len(line.text.lstrip())
            parts, start = [line.text.strip()], index
            while start > 0 and len(parts) < 7:
                text = self.lines[start - 1].text  # up to the block's column: 'Write:   X' whole, not a column to its right
                ends = [cell.end() for cell in re.finditer(r"\S+(?: {1,2}\S+)*", text) if cell.start() <= indent + 2]
                above = text[: ends[-1]].strip() if ends else ""
                if not above or above.endswith(":") or re.search(r"[.;]$", above) and not re.search(
                        r"\b(?:Inc|Co|Corp|Ltd|St|Ave|Rd|Blvd|Dept|Ste|Bldg|Fl|Rm|Div|Ctr)\.$", above):
                    break
                if re.match(r"(?i)(?:fax|phone|tel|tty|e-?mail|call)\b", above):
                    break
                parts.insert(0, above)
                start -= 1
            above = start - 1  # the lead-in: the paragraph above the block (up to 8 lines), or at least its last 4 lines
            while above > 0 and not self.lines[above].text.strip():
                above -= 1
            while above > 0 and start - above < 8 and self.lines[above - 1].text.strip():
                above -= 1
            lead = " ".join(item.text for item in self.lines[max(0, min(above, start - 4)) : start])
            # 'Write to:  Heartland ...' on the block's first lines: what is before the label is lead-in
            labelled = next((at for at, part in enumerate(parts[:-1])
                             if re.match(r"(?i).{0,80}?(?:to|at|address|write|mail):\s*", part)), None)
            if labelled is not None:
                label = re.match(r"(?i)(.{0,80}?(?:to|at|address|write|mail)):\s*(.*)$", parts[labelled])
                lead = " ".join([lead, *parts[:labelled], label.group(1)])
                parts = [label.group(2), *parts[labelled + 1 :]]
            elif re.search(r":\s*$", parts[0]) or len(parts) > 1 and re.search(r"(?i)\b(?:to|at)\s*:?$", parts[0]):
                lead, parts = lead + " " + parts[0], parts[1:]
            sent = re.search(r"(?i)(?:^|[.!?]\s)([^.!?]*)\bwe (?:have |will |are )?(?:sent|forwarded|send|forward|sending|"
                             r"forwarding)\b[^.]{0,60}$", lead)
            if sent and not re.search(r"(?i)\b(?:send|mail|write|submit)\b", sent.group(1)):
                continue  # 'We have sent your file to:' where the plan sent the case itself, not where to write
            attention = any(re.match(r"(?i)(?:attn|attention)\b", part) and about.search(part) for part in parts)
            if not attention and (not about.search(lead + " " + " ".join(parts)) or not re.search(
                    r"(?i)\b(?:to|at|address|mail|write|send|submit|file)\b", lead)):
                continue
            parts = [part for part in (item.strip() for item in parts) if part]
            if len(parts) >= 2 and not any(re.search(r"(?i)\b(?:fax|phone)\b", part) for part in parts):
                self.keep("appeals_address", "\n".join(parts), self.lines[start])
                return
        self.address_in_sentence()

    def address_in_sentence(self) -> None:
        """'... to appeal ... Write to X, Appeals, P.O. Box 30061, Milwaukee, WI 53201': the address in a sentence,
        or a sentence of its own after one about an appeal when it names the office ('... you may appeal within 180
        days. X, Attn: Appeals, PO Box 1, Omaha, NE 68102.')."""
        pattern = re.compile(r"(?i)(?:appeal|grievance|reconsider\w*|redetermination)\b.{0,200}?(?:\b(?:write|send|sent|"
                             r"mail|mailed|submit|address)\w*(?: it| them| your \w+)?\b[^.:]{0,80}? (?:to|at):?|\bmail:"
                             r"|\.(?= [^.:]{0,80}?, (?:attn|attention):? [^,;]{0,40}?(?:appeal|grievance|reconsider|redetermination)))"
                             r" "
                             r"((?=(?-i:[A-Z0-9]))(?:(?:(?!(?<=[a-z][a-z])\. [A-Z])[^,;:])+(?:: [^,;]+)?, ){1,5}"
                             r"(?-i:[A-Z][A-Za-z .'-]+, [A-Z]{2} \d{5}(?:-\d{4})?))")
        for text, starts in self.paragraphs:
            match = pattern.search(text)
            if not match:
                continue
            parts: list[str] = []
            for part in match.group(1).split(", "):
                if parts and re.fullmatch(r"(?i)(?:inc|llc|co|corp|ltd|l\.?p)\.?", part):
                    parts[-1] += f", {part}"  # 'Crestwood Administrators, Inc.' is one name
                else:
                    parts.append(part)
            parts[-2:] = [", ".join(parts[-2:])]  # the town and its state stay on one line
            self.keep("appeals_address", "\n".join(parts), self._line_at(starts, match.start(1)))
            return
        self.address_above()

    def address_above(self) -> None:
        """'Send it to the address above': the letterhead's address (its lines down to the town and ZIP code, no
        phone or web line), marked, since the notice only points at it."""
        pointer = re.compile(r"(?i)\b(?:write|send|mail|submit)\w*\b[^.]{0,40}?\bto (?:us at )?the address (?:above|at the "
                             r"top|on (?:the first page|page 1)|in the letterhead)")
        about = r"(?i)appeal|grievance|reconsider|redetermination|hearing"
        if not any(pointer.search(text) and re.search(about, text) for text, _ in self.paragraphs):
            return
        head = []
        for line in self.lines[:8]:
            text = line.text.strip()
            if not text:
                break
            if not re.search(r"(?i)\b(?:phone|fax|tty|www|call)\b|@|" + PHONE, text):
                head.append(text)
            if ZIP_LINE.search(text):
                self.keep("appeals_address", "\n".join(head), self.lines[0], False,
                          N_("the notice says to send it to the address at the top of the letter: check it"))
                return

    def stated_deadline(self) -> None:
        """The appeal deadline is the first window whose clause is about filing an appeal (notice_windows); the
        peer-to-peer, records, decision and continuation windows are kept beside it with their roles."""
        said = notice_kind.sentences(self.lines)
        self.result.windows = notice_windows.find(said, DATE, parse_date)
        window = notice_windows.appeal_window(self.result.windows)
        if window is None:
            return
        stated = StatedDeadline(window.days, window.due, window.sentence, window.months)
        if window.hours:  # an appeal window in hours is an urgent appeal's: not a deadline to count in days
            return
        if window.role is notice_windows.WindowRole.external_review:  # no internal appeal is offered: the next step's
            self.keep("appeal_deadline", stated, window.line, False, N_(
                "this is the time limit to ask for an external review (an independent reviewer), the step after this "
                "decision: check it is the step you are taking"))
            return
        if window.role is notice_windows.WindowRole.expedited_filing:
            self.keep("appeal_deadline", stated, window.line, False, N_(
                "this window is for a fast (expedited) appeal; the notice gives no standard one"))
            return
        self.keep("appeal_deadline", stated, window.line)

    def fax(self, said_on_its_line: bool = False) -> None:
        """The fax for an appeal: of the notice's faxes, one beside words about an appeal, and one in the body of
        the letter before one in its letterhead (the letterhead's is often the plan's general or claims fax). With
        `said_on_its_line`, only a fax whose own line says it is for appeals."""
        document = self.result.document
        approval = document is not None and document.type is DocumentType.approval
        letterhead = self.letterhead_end()
        candidates = []
        for index, line in enumerate(self.lines):
            word = re.search(FAX_WORD, line.text)
            if not word:
                continue
            # 'Phone: 1-888-... Fax: 1-225-...': the number after the word fax, not the line's first
            # 'or fax it to 616-555-0161': a few words between, not another sentence nor a phone's label
            number = re.search(FAX_WORD + r"\w*\b(?:(?!\. |\b(?i:phone|tel|call|TTY)\b)[^\d|;]){0,40}?(" + PHONE + ")",
                               line.text)
            number = re.search(PHONE, number.group()) if number else None
            if not number:  # '(703) 555-0128 (fax)': the number just before the word
                number = re.search("(" + PHONE + r")\W{0,3}" + FAX_WORD + r"\b", line.text)
                number = re.search(PHONE, number.group()) if number else None
            if not number and re.search(r"(?i)\b(?:fax|facsimile)(?: (?:us|it))?(?: at)?:?\s*$", line.text) \
                    and index + 1 < len(self.lines):
                number = re.match(PHONE, self.lines[index + 1].text.strip())  # '... or fax' / '(703) 555-...'
            if not number:
                continue
            before = " ".join(item.text for item in self.lines[max(0, index - 6) : index + 1]).lower()
            if re.search(r"doctor|provider|physician|records|clinical|medical team", line.text, re.I) or re.search(
                    r"(?i)(?:prescriber|help desk)[\w ]{0,20}\bfax|\bfax\b[\w ]{0,8}\((?:[\w ]*\buse only|prescriber\b[^)]*)\)", line.text):
                continue  # a fax for the doctor, the records or a help desk ('... fax (prescriber use only)'), not for appeals
            if re.match(r"(?i)\s*cc\b", line.text) or re.search(r",? (?:MD|DO|NP|PA-C|M\.D\.)\b", line.text):
                continue  # a copy to the doctor ('cc: ..., MD, ..., fax ...') is the doctor's fax
            if re.search(r"(?i)\b(?:provider|doctor|physician|prescriber)\b[^.]{0,30}\b(?:send|fax|submit)\w*\b[^.]{0,30}"
                         r"\b(?:documents|records|information|notes)\b", self.sentence_at(line, number.group())):
                continue  # 'Your provider can send the missing documents ... by fax to ...': the records' fax
            if re.search(NOT_IN_USE, line.text):
                continue  # 'First-level appeals fax (no longer applicable to this case)': not where to send it now
            if re.search(OTHER_OFFICE + r"$", re.split(r"\s{3,}|[|:;.]", line.text[: word.start()])[-1]):
                continue  # 'Claims Fax', 'Member Services Fax': an office's fax for other mail
            near = bool(re.search(r"appeal|grievance|reconsideration|redetermination|external review|hearing", before))
            if approval and not near or said_on_its_line and not re.search(r"(?i)appeal|grievance|reconsideration", line.text):
                continue  # an approval offers no appeal: its fax is for other mail
            after_fax = line.text[word.start():]
            after_fax = re.split(r"(?i)\b(?:phone|tel|telephone|call|TTY|TDD|toll.free)\b", after_fax)[0]  # 'Fax: ... Phone: ...'
            several = len(set(re.findall(PHONE, after_fax))) > 1 or bool(re.match(r"(?i)fax numbers\b", after_fax))
            # 'Fax numbers: Reconsideration Unit (202) ...; Precertification (202) ...': one chosen of several
            candidates.append(((near, index >= letterhead, not several), several, near, line, number.group()))
        if not candidates:
            return
        best = max(candidate[0] for candidate in candidates)
        _, several, near, line, number = next(candidate for candidate in candidates if candidate[0] == best)
        chosen = [candidate for candidate in candidates if candidate[2] == near]  # the body's is likelier, not sure
        value, why = _checked(number, normalize_phone, digits=True)
        if not value:
            self.reject("appeals_fax", number, line, N_("is not a 10-digit number, so it was not used"))
            return
        if len(chosen) > 1 and any(item[4] != number for item in chosen):
            why = N_("the notice gives more than one fax number")
        elif several:
            why = N_("this line gives more than one fax number")
        elif not near:
            why = N_("this fax is not next to the appeal instructions")
        self.keep("appeals_fax", value, line, not why, why)

    def sentence_at(self, line: Line, words: str) -> str:
        """The sentence of the paragraph that holds `words` as printed on `line` (a sentence wraps over lines)."""
        for text, starts in self.paragraphs:
            for start, item in starts:
                if item is line and (at := text.find(words, start)) >= 0:
                    begin = max(text.rfind(". ", 0, at) + 2, 0)
                    end = text.find(". ", at)
                    return text[begin : end if end >= 0 else len(text)]
        return line.text

    def letterhead_end(self) -> int:
        """Where the letterhead ends: the index of the first blank line, when the notice starts with a block."""
        for index, line in enumerate(self.lines[:10]):
            if not line.text.strip():
                return index
        return 0

    def address(self) -> None:
        label = _label(r"(?:send|mail|fax|mail or fax) (?:your |the )?(?:written )?(?:appeal|request)s?(?: request)? to",
                       r"mail (?:your )?appeals? to", r"written appeals?(?=\s*:)",
                       r"appeals? address", r"write to us at", r"appeals should be sent to")
        zip_line = re.compile(r"[A-Z][A-Za-z .'-]+,? [A-Z]{2},? \d{5}(?:-\d{4})?\s*$")
        starts = []  # (line index, the text after the label): the label on one line, or wrapped over two
        for index, line in enumerate(self.lines):
            match = label.search(line.text)
            if match:
                starts.append((index, line.text[match.end() :].strip()))
        for text, lines in self.paragraphs:  # 'Send your written / appeal to:' wrapped, the address below
            for match in label.finditer(text):
                following = [start for start, _ in lines if start >= match.end()]
                if not text[match.end() : following[0] if following else len(text)].strip():
                    starts.append((self.lines.index(self._line_at(lines, match.end() - 1)), ""))
        for index, rest in starts:
            line = self.lines[index]
            parts = [part.strip() for part in re.split(r",\s*|;\s*", rest.rstrip(". "))] if rest else []
            for following in ([] if rest else self.lines[index + 1 : index + 8]):
                text = following.text.strip()
                if not text:
                    if parts:
                        break
                    continue
                if re.match(r"(?i)(?:fax|phone|tel|tty|email)\b", text):
                    continue
                parts.append(text)
                if zip_line.search(text):
                    break
            parts = [part.rstrip(", ") for part in parts if part.rstrip(", ")]  # 'P.O. Box 6178,' / 'Town, ST 12345'
            if parts and any(zip_line.search(part) or re.fullmatch(r"[A-Z]{2} \d{5}(?:-\d{4})?", part)
                             for part in parts[-2:]):
                if len(parts) > 2 and re.fullmatch(r"[A-Z]{2} \d{5}(?:-\d{4})?", parts[-1]):
                    parts[-2:] = [", ".join(parts[-2:])]  # 'Lexington, KY 40512' is one line of an address
                self.keep("appeals_address", "\n".join(parts), line)
                return


# Fields an EOB or a notice of several claims gives once a claim: a second value under the label marks the first.
# the service named on its own line under the sentence that introduces it; the lines with it may name more care
SET_APART = N_("read from the lines under a sentence of the notice: check it names the care denied")
ONE_OF_SEVERAL = ("reference", "provider_npi", "service")
# A dependent's own ID on a notice that prints the subscriber's too, and the subscriber's.
PATIENT_ID = _label(r"patient(?:'s)? id(?:entification)?(?: number| no\.?| #)?")
SUBSCRIBER_ID = _label(r"(?:subscriber(?:'s)? |member )id(?:entification)?(?: number| no\.?| #)?")
# A line that starts with a label of its own ('Service requested: ...'): never the value of the label above it.
OWN_LABEL = r"\s*[A-Z][A-Za-z]*(?: [A-Za-z()/#'-]+){0,3}:\s+\S"
# Words that say a number or an address on the notice is no longer the one to use.
NOT_IN_USE = (r"(?i)\bno longer (?:applicable|applies|in use|valid|used|accepted|active)\b|\b(?:do|does) not (?:use|apply)\b"
              r"|\b(?:former|previous|old|outdated|discontinued)\b(?= (?:\w+ ){0,2}(?:fax|number|address))|\bnot applicable\b")

# A state office or an independent review organization that takes an external review itself, not the plan.
REVIEW_OFFICE = (r"(?i)department of (?:insurance|financial)|insurance (?:commissioner|division|department)|"
                 r"independent review organization|\bIRO\b")
# A street address's first line ('1001 Medical Arts Ave NE'): no ID, though it starts with digits.
STREET = (r"\d+ (?:[NSEW]\.? )?(?:[A-Z][a-z]+ ){1,4}(?:Ave|Avenue|St|Street|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|"
          r"Pkwy|Parkway|Ct|Court|Pl|Place|Ter|Terr|Terrace|Hwy|Highway|Plaza|Cir|Circle|Loop|Pike|Trail|Sq|Square)\b")
# The word fax, or its long form ('Facsimile: 312-555-0177').
FAX_WORD = r"\b(?i:fax|facsimile)"
# An office of the plan named before its fax that takes other mail than appeals: 'Claims Fax', 'Member Services Fax'.
OTHER_OFFICE = (r"(?i)\b(?:claims?(?: correspondence)?|member services|customer service|precertification|pre-?cert|"
                r"utilization management|UM|pharmacy(?: PA)?|prior authorization|general correspondence)\s+")
# Documents whose fax and address are for records or a call: they offer no appeal yet.
NO_APPEAL_ROUTE = (DocumentType.request_for_information, DocumentType.peer_to_peer_offer)
# Words that make a value a plan's name.
PLAN_WORDS = r"(?i)\b(?:plan|fund|trust|program|medicaid|medicare|tricare \w+|option|HMO|PPO|EPO|POS|PDP)\b"
# Words in brackets after a plan's name that say how it was bought or who pays, not its name: an exchange's
# name, 'self-funded', an enrollment code.
NOT_PLAN_NAME = (r"(?i:self|insured|enrollment|through|via|marketplace|exchange|healthplanfinder|bewell|covered california|"
                 r"health link|health connection|mnsure|kynect|pennie|access health|get covered|state of health|"
                 r"your health idaho|connect for health|georgia access|group [a-z]\b)")
# The public program or market a plan belongs to, printed after its name and a dash ('Senior Advantage (PPO) -
# Medicare Advantage', 'Alliance HMO - Federal Employees Health Benefits Program', 'Bronze Essential (EPO) -
# Individual'): what kind of plan it is, not part of its name.
PROGRAM_AFTER_NAME = (r"\s+-{1,2}\s+(?:(?:[A-Z][a-z]+ ){0,2}(?:Medicare Advantage|Medicaid(?: Managed Care)?|Medicare(?: Part D)?"
                      r"(?: Prescription Drug Plan)?|Individual(?: (?:&|and) Family)?(?: Plan)?|Marketplace)"
                      r"|Federal Employees Health Benefits(?: \(FEHB\))?(?: Program)?|FEHB(?: Program)?)$")
# The last word of an office's name, not a company's: 'Medicare Part D Appeals', 'TRICARE West Region - Medical Management'.
OFFICE = r"(?i:\b(?:appeals|unit|department|bureau|office|management))"
# A state's Medicaid program by its name: 'Montana Medicaid', 'Montana Healthcare Programs (Medicaid)'.
STATE_MEDICAID = r"[A-Z][\w-]*(?: [A-Z][\w-]*){0,3} (?:Medicaid|\(Medicaid\))"
# A plan type's letters, kept in brackets after a plan's name: 'Senior Advantage (HMO)', 'Drug Plan (PDP)'.
PLAN_LETTERS = r"(?:HMO|PPO|EPO|POS|PDP|PFFS|MSA|SNP|D-SNP|C-SNP|HMO-POS|HMO-SNP|PPO-SNP|Group)"
# Labels ending in 'ID' that name something else than the member's ID.
NOT_MEMBER_IDS = ("provider|tax|case|claim|request|review|episode|tracking|payer|employer|authorization|appeal|document|"
                  "record|reference|file|sponsor|npi|user|login|group|plan|transaction|fax|email|prescriber|pharmacy|"
                  "facility|vendor|submitter|batch|check|payment|eob|statement|notice|letter|order|referral|PA|UM")
# Sentences after a reason that say where it comes from or how to get the papers, not why: a quote ends before them.
QUOTE_ENDS = (r"(?<=[.!?]) (?=If you (?:would like|want) (?:a )?cop(?:y|ies)\b|You (?:may|can) (?:ask for|request|get) (?:a )?"
              r"(?:free )?cop(?:y|ies)\b|(?:To get|For) (?:a )?(?:free )?cop(?:y|ies)\b|We reviewed (?:this|your|the) "
              r"(?:request|claim|appeal) (?:under|using|against)\b|Clinical (?:guideline|criteria|policy) used\b"
              r"|See \"|This decision (?:was|is) based on (?:your|the) plan's\b|The [\w ]{3,30} (?:is|are) (?:listed|described) in your\b"
              r"|An? (?:physician|medical|clinical|pharmacist) reviewer\b[^.]{0,80}\breviewed\b"
              r"|Your pharmacy (?:can|may) (?!not\b))")
# Sentences after a reason about what the person owes, or what the provider can send next: not why it was denied.
OWED_OR_NEXT = (r"(?<=[.!?]) (?=(?:The|Your) (?:provider|doctor|supplier)s? (?:may|can)(?:not| not)? bill you|You do "
                r"not (?:have to pay|owe)|You (?:are|will) not (?:be )?(?:responsible|billed)|Because (?:this|the|your) "
                r"(?:provider|supplier) is (?:in|part of) (?:our|the plan's|your plan's) network|This (?:supplier|provider) "
                r"accepts assignment\b|Your (?:provider|doctor|supplier) gave you an Advance Beneficiary Notice\b|You signed "
                r"(?:a|an) (?:written )?(?:waiver|Advance Beneficiary Notice)\b|Your (?:therapist|doctor|provider|prescriber) "
                r"(?:can|may) (?:ask|send|submit|request) (?:for )?(?:more|additional|updated|a new)\b|The (?:facility|provider|"
                r"hospital) (?:can|may) send (?:updated|more|additional)\b|[^.]{0,80}\b(?:is|are) not liable\b|[^.]{0,80}\b(?:may|can)(?:not| not) bill you\b|(?:Group|Claim "
                r"adjustment reason|Remark) codes? [A-Z0-9]{1,4}\b)")


def _reason_only(quote: str) -> str:
    """The plan's reason without what follows it: what the person owes ('This supplier accepts assignment...'),
    what the provider may send next, the policy's name or where to get a copy."""
    return re.split(QUOTE_ENDS, re.split(OWED_OR_NEXT, quote)[0])[0]


# Words that make a sentence give a reason: 'because', a rule not met, a kind of reason.
PROSE_REASON = (r"(?i)\bbecause\b|\bincluded in the payment for\b|\bthe reason\b|(?:does|do|did) not (?:cover|meet|show|support|describe|document)|not covered|did not "
                r"(?:receive|have)|\brequires?\b|\bonly (?:when|after|if)\b|is not approved|(?:is|are) approved (?:when|after|if)\b|"
                r"(?:is|are) covered only\b|\bcovers? up to\b|\bcovers \w+(?: [\w-]+){0,6} (?:only )?(?:when|after)\b|"
                r"experimental|investigational|"
                r"unproven|not medically necessary|medical necessity|out.of.network|\bexclu|step therapy|formulary"
                r"|not (?:part of|in) (?:your|our|the) (?:[\w'-]+ ){0,3}network\b")
# The heading of the notes under an EOB's table.
NOTES_HEADING = re.compile(r"(?i)\s*(?:remark code explanations?|explanation of (?:remark |reason |the )?codes|notes(?: for "
                           r"claims? above)?|remarks|message codes?|notes? (?:and|&) remarks)\s*:?\s*")
# A row of a form's headings: words in capitals (no digits), two or more columns apart.
FORM_HEADINGS = re.compile(r"\s*[A-Z][A-Z()/'#&.-]*(?: [A-Z()/'#&.-]+)*(?: {3,}[A-Z][A-Z()/'#&.-]*(?: [A-Z()/'#&.-]+)*)+\s*")
# A line ending in a town, its state and ZIP code (an address's last line).
ZIP_LINE = re.compile(r"[A-Z][A-Za-z .'-]+,? [A-Z]{2},? \d{5}(?:-\d{4})?\s*$")

# The sentence that says what was decided, and the care's name in it (_Reader.service_in_decision).
DECIDED = re.compile(
    r"(?i:\bwe denied|\b(?:we|Medicare|the plan) (?:did not|cannot|can't|will not|won't|do not) (?:approve|cover|pay for)"
    r"|\bdecision (?:to deny (?:coverage (?:of|for) )?|(?:not to|to not) (?:pay for|cover) )|\basked us to (?:approve|cover|pay for)"
    r"|\bconcerns the request by [^.]{0,80}? for|\byour appeal (?:for|of) )"
    r"\s*(?:the |an? |(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve) (?:sessions|visits|treatments|doses) of )?"
    r"(?!(?i:this|that|these|your|our|it|the (?:request|claim|appeal|service|item)s?)\b)"
    r"([a-zA-Z][^.;:]{2,110}?)"
    r"(?= at [A-Z]| (?:that )?you (?:received|got|had)\b| on (?:your|his|her|their|[A-Z][a-z]+ \d|\d)| from [A-Z]"
    r"| (?:requested|ordered|prescribed) by\b| for (?:your|his|her|their|the treatment|the diagnosis|[A-Z][\w']+'s)\b"
    r"| for (?:[a-z-]+ ){0,4}(?:syndrome|disorder|depression|pain|disease)\b| after (?:your|his|her|their)\b"
    r"|, (?:HCPCS|CPT|billed|which|because|as)\b| \((?:NPI|codes?|CPT|HCPCS|procedure)\b|\.)")
# What a part of a subject line names when it is about the letter, not the care (_Reader.service_in_subject).
PROCEDURAL = re.compile(
    r"(?i)\b(?:appeal|decision|denial|denied|determination|request|notice|approval|approved|"
    r"reconsideration|redetermination|peer|opportunity|member|claim|pending|information|level|"
    r"affirmed|upheld|review|precertification|authori[sz]ation|payment|your|ID|No\.|#)")
# A National Drug Code after 'NDC', in one of its dashed forms (_Reader.drug_codes).
NDC = re.compile(r"\bNDC(?: (?:code|number|#))?\s*[:#]?\s*(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2})\b")


def plan_cues() -> list[tuple[str, plan_types.NoticeCue]]:
    """Cues for the kind of coverage, (plan type, cue), in the data file's order: the strongest cue wins, and of
    equally strong ones the first listed; close seconds are marked."""
    return [(name, cue) for name, data in plan_types.all_plan_types().items() for cue in data.notice_cues]


@functools.lru_cache(maxsize=None)
def _cue_pattern(pattern: str) -> re.Pattern[str]:
    """A cue's words, compiled once: every cue is tried on every line of every notice (a fifth of reading one,
    when `re.search` looked each up in its cache; profiled)."""
    return re.compile(pattern, re.I)


# Words that say which kind of reason the plan gave.
REASON_CUES: tuple[tuple[DenialReason, str], ...] = (
    (DenialReason.experimental, r"experimental|investigational|unproven|(?:safety|effectiveness|benefit)s? (?:and [\w-]+ )?"
                                r"(?:have|has) not (?:yet )?been (?:shown|established|proven)"),
    (DenialReason.off_label, r"not FDA.approved|off.label|not approved by the (?:FDA|Food and Drug Administration)"
                             r"|medically accepted indication"),
    (DenialReason.no_prior_authorization, r"without prior authorization|no prior authorization|prior authorization was not|precertification"
                                          r"|needs? prior (?:approval|authori[sz]ation)|no (?:prior )?approval (?:on file|was requested)"
                                          r"|requires? (?:a referral and )?(?:prior )?authorization|no (?:referral or )?authorization"
                                          r"|not (?:pre-?)?authorized|(?:did not|didn't) have an approved authorization"
                                          r"|prior approval (?:was|is) not (?:obtained|requested)|must (?:obtain|get) prior approval"
                                          r"|no record of (?:a |any )?prior (?:approval|authori[sz]ation)"),
    (DenialReason.step_therapy, r"step therapy|tried and failed|must first try|first try|non-preferred|preferred (?:drugs?|"
                                r"alternatives?|antidepressants?)|documented trials? of|adequate trials? of|trials? of at least"
                                r"|(?:have|has) not tried|not on (?:our|the|your plan's) (?:formulary|drug list)"),
    (DenialReason.out_of_network, r"out.of.network|non.participating|not in (?:our|the plan's) network"
                                  r"|not (?:part of|in) (?:your|our|the) (?:[\w'-]+ ){0,3}network\b"),
    (DenialReason.benefit_exclusion, r"excluded|exclusion|not a covered benefit|not allowed by law to cover|(?:does|do) not cover (?:this|the) service|funded line"
                                     r"|benefit limit|limit of (?:visits|days|units)|limited number of|cannot pay for drugs"
                                     r"|(?:does|do) not allow (?:plans|us|the plan) to cover"
                                     r"|\bvisit limit\b|covered only under (?:the|your) (?:pharmacy|medical) benefit\b"
                                     r"|covered (?:by|under) (?:Medicare )?Part [AB]\b|\b(?:does|do)(?:n't| not) pay for (?![^.]*\b(?:that (?:are|is) not|from)\b)"),
    # 'insufficient', but not the published evidence's ('the literature is insufficient to establish ...'): that is
    # the plan calling the treatment unproven, not asking for records
    (DenialReason.insufficient_documentation, r"(?<!literature is )(?<!literature are )(?<!evidence is )(?<!evidence are )"
                                              r"(?<!data is )(?<!data are )(?<!studies are )(?<!research is )insufficient"
                                              r"(?! (?:(?:scientific|clinical|published|medical|peer[- ]reviewed) )*"
                                              r"(?:evidence|literature|data|studies|research)\b)"
                                              r"|not enough information|did not receive (?:the|enough|any|documentation|records)"
                                              r"|missing records"
                                              r"|information (?:sent|provided|received) does not show|not (?:yet )?been measured"
                                              r"|(?:does|do) not show why"
                                              r"|\b(?:records|notes|information|request)(?: [\w-]+){0,5} (?:do|does|did) not (?:include|contain|document)\b"
                                              r"|\bno documentation (?:of|that)\b"),
    (DenialReason.coding_billing, r"coding|billing error|invalid code|modifier|cannot be billed|(?:billed|reported) together"
                                  r"|add-on code|billed (?:incorrectly|in error)|included in the payment for"),
    (DenialReason.not_medically_necessary, r"medically necessary|medical necessity|reasonable and necessary"
                                           r"|does not (?:meet|support) (?:the )?(?:need|medical policy|coverage criteria|criteria)"
                                           r"|does not meet medical policy|(?:does|do|did) not meet (?:[\w'-]+ ){0,4}criteria"
                                           r"|(?:is|are) approved (?:only )?(?:when|after)\b|\bcovers \w+ for [\w -]{3,60} when\b"
                                           r"|more than (?:what is )?medically needed|\blevel of (?:care|therapy|services?)\b"
                                           r"|(?:does|do) not support this (?:many|frequency)|could not be (?:managed|provided) in (?:the|a|an) "
                                           r"(?:home|lower|outpatient|other)"),
    # what is none of these: coverage that had ended, a person not enrolled on the day of the care
    (DenialReason.other, r"\bgrace period\b|coverage (?:ended|was terminated|had ended)|(?:were|was) not (?:eligible|enrolled) "
                         r"(?:for coverage )?on\b"),
)


# --------------------------------------------------------------------------------------------------------------
# Reading one value


def _tidy(text: str, ocr: bool = False) -> str:
    if ocr:  # OCR reads the I of a label's 'ID' as ! or l or 1
        text = re.sub(r"(?<![A-Za-z0-9])[!|l1]D(?=[\s:#])", "ID", text)
    return (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
            .replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " "))


def _cut(text: str) -> str:
    """A value ends where the next label on the line starts."""
    match = NEXT_LABEL.search(text)
    return (text[: match.start()] if match else text).strip()


def _name(text: str) -> str | None:
    """'Dana R. Whitfield', or 'WHITFIELD, DANA' turned round; at least two words, none of them a label."""
    text = _cut(text).rstrip(",.;:")  # 'Dear Darnell Okafor:'
    if re.fullmatch(r"[A-Z'’-]+, [A-Z'’ .-]+", text):
        last, first = text.split(", ", 1)
        text = f"{first} {last}"
    words = []
    split = text.split()
    if len(split) > 2 and split[0].lower().rstrip(".") in TITLES:
        split = split[1:]
        if len(split) > 2 and re.fullmatch(r"\((?:Ret|Retired)\.?\)", split[0]):  # 'SGT (Ret) Marcus D. Holloway'
            split = split[1:]
    if len(split) > 2 and split[0].lower() in ("member", "patient", "enrollee", "beneficiary"):
        split = split[1:]  # 'Re: Member Dana Whitfield'
    for word in split:
        if word.lower().strip(":,.") in NOT_NAME or not re.fullmatch(NAME_WORD, word.rstrip(",")):
            break
        words.append(word.rstrip(","))
    if len(words) < 2 or re.fullmatch(r"(?i)(?:inc|llc|corp|co|ltd|llp|lp|pllc|pc)\.?", words[-1]):
        return None  # 'Brightwater Logistics, Inc.': a company, the policyholder, not a person
    if any(re.fullmatch(CREDENTIAL, word.rstrip(",")) and not (word == "DO" and text.isupper()) for word in words[1:]):
        return None  # 'Rahul Mehta-Sorensen MD', 'Ana Ruiz, NP': a clinician, never the patient
    if all(word.isupper() for word in words):
        words = ["-".join(part.capitalize() for part in word.split("-")) if len(word) > 1 and not word.endswith(".")
                 else word for word in words]
    return " ".join(words)


def _past_date(text: str) -> Any:
    """The first date after the label, with OCR's digit slips corrected (and marked)."""
    match = re.match(DATE.replace(r"\d", r"[\dOlISB]"), text.strip())
    if not match:
        return None
    return _checked(match.group(), lambda value: not_in_future(parse_date(value)), digits=True, month_names=True)


def _org(text: str) -> str | None:
    """An organization's name: capitalized words, with a word that says it is a plan or a company."""
    text = re.sub(r"(?i)\s+(?:-\s+)?(?:Appeals? (?:Unit|Department)|Utilization Management|Member Services)\s*$", "",
                  text.strip())
    text = _cut(text).rstrip(",")
    # 'Bluegrass Unity Health Plan - Kentucky Medicaid': the program it serves is not part of the company's name
    text = re.sub(r"\s+-{1,2}\s+(?:[A-Z][a-z]+ )?(?:Medicaid|Medicare|Marketplace|Federal Employees|TRICARE)\b[\w ()-]*$", "", text)
    if re.search(r"(?i)explanation of benefits|summary notice|^(?:notice|this is|a |an )\b", text):
        return None  # a document's title or a line about the plan, not a name
    if re.fullmatch(r"(?i)(?:inc|co|corp|ltd|l\.?l\.?c)\.?", text):
        return None  # a company's ending alone ('..., Inc. provides ...' read from its last word) is no name
    if not re.search(r"(?i)\b(?:inc|co|corp|ltd|l\.?l\.?c|assn|bros)\.$", text):  # 'Inc.' keeps its dot
        text = text.rstrip(".")
    if not re.fullmatch(r"[A-Z][\w&'.,-]*(?: (?:of|and|&|for|the|-)?\s?[A-Z][\w&'.,-]*){0,7}(?: \([A-Z]{2,6}\))?", text):
        return None
    if not re.search(r"(?i)health|insurance|plan|care|benefit|medicare|medicaid|mutual|administrat|contractor|"
                     r"department|agency|tricare|services|company|\binc\b|assurance|blue", text):
        return None
    return text


def _denied(rows: list[Line]) -> list[Line]:
    """The service lines a table marks as denied: by a word ('Denied', 'NO', 'Not covered'), or, when some lines
    were paid and others not, by a $0.00 among a line's amounts before its last (the plan's allowed or paid
    column; the last is what the person owes). Empty when the table does not tell."""
    worded = [row for row in rows if re.search(r"\b(?:NO|Denied|DENIED|Not covered)\b|(?<=  )No(?=  )", row.text)]
    if worded:
        return worded
    unpaid = [row for row in rows if re.search(r"^\$?0\.00$", " ".join(_amounts(row.text)[1:-1]).replace(" ", "\n"), re.M)]
    return unpaid if len(unpaid) < len(rows) else []


def _table_row(text: str) -> bool:
    """A line of a table that starts a row: an amount ('$168.00', or '6,850.00' in a column of them), a date of
    service, or a code in a cell of its own ('... initial   90867   1')."""
    return re.search(r"\$\s?[\d,]+\.\d\d|\d{1,2}/\d{1,2}/\d{2,4}|(?<=  )[\d,]+\.\d\d(?=  )"
                     r"|(?<=  )[A-Z]?\d{4}[0-9A-Z]?(?=,|  |$)", text) is not None


def _amounts(text: str) -> list[str]:
    return re.findall(r"\$\s?[\d,]+\.\d\d", text)


def _letterhead_plan(text: str) -> str | None:
    """A line of a letterhead that is a plan's name: capitalized words ending in a word that names a plan ('Fee-for-
    Service Medicaid Program', 'Service Benefit Plan - Standard Option') or with a metal tier and its deductible
    ('Everglade Bronze 6000 Select'), what follows in brackets left out ('(Marketplace)', '(self-funded)'); an
    administrator's lead-in ('Claims Administrator - ') is not part of it."""
    text = re.sub(r"^(?:Claims |Third-Party )?Administrator(?: of| for)?(?: the)?\s*-?\s*", "", text.strip())
    if re.match(r"(?:A|An)\s", text):
        return None  # 'A Medi-Cal Managed Care Health Plan': what the company above it is, not a name
    bare = re.sub(r"\s*\([^()]*\)$", "", text) if not re.search(r"\(" + PLAN_LETTERS + r"\)$", text) else text
    if re.fullmatch(r"[A-Z][\w&'.-]*(?: (?:of|and|for|&|-|[A-Z0-9][\w&'.-]*)){0,9} (?:Plan|Program|HMO|PPO|EPO|POS|Option)"
                    r"(?: - [A-Z]\w+ Option)?", bare) and not re.search(r"(?i)\b(?:department|division|office|unit)\b", bare) \
            or re.fullmatch(r"[A-Z][\w&'.-]*(?: [\w&'.-]+){0,2} (?:Bronze|Silver|Gold|Platinum) \d{3,5}(?: [A-Z]\w+)?", bare):
        return bare
    return None


def _plan_name(text: str) -> str | None:
    """A plan's name without what the notice adds after it in brackets ('(self-funded; Group 88-4150)',
    '(HealthCare.gov)'); a one-word bracket that is part of the name stays ('(HMO)', '(PDP)', '(Group)')."""
    value = _phrase(text)
    if value is None:
        return None
    # what the notice adds in brackets after the name ('(self-funded; Group 88-4150)', '(HealthCare.gov)') is left
    # out, and said; a plan type's letters ('(HMO)', '(PDP)') are part of the name
    bare = re.sub(r"\s*\((?:[^()]*(?:\d|;|\.|" + NOT_PLAN_NAME + r")[^()]*\)|[^()]*$)$", "", value)
    if bare != value and len(bare) >= 3:
        return bare, N_("words in brackets after the name were left out; check the plan's name")
    if "(" in value and not re.search(r"\(" + PLAN_LETTERS + r"\)$", value):
        return value, N_("the brackets in it may not be part of the plan's name")
    return value


def _phrase(text: str) -> str | None:
    value = _cut(text).rstrip(".;, ")
    value = re.sub(r"\s*\((?:codes?|CPT|HCPCS)[^)]*\)?$", "", value)
    value = re.split(r",?\s+\(?(?:CPT|HCPCS|NDC|codes?)\b", value)[0]  # 'nasal spray, HCPCS G2082, requested by...'
    value = re.sub(r"\s*\((?:[^)]*\b(?:purchased|bought|through|via|Marketplace|exchange)\b[^)]*)\)$", "", value)
    value = re.sub(r"^(?:prior )?(?:coverage|payment|approval|authori[sz]ation) (?:of|for)\s+", "", value)
    value = re.sub(r"^(?:an?|the) (?=\w)", "", value)  # 'coverage of an MRI of the knee': the MRI
    value = re.sub(r"\s+-\s+(?:CPT |HCPCS )?[A-Z]?\d{4}[0-9A-Z]?\b.*$", "", value)  # '... (8 sessions) - G2082'
    value = re.sub(r"^\d{1,2}/\d{1,2}/\d{2,4}\s+", "", value)  # a table row's date of service before it
    value = re.split(r"\s+--(?:\s+|$)", value)[0]  # '... observation -- HCPCS S0013 x 84 units': the codes, read apart
    value = re.sub(r",\s*(?:from )?(?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?:,? \d{4})?\s*(?:-|to|through)\s*"
                   r"(?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?:,? \d{4})?$", "", value)  # its dates
    if re.match(r"\d+ (?:visits?|sessions?|treatments?|units?|days?) of \w", value):  # '24 visits of outpatient ...'
        value = re.sub(r"^\d+ \w+ of ", "", value)
        value = value[0].upper() + value[1:]
    value = re.sub(r"\s+(?:[A-V]\d{4}|\d{4}[0-9FTU])$", "", value)  # '... pump insulin E0784': the code, read apart
    value = re.sub(r",? for (?:the )?diagnos[ie]s\b.*$", "", value)
    value = re.split(r"\s*\((?:[A-Z]?\d{4}[0-9A-Z]?(?:-[A-Z0-9]{2})*(?:\s*x\s*\d+)?[,;]?\s*)+\)", value)[0]  # '(G2082, G2083)': the codes, read apart
    value = re.split(r"\s*\((?:CPT |HCPCS )?\d{5} [a-z]", value)[0]  # '(97110 therapeutic exercise, ...': codes and their names

    if re.fullmatch(r"(?i)(?:services?|descriptions?|procedures?|items?|drugs?|medications?|treatments?)", value):
        return None  # a table's column heading under the label, not the service's name
    return value if len(value) >= 3 and re.search(r"[A-Za-z]{3}", value) else None


def _procedure_codes(text: str, ocr: bool) -> tuple[list[tuple[str, str | None]], str] | None:
    found = []
    for match in re.finditer(r"\b([0-9OlIS]{4}[0-9FTU]|[A-V][0-9OlIS]{4})\b(?:\s*\(([^)]*)\)|\s+-\s+([^,;]+))?", text):
        code = match.group(1)
        if re.fullmatch(r"\d{4}[0-9FTU]|[A-V]\d{4}", code):
            fixed = code  # a code as printed ('S9480' is a HCPCS code, not 59480 misread)
        elif not ocr:
            continue  # OCR repairs only where the text came from OCR
        else:
            fixed = code[0] + code[1:].translate(OCR_DIGITS) if code[0].isalpha() and code[0] not in "OlIS" else code.translate(OCR_DIGITS)
        if not re.fullmatch(r"\d{4}[0-9FTU]|[A-V]\d{4}", fixed):
            continue
        found.append((fixed, (match.group(2) or match.group(3) or "").strip() or None))
    if not found:
        return None
    return found, (N_("read by OCR: CPT codes cannot be checked against a code set here") if ocr else "")


def _checked(raw: str, check: Callable[[str], Any], *, digits: bool, month_names: bool = False) -> tuple[Any, str]:
    """The value if it passes `check`; else the single OCR correction that passes it, marked; else (None, '')."""
    try:
        return check(raw), ""
    except ValueError:
        pass
    if digits:
        if month_names:  # keep the letters of 'March', correct only the digit groups
            fixed = re.sub(r"[\dOlISB]{1,4}", lambda m: m.group().translate(OCR_DIGITS), raw)
        else:
            fixed = raw.translate(OCR_DIGITS)
        candidates = [fixed]
    else:  # an ICD-10 code: a letter, two digits (or a digit and a letter), then up to four characters
        first = [raw[0]] + ([OCR_LETTERS[raw[0]]] if raw[0] in OCR_LETTERS else [])
        middle = raw[1:3].translate(OCR_DIGITS)
        candidates = [letter + middle + raw[3:] for letter in first]
        candidates += [letter + middle + raw[3:].translate(OCR_DIGITS) for letter in first]
    valid = []
    for candidate in dict.fromkeys(candidates):
        if candidate == raw:
            continue
        try:
            valid.append(check(candidate))
        except ValueError:
            continue
    if len(set(map(str, valid))) == 1:
        return valid[0], gettext("corrected from '{raw}' as printed in the scan: check it").format(raw=raw)
    return None, ""


# --------------------------------------------------------------------------------------------------------------
# Public API


def extract(notice: NoticeText) -> Extraction:
    return _Reader(notice).run()


def to_case(extraction: Extraction, base: Case | None = None) -> tuple[Case, list[str]]:
    """The case the notice gives (each value validated by the case model), and the values the model refused."""
    from appeal.cases.case_paths import set_path

    case = (base or Case()).model_copy(deep=True)
    refused: list[str] = []
    values = dict(_case_values(extraction))
    if not extraction.writes_denial:  # an approval, a paid EOB...: nothing of a denial goes into the case
        values = {path: value for path, value in values.items() if not path.startswith("denial.")}
    elif case.letter_kind is None:
        from appeal.letters.kinds import default_name

        values = {"letter_kind": default_name(has_denial=True), **values}
    for path, value in values.items():
        try:
            case = set_path(case, path, value)
        except ValidationError as error:
            refused.append(f"{path}: {error.errors()[0]['msg'].removeprefix('Value error, ')}")
        except ValueError as error:
            refused.append(f"{path}: {error}")
    return case, refused


def _case_values(extraction: Extraction):
    found = extraction.found
    if "patient_name" in found:
        *first, last = found["patient_name"].value.split()
        yield "patient.first_name", " ".join(first)
        yield "patient.last_name", last
    for key, path in CASE_PATHS.items():
        if key in found:
            yield path, found[key].value
    if extraction.treatment_kind:
        yield "treatment.kind", extraction.treatment_kind
    if "procedure_codes" in found:
        yield "treatment.codes", [{"code": code, "description": text} for code, text in found["procedure_codes"].value.codes]
    if "diagnoses" in found:
        yield "diagnoses", [{"code": code} for code in found["diagnoses"].value]
    level = LEVELS.get(extraction.document.type) if extraction.document and extraction.document.certain else None
    if level:
        yield "denial.level_exhausted", level
    if "reason" in found:
        yield "denial.reason", found["reason"].value
        if extraction.other_reasons:
            yield "denial.other_reasons", extraction.other_reasons


# The last decision made, where the kind of denial says it (the case's `denial.level_exhausted`): a final internal
# denial's next step is an outside review. A first denial is what a case without a level already means, and an
# appeal's decision may be the first of two levels or the last, which the plan's levels settle, so neither is set.
LEVELS = {DocumentType.final_internal_denial: ReviewLevel.final_internal}


def stated_due(stated: StatedDeadline, case: Case) -> date | None:
    """The notice's deadline as a date: its own date, or its days (months) counted from the notice's date."""
    from appeal.rules.deadlines import add_months

    if stated.due:
        return stated.due
    if not (case.denial and case.denial.notice_date):
        return None
    if stated.months:
        return add_months(case.denial.notice_date, stated.months)
    if stated.days:
        return case.denial.notice_date + timedelta(days=stated.days)
    return None


def _rule_cannot_count(case: Case, report) -> str:
    """Why the rule's deadline cannot be counted, in plain words: what the case is missing."""
    if case.insurance.plan_type is None:
        return gettext("The tool cannot count the rule's deadline without the kind of coverage (the plan type), so go "
                       "by the notice.")
    if report is None or any(item.missing for item in report.filing) or not case.denial.notice_date:
        return gettext("The tool cannot count the rule's deadline without the date printed on the notice; add it, or "
                       "go by the notice.")
    return gettext("No rule the tool knows gives a deadline for this step, so go by the notice.")


def deadline_comparison(extraction: Extraction, case: Case, today: date | None = None) -> str | None:
    """The appeal deadline: the notice's stated one beside the rule's, in words, never one silently replacing the
    other; the earlier is the one to go by. Without a stated one, the rule's, and a word that the notice's other
    time limits (a peer-to-peer call's, the records') are not it."""
    from appeal.base.language import long_date
    from appeal.rules import deadlines

    if not extraction.writes_denial:
        return None
    report = deadlines.report(case, today) if case.denial else None
    earliest = report.earliest if report else None
    found = extraction.found.get("appeal_deadline")
    others = [window for window in extraction.other_windows if not window.role.files_an_appeal]
    not_it = (" " + gettext("The other time limits on the notice ({windows}) are not your appeal deadline.").format(
        windows=", ".join(gettext("{words} {role}").format(words=window.words, role=window.role.label.split(";")[0])
                          for window in others[:3]))
              if others else "")
    if found is None:
        if earliest is None or earliest.due is None:
            return None
        return gettext("The notice does not state a deadline for an appeal. The rule ({citation}) gives {due}, "
                         "counted from {start}: send your appeal by then.").format(
            citation=earliest.rule.citation, due=long_date(earliest.due), start=earliest.start_label) + not_it
    stated: StatedDeadline = found.value
    notice_due = stated_due(stated, case)
    said = gettext("The notice says: \"{words}\"").format(words=stated.words.strip())
    if notice_due and not stated.due:
        said += " " + gettext("({due} counted from the date on the notice)").format(due=long_date(notice_due))
    said += "" if said.endswith(('."', '!"', '?"')) else "."  # the notice's sentence ends with its own full stop
    if earliest is None or earliest.due is None:
        return said + " " + _rule_cannot_count(case, report) + not_it
    if notice_due == earliest.due:
        return said + " " + gettext("That matches the rule ({citation}): {due}.").format(
            citation=earliest.rule.citation, due=long_date(earliest.due)) + not_it
    if notice_due is None:
        return said + " " + gettext("The rule ({citation}) gives {due}. Aim for the earlier of the two dates.").format(
            citation=earliest.rule.citation, due=long_date(earliest.due)) + not_it
    safe, later = sorted([notice_due, earliest.due])
    return said + " " + gettext(
        "The rule the tool applies ({citation}) gives {due}, counted from {start}. They differ: {safe}, the earlier, is "
        "the safe date to send your appeal by. The later date, {later}, may also apply, but do not count on it "
        "without checking with the plan.").format(citation=earliest.rule.citation, due=long_date(earliest.due),
                                                  start=earliest.start_label, safe=long_date(safe),
                                                  later=long_date(later)) + not_it
