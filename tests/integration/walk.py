"""Each role's main pages in Chromium: the demo site, the pages, and what a page must pass.

Shared by the browser walk (tests/integration/test_walk_browser.py) and `make screenshots`.
A page passes when, at 1366x768 and 390x844, in English and Russian:

- nothing overflows sideways: the document is no wider than the window
  (``documentElement.scrollWidth <= innerWidth``; a wide table may scroll inside its own box);
- no two boxes overlap: in the page's main content (the admin's ``#content``, ``main`` on /my/),
  no two visible sibling elements of the normal flow (block-level or inline-block: headings,
  paragraphs, forms, buttons, tables, charts, cards) intersect by more than 1 px. Tables are
  checked as one box (cells lay out by the table's own rules), as are SVG and canvas; elements
  taken out of the flow on purpose (absolute, fixed, sticky: tooltips, sticky headers) and
  inline text are left out;
- axe-core (npm, pinned in package.json) finds no serious or critical violation.
"""

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
LANGUAGES = ("en", "ru")
PASSWORD = "mtm-demo-2024"  # the demo users' password (demo/round.py)
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# The overflow and overlap rules above, run in the page; returns one line per problem.
_LAYOUT_JS = (Path(__file__).parent / "walk_layout.js").read_text(encoding="utf-8")

_AXE_JS = """async () => {
  const found = await axe.run(document, {resultTypes: ['violations']});
  return found.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `axe ${v.impact} ${v.id}: ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@dataclass(frozen=True)
class Site:
    """The demo data the walk needs: who logs in and the ids in the pages' addresses."""

    enumerator: str
    supervisor: str
    manager: str
    task_id: int
    submission_id: int
    round_id: int
    interview: int = 0  # the interview's public number (KoBo ID), as the review screen's address


@dataclass(frozen=True)
class WalkPage:
    """One main page of a role: its address (from the site) and what to do once there."""

    role: str  # anonymous, enumerator, supervisor, manager
    name: str
    path: Callable[[Site], str]
    ready: str = "body"  # a selector that shows the page is there
    act: Callable[["Page"], None] | None = None  # e.g. upload a file with errors
    owner: str = ""  # pages others are redesigning (their results are reported, not fixed here)


def _upload_bad_quotas(tab: "Page") -> None:
    """A quota file with two bad lines, so the import page shows its error list."""
    text = "round,location,sex,target\n3,KZ-ALA,female,5\n3,Atlantis,female,5\n3,KZ-AST,male,lots\n"
    tab.set_input_files(
        "#id_import_file",
        {"name": "quotas.csv", "mimeType": "text/csv", "buffer": text.encode()},
    )
    tab.select_option("#id_format", value="0")  # CSV (the first choice is "---")
    tab.click("input[type=submit].default")
    tab.wait_for_selector("#import-problems")


def _issue_token(tab: "Page") -> None:
    """Issue a token, so the page shows a new key once, as a user sees it after the click."""
    tab.click("button.primary[type=submit]")  # not the header's log-out button
    tab.wait_for_selector("#new-token")


PAGES: tuple[WalkPage, ...] = (
    WalkPage("anonymous", "admin-login", lambda s: "/admin/login/", "#login-form"),
    WalkPage("anonymous", "my-login", lambda s: "/my/login/", "#id_username"),
    WalkPage("enumerator", "tasks", lambda s: "/my/", "main h2"),
    WalkPage("enumerator", "task", lambda s: f"/my/tasks/{s.task_id}/", "main .card"),
    WalkPage("enumerator", "token", lambda s: "/my/api-token/", "main form", _issue_token),
    WalkPage("supervisor", "home", lambda s: "/admin/", "#content", owner="review"),
    WalkPage(
        "supervisor",
        "queue",
        lambda s: "/admin/validation/interviewreview/",
        "#result_list",
        owner="review",
    ),
    WalkPage(
        "supervisor",
        "review",
        lambda s: f"/admin/review/{s.interview}/",
        "#findings",
        owner="review",
    ),
    WalkPage(
        "supervisor",
        "dashboard",
        lambda s: f"/admin/dashboards/rounds/{s.round_id}/",
        "#content",
        owner="dashboards",
    ),
    WalkPage("manager", "locations", lambda s: "/admin/surveys/location/", "#result_list"),
    WalkPage("manager", "quotas", lambda s: "/admin/surveys/quota/", "#result_list"),
    WalkPage(
        "manager",
        "import-errors",
        lambda s: "/admin/surveys/quota/import/",
        "form",
        _upload_bad_quotas,
    ),
    WalkPage(
        "manager",
        "corrections",
        lambda s: "/admin/validation/correctiontask/",
        "#result_list",
        owner="corrections admin",
    ),
    WalkPage("manager", "token", lambda s: "/admin/api-token/", "#content-main form", _issue_token),
)


