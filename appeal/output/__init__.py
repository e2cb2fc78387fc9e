"""What goes out besides the .docx: the fax or mail packet (packet), the signature on the letter (signature) and
the LibreOffice conversion the packet uses (pdf_convert), and one LibreOffice kept running for many conversions
(office_server, with office_bridge, the program it runs under LibreOffice's Python).

Imports: letters, rules, cases, base."""
