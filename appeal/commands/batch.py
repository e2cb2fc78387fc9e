"""`appeal batch`: many letters in one run, for providers and advocates with many cases.

Cases come from case files, folders of them, and CSV files (one row a case, appeal/cases/csv_cases.py). Each case is
drafted on its own: a bad case is reported with the same message `appeal draft` gives, and the others go on.
Letters are written by this process alone, in input order, so their names are the same whatever --jobs is:
patient-kind-date.docx, then -2, -3 ... when a run has several letters for one patient and kind.

Memory stays flat however many cases there are: inputs are read as they are needed (a CSV a row at a time),
and at most a few cases per worker are in flight; only a line of the summary is kept for each case.

Only the standard library is imported here, because `appeal --help` builds this command's parser; drafting
imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from appeal.base import language, letter_language
from appeal.base.control_chars import printable
from appeal.base.folders import add_folder_options
from appeal.base.language import N_, ngettext, translate as _

CASE_SUFFIXES = (".yaml", ".yml", ".json")
CSV_SUFFIX = ".csv"
IN_FLIGHT_PER_JOB = 4  # cases handed to each worker ahead of time: enough to keep it busy, few enough to stay small

DESCRIPTION = N_("""\
Draft a letter for each case. INPUT is any mix of:
  - case files (.yaml, .yml or .json), as `appeal draft --case` reads them;
  - folders: their .yaml, .yml, .json and .csv files are read (not their subfolders);
  - CSV files: one row a case, the first row naming the columns by case-field path, such as
    patient.last_name, diagnoses.0.code, prior_treatments.0.name, treatment.codes.0.code. An empty cell
    means "not given". `appeal batch --csv-template FILE` writes every column; list fields get numbered
    columns (6 prior treatments, 4 diagnoses, 6 scores, 4 codes, 12 services, 12 dates of service,
    6 enclosures, ...) and a file may add higher numbers. Rows are numbered as a spreadsheet shows them
    (the first row, the column names, is row 1).

Letters are named patient-kind-date.docx in the output folder, then -2, -3 ... within the run. An existing
file is never replaced without --force: without it, that case fails and says so. A case that cannot be
drafted is reported with its reason and the others go on; the exit status is 1 when any case failed.

With --packet, one LibreOffice is kept running for the whole run to make the PDFs (it needs LibreOffice's
Python bridge, python3-uno; without it each PDF starts LibreOffice on its own, more slowly).
--attach-dir DIR attaches each case's own files, from a folder of DIR named after the case:
  - a case file: its name without the extension (cases/alvarez.yaml -> DIR/alvarez/);
  - a CSV row: the CSV file's name without the extension, then -row and the row number as a spreadsheet
    shows it (clinic.csv, row 2 -> DIR/clinic-row2/).
