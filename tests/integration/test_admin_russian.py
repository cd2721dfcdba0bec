"""The admin in Russian names its models and fields in Russian (#16 item 8)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.utils import translation

from tests import factories
from tests.integration import round_data

pytestmark = pytest.mark.django_db


def russian_page(user: object, url: str) -> str:
    client = Client(headers={"accept-language": "ru"})
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_every_project_model_of_the_admin_has_a_russian_name() -> None:
    """No "Выберите interview to review для изменения": each name and plural is translated."""
    ours = [m for m in admin.site._registry if m._meta.app_label in ("surveys", "validation")]
    assert len(ours) > 20
    with translation.override("ru"):
        for model in ours:
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                assert re.search("[а-яё]", str(name)), f"{model.__name__}: {name}"
        assert str(apps.get_app_config("validation").verbose_name) == "Проверка и контроль"


def test_the_review_queue_and_criteria_pages_read_russian() -> None:
    manager = factories.data_manager(username="manager")
    queue = russian_page(manager, "/admin/validation/interviewreview/")
    assert "Очередь проверки" in queue
    criteria = russian_page(manager, "/admin/validation/inclusioncriterion/")
    assert "Выберите критерий включения для изменения" in criteria
    assert "criterions" not in criteria.lower()


def test_the_submission_page_labels_its_fields_in_russian() -> None:
    rd = round_data.build()
    sub = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"), status="flagged")
    html = russian_page(rd.manager, f"/admin/surveys/submission/{sub.pk}/change/")
    for label in ("Статус проверки", "Интервьюер", "Время отправки", "Решения"):
        assert label in html
    assert "Review status" not in html


def test_the_admin_home_titles_itself_in_russian() -> None:
    manager = factories.data_manager(username="manager")
    home = russian_page(manager, "/admin/")
    assert "Раунды, локации, квоты и интервью" in home
    assert "mtm-qc — качество данных MTM" in home
    assert "Rounds, locations" not in home
