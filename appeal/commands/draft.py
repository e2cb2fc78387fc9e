"""`appeal draft`: a letter from a case file, from the questionnaire (new, resumed, or filling a case file's
gaps), or as the next letter of a tracked appeal; then what it still needs and what happens next. Only the
standard library is imported at start-up; drafting imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appeal.base import letter_language
from appeal.base.folders import add_folder_options
from appeal.base.language import translate as _
from appeal.commands.track import ask_and_record, case_from_track, today_of


def add_draft_parser(commands) -> argparse.ArgumentParser:
    """Add the `draft` command to `appeal`'s subcommands."""
    draft = commands.add_parser("draft", help=_("write a letter from a case file"))
    draft.add_argument("--case", metavar=_("FILE"),
                       help=_("the case file (YAML or JSON); without it, questions are asked"))
    draft.add_argument("--resume", metavar=_("FILE"), help=_("carry on with an unfinished questionnaire draft"))
    draft.add_argument("--from-track", metavar=_("ID"), type=int,
                       help=_("the next letter of a tracked appeal (after a denial, or when the plan is late)"))
    draft.add_argument("--today", help=argparse.SUPPRESS)
    draft.add_argument("--letter", metavar=_("KIND"),
                       help=_("the kind of letter (see `appeal letters`); default: the case's"))
    draft.add_argument("-o", "--output", metavar=_("OUT.docx"),
                       help=_("where to write (default: patient-kind-date.docx)"))
    draft.add_argument("--strict", action="store_true", help=_("refuse to write a letter that still has blanks"))
    draft.add_argument("--signature", metavar=_("IMAGE"), type=Path,
                       help=_("a photo (PNG or JPEG) of your signature on white paper, or one drawn and saved; it is "
                              "cleaned and placed above your name"))
    draft.add_argument("--force", action="store_true", help=_("replace the output file if it exists"))
    letter_language.add_option(draft)
    add_folder_options(draft)
    draft.set_defaults(handler=cmd_draft)
    return draft


def _print_report(path: Path, drafted) -> None:
    """What was written and what it still needs. The blanks' names, the kind's warnings and its sending lines are
    about the English letter and are in English: in another language a lead-in in that language says so."""
    from appeal.base import language
    from appeal.base.language import ngettext, translate as _

    english = language.current() == language.ENGLISH
    if english:
        print(f"Wrote {drafted.kind.title.lower()} to {path}")
    else:  # the kinds' titles are in the catalog by the questionnaire's choice of letter
        print(_("Wrote the letter ({kind}) to {path}").format(kind=_(drafted.kind.title), path=path))
    facts = []
    if drafted.blanks:  # the questions (a twentieth of a draft process to read) only name what is missing
        from appeal.intake.questions import blank_facts, prompt_for_anyone

        facts = blank_facts(drafted.blanks)
    if facts:
        print("\n" + ngettext("{count} blank(s) to fill in before sending (they show as [ADD: ...] in the letter):",
                              "{count} blank(s) to fill in before sending (they show as [ADD: ...] in the letter):",
                              len(facts)).format(count=len(facts)))
        for label, questions in facts:
            asked = " / ".join(f"'{prompt_for_anyone(question.prompt)}'" for question in questions)
            named = label if english else f"[ADD: {label}]"  # in another language: the mark the letter shows
            print(f"  - {named}" + (" " + ngettext("(the question: {asked})", "(the questions: {asked})",
                                                   len(questions)).format(asked=asked) if asked else ""))
    for warning in drafted.warnings:  # about the English letter, in English: another language says so first
        print(f"\nWarning: {warning}" if english else
              "\n" + _("Warning (in English, as it is about the letter in English): {warning}").format(warning=warning))
    if drafted.sending:
        print("\n" + _("How to send it") + "\n" + "\n".join(f"  - {line}" for line in drafted.sending))
    if drafted.to_draft:
        print("\n" + _("The letter lists documents this tool drafts too; draft each from the same case:") + "\n"
              + "\n".join(f"  - {line}" for line in drafted.to_draft))


def _write_summary(case, kind, letter: Path, today, force: bool) -> None:
    """For a person reading another language than English: "Qué dice su carta" beside the letter, which stays in
    English (appeal.letters.summary)."""
    from appeal.base import language
    from appeal.base.language import translate as _

    if language.current() == language.ENGLISH or not kind.sent_to_plan:
        return
    from appeal.base.safe_write import write_bytes
    from appeal.letters import summary

    path = summary.path_beside(letter)
    write_bytes(path, summary.as_docx(summary.sections(case, kind, today), case), overwrite=force)
    print(_("What your letter says, in your language: {file}").format(file=path))


