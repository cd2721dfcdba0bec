"""App config for validation."""

from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "validation"
    verbose_name = "Validation and review"
    default_auto_field = "django.db.models.BigAutoField"
