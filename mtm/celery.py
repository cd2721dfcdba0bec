"""The Celery application; configuration comes from Django settings (CELERY_ namespace)."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtm.settings")

app = Celery("mtm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_named(name: str) -> Task:
    """The registered task called `name`, loading the configured task modules first if needed.

    By name, a service queues a task whose module imports that service (no cycle, no
    function-level import); a management command's process has not loaded them yet.
    """
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]
