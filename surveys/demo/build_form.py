"""Write the demo form as an XLSForm .xlsx and as the KoBo asset content it deploys to.

Run: python -m surveys.demo.build_form  (deterministic: same bytes every run)
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from surveys.demo.form_definition import CHOICES, FORM_ID, FORM_TITLE, SURVEY, Row
from surveys.demo.locations import LOCATIONS

HERE = Path(__file__).resolve().parent
TRANSLATIONS = ["English (en)", "Russian (ru)"]
VERSIONS = {"v1": "vR3a2024feb01", "v2": "vR3b2024feb10"}
META_TYPES = {"start", "end", "today", "deviceid"}
XLSX = {"v1": HERE / "mtm_survey_r3_v1.xlsx", "v2": HERE / "mtm_survey_r3.xlsx"}
ASSET_JSON = {"v1": HERE / "mtm_survey_r3_v1.asset.json", "v2": HERE / "mtm_survey_r3.asset.json"}


def _survey(version: str) -> list[Row]:
    """Version v1 lacks the sanctions question and accepted ages from 16."""
    rows = list(SURVEY)
    if version == "v1":
        rows = [r for r in rows if r[1] != "sanctions_impact"]
        rows = [
            (t, n, en, ru, {**x, "constraint": ". >= 16 and . <= 90"})
            if n == "age"
            else (t, n, en, ru, x)
            for t, n, en, ru, x in rows
        ]
    return rows


def _choice_rows() -> list[tuple[str, str, str, str, str]]:
    """(list, name, en, ru, region) — regions and districts come from the location list."""
    rows = [(c[0], c[1], c[2], c[3], "") for c in CHOICES]
    rows += [
        ("region", loc["code"], loc["name_en"], loc["name_ru"], "")
        for loc in LOCATIONS
        if loc["kind"] in ("region", "city")
    ]
    rows += [
        ("district", loc["code"], loc["name_en"], loc["name_ru"], loc["parent_code"])
        for loc in LOCATIONS
        if loc["kind"] == "district"
    ]
    return rows


def write_xlsx(version: str, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    columns = [
        "type",
        "name",
        "label::English (en)",
        "label::Russian (ru)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "constraint_message::Russian (ru)",
        "calculation",
        "choice_filter",
        "repeat_count",
    ]
    survey.append(columns)
    for kind, name, en, ru, extra in _survey(version):
        message = extra.get("constraint_message", ("", ""))
        survey.append(
            [
                kind,
                name,
                en,
                ru,
                extra.get("required", ""),
                extra.get("relevant", ""),
                extra.get("constraint", ""),
                message[0],
                message[1],
                extra.get("calculation", ""),
                extra.get("choice_filter", ""),
                extra.get("repeat_count", ""),
            ]
        )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Russian (ru)", "region"])
    for row in _choice_rows():
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([FORM_TITLE, FORM_ID, VERSIONS[version], "English (en)"])
    for sheet in book.worksheets:  # fixed timestamps keep the file byte-identical
        sheet.sheet_properties.tabColor = None
    book.properties.created = book.properties.modified = _EPOCH
    book.save(path)


def _kuid(name: str, index: int) -> str:
    return hashlib.sha1(f"{FORM_ID}:{index}:{name}".encode()).hexdigest()[:9]  # noqa: S324


def asset_content(version: str) -> dict[str, Any]:
    """The content KPI stores after formpack normalizes the XLSForm (kobo-api.md §2)."""
    survey: list[dict[str, Any]] = []
    path: list[str] = []
    rows = _survey(version)
    ordered = [r for r in rows if r[0] in META_TYPES] + [r for r in rows if r[0] not in META_TYPES]
    for index, (kind, name, en, ru, extra) in enumerate(ordered):
        row: dict[str, Any] = {"$kuid": _kuid(name or kind, index)}
        base, _, list_name = kind.partition(" ")
        row["type"] = base
        if list_name:
            row["select_from_list_name"] = list_name
        if kind in ("end_group", "end_repeat"):
            path.pop()
            survey.append(row)
            continue
        row["name"] = name
        row["$autoname"] = name
        if en:
            row["label"] = [en, ru]
        if "required" in extra:
            row["required"] = extra["required"] == "yes"
        for column in ("relevant", "constraint", "calculation", "choice_filter", "repeat_count"):
            if extra.get(column):
                row[column] = extra[column]
        if "constraint_message" in extra:
            row["constraint_message"] = list(extra["constraint_message"])
        row["$xpath"] = "/".join([*path, name])
        survey.append(row)
        if kind in ("begin_group", "begin_repeat"):
            path.append(name)
    choices = []
    for index, (list_name, name, en, ru, region) in enumerate(_choice_rows()):
        choice: dict[str, Any] = {
            "list_name": list_name,
            "name": name,
            "label": [en, ru],
            "$kuid": _kuid(f"{list_name}.{name}", index),
            "$autovalue": name,
        }
        if region:
            choice["region"] = region
        choices.append(choice)
    return {
        "schema": "1",
        "survey": survey,
        "choices": choices,
        "settings": {
            "form_title": FORM_TITLE,
            "id_string": FORM_ID,
            "default_language": "English (en)",
        },
        "translations": TRANSLATIONS,
        "translated": ["constraint_message", "label"],
    }


def load_content(version: str = "v2") -> dict[str, Any]:
    content: dict[str, Any] = json.loads(ASSET_JSON[version].read_text(encoding="utf-8"))
    return content


def main() -> None:
    for version in VERSIONS:
        write_xlsx(version, XLSX[version])
        ASSET_JSON[version].write_text(
            json.dumps(asset_content(version), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )


_EPOCH = __import__("datetime").datetime(2024, 2, 1)

if __name__ == "__main__":
    main()
