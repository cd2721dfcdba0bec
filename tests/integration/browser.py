"""Debian's Chromium through Playwright against the live server: loopback only, screenshots kept."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "pass-Mtm-2024"
SHOTS = Path(settings.BASE_DIR) / "test-artifacts"


def give_password(user: AbstractBaseUser) -> None:
    """Let the user log in through the form; do it before the browser opens (ORM, no loop)."""
    user.set_password(PASSWORD)
    user.save()


@contextmanager
def chromium(
    live_server_url: str, monkeypatch: pytest.MonkeyPatch, **page_options: Any
) -> Iterator[tuple["Page", list[str]]]:
    """Yield a tab and the list of requests it tried to send off the machine (all blocked)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM work is done before.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    outside: list[str] = []
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tab = browser.new_page(**page_options)

        def only_local(route: Any) -> None:
            if route.request.url.startswith(live_server_url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        tab.route("**/*", only_local)
        yield tab, outside
        browser.close()


def log_in(tab: "Page", username: str, *, submit: str = "input[type=submit]") -> None:
    """Fill the login form the tab is on (admin's by default) and send it."""
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    tab.click(submit)
