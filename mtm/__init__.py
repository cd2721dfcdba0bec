"""mtm-qc project package: exposes the Celery app so @shared_task binds on import."""

from mtm.celery import app as celery_app

__all__ = ("celery_app",)
