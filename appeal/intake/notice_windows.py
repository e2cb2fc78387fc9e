"""The time limits a notice states, each with its role: which one is the appeal deadline, and which are not.

Why: a notice holds many windows. "Your doctor may ask for a peer-to-peer call within 14 days", "send the records
within 30 days", "we will decide an urgent appeal within 72 hours", "ask within 10 days to keep your care during
the appeal" and "you must file your appeal within 180 days" all look alike to a reader that takes the first number
of days near the word "appeal". Taking the 14 days for the appeal deadline tells a person to give up 166 days, or to
think it is too late. So each window is read with the clause it is in, and only a window whose clause is about the
person filing an appeal (a grievance, a reconsideration, a redetermination, a fair hearing, an external review) can
be the appeal deadline; the others are kept and shown with what they are for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from appeal.base.language import N_, translate
from appeal.intake.notice_kind import Sentence
from appeal.intake.notice_text import Line
from appeal.intake.number_words import WORDS


class WindowRole(str, Enum):
    appeal = "appeal"
    expedited_filing = "expedited_filing"
    fair_hearing = "fair_hearing"
    external_review = "external_review"
    peer_to_peer = "peer_to_peer"
    submit_records = "submit_records"
    expedited_decision = "expedited_decision"
    decision_time = "decision_time"
    continuation_of_benefits = "continuation_of_benefits"
    renewal_request = "renewal_request"
    corrected_claim = "corrected_claim"
    other = "other"

    @property
    def label(self) -> str:
        return translate(_LABELS[self])

    @property
    def files_an_appeal(self) -> bool:
        """A window for the person to ask for a review of the decision (any level)."""
        return self in (WindowRole.appeal, WindowRole.fair_hearing, WindowRole.external_review)


_LABELS = {
    WindowRole.appeal: N_("to file an appeal"),
    WindowRole.expedited_filing: N_("to ask for a fast (expedited) appeal; the standard appeal deadline is separate"),
    WindowRole.fair_hearing: N_("to ask for a state fair hearing"),
    WindowRole.external_review: N_("to ask for an outside (external) review"),
    WindowRole.peer_to_peer: N_("for your doctor to ask for a call with the plan's reviewer (peer-to-peer); not the appeal deadline"),
    WindowRole.submit_records: N_("to send the records or information the plan asked for; not the appeal deadline"),
    WindowRole.expedited_decision: N_("the time the plan has to decide an urgent (fast) request"),
    WindowRole.decision_time: N_("the time the plan has to decide"),
    WindowRole.continuation_of_benefits: N_("to ask to keep getting your care while you appeal; not the appeal deadline"),
    WindowRole.renewal_request: N_("to ask for a renewal before the approval ends"),
    WindowRole.corrected_claim: N_("for your provider to send a corrected claim; not the appeal deadline"),
    WindowRole.other: N_("a time limit the tool could not place; read its sentence"),
}


@dataclass(frozen=True)
class Window:
    """One time limit: its amount as printed ('14 calendar days', 'March 5, 2026'), read as days, months, hours or
    a date, the sentence it is in, the line it is on and its role."""

    role: WindowRole
    words: str
    sentence: str
    line: Line
    days: int | None = None
    months: int | None = None
    hours: int | None = None
    due: date | None = None


_NUMBER_WORDS = "|".join(sorted((re.escape(word) for word in WORDS if " " not in word), key=len, reverse=True))
_COUNT = (r"(?:(?:(?P<word>(?:" + _NUMBER_WORDS + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\s*"
          r"(?:\((?P<paren>\d{1,3})\))?)|(?P<digits>\d{1,3}))")
_AMOUNT = re.compile(r"(?i)(?<![\w$.,/-])" + _COUNT + r" (?:(?:calendar|business|working|consecutive) )?"
                     r"(?P<unit>days?|hours?|months?)\b")


def _count(match: re.Match[str]) -> int | None:
    if match.group("digits"):
        return int(match.group("digits"))
    if match.group("paren"):
        return int(match.group("paren"))
    words = match.group("word").lower().replace("-", " ").split()
    total = 0
    for word in words:
        if word not in WORDS:
            return None
        total += WORDS[word]
    return total


# The clause's words that say what the window is for, in the order they are tried.
_ROLE_CUES: tuple[tuple[WindowRole, re.Pattern[str]], ...] = (
    (WindowRole.continuation_of_benefits, re.compile(
        r"(?i)\bcontinu\w* (?:to (?:get|receive|have)|your|the|getting|receiving)\b|\bkeep (?:getting|receiving|your)"
        r"|\bbenefits? (?:to )?continue|\baid (?:paid )?pending|\bwhile (?:your|the) (?:appeal|hearing|case) is")),
    (WindowRole.peer_to_peer, re.compile(
        r"(?i)\bpeer[- ]to[- ]peer\b|\bdoctor[- ]to[- ]doctor\b|\bpeer (?:discussion|conversation|call)\b"
        r"|\bwith the reviewing (?:physician|doctor|clinician)\b|\b(?:speak|talk|discuss\w*) (?:directly )?with (?:our|the|a) "
        r"(?:physician |medical |clinical |plan's )?(?:reviewer|medical director)")),
    (WindowRole.renewal_request, re.compile(
        r"(?i)\brenew\w*|\breauthori[sz]\w*|\bextension of (?:this|the|your) (?:approval|authorization)"
        r"|\bbefore (?:this|the|your) (?:approved |authorized )?(?:approval|authorization|dates?|period|sessions|visits)\b[^.;]{0,20}\b(?:end|ends|expire)"
        r"|\bmore (?:sessions|visits|treatments|units|infusions|refills) than (?:\w+ )?(?:approved|authorized)")),
    (WindowRole.expedited_decision, re.compile(
        r"(?i)(?:\bwe|\bthe plan|\bit|\bthey|\b[A-Z]\w+ (?:Health|Plan)) (?:will|must|shall|have to|'ll|generally) "
        r"[^.;]{0,60}\b(?:expedited|urgent|fast)\b|\b(?:expedited|urgent|fast) (?:appeal|review|request|decision)s? "
        r"(?:within|in|is decided|are decided|will be decided)|\bdecid\w* (?:an? |your )?(?:expedited|urgent|fast)")),
    (WindowRole.decision_time, re.compile(
        r"(?i)(?<!\byou )(?<!\byour )(?:will|must|shall|'ll|generally|usually|normally) (?:\w+ ){0,3}"
        r"(?:decide|make (?:a|our|its|the|their) decision|send you|give you|notify|respond|tell you|issue|mail you|process|answer|let you know)"
        r"|\bwe have \d+ \w+ (?:\w+ ){0,8}to (?:pay|decide|respond|answer|make|write|approve)|\bwaiting (?:up to )?\d+ \w+ for (?:a|our|the) decision"
        r"|\b(?:a|our|its|the plan's|their) (?:written |final )?(?:decision|answer|response|reply|determination) (?:will be (?:made|sent|mailed) )?within"
        r"|\byou (?:will|should) (?:get|receive|hear)|\b(?:we|the plan) (?:has|have) \w+ (?:\w+ )?(?:days|hours) to (?:decide|make|respond|answer)")),
    (WindowRole.fair_hearing, re.compile(r"(?i)\b(?:state )?fair hearing\b|\bstate hearing\b|\bhearing (?:with|from|before) "
                                         r"the state\b|\bhearing officer\b|\b(?:ask for|request) a hearing\b")),
    (WindowRole.external_review, re.compile(
        r"(?i)\bexternal review\b|\bindependent (?:external |medical )?review|\bindependent review organization\b"
        r"|\bIRO\b|\bOPM\b[^.;]{0,40}\breview|\breview by (?:the )?(?:Office of Personnel Management|OPM)")),
    (WindowRole.corrected_claim, re.compile(r"(?i)\bcorrected claim\b|\b(?:re-?submit|rebill|re-?bill) the claim\b")),
    (WindowRole.submit_records, re.compile(
        r"(?i)\b(?:send|submit|provide|give|fax|mail|get)(?:e?s)? (?:us |the plan |to us )?(?:[\w-]+ ){0,3}(?:information|records|documents|"
        r"documentation|notes|test results|details|forms?)\b|\bif we (?:do not|don't) (?:get|receive|have)"
        r"|(?:information|records)\b[^.;]{0,40}\b(?:send|submit|provide) (?:it|them)\b"
        r"|\bretro(?:spective|active) review\b[^.;]{0,40}\b(?:notes|records|documentation)\b")),
    (WindowRole.appeal, re.compile(
        r"(?i)\b(?:file|submit|send|request|ask for|make|start|mail|fax|filing|requesting|submitting)\b[^.;]{0,40}?"
        r"\b(?:appeal|grievance|reconsideration|redetermination|complaint|review of (?:this|our|the) (?:decision|denial))"
        r"|\bappeals?(?: requests?)? (?:must|should|has to|needs to) be (?:received|filed|sent|made|submitted|postmarked|requested)"
        r"|\bto appeal\b|\b(?:can|may|must|might|have|has) (?:\w+ )?appeal\b|\bright to appeal\b"
        r"|\b(?:ask|request|tell) (?:us |the plan )?(?:[\w-]+ ){0,3}(?:to )?(?:review|reconsider|look at|change)\b"
        r"|\b(?:ask|asking)(?: us| the plan)? for (?:an? |your )?(?:\w+ )?(?:appeal|reconsideration|redetermination|review)\b"
        r"|\breceive (?:your|the|an?) (?:written )?(?:appeal|grievance|request for (?:reconsideration|redetermination))"
        r"|\b(?:appeal|grievance|reconsideration|redetermination) (?:request )?(?:deadline|time limit|period)")),
)


def role_of(clause: str) -> WindowRole | None:
    for role, cue in _ROLE_CUES:
        if cue.search(clause):
            return role
    return None


# A window for something the person does that the sentence does not name ("You must ask within 65 days", "Your
# request must be postmarked within 90 days"): what it is for is in the sentences just before it.
_PERSON_ACTS = re.compile(
    r"(?i)\byou(?:r \w+)? (?:must|may|can|have to|need to|should|will need to) (?:\w+ ){0,3}(?:ask|write|request|file|send|"
    r"submit|make|call|appeal)|\b(?:we|the plan) must (?:receive|get|have) (?:it|them|your (?:request|letter))\b|\b(?:(?:request|appeal|letter)s?|it) must be (?:filed|made|sent|received|postmarked|submitted|"
    r"in writing)|\byou have (?:\w+ ){1,3}(?:days?|months?) to\b"
    r"|\byou have (?:\w+ ){1,3}(?:days?|months?) [^.;]{0,50}? to (?:file|ask|request|send|submit|make|appeal)\b"
    r"|^\W*(?:and )?(?:complete|send|submit|mail|fax|file|write)\b")  # an instruction: 'Complete the form and send it'

# Roles the person acts in; a decision time is the plan's.
_PERSON_ROLES = (WindowRole.appeal, WindowRole.fair_hearing, WindowRole.external_review, WindowRole.submit_records,
                 WindowRole.peer_to_peer, WindowRole.continuation_of_benefits, WindowRole.renewal_request)
# Amounts that are not time limits: office hours, a supply, a history.
_NOT_A_WINDOW = re.compile(r"(?i)^\s*a (?:day|week)\b|^\s*(?:supply|of (?:medication|therapy|treatment))")
_NOT_A_WINDOW_BEFORE = re.compile(r"(?i)(?:\bper|\bevery|\beach|\blast|\bpast|\bprevious|\bprior|\bfor|#\d+)\s*$")


def _clause(text: str, start: int, end: int) -> str:
    """The part of a sentence around one amount: between semicolons, or ', or' / ', and' joints."""
    cuts = [0] + [match.end() for match in re.finditer(r";|,?\s+(?:or|and|but)\s+(?=an? |the |we |you )|\.\s", text)]
    cuts.append(len(text))
    left = max(cut for cut in cuts if cut <= start)
    right = min((cut for cut in cuts if cut >= end), default=len(text))
    return text[left:right]


def _without_heading(sentence: Sentence) -> str:
    """The sentence without a heading run into it ('YOUR RIGHT TO APPEAL If you disagree...')."""
    text = sentence.text
    first = sentence.line_at(len(text) - len(text.lstrip())).text.strip()
    if text.strip().startswith(first) and len(first) < 45 and not re.search(r"[.,;:!?]$", first) and first != text.strip():
        return text.strip()[len(first) :]
    return text


def _role(text: str, start: int, end: int, before: list[Sentence], amount: str) -> WindowRole:
    """The role of the amount at text[start:end]: from its clause, else its sentence, else (for something the person
    must do) the sentences before it; a decision time in hours, or next to 'fast' or 'urgent', is an urgent one."""
    clause = _clause(text, start, end)
    silent = re.search(r"(?i)\bif (?:we|the plan) (?:do|does) not (?:hear from|get|receive)", clause)
    role = None if silent else role_of(clause) or role_of(text)
    if role is None and (silent or _PERSON_ACTS.search(clause)):
        context = [role_of(sentence.text) for sentence in before[-3:]]
        role = next((item for item in reversed(context) if item in _PERSON_ROLES), None)
    if role is WindowRole.decision_time and not re.search(r"(?i)\bstandard\b|\bwaiting (?:up to )?\d", clause) and (
            re.search(r"(?i)hour", amount) or re.search(
            r"(?i)\b(?:expedited|urgent|fast)\b", clause + " ".join(sentence.text for sentence in before[-1:]))):
        role = WindowRole.expedited_decision
    scope = clause if role_of(clause) else text  # 'ask for an expedited reconsideration; it must be received within'
    if role is WindowRole.appeal and _EXPEDITED.search(scope) and not _STANDARD.search(scope):
        role = WindowRole.expedited_filing  # 'An expedited request must be received within 3 days'
    return role or WindowRole.other


# A window to ask for a fast appeal is not the appeal deadline when the notice also gives the standard one.
_EXPEDITED = re.compile(r"(?i)(?<!non-)(?<!non)\b(?:expedited|urgent|fast|emergency|immediate)\b")
_STANDARD = re.compile(r"(?i)\bstandard\b|\bnon-?expedited\b|\bregular\b")


def find(said: list[Sentence], date_pattern: str, parse_date) -> list[Window]:
    """Every window the notice states, in the notice's order, each with its role."""
    dated = re.compile(r"(?i)\b(?:by|before|no later than|not later than|on or before)\s+(" + date_pattern + ")")
    # '01/05/2026 - 01/09/2026 (5 days)', 'Dates of service: ... 5 days': how long the care lasted, not a time limit
    served = re.compile(r"(?i)(?:" + date_pattern + r")\s*\(\s*$|\bdates? of service\b[^.;]{0,60}$")
    windows: list[Window] = []
    for index, sentence in enumerate(said):
        text, shown = sentence.text, _without_heading(sentence).strip()
        amounts = [(match.start(), match.end(), match) for match in _AMOUNT.finditer(text)
                   if not _NOT_A_WINDOW.match(text[match.end() :]) and not _NOT_A_WINDOW_BEFORE.search(text[: match.start()])
                   and not served.search(text[: match.start()])]
        amounts += [(match.start(1), match.end(1), match) for match in dated.finditer(text)]
        for start, end, match in sorted(amounts, key=lambda item: item[0]):
            role = _role(text, start, end, said[:index], text[start:end])
            line = sentence.line_at(start)
            words = " ".join(text[start:end].split())
            if match.re is dated:
                try:
                    due = parse_date(match.group(1))
                except ValueError:
                    continue
                windows.append(Window(role, words, shown, line, due=due))
                continue
            count = _count(match)
            if count is None or count == 0:
                continue
            unit = match.group("unit").lower().rstrip("s")
            windows.append(Window(role, words, shown, line, **{f"{unit}s": count}))
    return windows


def appeal_window(windows: list[Window]) -> Window | None:
    """The appeal deadline: the first window for filing an appeal; without one, the first for a fair hearing or an
    external review (where that is the next step the notice offers); without those, a fast appeal's (the caller marks
    it); never a window of another role."""
    for roles in ((WindowRole.appeal,), (WindowRole.fair_hearing, WindowRole.external_review),
                  (WindowRole.expedited_filing,)):
        chosen = [window for window in windows if window.role in roles]
        if chosen:
            return chosen[0]
    return None
