"""Each letter kind read as an insurer's medical reviewer reads it: every bundled example that fits the kind is
drafted, converted to PDF by LibreOffice once (one soffice run for the whole run, shared by pytest -n's workers:
conftest.converted_once), and its pages checked against the reviewer's rubric (length, tables, signature, routing,
argument, rights, voice, form)."""

from __future__ import annotations

import io
import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date

import pytest
from conftest import EXAMPLES, converted_once, drafted_example, example_case
from docx import Document

from appeal.rules import clinical, regulators, rule_book as rules
from appeal.letters import draft, kinds
from appeal.cases.case import PlanType, SenderRole, Urgency
from appeal.letters.letter_plan import context_for, refusals

TODAY = date(2026, 11, 28)
ARGUING = {"appeal", "external-review", "prior-auth", "medical-necessity", "reimbursement", "reauthorization"}
NO_PARITY_LAW = {PlanType.medicare_original, PlanType.medicare_advantage, PlanType.medicare_part_d,
                 PlanType.medicaid_ffs, PlanType.tricare, PlanType.va, PlanType.fehb}
EXTERNAL_REVIEW_PLANS = {PlanType.employer_self_funded, PlanType.employer_fully_insured,
                         PlanType.individual_marketplace}


def fits(kind: kinds.LetterKind, case) -> bool:
    """Whether a reviewer would expect this kind of letter for this case."""
    role = (case.sender.role or SenderRole.patient).value
    if role not in kind.senders or (kind.needs_denial and case.denial is None) or refusals(case, kind):
        return False
    mental_health = any(d.code.startswith("F") for d in case.diagnoses)
    final = case.denial is not None and case.denial.level_exhausted is not None and \
        case.denial.level_exhausted.value in ("final_internal", "external")
    return {
        "appeal": not final,
        "external-review": case.insurance.plan_type in EXTERNAL_REVIEW_PLANS,
        "prior-auth": rules.service_timing(case) == "pre_service",
        "reimbursement": bool(case.treatment.services),
        "parity-request": mental_health and case.insurance.plan_type not in NO_PARITY_LAW,
        # a reviewer expects the regulator's own address (a state this tool does not list leaves it to fill in)
        "regulator-complaint": getattr(regulators.for_case(case), "looked_up", True) is False,
        # a request to continue shows a score history from before and during treatment
        "reauthorization": case.denial is None and any(
            course.latest.date > course.baseline.date for course in clinical.score_courses(case)),
    }.get(kind.name, True)


def urgent(name: str):
    case = example_case(name)
    case.treatment.urgency = Urgency.expedited
    case.treatment.urgency_reason = "Severe depression with worsening passive suicidal thoughts."
    return case


CASES = {name: example_case(name) for name in EXAMPLES}
CASES["urgent-psychiatrist"] = urgent("esketamine-prior-auth-psychiatrist")
CASES["urgent-erisa"] = urgent("ketamine-trd-erisa-appeal")


def overseen_by(plan_type: str, state: str):
    """The late-appeal case under another plan type: its complaint goes to another regulator."""
    case = example_case("ketamine-erisa-late-appeal-daughter")
    case.insurance.plan_type, case.insurance.state, case.insurance.employer = plan_type, state, None
    return case


CASES["complaint-insured-ny"] = overseen_by("employer_fully_insured", "NY")
CASES["complaint-medicare-advantage"] = overseen_by("medicare_advantage", "FL")
VARIANTS = {"urgent": ("prior-auth", "appeal"), "complaint": ("regulator-complaint",)}
PAIRS = [(kind, name) for name, case in CASES.items() for kind, meta in kinds.all_kinds().items()
         if fits(meta, case) and kind in VARIANTS.get(name.split("-")[0], (kind,))]


@dataclass
class Rendered:
    case: object
    plan: object
    pages: list[str]  # the letter's pages before Attachment A, as pdftotext reads them
    attachment: str  # Attachment A
    words: list[list[list[str]]]  # blocks -> lines -> words, from pdftotext -bbox-layout, letter pages only
    docx: Document
    gaps: list[float]  # each letter page's blank space below its last line, as a share of the page's text area

    @property
    def body(self) -> str:
        return "\n".join(self.pages)

    @property
    def flat(self) -> str:
        return " ".join(self.body.split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Rendered]:
    folder = tmp_path_factory.mktemp("review")
    plans = {}
    for kind, name in PAIRS:
        drafted = (drafted_example(name, kind, TODAY) if name in EXAMPLES  # an unchanged example: drafted once a run
                   else draft.draft(CASES[name], kinds.get(kind), today=TODAY))
        plans[kind, name] = (drafted, context_for(CASES[name], kinds.get(kind), TODAY)["letter"])
    pdfs = converted_once([drafted.content for drafted, _ in plans.values()], tmp_path_factory)  # once in the run
    found = {}
    for ((kind, name), (drafted, plan)), content in zip(plans.items(), pdfs):
        pdf = folder / f"{kind}--{name}.pdf"
        pdf.write_bytes(content)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")[:-1]
        firsts = [next((line.strip() for line in page.splitlines() if line.strip()), "") for page in pages]
        before = next((n for n, first in enumerate(firsts) if first.startswith("Attachment A")), len(pages))
        root = _layout(pdf, before)
        found[kind, name] = Rendered(CASES[name], plan, pages[:before], "\n".join(pages[before:]),
                                     _words(root), Document(io.BytesIO(drafted.content)), _gaps(root))
    return found


