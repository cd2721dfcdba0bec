"""Review screen pages (inside the admin): one interview, its decisions and its comments."""

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from mtm.errors import DomainError
from validation.privacy import audit
from validation.privacy.masking import personal_data_for
from validation.review_screen.comments import add_question_comment
from validation.review_screen.decisions import decide
from validation.review_screen.screen import (
    LANGUAGES,
    build_screen,
    next_in_queue,
    submission_for_screen,
)
from validation.selectors import decidable_submissions

_LANG_KEY = "review_lang"
# Paths revealed by a logged POST, shown on the next page load only (a reload masks again).
_REVEALED_KEY = "review_revealed"


def _back(pk: int, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("review:screen", args=[pk]) + anchor)


def screen(request: HttpRequest, pk: int) -> HttpResponse:
    chosen = request.GET.get("lang")
    if chosen in LANGUAGES:
        request.session[_LANG_KEY] = chosen  # remembered for the next interviews
    lang = request.session.get(_LANG_KEY, "en")
    submission = submission_for_screen(request.user, pk)
    if submission is None:
        raise Http404("No such interview in your scope.")
    pending = request.session.get(_REVEALED_KEY, {})
    revealed = frozenset(pending.pop(str(pk), []))
    if revealed:
        request.session[_REVEALED_KEY] = pending
    data = build_screen(submission=submission, lang=lang, revealed=revealed)
    audit.record_view(request=request, submission=submission, channel="review screen")
    context = {
        **admin.site.each_context(request),
        "title": f"Interview #{submission.kobo_id}",
        "s": data,
        "sub": submission,
        "languages": LANGUAGES,
        "may_decide": request.user.has_perm("validation.change_interviewreview"),
    }
    return TemplateResponse(request, "review/screen.html", context)


def next_interview(request: HttpRequest, pk: int) -> HttpResponse:
    following = next_in_queue(request.user, pk)
    if following is None:
        messages.info(request, "Nothing else waits in your queue.")
        return HttpResponseRedirect(reverse("admin:validation_interviewreview_changelist"))
    return HttpResponseRedirect(reverse("review:screen", args=[following]))


@require_POST
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(decidable_submissions(request.user), pk=pk)
    try:
        _, done = decide(
            submission=submission,
            actor=request.user,  # type: ignore[arg-type]
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
            reason=request.POST.get("reason", ""),
            questions=request.POST.getlist("questions"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(pk, "#decide")
    messages.success(request, done)
    return _back(pk)


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one personal answer in clear on the next load of the screen, and log who asked."""
    submission = submission_for_screen(request.user, pk)
    if submission is None:
        raise Http404("No such interview in your scope.")
    path = request.POST.get("path", "")
    personal = personal_data_for(form_id=submission.form_id, round_id=submission.form.round_id)
    if path not in personal:
        messages.error(request, "Only a personal-data answer can be revealed.")
        return _back(pk)
    audit.record_reveal(request=request, submission=submission, path=path, channel="review screen")
    pending = request.session.get(_REVEALED_KEY, {})
    pending[str(pk)] = sorted({*pending.get(str(pk), []), path})
    request.session[_REVEALED_KEY] = pending
    return _back(pk, f"#q-{path}")


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(decidable_submissions(request.user), pk=pk)
    path = request.POST.get("path", "")
    try:
        add_question_comment(
            submission=submission,
            author=request.user,  # type: ignore[arg-type]
            path=path,
            text=request.POST.get("text", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Comment saved.")
    return _back(pk, f"#q-{path}")
