"""The one exception type for a user's mistake: the CLI prints it on one line and exits 1."""


class KbError(Exception):
    """Bad input or a bad request. `where` names the file and line or record."""

    def __init__(self, message: str, where: str | None = None):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
