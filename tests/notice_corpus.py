"""A corpus of made-up denial notices with their true field values, for the import tests and benchmark.

Varied on purpose: five layouts (labelled lines, two columns, form boxes with the value under the label, a
prose letter, a 'RE:' block), every plan type's own wording, every denial reason in several wordings, notices
that state a deadline in days, as a date, or not at all, and distracting numbers a careless reader would take
(the member-services phone, the doctor's fax, the date of service, the date the request arrived).
Each notice can be written as plain text, as a text PDF (reportlab) or as a noisy, slightly rotated 200-dpi
scan (Pillow). Every name, number and address here is invented.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

PEOPLE = [
    ("Dana", "Whitfield"), ("Marcus", "Oyelaran"), ("Priya", "Raman"), ("Tomas", "Ibarra"), ("Ellen", "Kowalski"),
    ("Jordan", "Bell"), ("Rosa", "Delgado"), ("Samuel", "Achterberg"), ("Mei", "Lin"), ("Grace", "Okafor"),
    ("Henry", "Lindqvist"), ("Aisha", "Haddad"),
]
SERVICES = [
    ("IV ketamine infusion therapy", [("96365", "IV infusion, first hour"), ("J3490", "unclassified drug")]),
    ("Esketamine nasal spray (Spravato)", [("G2082", "esketamine, up to 56 mg")]),
    ("Ketamine infusion for chronic pain", [("96365", "IV infusion, first hour"), ("96366", "each additional hour")]),
    ("Transcranial magnetic stimulation", [("90867", "TMS, initial")]),
    ("Intramuscular ketamine injection", [("96372", "injection")]),
]
DIAGNOSES = ["F33.2", "F32.2", "F43.12", "G90.512", "F33.1", "R45.851"]
NPIS = ["1234567893", "1003000126", "1588667638", "1922078922"]
REASONS = {
    "not_medically_necessary": [
        "The requested service is not medically necessary for your condition. The information from your "
        "provider does not show that you meet our clinical policy for this treatment.",
        "Based on the records we received, this service does not meet medical necessity criteria under our "
        "clinical policy bulletin.",
    ],
    "experimental": [
        "This treatment is considered experimental and investigational for your condition because its "
        "effectiveness has not been established.",
        "Our medical policy considers this service investigational; it is not covered.",
    ],
    "off_label": [
        "This drug is not FDA-approved for the diagnosis submitted. Off-label use is not covered by your plan.",
    ],
    "no_prior_authorization": [
        "The service was provided without prior authorization, which your plan requires for this service.",
        "No prior authorization was on file for this service before it was given.",
    ],
    "step_therapy": [
        "Our records do not show that you have tried and failed the preferred alternatives required by our "
        "step therapy policy.",
    ],
    "out_of_network": [
        "The provider is out-of-network and your plan does not cover non-emergency care from out-of-network "
        "providers.",
    ],
    "benefit_exclusion": [
        "This service is excluded from coverage under your plan. See the exclusions section of your benefit "
        "booklet.",
    ],
    "insufficient_documentation": [
        "We did not receive enough information to make a decision. The records sent were insufficient to "
        "review your request.",
    ],
}
PLANS = {
    "employer_self_funded": (
        ["Crestline Benefit Administrators", "Northwind Health Services"],
        ["Lakeside Manufacturing Employee Health Plan", "Vantage Retail Group Health Plan"],
        "Your plan is a self-funded group health plan governed by the Employee Retirement Income Security Act "
        "(ERISA). {insurer} provides claims administration services only. You may bring a civil action under "
        "section 502(a) of ERISA after your appeal.",
    ),
    "employer_fully_insured": (
        ["Great Plains Health Insurance Company", "Summit Mutual Health"],
        ["Summit Choice PPO", "Great Plains Group HMO"],
        "This group health plan is fully insured by {insurer}. You may also contact your state department "
        "of insurance for help.",
    ),
    "individual_marketplace": (
        ["Bright Harbor Health", "Evergreen State Health Plan"],
        ["Bright Harbor Silver 2500", "Evergreen Gold Select"],
        "You bought this individual plan through the Health Insurance Marketplace (HealthCare.gov).",
    ),
    "medicare_advantage": (
        ["Golden Years Health Plan", "Heritage Senior Care"],
        ["Golden Years Medicare Advantage HMO", "Heritage Medicare Advantage PPO"],
        "NOTICE OF DENIAL OF MEDICAL COVERAGE. We made an organization determination on your Medicare "
        "Advantage plan coverage. You may ask for a plan reconsideration.",
    ),
    "medicare_part_d": (
        ["RxPath Prescription Plans", "Meridian Drug Plan"],
        ["RxPath Medicare Part D Basic", "Meridian Part D Plus"],
        "Notice of Denial of Medicare Prescription Drug Coverage. We made a coverage determination under your "
        "Medicare Part D plan. You may ask for a redetermination.",
    ),
    "medicare_original": (
        ["Noridian Medicare Administrative Contractor", "Palmetto Medicare Administrative Contractor"],
        ["Original Medicare Part B", "Original Medicare"],
        "This claim was processed under Original Medicare by a Medicare Administrative Contractor. You may ask "
        "for a redetermination.",
    ),
    "medicaid_managed_care": (
        ["Riverbend Community Health Plan", "Sunrise Medicaid Health Plan"],
        ["Riverbend Medicaid Managed Care", "Sunrise Medicaid Choice"],
        "You are enrolled in a Medicaid managed care plan. After the plan appeal you may ask for a state fair "
        "hearing.",
    ),
    "medicaid_ffs": (
        ["Ohio Department of Medicaid", "State Medicaid Agency"],
        ["Medicaid fee-for-service", "Medicaid Fee-for-Service Program"],
        "Your care is paid by the state Medicaid program on a fee-for-service basis. You may ask for a state fair "
        "hearing.",
    ),
    "tricare": (
        ["TRICARE East Region Contractor", "TRICARE West Region Contractor"],
        ["TRICARE Prime", "TRICARE Select"],
        "This decision concerns your TRICARE coverage.",
    ),
    "fehb": (
        ["Federal Blue Benefit Plan", "Capitol Health Benefits"],
        ["FEHB Standard Option", "FEHB High Option"],
        "Your plan is part of the Federal Employees Health Benefits (FEHB) Program. After our reconsideration you "
        "may ask OPM to review the claim.",
    ),
}
ADDRESSES = [
    ["Appeals Department", "PO Box 14079", "Lexington, KY 40512"],
    ["Attn: Grievance and Appeals Unit", "2200 Market Street, Suite 400", "Columbus, OH 43215"],
    ["Member Appeals", "PO Box 30432", "Salt Lake City, UT 84130"],
]
FAXES = ["(859) 555-0142", "(614) 555-0187", "(801) 555-0110"]
ADJUSTMENTS = [["CO-50", "N115"], ["CO-197"], ["CO-96", "N130"], []]
SYNONYMS = {
    "date": ["Date of notice", "Notice date", "Date of this letter", "Date mailed", "Decision date"],
    "name": ["Member name", "Patient name", "Enrollee", "Beneficiary", "Patient"],
    "member": ["Member ID", "Subscriber ID", "Member #", "Identification number", "Medicaid ID"],
    "reference": ["Claim number", "Case #", "Authorization number", "Reference #", "Appeal number", "Claim ID"],
    "service": ["Service", "Service denied", "Item or service", "Treatment", "Description of service"],
    "reason": ["Reason for denial", "Rationale", "Denial reason", "Reason for this decision", "Explanation"],
}
LAYOUTS = ("labelled", "columns", "form", "prose", "re_block")


@dataclass
class Notice:
    name: str
    lines: list[str]
    truth: dict[str, str | None]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _d(value: date) -> str:
    return f"{value:%m/%d/%Y}"


def _long(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def make(index: int) -> Notice:
    """Notice number `index`: deterministic, different layouts, plans and reasons for neighbouring numbers."""
    rng = random.Random(1000 + index)
    plan_type = list(PLANS)[index % len(PLANS)]
    insurers, plan_names, cue = PLANS[plan_type]
    insurer, plan_name = rng.choice(insurers), rng.choice(plan_names)
    layout = LAYOUTS[index % len(LAYOUTS)]
    reason = list(REASONS)[(index * 3) % len(REASONS)]
    quote = rng.choice(REASONS[reason])
    first, last = PEOPLE[index % len(PEOPLE)]
    service, codes = SERVICES[index % len(SERVICES)]
    diagnosis = DIAGNOSES[index % len(DIAGNOSES)]
    npi = NPIS[index % len(NPIS)] if index % 3 else None
    notice_date = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 300))
    service_date = notice_date - timedelta(days=rng.randrange(20, 60))
    received = notice_date - timedelta(days=rng.randrange(3, 15))
    birth = date(1950 + rng.randrange(0, 50), rng.randrange(1, 13), rng.randrange(1, 29))
    member_id = rng.choice(["W", "XJK", "M", "1EG4", "H"]) + "".join(rng.choice("0123456789") for _ in range(9))
    group = rng.choice(["", "GRP-", "G"]) + "".join(rng.choice("0123456789") for _ in range(6))
    if plan_type.startswith("medic") or plan_type == "tricare":
        group = ""
    reference = rng.choice(["CLM-", "UM", "A", "2026"]) + "".join(rng.choice("0123456789") for _ in range(8))
    address, fax = ADDRESSES[index % len(ADDRESSES)], FAXES[index % len(FAXES)]
    adjustments = ADJUSTMENTS[index % len(ADJUSTMENTS)] if index % 2 else []
    deadline_style = index % 4
    if deadline_style == 0:
        deadline_line, deadline_truth = "You must file your appeal within 180 days of receiving this notice.", "180 days"
    elif deadline_style == 1:
        due = notice_date + timedelta(days=60)
        deadline_line, deadline_truth = f"Your appeal must be received by {_long(due)}.", due.isoformat()
    elif deadline_style == 2:
        deadline_line, deadline_truth = "You have 65 days from the date of this notice to ask for a review.", "65 days"
    else:
        deadline_line, deadline_truth = "If you disagree, you can ask us to look at this again.", None
    code_text = ", ".join(f"{code} ({text})" for code, text in codes)
    truth = {
        "patient_name": f"{first} {last}",
        "date_of_birth": birth.isoformat(),
        "member_id": member_id,
        "group_number": group or None,
        "insurer": insurer,
        "plan_name": plan_name,
        "plan_type": plan_type,
        "notice_date": notice_date.isoformat(),
        "reference": reference,
        "service": service,
        "procedure_codes": ", ".join(code for code, _ in codes),
        "diagnoses": diagnosis,
        "provider_npi": npi,
        "reason": reason,
        "quote": quote,
        "appeal_deadline": deadline_truth,
        "appeals_fax": fax,
        "appeals_address": ", ".join(address),
        "adjustment_codes": ", ".join(adjustments) or None,
    }
    member_services = "Questions? Call Member Services at 1-800-555-0199 (TTY 711), Monday to Friday."
    doctor_fax = "Your doctor may send records to our clinical team by fax at (800) 555-0123."
    npi_text = f"Provider: Dr. Alana Reyes, NPI {npi}" if npi else "Provider: Dr. Alana Reyes"
    adjust_text = [f"Claim adjustment reason and remark codes: {' '.join(adjustments)}"] if adjustments else []
    where = [f"Fax: {fax}", *address] if index % 2 else [*address, f"Fax: {fax}"]
    appeal_section = ["HOW TO APPEAL", deadline_line, "Send your written appeal to:", *where, member_services]
    letterhead = [insurer, "Utilization Management", ""]

    if layout == "labelled":  # each plan words its labels its own way
        said = {name: rng.choice(options) for name, options in SYNONYMS.items()}
        lines = letterhead + [
            f"{said['date']}: {_d(notice_date)}", "",
            f"{said['name']}: {first} {last}", f"Date of birth: {_d(birth)}", f"{said['member']}: {member_id}",
            *([f"Group number: {group}"] if group else []), f"Plan name: {plan_name}",
            f"{said['reference']}: {reference}", f"Date of service: {_d(service_date)}", "",
            f"{said['service']}: {service}", f"Procedure codes: {code_text}", f"Diagnosis (ICD-10): {diagnosis}",
            npi_text, *adjust_text, "", cue.format(insurer=insurer), "",
            f"{said['reason']}:", quote, "", *appeal_section, doctor_fax,
        ]
    elif layout == "columns":
        lines = letterhead + [
            f"Notice date: {_long(notice_date)}", "",
            f"Patient: {first} {last}          Member ID: {member_id}",
            f"Date of birth: {_d(birth)}          " + (f"Group #: {group}" if group else f"Plan: {plan_name}"),
            *([f"Plan: {plan_name}"] if group else []),
            f"Reference number: {reference}          Request received: {_d(received)}",
            f"Requested service: {service}", f"CPT/HCPCS: {code_text}", f"ICD-10: {diagnosis}", npi_text,
            *adjust_text, "", cue.format(insurer=insurer), "",
            f"Why we denied it: {quote}", "", *appeal_section,
        ]
    elif layout == "form":
        lines = letterhead + [
            "DATE OF THIS NOTICE", _d(notice_date), "PATIENT NAME", f"{last.upper()}, {first.upper()}",
            "DATE OF BIRTH", _d(birth), "MEMBER ID", member_id, *(["GROUP NUMBER", group] if group else []),
            "PLAN NAME", plan_name, "AUTHORIZATION NUMBER", reference, "SERVICE REQUESTED", service,
            "PROCEDURE CODES", code_text, "DIAGNOSIS CODE", diagnosis, *([f"NPI: {npi}"] if npi else []),
            *adjust_text, "", cue.format(insurer=insurer), "",
            "REASON FOR OUR DECISION", quote, "", *appeal_section,
        ]
    elif layout == "prose":
        lines = letterhead + [
            _long(notice_date), "", f"{first} {last}", "12 Orchard Lane", "Dayton, OH 45402", "",
            f"Dear {first} {last},", "",
            f"{insurer} has reviewed the request for {service} (codes {code_text}) that we received on "
            f"{_long(received)} for the care given on {_d(service_date)}. Your member ID is {member_id}"
            + (f", your group number is {group}" if group else "")
            + f" and the case number for this decision is {reference}. The diagnosis given was {diagnosis}."
            + (f" The provider's NPI is {npi}." if npi else ""),
            "",
            f"Your plan: {plan_name}. Your date of birth on file: {_d(birth)}.",
            cue.format(insurer=insurer), "",
            "We denied this request because:", quote, "", *adjust_text, *appeal_section, "",
            "Sincerely,", f"{insurer} Appeals Unit",
        ]
    else:  # re_block
        lines = letterhead + [
            f"Date: {_d(notice_date)}", "",
            f"RE: {first} {last}   DOB: {_d(birth)}",
            f"ID #: {member_id}" + (f"   Group No.: {group}" if group else "") + f"   Claim #: {reference}",
            f"Plan name: {plan_name}", f"Item or service: {service}   Codes: {code_text}",
            f"Dx: {diagnosis}", npi_text, *adjust_text, "",
            f"Dear {first},", "", cue.format(insurer=insurer), "",
            f"Explanation: {quote}", "", *appeal_section,
        ]
    return Notice(f"notice-{index:02d}-{layout}-{plan_type}", lines, truth)


def corpus(count: int = 36) -> list[Notice]:
    return [make(index) for index in range(count)]


# --------------------------------------------------------------------------------------------------------------
# Writing a notice as a file


def _wrapped(lines: list[str], width: int) -> list[str]:
    import textwrap

    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, width, break_long_words=False, replace_whitespace=False) or [""]
    return out


def write_text(notice: Notice, folder: Path) -> Path:
    path = folder / f"{notice.name}.txt"
    path.write_text(notice.text, encoding="utf-8")
    return path


def write_pdf(notice: Notice, folder: Path) -> Path:
    """A text PDF, as a plan's mail system prints it (reportlab, Helvetica 10 pt)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = folder / f"{notice.name}.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    y = 740
    for line in _wrapped(notice.lines, 95):
        if y < 60:
            pdf.showPage()
            y = 740
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60, y, line)
        y -= 14
    pdf.save()
    return path


