"""The demo key-informant (BMA) form: the KoBo asset content, in ki_form.asset.json.

One interview per key informant: who they are, where, whether each target population is
present, then a repeat group of years with counts per population, total and by sex when the
informant knows it (the field names surveys.baseline reads). Run this module to rewrite the
JSON after editing the lists below.
"""

import json
from pathlib import Path
from typing import Any

KI_ASSET_UID = "aMTMkzBMAki2024"
KI_ASSET_NAME = "MTM Kazakhstan – Baseline Mobility Assessment (key informants)"
KI_VERSION = "vKIbma2024a"
ASSET_JSON = Path(__file__).with_name("ki_form.asset.json")

_POPULATIONS = (
    ("mw", "International migrant workers", "Иностранные трудовые мигранты"),
    ("rm", "Return migrants (Kazakh nationals back from abroad)", "Вернувшиеся мигранты"),
    ("em", "Emigrants (Kazakh nationals living abroad)", "Эмигранты"),
)
_ROLES = (
    ("local_authority", "Local authority (akimat)", "Местная власть (акимат)"),
    ("community_leader", "Community leader", "Лидер сообщества"),
    ("teacher", "Teacher", "Учитель"),
    ("religious_leader", "Religious leader", "Религиозный лидер"),
    ("other", "Other", "Другое"),
)


def _q(kind: str, name: str, path: str, en: str, ru: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": name, "$xpath": path, "label": [en, ru], **extra}


def asset_content() -> dict[str, Any]:
    survey: list[dict[str, Any]] = [
        {"type": "start", "name": "start", "$xpath": "start"},
        {"type": "end", "name": "end", "$xpath": "end"},
        {"type": "today", "name": "today", "$xpath": "today"},
        {"type": "begin_group", "name": "ki", "$xpath": "ki", "label": ["Informant", "Информант"]},
        _q("text", "enumerator", "ki/enumerator", "Enumerator", "Интервьюер", required=True),
        _q("text", "region", "ki/region", "Region code", "Код области", required=True),
        _q("text", "district", "ki/district", "District code", "Код района", required=True),
        _q(
            "select_one",
            "role",
            "ki/role",
            "Informant's role",
            "Роль информанта",
            select_from_list_name="ki_role",
            required=True,
        ),
        _q(
            "select_one",
            "informant_sex",  # not "sex": the survey's respondent-sex question
            "ki/informant_sex",
            "Informant's sex",
            "Пол информанта",
            select_from_list_name="ki_sex",
        ),
        {"type": "end_group"},
        {
            "type": "begin_group",
            "name": "presence",
            "$xpath": "presence",
            "label": ["Presence", "Присутствие"],
        },
    ]
    for prefix, en, ru in _POPULATIONS:
        survey.append(
            _q(
                "select_one",
                f"{prefix}_present",
                f"presence/{prefix}_present",
                f"Are there {en.lower()} in this location?",
                f"{ru}: есть в этом месте?",
                select_from_list_name="yes_no_dk",
                required=True,
            )
        )
    survey += [
        {"type": "end_group"},
        {
            "type": "begin_repeat",
            "name": "years",
            "$xpath": "years",
            "label": ["Counts per year", "Численность по годам"],
        },
        _q(
            "integer",
            "year",
            "years/year",
            "Year",
            "Год",
            required=True,
            constraint=". >= 2015 and . <= 2030",
        ),
    ]
    for prefix, en, ru in _POPULATIONS:
        relevant = f"${{{prefix}_present}} = 'yes'"
        for part, part_en, part_ru in (
            ("total", "in all", "всего"),
            ("male", "men", "мужчины"),
            ("female", "women", "женщины"),
        ):
            survey.append(
                _q(
                    "integer",
                    f"{prefix}_{part}",
                    f"years/{prefix}_{part}",
                    f"{en}: {part_en}",
                    f"{ru}: {part_ru}",
                    relevant=relevant,
                    constraint=". >= 0",
                )
            )
    survey.append({"type": "end_repeat"})
    choices = [{"list_name": "ki_role", "name": name, "label": [en, ru]} for name, en, ru in _ROLES]
    choices += [
        {"list_name": "ki_sex", "name": "male", "label": ["Male", "Мужской"]},
        {"list_name": "ki_sex", "name": "female", "label": ["Female", "Женский"]},
        {"list_name": "yes_no_dk", "name": "yes", "label": ["Yes", "Да"]},
        {"list_name": "yes_no_dk", "name": "no", "label": ["No", "Нет"]},
        {"list_name": "yes_no_dk", "name": "dk", "label": ["Don't know", "Не знаю"]},
    ]
    return {
        "schema": "1",
        "survey": survey,
        "choices": choices,
        "settings": {"form_title": KI_ASSET_NAME, "id_string": "mtm_kz_bma_ki"},
        "translations": ["English (en)", "Russian (ru)"],
        "translated": ["label"],
    }


def load_content() -> dict[str, Any]:
    content: dict[str, Any] = json.loads(ASSET_JSON.read_text(encoding="utf-8"))
    return content


if __name__ == "__main__":
    ASSET_JSON.write_text(
        json.dumps(asset_content(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
