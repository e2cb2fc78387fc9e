"""The record of every appeal sent: the SQLite store (store), where each appeal stands and what comes next
(status), its wording for people, JSON and calendars (text), and recording a sent letter for any front end
(record).

Imports: letters, rules, cases, base."""
