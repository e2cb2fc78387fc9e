"""One module a command group, as pipx does: each adds its own parser and holds its command bodies (draft,
notice, web, reports, packet, library, templates, track, batch). `appeal.cli` builds the parser from them and
dispatches. At import they load only the standard library, so `appeal --help` answers at once.

Imports: any room below (terminal, web, tracking, output, intake, letters, rules, cases, base)."""
