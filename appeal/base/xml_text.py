"""Text a Word document can hold: XML 1.0 forbids most control characters (a pasted NUL, an escape code) and lone
surrogates, and Word refuses a document holding one, so every typed text is cleaned here before it is written
into a .docx (the letter, Attachment A, the next-steps sheet).
"""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (Word refuses a document holding them). Tab, newline and carriage return are allowed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML forbids; every other character is kept."""
    return _XML_FORBIDDEN.sub("", text)
