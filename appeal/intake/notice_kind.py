"""What kind of document a notice is, decided from its own words before any field is read as a denial's.

Why: people import whatever the plan mailed them. An approval, an Explanation of Benefits for a claim that was
paid, a request for more records or an offer of a peer-to-peer call all look like a denial to a reader that only
looks for labels, and a letter then appeals "the decision to deny coverage" that never happened. So the import
first names the document, with the line that says so, and only a denial (or an EOB with a denied line) is read
as one without the person's say-so.

The words are what plans print: "has been denied", "Decision: APPROVED", "THIS IS NOT A BILL", "we need more
information", "peer-to-peer". A cue inside a condition ("if your request is denied", "may be denied") says
nothing about this document and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from appeal.base.language import N_, translate
from appeal.intake.notice_text import Line


class DocumentType(str, Enum):
    """The kinds of document a plan sends about coverage (the names the test corpus uses)."""

    denial_prior_authorization = "denial_prior_authorization"
    denial_claim = "denial_claim"
    denial_appeal_decision = "denial_appeal_decision"
    final_internal_denial = "final_internal_denial"
    approval = "approval"
    partial_approval = "partial_approval"
    eob_paid = "eob_paid"
    eob_denied = "eob_denied"
    request_for_information = "request_for_information"
    peer_to_peer_offer = "peer_to_peer_offer"

    @property
    def label(self) -> str:
        return translate(_LABELS[self])

    @property
    def is_denial(self) -> bool:
        """A decision that can be appealed as it stands: a denial at any level, or an EOB with a denied line."""
        return self in DENIALS


_LABELS = {
    DocumentType.denial_prior_authorization: N_("a denial of a request to approve care before it is given (prior authorization)"),
    DocumentType.denial_claim: N_("a denial of a claim (payment for care already given)"),
    DocumentType.denial_appeal_decision: N_("a decision on an appeal that keeps the denial"),
    DocumentType.final_internal_denial: N_("a final internal denial (the plan's last word; next is an outside review)"),
    DocumentType.approval: N_("an approval"),
    DocumentType.partial_approval: N_("a partial approval (part approved, part denied)"),
    DocumentType.eob_paid: N_("an Explanation of Benefits for a claim the plan paid"),
    DocumentType.eob_denied: N_("an Explanation of Benefits with a denied line"),
    DocumentType.request_for_information: N_("a request for more information (no decision yet)"),
    DocumentType.peer_to_peer_offer: N_("an offer of a peer-to-peer call with the plan's reviewer (no final decision yet)"),
}
DENIALS = frozenset({DocumentType.denial_prior_authorization, DocumentType.denial_claim,
                     DocumentType.denial_appeal_decision, DocumentType.final_internal_denial,
                     DocumentType.eob_denied})

# What a person is told when the document is not a denial, in plain words.
NOT_A_DENIAL = {
    DocumentType.approval: N_("This looks like an approval, not a denial; there is nothing to appeal."),
    DocumentType.partial_approval: N_(
        "This looks like a partial approval: part of the request was approved and part was not. Only the part "
        "that was not approved can be appealed."),
    DocumentType.eob_paid: N_(
        "This looks like an Explanation of Benefits for a claim the plan paid, not a denial. An EOB is not a "
        "bill, and there is nothing to appeal unless a line of it was denied."),
    DocumentType.request_for_information: N_(
        "This looks like a request for more information, not a denial: the plan has not decided yet. Send what "
        "it asks for by the date it gives; if it then denies the request, import that notice."),
    DocumentType.peer_to_peer_offer: N_(
        "This looks like an offer for your doctor to talk with the plan's reviewer (a peer-to-peer call), not a "
        "final denial. Ask your doctor to call within the time it gives; an appeal answers the written denial."),
}


@dataclass(frozen=True)
class DocumentKind:
    """The document's type, the line whose words show it, and whether those words were plain (certain)."""

    type: DocumentType
    line: Line
    certain: bool = True
    why: str = ""

    @property
    def is_denial(self) -> bool:
        return self.type.is_denial

    @property
    def not_a_denial(self) -> str | None:
        """The plain sentence for a document that is not a denial; None for a denial."""
        return None if self.is_denial else translate(NOT_A_DENIAL[self.type])


