"""Wait for a condition with a deadline, instead of sleeping a fixed time and hoping."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    timeout: float,
    message: str,
    *,
    interval: float = 0.05,
    detail: Callable[[], str] | None = None,
) -> T:
    """Return condition()'s first truthy value; fail with `message` once `timeout` s pass.

    The condition is asked once more at the deadline, so a slow poll never loses a late truth.
    `detail` adds context to the failure (a worker's log, say).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            extra = f"\n{detail()}" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout:g}s: {message}{extra}")
        time.sleep(interval)
