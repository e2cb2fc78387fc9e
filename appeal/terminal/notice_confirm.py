"""`appeal import`: the notice's fields shown beside the lines they came from, confirmed or corrected, saved.

The person sees (appeal/intake/notice_report.py) every value next to the notice line it was read from, so checking is comparing, not retyping.
Values marked for checking (an unclear scan, a correction of OCR, a guess from the letterhead) are asked about
one by one; then one menu accepts the rest or corrects any of them. A correction is checked by the case model,
exactly as the questionnaire checks the same answer. `--yes` accepts what was found (for scripts) and still
prints what to check.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from appeal.base.control_chars import printable
from appeal.base.errors import UserError
from appeal.base.language import shown_date, translate as _
from appeal.cases.case import Case, DenialReason, PlanType
from appeal.cases.fields import parse_date
from appeal.intake import notice_import, notice_text
from appeal.intake.notice_report import MUST_CONFIRM, case_file_text, must_check, report, shown, short
from appeal.intake.notice_import import CodeList, Extraction, Found, StatedDeadline

_DONE, _TYPE, _BLANK, _RIGHT = "\x00done", "\x00type", "\x00blank", "\x00right"


# --------------------------------------------------------------------------------------------------------------
# Correcting one value: the same check the questionnaire applies


def _convert(key: str, typed: str):
    """Typed text to the value the field holds; ValueError with a plain reason when it cannot be."""
    text = typed.strip()
    if key == "patient_name":
        if len(text.split()) < 2:
            raise ValueError(_("Type the first and the last name, like Dana Whitfield."))
        return text
    if key == "appeal_deadline":
        match = re.fullmatch(r"(?:within |dentro de )?(\d{1,3}) (?:days?|d[ií]as?)", text, re.I)  # or in Spanish
        if match:
            return StatedDeadline(int(match.group(1)), None,
                                  _("within {days} days (as you typed it)").format(days=match.group(1)))
        return StatedDeadline(None, parse_date(text), _("by {date} (as you typed it)").format(date=text))
    if key in ("notice_date", "date_of_birth"):
        return parse_date(text)
    if key in ("diagnoses", "adjustment_codes"):
        return [part.strip().upper() for part in re.split(r"[,;\s]+", text) if part.strip()]
    if key == "procedure_codes":
        return CodeList(tuple((part.strip().upper(), None) for part in re.split(r"[,;\s]+", text) if part.strip()))
    return text


def _check(key: str, value) -> None:
    """Raise ValueError (the case model's own reason) when the case would refuse the value."""
    trial = Extraction(notice_text.from_string(""), {key: Found(key, value, notice_text.Line(0, ""))})
    _, refused = notice_import.to_case(trial)
    if refused:
        raise ValueError(refused[0].split(": ", 1)[1])


def _typed(key: str, found: Found | None):
    import questionary

    def validate(typed: str) -> bool | str:
        if not typed.strip():
            return True
        try:
            _check(key, _convert(key, typed))
        except ValueError as error:
            return str(error).removeprefix("Value error, ")
        return True

    current = "" if found is None else shown(found).replace(" / ", ", ")
    if found is not None and isinstance(found.value, date):
        current = shown_date(found.value)  # in words in Spanish, where 03/04 could be read day first
    # the box starts empty: a person who said the reading is wrong types the right value, and text typed after a
    # reading left in the box ran on from it ('DEPARTMENT OF HEALTHAlaska Department of Health'); the reading is
    # shown beside the box instead
    instruction = (_("(it read: {value}; type it as on the notice; empty leaves it blank)").format(value=current)
                   if current else _("(type it as on the notice; empty leaves it blank)"))
    answer = questionary.text(f"{_(notice_import.LABELS[key])}:", validate=validate, instruction=instruction).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    return _convert(key, answer) if answer.strip() else None


def _choose(key: str, found: Found | None):
    """Plan type and reason are chosen from their lists, by the same plain labels the questionnaire shows."""
    import questionary

    from appeal.terminal import prompts

    kind = {"plan_type": PlanType, "reason": DenialReason}[key]
    choices = [questionary.Choice(_(member.label), value=member.value) for member in kind]
    choices.append(questionary.Choice(_("Leave it blank"), value=_BLANK))
    default = found.value.value if found is not None else None
    answer = prompts.select(f"{_(notice_import.LABELS[key])}:", choices=choices, default=default).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    return None if answer == _BLANK else kind(answer)


def _correct(extraction: Extraction, key: str) -> None:
    found = extraction.found.get(key)
    value = _choose(key, found) if key in ("plan_type", "reason") else _typed(key, found)
    if value is None:
        extraction.found.pop(key, None)
        return
    line = found.line if found else notice_text.Line(0, _("(typed by you)"))
    extraction.found[key] = Found(key, value, line, True, "")


def confirm(extraction: Extraction, say=print) -> Extraction:
    """Ask about each uncertain value, then offer to correct any; returns the extraction as the person left it."""
    import questionary

    from appeal.terminal import prompts

    for key, label in notice_import.FIELDS:
        found = extraction.found.get(key)
        if found is None or (found.certain and key not in MUST_CONFIRM):
            continue
        label = _(label)
        say(f"\n{label}: {shown(found)}\n  "
            + _("on the notice, {where}:").format(where=extraction.notice.where(found.line))
            + f" \"{found.line.text.strip()}\""
            + (f"\n  ({_(found.why)})" if found.why else "")
            + ("\n  " + _("(where the letter goes and by when: always checked)") if found.certain else ""))
        answer = prompts.select(
            _("{label}: is this right?").format(label=label),
            choices=[questionary.Choice(_("Yes, it matches the notice"), value=_RIGHT),
                     questionary.Choice(_("No, let me type it"), value=_TYPE),
                     questionary.Choice(_("Leave it blank"), value=_BLANK)],
        ).unsafe_ask()
        if answer is None:
            raise KeyboardInterrupt
        if answer == _RIGHT:
            extraction.found[key] = replace(found, certain=True, why="")
        elif answer == _BLANK:
            extraction.found.pop(key)
        else:
            _correct(extraction, key)
    while True:
        choices = [questionary.Choice(_("Everything is right: save it and go on"), value=_DONE)]
        for key, label in notice_import.FIELDS:
            found = extraction.found.get(key)
            title = (_("Change  {label}: {value}").format(label=_(label), value=short(shown(found), 45)) if found
                     else _("Add     {label} (not found)").format(label=_(label)))
            choices.append(questionary.Choice(title, value=key))
        answer = prompts.select(_("Is everything right?"), choices=choices).unsafe_ask()
        if answer is None:
            raise KeyboardInterrupt
        if answer == _DONE:
            return extraction
        _correct(extraction, answer)


# --------------------------------------------------------------------------------------------------------------
# The command


def read_notice(path: str | Path) -> tuple[Extraction, Case, list[str]]:
    extraction = notice_import.extract(notice_text.read(path))
    case, refused = notice_import.to_case(extraction)
    return extraction, case, refused


def save(extraction: Extraction, case: Case, output: Path, *, force: bool) -> Path:
    from appeal.base.safe_write import write_text

    return write_text(output, case_file_text(extraction, case), overwrite=force)


def command(notice: str, output: Path, *, yes: bool, force: bool, as_denial: bool = False) -> tuple[Case, Path]:
    """`appeal import`: confirming needs a terminal; --yes does not."""
    if not yes and not sys.stdin.isatty():
        raise UserError(_("appeal import shows what it read for you to confirm, in a terminal, and this is not one. "
                          "Run it in a terminal, or add --yes to accept what it finds."))
    return run(notice, output, interactive=not yes, force=force, as_denial=as_denial)


def ask_as_denial(extraction: Extraction) -> bool:
    """For a document that is not a denial: read it as one only if the person says so (No by default)."""
    from appeal.terminal import prompts

    answer = prompts.confirm(_("Read it as a denial anyway, to appeal it? (only if part of it was denied)"),
                             default=False).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    return bool(answer)


def decide_denial(extraction: Extraction, *, interactive: bool, as_denial: bool, notice: str) -> None:
    """Whether a document that is not a denial goes into the case as one: --as-denial, or the person's yes."""
    if extraction.writes_denial:
        return
    if as_denial:
        extraction.denial_confirmed = True
        print("\n" + _("Read as a denial because you asked for it (--as-denial)."))
    elif interactive:
        extraction.denial_confirmed = ask_as_denial(extraction)
    else:
        print("\n" + _("No denial was written into the case: {kind} is not one. If part of it was denied and you "
                       "want to appeal that part, run: {command}").format(
            kind=extraction.document.type.label, command=f"appeal import {notice} -o CASE.yaml --yes --as-denial"))


def run(notice: str, output: Path, *, interactive: bool, force: bool, as_denial: bool = False) -> tuple[Case, Path]:
    """Read, show what the document is, confirm (when interactive), save; then, for a denial and when interactive,
    the questionnaire for the rest."""
    if output.exists() and not force:
        raise UserError(_("{path} already exists. Choose another name with -o, or add --force to replace it.").format(
            path=output))
    extraction, case, refused = read_notice(notice)
    if not extraction.found:
        raise UserError(_("Nothing a letter needs was found in {notice}. Is it a denial notice? For a photo, try a "
                          "sharper one taken straight on in good light.").format(notice=notice)
                        + "".join(f" {note}" for note in extraction.notice.notes))
    print(printable("\n".join(report(extraction, refused))))
    if interactive:
        go_on_despite_unread(extraction)
    try:
        decide_denial(extraction, interactive=interactive, as_denial=as_denial, notice=notice)
        if interactive:
            confirm(extraction)
    except KeyboardInterrupt:  # keep what was confirmed or typed so far; the header lists what is unchecked
        save(extraction, notice_import.to_case(extraction)[0], output, force=force)
        print("\n" + _("Stopped. What was read and what you confirmed so far is saved in {path}; the values still "
                       "to check are listed at its top. Carry on with: {command}").format(
            path=output, command=f"appeal draft --resume {output}"))
        raise
    case, refused = notice_import.to_case(extraction)
    if not interactive and extraction.writes_denial:
        print(printable("\n".join(must_check(extraction))))
    save(extraction, case, output, force=force)
    print("\n" + _("Saved the case to {path}").format(path=output))
    comparison = notice_import.deadline_comparison(extraction, case)
    if comparison:
        print(printable("\n" + _("Deadline. {comparison}").format(comparison=comparison)))
    if not extraction.writes_denial:
        print(_("It holds your and your plan's details and no denial. If the plan later denies something, import "
                "that notice."))
        return case, output
    if interactive:
        from appeal.terminal import questionnaire

        print("\n" + _("Now the questions the notice does not answer."))
        return questionnaire.run(case_path=output)
    print("\n" + _("Next: {command}   (in a terminal it offers to ask what the notice does not say)").format(
        command=f"appeal draft --case {output}"))
    return case, output


def go_on_despite_unread(extraction: Extraction) -> None:
    """When part of the notice could not be read (listed above the values), ask before going on: a value that
    was there is now missing, or may be wrong, and only the paper can say which."""
    import questionary

    from appeal.terminal import prompts

    if not extraction.notice.notes:
        return
    answer = prompts.select(
        _("Part of the notice could not be read (listed above). What would you like to do?"),
        choices=[questionary.Choice(_("Go on: I will check those parts against the paper"), value=_RIGHT),
                 questionary.Choice(_("Stop: I will take a clearer photo or scan and try again"), value=_DONE)],
    ).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    if answer == _DONE:
        raise UserError(_("Stopped; nothing was saved. Photograph {name} flat, in even light, with the whole page "
                          "in view (or scan it), and import the new file.").format(name=Path(extraction.notice.name).name))


def start_from_notice() -> tuple[Case, Path] | None:
    """The questionnaire's first step: a notice file read into a new draft, or None to answer by hand."""
    import questionary

    from appeal.terminal import prompts

    from appeal.intake import drafts

    choice = prompts.select(
        _("How would you like to start?"),
        choices=[questionary.Choice(_("Start from your denial notice (a PDF, a photo or a text file)"),
                                    value="notice"),
                 questionary.Choice(_("Answer the questions one by one"), value="questions")],
    ).unsafe_ask()
    if choice is None:
        raise KeyboardInterrupt
    if choice != "notice":
        return None
    while True:
        typed = questionary.path(_("Where is the notice? (drag the file here, or type its path)")).unsafe_ask()
        if typed is None:
            raise KeyboardInterrupt
        folder = drafts.folder()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"imported-{date.today():%Y-%m-%d}-{len(list(folder.glob('imported-*'))) + 1}.yaml"
        try:
            return run(typed.strip().strip("'\""), target, interactive=True, force=False)
        except UserError as error:
            print(printable(error))
            if not prompts.confirm(_("Try another file?"), default=True).unsafe_ask():
                return None
