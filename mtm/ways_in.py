"""Ways in: the site root and both log-in pages send each role to its own pages.

Staff (supervisors, data managers) work in the admin; enumerators on the phone-sized /my/
pages. Whoever arrives at the other's door is sent on, never shown a 404 or told to use a
staff account: the admin log-in accepts an enumerator's password and forwards to /my/, and
/my/ forwards staff to the admin.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from validation.corrections import selectors
from validation.corrections import views as my_pages


class AnyRoleLoginForm(AdminAuthenticationForm):
    """The admin's log-in form, also accepting enumerators (the view forwards them to /my/)."""

    def confirm_login_allowed(self, user: Any) -> None:
        if user.is_active and not user.is_staff and selectors.enumerator_of(user) is not None:
            AuthenticationForm.confirm_login_allowed(self, user)
        else:
            super().confirm_login_allowed(user)  # inactive, or neither staff nor enumerator


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff)


def home(request: HttpRequest) -> HttpResponse:
    """`/` (and the admin's *View site*): the signed-in user's pages, or a log-in."""
    if not request.user.is_authenticated:
        return redirect("corrections:login")
    return redirect("admin:index" if _is_staff(request) else "corrections:list")


@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's log-in; a signed-in enumerator is forwarded to /my/ instead of refused."""
    if request.user.is_authenticated and not _is_staff(request):
        return redirect("corrections:list")
    response = admin.site.login(request)
    if request.method == "POST" and request.user.is_authenticated and not _is_staff(request):
        return redirect("corrections:list")
    return response


def my_home(request: HttpRequest) -> HttpResponse:
    """/my/: the enumerator's task list; staff have theirs in the admin."""
    if _is_staff(request) and selectors.enumerator_of(request.user) is None:
        return redirect("admin:index")
    return my_pages.task_list(request)
