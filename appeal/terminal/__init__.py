"""The terminal front end: the questionary loop over the intake engine (questionnaire) and the import's confirm
screen (notice_confirm). It prints; the engine below it never does.

Imports: intake, output, tracking and everything below them."""
