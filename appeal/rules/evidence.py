"""Evidence snippets: cited, plain-language summaries of published evidence, and how a case chooses them.

A snippet is one Markdown file: YAML front matter (what it is about, which denial reasons it answers, its
citation, when and how it was checked) and a body of 2-5 sentences that a reviewer can read without the
paper. Advocates add or correct snippets as files, without touching code, so a file is checked strictly and a
mistake is reported with the file and the field, never as a traceback.

Where snippets come from, in the order appeal/base/folders.py sets for every user folder, a higher one replacing a
snippet with the same id: each --evidence folder, then those in $APPEAL_EVIDENCE_DIR, then the bundled folder.
A user folder can therefore correct a bundled snippet without editing the installation.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from appeal.base import folders, loader
from appeal.base.errors import UserError, describe_validation
from appeal.base.language import N_, listed, ngettext, translate as _
from appeal.base.letter_language import long_date, translate as L_
from appeal.base.resources import bundled, parse_bundled_yaml
from appeal.cases.case import Case, DenialReason, PlanType, TreatmentKind
from appeal.rules import clinical
from appeal.rules.clinical import Condition

ENVIRONMENT_VARIABLE = folders.EVIDENCE_VARIABLE

# Automatic picks stop here: a reviewer reads a dozen summaries, not thirty. Explicit adds always stay.
MAX_AUTOMATIC = 12
# A summary is 2-5 sentences; counting sentences is unreliable ('et al.', 'P<.001'), so length is the guard.
MAX_SUMMARY_CHARACTERS = 1500


class EvidenceTreatment(StrEnum):
    """What a snippet is about. `any` is for evidence that holds whatever ketamine treatment is asked for."""

    iv_ketamine = "iv_ketamine"
    esketamine_nasal = "esketamine_nasal"
    im_ketamine = "im_ketamine"
    any = "any"

    @property
    def label(self) -> str:
        return _TREATMENT_LABELS[self]


_TREATMENT_LABELS = {  # marked for the catalog: `appeal check` says why a study was chosen with them
    EvidenceTreatment.iv_ketamine: N_("IV ketamine"),
    EvidenceTreatment.esketamine_nasal: N_("esketamine nasal spray"),
    EvidenceTreatment.im_ketamine: N_("IM ketamine"),
    EvidenceTreatment.any: N_("any treatment"),
}


class EvidenceKind(StrEnum):
    """Kinds of evidence, declared strongest first; the declaration order is the rank.

    Why this order: an FDA label settles "experimental" for its labeled use outright; a guideline is what
    medical-necessity definitions point to ("generally accepted standards of medical practice"); a
    meta-analysis outweighs any single trial it pools; a randomized trial outweighs uncontrolled studies and
    expert syntheses (other_study). A regulation comes last: it says what a plan may or must do, not whether
    the treatment works, and the letter's argument sections already cite the rules themselves.
    """

    fda_label = "fda_label"
    guideline = "guideline"
    meta_analysis = "meta_analysis"
    randomized_trial = "randomized_trial"
    other_study = "other_study"
    regulation = "regulation"

    @property
    def rank(self) -> int:
        return list(EvidenceKind).index(self)

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {  # marked for the catalog, as the treatments' labels
    EvidenceKind.fda_label: N_("FDA label or approval"),
    EvidenceKind.guideline: N_("guideline or consensus statement"),
    EvidenceKind.meta_analysis: N_("meta-analysis"),
    EvidenceKind.randomized_trial: N_("randomized trial"),
    EvidenceKind.other_study: N_("other study"),
    EvidenceKind.regulation: N_("regulation"),
}


# Kinds strong enough to include whatever the denial reason says.
ALWAYS_RELEVANT_KINDS = {EvidenceKind.fda_label, EvidenceKind.guideline}


def _text_from_number(value: object) -> object:
    """`pmid: 23982301` written without quotes arrives as an int; it is still an identifier, not a number."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Identifier = Annotated[str, BeforeValidator(_text_from_number)]


