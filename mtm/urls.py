"""URL routes: admin, API v1, schema, health check (the composition root)."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from mtm import token_pages, ways_in
from mtm.api_docs import ApiDocsView, DocsPermission
from mtm.health import healthz

admin.site.site_header = _("mtm-qc — MTM data quality")
admin.site.site_title = "mtm-qc"
admin.site.index_title = _("Rounds, locations, quotas and interviews")
admin.site.index_template = "review/admin_index.html"  # adds the team progress block
admin.site.site_url = None  # no public site: "/" sends each role to its own pages
admin.site.login_form = ways_in.AnyRoleLoginForm  # an enumerator is forwarded to /my/

urlpatterns = [
    path("admin/dashboards/", include("validation.dashboards.urls")),
    path("admin/review/", include("validation.review_screen.urls")),
    path("", ways_in.home, name="home"),
    path("admin/login/", ways_in.admin_login, name="admin-login"),
    path("admin/api-token/", token_pages.admin_token, name="admin-api-token"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("mtm.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the admin's EN/RU switch
    path("my/api-token/", token_pages.my_token, name="my-api-token"),
    path("my/", ways_in.my_home, name="my-home"),  # staff go on to the admin
    path("my/", include("validation.corrections.urls")),  # enumerators' correction pages
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[DocsPermission]),
        name="schema",
    ),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("healthz/", healthz),
]
