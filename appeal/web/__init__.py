"""The browser front end, `appeal web`: the server, its guard and routes (app), one handler a page (pages), the
engine's questions grouped into pages (flow), and the templates, script and stylesheet (assets/).

Imports: intake, output, tracking and everything below them; never the terminal."""
