"""Findings in words a supervisor reads, in the screen's language (never raw XPath).

A failed constraint is told with the form's own constraint message in the chosen language;
without one, a simple numeric rule (``. >= 1 and . <= 50``) is put into words; anything else
is "outside what the form allows". The answer itself is shown next to the sentence, so the
sentence never quotes it (it may be personal data, masked there).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from validation.xlsform.model import Question

CONSTRAINT_FAILED = "skip_logic.constraint_failed"

# A short line for the findings summary; the full sentence is shown at the answer.
SHORT = {
    "skip_logic.not_relevant": gettext_lazy("answered, but should have been skipped"),
    "skip_logic.required_missing": gettext_lazy("required, but not answered"),
    CONSTRAINT_FAILED: gettext_lazy("outside what the form allows"),
    "skip_logic.invalid_choice": gettext_lazy("not one of the question's choices"),
    "skip_logic.invalid_value": gettext_lazy("not a valid value for the question"),
    "skip_logic.repeat_count_mismatch": gettext_lazy("wrong number of entries"),
}

_NUMBER = r"-?\d+(?:\.\d+)?"
_TERM = re.compile(rf"^\s*\.\s*(>=|<=|>|<|=|!=)\s*({_NUMBER})\s*$")


def _bounds(constraint: str) -> list[tuple[str, str]] | None:
    """`. >= 1 and . <= 50` -> [(">=", "1"), ("<=", "50")]; None for anything else."""
    terms = re.split(r"\s+and\s+", constraint.strip())
    found = [_TERM.match(term) for term in terms]
    if not terms or not all(found):
        return None
    return [(m.group(1), m.group(2)) for m in found if m]


def rule_in_words(constraint: str) -> str:
    """A simple numeric constraint in the active language, or "" when it is not simple."""
    bounds = _bounds(constraint) if constraint else None
    if not bounds:
        return ""
    low = next((v for op, v in bounds if op == ">="), None)
    high = next((v for op, v in bounds if op == "<="), None)
    if len(bounds) == 2 and low is not None and high is not None:
        return _("The answer must be between %(low)s and %(high)s.") % {"low": low, "high": high}
    words = {
        ">=": _("at least %(n)s"),
        "<=": _("at most %(n)s"),
        ">": _("more than %(n)s"),
        "<": _("less than %(n)s"),
        "=": _("exactly %(n)s"),
        "!=": _("anything but %(n)s"),
    }
    parts = [words[op] % {"n": value} for op, value in bounds]
    return _("The answer must be %(rule)s.") % {"rule": _(" and ").join(parts)}


def constraint_failed(question: Question | None, form_language: str) -> str:
    """Why the answer fails its question's constraint, as the form's author put it if they did."""
    messages = question.constraint_messages if question is not None else {}
    own = messages.get(form_language) or next((m for m in messages.values() if m), "")
    if own:
        return _("The form says: %(message)s") % {"message": own}
    plain = rule_in_words(question.constraint if question is not None else "")
    return plain or _("The answer is outside what the form allows for this question.")
