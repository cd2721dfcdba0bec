"""`manage.py` commands of the surveys app: sync_kobo and allocate_sample."""
