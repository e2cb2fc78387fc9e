"""How close the OCR'd text of a scan, a fax TIFF or a phone photo is to the notice's own text: run
`python tests/ocr_fidelity.py` (not a pytest test; OCR is slow).

The fields are found in the text by the same parser whatever the source, so the closer the OCR'd lines are to the
typed ones, the closer the fields. For each wide notice (tests/notices/wide/) and each picture source type
(tests/notice_variants.py) it reads the file as `appeal import` does and compares, page by page, with the lines
the picture was printed from (wrapped as printed, runs of spaces as one):

* the word error rate: word edits (Levenshtein) per word of the notice;
* the lines lost: lines of the notice with no OCR'd line at least 80% like them (difflib), listed with `-v`;
* the lines exact: lines of the notice (blank lines too) read exactly, their gaps kept apart as one space, two,
  or three and more (a value ends at three, a table's columns are two apart), leading spaces aside;
* the pages read, and the lines Tesseract marked unclear (the notes the import shows).

`--sources scan,tiff,photo` limits the source types, `--limit N` the notices, `--only NAME` picks notices by name.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import notice_variants  # noqa: E402

from appeal.intake import notice_text  # noqa: E402

SOURCES = ("scan", "tiff", "photo")
LIKE = 0.8


def _plain(line: str) -> str:
    return " ".join(line.split())


def _gaps(line: str) -> str:
    return re.sub(" {3,}", "   ", line.strip())


def exact_lines(truth: list[str], got: list[str]) -> int:
    """The lines of `truth` found in `got` in order, exactly (gap classes kept, leading spaces aside)."""
    matcher = difflib.SequenceMatcher(None, [_gaps(line) for line in truth], [_gaps(line) for line in got],
                                      autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def word_edits(truth: list[str], got: list[str]) -> int:
    """Levenshtein distance between two word lists."""
    previous = list(range(len(got) + 1))
    for i, word in enumerate(truth, 1):
        current = [i] + [0] * len(got)
        for j, other in enumerate(got, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return previous[-1]


def lost_lines(truth: list[str], got: list[str]) -> list[str]:
    lost = []
    for line in truth:
        matcher = difflib.SequenceMatcher(None, "", line, autojunk=False)
        best = 0.0
        for other in got:
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        if best < LIKE:
            lost.append(line)
    return lost


def compare(notice: notice_variants.WideNotice, read: notice_text.NoticeText) -> dict:
    words = edits = exact = 0
    lost: list[str] = []
    for number, page in enumerate(notice.pages, 1):
        truth = [_plain(line) for line in notice_variants._wrapped(page) if line.strip()]
        got = [_plain(line.text) for line in read.lines if line.page == number and line.text.strip()]
        exact += exact_lines(notice_variants._wrapped(page),
                             [line.text for line in read.lines if line.page == number])
        truth_words = " ".join(truth).split()
        words += len(truth_words)
        edits += word_edits(truth_words, " ".join(got).split())
        lost += [f"p{number}: {line}" for line in lost_lines(truth, got)]
    return {"words": words, "edits": edits, "lines": sum(len([x for x in p if x.strip()]) for p in notice.pages),
            "all_lines": sum(len(notice_variants._wrapped(page)) for page in notice.pages), "exact": exact,
            "lost": lost, "pages": len(notice.pages), "pages_read": read.pages_read, "notes": list(read.notes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--only", default="", help="notices whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every line lost")
    args = parser.parse_args()
    notices = [n for n in notice_variants.load_wide() if args.only in n.name][:args.limit]
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    with tempfile.TemporaryDirectory() as folder:
        for source in args.sources.split(","):
            for notice in notices:
                if source not in notice_variants.source_types(notice):
                    continue
                started = time.monotonic()
                path = notice_variants.WRITERS[source](notice, Path(folder))
                result = compare(notice, notice_text.read(path))
                total = totals[source]
                for key in ("words", "edits", "lines", "all_lines", "exact", "pages", "pages_read"):
                    total[key] += result[key]
                total["lost"] += len(result["lost"])
                total["notes"] += len(result["notes"])
                total["notices"] += 1
                total["seconds"] += time.monotonic() - started
                print(f"  {source} {notice.name}: WER {result['edits'] / max(result['words'], 1):.1%}, "
                      f"{len(result['lost'])}/{result['lines']} lines lost, {result['exact']}/{result['all_lines']} exact, pages {result['pages_read']}/"
                      f"{result['pages']}, {len(result['notes'])} notes", flush=True)
                if args.verbose:
                    for line in result["lost"]:
                        print(f"      lost {line}")
                    for note in result["notes"]:
                        print(f"      note {note}")
    print()
    print("| source | notices | WER | lines lost | lines exact | pages read | unclear notes | s/notice |")
    print("|---|---|---|---|---|---|---|---|")
    for source, total in totals.items():
        print(f"| {source} | {total['notices']} | {total['edits'] / max(total['words'], 1):.1%} | "
              f"{total['lost']}/{total['lines']} | {total['exact'] / max(total['all_lines'], 1):.1%} | {total['pages_read']}/{total['pages']} | {total['notes']} | "
              f"{total['seconds'] / max(total['notices'], 1):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
