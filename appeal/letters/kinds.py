"""Letter kinds: each is a .docx template, described by a small YAML file beside it.

The YAML declares everything the letter plan, the rules and the questionnaire need to know about the kind (who
sends it, whether it answers a denial or can be urgent, whether it argues the clinical case, the dispute step it
starts, its requests and enclosures); appeal/data/kinds.yaml lists the fields and their defaults. No code looks
at a kind's name, so a copy under a new name behaves exactly like its source.

Templates come from folders in the order appeal/base/folders.py sets for every user folder: each `--templates DIR`,
then $APPEAL_TEMPLATES, then the per-user folder (`appeal templates new` puts copies there), then the built-in
`letter_templates/`.
A template named like a built-in kind replaces it; a new name adds a kind. A template without its YAML file
borrows the built-in kind's description, or its own .docx title and subject.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from appeal.base import folders as folders_module
from appeal.base.errors import UserError
from appeal.base.resources import bundled, load_data, parse_bundled_yaml

ENVIRONMENT_VARIABLE = folders_module.TEMPLATES_VARIABLE
ALL_SENDERS = ("patient", "representative", "provider")
STARTS = ("initial_request", "next", "external_review", "none")
RECIPIENTS = ("plan", "regulator", "employer")
SIGNERS = ("sender", "patient")
QUESTION_TOPICS = ("start_date", "diagnoses", "network", "dates_of_service", "superbill")
# The kinds suggested when nothing names one: a denial is appealed, otherwise care is asked for first.
DEFAULT_FOR_DENIAL = "appeal"
DEFAULT_WITHOUT_DENIAL = "prior-auth"


@dataclass(frozen=True)
class Sentence:
    """A sentence a kind may print: Jinja `text`, shown when `when` (a Jinja expression) is true.

    For an enclosure, `unless_listed` is a word showing the sender already listed it, and `drafted_by` the letter
    kind that drafts this document (so the letter lists it: the tool writes it too)."""

    text: str
    when: str | None = None
    unless_listed: str | None = None
    drafted_by: str | None = None


@dataclass(frozen=True)
class LetterKind:
    """A kind of letter: its template and what it is for (the fields are documented in appeal/data/kinds.yaml)."""

    name: str
    title: str
    summary: str
    template: Path
    senders: tuple[str, ...] = ALL_SENDERS
    needs_denial: bool = False
    source: str = "built-in"
    situation: str | None = None
    sent_to_plan: bool = True
    recipient: str = "plan"
    signed_by: str = "sender"
    can_be_urgent: bool = False
    argues_case: bool = False
    argues_without_denial: tuple[str, ...] = ("not_medically_necessary", "experimental")
    encloses_case_list: bool = False
    starts: str = "next"
    cites: tuple[str, ...] = ()
    states_consequences: bool = False
    charts_scores: bool = False
    parity_rules: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    requests: tuple[Sentence, ...] = ()
    enclosures: tuple[Sentence, ...] = ()
    warnings: tuple[Sentence, ...] = ()
    refuse: tuple[Sentence, ...] = ()
    sending: tuple[Sentence, ...] = ()

    def description(self) -> dict:
        """The kind as its YAML file says it (what `appeal templates new` writes for a copy)."""
        data = asdict(self)
        for key in ("name", "template", "source"):
            del data[key]
        for key in SENTENCE_FIELDS:
            data[key] = [{name: value for name, value in item.items() if value is not None} for item in data[key]]
        return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}


_DECLARED = {item.name for item in fields(LetterKind)} - {"name", "template", "source"}
SENTENCE_FIELDS = ("requests", "enclosures", "warnings", "refuse", "sending")


@lru_cache(maxsize=1)
def defaults() -> dict:
    """What a kind gets for each field its YAML leaves out (appeal/data/kinds.yaml)."""
    return load_data("kinds.yaml")


def user_folder() -> Path:
    """The per-user template folder (on Linux ~/.local/share/appeal/templates)."""
    return folders_module.user_data() / "templates"


def folders(extra: tuple[Path, ...] = ()) -> list[tuple[Path, str]]:
    """Every template folder with a short name for `appeal letters`, lowest priority first (appeal.base.folders)."""
    return folders_module.search_order(bundled("letter_templates"), ENVIRONMENT_VARIABLE, extra, "--templates",
                                       user=user_folder())


_TEXT_FIELDS = ("title", "summary")


def _read_meta(path: Path) -> dict:
    """A kind's description, read with the bounded loader every user file goes through (appeal/base/loader.py):
    a shared template folder may hold anything."""
    from appeal.base import loader

    meta = loader.load_yaml(path, source_name=f"The template description {path}", limits=loader.SMALL_LIMITS,
                            allow_empty=True) or {}
    if not isinstance(meta, dict):
        raise UserError(f"The template description {path} must hold fields like 'title:' and 'summary:'.")
    return _checked_meta(path, meta)


def _checked_meta(path: Path, meta: dict) -> dict:
    """Each field the right type, so that nothing below walks a strange structure (a YAML alias bomb)."""
    for name in _TEXT_FIELDS:
        if name in meta and not isinstance(meta[name], str | int | float):
            raise UserError(f"{path}: {name} must be a line of text, e.g. {name}: My own appeal letter.")
    if "senders" in meta:
        senders = meta["senders"]
        if not isinstance(senders, list) or not all(isinstance(item, str) for item in senders):
            raise UserError(f"{path}: senders must be a list such as [patient, representative, provider].")
    if "needs_denial" in meta and not isinstance(meta["needs_denial"], bool):
        raise UserError(f"{path}: needs_denial must be true or false.")
    return meta


def from_template(template: Path, source: str, inherited: LetterKind | None) -> LetterKind:
    """The letter kind of a template file: its description beside it (NAME.yaml, else the document's own title and
    subject) over what it inherits (the kind of the same name it replaces, else the defaults)."""
    meta_path = template.with_suffix(".yaml")
    if not meta_path.is_file():
        meta = {}
    elif source == "built-in":  # our own file: parsed by libyaml, without a user file's checks
        meta = parse_bundled_yaml(meta_path.read_text(encoding="utf-8")) or {}
    else:
        meta = _read_meta(meta_path)
    if not meta and inherited is None:
        from docx import Document

        from appeal.letters.template_package import check_package

        check_package(template)
        try:
            properties = Document(str(template)).core_properties
        except Exception as error:  # noqa: BLE001 - python-docx raises many kinds for a damaged file
            raise UserError(f"The template {template} is not a Word document that can be opened ({error}).") from None
        meta = {"title": properties.title or template.stem.replace("-", " ").capitalize(),
                "summary": properties.subject or properties.comments or f"Your own template {template.name}."}
    base = inherited.description() if inherited else defaults()
    unknown_fields = set(meta) - _DECLARED
    if unknown_fields:
        raise UserError(f"{meta_path}: unknown field(s) {', '.join(sorted(map(str, unknown_fields)))}; the fields "
                        f"are {', '.join(sorted(_DECLARED))}.")
    merged = {**base, **meta}
    _check_choices(meta_path, "senders", merged["senders"], ALL_SENDERS)
    _check_choices(meta_path, "asks", merged["asks"], QUESTION_TOPICS)
    _check_choices(meta_path, "starts", [merged["starts"]], STARTS)
    _check_choices(meta_path, "recipient", [merged["recipient"]], RECIPIENTS)
    _check_choices(meta_path, "signed_by", [merged["signed_by"]], SIGNERS)
    return LetterKind(
        name=template.stem,
        title=str(merged["title"]),
        summary=str(merged["summary"]),
        template=template,
        senders=tuple(merged["senders"]),
        needs_denial=bool(merged["needs_denial"]),
        source=source if source == "built-in" else f"{source}: {template.parent}",
        situation=merged["situation"],
        sent_to_plan=bool(merged["sent_to_plan"]),
        recipient=str(merged["recipient"]),
        signed_by=str(merged["signed_by"]),
        can_be_urgent=bool(merged["can_be_urgent"]),
        argues_case=bool(merged["argues_case"]),
        argues_without_denial=_tags(meta_path, "argues_without_denial", merged["argues_without_denial"]),
        encloses_case_list=bool(merged["encloses_case_list"]),
        starts=str(merged["starts"]),
        cites=_tags(meta_path, "cites", merged["cites"]),
        states_consequences=bool(merged["states_consequences"]),
        charts_scores=bool(merged["charts_scores"]),
        parity_rules=_tags(meta_path, "parity_rules", merged["parity_rules"]),
        asks=tuple(merged["asks"]),
        **{key: _sentences(meta_path, key, merged[key]) for key in SENTENCE_FIELDS},
    )


def refuse_if_others_can_write(path: Path) -> None:
    """Another local user who can write into a template folder could plant a template; such a folder is refused.

    Writable by everyone, or by a group that is not the person's own private group (the usual setting on
    Debian and Ubuntu, where each user has a group of their own), or owned by someone else.
    """
    if os.name != "posix":
        return
    import grp
    import pwd
    import stat

    try:
        status = path.stat()
    except OSError:
        return
    me = os.getuid()
    mode = status.st_mode
    writable_by_group = bool(mode & stat.S_IWGRP)
    if writable_by_group:
        try:
            group = grp.getgrgid(status.st_gid)
            own_private_group = status.st_gid == os.getgid() and group.gr_name == pwd.getpwuid(me).pw_name \
                and not group.gr_mem
        except KeyError:
            own_private_group = False
        writable_by_group = not own_private_group
    if mode & stat.S_IWOTH or writable_by_group or status.st_uid not in (me, 0):
        what = "folder" if path.is_dir() else "file"
        raise UserError(
            f"The template {what} {path} can be changed by other users of this computer, so its templates are not "
            f"used (someone could plant a letter there). Make it yours alone: chmod go-w '{path}'."
        )


def _tags(meta_path: Path, key: str, value: object) -> tuple[str, ...]:
    """`cites:` or `parity_rules:` as one tag (or rule id), a list of them, or nothing."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    what = {"cites": "a tag from rules.yaml's letters: lists", "parity_rules": "a rule id from rules.yaml"}.get(
        key, "an entry of appeal/data/arguments.yaml")
    raise UserError(f"{meta_path}: {key} must be {what}, or a list of them.")


