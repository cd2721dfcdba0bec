"""Review screen pages (inside the admin): one interview, its decisions and its comments.

Interviews are addressed by their KoBo ID (validation.review_screen.links); the screen is
rendered, and its messages written, in the language chosen with its EN/RU switch.
"""

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtm.errors import DomainError
from surveys.models import Submission
from validation import review
from validation.privacy import audit
from validation.privacy.masking import personal_data_for
from validation.review_screen.comments import add_question_comment
from validation.review_screen.links import screen_url
from validation.review_screen.screen import (
    LANGUAGES,
    Lookup,
    build_screen,
    find_interview,
    next_in_queue,
    submission_for_screen,
    viewable_submissions,
)
from validation.selectors import decidable_submissions

_LANG_KEY = "review_lang"
# Paths revealed by a logged POST, shown on the next page load only (a reload masks again).
_REVEALED_KEY = "review_revealed"


def _lang(request: HttpRequest) -> str:
    """The screen's language: the switch's last choice, else the admin's own language."""
    chosen = request.GET.get("lang")
    if chosen in LANGUAGES:
        request.session[_LANG_KEY] = chosen  # remembered for the next interviews
        return chosen
    stored = request.session.get(_LANG_KEY)
    if stored in LANGUAGES:
        return str(stored)
    active = (translation.get_language() or "en")[:2]
    return active if active in LANGUAGES else "en"


def _form_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("form") or request.POST.get("form") or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _one(lookup: Lookup) -> Submission:
    if lookup.submission is None:
        raise Http404(_("No such interview in your scope."))
    return lookup.submission


def _back(submission: Submission, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(screen_url(submission) + anchor)


def screen(request: HttpRequest, number: int) -> HttpResponse:
    lang = _lang(request)
    with translation.override(lang):
        lookup = submission_for_screen(request.user, number, _form_id(request))
        if lookup.submission is None and lookup.choices:
            return _choose(request, number, lookup)
        submission = _one(lookup)
        key = f"{submission.form_id}:{submission.kobo_id}"
        pending = request.session.get(_REVEALED_KEY, {})
        revealed = frozenset(pending.pop(key, []))
        if revealed:
            request.session[_REVEALED_KEY] = pending
        data = build_screen(submission=submission, lang=lang, revealed=revealed)
        audit.record_view(request=request, submission=submission, channel="review screen")
        context = {
            **admin.site.each_context(request),
            "title": _("Interview %(number)s") % {"number": submission.kobo_id},
            "s": data,
            "sub": submission,
            "languages": LANGUAGES,
            "may_decide": request.user.has_perm("validation.change_interviewreview"),
            "form_id": submission.form_id,
        }
        response = TemplateResponse(request, "review/screen.html", context)
        response["Content-Language"] = lang
        return response.render()


def _choose(request: HttpRequest, number: int, lookup: Lookup) -> HttpResponse:
    """Several KoBo servers (or forms) gave out this number: let the user pick one."""
    context = {
        **admin.site.each_context(request),
        "title": _("Interview %(number)s") % {"number": number},
        "number": number,
        "choices": [(screen_url(s), s) for s in lookup.choices],
    }
    return TemplateResponse(request, "review/choose.html", context).render()


def next_interview(request: HttpRequest, number: int) -> HttpResponse:
    with translation.override(_lang(request)):
        current = _one(
            find_interview(viewable_submissions(request.user), number, _form_id(request))
        )
        following, wrapped = next_in_queue(request.user, current)
        if following is None:
            messages.info(request, _("Nothing else waits in your queue."))
            return HttpResponseRedirect(reverse("admin:validation_interviewreview_changelist"))
        if wrapped:
            messages.info(request, _("That was the last interview in your queue: back to its top."))
    return HttpResponseRedirect(screen_url(following))


def by_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Internal links that hold only a row id (the access log) land on the public address."""
    submission = get_object_or_404(
        viewable_submissions(request.user).only("kobo_id", "form_id"), pk=pk
    )
    return HttpResponseRedirect(screen_url(submission))


@require_POST
def decision(request: HttpRequest, number: int) -> HttpResponse:
    with translation.override(_lang(request)):
        submission = _one(
            find_interview(decidable_submissions(request.user), number, _form_id(request))
        )
        try:
            done = review.decide(
                submission=submission,
                actor=request.user,  # type: ignore[arg-type]
                action=request.POST.get("action", ""),
                comment=request.POST.get("comment", ""),
                reason=request.POST.get("reason", ""),
                questions=request.POST.getlist("questions"),
                confirmed=request.POST.get("confirm") == "yes",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(submission, "#decide")
        messages.success(request, done.message)
    return _back(submission)


@require_POST
def reveal(request: HttpRequest, number: int) -> HttpResponse:
    """Show one personal answer in clear on the next load of the screen, and log who asked."""
    with translation.override(_lang(request)):
        submission = _one(submission_for_screen(request.user, number, _form_id(request)))
        path = request.POST.get("path", "")
        personal = personal_data_for(form_id=submission.form_id, round_id=submission.form.round_id)
        if path not in personal:
            messages.error(request, _("Only a personal-data answer can be revealed."))
            return _back(submission)
    audit.record_reveal(request=request, submission=submission, path=path, channel="review screen")
    key = f"{submission.form_id}:{submission.kobo_id}"
    pending = request.session.get(_REVEALED_KEY, {})
    pending[key] = sorted({*pending.get(key, []), path})
    request.session[_REVEALED_KEY] = pending
    return _back(submission, f"#q-{path}")


@require_POST
def comment(request: HttpRequest, number: int) -> HttpResponse:
    with translation.override(_lang(request)):
        submission = _one(
            find_interview(decidable_submissions(request.user), number, _form_id(request))
        )
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
            messages.success(request, _("Comment saved."))
    return _back(submission, f"#q-{path}")
