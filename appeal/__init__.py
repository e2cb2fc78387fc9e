"""appeal: draft prior-authorization requests and insurance appeal letters as editable Word documents."""

import os

__version__ = "0.1.0"

# Pydantic would load every plugin any installed package registers for it, and a plugin sees each value validated:
# every case, that is, health information and all (observability plugins exist to send such data elsewhere).
# None is loaded, whatever else is installed; and not looking for them spares every command the scan of all
# installed packages' metadata (about 40 ms of each start).
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
