"""Evidence snippets: every bundled file is valid, each case gets the evidence that fits it and nothing else,
user folders override built-ins, and Attachment A lands in a real .docx with every citation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, docx_text, example_case
from docx import Document
from docxtpl import DocxTemplate

from appeal.letters import appendix
from appeal.rules import clinical, evidence
from appeal.cases.case import Case, TreatmentKind
from appeal.base.errors import UserError
from appeal.rules.evidence import Condition, EvidenceKind, EvidenceTreatment
from appeal.base.resources import bundled

SNIPPET_FILES = sorted(bundled("evidence_snippets").glob("*.md"))


@pytest.fixture(autouse=True)
def no_user_evidence(monkeypatch):
    """A developer's own APPEAL_EVIDENCE_DIR must not change what these tests see."""
    monkeypatch.delenv(evidence.ENVIRONMENT_VARIABLE, raising=False)


@pytest.fixture
def library():
    return evidence.load_library()


def make_case(**data) -> Case:
    return Case.model_validate(data)


def snippet_text(
    snippet_id: str,
    *,
    title: str = "A finding",
    conditions: str = "[treatment_resistant_depression]",
    treatments: str = "[iv_ketamine]",
    kind: str = "randomized_trial",
    identifiers: str = '  pmid: "12345678"\n',
    body: str = "One sentence. Another sentence.",
) -> str:
    return (
        f"---\nid: {snippet_id}\ntitle: \"{title}\"\nconditions: {conditions}\ntreatments: {treatments}\n"
        f"answers: [experimental]\nevidence_kind: {kind}\ncitation:\n  authors: \"Doe J, et al.\"\n"
        f"  title: \"A trial\"\n  source: \"J Test\"\n  year: 2020\n{identifiers}checked: 2026-11-27\n---\n{body}\n"
    )


# --------------------------------------------------------------------------------------------------------------
# The bundled snippets


def test_every_builtin_snippet_parses_with_a_unique_id(library):
    assert len(SNIPPET_FILES) >= 31
    assert len(library) == len(SNIPPET_FILES), "two built-in files share an id"
    for snippet in library.values():
        assert snippet.source_path.stem == snippet.id, f"{snippet.source_path.name}: name the file after its id"


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda path: path.stem)
def test_builtin_snippet_is_citable_and_summarized(path):
    snippet = evidence.read_snippet(path)
    citation = snippet.citation
    assert citation.pmid or citation.doi or citation.url
    assert snippet.summary.strip()
    assert "\n" not in snippet.summary
    assert evidence.citation_text(snippet).startswith(citation.authors.rstrip("."))


def test_citation_text_is_one_ama_style_reference(library):
    assert evidence.citation_text(library["murrough-2013-ketamine-vs-midazolam"]) == (
        "Murrough JW, Iosifescu DV, Chang LC, et al. Antidepressant efficacy of ketamine in treatment-resistant "
        "major depression: a two-site randomized controlled trial. Am J Psychiatry. 2013;170(10):1134-1142. "
        "PMID 23982301. doi:10.1176/appi.ajp.2013.13030392"
    )


def test_citation_text_of_a_web_page_gives_the_access_date_and_no_repeated_publisher(library):
    text = evidence.citation_text(library["fda-off-label-use-of-approved-drugs"])
    assert text.count("U.S. Food and Drug Administration") == 1
    assert "Accessed November 27, 2026. https://www.fda.gov/" in text
    assert ".." not in text


def test_evidence_kinds_rank_strongest_first():
    assert [kind.rank for kind in EvidenceKind] == list(range(len(EvidenceKind)))
    assert EvidenceKind.fda_label.rank < EvidenceKind.guideline.rank < EvidenceKind.randomized_trial.rank
    assert EvidenceKind.regulation.rank == max(kind.rank for kind in EvidenceKind)


# --------------------------------------------------------------------------------------------------------------
# Conditions from the case

TRD = {Condition.treatment_resistant_depression}
FAILED_TWO = [
    {"name": "sertraline", "drug_class": "ssri", "response": "none"},
    {"name": "venlafaxine", "drug_class": "snri", "response": "partial"},
]


