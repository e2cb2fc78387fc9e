"""The import on notices written by others (issue 29, second hand-written set): a value read from a clear label in
the right context may be certain; one inferred (a guess between two candidates, a window of another kind, a number
outside the appeal instructions) comes back marked for checking or not at all. Each test is a general wording."""

from __future__ import annotations

from appeal.intake import notice_import, notice_text


def read(text: str) -> notice_import.Extraction:
    return notice_import.extract(notice_text.from_string(text))


def test_a_fast_appeal_window_is_not_the_appeal_deadline_when_a_standard_one_is_given():
    extraction = read("""We did not approve the requested days.

YOUR RIGHT TO REQUEST RECONSIDERATION
You may ask for an EXPEDITED reconsideration. An expedited request must be received
within 3 calendar days after you receive this notice; call the number below.

You may instead file a non-expedited reconsideration. It must be postmarked or
received within 90 days of the date of this notice.
""")
    assert extraction.found["appeal_deadline"].value.words.startswith("It must be postmarked")
    assert extraction.found["appeal_deadline"].certain
    fast = [window for window in extraction.other_windows if window.words == "3 calendar days"]
    assert fast and "fast (expedited) appeal" in fast[0].role.label


def test_a_fast_appeal_window_alone_is_marked():
    extraction = read("""We denied the request.
An expedited appeal request must be received within 3 days after you receive this notice.
""")
    assert extraction.found["appeal_deadline"].value.days == 3
    assert not extraction.found["appeal_deadline"].certain


def test_we_must_receive_it_within_months_is_the_appeal_window_not_the_next_levels():
    extraction = read("""We denied your claim.
If you disagree with our decision, you may ask us to reconsider it. Your
request must be in writing and we must receive it within 6 months from the
date of this decision.
We will respond within 30 days of receiving your request.
If we maintain our denial, you may ask the Office of Personnel Management (OPM) to review our decision.
You must write to OPM within 90 days after the date of our letter upholding our decision.
""")
    assert extraction.found["appeal_deadline"].value.months == 6
    assert extraction.found["appeal_deadline"].certain