The files directly in that folder (PDFs, photos, scans) are attached in the order of their names (name them
1-denial.pdf, 2-records.pdf ... to choose it); files whose names start with a dot are left out. A case whose
folder is missing fails, saying which folder it looked for: make it, empty, for a case with nothing to attach.
""")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a whole number").format(text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more"))
    return value


def add_batch_parser(commands) -> argparse.ArgumentParser:
    """Add the `batch` command to `appeal`'s subcommands."""
    batch = commands.add_parser(
        "batch",
        help=_("write a letter for each of many cases (files, folders, CSV rows)"),
        description=_(DESCRIPTION),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument("inputs", nargs="*", metavar=_("INPUT"),
                       help=_("case files, folders of them (not recursive), CSV files"))
    batch.add_argument("-o", "--output", metavar=_("DIR"),
                       help=_("the folder to write the letters in (made if missing)"))
    batch.add_argument("--letter", metavar=_("KIND"),
                       help=_("the kind of letter for every case (default: each case's letter_kind)"))
    batch.add_argument("--jobs", metavar=_("N"), type=_jobs, default=None,
                       help=_("cases drafted at once, in separate processes (default: the number of CPUs, here "
                              "{count}); 1 drafts them one by one in this process").format(count=os.cpu_count() or 1))
    batch.add_argument("--strict", action="store_true", help=_("refuse (fail) each letter that still has blanks"))
    batch.add_argument("--force", action="store_true", help=_("replace letters that already exist in the folder"))
    batch.add_argument("--packet", nargs="?", const="fax", choices=("fax", "mail"),
                       help=_("also write each letter as a PDF to send (patient-kind-date.pdf): with a fax cover sheet "
                              "(fax, the default) or without (mail); it holds the letter, Attachment A and the case's "
                              "files from --attach-dir"))
    batch.add_argument("--attach-dir", metavar=_("DIR"),
                       help=_("with --packet: a folder holding a folder of files to attach for each case, named after "
                              "the case (see above)"))

    letter_language.add_option(batch)
    add_folder_options(batch)
    batch.add_argument("--csv-template", metavar=_("FILE"),
                       help=_("write an empty CSV (its first row only) with every column, and stop"))
    batch.set_defaults(handler=cmd_batch, batch_parser=batch)
    return batch


# --------------------------------------------------------------------------------------------------------------
# Work items


@dataclass
class Task:
    """One case to draft: a case file (path), a CSV row (cells), or an input already known to be bad (error)."""

    index: int
    label: str
    name: str = ""  # the folder of --attach-dir that holds its files: the case file's stem, or CSV-stem-rowN
    path: str | None = None
    cells: dict[str, str] | None = None
    error: str | None = None


@dataclass
class Result:
    """What a worker sends back: the drafted letter and its default name, or the reason it could not be drafted."""

    index: int
    drafted: object | None = None
    name: str | None = None
    error: str | None = None
    packet: bytes | None = None  # the PDF to send, with --packet (made by the main process)
    spelling: tuple[str, ...] = ()  # likely typos in the case's free text (field: word -> word meant?)
    case: object | None = None  # with --packet: the case, and the files to attach, for the main process's packet
    attachments: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # what `appeal packet` would warn of (an enclosure missing, the cover's gaps)


@dataclass
class Outcome:
    """One line of the summary."""

    label: str
    status: str  # WRITTEN, BLANKS or FAILED
    detail: str  # the letter's path, or the reason it failed
    blanks: tuple[str, ...] = ()
    spelling: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


WRITTEN, BLANKS, FAILED = "written", "written with blanks", "failed"
STATUS_WORDS = {WRITTEN: N_("written"), BLANKS: N_("written with blanks"), FAILED: N_("failed")}  # as printed
UNITS = (N_("letters"), N_("packets"))  # the progress bar's unit


@dataclass(frozen=True)
class Settings:
    """What every case of a run shares, sent once to each worker."""

    letter: str | None
    evidence: tuple[Path, ...] | None
    today: date
    templates: tuple[Path, ...] = ()
    packet: str | None = None  # "fax" or "mail": also make the PDF to send
    attach_dir: Path | None = None  # a folder per case of files to attach to its packet
    office: str | None = None  # the address of the run's LibreOffice server: gone once the run is stopped
    letter_lang: str = "en"  # the language of the letters (--letter-lang)


def iter_tasks(inputs: Iterable[str]) -> Iterator[Task]:
    """The cases of `inputs`, in order, read as they are needed."""
    from appeal.base.errors import UserError
    from appeal.cases import csv_cases

    index = 0
    for raw in inputs:
        given = Path(raw)
        if given.is_dir():
            files = sorted(
                path for path in given.iterdir()
                if path.is_file() and not path.name.startswith(".")
                and path.suffix.lower() in (*CASE_SUFFIXES, CSV_SUFFIX)
            )
        else:
            files = [given]
        for path in files:
            if path.suffix.lower() == CSV_SUFFIX:
                try:
                    for row in csv_cases.read_rows(path):
                        yield Task(index, row.source, f"{path.stem}-row{row.number}", cells=row.cells, error=row.error)
                        index += 1
                except UserError as error:
                    yield Task(index, str(path), error=str(error))
                    index += 1
            else:
                yield Task(index, str(path), path.stem, path=str(path))
                index += 1


# --------------------------------------------------------------------------------------------------------------
# In a worker


_settings: Settings | None = None


def warm(settings: Settings, worker: bool = True) -> None:
    """Start a worker: remember the run's settings and load, once, what every letter uses (the code set,
    rules, evidence library, letter kinds and templates). A worker leaves Ctrl-C to the main process."""
    global _settings
    from appeal.letters import draft

    if worker:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _settings = settings
    draft.warm(list(settings.evidence) if settings.evidence else None)


_COLLECT_EVERY = 10
_drafted_here = 0  # cases this process has drafted (each worker counts its own)


def draft_task(task: Task) -> Result:
    """Draft one case in memory (with --packet, the main process then makes its PDF: `_with_packets`). Never
    raises: a problem comes back as the reason, the same words `appeal draft` would print for it."""
    from appeal.base.errors import UserError
    from appeal.cases import casefile, csv_cases
    from appeal.letters import draft

    global _drafted_here
    _drafted_here += 1
    if _drafted_here % _COLLECT_EVERY == 0:
        # A rendered letter is a web of python-docx and lxml objects freed only by the cycle collector, whose
        # counts see none of lxml's memory: without this, a worker grew from 84 to 157 MiB over 1,000 cases.
        # Counted per process, so each worker collects after every tenth case of its own.
        import gc

        gc.collect()
    settings = _settings
    if settings is None:
        raise RuntimeError("batch.warm(settings) must run in this process before draft_task")
    if settings.packet:
        from appeal.output import office_server

        if office_server.ended(settings.office):  # Ctrl-C: the cases already handed to this worker are not drafted
            return Result(task.index, error=_(office_server.STOPPED))
    try:
        if task.cells is not None:
            case = csv_cases.row_to_case(task.cells, task.label)
        else:
            case = casefile.load(task.path)
        kind = draft.choose_kind(case, settings.letter, settings.templates)
        drafted = draft.draft(case, kind, today=settings.today,
                              evidence_dirs=list(settings.evidence) if settings.evidence else None,
                              language=settings.letter_lang, template_dirs=settings.templates)
        attachments = tuple(attachments_of(task, settings.attach_dir)) if settings.packet else ()
        from appeal.letters import proofread

        return Result(task.index, drafted, draft.default_name(case, kind, settings.today).name,
                      spelling=tuple(proofread.warnings(case)), case=case if settings.packet else None,
                      attachments=attachments)
    except UserError as error:
        return Result(task.index, error=str(error))
    except Exception as error:  # a bug must not stop the other cases, nor show a traceback
        return Result(task.index, error=_internal(error))


def _internal(error: Exception) -> str:
    return (f"appeal could not draft this case because of an internal error ({type(error).__name__}: {error}). "
            "Please report it.")


def attachments_of(task: Task, attach_dir: Path | None) -> list[Path]:
    """The files to attach to this case's packet: those directly in its folder of --attach-dir, by name."""
    from appeal.base.errors import UserError

    if attach_dir is None:
        return []
    folder = attach_dir / task.name
    if not folder.is_dir():
        raise UserError(f"--attach-dir: there is no folder {folder} with this case's files to attach. Make it (leave "
                        "it empty when there is nothing to attach), or check its name: a case file's name without "
                        "its extension, or a CSV file's name, -row and the row number.")
    try:
        return sorted((path for path in folder.iterdir() if not path.name.startswith(".")),
                      key=lambda path: (path.name.lower(), path.name))
    except OSError as error:
        from appeal.base.errors import os_reason

        raise UserError(f"--attach-dir: the folder {folder} cannot be read: {os_reason(error)}.") from None


# --------------------------------------------------------------------------------------------------------------
# Running the cases


def _run_here(tasks: Iterator[Task], settings: Settings) -> Iterator[tuple[Task, Result]]:
    warm(settings, worker=False)
    for task in tasks:
        yield task, Result(task.index, error=task.error) if task.error else draft_task(task)


def _isolated(task: Task, settings: Settings) -> Result:
    """Draft a task in a pool of its own, to find which case stopped a worker."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, initializer=warm, initargs=(settings,)) as executor:
        try:
            return executor.submit(draft_task, task).result()
        except BrokenProcessPool:
            return Result(task.index, error=_("The process drafting this case stopped unexpectedly (out of memory?)."))


def _run_pool(tasks: Iterator[Task], settings: Settings, jobs: int) -> Iterator[tuple[Task, Result]]:
    """Draft in `jobs` processes, giving results back in input order with a bounded number in flight."""
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    def done(result: Result) -> Future:
        future: Future = Future()
        future.set_result(result)
        return future

    def start() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, initializer=warm, initargs=(settings,))

    import multiprocessing

    if multiprocessing.get_start_method() == "fork":
        # Workers forked from a warm process start warm: the code set and the rest load once, not once per
        # worker (each worker's initializer then finds them loaded).
        warm(settings, worker=False)
    executor = start()
    pending: deque[tuple[Task, Future]] = deque()
    more = True
    try:
        while True:
            while more and len(pending) < jobs * IN_FLIGHT_PER_JOB:
                task = next(tasks, None)
                if task is None:
                    more = False
                elif task.error:
                    pending.append((task, done(Result(task.index, error=task.error))))
                else:
                    pending.append((task, executor.submit(draft_task, task)))
            if not pending:
                return
            task, future = pending[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                # A worker died (a crash, or the system ran out of memory). Which case did it is unknown, so each
                # case that was in flight is drafted again on its own; then the run goes on in a new pool.
                executor.shutdown(wait=True, cancel_futures=True)
                recovered: deque[tuple[Task, Future]] = deque()
                for waiting, waiting_future in pending:
                    finished = waiting_future.done() and not waiting_future.cancelled()
                    if finished and waiting_future.exception() is None:
                        recovered.append((waiting, waiting_future))
                    else:
                        recovered.append((waiting, done(_isolated(waiting, settings))))
                pending = recovered
                executor = start()
                continue
            pending.popleft()
            yield task, result
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


# --------------------------------------------------------------------------------------------------------------
# Packets, in the main process


PACKETS_AHEAD = 3  # letters handed to LibreOffice ahead of the packet being assembled: it never waits for one


def _with_packets(results: Iterator[tuple[Task, Result]], settings: Settings, server) -> Iterator[tuple[Task, Result]]:
    """With --packet: each drafted letter goes to the run's one LibreOffice as soon as it comes (a thread waits for
    its PDF), and the packets are assembled here in input order while LibreOffice converts the next letters and
    the workers draft more. Letting each worker wait for its own letter's PDF left a core idle whenever both
    waited, and a LibreOffice killed mid-run is started again by the process that owns it."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    converting = ThreadPoolExecutor(1, thread_name_prefix="office")
    window: deque = deque()
    try:
        for task, result in results:
            window.append((task, *_send(result, converting, server)))
            while len(window) > PACKETS_AHEAD:
                yield _packet(*window.popleft(), settings)
        while window:
            yield _packet(*window.popleft(), settings)
    finally:
        converting.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: the letters still waiting are not converted