@pytest.mark.parametrize(
    ("case_data", "expected"),
    [
        ({"diagnoses": [{"code": "F33.2"}], "prior_treatments": FAILED_TWO}, TRD),
        ({"diagnoses": [{"code": "F32.2"}], "treatment": {"kind": "esketamine_nasal"}}, TRD),
        ({"diagnoses": [{"code": "F33.1"}], "treatment": {"kind": "other", "name": "TMS"}}, set()),
        ({"diagnoses": [{"code": "R45.851"}]}, {Condition.suicidal_ideation}),
        ({"diagnoses": [{"code": "F43.12"}]}, {Condition.ptsd}),
        ({"diagnoses": [{"code": "G90.511"}]}, {Condition.crps}),
        ({"diagnoses": [{"code": "G56.41"}]}, {Condition.crps}),
        ({"diagnoses": [{"code": "G57.71"}]}, {Condition.crps}),
        ({"diagnoses": [{"code": "G89.4"}]}, {Condition.chronic_pain}),
        ({"diagnoses": [{"code": "G89.29"}]}, {Condition.chronic_pain}),
        ({"diagnoses": [{"code": "G89.11"}]}, set()),  # acute pain, not chronic
    ],
)
def test_case_conditions_come_from_codes_and_trials(case_data, expected):
    assert clinical.conditions(make_case(**case_data)) == expected


@pytest.mark.parametrize(
    ("suicide_risk", "active"),
    [
        ("Active suicidal ideation with intent, no plan.", True),
        ("Suicidal ideation with a plan; safety plan in place.", True),
        ("Reports active SI since Monday.", True),
        ("Passive thoughts of death without plan or intent; no attempts.", False),
        ("Denies active suicidal ideation. Passive SI at times.", False),
        ("No active ideation.", False),
        (None, False),
    ],
)
def test_active_ideation_is_read_from_the_suicide_risk_text(suicide_risk, active):
    assert clinical.mentions_active_ideation(suicide_risk) is active
    conditions = clinical.conditions(make_case(clinical={"suicide_risk": suicide_risk}))
    assert (Condition.suicidal_ideation in conditions) is active


# --------------------------------------------------------------------------------------------------------------
# Selection


def automatic_match(snippet, case, conditions) -> bool:
    """The selection rule, restated independently of the code under test."""
    treatment_ok = EvidenceTreatment.any in snippet.treatments or (
        case.treatment.kind is not None and case.treatment.kind.value in snippet.treatments
    )
    reasons = case.denial.reasons if case.denial else []
    answers_ok = (
        not reasons
        or any(reason in snippet.answers for reason in reasons)
        or snippet.evidence_kind in (EvidenceKind.fda_label, EvidenceKind.guideline)
    )
    plan_ok = not snippet.plan_types or case.insurance.plan_type in snippet.plan_types
    return bool(set(snippet.conditions) & conditions) and treatment_ok and answers_ok and plan_ok


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_gets_only_evidence_that_applies(name, library):
    case = example_case(name)
    chosen = evidence.select(case, library)
    conditions = clinical.conditions(case)
    assert [item.number for item in chosen] == list(range(1, len(chosen) + 1))
    strengths = [(item.snippet.evidence_kind.rank, -(item.snippet.citation.year or 0)) for item in chosen]
    assert strengths == sorted(strengths)
    picked = {item.snippet.id for item in chosen}
    for item in chosen:
        if item.snippet.id not in case.evidence.add:
            assert automatic_match(item.snippet, case, conditions), f"{item.snippet.id} does not apply to {name}"
            assert item.why.startswith("matches condition")
    missed = [s.id for s in library.values() if automatic_match(s, case, conditions) and s.id not in picked]
    assert not missed or len(chosen) >= evidence.MAX_AUTOMATIC, f"{name} left out {missed} below the cap"


def bundled_example(name: str) -> Case:
    assert name in EXAMPLES, f"example {name} is not bundled"
    return example_case(name)


def chosen_ids(name, library) -> set[str]:
    return {item.snippet.id for item in evidence.select(bundled_example(name), library)}


def test_iv_ketamine_trd_appeal_gets_iv_ketamine_depression_evidence_only(library):
    ids = chosen_ids("ketamine-trd-erisa-appeal", library)
    assert {
        "murrough-2013-ketamine-vs-midazolam",
        "anand-2023-elekt-d-ketamine-vs-ect",
        "zarate-2006-ketamine-trd-crossover",
        "newport-2015-ketamine-meta-analysis",
        "sanacora-2017-apa-ketamine-consensus-statement",
        "lam-2024-canmat-2023-ketamine-esketamine",
        "va-dod-2022-mdd-guideline-ketamine-esketamine",
        "fda-off-label-use-of-approved-drugs",
    } <= ids
    for snippet_id in ids:
        snippet = library[snippet_id]
        assert Condition.treatment_resistant_depression in snippet.conditions
        assert {EvidenceTreatment.iv_ketamine, EvidenceTreatment.any} & set(snippet.treatments), snippet_id
    not_about_this_case = {
        s.id
        for s in library.values()
        if set(s.conditions) <= {Condition.ptsd, Condition.crps, Condition.chronic_pain, Condition.suicidal_ideation}
        or set(s.treatments) == {EvidenceTreatment.esketamine_nasal}
    }
    assert not ids & not_about_this_case


