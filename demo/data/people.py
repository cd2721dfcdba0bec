"""Demo field teams of round 3: 5 supervisors, 20 enumerators (4 men, 16 women), quotas."""

from typing import Any

SUPERVISORS: list[dict[str, str]] = [
    {"username": "sup_almaty_a", "full_name": "Gulnara Sadykova", "team": "Almaty A"},
    {"username": "sup_almaty_b", "full_name": "Yerlan Tokayev", "team": "Almaty B"},
    {"username": "sup_astana_a", "full_name": "Aigerim Bekova", "team": "Astana A"},
    {"username": "sup_astana_b", "full_name": "Marat Zhaksylykov", "team": "Astana B"},
    {"username": "sup_shymkent", "full_name": "Dilnoza Yusupova", "team": "Shymkent"},
]

_TEAM_DISTRICTS = {
    "Almaty A": ["KZ-ALA-ALT", "KZ-ALA-ALM", "KZ-ALA-AUE", "KZ-ALA-BOS", "KZ-ALM-KON"],
    "Almaty B": ["KZ-ALA-MED", "KZ-ALA-NAU", "KZ-ALA-TUR", "KZ-ALA-ZHE", "KZ-ALM-TAL"],
    "Astana A": ["KZ-AST-ALM", "KZ-AST-BAI", "KZ-KAR-KAR"],
    "Astana B": ["KZ-AST-ESI", "KZ-AST-SAR"],
    "Shymkent": [
        "KZ-SHY-ABA",
        "KZ-SHY-ALF",
        "KZ-SHY-ENB",
        "KZ-SHY-KAR",
        "KZ-MAN-AKT",
        "KZ-MAN-ZHA",
    ],
}
_NAMES = [
    ("Aruzhan Nurlanovna", "female"),
    ("Madina Serikova", "female"),
    ("Yerbol Akhmetov", "male"),
    ("Saule Kassymova", "female"),
    ("Zarina Umarova", "female"),
    ("Aliya Zhumabayeva", "female"),
    ("Timur Rakhimov", "male"),
    ("Kamila Abdullayeva", "female"),
    ("Dana Ospanova", "female"),
    ("Assel Tulegenova", "female"),
    ("Nargiza Karimova", "female"),
    ("Bauyrzhan Saparov", "male"),
    ("Laura Iskakova", "female"),
    ("Zhanna Mukhamedova", "female"),
    ("Gaukhar Baimukhanova", "female"),
    ("Malika Tashkentova", "female"),
    ("Ainur Dosmukhamedova", "female"),
    ("Sanzhar Ermekov", "male"),
    ("Togzhan Aitkulova", "female"),
    ("Feruza Rasulova", "female"),
]
_TEAMS = (
    ["Almaty A"] * 4 + ["Almaty B"] * 4 + ["Astana A"] * 4 + ["Astana B"] * 3 + ["Shymkent"] * 5
)

ENUMERATORS: list[dict[str, Any]] = [
    {
        "username": f"enum{i + 1:02d}",
        "full_name": name,
        "sex": sex,
        "team": team,
        "district_codes": _TEAM_DISTRICTS[team],
    }
    for i, ((name, sex), team) in enumerate(zip(_NAMES, _TEAMS, strict=True))
]

# Round 3 targets (1,810 interviews), stratified by location and sex; each stratum splits as
# Round 3's respondents did (men 81 %, women 19 %, mtm-instrument-and-figures.md §4.1).
FEMALE_SHARE = 0.19
_TARGETS = {
    "KZ-MAN-AKT": 340,
    "KZ-MAN-ZHA": 230,
    "KZ-ALM-KON": 190,
    "KZ-ALM-TAL": 150,
    "KZ-ALA-ALT": 40,
    "KZ-ALA-ALM": 40,
    "KZ-ALA-AUE": 40,
    "KZ-ALA-BOS": 42,
    "KZ-ALA-MED": 40,
    "KZ-ALA-NAU": 40,
    "KZ-ALA-TUR": 40,
    "KZ-ALA-ZHE": 40,
    "KZ-KAR-KAR": 146,
    "KZ-SHY-ABA": 36,
    "KZ-SHY-ALF": 36,
    "KZ-SHY-ENB": 36,
    "KZ-SHY-KAR": 36,
    "KZ-AST-ALM": 72,
    "KZ-AST-BAI": 72,
    "KZ-AST-ESI": 72,
    "KZ-AST-SAR": 72,
}
QUOTAS: list[dict[str, Any]] = [
    {"location_code": code, "sex": sex, "target": share}
    for code, total in _TARGETS.items()
    for sex, share in (
        ("male", total - round(total * FEMALE_SHARE)),
        ("female", round(total * FEMALE_SHARE)),
    )
]
