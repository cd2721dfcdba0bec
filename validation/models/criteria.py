"""Inclusion criteria per round (data, not code) and each interview's eligibility verdict."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InclusionCriterion(models.Model):
    class Kind(models.TextChoices):
        INCLUSION = "inclusion", "Inclusion criterion"
        EXCLUSION = "exclusion", "Excluded by definition"

    class Operator(models.TextChoices):
        GTE = ">=", "at least"
        LTE = "<=", "at most"
        EQ = "=", "equals"
        NEQ = "!=", "is not"
        IN = "in", "one of"
        NOT_IN = "not_in", "none of"
        DAYS_BEFORE = "days_before", "date at least N days before the interview"
        EXPRESSION = "expression", "XPath expression is true"

    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="inclusion_criteria"
    )
    code = models.SlugField(max_length=40, help_text="e.g. age, nationality, length_of_stay")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INCLUSION)
    variable = models.CharField(
        max_length=80, blank=True, help_text="The report's variable, e.g. Age, Length of stay"
    )
    label = models.CharField(max_length=200, help_text="The criterion as the report words it")
    question = models.CharField(
        max_length=120, blank=True, help_text="Question name (not needed for an expression)"
    )
    operator = models.CharField(max_length=12, choices=Operator.choices)
    value = models.CharField(
        max_length=500, blank=True, help_text="Number, choice, or list separated by spaces"
    )
    expression = models.TextField(
        blank=True, help_text="XPath, e.g. ${age} >= 18 and ${consent}='yes'"
    )
    message = models.CharField(
        max_length=300, help_text="Shown when the criterion fails, in plain words"
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="The published report (and table) it comes from"
    )
    preset = models.CharField(
        max_length=60, blank=True, help_text="The published set it was applied from, if any"
    )
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("inclusion criterion")
        verbose_name_plural = _("inclusion criteria")
        ordering = ("round", "order", "code")
        constraints = [
            models.UniqueConstraint(fields=("round", "code"), name="criterion_unique_code")
        ]

    def __str__(self) -> str:
        return f"R{self.round.number} {self.code}"


class Eligibility(models.Model):
    class Verdict(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        INELIGIBLE = "ineligible", "Ineligible"
        UNKNOWN = "unknown", "Unknown"

    submission = models.OneToOneField(
        "surveys.Submission", on_delete=models.CASCADE, related_name="eligibility"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    criteria = models.JSONField(
        default=list, help_text="[{code, label, result: pass|fail|unknown, reason}]"
    )
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("eligibility verdict")
        verbose_name_plural = _("eligibility")
        indexes = [models.Index(fields=("verdict",), name="eligibility_verdict_idx")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.verdict}"
