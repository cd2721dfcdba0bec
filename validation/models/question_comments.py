"""QuestionComment: a supervisor's note on one answer of one interview (append-only)."""

from django.conf import settings
from django.db import models


class QuestionComment(models.Model):
    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="question_comments"
    )
    path = models.CharField(max_length=255, help_text="KoBo key, e.g. profile/children[2]/age")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ("submission", "at", "pk")
        indexes = [models.Index(fields=("submission", "at"), name="qcomment_sub_idx")]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.path}"
