"""The OpenAPI schema and its Swagger UI: behind login unless MTM_API_DOCS_PUBLIC=True."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.urls import reverse
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class DocsPermission(BasePermission):
    """The schema and its docs: for logged-in users unless MTM_API_DOCS_PUBLIC=True.

    Read per request (not fixed when the URLs load) so the setting can change under test.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(settings.MTM_API_DOCS_PUBLIC or request.user.is_authenticated)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (no inline script for the CSP).

    A browser that is not logged in is sent to the admin login and back, not shown JSON.
    """

    permission_classes = [DocsPermission]

    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        if isinstance(exc, exceptions.NotAuthenticated) and "script" not in self.request.GET:
            return redirect_to_login(self.request.get_full_path(), reverse("admin:login"))
        return super().handle_exception(exc)
