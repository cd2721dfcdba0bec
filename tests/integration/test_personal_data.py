"""Personal data: masked on the review screen until a logged reveal; never in clear in flags,
the cleaning log, the API or the admin; keyed hashes under a key of their own."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from demo.data.locations import CENTROIDS
from surveys.models import Location, Submission
from tests import factories
from tests.integration import round_data
from tests.integration.review_world import box
from validation import quality
from validation.engine.validate import validate_submission
from validation.models import AccessLog, CheckConfig, ExportJob, Flag
from validation.privacy import masking

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PHONE = "+77071234567"
LAT, LON = CENTROIDS["KZ-ALA-BOS"]
GPS = f"{LAT + 0.004321:.6f} {LON + 0.001234:.6f} 812 6"
EXACT_LAT = f"{LAT + 0.004321:.6f}"


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    for code in ("KZ-ALA-BOS", "KZ-ALA-MED"):
        Location.objects.filter(code=code).update(boundary=box(code))
    return rd


def client_for(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def interview(rd: round_data.RoundData, *, team: str = "a", **overrides: Any) -> Submission:
    district = "KZ-ALA-BOS" if team == "a" else "KZ-ALA-MED"
    data = round_data.answers(
        3,
        district,
        **{
            "wellbeing/followup_consent": "yes",
            "wellbeing/phone": PHONE,
            "wellbeing/gps": GPS,
            **overrides,
        },
    )
    sub = round_data.add(rd, data, team=team, status=Submission.ReviewStatus.RECEIVED, verdict=None)
    validate_submission(submission=sub)
    sub.refresh_from_db()
    return sub


@pytest.mark.parametrize(
    ("_case", "kind", "raw", "masked"),
    [
        ("kazakh mobile", masking.PHONE, "+77071234567", "+7 7** *** **67"),
        ("national format", masking.PHONE, "8 707 123 45 67", "8 7** *** **67"),
        ("uzbek mobile", masking.PHONE, "+998901234567", "+99 *** *** **67"),
        ("too short to show any", masking.PHONE, "12345", "***"),
        ("latin name", masking.NAME, "Alisher Karimov", "A*** K***"),
        ("cyrillic name", masking.NAME, "Шерзод Рахимов", "Ш*** Р***"),
        ("id number", masking.ID_NUMBER, "900101300123", "**********23"),
        ("gps to a kilometre", masking.GPS, "43.238949 76.889709 800 5", "43.24 76.89 (±1 km)"),
        ("anything else", masking.OTHER, "Flat 12, Abay street 5", "***"),
        ("masked already", masking.PHONE, "+7 7** *** **67", "+7 7** *** **67"),
        ("empty", masking.NAME, "", ""),
    ],
)
def test_masks(_case: str, kind: str, raw: str, masked: str) -> None:
    assert masking.mask(kind, raw) == masked


def test_the_demo_round_declares_phone_and_gps_and_a_map_can_add_more(
    rd: round_data.RoundData,
) -> None:
    default = masking.personal_data_for(form_id=rd.form.pk, round_id=rd.round.pk)
    assert default.kinds == {"wellbeing/phone": "phone", "wellbeing/gps": "gps"}
    CheckConfig.objects.create(
        round=rd.round,
        question_map={"personal_data": ["profile/full_name", "profile/passport_no"]},
    )
    declared = masking.personal_data_for(form_id=rd.form.pk, round_id=rd.round.pk)
    # The phone and gps roles stay personal whatever the list says.
    assert declared.kinds == {
        "profile/full_name": "name",
        "profile/passport_no": "id",
        "wellbeing/phone": "phone",
        "wellbeing/gps": "gps",
    }
    assert "group/children[2]/profile/full_name" in declared


def test_a_malformed_personal_data_list_is_refused(rd: round_data.RoundData) -> None:
    config = CheckConfig(round=rd.round, question_map={"personal_data": "wellbeing/phone"})
    with pytest.raises(ValidationError, match="personal_data must be a list"):
        config.full_clean()


def test_the_screen_masks_phone_and_gps_and_a_logged_reveal_shows_one(
    rd: round_data.RoundData,
) -> None:
    sub = interview(rd)
    client = client_for(rd.sup_a, csrf=True)
    html = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert PHONE not in html
    assert PHONE[-9:] not in html
    assert "+7 7** *** **67" in html
    assert EXACT_LAT not in html
    assert f"{LAT + 0.004321:.5f}" not in html
    assert f"about {LAT + 0.004321:.2f}" in html
    assert (
        html.count(f'action="/admin/review/{sub.kobo_id}/reveal/?form={sub.form_id}"') == 3
    )  # phone, gps, map

    # A reveal is a POST with the CSRF token: without it nothing is shown and nothing logged.
    refused = client.post(f"/admin/review/{sub.kobo_id}/reveal/", {"path": "wellbeing/phone"})
    assert refused.status_code == 403
    assert not AccessLog.objects.filter(action="reveal").exists()

    token = client.cookies["csrftoken"].value
    done = client.post(
        f"/admin/review/{sub.kobo_id}/reveal/",
        {"path": "wellbeing/phone", "csrfmiddlewaretoken": token},
    )
    assert done.status_code == 302
    row = AccessLog.objects.get(action="reveal")
    assert (row.actor_id, row.actor_name, row.submission_id, row.field, row.channel) == (
        rd.sup_a.pk,
        "sup_a",
        sub.pk,
        "wellbeing/phone",
        "review screen",
    )
    shown = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert PHONE in shown
    assert "revealed · logged" in shown
    assert EXACT_LAT not in shown  # only what was asked for
    # Shown once: reloading masks it again.
    again = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert PHONE not in again
    assert AccessLog.objects.filter(action="view", submission=sub).count() == 3


def test_revealing_the_gps_shows_the_exact_point_on_the_map(rd: round_data.RoundData) -> None:
    sub = interview(rd)
    client = client_for(rd.sup_a)
    client.post(f"/admin/review/{sub.kobo_id}/reveal/", {"path": "wellbeing/gps"})
    html = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert f"{LAT + 0.004321:.5f}" in html
    assert "±6 m" in html
    assert AccessLog.objects.get(action="reveal").field == "wellbeing/gps"


@pytest.mark.parametrize("_case", ["other team's supervisor", "enumerator", "not personal"])
def test_a_reveal_outside_scope_or_of_an_ordinary_answer_shows_and_logs_nothing(
    rd: round_data.RoundData, _case: str
) -> None:
    sub = interview(rd)
    path = "wellbeing/phone"
    if _case == "other team's supervisor":
        user, expected = rd.sup_b, 404
    elif _case == "enumerator":
        user = factories.enumerator_user(username="enum_user")
        expected = 302  # the admin's login page
    else:
        user, expected, path = rd.sup_a, 302, "screening/age"
    client = client_for(user)
    response = client.post(f"/admin/review/{sub.kobo_id}/reveal/", {"path": path})
    assert response.status_code == expected
    if _case == "enumerator":
        assert "/admin/login/" in response["Location"]
    assert not AccessLog.objects.filter(action="reveal").exists()
    if _case == "not personal":
        html = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
        assert "Only a personal-data answer can be revealed." in html
        assert PHONE not in html


def test_flags_never_quote_personal_answers(rd: round_data.RoundData) -> None:
    # The phone was given though no follow-up was agreed, and breaks the form's constraint.
    skipped = interview(rd, **{"wellbeing/followup_consent": "no"})
    broken = interview(rd, **{"wellbeing/phone": "+7707123456789999"})
    flags = list(Flag.objects.filter(submission__in=[skipped, broken], path="wellbeing/phone"))
    assert {f.check_code for f in flags} == {
        "skip_logic.not_relevant",
        "skip_logic.constraint_failed",
    }
    for flag in flags:
        stored = f"{flag.message} {flag.values}"
        assert PHONE not in stored, stored
        assert "7071234567" not in stored, stored
        assert "+7707123456789999" not in stored
        assert "707123456789999" not in stored
        assert "**" in stored  # the masked form is quoted instead
    api = APIClient()
    api.force_authenticate(rd.sup_a)
    body = api.get("/api/v1/flags/").content.decode()
    assert "7071234567" not in body
    assert "123456789999" not in body


def test_a_gps_flag_keeps_the_point_to_a_kilometre(rd: round_data.RoundData) -> None:
    far = f"{LAT + 0.2:.6f} {LON + 0.000123:.6f} 900 12"
    sub = interview(rd, **{"wellbeing/gps": far})
    quality.check_due()
    flag = Flag.objects.get(submission=sub, check_code="gps.outside_district")
    assert (flag.values["lat"], flag.values["lon"]) == (round(LAT + 0.2, 2), round(LON, 2))
    assert far.split()[0] not in flag.message


def test_the_cleaning_log_masks_personal_old_and_new_values(
    rd: round_data.RoundData, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MTM_EXPORT_DIR = tmp_path
    sub = interview(rd, **{"wellbeing/phone": "+7707123456789999"})
    sub.data["wellbeing/phone"] = "+77079876543"  # corrected in KoBo
    sub.save(update_fields=["data"])
    api = APIClient()
    api.force_authenticate(rd.manager)
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(
            "/api/v1/exports/", {"kind": "cleaning_log", "round": rd.round.pk}, format="json"
        ).json()
    body = api.get(f"/api/v1/exports/{job['id']}/download/").getvalue()
    text = body.decode("utf-8-sig")
    assert "707123456789999" not in text
    assert "7079876543" not in text
    row = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["question.name"] == "wellbeing/phone"
    )
    # (A leading "'" keeps "+..." text in a spreadsheet: the writers' formula guard.)
    assert (row["old.value"].lstrip("'"), row["new.value"].lstrip("'"), row["changed"]) == (
        "+77**** *** *** **99",
        "+7 7** *** **43",
        "yes",
    )
    assert ExportJob.objects.get().status == ExportJob.Status.DONE


def test_the_api_detail_masks_answers_and_logs_the_view(rd: round_data.RoundData) -> None:
    sub = interview(rd, _geolocation=[LAT + 0.004321, LON + 0.001234])
    api = APIClient()
    api.force_authenticate(rd.sup_a)
    listed = api.get("/api/v1/submissions/")
    assert listed.status_code == 200
    assert not AccessLog.objects.exists()  # a list shows no answers
    detail = api.get(f"/api/v1/submissions/{sub.pk}/").json()
    assert detail["data"]["wellbeing/phone"] == "+7 7** *** **67"
    assert detail["data"]["wellbeing/gps"] == f"{LAT + 0.004321:.2f} {LON + 0.001234:.2f} (±1 km)"
    assert detail["data"]["_geolocation"] == [round(LAT + 0.004321, 2), round(LON + 0.001234, 2)]
    assert detail["data"]["screening/age"] == sub.data["screening/age"]
    row = AccessLog.objects.get()
    assert (row.action, row.channel, row.submission_id, row.actor_id) == (
        "view",
        "api",
        sub.pk,
        rd.sup_a.pk,
    )
    assert api.get(f"/api/v1/submissions/{interview(rd, team='b').pk}/").status_code == 404
    assert AccessLog.objects.count() == 1


def test_the_admin_submission_page_masks_and_logs(rd: round_data.RoundData) -> None:
    sub = interview(rd)
    html = client_for(rd.manager).get(f"/admin/surveys/submission/{sub.pk}/change/")
    assert html.status_code == 200
    text = html.content.decode()
    assert PHONE not in text
    assert EXACT_LAT not in text
    assert "+7 7** *** **67" in text
    row = AccessLog.objects.get()
    assert (row.action, row.channel, row.submission_id) == ("view", "admin", sub.pk)


def test_keyed_hashes_use_their_own_key(settings: Any) -> None:
    settings.MTM_HASH_KEY = "k1" * 20
    first = quality.identifier_hash("phone", PHONE)
    settings.SECRET_KEY = "another-secret-key-" * 3
    assert quality.identifier_hash("phone", PHONE) == first  # SECRET_KEY plays no part
    settings.MTM_HASH_KEY = "k2" * 20
    assert quality.identifier_hash("phone", PHONE) not in (first, None)


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KOBO_", "MTM_"))}
    base = {
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "s" * 50,
        "DJANGO_ALLOWED_HOSTS": "mtm.example.org",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, **base, **env, "DJANGO_SETTINGS_MODULE": "mtm.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("_case", "env", "message"),
    [
        ("missing", {}, "MTM_HASH_KEY must be set"),
        ("too short", {"MTM_HASH_KEY": "short"}, "MTM_HASH_KEY must be set"),
        ("the secret key again", {"MTM_HASH_KEY": "s" * 50}, "MTM_HASH_KEY must differ"),
    ],
)
def test_production_needs_a_hash_key_of_its_own(
    _case: str, env: dict[str, str], message: str
) -> None:
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
    assert _load_settings(MTM_HASH_KEY="h" * 40).returncode == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_reveal_and_the_access_log_in_a_browser(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    from tests.integration import browser
    from tests.integration.test_review_screen_browser import ensure_role_groups

    ensure_role_groups()
    rd = round_data.build()
    Location.objects.filter(code="KZ-ALA-BOS").update(boundary=box("KZ-ALA-BOS"))
    sub = interview(rd)
    browser.give_password(rd.sup_a)
    browser.give_password(rd.manager)
    for width, height in ((1366, 768), (390, 844)):
        size = f"{width}x{height}"
        with browser.chromium(
            live_server.url,
            monkeypatch,
            viewport={"width": width, "height": height},
            locale="ru-RU" if lang == "ru" else "en-GB",
        ) as (tab, outside):
            tab.goto(
                f"{live_server.url}/admin/login/?next=/admin/review/{sub.kobo_id}/?lang={lang}"
            )
            browser.log_in(tab, "sup_a")
            tab.wait_for_selector("#place")
            assert PHONE not in tab.content()
            tab.locator("#q-wellbeing\\/phone").scroll_into_view_if_needed()
            tab.screenshot(path=str(browser.SHOTS / f"personal-masked-{lang}-{size}.png"))
            tab.click("#q-wellbeing\\/phone button.rv-rbtn")
            tab.wait_for_selector("#q-wellbeing\\/phone .rv-revealed")
            assert PHONE in tab.inner_text("#q-wellbeing\\/phone")
            tab.screenshot(path=str(browser.SHOTS / f"personal-revealed-{lang}-{size}.png"))
            tab.click("#reveal-gps button")
            tab.wait_for_selector("#place")
            assert "±6 m" in tab.inner_text("#gps-verdict")
            tab.locator("#place").scroll_into_view_if_needed()
            tab.screenshot(path=str(browser.SHOTS / f"personal-gps-{lang}-{size}.png"))
        with browser.chromium(
            live_server.url,
            monkeypatch,
            viewport={"width": width, "height": height},
            locale="ru-RU" if lang == "ru" else "en-GB",
        ) as (tab, outside_log):
            tab.goto(f"{live_server.url}/admin/login/?next=/admin/validation/accesslog/")
            browser.log_in(tab, "manager")
            tab.wait_for_selector("#result_list")
            assert "wellbeing/phone" in tab.inner_text("#result_list")
            tab.screenshot(path=str(browser.SHOTS / f"access-log-{lang}-{size}.png"))
        assert outside == []
        assert outside_log == []
    reveals = AccessLog.objects.filter(action="reveal", submission=sub)
    assert sorted(reveals.values_list("field", flat=True)) == [
        "wellbeing/gps",
        "wellbeing/gps",
        "wellbeing/phone",
        "wellbeing/phone",
    ]
