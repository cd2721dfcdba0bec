"""The questions of a round's survey forms, across every version seen (for headers and labels)."""

from surveys.models import FormVersion, KoboForm
from validation.engine.validate import compiled_form
from validation.xlsform import CompiledForm, Question, XLSFormError


def round_versions(round_id: int) -> list[CompiledForm]:
    """Compiled survey-form versions of the round, oldest first; broken ones are skipped."""
    versions = FormVersion.objects.filter(
        form__round_id=round_id, form__instrument=KoboForm.Instrument.SURVEY
    ).order_by("date_deployed", "pk")
    compiled = []
    for version in versions:
        try:
            compiled.append(compiled_form(version))
        except (XLSFormError, ValueError, KeyError, TypeError):
            continue  # a version that cannot be compiled adds no columns; its answers still export
    return compiled


def round_questions(round_id: int) -> list[Question]:
    """Every question path of the round's forms once, in form order, newer additions last."""
    seen: dict[str, Question] = {}
    for form in round_versions(round_id):
        for question in form.questions:
            seen.setdefault(question.path, question)
    return list(seen.values())
