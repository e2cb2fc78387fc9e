"""From a case to a rendered letter: kinds as data (kinds), the step a letter starts and the rules it cites
(letter_rules), everything a template prints (letter_plan), a kind's sentences rendered in the sandbox
(kind_sentences), what a letter reads (goals, reads), the sandboxed templates (sandbox, render_env, render_views,
template_package, template_places, template_fields, template_tools), the renderer (render), Attachment A
(appendix), the score chart, drafting a .docx (draft) with the mark that tells an edited one later (written_mark), and the checks a letter runs on itself: its enclosures
(enclosure_check) and its spelling (proofread).

Imports: rules, cases, base."""
