"""CheckConfig: which quality checks run on a round and/or form, with what thresholds."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from validation.checks.registry import SPECS, family, validate_config
from validation.indicators.definitions import validate_indicator_map

# Roles of the respondent-characteristic questions the checks read, and where the MTM form
# keeps them (demo/data/form_definition.py). A form with other names overrides them here.
QUESTION_ROLES: dict[str, str] = {
    "sex": "profile/sex",
    "age": "screening/age",
    "nationality": "screening/citizenship",
    "arrival_date": "screening/arrival_date",
    "phone": "wellbeing/phone",
    "name": "",  # the MTM form collects no respondent name
    "gps": "wellbeing/gps",
}
# Not roles but lists, also part of the mapping: numeric questions for outliers, the "don't
# know"/"refuse" choice values, blocks of similar select_one questions for straight-lining, and
# answers about the respondent that do not change within a round (evidence of a repeat), and
# the personal-data questions (names, phones, ID numbers, exact GPS): shown masked to
# reviewers, revealed only on a logged request, never quoted by flags, logs or the API. The
# phone, name and gps roles are personal data whether listed or not.
QUESTION_LISTS: tuple[str, ...] = (
    "numeric_questions",
    "dk_values",
    "refuse_values",
    "straightline_blocks",
    "respondent_facts",
    "personal_data",
)
DEFAULT_LISTS: dict[str, list[Any]] = {
    "numeric_questions": [
        "screening/age",
        "profile/dependants",
        "profile/children_count",
        "migration/first_arrival_year",
        "employment/hours_week",
        "employment/remit_share",
        "wellbeing/people_in_dwelling",
    ],
    "dk_values": ["dk"],
    "refuse_values": ["refuse"],
    "respondent_facts": [
        "profile/marital_status",
        "profile/education",
        "profile/education_field",
        "profile/children_count",
        "migration/left_origin_date",
        "migration/first_arrival_year",
    ],
    "straightline_blocks": [
        [
            f"wellbeing/agree_{key}"
            for key in ("safe", "welcome", "fair_pay", "treated_equal", "recommend")
        ]
    ],
    # The MTM form asks no name or ID number; its phone (for follow-up) and the interview's
    # exact GPS point are the personal data.
    "personal_data": ["wellbeing/phone", "wellbeing/gps"],
}


def validate_question_map(mapping: Any) -> dict[str, Any]:
    """Check a question mapping's shape; raise ValueError naming the offending key."""
    if not isinstance(mapping, dict):
        raise ValueError(f"Question mapping must be an object; got {type(mapping).__name__}.")
    for key, value in mapping.items():
        if key in QUESTION_ROLES:
            if not isinstance(value, str):
                raise ValueError(f"Question mapping: {key} must be a question path (text).")
        elif key == "straightline_blocks":
            if not isinstance(value, list) or not all(
                isinstance(block, list) and all(isinstance(q, str) for q in block)
                for block in value
            ):
                raise ValueError(
                    "Question mapping: straightline_blocks must be a list of lists of paths."
                )
        elif key in QUESTION_LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"Question mapping: {key} must be a list of text values.")
        elif key == "indicators":  # the round summary's role -> question (validation.reporting)
            validate_indicator_map(value)
        else:
            known = ", ".join([*QUESTION_ROLES, *QUESTION_LISTS, "indicators"])
            raise ValueError(f"Question mapping: unknown key {key!r}; known: {known}.")
    return mapping


class CheckConfig(models.Model):
    """Quality-check settings for a round, a form, or one form in one round.

    The most specific active row wins (round + form, then form, then round); with none, every
    check runs with its defaults.
    """

    round = models.ForeignKey(
        "surveys.Round",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_configs",
    )
    form = models.ForeignKey(
        "surveys.KoboForm",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_configs",
    )
    enabled_checks = models.JSONField(
        default=list,
        blank=True,
        help_text="Check codes to run; empty = every check",
    )
    thresholds = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per check code, e.g. {"duration.too_short": {"minutes": 12}}',
    )
    severities = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per check code, e.g. {"gps.outside_boundary": "major"}',
    )
    question_map = models.JSONField(
        default=dict,
        blank=True,
        help_text="Question paths by role and lists; empty = MTM defaults",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check configuration")
        verbose_name_plural = _("check configurations")
        ordering = ("round", "form")
        constraints = [
            models.CheckConstraint(
                condition=Q(round__isnull=False) | Q(form__isnull=False),
                name="checkconfig_round_or_form",
            ),
            models.UniqueConstraint(
                fields=("round", "form"),
                name="checkconfig_unique_scope",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = " / ".join(str(x) for x in (self.round, self.form) if x is not None)
        return f"Checks for {scope}"

    def params(self) -> dict[str, dict[str, Any]]:
        """Thresholds with the severity overrides folded in, as validate_config expects."""
        merged: dict[str, dict[str, Any]] = {
            code: dict(values) if isinstance(values, dict) else values
            for code, values in (self.thresholds or {}).items()
        }
        for code, severity in (self.severities or {}).items():
            merged.setdefault(code, {})
            if isinstance(merged[code], dict):
                merged[code]["severity"] = severity
        return merged

    def enabled(self) -> frozenset[str] | None:
        return frozenset(self.enabled_checks) if self.enabled_checks else None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.round_id is None and self.form_id is None:
            errors.setdefault("round", []).append("Choose a round, a form, or both.")
        if not isinstance(self.enabled_checks, list) or not all(
            isinstance(c, str) for c in self.enabled_checks
        ):
            errors.setdefault("enabled_checks", []).append("Must be a list of check codes.")
        else:
            families = {family(code) for code in SPECS}
            for code in self.enabled_checks:
                # A family name or a .cannot_check code is not a check one can enable.
                if code not in SPECS:
                    hint = " (a family; list its codes)" if code in families else ""
                    errors.setdefault("enabled_checks", []).append(
                        f"Unknown check code {code!r}{hint}."
                    )
        for name in ("thresholds", "severities"):
            if not isinstance(getattr(self, name), dict):
                errors.setdefault(name, []).append("Must be an object keyed by check code.")
        if "thresholds" not in errors and "severities" not in errors:
            try:
                validate_config(self.params())
            except ValueError as exc:
                field = "severities" if "severity" in str(exc) else "thresholds"
                errors.setdefault(field, []).append(str(exc))
        try:
            validate_question_map(self.question_map)
        except ValueError as exc:
            errors.setdefault("question_map", []).append(str(exc))
        if errors:
            raise ValidationError(errors)