def test_iv_ketamine_trd_appeal_explains_each_choice(library):
    case = bundled_example("ketamine-trd-erisa-appeal")
    why = {item.snippet.id: item.why for item in evidence.select(case, library)}
    assert why["murrough-2013-ketamine-vs-midazolam"] == (
        "matches condition treatment-resistant depression, treatment IV ketamine, "
        "answers denial reason experimental or investigational"
    )
    assert why["fda-off-label-use-of-approved-drugs"].startswith("matches condition treatment-resistant depression, treatment IV ketamine")
    assert "rush-2006-star-d-stepwise-remission" not in why  # answers medical necessity, not "experimental"


def test_medicare_only_evidence_stays_out_of_other_plans_letters(library):
    assert "cms-mbpm-ch15-50-4-2-unlabeled-use" not in chosen_ids("ketamine-trd-erisa-appeal", library)
    case = bundled_example("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.insurance.plan_type = "medicare_original"
    assert "cms-mbpm-ch15-50-4-2-unlabeled-use" in {item.snippet.id for item in evidence.select(case, library)}


def test_crps_case_gets_pain_evidence_and_no_depression_evidence(library):
    ids = chosen_ids("ketamine-crps-marketplace-external-review", library)
    assert {
        "cohen-2018-ketamine-chronic-pain-consensus-guidelines",
        "schwartzman-2009-outpatient-ketamine-crps",
        "sigtermans-2009-s-ketamine-crps",
    } <= ids
    assert not {s for s in ids if Condition.treatment_resistant_depression in library[s].conditions} - {
        "cms-mbpm-ch15-50-4-2-unlabeled-use",
        "fda-off-label-use-of-approved-drugs",
    }


def test_esketamine_request_gets_the_label_and_no_iv_ketamine_trials(library):
    ids = chosen_ids("esketamine-prior-auth-psychiatrist", library)
    assert {"spravato-label-indications-and-limitations", "fda-2019-spravato-approval-trd"} <= ids
    assert not {"murrough-2013-ketamine-vs-midazolam", "anand-2023-elekt-d-ketamine-vs-ect"} & ids


def test_depression_with_ptsd_gets_both_kinds_of_evidence(library):
    ids = chosen_ids("ketamine-oon-reimbursement-superbill", library)
    assert "feder-2021-ketamine-ptsd-repeated" in ids
    assert "murrough-2013-ketamine-vs-midazolam" in ids


def test_no_denial_means_every_matching_snippet_is_eligible(library):
    case = make_case(diagnoses=[{"code": "F43.12"}], treatment={"kind": "iv_ketamine"})
    ids = {item.snippet.id for item in evidence.select(case, library)}
    assert {"feder-2014-ketamine-ptsd-single-dose", "feder-2021-ketamine-ptsd-repeated"} <= ids


def test_a_denial_reason_no_snippet_answers_leaves_only_labels_and_guidelines(library):
    case = make_case(
        diagnoses=[{"code": "F33.2"}],
        treatment={"kind": "esketamine_nasal"},
        denial={"reason": "coding_billing"},
    )
    kinds = {item.snippet.evidence_kind for item in evidence.select(case, library)}
    assert kinds and kinds <= {EvidenceKind.fda_label, EvidenceKind.guideline}


def test_drop_removes_and_add_forces_in(library):
    case = make_case(
        diagnoses=[{"code": "F33.2"}],
        treatment={"kind": "iv_ketamine"},
        denial={"reason": "experimental"},
        evidence={"drop": ["berman-2000-first-ketamine-placebo-trial"], "add": ["feder-2021-ketamine-ptsd-repeated"]},
    )
    chosen = {item.snippet.id: item for item in evidence.select(case, library)}
    assert "berman-2000-first-ketamine-placebo-trial" not in chosen
    assert chosen["feder-2021-ketamine-ptsd-repeated"].why == "added by request in the case's evidence.add list"


def test_unknown_evidence_id_suggests_near_ids(library):
    case = make_case(evidence={"add": ["murrough-2013-ketamine-vs-midazolem"]})
    with pytest.raises(UserError) as raised:
        evidence.select(case, library)
    message = str(raised.value)
    assert "evidence.add" in message and "murrough-2013-ketamine-vs-midazolem" in message
    assert "Did you mean: murrough-2013-ketamine-vs-midazolam" in message


def test_an_id_both_added_and_dropped_is_an_error(library):
    same = "berman-2000-first-ketamine-placebo-trial"
    with pytest.raises(UserError, match="both name"):
        evidence.select(make_case(evidence={"add": [same], "drop": [same]}), library)


def test_automatic_picks_are_capped_but_explicit_adds_never_are(tmp_path):
    for number in range(20):
        (tmp_path / f"trial-{number:02}.md").write_text(snippet_text(f"trial-{number:02}"), encoding="utf-8")
    (tmp_path / "pain-only.md").write_text(snippet_text("pain-only", conditions="[crps]"), encoding="utf-8")
    builtin = evidence.load_library()
    library = {key: value for key, value in evidence.load_library([tmp_path]).items() if key not in builtin}
    case = make_case(diagnoses=[{"code": "F33.2"}], treatment={"kind": "iv_ketamine"}, evidence={"add": ["pain-only"]})
    chosen = evidence.select(case, library)
    assert len(chosen) == evidence.MAX_AUTOMATIC + 1
    assert "pain-only" in {item.snippet.id for item in chosen}


# --------------------------------------------------------------------------------------------------------------
# User folders


def test_user_folder_replaces_a_builtin_snippet(tmp_path):
    mine = snippet_text("murrough-2013-ketamine-vs-midazolam", title="My version")
    (tmp_path / "mine.md").write_text(mine, encoding="utf-8")
    library = evidence.load_library([tmp_path])
    assert library["murrough-2013-ketamine-vs-midazolam"].title == "My version"
    assert library["murrough-2013-ketamine-vs-midazolam"].source_path == tmp_path / "mine.md"
    assert evidence.load_library()["murrough-2013-ketamine-vs-midazolam"].title != "My version"


def test_the_command_line_beats_the_environment_and_later_folders_win(tmp_path, monkeypatch):
    """The one order of appeal/base/folders.py (issue 12: $APPEAL_EVIDENCE_DIR used to beat --evidence)."""
    first, second, extra = tmp_path / "first", tmp_path / "second", tmp_path / "extra"
    for folder, title in ((first, "first"), (second, "second"), (extra, "extra")):
        folder.mkdir()
        (folder / "x.md").write_text(snippet_text("shared-id", title=title), encoding="utf-8")
    monkeypatch.setenv(evidence.ENVIRONMENT_VARIABLE, f"{first}{os.pathsep}{second}")
    assert evidence.load_library([extra])["shared-id"].title == "extra"
    assert evidence.load_library()["shared-id"].title == "second"


def test_builtin_snippets_are_parsed_once_per_process(monkeypatch):
    evidence.load_library()
    monkeypatch.setattr(evidence, "read_snippet", lambda path: pytest.fail("built-ins were parsed again"))
    library = evidence.load_library()
    library.clear()  # the caller's copy, not the cache
    assert evidence.load_library()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (snippet_text("no-id", identifiers=""), ["citation", "pmid, doi or url"]),
        (snippet_text("bad-kind", kind="anecdote"), ["evidence_kind", "must be one of"]),
        (snippet_text("bad-condition", conditions="[depression]"), ["conditions.0", "must be one of"]),
        (snippet_text("empty-body", body="   "), ["summary", "is empty"]),
        (snippet_text("typo").replace("answers:", "answer:"), ["answer", "not a snippet field"]),
        (snippet_text("bad-pmid", identifiers='  pmid: "PMID 123"\n'), ["citation.pmid"]),
        (snippet_text("Bad Id"), ["id"]),
        (snippet_text("bad-page").replace("checked: 2026-11-27", 'checked: 2026-11-27\nchecked_against: ["PubMed"]'),
         ["checked_against.0"]),
        ("no front matter at all\n", ["must start with a line '---'"]),
        ("---\nid: x\ntitle: [unclosed\n---\nBody.\n", ["broken.md, line ", "at line 3, column 8"]),
        ("---\nid: x\n", ["no closing '---'"]),
    ],
)
def test_invalid_user_snippet_names_the_file_and_the_field(tmp_path, text, expected):
    (tmp_path / "broken.md").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        evidence.load_library([tmp_path])
    message = str(raised.value)
    assert "broken.md" in message
    for part in expected:
        assert part in message