class _Strict(BaseModel):
    """Unknown keys are errors, so a typo ('pimd:') is reported instead of silently losing the citation."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Citation(_Strict):
    """Enough to find the source again: authors, title, where published, and at least one identifier."""

    authors: str = Field(min_length=1, description="Authors as cited, e.g. 'Murrough JW, Iosifescu DV, et al.'")
    title: str = Field(min_length=1, description="Title of the article or page.")
    source: str = Field(min_length=1, description="Journal abbreviation or publisher, e.g. 'Am J Psychiatry'.")
    year: int | None = Field(None, ge=1900, le=2100, description="Year of publication.")
    volume_pages: str | None = Field(None, description="Volume(issue):pages, e.g. '170(10):1134-1142'.")
    pmid: Identifier | None = Field(None, pattern=r"^\d{1,9}$", description="PubMed ID, digits only.")
    doi: Identifier | None = Field(
        None, pattern=r"^10\.\d{4,9}/\S+$", description="DOI, e.g. 10.1176/appi.ajp.2013.13030392."
    )
    url: str | None = Field(
        None, pattern=r"^https?://\S+$", description="Web address, for sources without PMID or DOI."
    )

    @field_validator("doi", mode="before")
    @classmethod
    def _bare_doi(cls, value: object) -> object:
        """People paste DOIs as 'doi:10.x/y' or 'https://doi.org/10.x/y'; store the bare DOI."""
        if isinstance(value, str):
            return re.sub(r"^\s*(doi:\s*|https?://(dx\.)?doi\.org/)", "", value, flags=re.I)
        return value

    @model_validator(mode="after")
    def _findable(self) -> Citation:
        if not (self.pmid or self.doi or self.url):
            raise ValueError("give at least one of pmid, doi or url, so a reviewer can find the source")
        return self


class Snippet(_Strict):
    """One piece of evidence, as read from a snippet file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Unique id: lowercase letters, digits and hyphens.")
    title: str = Field(min_length=1, description="The finding, in one plain sentence.")
    conditions: list[Condition] = Field(min_length=1, description="Conditions the evidence is about.")
    treatments: list[EvidenceTreatment] = Field(min_length=1, description="Treatments the evidence is about.")
    answers: list[DenialReason] = Field(default_factory=list, description="Denial reasons this evidence answers.")
    plan_types: list[PlanType] = Field(
        default_factory=list, description="Plan types it concerns (e.g. a Medicare manual); empty means every plan."
    )
    evidence_kind: EvidenceKind = Field(description="What kind of source it is (decides the order in the letter).")
    citation: Citation
    checked: date = Field(description="When the citation and summary were last checked against the source.")
    checked_against: list[Annotated[str, Field(pattern=r"^https?://\S+$")]] = Field(
        default_factory=list,
        description="The pages the citation and summary were checked against (abstract, label or agency page), as "
        "how_confirmed describes, so the next person can open them.",
    )
    how_confirmed: str | None = Field(None, description="How they were checked, so the next person can recheck.")
    summary: str = Field(description="The Markdown body: 2-5 plain sentences.")
    source_path: Path | None = Field(None, description="The file it was read from (set by the loader).")

    @field_validator("summary")
    @classmethod
    def _one_paragraph(cls, value: str) -> str:
        """The body is hard-wrapped Markdown; the letter prints it as one paragraph."""
        text = " ".join(value.split())
        if not text:
            raise ValueError("is empty; write 2-5 plain sentences below the closing '---' line")
        if len(text) > MAX_SUMMARY_CHARACTERS:
            raise ValueError(
                f"is {len(text)} characters long; keep it to 2-5 sentences "
                f"(at most {MAX_SUMMARY_CHARACTERS} characters)"
            )
        return text

    def covers(self, treatment: TreatmentKind | None) -> bool:
        return EvidenceTreatment.any in self.treatments or (
            treatment is not None and treatment.value in {item.value for item in self.treatments}
        )


# --------------------------------------------------------------------------------------------------------------
# Reading snippet files


_PATTERN_HINTS = {
    "id": "use lowercase letters, digits and hyphens only, like murrough-2013-ketamine-vs-midazolam",
    "pmid": "write the PubMed ID as digits only, like 23982301",
    "doi": "write the DOI like 10.1176/appi.ajp.2013.13030392",
    "url": "must be a web address starting with https://",
}
_TYPE_MESSAGES = {
    "extra_forbidden": "is not a snippet field (a typo?)",
    "missing": "is required",
    "string_too_short": "must not be empty",
    "too_short": "needs at least one entry",
    "date_from_datetime_parsing": "write the date like 2026-11-27",
    "date_parsing": "write the date like 2026-11-27",
}


def _describe_problems(error: ValidationError, path: Path) -> str:
    return describe_validation(error, f"Evidence snippet {path}", whole="(the front matter)", messages=_TYPE_MESSAGES,
                               pattern_hints=_PATTERN_HINTS,
                               places={"summary": "summary (the text after the front matter)"})


