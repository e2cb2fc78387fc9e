"""Getting the facts in, with no screen: the questions as data (questions), the screen-free engine that says what
to ask next, checks an answer and saves it (engine), the drafts on disk (drafts), numbers typed in words
(number_words), the finished case kept beside its letter (beside_letter), and reading a denial notice (notice_text,
every page within bounds; photo, a page's picture cleaned up; ocr, Tesseract and what it could not read;
notice_import; what the document is, notice_kind; its time limits and which is the appeal deadline,
notice_windows). The terminal and the browser are two thin front ends over the engine.

Imports: letters (what the chosen letter reads), rules, cases, base."""