def _send(result: Result, converting, server) -> tuple:
    """(result, the attached files' pages, the letter's PDF to come): the files are read first, so a bad one fails
    its case before the slow conversion."""
    from appeal.output import office_server, packet

    if result.error is not None:
        return result, None, None
    try:
        parts = [packet.read_attachment(path) for path in result.attachments]
    except Exception as error:
        return _failed(result, error), None, None
    return result, parts, converting.submit(office_server.docx_to_pdf, result.drafted.content, server)


def _packet(task: Task, result: Result, parts, letter_pdf, settings: Settings) -> tuple[Task, Result]:
    from appeal.output import packet

    if result.error is not None:
        return task, result
    try:
        made = packet.from_letter_pdf(result.case, result.drafted.kind, docx=result.drafted.content,
                                      letter_pdf=letter_pdf.result(), attachments=parts,
                                      cover=settings.packet == "fax", today=settings.today,
                                      blanks=result.drafted.blanks)
    except Exception as error:
        return task, _failed(result, error)
    return task, replace(result, packet=made.content, case=None, warnings=tuple(made.warnings))


def _failed(result: Result, error: Exception) -> Result:
    """The case fails with the error's own words (a bug's too, never a traceback), and the others go on."""
    from appeal.base.errors import UserError

    return replace(result, error=str(error) if isinstance(error, UserError) else _internal(error), case=None)


