"""Read a form into one row shape, whether it comes from a KoBo asset or an XLSForm workbook.

KoBo's asset content is the spreadsheet already normalised by formpack (type split from
`select_from_list_name`, translated columns as lists, `required` as a boolean); an `.xlsx` is
read with openpyxl and normalised the same way, so one builder serves both.
"""

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from validation.xlsform.errors import XLSFormError

TRANSLATED = ("label", "hint", "constraint_message", "required_message")
_ALIASES = {
    "relevance": "relevant",
    "calculate": "calculation",
    "required_message": "required_message",
    "constraint message": "constraint_message",
    "repeat count": "repeat_count",
    "choice filter": "choice_filter",
    "list name": "list_name",
}
_TYPE_ALIASES = {
    "begin group": "begin_group",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
    "begin_looped_group": "begin_repeat",
    "end_looped_group": "end_repeat",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select_one_external": "select_one_external",
    "add select one prompt using": "select_one",
    "add select multiple prompt using": "select_multiple",
}
_SELECT = re.compile(
    r"^(select_one|select_multiple|rank|select_one_from_file|select_multiple_from_file)\s+(\S+)"
    r"(?:\s+(or_other))?$"
)
# pyxform (which builds the XForm KoBo deploys) straightens these in every cell.
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}


@dataclass
class Row:
    """One survey row: `labels` etc. map a language ('' when unnamed) to text."""

    type: str
    name: str
    list_name: str | None = None
    or_other: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    constraint_messages: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    required: bool | str = False
    calculation: str = ""
    choice_filter: str = ""
    repeat_count: str = ""
    default: str = ""
    line: int = 0


@dataclass
class ChoiceRow:
    list_name: str
    name: str
    labels: dict[str, str]
    columns: dict[str, str]


@dataclass
class FormSource:
    rows: list[Row]
    choices: list[ChoiceRow]
    languages: list[str]
    default_language: str
    title: str = ""
    form_id: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().translate(_SMART_QUOTES)


