"""What goes out besides the .docx: the fax or mail packet (packet) and the LibreOffice conversion it uses
(pdf_convert).

Imports: letters, rules, cases, base."""