def test_unquoted_pmid_and_pasted_doi_url_are_accepted(tmp_path):
    identifiers = "  pmid: 23982301\n  doi: https://doi.org/10.1176/appi.ajp.2013.13030392\n"
    (tmp_path / "x.md").write_text(snippet_text("mine", identifiers=identifiers), encoding="utf-8")
    citation = evidence.load_library([tmp_path])["mine"].citation
    assert (citation.pmid, citation.doi) == ("23982301", "10.1176/appi.ajp.2013.13030392")


def test_a_user_snippet_records_the_pages_it_was_checked_against(tmp_path):
    text = snippet_text("mine").replace(
        "checked: 2026-11-27", 'checked: 2026-11-27\nchecked_against:\n  - "https://pubmed.ncbi.nlm.nih.gov/12345678/"')
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    assert evidence.load_library([tmp_path])["mine"].checked_against == ["https://pubmed.ncbi.nlm.nih.gov/12345678/"]


def test_missing_user_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no evidence folder"):
        evidence.load_library([tmp_path / "nowhere"])


def test_duplicate_ids_in_one_folder_are_an_error(tmp_path):
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(snippet_text("same"), encoding="utf-8")
    with pytest.raises(UserError, match="both have the id 'same'"):
        evidence.load_library([tmp_path])


