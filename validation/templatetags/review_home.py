"""The team progress block of the admin home page (rendered for supervisors and managers)."""

from typing import Any

from django import template

from validation.review_screen.progress import team_progress

register = template.Library()


@register.inclusion_tag("review/home_progress.html", takes_context=True)
def team_progress_block(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"rounds": team_progress(user) if user is not None else []}
