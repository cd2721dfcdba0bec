#!/bin/sh
# Run one role of the service: web (migrates first), worker or beat.
set -eu
role="${1:-web}"
case "$role" in
  web)
    python manage.py migrate --noinput
    exec gunicorn mtm.wsgi --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" --access-logfile -
    ;;
  worker)
    exec celery -A mtm worker --loglevel INFO -Q default,sync,validation,notifications \
      --concurrency "${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A mtm beat --loglevel INFO \
      --scheduler django_celery_beat.schedulers:DatabaseScheduler
    ;;
  *)
    exec "$@"
    ;;
esac