# --------------------------------------------------------------------------------------------------------------
# Attachment A in a document


def small_template(path: Path, with_letter_styles: bool) -> Path:
    document = Document()
    if with_letter_styles:
        from docx.enum.style import WD_STYLE_TYPE

        document.styles.add_style("Small Print", WD_STYLE_TYPE.PARAGRAPH)
        document.styles.add_style("Body Text Letter", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Dear reviewer, the evidence is attached.")
    document.add_paragraph("{{p appendix }}")
    document.add_paragraph("End of document.")
    document.save(str(path))
    return path


def render_appendix(template_path: Path, chosen, out: Path) -> Path:
    template = DocxTemplate(str(template_path))
    template.render({"appendix": appendix.appendix_subdoc(template, chosen)}, autoescape=True)
    template.save(str(out))
    return out


@pytest.mark.parametrize("with_letter_styles", [True, False], ids=["letter styles", "plain user template"])
def test_appendix_lands_in_the_docx_with_every_citation(tmp_path, library, with_letter_styles):
    case = make_case(
        diagnoses=[{"code": "F33.2"}], treatment={"kind": "iv_ketamine"}, denial={"reason": "experimental"}
    )
    chosen = evidence.select(case, library)
    out = render_appendix(small_template(tmp_path / "t.docx", with_letter_styles), chosen, tmp_path / "out.docx")
    text = docx_text(out)
    assert appendix.APPENDIX_HEADING in text
    assert "{{" not in text
    for item in chosen:
        assert f"[{item.number}] {item.snippet.title}" in text
        assert item.snippet.summary in text
        assert evidence.citation_text(item.snippet) in text
    paragraphs = {p.text: p.style.name for p in Document(str(out)).paragraphs}
    first = chosen[0]
    assert paragraphs[f"[{first.number}] {first.snippet.title}"] == "Heading 3"
    expected_citation_style = "Small Print" if with_letter_styles else "Normal"
    assert paragraphs[evidence.citation_text(first.snippet)] == expected_citation_style


def test_empty_appendix_removes_the_placeholder(tmp_path):
    out = render_appendix(small_template(tmp_path / "t.docx", True), [], tmp_path / "out.docx")
    assert docx_text(out).splitlines() == ["Dear reviewer, the evidence is attached.", "End of document."]


def test_the_appendix_starts_from_python_docxs_own_blank_document():
    """Read from its document part alone (appeal/letters/appendix.py), it is the tree `Document()` gives: the
    Attachment A XML is the same as from docxtpl's own `new_subdoc()`."""
    from lxml import etree

    blank = appendix._blank_document()
    assert type(blank) is type(Document().element) and etree.tostring(blank) == etree.tostring(Document().element)


def test_appendix_renders_into_a_bundled_letter_template(tmp_path, library):
    """The bundled templates define our styles; the subdocument must use them and keep the file valid."""
    template = DocxTemplate(str(bundled("letter_templates") / "appeal.docx"))
    chosen = evidence.select(example_case(EXAMPLES[0]), library) or evidence.select(
        make_case(diagnoses=[{"code": "F33.2"}], treatment={"kind": "iv_ketamine"}), library
    )
    subdoc = appendix.appendix_subdoc(template, chosen)
    styles = {p.style.name for p in subdoc.paragraphs}
    assert {"Heading 2", "Heading 3", "Small Print", "Body Text Letter"} <= styles


def test_snippet_treatments_cover_every_ketamine_treatment_kind():
    """A new TreatmentKind for ketamine needs a matching snippet treatment, or it would match only `any`."""
    assert {kind.value for kind in TreatmentKind} - {"other"} <= {item.value for item in EvidenceTreatment}
