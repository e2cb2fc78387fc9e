"""The browser front end, `appeal web`: the server, its guard and routes (app), one handler a page (pages), the
engine's questions grouped into pages (flow), the page on disk the browser is opened on (opener), posted files
read as they arrive (uploads), and the templates, script and stylesheet (assets/).

Imports: intake, output, tracking and everything below them; never the terminal."""
