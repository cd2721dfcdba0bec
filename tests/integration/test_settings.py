"""Settings come from the environment and refuse bad or unsafe values with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KOBO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "mtm.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("_case", "env", "message"),
    [
        (
            "production without secret",
            {"DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "mtm.example.org"},
            "DJANGO_SECRET_KEY must be set",
        ),
        (
            "production without hosts",
            {"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": "x" * 40},
            "DJANGO_ALLOWED_HOSTS must be set",
        ),
        ("loose boolean", {"DJANGO_DEBUG": "yes"}, "DJANGO_DEBUG must be True or False"),
        ("bad number", {"KOBO_TIMEOUT_S": "ten"}, "KOBO_TIMEOUT_S must be a number"),
        ("page over KoBo's cap", {"KOBO_PAGE_SIZE": "5000"}, "KOBO_PAGE_SIZE must be at most 1000"),
        ("bad database url", {"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ("unreadable token file", {"KOBO_TOKEN_FILE": "/nonexistent/token"}, "KOBO_TOKEN_FILE"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    _case: str, env: dict[str, str], message: str
) -> None:
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_load_when_complete() -> None:
    result = _load_settings(
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="s" * 50,
        DJANGO_ALLOWED_HOSTS="mtm.example.org",
        MTM_HASH_KEY="h" * 40,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("surveys.tasks.sync_form_task", "sync"),
        ("surveys.tasks.push_catch_up_task", "sync"),
        ("validation.tasks.validate_pending_task", "validation"),
        ("validation.tasks.validate_stale_task", "validation"),
        ("validation.tasks.run_quality_checks_task", "validation"),
        ("validation.corrections.tasks.deliver_notification_task", "notifications"),
        ("validation.exports.tasks.run_export_task", "default"),
    ],
)
def test_each_task_goes_to_the_queue_of_its_work(task: str, queue: str) -> None:
    from mtm.celery import app

    assert app.amqp.router.route({}, task)["queue"].name == queue
