"""`manage.py` commands of the demo: run_demo, load_demo and run_fake_kobo."""