def _layout(pdf, pages: int) -> ElementTree.Element:
    """Where every word is (pdftotext -bbox-layout), on the letter's pages only."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", "-l", str(max(pages, 1)), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    return ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml).replace('xmlns="http://www.w3.org/1999/xhtml"', ""))


def _words(root: ElementTree.Element) -> list[list[list[str]]]:
    """Each text block's lines as lists of words."""
    return [[[word.text or "" for word in line.iter("word")] for line in block.iter("line")]
            for block in root.iter("block")]


MARGIN = 0.7 * 72  # the templates' top and bottom margins, in points (letter_templates/build_templates.py)


def _gaps(root: ElementTree.Element) -> list[float]:
    """Each page's blank space under its lowest line, as a share of the text area between the margins."""
    gaps = []
    for page in root.iter("page"):
        height = float(page.get("height"))
        lowest = max((float(line.get("yMax")) for line in page.iter("line")), default=MARGIN)
        gaps.append((height - MARGIN - lowest) / (height - 2 * MARGIN))
    return gaps


def each(kinds_wanted=None):
    return pytest.mark.parametrize("pair", [pair for pair in PAIRS if kinds_wanted is None or pair[0] in kinds_wanted],
                                   ids="{0[0]}--{0[1]}".format)


def test_every_kind_has_an_example_that_fits_it():
    assert {kind for kind, _ in PAIRS} == set(kinds.all_kinds())


@each()
def test_length_is_two_to_four_pages_and_the_last_is_not_nearly_empty(rendered, pair):
    letter = rendered[pair]
    low = 2 if pair[0] in ARGUING else 1
    assert low <= len(letter.pages) <= 4, f"{len(letter.pages)} pages before Attachment A"
    last = [line for line in letter.pages[-1].splitlines() if line.strip()]
    assert len(last) >= 6, f"the last page holds only {len(last)} lines"
    assert ("Attachment A:" in letter.attachment) == bool(letter.plan.evidence)


@each()
def test_no_word_is_broken_inside_a_table_cell(rendered, pair):
    letter = rendered[pair]
    table_words = {word.strip(".,;:()") for table in letter.docx.tables for row in table.rows
                   for cell in row.cells for word in cell.text.split()}
    for block in letter.words:
        for line, following in zip(block, block[1:]):
            if not line or not following or line[-1].endswith("-"):
                continue
            joined = (line[-1] + following[0]).strip(".,;:()")
            assert not (joined in table_words and line[-1].strip(".,;:()") not in table_words), \
                f"'{line[-1]}' / '{following[0]}' is one word broken across lines"


@each()
def test_table_rows_do_not_split_and_the_header_repeats(rendered, pair):
    for table in rendered[pair].docx.tables:
        rows = table._tbl.tr_lst
        assert rows[0].find(".//{*}tblHeader") is not None
        assert all(row.find(".//{*}cantSplit") is not None for row in rows)


@each()
def test_the_signature_is_on_the_page_of_its_closing(rendered, pair):
    letter = rendered[pair]
    if "Sincerely," not in letter.body:  # a statement signed by both on lines (Medicare's written appointment)
        patient, representative = letter.case.patient.full_name, letter.case.sender.name
        assert any(f"I, {patient}" in page and f"Signature of {patient}" in page for page in letter.pages)
        assert any("accept this appointment" in page and f"Signature of {representative}" in page
                   for page in letter.pages)
        return
    first_line = str(letter.plan.signature[0])
    page = next(page for page in letter.pages if "Sincerely," in page)
    assert first_line in page, "the signature is separated from 'Sincerely,'"


@each()
def test_form_no_template_syntax_no_blanks_and_enclosures_listed(rendered, pair):
    letter = rendered[pair]
    assert "{{" not in letter.body and "{%" not in letter.body and "[ADD:" not in letter.body
    assert ("Enclosures:" in letter.body) == bool(letter.plan.enclosures)
    if letter.plan.evidence:
        assert "Attachment A: Evidence of medical necessity" in letter.body