def scan_image(notice: Notice, seed: int = 0):
    """The notice printed and scanned at 200 dpi: gray paper, speckles, a slight tilt, JPEG blur."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    page = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 28)  # 10 pt at 200 dpi
    y = 120
    for line in _wrapped(notice.lines, 90):
        draw.text((130, y), line, fill=rng.randrange(0, 50), font=font)
        y += 40
    pixels = page.load()
    for _ in range(9000):
        x, yy = rng.randrange(page.width), rng.randrange(page.height)
        pixels[x, yy] = rng.randrange(90, 200)
    page = page.rotate(rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC, fillcolor=235)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page = page.point(lambda value: min(255, int(value * 0.92) + 12))  # gray paper, faded ink
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=70, dpi=(200, 200))
    buffer.seek(0)
    return Image.open(buffer)


def write_scan(notice: Notice, folder: Path, as_pdf: bool = False, seed: int = 0) -> Path:
    image = scan_image(notice, seed)
    path = folder / f"{notice.name}.{'pdf' if as_pdf else 'jpg'}"
    image.save(path, format="PDF" if as_pdf else "JPEG", resolution=200.0, quality=80)
    return path


# --------------------------------------------------------------------------------------------------------------
# Scoring what the import found against the truth


@dataclass
class Outcome:
    key: str
    truth: str
    got: str
    certain: bool

    @property
    def right(self) -> bool:
        return self.truth == self.got

    @property
    def wrong_but_certain(self) -> bool:
        return bool(self.got) and not self.right and self.certain


def score(notice: Notice, extraction) -> list[Outcome]:
    """One outcome per field; an address compares line by line, the plan's words ignoring line breaks."""
    outcomes = []
    for key, truth in notice.truth.items():
        found = extraction.found.get(key)
        got = " ".join(extraction.shown(key).replace("\n", ", ").split())
        outcomes.append(Outcome(key, truth or "", got, bool(found and found.certain)))
    return outcomes


