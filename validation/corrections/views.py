"""Enumerator pages: my tasks, one task with its edit link and "fixed" button, language choice.

Light on purpose (one small inline stylesheet, no scripts): they are opened on phones in the
field, often on a slow connection.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.models import Enumerator
from validation.corrections import selectors, services
from validation.corrections.items import pick_label, reason
from validation.models import ACTIVE_STATES, CorrectionTask, NotificationPreference

LOGIN_URL = "corrections:login"


def _enumerator(request: HttpRequest) -> Enumerator:
    """Only enumerators have these pages; anyone else gets a 404, as for a foreign task."""
    enumerator = selectors.enumerator_of(request.user)
    if enumerator is None:
        raise Http404
    preference = (
        NotificationPreference.objects.filter(user=request.user.pk)
        .values_list("language", flat=True)
        .first()
    )
    if preference:
        translation.activate(preference)
        request.LANGUAGE_CODE = preference
    return enumerator


def _item_rows(task: CorrectionTask, language: str) -> list[dict[str, Any]]:
    return [
        {
            "label": pick_label(item["labels"], language),
            "answer": item.get("answer", ""),
            "previous_answer": item.get("previous_answer", ""),
            "reasons": [reason(flag) for flag in item["flags"]],
            "passing": item.get("passing", False),
        }
        for item in task.items
    ]


@login_required(login_url=LOGIN_URL)
def task_list(request: HttpRequest) -> HttpResponse:
    enumerator = _enumerator(request)
    tasks = list(selectors.own_tasks(request.user))
    context = {
        "enumerator": enumerator,
        "open_tasks": [t for t in tasks if t.state in ACTIVE_STATES],
        "closed_tasks": [t for t in tasks if t.state not in ACTIVE_STATES][:20],
        "trend": selectors.quality_trend(enumerator=enumerator),
    }
    return render(request, "corrections/task_list.html", context)


@login_required(login_url=LOGIN_URL)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enumerator = _enumerator(request)
    task = get_object_or_404(selectors.own_tasks(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.mark_fixed(task=task, actor=request.user)  # type: ignore[arg-type]
        except services.CorrectionClosedError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Thank you. We will check the interview at the next sync."))
        return redirect("corrections:task", pk=task.pk)
    services.record_seen(task=task, actor=request.user)  # type: ignore[arg-type]
    context = {
        "enumerator": enumerator,
        "task": task,
        "items": _item_rows(task, request.LANGUAGE_CODE),
        "can_mark_fixed": task.state in ACTIVE_STATES
        and task.state != CorrectionTask.State.SUBMITTED,
    }
    return render(request, "corrections/task_detail.html", context)


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Remember the language for the pages (and, once logged in, the messages); go back.

    Open before log-in too: the log-in page has the EN/RU buttons, where the cookie is enough.
    """
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        raise Http404
    if request.user.is_authenticated:
        NotificationPreference.objects.update_or_create(
            user_id=request.user.pk, defaults={"language": language}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        home = "corrections:list" if request.user.is_authenticated else "corrections:login"
        target = reverse(home)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
