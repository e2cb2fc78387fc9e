"""The ground floor: what every room uses and nothing of ours is needed for: the one user-facing error and its
wording (errors), bounded reading of the files people give (loader), atomic owner-only writes (safe_write), the
user's folders (folders), the bundled data (resources), what is kept between runs in the user's cache
(disk_cache), opening photos (images), XML-safe text (xml_text), control characters refused and never printed
(control_chars) and a processor-time bound on work done on a user's file (time_bound).

Imports: the standard library and third-party packages only, never another room."""
