"""Write the demo form as an XLSForm .xlsx and as the KoBo asset content it deploys to.

Run: python -m demo.data.build_form  (deterministic: same bytes every run). That writes the
committed Round 3 files (two versions). Another round's variant, with that round's answer bands
from its codebook: python -m demo.data.build_form --round 1 --out DIR
"""

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from demo.data.codebook import Codebook, load_codebook
from demo.data.form_definition import CHOICES, DK, REFUSE, SURVEY, ChoiceRow, Row
from demo.data.locations import LOCATIONS

HERE = Path(__file__).resolve().parent
TRANSLATIONS = ["English (en)", "Russian (ru)", "Kazakh (kk)"]
DEFAULT_ROUND = 3
VERSIONS = load_codebook(DEFAULT_ROUND).versions
META_TYPES = {"start", "end", "today", "deviceid"}
XLSX = {"v1": HERE / "mtm_survey_r3_v1.xlsx", "v2": HERE / "mtm_survey_r3.xlsx"}
ASSET_JSON = {"v1": HERE / "mtm_survey_r3_v1.asset.json", "v2": HERE / "mtm_survey_r3.asset.json"}
# Band lists that take "don't know" / "do not want to answer" (as the reports print them).
_BANDS_WITH_DK = ("income", "remit_share")
_EPOCH = dt.datetime(2024, 2, 1)  # noqa: DTZ001 - openpyxl stores naive document times


def _remit_constraint(codebook: Codebook) -> str:
    """0-100 and inside the band the respondent chose (bands from the round's codebook)."""
    bands = " or ".join(
        f"(${{remit_share_band}} = '{c.name}' and {c.interval.xpath()})"
        for c in codebook.lists["remit_share"]
        if c.interval is not None
    )
    return f". >= 0 and . <= 100 and ({bands})"


def _survey(version: str, codebook: Codebook | None = None) -> list[Row]:
    """Version v1 (R3 only) lacks the sanctions question and accepted ages from 16."""
    codebook = codebook or load_codebook(DEFAULT_ROUND)
    rows: list[Row] = []
    for kind, name, en, ru, kk, extra in SURVEY:
        if name == "remit_share":
            extra = {**extra, "constraint": _remit_constraint(codebook)}
        if version == "v1" and name == "sanctions_impact":
            continue
        if version == "v1" and name == "age":
            extra = {**extra, "constraint": ". >= 16 and . <= 90"}
        rows.append((kind, name, en, ru, kk, extra))
    return rows


def _choice_rows(codebook: Codebook | None = None) -> list[tuple[str, str, str, str, str, str]]:
    """(list, name, en, ru, kk, region): the fixed lists, the round's bands, then locations."""
    codebook = codebook or load_codebook(DEFAULT_ROUND)
    rows = [(*c, "") for c in CHOICES]
    dk_rows = [c[1:] for c in CHOICES if c[0] == "yesno_dk" and c[1] in (DK, REFUSE)]
    for list_name, items in codebook.lists.items():
        band_rows: list[ChoiceRow] = [(list_name, c.name, *c.labels) for c in items]
        if list_name in _BANDS_WITH_DK:
            band_rows += [(list_name, *item) for item in dk_rows]
        rows += [(*r, "") for r in band_rows]
    rows += [
        ("region", loc["code"], loc["name_en"], loc["name_ru"], loc["name_kk"], "")
        for loc in LOCATIONS
        if loc["kind"] in ("region", "city")
    ]
    rows += [
        (
            "district",
            loc["code"],
            loc["name_en"],
            loc["name_ru"],
            loc["name_kk"],
            loc["parent_code"],
        )
        for loc in LOCATIONS
        if loc["kind"] == "district"
    ]
    return rows