# A sentence whose cue is only a possibility: "if your request is denied", "may be denied", "unless approved".
_CONDITIONAL = re.compile(r"(?i)\b(?:if|unless|whether|until|in case|only when)\b[^.;:]*$|"
                          r"\b(?:may|might|could|would|can|will)(?: not)? (?:be|have been|also be)\s*$|\bto be\s*$")

_EOB_TITLE = re.compile(r"(?i)^(?:.*\S {3,})?\W*(?:your |member |medicare |tricare )?(?:explanation of (?:benefits|payment)|medicare summary "
                        r"notice)\b(?:\s*\(\w+\))?[\W\w]{0,60}$")
_NOT_A_BILL = re.compile(r"(?i)\bthis\s+is\s+not\s+a\s+bill\b")  # OCR may read two spaces between words
# A summary notice's own answer: 'Did Medicare Approve All Services?   NO'.
_NOT_ALL_APPROVED = re.compile(r"(?i)\bapprove all (?:services|items|claims)\?\s*NO\b")
# An EOB line that was not paid, in words (an adjustment code alone is not enough: CO-45 is a contract discount).
_EOB_DENIED = re.compile(r"(?i)\b(?:denied|not covered|not payable|non-?covered|not a covered|we did not pay|(?:is|are|was|were) excluded|"
                         r"(?:does|do|did|will) not pay for|(?:did not|didn't) (?:get|obtain|have) (?:prior )?(?:approval|authori[sz]ation)|"
                         r"claim (?:was )?rejected)\b(?!:?\s*(?:0|\$0\.00|none)\b)")

_DENIED = re.compile(
    r"(?i)\b(?:(?:has|have|was|were|is|are|being) (?:been )?(?:denied|not approved|not authorized|upheld)"
    r"|we (?:have )?(?:denied|upheld)|we (?:are|must) (?:deny|denying|uphold)|we (?:have )?decided to (?:deny|uphold)"
    r"|(?:decision|determination|status|outcome|result)\s*:?\s*(?:denied|deny|not approved|adverse|upheld)\b"  # not 'denying'
    r"|we (?:are not able to|are unable to|cannot|can not) change (?:our|the) (?:original |earlier |first |prior )?(?:decision|denial)"
    r"|(?:we )?(?:can ?not|are unable to|will not|won't) (?:approve|cover|pay|authorize)"
    r"|\bdenial (?:is |was |has been )?(?:upheld|affirmed|sustained)\b"
    r"|\b(?:completed|made) (?:our|the|a|its) (?:redetermination|reconsideration)\b|\b(?:have|has) again denied\b"
    r"|notice of (?:adverse|denial)|adverse (?:benefit |coverage )?(?:determination|decision)|denial notice"
    r"|(?:denial|non-?coverage) (?:of|decision|letter|determination)|(?-i:\bDENIED\b)"
    r"|we are keeping our (?:first |original |earlier |prior )?(?:decision|denial)|\bis still not covered\b)")
_APPROVED = re.compile(
    r"(?i)\b(?:(?:has|have) been (?:approved|authorized)|(?:was|were|is|are) (?:now |fully )?(?:approved|authorized)"
    r"|(?:request|service|stay|admission|days|visits|sessions|treatments?) (?:is|are|has been|have been) certified"
    r"|(?<!which )(?<!that )we (?:have )?(?:approved|authorized|certified)|(?:decision|determination|status|outcome|result)\s*:?\s*"
    r"(?:approved|authorized|certified)|approval (?:notice|letter|of)|notice of approval|(?:authorization|request) "
    r"approved|we are (?:pleased|happy) to|(?:have |has )?decided to approve|(?<!not )(?<!partially )(?<!partly )fully favou?rable|(?-i:\bAPPROVED\b))(?! by (?:the )?(?:FDA|U\.S\.|Food))"
    r"(?! (?:through|until|from) )"  # 'was approved through 06/30': an earlier approval ending
    r"(?!,? (?:only )?(?:when|if|after|once|unless)\b)")  # 'TMS is approved when ...': a policy's criterion
