"""The demo's notifications: e-mail written to files, so a returned interview's message is seen.

The demo has no mail server. Unless DJANGO_EMAIL_BACKEND chooses one, run_demo switches Django
to the file backend: each message sent (a correction opened, a reminder, a digest) lands as a
plain-text file in EMAIL_FILE_PATH (var/mail/ by default), which the demo prints at start-up.
"""

import os
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def configure_demo_mail() -> Path | None:
    """Send the demo's e-mail to files; None when the operator configured a backend."""
    if os.environ.get("DJANGO_EMAIL_BACKEND"):
        return None
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    settings.EMAIL_BACKEND = FILE_BACKEND
    return folder
