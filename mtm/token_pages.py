"""Each user's own API token page: when it was issued, when it expires, and a button to rotate.

Enumerators use /my/api-token/ (the phone-sized pages), staff /admin/api-token/. The key is
shown once, in the answer to the rotation, never again (and never kept in a message cookie).
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from mtm import tokens


def _page(request: HttpRequest, template: str, **extra: Any) -> HttpResponse:
    new_key = ""
    if request.method == "POST":
        new_key = tokens.rotate_token(user=request.user).key  # type: ignore[arg-type]
    context = {
        "status": tokens.token_status(user=request.user),  # type: ignore[arg-type]
        "new_key": new_key,
        "ttl_days": tokens.token_ttl().days,
        **extra,
    }
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required(login_url="corrections:login")
def my_token(request: HttpRequest) -> HttpResponse:
    return _page(request, "account/api_token_my.html")


@require_http_methods(["GET", "POST"])
@staff_member_required
def admin_token(request: HttpRequest) -> HttpResponse:
    return _page(request, "account/api_token_admin.html", **admin.site.each_context(request))