_PARTIAL = re.compile(
    r"(?i)\b(?:partial(?:ly)? (?:approv\w*|denied|denial|favorable|favourable)|partly favou?rable|approved in part|denied in part|in part\b[^.]{0,40}\b(?:approved|denied)"
    r"|(?:decision|determination|status)\s*:?\s*(?:partial|modified|partly)|approved (?:a |an )?(?:modified|reduced|lower|fewer|smaller)"
    r"|approved \d+ (?:of|out of) (?:the )?\d+|approved (?:only )?\d+ [\w ]{0,30}?\b(?:instead of|rather than)\b"
    r"|we (?:have )?(?:reduced|lowered) (?:the|your) (?:number|amount|quantity|frequency|dose|units|visits|days)|will pay for \d+ (?:of|out of) (?:the )?\d+"
    r"|\bwe (?:are|have|will be) (?:reducing|reduced|lowering|lowered|cutting) [\w ]{0,40}?\bfrom \d+ [\w ]{0,30}?\bto \d+)")
_ASKS_FOR_MORE = re.compile(
    r"(?i)\b(?:need|needs|require|requires|requesting|request) (?:some )?(?:more|additional|further) (?:information|"
    r"records|documentation|clinical)|request for (?:additional|more|further) (?:information|records|documentation)"
    r"|(?:have|has) not (?:yet )?(?:made|reached) (?:a|our) (?:final )?decision|no decision (?:has been|was) made"
    r"|(?:before|so) (?:we|that we) can (?:make a decision|decide|finish|complete)"
    r"|(?:request|claim|authorization|review|case) (?:is|remains|has been) (?:pending|pended|on hold)"
    r"|additional information (?:is )?(?:needed|required|requested)|information (?:we|that we) need")
# A letter's subject line (or its title) that names a peer-to-peer offer.
_PEER_SUBJECT = re.compile(r"(?i)\s*(?:re|subject)\s*:\s*(?:\w+ ){0,3}peer[- ]to[- ]peer\b|\s*(?:notice of )?peer[- ]to[- ]peer "
                           r"(?:review |conversation |discussion |call )?(?:opportunity|offer|available)\b")
_PEER_TO_PEER = re.compile(r"(?i)\bpeer[- ]to[- ]peer\b|\bdoctor[- ]to[- ]doctor\b|\bspeak (?:directly )?with (?:our|the|a) "
                           r"(?:physician |medical |clinical )?reviewer")
_NOT_DECIDED = re.compile(
    r"(?i)(?:have|has) not (?:yet )?(?:made|reached|issued) (?:a|our|the) (?:final )?(?:decision|determination)"
    r"|before (?:we|the plan) (?:make|makes|issue|issues|reach|reaches) (?:a|our|its|the) (?:final )?(?:decision|determination)"
    r"|no (?:final )?(?:decision|determination) (?:has been|was|is) (?:made|issued)"
    r"|(?:request|claim|authorization|review|case) (?:is|remains|has been) (?:pending|pended|on hold)"
    r"|(?:decision|determination) (?:has|have) not (?:yet )?been (?:made|issued|reached)|\bpending (?:adverse|denial)\b"
    r"|before (?:a|the|any) (?:final )?(?:decision|determination) is (?:made|issued|reached)"
    r"|(?:not|no) (?:a )?(?:denial|final decision)\b|intends? to deny")
# A decision still to come, said only as a possibility ('may be denied'): weaker than the words above.
_MAY_BE_DECIDED = re.compile(r"(?i)(?:could|may|will) (?:not )?be (?:denied|approved)")