@each()
def test_voice_matches_the_sender(rendered, pair):
    letter = rendered[pair]
    role = letter.plan.voice.role
    if role == "provider":
        assert "my patient" in letter.flat
        assert "The treating provider has determined" not in letter.flat
        assert "The treating provider certifies" not in letter.flat
        assert "NPI " in letter.flat
    elif kinds.get(pair[0]).signed_by == "patient":  # the patient's own document, drafted by the representative
        assert f"I, {letter.case.patient.full_name}, born" in letter.flat
    elif role == "representative":
        assert "on behalf of" in letter.flat
    else:
        assert "I am writing" in letter.flat


@each()
def test_routing_and_identification(rendered, pair):
    letter = rendered[pair]
    case = letter.case
    first = letter.pages[0]
    assert case.patient.member_id in first and case.patient.last_name in first
    assert ("URGENT: EXPEDITED REVIEW REQUESTED" in first) == letter.plan.urgent
    if letter.plan.urgent:
        assert "72 hours" in " ".join(first.split())
    if case.denial is not None and pair[0] in ("appeal", "external-review"):
        assert " ".join(case.denial.quote.split())[:60] in letter.flat
        if pair[0] == "appeal":  # an external review is the last step some plans have
            assert letter.plan.next_level
        if letter.plan.next_level:
            assert "If the denial is upheld" in letter.flat and letter.plan.next_level.split(",")[0] in letter.flat
    if case.denial is None and pair[0] in ("prior-auth", "reimbursement"):
        assert "If the plan denies this request" in letter.flat and "an internal appeal" in letter.flat


@each()
def test_the_appeal_level_is_stated_once_in_the_re_block(rendered, pair):
    """Where a reviewer routing the letter looks for it, and not again in the body."""
    letter = rendered[pair]
    level = str(letter.plan.level)
    if pair[0] in ("appeal", "external-review"):
        assert level
    if not level:
        assert "Appeal level" not in letter.flat and "This letter asks for" not in letter.flat
        return
    re_block = " ".join(letter.pages[0].split("Dear ")[0].split())
    assert f"Appeal level: {level[0].upper()}{level[1:]}" in re_block
    step = level.split(",")[0].lower()
    body = letter.flat.lower().split("dear ", 1)[1].replace(f"to request {step}", "")  # the request itself
    assert step not in body and "this letter asks for" not in body, f"the body states '{step}' again"


@each()
def test_the_last_page_holds_more_than_the_closing(rendered, pair):
    """The closing, signature and enclosures never stand alone on the last page: the last request, the reserved
    next step or the thanks go with them (short letters fit one page)."""
    letter = rendered[pair]
    if pair[0] in ("claim-file-request", "parity-request"):
        assert len(letter.pages) == 1, f"a request for documents runs {len(letter.pages)} pages"
    if len(letter.pages) == 1:
        return
    above = letter.pages[-1].split("Sincerely,")[0]
    lines = [line for line in above.splitlines() if line.strip()]
    assert len(lines) >= 3, f"the last page holds only the closing and enclosures ({len(lines)} lines above it)"


# The last request, reserved step, thanks, closing, signature and enclosures move to the next page together (letting
# the block break leaves a last page with the signature alone: test_the_last_page_holds_more_than_the_closing), so a
# page before the last can end early by as much as that block: 18 lines, 40% of a page, for a provider's letter with
# two closing paragraphs and three enclosures (35% on the bundled examples today). A larger gap is not the block
# moving but a hole in the letter (a stray page break, a table kept whole).
MAX_GAP = 0.40


@each()
def test_no_large_blank_gap_before_the_last_page(rendered, pair):
    letter = rendered[pair]
    for number, gap in enumerate(letter.gaps[:-1], start=1):
        assert gap <= MAX_GAP, f"page {number} ends {gap:.0%} of a page early"


@each(ARGUING)
def test_argument_is_cited_item_by_item(rendered, pair):
    letter = rendered[pair]
    body = letter.flat
    assert "Attachment A, items" not in body and "]-[" not in body
    cited = {int(number) for number in re.findall(r"\[(\d+)\]", body)}
    assert cited == {item.number for item in letter.plan.evidence}
    for diagnosis in letter.case.diagnoses:
        assert diagnosis.code in body
    for code in letter.case.treatment.codes:
        assert code.code in body


