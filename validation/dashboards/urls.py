"""Dashboard routes, mounted under /admin/dashboards/ and guarded by the admin's login."""

from django.contrib import admin
from django.urls import path

from validation.dashboards import baseline_views, views

app_name = "dashboards"
urlpatterns = [
    path("", admin.site.admin_view(views.index), name="index"),
    path("rounds/<int:round_id>/", admin.site.admin_view(views.round_overview), name="round"),
    path("rounds/<int:round_id>/summary/", admin.site.admin_view(views.summary), name="summary"),
    path(
        "rounds/<int:round_id>/baseline/",
        admin.site.admin_view(baseline_views.baseline),
        name="baseline",
    ),
    path(
        "rounds/<int:round_id>/export/<str:kind>.csv",
        admin.site.admin_view(views.stream_export),
        name="export",
    ),
]
