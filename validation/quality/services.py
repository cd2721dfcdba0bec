"""Writes of the quality checks' own settings: saving a check configuration queues its re-run."""

from __future__ import annotations

from celery import current_app
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from validation.models import CheckConfig

# By name: validation.tasks (an interface layer) imports this package, not the reverse.
QUALITY_TASK = "validation.tasks.run_quality_checks_task"


def save_check_config(*, config: CheckConfig, user: AbstractBaseUser | None = None) -> CheckConfig:
    """Validate and save a check configuration; the quality run is queued after commit.

    A new configuration changes the effective configuration's hash, which makes the
    interviews it covers due (quality.run.due_submissions): the queued run re-checks them with
    the new thresholds. Raises django.core.exceptions.ValidationError naming the field.
    """
    if user is not None:
        config.updated_by_id = user.pk
    config.full_clean()
    with transaction.atomic():
        config.save()
        # robust: the configuration is saved whatever the broker says; the next quality run
        # (after every validation batch) sees the new hash and re-checks all the same.
        transaction.on_commit(queue_quality_run, robust=True)
    return config


def queue_quality_run() -> None:
    """Ask for a quality run by task name (a process that has not loaded tasks loads them)."""
    app = current_app
    if QUALITY_TASK not in app.tasks:
        app.loader.import_default_modules()
    app.tasks[QUALITY_TASK].delay()
