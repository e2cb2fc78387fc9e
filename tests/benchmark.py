"""How fast appeal drafts letters, against targets: run `python tests/benchmark.py` (not a pytest test).

It measures, in one run, on whatever machine runs it:

1. One letter of each kind (the bundled example ketamine-trd-erisa-appeal; ketamine-oon-reimbursement-superbill for
   the reimbursement claim, which needs services already paid for): our whole path (load the case file, choose
   kind and evidence, apply the rules, render, read back the blanks, save atomically to a temporary folder)
   against the floor, a bare docxtpl render of the same template with the same context as plain dicts, lists and
   strings (built before timing, as a hand-written context would be; Attachment A passed as its finished XML):
   DocxTemplate(path).render(context, plain jinja Environment) + save. Caches are warm for both (the ICD-10 code
   set, rules, evidence, templates): the median of several repeats, after one untimed run.
2. Whole processes, start-up included, taking turns, the median of several runs and the peak memory (max RSS)
   of each: `appeal --help`, `appeal draft --case ... -o ...`, `appeal check` and `appeal deadline`, against
   the floor process: one that only imports docxtpl and renders the same template with the same context
   (plain JSON data) and saves it.
3. `appeal batch` over 500 generated cases (names and dates varied from the bundled examples) with --jobs 1 and
   --jobs 2, and the peak memory of the whole process tree (the main process and its workers, sampled from
   /proc; psutil when installed) for 10 cases against 1,000.

Targets, from this one run: our path at most 1.5x the floor; `appeal --help` under 0.3 s; `appeal draft` at
most 3x the floor process and at most 120 MiB; `appeal check` and `appeal deadline` under 0.5 s; --jobs 2 at
least 1.6x as fast as --jobs 1; peak memory for 1,000 cases at most 1.2x that for 10, and no single process of
a batch (a worker or the main one) above 120 MiB. The script prints a table
with PASS or FAIL for each and always exits 0. Other programs running at the same time skew the numbers, the
parallel speed-up most: the load average is printed before and after. `--processes` runs section 2 alone.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

REPEATS = 9  # letters per kind, each way
PROCESS_RUNS = 5  # runs of each whole command
BATCH_CASES = 500
MEMORY_SMALL, MEMORY_LARGE = 10, 1000
TYPICAL = "ketamine-trd-erisa-appeal"
FOR_KIND = {"reimbursement": "ketamine-oon-reimbursement-superbill",  # kinds the typical case does not fit
            "representative-authorization": "ketamine-erisa-late-appeal-daughter"}


# --------------------------------------------------------------------------------------------------------------
# 1. One letter: our path against a bare docxtpl render


def _plain(value):
    """Our template context as plain data: dicts, lists, strings, numbers and the case's enums."""
    from pydantic import BaseModel

    from appeal.letters.render_views import Blank, CaseView

    class Missing(str):  # a blank prints its [ADD: ...] and is falsy, as in ours
        def __bool__(self) -> bool:
            return False

    class Absent(dict):  # a section the case does not have: falsy, but its fields still answer
        def __bool__(self) -> bool:
            return False

    def plain(item):
        if isinstance(item, Blank):
            return Missing(str(item))
        if isinstance(item, CaseView):
            model = object.__getattribute__(item, "_model")
            names = [*type(model).model_fields, *(n for n, a in vars(type(model)).items() if isinstance(a, property))]
            return (dict if item else Absent)({name: plain(getattr(item, name)) for name in names})
        if isinstance(item, list):
            return [plain(element) for element in item]
        if item is None or isinstance(item, Enum | bool | int | float):
            return item
        if isinstance(item, date | Decimal):
            return str(item)  # LetterDate and Amount print as a letter writes them
        if dataclasses.is_dataclass(item):
            return {field.name: plain(getattr(item, field.name)) for field in dataclasses.fields(item)}
        if isinstance(item, BaseModel):
            return item.model_dump()
        if isinstance(item, dict):
            return {key: plain(element) for key, element in item.items()}
        return str(item)

    return plain(value)


def bare_context(kind, example: Path) -> dict:
    """Our context for `kind` and the case file `example` as plain data (Attachment A as its finished XML)."""
    from docxtpl import DocxTemplate

    from appeal.cases import casefile
    from appeal.letters.appendix import appendix_subdoc
    from appeal.letters.letter_plan import context_for

    context = context_for(casefile.load(example), kind)
    by_hand = {key: _plain(value) for key, value in context.items()}
    by_hand["evidence_appendix"] = str(appendix_subdoc(DocxTemplate(str(kind.template)), context["letter"].evidence))
    return by_hand


