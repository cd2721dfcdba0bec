"""What a correction task asks: one item per question to re-ask, and whether it now passes.

An item holds the question's labels (every form language), the enumerator's answer as shown in
the form, and the non-info flags behind it at that time. It passes when none of those flags is
open any more and no new non-info flag sits on its question. A question the supervisor chose
without any flag passes once a corrected version arrives: only the enumerator can re-ask it.
An inclusion criterion's flag sits on the whole interview; it belongs to the items of the
questions the criterion reads, so its reason reaches the enumerator with them.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import get_language

from surveys.models import Submission
from validation.engine.validate import compiled_form
from validation.flags import wording
from validation.models import Flag, InclusionCriterion, Severity
from validation.privacy.masking import personal_data_for
from validation.xlsform import CompiledForm, XLSFormError

Item = dict[str, Any]
_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")


def pick_label(labels: Mapping[str, str], lang: str) -> str:
    """A label in `lang` ('ru'), given KoBo's translation names ('Russian (ru)'), else any."""
    for key, text in labels.items():
        if text and (key == lang or key.endswith(f"({lang})")):
            return text
    return next((text for text in labels.values() if text), "")


def _form(submission: Submission) -> CompiledForm | None:
    if submission.version is None:
        return None
    try:
        return compiled_form(submission.version)
    except XLSFormError:
        return None


def _answer(form: CompiledForm | None, submission: Submission, path: str) -> str:
    raw = submission.data.get(path) if path else None
    if raw is None:
        return ""
    personal = personal_data_for(form_id=submission.form_id, round_id=submission.form.round_id)
    if path in personal:
        # Tasks reach phones, e-mail, Telegram and the API: a personal answer goes masked.
        return personal.mask_answer(path, raw)
    value = str(raw)
    element = form.by_path.get(path) if form is not None else None
    if form is None or element is None or not element.list_name:
        return value
    # A select answer is shown as the enumerator saw it on the tablet.
    return ", ".join(form.choice_label(element.list_name, part) for part in value.split())


def _labels(form: CompiledForm | None, path: str) -> dict[str, str]:
    element = form.by_path.get(path) if form is not None and path else None
    labels = dict(element.labels()) if element is not None else {}
    return labels or {"": path or "Whole interview"}


def _message(flag: Flag, form: CompiledForm | None) -> str:
    """The flag's sentence; a failed constraint in the form's own words, never its XPath."""
    if flag.check_code != wording.CONSTRAINT_FAILED:
        return flag.message
    element = form.by_path.get(flag.path) if form is not None else None
    question = element.question if element is not None else None
    lang = (get_language() or "en").split("-")[0]
    messages = question.constraint_messages if question is not None else {}
    key = next((k for k in messages if k == lang or k.endswith(f"({lang})")), "")
    return wording.constraint_failed(question, key)


def reason(flag: Mapping[str, str]) -> str:
    """An item flag's sentence in the active language.

    The engine's own codes have translated words; their stored sentence is English and repeats
    the question's label, which is shown beside it.
    """
    code = flag["code"]
    if code != wording.CONSTRAINT_FAILED and code in wording.SHORT:
        return str(wording.SHORT[code]).capitalize()
    return flag["message"]


def _flag_dict(flag: Flag, form: CompiledForm | None) -> dict[str, str]:
    return {
        "code": flag.check_code,
        "path": flag.path,
        "severity": flag.severity,
        "message": _message(flag, form),
    }


def _open_flags(submission: Submission) -> list[Flag]:
    return list(
        Flag.objects.open()
        .filter(submission=submission)
        .exclude(severity=Severity.INFO)
        .order_by("check_code", "path")
    )


def criterion_paths(form: CompiledForm | None, round_id: int | None) -> dict[str, set[str]]:
    """Flag code of each inclusion criterion -> the question paths its verdict reads.

    Eligibility flags sit on the whole interview (path ''), yet each reads one question (or
    the ones its expression names): a supervisor who sends that question back sends its reason.
    """
    if form is None or round_id is None:
        return {}
    out: dict[str, set[str]] = {}
    for code, question, expression in InclusionCriterion.objects.filter(
        round_id=round_id
    ).values_list("code", "question", "expression"):
        names = {question} | set(_REFERENCE.findall(expression or ""))
        elements = (form.by_name.get(name) for name in names if name)
        out[f"eligibility.{code}"] = {e.xpath for e in elements if e is not None}
    return out


def _reads(flag: Flag, path: str, by_criterion: Mapping[str, set[str]]) -> bool:
    """The flag is about this question: on it, or a whole-interview criterion reading it."""
    if not path:
        return False
    return flag.path == path or (not flag.path and path in by_criterion.get(flag.check_code, ()))


def build_items(
    *, submission: Submission, paths: Sequence[str] = (), flag_keys: Iterable[tuple[str, str]] = ()
) -> list[Item]:
    """Items for the chosen question paths and/or flags ((code, path)), in a stable order.

    A flag on a whole interview (path '') becomes its own item, keyed by its code.
    """
    form = _form(submission)
    flags = _open_flags(submission)
    by_criterion = criterion_paths(form, submission.form.round_id)
    wanted_flags = set(flag_keys)
    items: dict[str, Item] = {}

    def item_for(path: str, key: str) -> Item:
        if key not in items:
            items[key] = {
                "path": path,
                "labels": _labels(form, path),
                "answer": _answer(form, submission, path),
                "flags": [],
                "passing": False,
            }
        return items[key]

    for path in dict.fromkeys(paths):
        item = item_for(path, path)
        item["flags"] = [_flag_dict(f, form) for f in flags if _reads(f, path, by_criterion)]
    for flag in flags:
        if (flag.check_code, flag.path) in wanted_flags:
            item = item_for(flag.path, flag.path or flag.check_code)
            entry = _flag_dict(flag, form)
            if entry not in item["flags"]:
                item["flags"].append(entry)
    return list(items.values())


def judge_items(*, submission: Submission, items: Sequence[Item]) -> list[Item]:
    """The items against the interview's current flags and answers (after re-validation)."""
    form = _form(submission)
    flags = _open_flags(submission)
    by_criterion = criterion_paths(form, submission.form.round_id)
    open_keys = {(f.check_code, f.path) for f in flags}
    judged = []
    for item in items:
        path = item["path"]
        behind = {(f["code"], f["path"]) for f in item["flags"]}
        now_on_question = [f for f in flags if _reads(f, path, by_criterion)]
        still = [
            _flag_dict(f, form)
            for f in flags
            if (f.check_code, f.path) in behind or (path and f in now_on_question)
        ]
        judged.append(
            {
                **item,
                "answer": _answer(form, submission, path),
                "previous_answer": item.get("answer", ""),
                "flags": still or item["flags"],
                "passing": not (behind & open_keys) and not now_on_question,
            }
        )
    return judged
