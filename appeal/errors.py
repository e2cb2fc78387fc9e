"""The one exception a user should ever see: a plain message, exit status 2, never a traceback."""


class UserError(Exception):
    """Something the person can fix (a file, a field, an option). The message names it and says what is wrong."""

    exit_status = 2