def build_site() -> Site:
    """The demo round, synced and validated, with one interview returned to its enumerator."""
    from django.core.management import call_command

    from surveys.models import Submission
    from validation.review import return_to_enumerator

    kobo_url = settings.KOBO_URL
    try:
        call_command("run_demo", no_serve=True, submissions=80, kobo_port=0, stdout=io.StringIO())
    finally:
        settings.KOBO_URL = kobo_url  # run_demo points it at its own server, now stopped
    returned = (
        Submission.objects.filter(flags__path__contains="/", enumerator__user__isnull=False)
        .exclude(enumerator__team__supervisor=None)
        .select_related("enumerator__team__supervisor", "enumerator__user")
        .order_by("pk")
        .first()
    )
    assert returned is not None, "the demo made no flagged interview"
    team = returned.enumerator.team  # type: ignore[union-attr]
    supervisor = team.supervisor  # type: ignore[union-attr]
    assert supervisor is not None
    assert returned.form.round_id is not None
    flags = returned.flags.filter(path__contains="/")  # type: ignore[attr-defined]
    return_to_enumerator(
        submission=returned,
        actor=supervisor,
        comment="Please re-ask these questions.",
        questions=sorted(set(flags.values_list("path", flat=True)))[:2],  # real questions
    )
    shown = (
        Submission.objects.filter(flags__isnull=False, enumerator__team=team)
        .exclude(pk=returned.pk)
        .order_by("pk")
        .first()
    )
    manager = get_user_model().objects.get(username="manager")
    return Site(
        enumerator=returned.enumerator.user.get_username(),  # type: ignore[union-attr]
        supervisor=supervisor.get_username(),
        manager=manager.get_username(),
        task_id=returned.correction_tasks.get().pk,  # type: ignore[attr-defined]
        submission_id=(shown or returned).pk,
        round_id=returned.form.round_id,
        interview=(shown or returned).kobo_id,
    )


@contextmanager
def browser() -> Iterator["Browser"]:
    """Debian's Chromium (Playwright never downloads one here)."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares this thread
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def log_in_states(
    chromium: "Browser", base_url: str, site: Site, roles: set[str]
) -> dict[str, Any]:
    """Each role's cookies after logging in once through the page its users use."""
    states: dict[str, Any] = {"anonymous": {"cookies": [], "origins": []}}
    logins = {
        "enumerator": (site.enumerator, "/my/login/", "button[type=submit]"),
        "supervisor": (site.supervisor, "/admin/login/", "input[type=submit]"),
        "manager": (site.manager, "/admin/login/", "input[type=submit]"),
    }
    for role, (username, path, submit) in logins.items():
        if role not in roles:
            continue
        context = chromium.new_context()
        tab = context.new_page()
        tab.goto(base_url + path)
        tab.fill("#id_username", username)
        tab.fill("#id_password", PASSWORD)
        tab.click(submit)
        tab.wait_for_load_state()
        assert "/login/" not in tab.url, f"{username} could not log in ({tab.url})"
        states[role] = context.storage_state()
        context.close()
    return states


@dataclass
class Visit:
    """One page at one size in one language: its problems (empty: it passes)."""

    page: WalkPage
    size: str
    language: str
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.page.role}-{self.page.name}-{self.size}-{self.language}"


def visit(
    chromium: "Browser",
    base_url: str,
    site: Site,
    page: WalkPage,
    state: Any,
    *,
    size: str,
    language: str,
    screenshot_dir: Path | None = None,
) -> Visit:
    """Open the page as its role, check it, and (optionally) keep a screenshot of the window."""
    cookies = [c for c in state["cookies"] if c["name"] != settings.LANGUAGE_COOKIE_NAME]
    cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url})
    context = chromium.new_context(
        viewport=SIZES[size],  # type: ignore[arg-type]
        locale="ru-RU" if language == "ru" else "en-GB",
        bypass_csp=True,  # lets the test add axe's script; the page's own CSP is tested elsewhere
    )
    context.add_cookies(cookies)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    result = Visit(page, size, language)
    try:
        response = tab.goto(base_url + page.path(site))
        assert response is not None
        if response.status >= 400:
            result.problems.append(f"HTTP {response.status} at {tab.url}")
            return result
        tab.wait_for_selector(page.ready)
        if page.act is not None:
            page.act(tab)
        tab.wait_for_load_state("networkidle")
        result.problems += tab.evaluate(_LAYOUT_JS)
        tab.add_script_tag(path=str(AXE))
        result.problems += tab.evaluate(_AXE_JS)
        if outside:
            result.problems.append(f"requests off the machine: {outside[:3]}")
        if screenshot_dir is not None:
            screenshot_dir.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(screenshot_dir / f"{result.label}.png"))
    finally:
        context.close()
    return result