def _print_spelling(case) -> None:
    """Likely typos in the case's free text, by field, with the word meant; the letter is printed as typed."""
    from appeal.base.control_chars import printable
    from appeal.letters import proofread

    from appeal.base.language import translate as _

    found = proofread.warnings(case)
    if found:
        print("\n" + _("Spelling to check (the letter has them as typed; fix them in the case file, or in the "
                       "letter):"))
        print("\n".join(printable(f"  - {line}") for line in found))


def _print_last(path: Path, drafted, case, send_by: str | None = None) -> None:
    """The last lines on screen: where the letter is, and the one thing to do next (nothing to scroll back for),
    sent the way the person chose in the packet's question (`send_by`: "fax" or "mail")."""
    from appeal.base.language import ngettext, translate as _
    from appeal.intake import beside_letter

    print("\n" + _("Your letter: {path}").format(path=path.resolve()))
    chosen = beside_letter.sending(case, send_by) if drafted.kind.sent_to_plan and not drafted.sending else None
    if drafted.blanks:
        from appeal.intake.questions import blank_facts

        count = len(blank_facts(drafted.blanks))
        action = (ngettext("open it and fill in the {count} [ADD: ...] blank(s) listed above, then ",
                           "open it and fill in the {count} [ADD: ...] blank(s) listed above, then ",
                           count).format(count=count)
                  + (_("sign it and {how}").format(how=chosen) if chosen else _("sign and send it.")))
    elif chosen:
        action = _("sign it and {how}").format(how=chosen)
    elif drafted.sending:
        action = _("sign it and send it as 'How to send it' says above; keep a copy and proof of sending.")
    elif not drafted.kind.sent_to_plan:
        action = _("sign it and give it to the patient or the plan.")
    elif case.insurance.appeals_fax:
        action = _("sign it and fax it to {fax}; keep the fax confirmation page.").format(
            fax=case.insurance.appeals_fax)
    else:
        action = _("sign it and send it as 'Where and how to send it' says above; keep proof of sending.")
    print(_("Next: {action}").format(action=action))


def _print_next_steps(case, enclosures: list[str], today=None, suggested: list[str] = ()) -> None:
    from appeal.base import language
    from appeal.base.language import translate as _
    from appeal.rules import next_steps

    print("\n" + _("What happens next") + "\n")
    if language.current() != language.ENGLISH:  # the rules' own words stay as their source wrote them
        print(_("(The rules are quoted in English, the language of their source, with the source in brackets.)") + "\n")
    print(next_steps.as_text(next_steps.sections(case, enclosures, today, suggested=suggested)))


def _interview(args: argparse.Namespace):
    """The questionnaire: a new case, a resumed draft, or the missing answers of a case file."""
    import questionary

    from appeal.terminal import prompts

    from appeal.base.errors import UserError
    from appeal.base.language import translate as _
    from appeal.intake import drafts
    from appeal.terminal import questionnaire

    if not sys.stdin.isatty():
        raise UserError(
            "appeal draft asks its questions in a terminal, and this is not one. Run it in a terminal, or give "
            "a case file: appeal draft --case FILE (see `appeal example --list`)."
        )
    if args.resume:
        return _resume(Path(args.resume))
    for told in drafts.set_aside_damaged():
        print(told + "\n", file=sys.stderr)
    unfinished = drafts.find_unfinished()
    if unfinished:
        choice = prompts.select(
            _("You have an unfinished draft. Carry on with it?"),
            choices=[questionary.Choice(_("Yes, resume {draft}").format(draft=drafts.describe(path)), value=path)
                     for path in unfinished[:5]]
            + [questionary.Choice(_("No, start a new letter"), value="new")],
        ).ask()
        if choice is None:
            raise KeyboardInterrupt
        if choice != "new":
            return _resume(choice)
    from appeal.terminal.notice_confirm import start_from_notice

    return start_from_notice() or questionnaire.run()


def _resume(path: Path):
    """Carry on with a draft; if another session has it open, say so and offer to carry on in a copy."""
    from appeal.terminal import prompts

    from appeal.base.language import translate as _
    from appeal.intake import drafts
    from appeal.terminal import questionnaire

    try:
        return questionnaire.run(resume=path)
    except drafts.DraftInUse as in_use:
        print(f"appeal: {in_use}", file=sys.stderr)
        answer = prompts.confirm(_("Carry on in a copy of the draft (the other session keeps the original)?"),
                                     default=True).ask()
        if not answer:
            raise KeyboardInterrupt from None
        return questionnaire.run(resume=drafts.copy_draft(path))