def photo_image(notice: Notice, seed: int = 0, shadow: float = 0.5, skew: float = 3.0):
    """The notice photographed with a phone, as people do: tilted `skew` degrees, the light falling off across the
    page, and the shadow of the phone and hand over its lower part, where the appeal address and fax are (that
    part `shadow` times as bright: 0.5 is half as bright). What the paper says is what `make` says."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    page = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 28)
    y = 120
    for line in _wrapped(notice.lines, 90):
        draw.text((130, y), line, fill=rng.randrange(0, 40), font=font)
        y += 40
    # light falling off from the top left (1.0) to the bottom right (0.8): a horizontal and a vertical ramp
    ramp = Image.linear_gradient("L").resize(page.size).point(lambda value: 255 - value * 0.1)
    page = Image.composite(page, Image.new("L", page.size, 0), ramp.transpose(Image.Transpose.ROTATE_90)
                           .resize(page.size).point(lambda value: 255 - (255 - value) * 0.5))
    # the shadow: a soft-edged shape over the lower part of the page, from the left edge to beyond the middle
    mask = Image.new("L", page.size, 0)
    ImageDraw.Draw(mask).polygon([(0, 1150), (1250, 1300), (1500, 2200), (0, 2200)], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(40))
    page = Image.composite(page.point(lambda value: int(value * shadow)), page, mask)
    page = page.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=90)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, format="JPEG", quality=75)
    buffer.seek(0)
    return Image.open(buffer)


def write_photo(notice: Notice, folder: Path, seed: int = 0, shadow: float = 0.5, skew: float = 3.0) -> Path:
    path = folder / f"{notice.name}-photo.jpg"
    path.write_bytes(_jpeg_bytes(photo_image(notice, seed, shadow, skew)))
    return path


def _jpeg_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
