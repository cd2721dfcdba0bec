"""DomainError: the base of every error the apps raise on purpose."""


class DomainError(Exception):
    """A refused operation with a message fit for the user and a stable code."""

    code = "domain_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
