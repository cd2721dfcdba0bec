"""Django admin of the validation app; importing this package registers every ModelAdmin.

``review`` (check configuration, flags, eligibility, the review queue), ``criteria`` (inclusion
criteria and their published presets), ``access_log`` (the access log page); the correction
workflow's admin lives with it in validation.corrections.admin.
"""

from validation.admin import access_log, criteria, review
from validation.corrections import admin as corrections

__all__ = ["access_log", "corrections", "criteria", "review"]
