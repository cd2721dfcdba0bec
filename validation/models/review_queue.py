"""InterviewReview: the submissions seen through the supervisor's review queue (a proxy)."""

from django.utils.translation import gettext_lazy as _

from surveys.models import Submission


class InterviewReview(Submission):
    class Meta:
        proxy = True
        verbose_name = _("interview to review")
        verbose_name_plural = _("review queue")
