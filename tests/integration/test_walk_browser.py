"""Every role's main pages in Chromium, at 1366x768 and 390x844, in English and Russian.

Each test loads the demo round (synced from the bundled KoBo server, validated, one interview
returned to its enumerator), logs its role in, and opens each of the role's pages at both sizes
in both languages; every visit must pass the rules in tests/integration/walk.py: no sideways
overflow, no overlapping boxes, no serious or critical axe-core violation. With MTM_SCREENSHOTS
set to a folder, each visit also leaves a PNG there (`make screenshots`).
"""

import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration import walk

# Pages other engineers are redesigning (review queue and screen, dashboards, the admin home's
# team progress, the correction-task admin): walked the same way, reported in their own test.
OWN = {"anonymous": "the log-in pages", "enumerator": "/my/", "manager": "set-up and imports"}


def _walk(live_server: Any, pages: list[walk.WalkPage], *, with_data: bool = True) -> list[str]:
    site = walk.build_site() if with_data else walk.Site("", "", "", 0, 0, 0)
    shots = os.environ.get("MTM_SCREENSHOTS")
    failures: list[str] = []
    with walk.browser() as chromium:
        states = walk.log_in_states(chromium, live_server.url, site, {p.role for p in pages})
        for page in pages:
            for size in walk.SIZES:
                for language in walk.LANGUAGES:
                    done = walk.visit(
                        chromium,
                        live_server.url,
                        site,
                        page,
                        states[page.role],
                        size=size,
                        language=language,
                        screenshot_dir=Path(shots) if shots else None,
                    )
                    failures += [f"{done.label}: {problem}" for problem in done.problems]
    return failures


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(OWN))
def test_each_page_of_the_role_fits_both_sizes_with_no_overlap_or_serious_axe_violation(
    live_server: Any, role: str
) -> None:
    pages = [p for p in walk.PAGES if p.role == role and not p.owner]
    failures = _walk(live_server, pages, with_data=role != "anonymous")
    assert failures == [], "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_and_dashboard_pages_fit_both_sizes_with_no_overlap_or_serious_axe_violation(
    live_server: Any,
) -> None:
    pages = [p for p in walk.PAGES if p.owner]
    failures = _walk(live_server, pages)
    assert failures == [], "\n".join(failures)