# --------------------------------------------------------------------------------------------------------------
# Writing, in the main process


class Namer:
    """patient-kind-date.docx, then -2, -3 ... for names already written in this run."""

    def __init__(self):
        self.used: set[str] = set()

    def propose(self, name: str) -> str:
        stem, suffix = os.path.splitext(name)
        candidate, number = name, 1
        while candidate.lower() in self.used:
            number += 1
            candidate = f"{stem}-{number}{suffix}"
        return candidate

    def take(self, name: str) -> None:
        self.used.add(name.lower())


def _save(task: Task, result: Result, folder: Path, namer: Namer, *, strict: bool, force: bool) -> Outcome:
    from appeal.base.errors import UserError, os_reason
    from appeal.letters import draft

    if result.error is not None:
        return Outcome(task.label, FAILED, result.error)
    drafted = result.drafted
    path = folder / namer.propose(result.name)
    pdf = path.with_suffix(".pdf") if result.packet else None
    for target in (path, pdf):
        if target and target.exists() and not force:
            return Outcome(task.label, FAILED, _("{path} already exists (it was there before this run). Add --force "
                                                 "to replace it, or write to another folder with -o.").format(path=target))
    try:
        draft.write(drafted, path, strict=strict, force=force)
        if pdf:
            from appeal.base.safe_write import write_bytes

            write_bytes(pdf, result.packet, overwrite=force)
    except UserError as error:
        return Outcome(task.label, FAILED, str(error))
    except OSError as error:
        return Outcome(task.label, FAILED, _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(error)))
    namer.take(path.name)
    blanks = tuple(drafted.blanks)
    return Outcome(task.label, BLANKS if blanks else WRITTEN,
                   _("{letter} and {pdf}").format(letter=path, pdf=pdf.name) if pdf else str(path), blanks,
                   result.spelling, result.warnings)