_FINAL = re.compile(r"(?i)\bfinal internal\b|\bfinal adverse\b|\b(?:this|it) is (?:our|the plan's|the) final"
                    r"|(?<!make a )(?<!make our )(?<!make the )(?<!reach a )(?<!issue a )(?<!send you a )(?<!send you our )"
                    r"(?<!receive a )(?<!receive our )(?<!get a )(?<!before the )(?<!before a )"  # one still to come
                    r"\bfinal (?:appeal |agency |plan )?(?:decision|determination) (?:on|of) (?:your|the|this) (?:appeal|grievance|claim|"
                    r"(?:reconsideration |redetermination )?request)"
                    r"|(?<!after )(?<!once )(?<!when )\byou have (?:now )?(?:exhausted|completed)"
                    r"|no further (?:internal )?appeals?|internal appeals? (?:process )?(?:has|have) (?:now )?been (?:completed|exhausted)")
_APPEAL_DECISION = re.compile(
    r"(?i)\b(?:(?:this|the) (?:is (?:the |our )?)?decision on (?:your|the) (?:appeal|grievance|request for reconsideration)"
    r"|(?:we|have) (?:reviewed|considered) (?:your|the) (?:first[- ]level |second[- ]level |level \w+ )?(?:appeal|grievance|request for reconsideration|redetermination request)"
    r"|(?:your|the) (?:first[- ]level |second[- ]level |level \w+ )?(?:appeal|grievance) (?:was|has been|is) (?:denied|upheld|not approved)"
    r"|(?:notice of|re:?|subject:?|this is (?:the|our)) (?:\w+ )?(?:reconsideration|redetermination|appeal)(?: (?:decision|determination|outcome|result))?"
    r"|^\W*(?:\w+ )?(?:appeal|grievance|reconsideration|redetermination) (?:decision |determination )?(?:decision|determination|outcome|result|notice)\W*$"
    r"|we (?:are not changing|will not change|did not change|have not changed|are not able to change|are unable to change"
    r"|cannot change|can not change) (?:our|the|this) (?:original |earlier |first |prior )?(?:decision|denial)"
    r"|\bdenial (?:is |was |has been )?(?:upheld|affirmed|sustained)\b"
    r"|\b(?:completed|made) (?:our|the|a|its) (?:redetermination|reconsideration)\b|\b(?:have|has) again denied\b"
    r"|\bwe (?:received|reviewed|looked at) your (?:request for (?:a |an )?)?(?:appeal|redetermination|reconsideration|grievance)"
    r"|\bwe (?:have |are )?(?:upheld|upholding|uphold)\b|\b(?:is|was|has been|were) upheld\b"
    r"|\b(?:of|is) the decision on your (?:\w+ )?(?:appeal|redetermination|reconsideration)\b|\bthe appeal decision is\b"
    r"|\bwe (?:have )?reconsidered (?:our|the|your)\b|\b(?:completed|finished) (?:our|the) review of your (?:request for "
    r"(?:a |an )?)?(?:appeal|redetermination|reconsideration|grievance))")
_CLAIM = re.compile(r"(?i)\bpost-?service\b|\bclaim (?:for|denial|was|has|is|number|#)|\b(?:denied|deny) (?:the |your )?(?:claim|payment)"
                    r"|\bpayment (?:for|of) (?:services|care|the)|\bwe will not pay\b|\bdate of service\b|\bbilled\b|\bamount billed\b")
_PRIOR_AUTH = re.compile(r"(?i)\bprior authori[sz]ation|\bpre-?service\b|\bpre-?certification|\bprecert|\bpre-?authori[sz]ation"
                         r"|\b(?:coverage|organization) determination\b|\brequest(?:ed)? (?:for )?(?:coverage|service)|\bbefore (?:you get|receiving) (?:the )?(?:care|service)")

# A heading or subject line that names the kind of decision: '(Post-Service Claim -- 29 C.F.R. ...)', 'RE: Adverse
# Benefit Determination - Pre-Service Request'.
_SAYS_CLAIM = re.compile(r"(?i)\bpost-?service claim\b")
_SAYS_PRIOR_AUTH = re.compile(r"(?i)(?:^|\W)(?:re|subject)\s*:.*\bpre-?service (?:request|claim|review)\b|^\W*pre-?service (?:request|claim)\b")