def one_letter(folder: Path) -> list[dict]:
    from conftest import docx_text
    from docxtpl import DocxTemplate
    from jinja2 import Environment
    from markupsafe import Markup

    from appeal.cases import casefile
    from appeal.letters import draft, kinds
    from appeal.letters.render_env import as_sentence
    from appeal.base.resources import examples_folder

    rows = []
    counter = 0
    for name, kind in kinds.all_kinds().items():
        example = examples_folder() / f"{FOR_KIND.get(name, TYPICAL)}.yaml"

        def ours(out: Path) -> None:
            case = casefile.load(example)
            chosen = draft.choose_kind(case, name)
            draft.write(draft.draft(case, chosen), out, strict=False, force=False)

        by_hand = bare_context(kind, example)
        by_hand["evidence_appendix"] = Markup(by_hand["evidence_appendix"])
        environment = Environment(autoescape=True)
        environment.filters["possessive"] = lambda text: f"{text}'" if str(text).endswith("s") else f"{text}'s"
        environment.filters["sentence"] = as_sentence  # the templates' own filter: a pure function, as a hand-written one would be

        def floor(out: Path) -> None:
            document = DocxTemplate(str(kind.template))
            document.render(by_hand, environment, autoescape=True)
            document.save(str(out))

        ours(folder / f"warm-ours-{name}.docx")
        floor(folder / f"warm-floor-{name}.docx")
        timed_ours, timed_floor = [], []
        for _ in range(REPEATS):
            counter += 1
            started = time.perf_counter()
            ours(folder / f"ours-{counter}.docx")
            timed_ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            floor(folder / f"floor-{counter}.docx")
            timed_floor.append(time.perf_counter() - started)
        rows.append({
            "kind": name,
            "example": example.stem,
            "ours": statistics.median(timed_ours),
            "floor": statistics.median(timed_floor),
            "same_text": docx_text(folder / f"ours-{counter}.docx") == docx_text(folder / f"floor-{counter}.docx"),
        })
    return rows


# --------------------------------------------------------------------------------------------------------------
# 2. Whole processes


def appeal_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "appeal", *args]


# The floor process: loads docxtpl and renders the same template with the same context (plain JSON data, read
# before the clock starts counting what matters: a hand-written context costs nothing), then saves it.
_FLOOR = (
    "import json, sys\n"
    "from docxtpl import DocxTemplate\n"
    "from jinja2 import ChainableUndefined, Environment\n"
    "from markupsafe import Markup\n"
    "context = json.loads(open(sys.argv[2], encoding='utf-8').read())\n"
    "context['evidence_appendix'] = Markup(context['evidence_appendix'])\n"
    "environment = Environment(autoescape=True, undefined=ChainableUndefined)\n"
    "environment.filters.update(possessive=lambda t: f\"{t}'\" if str(t).endswith('s') else f\"{t}'s\",\n"
    "                           money=str, letter_date=str, sentence=str)\n"
    "document = DocxTemplate(sys.argv[1])\n"
    "document.render(context, environment, autoescape=True)\n"
    "document.save(sys.argv[3])\n"
)

# Runs a command once and prints its wall time, its peak memory (max RSS, from RUSAGE_CHILDREN: the command and
# any process it started and waited for) and its CPU time, so the wrapper's own start-up is in none of them.
_TIMED = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.perf_counter() - started, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
    "sys.exit(code)\n"
)