def _required(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    return text


def _language(header: str) -> str:
    """'label::English (en)' -> 'English (en)'; 'label' -> ''."""
    for sep in ("::", ":"):
        if sep in header:
            return header.split(sep, 1)[1].strip()
    return ""


# -- KoBo asset content -----------------------------------------------------------------------


def from_asset_content(content: Any) -> FormSource:
    """KoBo asset (or asset version) `content`, or a whole asset/version JSON holding one."""
    if (
        isinstance(content, dict)
        and "survey" not in content
        and isinstance(content.get("content"), dict)
    ):
        content = content["content"]
    if not isinstance(content, dict) or not isinstance(content.get("survey"), list):
        raise XLSFormError("KoBo form content must be an object with a 'survey' list")
    translations = content.get("translations") or [None]
    if not isinstance(translations, list):
        raise XLSFormError("KoBo form content: 'translations' must be a list")
    languages = [t or "" for t in translations]
    settings = content.get("settings") or {}
    if isinstance(settings, list):  # the flattened spreadsheet form keeps settings as rows
        settings = settings[0] if settings else {}
    default = _text(settings.get("default_language")) or languages[0]

    def translated(cell: Any) -> dict[str, str]:
        if cell is None:
            return {}
        if isinstance(cell, list):
            return {lang: _text(text) for lang, text in zip(languages, cell, strict=False) if text}
        return {languages[0]: _text(cell)}

    rows = []
    for line, raw in enumerate(content["survey"], start=2):
        if not isinstance(raw, dict):
            raise XLSFormError(f"survey row {line - 1} is not an object")
        kind = _TYPE_ALIASES.get(_text(raw.get("type")), _text(raw.get("type")))
        list_name = _text(raw.get("select_from_list_name")) or None
        or_other = False
        match = _SELECT.match(kind)
        if match:  # an un-normalised "select_one list" type
            kind, list_name, or_other = match.group(1), match.group(2), bool(match.group(3))
        if kind.endswith("_or_other"):
            kind, or_other = kind.removesuffix("_or_other"), True
        rows.append(
            Row(
                type=kind,
                name=_text(raw.get("name") or raw.get("$autoname")),
                list_name=list_name,
                or_other=or_other,
                labels=translated(raw.get("label")),
                constraint_messages=translated(raw.get("constraint_message")),
                relevant=_text(raw.get("relevant")),
                constraint=_text(raw.get("constraint")),
                required=_required(raw.get("required")),
                calculation=_text(raw.get("calculation")),
                choice_filter=_text(raw.get("choice_filter")),
                repeat_count=_text(raw.get("repeat_count")),
                default=_text(raw.get("default")),
                line=line,
            )
        )
    choices = []
    for raw in content.get("choices") or []:
        if not isinstance(raw, dict):
            raise XLSFormError("a choices row is not an object")
        skip = {"list_name", "name", "label", "$kuid", "$autovalue"}
        choices.append(
            ChoiceRow(
                list_name=_text(raw.get("list_name")),
                name=_text(
                    raw.get("name") if raw.get("name") is not None else raw.get("$autovalue")
                ),
                labels=translated(raw.get("label")),
                columns={
                    k: _text(v) for k, v in raw.items() if k not in skip and not k.startswith("$")
                },
            )
        )
    return FormSource(
        rows=rows,
        choices=choices,
        languages=languages,
        default_language=default if default in languages else languages[0],
        title=_text(settings.get("form_title")),
        form_id=_text(settings.get("id_string") or settings.get("form_id")),
    )


# -- XLSForm workbook -------------------------------------------------------------------------


def _sheet(workbook: Any, name: str) -> list[dict[str, Any]] | None:
    for title in workbook.sheetnames:
        if title.strip().lower() == name:
            rows = workbook[title].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                return []
            keys = [_text(h) for h in header]
            out = []
            for values in rows:
                record = {k: v for k, v in zip(keys, values, strict=False) if k and v is not None}
                out.append(record)
            return out
    return None


def from_xlsx(path: Path) -> FormSource:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise XLSFormError(f"{path.name} is not a readable .xlsx workbook: {exc}") from None
    try:
        survey = _sheet(workbook, "survey")
        if survey is None:
            raise XLSFormError(f"{path.name} has no 'survey' sheet")
        choices = _sheet(workbook, "choices") or _sheet(workbook, "external_choices") or []
        settings_rows = _sheet(workbook, "settings") or [{}]
    finally:
        workbook.close()
    return from_sheets(survey, choices, settings_rows[0] if settings_rows else {})


def from_sheets(
    survey: list[dict[str, Any]], choices: list[dict[str, Any]], settings: dict[str, Any]
) -> FormSource:
    """Normalise spreadsheet rows (header -> cell) to the asset-content shape."""
    languages: list[str] = []
    for record in [*survey, *choices]:
        for key in record:
            base = re.split(r"::?", key, maxsplit=1)[0].strip().lower()
            if base in TRANSLATED and _language(key) not in languages:
                languages.append(_language(key))
    languages = languages or [""]
    if "" in languages and len(languages) > 1:
        languages.remove("")
        languages.append("")
    content_survey = []
    for record in survey:
        row: dict[str, Any] = {}
        for key, value in record.items():
            base = re.split(r"::?", key, maxsplit=1)[0].strip().lower()
            base = _ALIASES.get(base, base)
            if base in TRANSLATED:
                row.setdefault(base, [None] * len(languages))[languages.index(_language(key))] = (
                    _text(value)
                )
            else:
                row[base] = value
        if not _text(row.get("type")):
            continue
        row["type"] = " ".join(_text(row["type"]).split())
        content_survey.append(row)
    content_choices = []
    for record in choices:
        row = {}
        for key, value in record.items():
            base = re.split(r"::?", key, maxsplit=1)[0].strip().lower()
            base = _ALIASES.get(base, base)
            if base == "label":
                row.setdefault("label", [None] * len(languages))[
                    languages.index(_language(key))
                ] = _text(value)
            else:
                row[key.strip()] = value
        if _text(row.get("list_name")):
            content_choices.append(row)
    default = _text(settings.get("default_language"))
    return from_asset_content(
        {
            "survey": content_survey,
            "choices": content_choices,
            "translations": languages,
            "settings": {
                "default_language": default if default in languages else "",
                "form_title": settings.get("form_title"),
                "id_string": settings.get("form_id"),
            },
        }
    )


def read_form_file(path: Path) -> FormSource:
    """An `.xlsx` XLSForm, or a JSON file with KoBo asset / asset version content."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return from_xlsx(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise XLSFormError(f"{path.name} is neither an .xlsx workbook nor UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise XLSFormError(f"{path.name} is not valid JSON: {exc}") from None
    return from_asset_content(payload)