# A document that never says its decision but reads as a denial (a reason for denial, the appeal rights).
_DENIAL_SIGNS = re.compile(r"(?i)\breason for (?:the |this |our )?(?:denial|decision)|\bdenial reason\b|\bnot medically necessary\b"
                           r"|\bexperimental\b|\binvestigational\b|\bexcluded\b|\bnot a covered\b|\b(?:how|your right) to appeal\b"
                           r"|\bappeal rights\b|\bwhy we denied\b")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the notice: `begin` is where it starts in its paragraph (lines joined with spaces), and
    `starts` where each of the paragraph's lines starts, so any word can be traced to its line."""

    text: str
    begin: int
    starts: tuple[tuple[int, Line], ...]

    def line_at(self, offset: int) -> Line:
        """The line holding the sentence's character at `offset`."""
        return [line for start, line in self.starts if start <= self.begin + offset][-1]


# A sentence runs to a '.', '!' or '?' (and a closing bracket or quote) followed by a space or the paragraph's end;
# the dots of 'P.O. Box' or '1.5 mg' do not end it.
_SENTENCE = re.compile(r"(?:[^.!?]|[.!?]+(?![\"')\]]*(?:\s|$)))+(?:[.!?]+[\"')\]]*)?")


def sentences(lines: list[Line]) -> list[Sentence]:
    """The notice's sentences: consecutive non-empty lines joined, then cut after '.', '!' or '?'."""
    found: list[Sentence] = []
    text, starts = "", []
    for line in [*lines, Line(0, "")]:
        if line.text.strip():
            joint = "" if not text or re.search(r"[A-Za-z]-$", text) else " "  # out-of-|network: no space
            starts.append((len(text) + len(joint), line))
            text = f"{text}{joint}{line.text.strip()}"
            continue
        for match in _SENTENCE.finditer(text):
            if match.group().strip():
                found.append(Sentence(match.group(), match.start(), tuple(starts)))
        text, starts = "", []
    return found


# 'a diagnosis for which the drug is approved': a clause about something else than this document's request.
_RELATIVE = re.compile(r"(?i)\b(?:for|in|of|to) which\b[^,;:.]*$")

# 'no request to extend it was approved': a 'no' or 'not' earlier in the clause turns the words round.
_NEGATED = re.compile(r"(?i)\b(?:no|not|never|nothing)\b[^,;:.]*$")


# 'within 4 months after our final internal decision', 'from the date of the final adverse determination': a
# decision still to come, named in the next step's deadline.
_LATER = re.compile(r"(?i)(?:\b(?:after|from|following|upon|once|until)\s+(?:you (?:receive|get) )?(?:receipt of )?|\bdate of\s+|"
                    r"\b(?:days|months) of\s+|"
                    r"\breceiv(?:e|ing)\s+|\breceipt of\s+)(?:the |our |a |its |the plan's )?$")


def _hits(pattern: re.Pattern[str], said: list[Sentence], negatable: bool = False,
          later: bool = False, relative: bool = False) -> list[tuple[Sentence, Line]]:
    """Sentences where the pattern says something about this document (not after an 'if' or before a 'may be'; for
    `negatable` words, not after a 'no'; for `later` words, not a decision still to come; for `relative` words, not
    in a clause about something else, 'for which the drug is approved'), each with the line the words are on."""
    found = []
    for sentence in said:
        for match in pattern.finditer(sentence.text):
            before = sentence.text[: match.start()][-100:]
            if _CONDITIONAL.search(before) or negatable and _NEGATED.search(before) or later and _LATER.search(before) \
                    or relative and _RELATIVE.search(before):
                continue
            found.append((sentence, sentence.line_at(match.start())))
            break
    return found