def whole_processes(commands: dict[str, list[str]], cwd: Path, runs: int = PROCESS_RUNS) -> dict[str, tuple]:
    """Each command as a fresh process, `runs` times, the commands taking turns (so a busy spell on a shared
    machine slows them alike): {name: (median wall seconds, peak max RSS in bytes)}. Also prints each one's
    median CPU time (user + system), which other programs on a busy machine change much less than wall time."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(runs):
        for name, args in commands.items():
            result = subprocess.run([sys.executable, "-c", _TIMED, *args], cwd=cwd, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"{name} failed ({result.returncode}): {result.stderr[-2000:]}")
            wall, peak, cpu = result.stdout.split()
            walls[name].append(float(wall))
            cpus[name].append(float(cpu))
            peaks[name] = max(peaks[name], int(peak) * 1024)  # ru_maxrss is in kilobytes on Linux
    print(f"\n2. Whole processes, median of {runs}: wall time, CPU time, peak memory (max RSS)")
    for name in commands:
        print(f"   {name:<10} {statistics.median(walls[name]):7.3f} s {statistics.median(cpus[name]):7.3f} s CPU "
              f"{peaks[name] / 2**20:6.0f} MiB")
    return {name: (statistics.median(walls[name]), peaks[name]) for name in commands}


def process_rows(work: Path) -> list[tuple[str, str, str, str]]:
    """Section 2 on its own: the whole-process rows of the results table (`--processes` runs only this)."""
    rows: list[tuple[str, str, str, str]] = []
    import json

    from appeal.letters import kinds
    from appeal.base.resources import examples_folder

    example = examples_folder() / f"{TYPICAL}.yaml"
    template = kinds.get("appeal").template
    (work / "floor-context.json").write_text(json.dumps(bare_context(kinds.get("appeal"), example), default=str))
    measured = whole_processes({
        "help": appeal_command("--help"),
        "floor": [sys.executable, "-c", _FLOOR, str(template), str(work / "floor-context.json"),
                  str(work / "floor.docx")],
        "draft": appeal_command("draft", "--case", str(example), "-o", str(work / "draft.docx"), "--force"),
        "check": appeal_command("check", "--case", str(example)),
        "deadline": appeal_command("deadline", "--case", str(example)),
    }, work)
    (help_time, _), (floor_time, floor_peak) = measured["help"], measured["floor"]
    (draft_time, draft_peak) = measured["draft"]
    rows.append(("`appeal --help` (whole process)", f"{help_time:.3f} s", "< 0.3 s", verdict(help_time < 0.3)))
    rows.append(("floor process: import docxtpl, render the appeal template, save", f"{floor_time:.3f} s, "
                 f"{floor_peak / 2**20:.0f} MiB", "(reference)", ""))
    ratio = draft_time / floor_time
    rows.append(("`appeal draft --case ... -o ...` / floor process", f"{draft_time:.3f} / {floor_time:.3f} s = "
                 f"{ratio:.2f}x", "<= 3x", verdict(ratio <= 3)))
    rows.append(("  its peak memory (max RSS)", f"{draft_peak / 2**20:.0f} MiB", "<= 120 MiB",
                 verdict(draft_peak <= 120 * 2**20)))
    for name in ("check", "deadline"):
        wall, peak = measured[name]
        rows.append((f"`appeal {name} --case ...` (whole process)", f"{wall:.3f} s, {peak / 2**20:.0f} MiB",
                     "< 0.5 s", verdict(wall < 0.5)))
    return rows


# --------------------------------------------------------------------------------------------------------------
# 3. Batches


FIRST = ["Maria", "James", "Aisha", "Wei", "Olga", "Tomas", "Priya", "Kwame", "Sofia", "Liam", "Yuki", "Omar"]
LAST = ["Alvarez", "Nguyen", "Okafor", "Schmidt", "Haddad", "Kowalski", "Reyes", "Iverson", "Mbeki", "Tanaka",
        "Dubois", "Fitzgerald", "Castillo", "Lindgren", "Patel"]


def generate_cases(folder: Path, count: int, seed: int = 7) -> Path:
    """`count` case files varied from the bundled examples: names, birth dates and the denial's dates."""
    import yaml

    from appeal.base.resources import examples_folder

    folder.mkdir(parents=True, exist_ok=True)
    examples = [yaml.safe_load(path.read_text()) for path in sorted(examples_folder().glob("*.yaml"))]
    chance = random.Random(seed)
    for number in range(count):
        data = yaml.safe_load(yaml.safe_dump(examples[number % len(examples)]))
        data["patient"]["first_name"] = chance.choice(FIRST)
        data["patient"]["last_name"] = f"{chance.choice(LAST)}{number // 40 or ''}"
        data["patient"]["date_of_birth"] = (date(1950, 1, 1) + timedelta(days=chance.randrange(18000))).isoformat()
        if data.get("denial"):
            notice = date.today() - timedelta(days=chance.randrange(5, 150))
            data["denial"]["notice_date"] = notice.isoformat()
            data["denial"]["received_date"] = (notice + timedelta(days=chance.randrange(0, 5))).isoformat()
        (folder / f"case-{number:05d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    """The resident memory of `pid` and all its descendants now, in bytes (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        total, stack = 0, [pid]
        while stack:
            current = stack.pop()
            total += _rss(current)
            stack.extend(_children(current))
        return total
    total = 0
    try:
        process = psutil.Process(pid)
        for member in [process, *process.children(recursive=True)]:
            try:
                total += member.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


# Runs the command and prints the largest max RSS of its process tree: a worker's rusage is added to the batch
# process's RUSAGE_CHILDREN when the batch waits for it, and the batch's to this wrapper's.
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def run_batch(cases: Path, out: Path, jobs: int, cwd: Path, measure_memory: bool = False) -> tuple[float, int, int]:
    """One `appeal batch` run: (wall seconds, peak RSS of the whole tree summed, largest single process's max RSS),
    the memory only when asked (sampling /proc takes some CPU, so speed runs do without it)."""
    command = appeal_command("batch", str(cases), "-o", str(out), "--jobs", str(jobs))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", _WRAPPER, *command], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(process.pid) - _rss(process.pid))  # without the small wrapper itself
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if measure_memory:
        sampler.start()
    printed, errors = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    if measure_memory:
        sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"appeal batch failed ({process.returncode}): {errors.decode()[-2000:]}")
    largest = int(printed.decode().split()[-1]) * 1024  # ru_maxrss is in kilobytes on Linux
    return wall, peak, largest


# --------------------------------------------------------------------------------------------------------------
# 4. Packets through one LibreOffice kept running


PACKET_CASES = 24
PACKET_RUNS = 3  # of the batch and of the one soffice call, taking turns
PAGE_RUNS = 5  # the browser's packet page, after the first


def packets(work: Path) -> list[tuple[str, str, str, str]]:
    """`appeal batch --packet fax --jobs 2` over 24 generated cases (drafting, one kept LibreOffice converting,
    the packets assembled and written) against ONE `soffice --convert-to pdf` call converting the same 24 letters
    (target: within 1.5x), the median of PACKET_RUNS taking turns; and the browser's packet page (POST /packet,
    the real server in this process, with its session's LibreOffice) the first time and after it, the median of
    PAGE_RUNS. Needs python3-uno."""
    import shutil

    from appeal.output import office_server, pdf_convert

    found = office_server.uno_pythons()
    print(f"\n4. Packets: LibreOffice's Python looked for in {', '.join(found) or 'nowhere'}")
    cases = generate_cases(work / f"cases-{PACKET_CASES}", PACKET_CASES, seed=17)
    batches, floors = [], []
    for run in range(PACKET_RUNS):  # taking turns, so a busy spell on a shared machine slows both alike
        out = work / f"out-packets-{run}"
        started = time.perf_counter()
        done = subprocess.run(appeal_command("batch", str(cases), "-o", str(out), "--jobs", "2", "--packet", "fax"),
                              cwd=work, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        batches.append(time.perf_counter() - started)
        if done.returncode != 0 or "Note:" in done.stderr:
            raise RuntimeError(f"appeal batch --packet failed or kept no LibreOffice: {done.stderr[-2000:]}")
        letters = sorted(out.glob("*.docx"))
        profile = work / f"soffice-profile-{run}"
        started = time.perf_counter()
        subprocess.run([pdf_convert.find_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(work / f"out-soffice-{run}"),
                        *map(str, letters)], cwd=work, capture_output=True, check=True)
        floors.append(time.perf_counter() - started)
        shutil.rmtree(profile, ignore_errors=True)
    converted = len(list((work / "out-soffice-0").glob("*.pdf")))
    batch, floor = statistics.median(batches), statistics.median(floors)

    from web_harness import Client, Running

    from appeal.cases import examples
    from appeal.intake import drafts

    saved = {name: os.environ.get(name) for name in ("HOME", "XDG_DATA_HOME")}
    here = os.getcwd()
    os.environ.update(HOME=str(work / "web-home"), XDG_DATA_HOME=str(work / "web-data"))
    (work / "web-home").mkdir()
    os.chdir(work)
    running = Running()
    try:
        client = Client(running)
        client.login()
        client.post("/new")
        for keys, values in ((["sender.role"], {"sender.role": "patient"}), (["@situation"], {"@situation": "denial"}),
                             (["denial.level_exhausted"], {"denial.level_exhausted": "initial"}),
                             (["letter_kind"], {"letter_kind": "appeal"})):
            client.post("/questions", {"key": keys, "action": "next", **values})
        drafts.find_unfinished()[0].write_text(examples.text(TYPICAL))
        times = []
        for _ in range(1 + PAGE_RUNS):
            started = time.perf_counter()
            reply = client.post_files("/packet", {"send": "fax"}, [])
            times.append(time.perf_counter() - started)
            if reply.status != 303 or not client.get_bytes("/packet.pdf").startswith(b"%PDF"):
                raise RuntimeError(f"the packet page answered {reply.status}: {reply.body[-500:]}")
    finally:
        running.stop()
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    first, after = times[0], statistics.median(times[1:])
    ratio = batch / floor
    return [
        (f"batch --packet fax --jobs 2, {PACKET_CASES} cases / ONE soffice call, {converted} letters (median of "
         f"{PACKET_RUNS})",
         f"{batch:.1f} / {floor:.1f} s = {ratio:.2f}x", "<= 1.5x", verdict(ratio <= 1.5)),
        ("browser packet page: the first / after the first (median of 5)", f"{first:.2f} / {after:.2f} s",
         "(no target)", ""),
    ]


# --------------------------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    print(f"appeal benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="appeal-bench-") as temporary:
        work = Path(temporary)

        # 1
        (work / "letters").mkdir()
        letters = one_letter(work / "letters")
        print(f"\n1. One letter, warm caches, median of {REPEATS} (ms)")
        print(f"   {'kind':<20} {'example':<38} {'ours':>7} {'floor':>7} {'ratio':>6}  same text")
        for row in letters:
            ratio = row["ours"] / row["floor"]
            print(f"   {row['kind']:<20} {row['example']:<38} {row['ours'] * 1000:7.1f} {row['floor'] * 1000:7.1f} "
                  f"{ratio:6.2f}  {'yes' if row['same_text'] else 'NO'}")
            rows.append((f"letter {row['kind']}: ours / bare docxtpl",
                         f"{row['ours'] * 1000:.1f} / {row['floor'] * 1000:.1f} ms = {ratio:.2f}x", "<= 1.5x",
                         verdict(ratio <= 1.5)))

        # 2
        rows += process_rows(work)

        # 3
        cases = generate_cases(work / "cases-500", BATCH_CASES)
        one, _, _ = run_batch(cases, work / "out-jobs1", 1, work)
        two, _, _ = run_batch(cases, work / "out-jobs2", 2, work)
        speedup = one / two
        rows.append((f"batch of {BATCH_CASES}, --jobs 1 / --jobs 2", f"{one:.1f} / {two:.1f} s = {speedup:.2f}x",
                     ">= 1.6x", verdict(speedup >= 1.6)))
        small = generate_cases(work / f"cases-{MEMORY_SMALL}", MEMORY_SMALL, seed=11)
        large = generate_cases(work / f"cases-{MEMORY_LARGE}", MEMORY_LARGE, seed=13)
        jobs = os.cpu_count() or 1
        _, small_peak, small_largest = run_batch(small, work / "out-small", jobs, work, measure_memory=True)
        large_wall, large_peak, large_largest = run_batch(large, work / "out-large", jobs, work, measure_memory=True)
        memory = large_peak / small_peak
        rows.append((f"peak memory of the process tree, {MEMORY_LARGE} / {MEMORY_SMALL} cases (--jobs {jobs})",
                     f"{large_peak / 2**20:.0f} / {small_peak / 2**20:.0f} MiB = {memory:.2f}x", "<= 1.2x",
                     verdict(memory <= 1.2)))
        rows.append(("  largest single process: a worker or the main one (max RSS)",
                     f"{large_largest / 2**20:.0f} / {small_largest / 2**20:.0f} MiB", "<= 120 MiB",
                     verdict(max(large_largest, small_largest) <= 120 * 2**20)))
        rows.append((f"  batch of {MEMORY_LARGE} cases, --jobs {jobs}", f"{large_wall:.1f} s "
                     f"({MEMORY_LARGE / large_wall:.1f} letters/s)", "(no target)", ""))

        rows += packets(work)  # 4

    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print("\nResults")
    print(f"   {'measure':<{width}}  {'measured':<{value_width}}  {'target':<11} result")
    for measure, value, target, result in rows:
        print(f"   {measure:<{width}}  {value:<{value_width}}  {target:<11} {result}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end (1.0 = one core busy on average over the last minute)")
    return 0


def processes_only() -> int:
    """`python tests/benchmark.py --processes`: section 2 alone (a minute, not a quarter of an hour)."""
    with tempfile.TemporaryDirectory(prefix="appeal-bench-") as temporary:
        rows = process_rows(Path(temporary))
    for measure, value, target, result in rows:
        print(f"   {measure:<62}  {value:<28}  {target:<11} {result}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(processes_only() if "--processes" in sys.argv[1:] else main())