def cmd_draft(args: argparse.Namespace) -> int:
    from appeal.base.language import ngettext, translate as _
    from appeal.cases import casefile
    from appeal.letters import draft

    today = today_of(args)
    written_in = letter_language.choose(args.letter_lang)  # a language no letter is written in: said before anything
    signed = None  # the signature picture, cleaned before any question is asked, so a bad photo is said at once
    if args.signature:
        from appeal.output import signature

        signed = signature.clean_signature(signature.read_signature(args.signature),
                                           f"--signature {args.signature.name}")
    send_by = None  # "fax" or "mail", as the person chose in the packet question
    late = None  # for the next letter of a tracked appeal the plan did not answer: what that lets the person do
    if args.from_track is not None:
        case, late = case_from_track(args.from_track, today, args.letter, tuple(args.templates or ()))
    elif args.case:
        case_path = Path(args.case)
        case = casefile.load(case_path)
    else:
        case, case_path = _interview(args)
    templates = tuple(args.templates or ())
    kind = draft.choose_kind(case, args.letter, templates)
    drafted = draft.draft(case, kind, today, evidence_dirs=args.evidence, language=written_in,
                                  template_dirs=templates)
    if args.case and drafted.blanks and sys.stdin.isatty() and not args.strict:
        from appeal.terminal import prompts

        from appeal.terminal import questionnaire

        if prompts.confirm(
            ngettext("The letter still has {count} blank(s). Answer the missing questions now?",
                     "The letter still has {count} blank(s). Answer the missing questions now?",
                     len(drafted.blanks)).format(count=len(drafted.blanks)), default=True
        ).ask():
            case, completed = questionnaire.run(case_path=case_path, overwrite_case=args.force)
            if completed != case_path:
                print(_("Your answers are saved in {saved}; {case} is unchanged (add --force to write them into "
                        "it).").format(saved=completed, case=case_path))
            case_path = completed
            kind = draft.choose_kind(case, args.letter, templates)
            drafted = draft.draft(case, kind, today, evidence_dirs=args.evidence, language=written_in,
                                  template_dirs=templates)
    path = Path(args.output) if args.output else draft.default_name(case, kind, today)
    asked = not args.case and args.from_track is None  # the questionnaire made the case: keep it beside the letter
    if asked and not args.output:
        from appeal.intake import beside_letter

        path = beside_letter.free_letter_name(path)
    if signed is not None:
        drafted.content = signature.place_signature(drafted.content, signed)
    draft.write(drafted, path, strict=args.strict, force=args.force)
    if asked:
        from appeal.intake import beside_letter

        case_path = beside_letter.keep_beside(case_path, path)
    _print_report(path, drafted)
    _write_summary(case, kind, path, today, args.force)
    _print_spelling(case)
    if late:
        print("\n" + _("What happens next") + "\n\n" + late)
    elif kind.sent_to_plan:
        _print_next_steps(case, drafted.enclosures, today, drafted.suggested_enclosures)
    sent_on = _("DATE")  # in the commands below: the day the letter is sent, for the person to type
    if args.from_track is not None:
        print(_("Once it is sent, record it: {command}").format(
            command=f"appeal track add --continues {args.from_track} --sent {sent_on} --packet {path}"))
    elif not args.case:  # the questionnaire's last steps: the letter as one PDF to fax or mail, and sent already?
        from appeal.output import packet
        from appeal.terminal import questionnaire

        from appeal.output import office_server

        sent_as, appeal_id = path, None
        with office_server.kept_running():  # LibreOffice starts as soon as a PDF is wanted, while files are named
            wanted = questionnaire.ask_packet()
            if wanted:
                cover, files = wanted
                send_by = "fax" if cover else "mail"
                sent_as = packet.default_name(path)
                print(packet.save(case, kind, drafted.content, sent_as, attachments=files, cover=cover,
                                  force=args.force))
            if signed is None:
                print("\n" + _("The packet's signature line is empty, to sign by hand: print the letter, sign above "
                               "your name, and send the signed pages; or make the packet again with {command}.").format(
                    command="appeal packet --signature " + _("PHOTO")))
        if sys.stdin.isatty():
            appeal_id = ask_and_record(case, case_path, kind.name, sent_as, today)
            if appeal_id is not None:
                print(_("Recorded as appeal #{id}; see every open appeal with: {command}").format(
                    id=appeal_id, command="appeal status"))
    elif kind.starts != "none":  # a letter that starts no step of the dispute has no decision date to track
        print(_("Once it is sent, track it: {command}").format(
            command=f"appeal track add --case {case_path} --sent {sent_on} --packet {path}"))
    if asked:
        _print_follow_up(case_path, sent_as, today, recorded=appeal_id is not None, to_draft=drafted.to_draft)
    _print_last(path, drafted, case, send_by)
    return 0


def _print_follow_up(case_path: Path, letter: Path, today, recorded: bool, to_draft: list[str]) -> None:
    """Where the answers are kept (beside the letter), and the commands that use them, with the real paths."""
    from appeal.base.language import translate as _
    from appeal.intake import beside_letter

    print("\n" + _("Your answers (the case file): {path}").format(path=case_path.resolve()))
    print(_("Commands for this case (copy a line into the terminal):"))
    for command, what in beside_letter.follow_up(case_path, letter, today, to_draft):
        if not (recorded and command.startswith("appeal track add")):
            print(f"  {command}\n      {what}")
