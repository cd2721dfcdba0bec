"""Scheduled failures for the fake KoBo server (throttling, 5xx pages, slow, broken bodies)."""

import threading
from dataclasses import dataclass

KINDS = frozenset({"429", "500", "502", "503", "504", "slow", "truncated", "reset"})

# What nginx in front of kpi answers when uWSGI is too slow or down (kobo-api.md §1).
NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
# Django's plain 500 page when DEBUG is off: HTML, not DRF JSON.
SERVER_ERROR_PAGE = (
    '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n'
    "</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)
REASONS = {
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Temporarily Unavailable",
    "504": "Gateway Time-out",
}


@dataclass
class Fault:
    kind: str
    path_contains: str
    remaining: int
    retry_after: int
    seconds: float


class FaultInjector:
    """Faults applied, in the order added, to the next matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.injected = 0

    def add(
        self,
        kind: str,
        *,
        path_contains: str = "",
        times: int = 1,
        retry_after: int = 1,
        seconds: float = 2.0,
    ) -> None:
        """Fail the next `times` requests whose path (with query) contains `path_contains`.

        `retry_after` is the Retry-After header of 429/503 (0 omits it); `seconds` is how long
        a "slow" request sleeps before answering normally.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(Fault(kind, path_contains, times, retry_after, seconds))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if any, consuming one of its `times`."""
        with self._lock:
            for fault in self._faults:
                if fault.path_contains in path:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    self.injected += 1
                    return fault
        return None
