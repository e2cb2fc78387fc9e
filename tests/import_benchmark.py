"""How well `appeal import` reads denial notices: run `python tests/import_benchmark.py [--scans N]` (not a pytest test).

It generates the corpus of tests/notice_corpus.py (36 notices: five layouts, every plan type, every denial reason)
and reads each one as plain text, as a text PDF and as a noisy 200-dpi scan (a JPEG photo, or for every third one
a scanned PDF). For each format it prints, per field:

* precision: of the values it gave, the share that were right;
* recall: of the values on the notices, the share it gave right;
* wrong+certain: values that were wrong and NOT marked for checking (the target is none).

Targets: at least 95% of fields right on text notices (plain text and text PDFs), at least 85% on scans, and no
wrong value presented as certain. "Right" means equal to the truth (an empty field where the notice has none is
right too). OCR takes a few seconds a page: `--scans 12` reads only the first twelve scans.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notice_corpus import corpus, score, write_pdf, write_scan, write_text  # noqa: E402

from appeal.intake import notice_import, notice_text  # noqa: E402

TARGETS = {"text": 0.95, "pdf": 0.95, "scan": 0.85}


def run(format_name: str, notices, folder: Path) -> tuple[float, int]:
    per_field: dict[str, list] = defaultdict(list)
    for index, notice in enumerate(notices):
        if format_name == "text":
            path = write_text(notice, folder)
        elif format_name == "pdf":
            path = write_pdf(notice, folder)
        else:
            path = write_scan(notice, folder, as_pdf=index % 3 == 2, seed=index)
        extraction = notice_import.extract(notice_text.read(path))
        for outcome in score(notice, extraction):
            per_field[outcome.key].append(outcome)
            if not outcome.right:
                mark = "WRONG+CERTAIN" if outcome.wrong_but_certain else "wrong (marked)" if outcome.got else "missed"
                print(f"    {notice.name} {outcome.key}: {mark}: expected {outcome.truth!r}, got {outcome.got!r}")
    print(f"\n{format_name}: {len(notices)} notices")
    print(f"  {'field':<18} {'precision':>9} {'recall':>7} {'wrong+certain':>14}")
    right = total = certain_wrong = 0
    for key, _ in notice_import.FIELDS:
        outcomes = per_field[key]
        given = [o for o in outcomes if o.got]
        present = [o for o in outcomes if o.truth]
        precision = sum(o.right for o in given) / len(given) if given else 1.0
        recall = sum(o.right for o in present) / len(present) if present else 1.0
        wrong_certain = sum(o.wrong_but_certain for o in outcomes)
        print(f"  {key:<18} {precision:>9.1%} {recall:>7.1%} {wrong_certain:>14}")
        right += sum(o.right for o in outcomes)
        total += len(outcomes)
        certain_wrong += wrong_certain
    share = right / total
    verdict = "PASS" if share >= TARGETS[format_name] and certain_wrong == 0 else "FAIL"
    print(f"  fields right: {right}/{total} = {share:.1%} (target {TARGETS[format_name]:.0%}); "
          f"wrong but certain: {certain_wrong} (target 0)  {verdict}")
    return share, certain_wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=36, help="how many notices to read as scans (OCR is slow)")
    args = parser.parse_args()
    notices = corpus(36)
    with tempfile.TemporaryDirectory() as folder:
        for format_name in ("text", "pdf", "scan"):
            chosen = notices[: args.scans] if format_name == "scan" else notices
            run(format_name, chosen, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
