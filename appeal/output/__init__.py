"""What goes out besides the .docx: the fax or mail packet (packet), the signature on the letter (signature) and
the LibreOffice conversion the packet uses (pdf_convert).

Imports: letters, rules, cases, base."""
