"""Addresses of the review screen: /admin/review/<KoBo ID>/, the interview's public number.

KoBo's `_id` is what field teams see in KoBo, in the API (`interview`), the exports and the
correction messages, so the screen is addressed by it too. It is unique on one KoBo server
only, so a link that must land on exactly one row (a form's action, a redirect after a
decision) also names the form: `?form=<id>`. A typed address without it opens the one
interview of that number the user may see, or lists them when there are several.
"""

from django.urls import reverse

from surveys.models import Submission


def screen_url(submission: Submission, view: str = "screen", *, exact: bool = True) -> str:
    url = reverse(f"review:{view}", args=[submission.kobo_id])
    return f"{url}?form={submission.form_id}" if exact else url