def _split_front_matter(text: str, path: Path) -> tuple[str, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise UserError(
            f"Evidence snippet {path} must start with a line '---', then the YAML fields, another '---' line, "
            "then the summary."
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise UserError(f"Evidence snippet {path} has no closing '---' line after its YAML fields.")


def _snippet_bytes(path: Path) -> bytes:
    """A snippet file's bytes; one larger than a snippet can be is refused before it is read."""
    return loader.read_bytes(path, max_bytes=loader.SMALL_LIMITS.max_bytes, what="evidence snippet")


def read_snippet(path: Path) -> Snippet:
    """Parse one snippet file, or raise a UserError that names the file and each bad field."""
    name = f"Evidence snippet {path}"
    text = loader.decode(_snippet_bytes(path), name)
    front_text, body = _split_front_matter(text, path)
    # first_line=2: the header starts after the opening '---' line
    front = loader.load_yaml(front_text, source_name=name, limits=loader.SMALL_LIMITS, first_line=2,
                             allow_empty=True) or {}
    if not isinstance(front, dict):
        raise UserError(f"Evidence snippet {path}: the front matter must be fields like 'id:' and 'title:'.")
    for reserved in ("summary", "source_path"):
        if reserved in front:
            raise UserError(
                f"Evidence snippet {path}: '{reserved}' is not written as a field; "
                + ("the summary is the text after the front matter." if reserved == "summary" else "it is set for you.")
            )
    try:
        return Snippet.model_validate({**front, "summary": body, "source_path": path})
    except ValidationError as error:
        raise UserError(_describe_problems(error, path)) from None


def _read_folder(folder: Path) -> dict[str, Snippet]:
    if not folder.is_dir():
        raise UserError(f"There is no evidence folder at {folder}.")
    paths = sorted(folder.glob("*.md"))
    try:
        contents = tuple((path.name, hashlib.blake2b(_snippet_bytes(path)).digest()) for path in paths)
    except OSError:
        return _parse_folder(paths)  # reports the file that cannot be read
    return dict(_parsed_folder(str(folder), contents))


@lru_cache(maxsize=16)
def _parsed_folder(folder: str, contents: tuple[tuple[str, bytes], ...]) -> dict[str, Snippet]:
    """A folder parsed once per process while its files' names and bytes stay the same: a batch drafts
    thousands of letters with one --evidence folder. A folder with an error is never kept (it raises)."""
    return _parse_folder([Path(folder) / name for name, _ in contents])


def _bundled_snippet(path: Path) -> Snippet:
    """A built-in snippet, its header parsed by libyaml: our own file, so none of a user file's checks (the
    tests read every built-in file through `read_snippet` as well, and compare)."""
    front_text, body = _split_front_matter(path.read_text(encoding="utf-8-sig"), path)
    return Snippet.model_validate({**parse_bundled_yaml(front_text), "summary": body, "source_path": path})


def _parse_folder(paths: list[Path], read=None) -> dict[str, Snippet]:
    found: dict[str, Snippet] = {}
    for path in paths:
        snippet = (read or read_snippet)(path)
        if snippet.id in found:
            raise UserError(
                f"Evidence snippets {found[snippet.id].source_path} and {path} both have the id '{snippet.id}'; "
                "ids must be unique within a folder."
            )
        found[snippet.id] = snippet
    return found


@lru_cache(maxsize=1)
def _builtin_snippets() -> dict[str, Snippet]:
    """Parsed once per process: a batch of letters must not re-read thirty files per letter."""
    return _parse_folder(sorted(bundled("evidence_snippets").glob("*.md")), read=_bundled_snippet)


def load_library(extra_dirs: Iterable[Path] | None = None) -> dict[str, Snippet]:
    """All snippets by id, in the order of appeal/base/folders.py: built-in, then $APPEAL_EVIDENCE_DIR, then
    `extra_dirs` (--evidence); a later id replaces an earlier."""
    library = dict(_builtin_snippets())
    for folder in folders.from_environment(ENVIRONMENT_VARIABLE) + [Path(item) for item in extra_dirs or ()]:
        library.update(_read_folder(folder))
    return library


# --------------------------------------------------------------------------------------------------------------
# Choosing snippets for a case


@dataclass(frozen=True)
class Chosen:
    """A snippet chosen for a letter: its number in the letter ([1], [2], ...) and why it was chosen."""

    snippet: Snippet
    number: int
    why: str


def _strength(snippet: Snippet) -> tuple[int, int, str]:
    """Strongest kind first, then newest; the id breaks ties so the order never changes between runs."""
    return (snippet.evidence_kind.rank, -(snippet.citation.year or 0), snippet.id)


def _why_matched(snippet: Snippet, case: Case, conditions: set[Condition]) -> str | None:
    """The reason `snippet` fits the case (in the person's language, for `appeal check`), or None when it does
    not."""
    shared = [condition for condition in snippet.conditions if condition in conditions]
    if not shared or not snippet.covers(case.treatment.kind):
        return None
    if snippet.plan_types and case.insurance.plan_type not in snippet.plan_types:
        return None
    parts = [ngettext("matches condition {conditions}", "matches conditions {conditions}", len(shared)).format(
        conditions=listed([_(condition.label) for condition in shared]))]
    if case.treatment.kind is not None and case.treatment.kind.value in snippet.treatments:
        parts.append(_("treatment {treatment}").format(treatment=_(EvidenceTreatment(case.treatment.kind.value).label)))
    else:
        parts.append(_("applies to any treatment"))
    if case.denial is None or not case.denial.reasons:
        return ", ".join(parts)
    answered = [reason for reason in case.denial.reasons if reason in snippet.answers]
    if answered:
        reasons = listed([_(reason.label) for reason in answered])
        parts.append(ngettext("answers denial reason {reasons}", "answers denial reasons {reasons}",
                              len(answered)).format(reasons=reasons))
    elif snippet.evidence_kind in ALWAYS_RELEVANT_KINDS:
        kind = _(snippet.evidence_kind.label)
        parts.append(_("is an {kind}, included whatever the denial reason").format(kind=kind)
                     if snippet.evidence_kind is EvidenceKind.fda_label
                     else _("is a {kind}, included whatever the denial reason").format(kind=kind))
    else:
        return None
    return ", ".join(parts)


def _unknown_ids(wanted: list[str], library: Mapping[str, Snippet], field: str) -> None:
    unknown = [item for item in wanted if item not in library]
    if not unknown:
        return
    lines = []
    for item in unknown:
        near = difflib.get_close_matches(item, list(library), n=3, cutoff=0.5)
        hint = " " + _("Did you mean: {ids}?").format(ids=", ".join(near)) if near else ""
        lines.append(f"  evidence.{field}: " + _("there is no evidence snippet with the id '{id}'.").format(id=item)
                     + hint)
    raise UserError(_("The case names evidence that does not exist:") + "\n" + "\n".join(lines))


def select(case: Case, library: Mapping[str, Snippet]) -> list[Chosen]:
    """The snippets for this case's letter, numbered in letter order, each with the reason it was chosen.

    A snippet is picked when it shares a condition with the case, is about the requested treatment (or any),
    and either answers one of the denial reasons or is an FDA label or guideline (or there is no denial yet).
    `case.evidence.drop` removes picks and `case.evidence.add` forces snippets in; adds are never capped.
    """
    added, dropped = case.evidence.add, case.evidence.drop
    _unknown_ids(added, library, "add")
    _unknown_ids(dropped, library, "drop")
    both = sorted(set(added) & set(dropped))
    if both:
        raise UserError(_("evidence.add and evidence.drop both name {ids}; keep each id in one list.").format(
            ids=", ".join(both)))
    conditions = clinical.conditions(case)
    reasons: dict[str, str] = {}
    for snippet in sorted(library.values(), key=_strength):
        why = _why_matched(snippet, case, conditions)
        if why and snippet.id not in dropped and len(reasons) < MAX_AUTOMATIC:
            reasons[snippet.id] = why
    for snippet_id in added:
        reasons.setdefault(snippet_id, _("added by request in the case's evidence.add list"))
    ordered = sorted((library[snippet_id] for snippet_id in reasons), key=_strength)
    return [Chosen(snippet, number, reasons[snippet.id]) for number, snippet in enumerate(ordered, start=1)]


# --------------------------------------------------------------------------------------------------------------
# Printing


def _join_sentences(parts: list[str]) -> str:
    """Join citation elements with '. ', without doubling a period after 'et al.' or a title ending in '?'."""
    text = ""
    for part in parts:
        if text:
            text += " " if text.endswith((".", "?", "!")) else ". "
        text += part
    return text


def short_citation(snippet: Snippet) -> str:
    """A reference short enough for a sentence: 'Sanacora G et al., JAMA Psychiatry 2017; PMID 28249076'."""
    citation = snippet.citation
    first = citation.authors.split(",")[0].strip().rstrip(".")
    who = first if first == citation.authors.strip().rstrip(".") else f"{first} et al."
    where = citation.source if citation.source.rstrip(".") != first else ""
    text = ", ".join(part for part in (who, " ".join(str(p) for p in (where, citation.year) if p)) if part)
    identifier = f"PMID {citation.pmid}" if citation.pmid else f"doi:{citation.doi}" if citation.doi else citation.url
    return f"{text}; {identifier}" if identifier else text


def citation_text(snippet: Snippet) -> str:
    """One reference in AMA style: authors. Title. Source. Year;volume(issue):pages. PMID. doi. Accessed. URL"""
    citation = snippet.citation
    parts = [citation.authors, citation.title]
    if citation.source.rstrip(".") != citation.authors.rstrip("."):
        parts.append(citation.source)
    published = ";".join(str(item) for item in (citation.year, citation.volume_pages) if item)
    if published:
        parts.append(published)
    if citation.pmid:
        parts.append(f"PMID {citation.pmid}")
    if citation.doi:
        parts.append(f"doi:{citation.doi}")
    if citation.url:
        # "Accessed" only for a page that was read: some pages are known only through quotations of them.
        accessed = [L_("Accessed {date}").format(date=long_date(snippet.checked))] \
            if citation.url in snippet.checked_against else []
        parts += [*accessed, citation.url]
    return _join_sentences(parts)