# --------------------------------------------------------------------------------------------------------------
# Progress and the summary


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {lines[1]}" + (" ..." if len(lines) > 2 else "")
    return lines[0] if lines else ""


class Progress:
    """A bar redrawn in place on a terminal; elsewhere (a log, a pipe) one plain line a case, no escapes."""

    def __init__(self, total: int, stream=None, bar: bool | None = None, unit: str = "letters"):
        self.stream = stream or sys.stdout
        self.unit = unit  # what is counted: letters, or packets (each a letter and its PDF)
        self.bar = self.stream.isatty() if bar is None else bar
        self.total = total
        self.done = 0
        self.counts = {WRITTEN: 0, BLANKS: 0, FAILED: 0}
        self.started = time.monotonic()
        self.drawn = 0.0
        self.width = 0

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        self.counts[outcome.status] += 1
        if not self.bar:
            detail = _first_line(outcome.detail)
            if outcome.status == BLANKS:
                detail += " (" + ngettext("{count} blank", "{count} blanks", len(outcome.blanks)).format(
                    count=len(outcome.blanks)) + ")"
            count = len(str(self.total))
            self.stream.write(printable(f"[{self.done:>{count}}/{self.total}] {_(STATUS_WORDS[outcome.status])}: "
                                        f"{outcome.label}: {detail}") + "\n")
            self.stream.flush()
            return
        if outcome.status == FAILED:  # above the bar, which is drawn again under it
            self._line(f"{_(STATUS_WORDS[FAILED])}: {outcome.label}: {_first_line(outcome.detail)}")
            return
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done == self.total:
            self._draw(now)

    def _line(self, text: str) -> None:
        self.stream.write("\r" + printable(text).ljust(self.width) + "\n")
        self.width = 0
        self._draw(time.monotonic())

    def _draw(self, now: float) -> None:
        self.drawn = now
        columns = shutil.get_terminal_size((80, 24)).columns
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        tail = " " + _("{done}/{total} {unit}  {failed} failed  {rate:.1f}/s  {minutes}:{seconds:02d} left").format(
            done=self.done, total=self.total, unit=_(self.unit), failed=self.counts[FAILED], rate=rate,
            minutes=int(left) // 60, seconds=int(left) % 60)
        size = max(10, min(40, columns - len(tail) - 3))
        filled = size * self.done // self.total if self.total else size
        text = ("[" + "#" * filled + "-" * (size - filled) + "]" + tail)[: columns - 1]
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def close(self) -> None:
        if self.bar and self.width:
            self.stream.write("\n")
            self.stream.flush()


def summary(outcomes: list[Outcome], folder: Path, stopped: bool = False, total: int = 0) -> str:
    """The table printed at the end: written, written with blanks, failed, each with its input; after Ctrl-C
    (`stopped`), how many of the run's `total` cases were never drafted, and how to draft them."""
    groups = {status: [item for item in outcomes if item.status == status] for status in (WRITTEN, BLANKS, FAILED)}
    heading_input = _("Input")
    width = min(48, max([len(heading_input)] + [len(item.label) for item in outcomes]))
    lines = [
        ngettext("{state}: {written} written, {blanks} written with blanks, {failed} failed, of {count} case. "
                 "Letters are in {folder}.",
                 "{state}: {written} written, {blanks} written with blanks, {failed} failed, of {count} cases. "
                 "Letters are in {folder}.", len(outcomes)).format(
            state=_("Stopped") if stopped else _("Done"), written=len(groups[WRITTEN]), blanks=len(groups[BLANKS]),
            failed=len(groups[FAILED]), count=len(outcomes), folder=folder),
    ]
    left = total - len(outcomes)
    if stopped and left > 0:
        lines.append(ngettext(
            "{left} case was not drafted: the run was stopped first. Run the same command again to draft it; the "
            "letters already written are kept, and listed as failed because they exist.",
            "{left} cases were not drafted: the run was stopped first. Run the same command again to draft them; "
            "the letters already written are kept, and listed as failed because they exist.",
            left).format(left=left))
    headings = {WRITTEN: _("Letter"), BLANKS: _("Letter, and its blanks to fill in"), FAILED: _("Reason")}
    english = language.current() == language.ENGLISH  # else each blank as the English letter marks it: [ADD: ...]
    titles = {WRITTEN: _("Written"), BLANKS: _("Written with blanks"), FAILED: _("Failed")}
    for status, items in groups.items():
        if not items:
            continue
        lines += ["", f"{titles[status]} ({len(items)})", f"  {heading_input:<{width}}  {headings[status]}"]
        for item in items:
            detail = item.detail.splitlines() or [""]
            if item.blanks:
                named = item.blanks if english else [f"[ADD: {blank}]" for blank in item.blanks]
                detail.append(ngettext("{count} blank: {blanks}", "{count} blanks: {blanks}", len(item.blanks)).format(
                    count=len(item.blanks), blanks="; ".join(named)))
            detail += [_("spelling to check: {line}").format(line=line) for line in item.spelling]
            detail += [line for warning in item.warnings
                       for line in _("Warning: {warning}").format(warning=warning).splitlines()]
            label = item.label if len(item.label) <= width else "..." + item.label[-(width - 3):]
            lines.append(f"  {label:<{width}}  {detail[0]}")
            lines.extend(f"  {'':<{width}}  {more}" for more in detail[1:])
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# The command


def _make_folder(folder: Path) -> None:
    from appeal.base.errors import UserError, os_reason

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(_("Cannot make the folder {folder}: {reason}.").format(folder=folder, reason=os_reason(error))) from None


def run(
    inputs: list[str], folder: Path, settings: Settings, *, jobs: int, strict: bool, force: bool, office=None
) -> Iterator[Outcome]:
    """Draft every case of `inputs` into `folder`, giving each outcome as it comes, in input order; with --packet,
    each letter's PDF made through `office` (the run's kept LibreOffice)."""
    tasks = iter_tasks(inputs)
    results = _run_here(tasks, settings) if jobs <= 1 else _run_pool(tasks, settings, jobs)
    if settings.packet:
        results = _with_packets(results, settings, office)
    namer = Namer()
    for task, result in results:
        yield _save(task, result, folder, namer, strict=strict, force=force)


@contextmanager
def _office(packet: str | None) -> Iterator[object]:
    """With --packet: one LibreOffice for the run, started now (while the cases are read and the first letters
    drafted: it takes seconds) and stopped when the run ends, however it ends."""
    if not packet:
        yield None
        return
    from appeal.output import office_server

    with office_server.kept_running() as server:
        server.start_soon()
        yield server


def cmd_batch(args: argparse.Namespace) -> int:
    from appeal.base.errors import UserError

    parser = args.batch_parser
    if args.csv_template:
        if args.inputs:
            parser.error(_("--csv-template writes the template only; give no INPUT with it"))
        from appeal.cases import csv_cases

        path = csv_cases.write_template(Path(args.csv_template), overwrite=args.force)
        print(_("Wrote an empty case CSV with {count} columns to {path}").format(count=len(csv_cases.columns()), path=path))
        return 0
    if not args.inputs:
        parser.error(_("give at least one INPUT: a case file, a folder of them, or a CSV file"))
    if not args.output:
        parser.error(_("the output folder is required: -o DIR"))
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        parser.error(_("-o {folder} is a file; give a folder for the letters").format(folder=args.output))
    if args.attach_dir and not args.packet:
        parser.error(_("--attach-dir attaches files to the packets: add --packet (fax or mail)"))
    if args.attach_dir and not Path(args.attach_dir).is_dir():
        raise UserError(_("--attach-dir {folder}: there is no such folder. Give the folder that holds a folder of files "
                          "for each case (see appeal batch --help).").format(folder=args.attach_dir))
    if args.packet:
        from appeal.output.pdf_convert import find_soffice

        find_soffice()  # no LibreOffice is one message now, not one per case
    outcomes: list[Outcome] = []
    stopped = False
    with _office(args.packet) as office:
        from appeal.rules import evidence

        evidence.load_library(args.evidence)  # a bad --evidence folder is one error now, not one per case
        if args.letter:
            from appeal.letters import kinds

            kinds.get(args.letter, tuple(args.templates or ()))  # a kind of the user's own, named like draft's
        total = sum(1 for _ in iter_tasks(args.inputs))
        if not total:
            raise UserError(_("Found no cases in {inputs}. A folder's .yaml, .yml, .json and .csv files are read (not "
                              "its subfolders), and a CSV file's rows after its first.").format(
                inputs=", ".join(args.inputs)))
        _make_folder(folder)
        jobs = min(args.jobs or os.cpu_count() or 1, total)
        settings = Settings(args.letter, tuple(args.evidence) if args.evidence else None, date.today(),
                            tuple(args.templates or ()), args.packet, Path(args.attach_dir) if args.attach_dir else None,
                            office=(office.address or None) if office else None,
                            letter_lang=letter_language.choose(args.letter_lang))
        progress = Progress(total, unit="packets" if args.packet else "letters")
        try:
            for outcome in run(args.inputs, folder, settings, jobs=jobs, strict=args.strict, force=args.force,
                               office=office):
                outcomes.append(outcome)
                progress.add(outcome)
        except KeyboardInterrupt:
            stopped = True
    progress.close()
    print()
    print(printable(summary(outcomes, folder, stopped, total)))
    if args.packet and any(item.status != FAILED for item in outcomes):
        print("\n" + _("The packets' letters are not signed: print each letter, sign above the name and send the "
                       "signed pages, or make one packet at a time with `appeal packet --case FILE --signature "
                       "PHOTO`."))
    if stopped:
        return 130
    return 1 if any(item.status == FAILED for item in outcomes) else 0
