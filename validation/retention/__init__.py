"""Retention per round (``purge``) and its nightly Celery task (``tasks``)."""