@each(ARGUING)
def test_no_sentence_the_facts_contradict(rendered, pair):
    letter = rendered[pair]
    body = letter.flat
    assert "lists 0 treatments" not in body
    if not letter.plan.facts["failed_names"]:
        assert "have been tried" not in body
    if letter.case.treatment.kind is not None and letter.case.treatment.kind.value == "esketamine_nasal":
        assert "REMS" in body.split("The treatment requested")[-1], "no REMS setting in the treatment section"


@each(ARGUING - {"reimbursement"})
def test_consequences_and_parity_where_they_apply(rendered, pair):
    letter = rendered[pair]
    if letter.case.clinical.functional_impairment:
        assert "What is at stake" in letter.flat
    parity = "Mental health parity" in letter.flat
    mental_health = any(d.code.startswith("F") for d in letter.case.diagnoses)
    reaches = letter.case.insurance.plan_type not in NO_PARITY_LAW
    assert parity == (mental_health and reaches and pair[0] != "medical-necessity")


@each({"reauthorization"})
def test_reauthorization_shows_the_scores_as_chart_and_table_with_their_definitions(rendered, pair):
    letter = rendered[pair]
    body = letter.flat
    assert "Response to treatment" in body and "Figure 1." in body and "Dosing and session frequency" in body
    for sentence in letter.plan.score_summary:
        assert " ".join(sentence.split()) in body
    assert "Response means a total at least 50% below the baseline" in body
    assert len(letter.docx.inline_shapes) == 1
    for row in letter.plan.score_rows:
        assert row.scores.split("; ")[0] in body
    # the chart stays on the page of its heading, its caption under it
    page = next(page for page in letter.pages if "Figure 1." in page)
    assert "Response to treatment" in page


@each({"external-review"})
def test_external_review_names_the_72_hour_expedited_review(rendered, pair):
    assert "no later than 72 hours" in rendered[pair].flat


def test_with_no_treatments_recorded_no_sentence_claims_they_failed():
    from conftest import docx_text

    case = example_case("ketamine-trd-erisa-appeal")
    case.prior_treatments = []
    case.denial.reason = "step_therapy"
    appeal = " ".join(docx_text(draft.draft(case, kinds.get("appeal"), today=TODAY).content).split())
    assert "lists 0 treatments" not in appeal and "They have been" not in appeal
    assert "Please identify the specific step the plan considers unmet" in appeal
    case.denial = None
    prior_auth = " ".join(docx_text(draft.draft(case, kinds.get("prior-auth"), today=TODAY).content).split())
    assert "alternatives have been tried" not in prior_auth and "I have already tried" not in prior_auth


# --------------------------------------------------------------------------------------------------------------
# The letters that do not go to the plan: the rubric points that apply to a complaint, an employer letter and an
# authorization (routing to the right office, identification, the story in date order, only the rules the dates
# show were broken and with their sources, requests, voice, signature and enclosures).
ESCALATION = {"regulator-complaint", "employer-letter"}


@each(ESCALATION)
def test_the_letter_reaches_the_right_office_and_tells_the_story_in_date_order(rendered, pair):
    letter = rendered[pair]
    first = letter.pages[0]
    assert letter.case.insurance.insurer not in first.split("Re:")[0], "addressed to the plan, not its overseer"
    if pair[0] == "regulator-complaint":
        assert letter.plan.regulator.name in first
    else:
        assert "Human Resources / Employee Benefits" in first and letter.case.insurance.employer in first
    rows = [" ".join(cell.text for cell in row.cells) for table in letter.docx.tables for row in table.rows]
    assert rows[0] == "Date What happened"
    days = [item.label for item in letter.plan.timeline]
    assert len(days) == len(rows) - 1 >= 1
    assert " ".join(letter.case.denial.quote.split())[:60] in letter.flat
    assert letter.plan.requests and all(request.split(",")[0] in letter.flat for request in letter.plan.requests)


@each(ESCALATION)
def test_only_the_rules_the_dates_show_were_broken_are_cited_each_with_its_source(rendered, pair):
    letter = rendered[pair]
    for breach in letter.plan.breaches:
        assert breach.split("(")[0] in letter.flat
        assert re.search(r"; source: https://[^ /]*\.gov/", breach), breach  # the rule's primary source
    if not letter.case.history:
        assert letter.plan.breaches == []
        assert "days after it was due" not in letter.flat
    if pair[0] == "regulator-complaint" and not letter.plan.breaches:
        assert "none is claimed here" in letter.flat


@each({"representative-authorization"})
def test_the_authorization_fits_on_one_page_and_names_both_people(rendered, pair):
    letter = rendered[pair]
    assert len(letter.pages) == 1
    assert letter.case.sender.name in letter.flat and letter.case.patient.full_name in letter.pages[0].split("\n")[0]
    assert "How long it lasts" in letter.flat and "revoke" in letter.flat
