"""InterviewReview: the submissions seen through the supervisor's review queue (a proxy)."""

from surveys.models import Submission


class InterviewReview(Submission):
    class Meta:
        proxy = True
        verbose_name = "interview to review"
        verbose_name_plural = "review queue"