def write_xlsx(version: str, path: Path, codebook: Codebook | None = None) -> None:
    from openpyxl import Workbook

    codebook = codebook or load_codebook(DEFAULT_ROUND)
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    languages = [f"::{t}" for t in TRANSLATIONS]
    survey.append(
        [
            "type",
            "name",
            *[f"label{lang}" for lang in languages],
            *[f"hint{lang}" for lang in languages],
            "required",
            "relevant",
            "constraint",
            *[f"constraint_message{lang}" for lang in languages],
            "calculation",
            "choice_filter",
            "repeat_count",
        ]
    )
    for kind, name, en, ru, kk, extra in _survey(version, codebook):
        message = extra.get("constraint_message", ("", "", ""))
        survey.append(
            [
                kind,
                name,
                en,
                ru,
                kk,
                *extra.get("hint", ("", "", "")),
                extra.get("required", ""),
                extra.get("relevant", ""),
                extra.get("constraint", ""),
                *message,
                extra.get("calculation", ""),
                extra.get("choice_filter", ""),
                extra.get("repeat_count", ""),
            ]
        )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label{lang}" for lang in languages], "region"])
    for row in _choice_rows(codebook):
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([codebook.title, codebook.form_id, codebook.versions[version], TRANSLATIONS[0]])
    for sheet in book.worksheets:  # fixed timestamps keep the file byte-identical
        sheet.sheet_properties.tabColor = None
    book.properties.created = book.properties.modified = _EPOCH
    book.save(path)


def _kuid(form_id: str, name: str, index: int) -> str:
    return hashlib.sha1(f"{form_id}:{index}:{name}".encode()).hexdigest()[:9]  # noqa: S324


def asset_content(version: str, codebook: Codebook | None = None) -> dict[str, Any]:
    """The content KPI stores after formpack normalizes the XLSForm (kobo-api.md §2)."""
    codebook = codebook or load_codebook(DEFAULT_ROUND)
    form_id = codebook.form_id
    survey: list[dict[str, Any]] = []
    path: list[str] = []
    rows = _survey(version, codebook)
    ordered = [r for r in rows if r[0] in META_TYPES] + [r for r in rows if r[0] not in META_TYPES]
    for index, (kind, name, en, ru, kk, extra) in enumerate(ordered):
        row: dict[str, Any] = {"$kuid": _kuid(form_id, name or kind, index)}
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
            row["label"] = [en, ru, kk]
        if "required" in extra:
            row["required"] = extra["required"] == "yes"
        for column in ("relevant", "constraint", "calculation", "choice_filter", "repeat_count"):
            if extra.get(column):
                row[column] = extra[column]
        for column in ("hint", "constraint_message"):
            if column in extra:
                row[column] = list(extra[column])
        row["$xpath"] = "/".join([*path, name])
        survey.append(row)
        if kind in ("begin_group", "begin_repeat"):
            path.append(name)
    choices = []
    for index, (list_name, name, en, ru, kk, region) in enumerate(_choice_rows(codebook)):
        choice: dict[str, Any] = {
            "list_name": list_name,
            "name": name,
            "label": [en, ru, kk],
            "$kuid": _kuid(form_id, f"{list_name}.{name}", index),
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
            "form_title": codebook.title,
            "id_string": form_id,
            "default_language": TRANSLATIONS[0],
        },
        "translations": TRANSLATIONS,
        "translated": ["constraint_message", "hint", "label"],
    }


def load_content(version: str = "v2") -> dict[str, Any]:
    content: dict[str, Any] = json.loads(ASSET_JSON[version].read_text(encoding="utf-8"))
    return content


def _write_asset(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build(round_number: int = DEFAULT_ROUND, out: Path | None = None) -> list[Path]:
    """Write the round's form files; the default round goes to the committed paths."""
    codebook = load_codebook(round_number)
    written: list[Path] = []
    for version in codebook.versions:
        if out is None and round_number == DEFAULT_ROUND:
            xlsx, asset = XLSX[version], ASSET_JSON[version]
        else:
            folder = out or HERE
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"mtm_survey_r{round_number}" + ("" if version == "v2" else f"_{version}")
            xlsx, asset = folder / f"{stem}.xlsx", folder / f"{stem}.asset.json"
        write_xlsx(version, xlsx, codebook)
        _write_asset(asset, asset_content(version, codebook))
        written += [xlsx, asset]
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", type=int, default=DEFAULT_ROUND, help="codebook round")
    parser.add_argument("--out", type=Path, help="folder for another round's files")
    args = parser.parse_args(argv)
    for path in build(args.round, args.out):
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
