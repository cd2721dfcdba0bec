"""`manage.py` commands of the surveys app: sync_kobo and run_fake_kobo."""
