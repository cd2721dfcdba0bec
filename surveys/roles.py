"""The three roles as Django groups, with the permissions each needs and no more.

Every migration that adds models calls sync_role_groups() again, so grants follow the schema.
"""

from typing import Any

DATA_MANAGER = "Data manager"
SUPERVISOR = "Supervisor"
ENUMERATOR = "Enumerator"

# app_label -> model -> actions. Data managers set rounds up; supervisors read the set-up and
# review interviews; enumerators never enter the admin (their pages check the role instead).
_SURVEYS_ALL = ("add", "change", "delete", "view")
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    DATA_MANAGER: {
        "surveys": {
            "round": _SURVEYS_ALL,
            "location": _SURVEYS_ALL,
            "quota": _SURVEYS_ALL,
            "team": _SURVEYS_ALL,
            "enumerator": _SURVEYS_ALL,
            "koboserver": _SURVEYS_ALL,
            "koboform": _SURVEYS_ALL,
            "formversion": ("view",),
            "submission": ("view", "change"),
            "synccursor": ("view",),
            "syncrun": ("view",),
            "syncissue": ("view", "change"),
            "importjob": ("view",),  # background imports and their row errors
            "retentionpolicy": ("add", "change", "view"),  # how long a round keeps answers
            "purgerun": ("view",),  # the purge audit: read-only
            "baselinefigure": _SURVEYS_ALL,  # BMA counts: derived from KIs or imported
            "baselineinputs": ("view",),
        },
        "django_celery_beat": {
            "periodictask": _SURVEYS_ALL,
            "intervalschedule": _SURVEYS_ALL,
            "crontabschedule": _SURVEYS_ALL,
        },
        "validation": {
            "flag": ("view", "change"),
            "inclusioncriterion": _SURVEYS_ALL,
            "eligibility": ("view",),
            "interviewreview": ("view", "change"),
            "reviewevent": ("view",),
            "checkconfig": _SURVEYS_ALL,
            "correctionpolicy": _SURVEYS_ALL,
            "correctiontask": ("view", "change"),
            "notification": ("view",),
            "accesslog": ("view",),  # who saw what: data managers only
        },
        "auth": {"user": ("view",)},
    },
    SUPERVISOR: {
        "surveys": {
            "round": ("view",),
            "location": ("view",),
            "quota": ("view",),
            "baselinefigure": ("view",),
            "team": ("view",),
            "enumerator": ("view",),
            "koboform": ("view",),
            "submission": ("view",),
        },
        "validation": {
            "flag": ("view",),
            "inclusioncriterion": ("view",),
            "eligibility": ("view",),
            "interviewreview": ("view", "change"),
            "reviewevent": ("view",),
            "checkconfig": ("view",),
            "correctiontask": ("view",),  # a new return renews the due time
            "notification": ("view",),
        },
    },
    ENUMERATOR: {},
}


def sync_role_groups(apps: Any) -> None:
    """Create the groups and set exactly their permissions (run from data migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Permissions are normally created after all migrations; make them exist now.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for app_label, models in grants.items():
            codenames = [
                f"{action}_{model}" for model, actions in models.items() for action in actions
            ]
            # Apps migrated later are granted by their own migration calling this again.
            permissions += list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(permissions)
