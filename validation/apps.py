"""App config for validation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValidationConfig(AppConfig):
    name = "validation"
    verbose_name = _("Validation and review")
    default_auto_field = "django.db.models.BigAutoField"
