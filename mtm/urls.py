"""URL routes: admin, API v1, schema, health check (the composition root)."""

from django.contrib import admin
from django.urls import path

from mtm.health import healthz

admin.site.site_header = "mtm-qc — MTM data quality"
admin.site.site_title = "mtm-qc"
admin.site.index_title = "Rounds, locations, quotas and interviews"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("healthz/", healthz),
]
