"""The enumerator's task page on a phone-sized Chromium: log in, read, press "fixed", screenshot."""

from typing import Any

import pytest

from tests import factories
from tests.integration import browser
from tests.integration import corrections_world as cw
from validation import review
from validation.models import CorrectionTask

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_task_page_on_a_phone(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world = cw.build()
    review.return_to_enumerator(
        submission=world.submission,
        actor=world.supervisor,
        comment="The respondent said 30 %, please check.",
        questions=[cw.REMIT],
    )
    task = CorrectionTask.objects.get(submission=world.submission)
    user = factories.user_of(world.enumerator)
    browser.give_password(user)
    with browser.chromium(
        live_server.url, monkeypatch, viewport=PHONE, device_scale_factor=2, is_mobile=True
    ) as (tab, outside):
        tab.goto(f"{live_server.url}/my/tasks/{task.pk}/")
        assert "/my/login/" in tab.url
        browser.log_in(tab, user.username, submit="button[type=submit]")
        tab.wait_for_selector("text=Re-ask these questions")
        body = tab.inner_text("main")
        assert "Interview #4101" in body
        assert "What share of your income do you send home (%)?" in body
        assert "Your answer: 140" in body
        assert "The form says: Between 0 and 100, within the band chosen above" in body
        assert ". <= 100" not in body
        assert "The respondent said 30 %, please check." in body
        link = tab.locator("a", has_text="Open the interview in KoBo")
        assert link.get_attribute("href") == task.edit_url
        # Fits a phone: no sideways scrolling, buttons wide enough for a thumb.
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        button = tab.locator("button", has_text="I have fixed it in KoBo")
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        assert box["width"] >= 300
        tab.screenshot(path=str(browser.SHOTS / "correction-task.png"), full_page=True)
        button.click()
        tab.wait_for_selector("text=We will check the interview at the next sync")
        # In Russian, from the header's language switch.
        tab.click("button[value=ru]")
        tab.wait_for_selector("text=Переспросите эти вопросы")
        assert "Какую долю дохода вы отправляете домой (%)?" in tab.inner_text("main")
        tab.screenshot(path=str(browser.SHOTS / "correction-task-ru.png"), full_page=True)
    assert outside == []
    assert CorrectionTask.objects.get(pk=task.pk).state == CorrectionTask.State.SUBMITTED
    assert (browser.SHOTS / "correction-task.png").stat().st_size > 10_000