def _check_choices(meta_path: Path, key: str, values: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(values, list) or set(map(str, values)) - set(allowed):
        raise UserError(f"{meta_path}: {key} may be {', '.join(allowed)}, not {values}.")


def _sentences(meta_path: Path, key: str, items: object) -> tuple[Sentence, ...]:
    """A list of {text, when, unless_listed}, each expression compiled now so a mistake is named at start."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    from appeal.letters.render_env import shared_environment

    if not isinstance(items, list):
        raise UserError(f"{meta_path}: {key} must be a list of entries with 'text:' (and 'when:').")
    allowed = {"text", "when", "unless_listed", "drafted_by"}
    environment = shared_environment(for_docx=False)
    found = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or set(item) - allowed:
            raise UserError(f"{meta_path}: {key} entry {number} must have 'text:', and may have 'when:', "
                            "'unless_listed:' and 'drafted_by:'.")
        try:
            environment.from_string(item["text"])
            if item.get("when"):
                environment.compile_expression(str(item["when"]))
        except (TemplateSyntaxError, SecurityError) as error:
            raise UserError(f"{meta_path}: {key} entry {number}: {error.message}.") from None
        found.append(Sentence(item["text"], item.get("when"), item.get("unless_listed"), item.get("drafted_by")))
    return tuple(found)


@lru_cache(maxsize=8)
def all_kinds(extra: tuple[Path, ...] = ()) -> dict[str, LetterKind]:
    kinds: dict[str, LetterKind] = {}
    for folder, source in folders(extra):
        if source != "built-in" and not folder.is_dir():
            if source == "--templates":
                raise UserError(f"--templates {folder}: no such folder.")
            continue
        if source != "built-in":
            refuse_if_others_can_write(folder)
        for template in sorted(folder.glob("*.docx")):
            if template.name.startswith(("~$", ".")):  # Word's lock files and hidden files
                continue
            if source != "built-in":
                refuse_if_others_can_write(template)
                if template.with_suffix(".yaml").exists():
                    refuse_if_others_can_write(template.with_suffix(".yaml"))
            kinds[template.stem] = (_built_in(template) if source == "built-in"
                                    else from_template(template, source, kinds.get(template.stem)))
    return kinds


@lru_cache(maxsize=None)
def _built_in(template: Path) -> LetterKind:
    """A built-in kind, read once a process: it depends only on the files we ship, while `all_kinds` is read again
    whenever the user's folders may have changed (each command run in a long-lived process, each test). The
    built-in folder is searched first, so a built-in kind never inherits from another."""
    return from_template(template, "built-in", None)


def translated_template(kind: LetterKind, language: str, extra: tuple[Path, ...] = ()) -> Path | None:
    """The kind's template in another language: LANGUAGE/NAME.docx in the kind's own template folder or in a folder
    that comes before it (a user's folder may hold es/appeal.docx for the built-in kind); None when there is none.
    A user's file is held to the same ownership check as the English template."""
    for folder, source in reversed(folders(extra)):
        candidate = folder / language / kind.template.name
        if candidate.is_file():
            if source != "built-in":
                refuse_if_others_can_write(candidate.parent)
                refuse_if_others_can_write(candidate)
            return candidate
        if folder.resolve() == kind.template.parent.resolve():
            return None
    return None


def default_name(has_denial: bool) -> str:
    """The kind used when neither the command line nor the case names one."""
    return DEFAULT_FOR_DENIAL if has_denial else DEFAULT_WITHOUT_DENIAL


# The `starts:` value a kind declares for each step of the dispute a letter is drafted for (appeal/letters/letter_rules.py
# reads it the other way: the step a kind's letter starts). A state fair hearing and the later levels (a lawsuit, the
# Medicare Appeals Council) have none: they are named with their deadline, not drafted.
_STARTS_FOR_STEP = {"initial_request": "initial_request", "internal_appeal": "next", "second_internal_appeal": "next",
                    "external_review": "external_review"}


def kind_for_step(step: str) -> str | None:
    """The kind drafted to start a dispute step (a dispute.Step value), from what the kinds declare: one whose
    `starts:` is that step and that answers a denial exactly when the step comes after a decision; where several
    do, the first that every sender may send (a prior-authorization request before a provider's reauthorization).
    None for a step no kind starts."""
    starts = _STARTS_FOR_STEP.get(step)
    after_decision = step != "initial_request"
    fitting = [kind for kind in all_kinds().values() if starts and kind.starts == starts
               and kind.needs_denial == after_decision]
    fitting.sort(key=lambda kind: set(kind.senders) != set(ALL_SENDERS))  # stable: otherwise the kinds' order
    return fitting[0].name if fitting else None


def get(name: str, extra: tuple[Path, ...] = ()) -> LetterKind:
    kinds = all_kinds(extra)
    if name not in kinds:
        raise UserError(f"There is no letter kind '{name}'. The kinds are: {', '.join(kinds)} (see `appeal letters`).")
    return kinds[name]
