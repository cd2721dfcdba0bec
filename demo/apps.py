"""The demo app: its management commands (run_demo, load_demo, run_fake_kobo)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo"
