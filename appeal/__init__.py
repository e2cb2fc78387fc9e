"""appeal: draft prior-authorization requests and insurance appeal letters as editable Word documents."""

__version__ = "0.1.0"
