"""The case: the pydantic model every other room reads (case), the formats people type (fields), field paths
(case_paths), case files and CSV rows (casefile, csv_cases), ICD-10 and billing codes (icd10, codes), rating
scales (scales), plan types as data (plan_types), what weakens a case (checks) and the bundled examples.

Imports: base only."""
