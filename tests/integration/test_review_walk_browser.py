"""The review pages (home, queue, screen) in Chromium at 1366x768 and 390x844, EN and RU.

The same rules as the walk (tests/integration/walk.py: no sideways overflow, no overlapping
boxes, no serious or critical axe violation), plus what the review pages promise: the queue's
every column is visible at 1366 px without scrolling sideways, and the screen reads in the
chosen language. Screenshots are kept in test-artifacts/review-walk/.
"""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.integration import walk

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "review-walk"
_COLUMNS_FIT = """() => {
  const table = document.querySelector('#result_list');
  const box = table.closest('.results') || table.parentElement;
  return {table: Math.ceil(table.getBoundingClientRect().width), room: box.clientWidth,
          heads: [...table.querySelectorAll('thead th')].map(th => th.innerText.trim())};
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_pages_fit_both_sizes_in_both_languages(live_server: Any) -> None:
    site = walk.build_site()
    pages = [p for p in walk.PAGES if p.owner == "review"]
    assert {p.name for p in pages} == {"home", "queue", "review"}
    failures: list[str] = []
    with walk.browser() as chromium:
        states = walk.log_in_states(chromium, live_server.url, site, {"supervisor"})
        for page in pages:
            for size in walk.SIZES:
                for language in walk.LANGUAGES:
                    done = walk.visit(
                        chromium,
                        live_server.url,
                        site,
                        page,
                        states["supervisor"],
                        size=size,
                        language=language,
                        screenshot_dir=SHOTS,
                    )
                    failures += [f"{done.label}: {problem}" for problem in done.problems]
        # At 1366 px the queue's table fits beside the filters: nothing hidden to the right.
        for language, heads in (("en", "CHECKS THAT FIRED"), ("ru", "СРАБОТАВШИЕ ПРОВЕРКИ")):
            context = chromium.new_context(viewport={"width": 1366, "height": 768})
            context.add_cookies(
                [
                    *states["supervisor"]["cookies"],
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    },
                ]
            )
            tab = context.new_page()
            tab.goto(f"{live_server.url}/admin/validation/interviewreview/")
            fit = tab.evaluate(_COLUMNS_FIT)
            assert fit["table"] <= fit["room"], (language, fit)
            assert heads in fit["heads"], fit["heads"]
            tab.goto(f"{live_server.url}/admin/review/{site.interview}/")
            assert tab.get_attribute("html", "lang") == language
            context.close()
    assert failures == [], "\n".join(failures)
