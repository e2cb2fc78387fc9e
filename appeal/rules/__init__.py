"""What the law and the evidence say about a case: the cited rules (rule_book), the dispute's steps per plan type
(dispute), deadlines, regulators, the clinical facts (clinical), how a treatment is given safely (administration),
the payer criteria (readiness), the evidence library (evidence), a complaint's timeline (complaint) and the
next-steps sheet (next_steps).

Imports: cases and base. Nothing here knows a letter kind or a screen."""
