"""Shared fixtures: role users, and Celery running in-process unless a test drives a worker."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from mtm.celery import app as celery_app
from tests import factories


@pytest.fixture(autouse=True)
def _celery_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run tasks in-process for unit and integration tests; e2e tests use a real worker."""
    if request.node.get_closest_marker("e2e"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the default language: one that switched to Russian leaks nothing."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def manager_client(db: None) -> Client:
    client = Client()
    client.force_login(factories.data_manager(username="manager"))
    return client


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _role_groups_after_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test may start after another one's flush, which drops the role groups
    the data migrations made (content types and permissions come back, groups do not)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group, Permission

    from surveys.roles import ROLE_PERMISSIONS

    for role, grants in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if created:
            for app_label, models in grants.items():
                codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )
