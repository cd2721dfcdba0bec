"""Headers: a CSP the pages live with, no caching of interview data, HTTPS in production, and the
API schema behind login."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from surveys.models import Location
from tests import factories
from tests.integration import browser, round_data, two_teams
from tests.integration.review_world import box, flagged_interview
from validation.flags.criteria_presets import ensure_default_criteria

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_every_page_has_a_csp_without_unsafe_scripts(manager_client: Client) -> None:
    for url in ("/admin/", "/my/login/", "/admin/login/", "/admin/dashboards/"):
        response = manager_client.get(url)
        policy = _directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "'unsafe-eval'" not in policy["script-src"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_the_review_screens_inline_script_carries_the_responses_nonce() -> None:
    rd = round_data.build()
    sub = flagged_interview(rd, 1)
    client = Client()
    client.force_login(rd.sup_a)
    response = client.get(f"/admin/review/{sub.kobo_id}/")
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    inline = [tag for tag in scripts if "src=" not in tag]
    assert inline, "the review screen has its inline script"
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in inline)
    # A fresh nonce per response.
    again = client.get(f"/admin/review/{sub.kobo_id}/")["Content-Security-Policy"]
    assert f"'nonce-{nonce.group(1)}'" not in again


@pytest.mark.django_db
def test_pages_and_api_answers_with_interview_data_are_never_stored() -> None:
    world = two_teams.build()
    staff = Client()
    staff.force_login(world.manager)
    sub = world.subs_a[0]
    token = Token.objects.create(user=world.manager).key
    answers = [
        staff.get("/admin/"),
        staff.get("/admin/surveys/submission/"),
        staff.get(f"/admin/review/{sub.kobo_id}/"),
        staff.get("/admin/dashboards/"),
        Client().get("/api/v1/submissions/", HTTP_AUTHORIZATION=f"Token {token}"),
        Client().get(f"/api/v1/submissions/{sub.pk}/", HTTP_AUTHORIZATION=f"Token {token}"),
        Client().get("/api/v1/flags/", HTTP_AUTHORIZATION=f"Token {token}"),
        Client().get("/my/login/"),
    ]
    for response in answers:
        assert response.status_code == 200, response.request["PATH_INFO"]
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, response.request["PATH_INFO"]
        assert "public" not in directives


@pytest.mark.django_db
def test_enumerator_pages_are_never_stored() -> None:
    client = Client()
    client.force_login(factories.enumerator_user(username="enum21"))
    response = client.get("/my/api-token/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_the_api_schema_and_docs_need_a_login(url: str) -> None:
    response = Client().get(url)
    if url == "/api/docs/":
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=/api/docs/"
    else:
        assert response.status_code == 401
        assert b"/api/v1/" not in response.content
        assert b"schema" not in response.content


@pytest.mark.django_db
def test_the_api_schema_and_docs_for_logged_in_users(manager_client: Client) -> None:
    assert manager_client.get("/api/schema/").status_code == 200
    html = manager_client.get("/api/docs/").content.decode()
    assert "<script>" not in html  # the start-up script is a file (CSP)
    assert manager_client.get("/api/docs/?script=").status_code == 200
    token = Token.objects.create(user=factories.enumerator_user(username="enum22")).key
    assert Client().get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


@pytest.mark.django_db
def test_the_api_schema_can_be_made_public(settings: Any) -> None:
    settings.MTM_API_DOCS_PUBLIC = True
    assert Client().get("/api/schema/").status_code == 200
    assert Client().get("/api/docs/").status_code == 200


def _production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MTM_"))}
    clean.update(
        {
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "s" * 50,
            "MTM_HASH_KEY": "h" * 50,
            "DJANGO_ALLOWED_HOSTS": "mtm.example.org",
            "DJANGO_SETTINGS_MODULE": "mtm.settings",
        }
    )
    clean.update(env)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n, None) for n in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'SECURE_REDIRECT_EXEMPT', "
        "'DJANGO_PROXY_COUNT')}))"
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def _production_settings(**env: str) -> dict[str, Any]:
    result = _production(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_production_redirects_to_https_with_hsts_and_no_proxy_trust_by_default() -> None:
    got = _production_settings()
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_HSTS_SECONDS"] == 31_536_000
    assert got["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert got["SECURE_PROXY_SSL_HEADER"] is None  # X-Forwarded-Proto is the client's word
    assert got["SESSION_COOKIE_SECURE"] is True
    assert got["SECURE_REDIRECT_EXEMPT"] == [r"^healthz/?$"]


def test_behind_a_proxy_its_forwarded_proto_is_trusted() -> None:
    got = _production_settings(DJANGO_PROXY_COUNT="1", DJANGO_HSTS_SECONDS="3600")
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["DJANGO_PROXY_COUNT"] == 1
    assert got["SECURE_HSTS_SECONDS"] == 3600


def test_the_https_redirect_can_be_turned_off_where_tls_ends_elsewhere() -> None:
    got = _production_settings(DJANGO_SECURE_SSL_REDIRECT="False")
    assert got["SECURE_SSL_REDIRECT"] is False


def test_development_neither_redirects_nor_sends_hsts() -> None:
    result = _production(DJANGO_DEBUG="True")
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert not got["SECURE_SSL_REDIRECT"]
    assert not got["SECURE_HSTS_SECONDS"]


@pytest.mark.parametrize(
    ("_case", "env", "message"),
    [
        ("proxy count", {"DJANGO_PROXY_COUNT": "one"}, "DJANGO_PROXY_COUNT must be a number"),
        ("redirect", {"DJANGO_SECURE_SSL_REDIRECT": "yes"}, "DJANGO_SECURE_SSL_REDIRECT must be"),
        ("token ttl", {"MTM_API_TOKEN_TTL_DAYS": "0"}, "MTM_API_TOKEN_TTL_DAYS must be at least"),
        ("lock limit", {"MTM_LOGIN_FAILURES_PER_USER": "0"}, "MTM_LOGIN_FAILURES_PER_USER"),
        ("docs", {"MTM_API_DOCS_PUBLIC": "1"}, "MTM_API_DOCS_PUBLIC must be True or False"),
    ],
)
def test_bad_security_settings_are_refused(_case: str, env: dict[str, str], message: str) -> None:
    result = _production(**env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db(transaction=True)
def test_https_redirect_and_hsts_on_the_wire(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    response = client.get("/admin/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"
    assert client.get("/admin/login/", secure=True)["Strict-Transport-Security"] == (
        "max-age=31536000"
    )
    assert client.get("/healthz").status_code == 200  # the plain-HTTP probe: not redirected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_screen_dashboards_and_docs_run_under_the_csp(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    from tests.integration.test_review_screen_browser import ensure_role_groups

    ensure_role_groups()
    rd = round_data.build()
    ensure_default_criteria(round=rd.round)
    Location.objects.filter(code="KZ-ALA-BOS").update(boundary=box("KZ-ALA-BOS"))
    sub = flagged_interview(rd, 1)
    manager = factories.data_manager(username="dm_csp")
    browser.give_password(rd.sup_a)
    browser.give_password(manager)
    with browser.chromium(
        live_server.url, monkeypatch, viewport={"width": 1366, "height": 768}
    ) as (
        tab,
        outside,
    ):
        violations: list[str] = []

        def watch(msg: Any) -> None:
            if "Security Policy" in msg.text:
                violations.append(msg.text)

        tab.on("console", watch)
        tab.goto(f"{live_server.url}/admin/login/?next=/admin/review/{sub.kobo_id}/")
        browser.log_in(tab, "sup_a")
        tab.wait_for_selector(".rv-cbtn")
        tab.click(".rv-cbtn >> nth=0")  # the nonce'd script moves the comment form here
        tab.wait_for_selector("#comment-form:not([hidden])")
        tab.context.clear_cookies()
        tab.goto(f"{live_server.url}/admin/login/?next=/admin/dashboards/rounds/{rd.round.pk}/")
        browser.log_in(tab, "dm_csp")
        tab.wait_for_selector("#per-day-chart")
        drawn = tab.evaluate(
            "() => typeof Chart === 'undefined' || !!Chart.getChart('per-day-chart')"
        )
        assert drawn
        tab.goto(f"{live_server.url}/api/docs/")
        tab.wait_for_selector(".swagger-ui .information-container", timeout=15_000)
        tab.goto(f"{live_server.url}/admin/surveys/submission/")
        tab.wait_for_selector("#result_list")
    assert violations == []
    assert outside == []
