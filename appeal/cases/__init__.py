"""The case: the pydantic model every other room reads (case), the formats people type (fields), field paths
(case_paths), case files and CSV rows (casefile, csv_cases), ICD-10 and billing codes (icd10, codes), rating
scales (scales), plan types, conditions and states as data (plan_types, conditions, states), what weakens a case (checks), text
that reads as someone else's note (voice) and the bundled examples.

Imports: base only."""
