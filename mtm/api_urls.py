"""The /api/v1/ router: every app's viewsets registered in one place (the composition root)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from surveys.api import views as surveys_views
from validation.api import views as validation_views
from validation.api.summary import RoundSummaryView
from validation.corrections import api as correction_api

router = DefaultRouter()
router.register("rounds", surveys_views.RoundViewSet, basename="round")
router.register("locations", surveys_views.LocationViewSet, basename="location")
router.register("quotas", surveys_views.QuotaViewSet, basename="quota")
router.register("teams", surveys_views.TeamViewSet, basename="team")
router.register("enumerators", surveys_views.EnumeratorViewSet, basename="enumerator")
# validation's subclass: the detail masks personal answers and logs who opened it.
router.register("submissions", validation_views.MaskedSubmissionViewSet, basename="submission")
router.register("sync-runs", surveys_views.SyncRunViewSet, basename="syncrun")
router.register("flags", validation_views.FlagViewSet, basename="flag")
router.register(
    "review-decisions", validation_views.ReviewDecisionViewSet, basename="review-decision"
)
router.register("quota-progress", validation_views.QuotaProgressViewSet, basename="quota-progress")
router.register("exports", validation_views.ExportJobViewSet, basename="export")
router.register(
    "correction-tasks", correction_api.CorrectionTaskViewSet, basename="correction-task"
)

urlpatterns = [
    path("rounds/<int:round_id>/summary/", RoundSummaryView.as_view(), name="round-summary"),
    path("", include(router.urls)),
]
