"""Response headers every page and API answer needs: nothing with interview data is cached."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every dynamic response.

    Pages, API answers and export downloads carry personal data of respondents; a shared
    computer's browser cache or a proxy must not keep them. Static files never get here
    (WhiteNoise answers them first, with its own long-lived caching).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
