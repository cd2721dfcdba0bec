"""Errors raised by the KoBo client and payload parsing; messages never carry tokens or answers."""


class KoboError(Exception):
    """Anything that went wrong talking to KoBo."""


class KoboUnavailableError(KoboError):
    """KoBo is overloaded, down or unreachable (429, 5xx, timeouts, broken bodies): retry later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class KoboAuthError(KoboError):
    """KoBo rejected the token (401) or the action (403): permanent until someone fixes access."""


class KoboNotFoundError(KoboError):
    """KoBo has no such object, or hides it from this token (kobo-api.md §1: 404, not 403)."""


class KoboRejectedError(KoboError):
    """KoBo refused the request as made (400, 405, 409...): sending it again will not help."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class MalformedPayloadError(KoboError):
    """A KoBo response (or one submission in it) does not have the shape we rely on."""