def classify(lines: list[Line]) -> DocumentKind | None:
    """The document's type from its words, with the line that shows it; None when nothing says what it is."""
    said = sentences(lines)
    if not said:
        return None
    eob = next((line for line in lines if _NOT_A_BILL.search(line.text) or _EOB_TITLE.match(line.text)), None)
    if eob is not None:
        denied = [(s, line) for s, line in _hits(_EOB_DENIED, said)
                  if not re.search(r"\S {2,}\S.* {2,}\S", line.text) or re.search(r"\d", line.text)]  # not a header
        denied = [(s, line) for s, line in denied
                  if not re.search(r"(?i)appeal|if you (?:dis)?agree", s.text)
                  or re.search(r"(?i)\bthe denied (?:lines?|services?|charges?|items?|amounts?)\b", s.text)]
        answer = next((line for line in lines if _NOT_ALL_APPROVED.search(line.text)), None)
        if denied or answer is not None:
            return DocumentKind(DocumentType.eob_denied, denied[0][1] if denied else answer)
        return DocumentKind(DocumentType.eob_paid, eob)
    denied, approved = _hits(_DENIED, said), _hits(_APPROVED, said, negatable=True, relative=True)
    partial = _hits(_PARTIAL, said)
    stated = _hits(_NOT_DECIDED, said)
    undecided = stated + _hits(_MAY_BE_DECIDED, said)
    more, peer = _hits(_ASKS_FOR_MORE, said), _hits(_PEER_TO_PEER, said)
    if stated and (more or peer) and not partial:  # 'This is not a denial. Additional information requested'
        if more and (not peer or more[0][1].number <= peer[0][1].number):
            return DocumentKind(DocumentType.request_for_information, more[0][1])
        return DocumentKind(DocumentType.peer_to_peer_offer, peer[0][1])
    if partial or (approved and denied and not undecided):
        line = (partial or approved)[0][1]
        return DocumentKind(DocumentType.partial_approval, line, certain=bool(partial),
                            why="" if partial else N_("the notice speaks both of an approval and of a denial"))
    if approved and not denied:
        return DocumentKind(DocumentType.approval, approved[0][1])
    if (more or peer) and (undecided or not denied):
        unsure = "" if undecided or not denied else N_("the notice also uses the word denied")
        if more and (not peer or more[0][1].number <= peer[0][1].number):
            return DocumentKind(DocumentType.request_for_information, more[0][1], not unsure, unsure)
        return DocumentKind(DocumentType.peer_to_peer_offer, peer[0][1], not unsure, unsure)
    subject = next((line for line in lines[:30] if _PEER_SUBJECT.match(line.text)), None)
    if subject is not None and peer:  # 'RE: Peer-to-Peer Review Opportunity': the letter says what it is
        return DocumentKind(DocumentType.peer_to_peer_offer, subject, not denied,
                            N_("the notice also speaks of a denial; its reasons are in a letter of their own") if denied else "")
    if denied:
        return _denial(denied[0][1], said, certain=True)
    signs = _hits(_DENIAL_SIGNS, said)
    if signs:
        return _denial(signs[0][1], said, certain=False,
                       why=N_("the notice does not say 'denied' in so many words; it gives a reason and appeal rights"))
    return None


def _denial(line: Line, said: list[Sentence], *, certain: bool, why: str = "") -> DocumentKind:
    """Which denial: a final internal one, an appeal's decision, a claim's, or a prior authorization's."""
    for pattern, kind in ((_FINAL, DocumentType.final_internal_denial),
                          (_APPEAL_DECISION, DocumentType.denial_appeal_decision)):
        hits = _hits(pattern, said, later=True)
        if hits:
            return DocumentKind(kind, hits[0][1], certain, why)
    for heading in (start for sentence in said[:25] for _, start in sentence.starts):  # the heading says which
        if _SAYS_CLAIM.search(heading.text):  # (the line shown stays the one that says it was denied)
            return DocumentKind(DocumentType.denial_claim, line, certain, why)
        if _SAYS_PRIOR_AUTH.search(heading.text):
            return DocumentKind(DocumentType.denial_prior_authorization, line, certain, why)
    claim, before = _hits(_CLAIM, said), _hits(_PRIOR_AUTH, said)
    if claim and (not before or len(claim) > len(before)):
        return DocumentKind(DocumentType.denial_claim, line, certain, why)
    return DocumentKind(DocumentType.denial_prior_authorization, line, certain, why)
