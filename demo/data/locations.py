"""Kazakhstan locations of the demo: regions, the three cities and their 16 districts."""

from typing import Any


def _box(lat: float, lon: float, half: float = 0.03) -> dict[str, Any]:
    """A rough square boundary (about 3 km each way) around a district centre, GeoJSON lon/lat."""
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


_REGIONS = [
    ("KZ-MAN", "Mangystau", "Мангистауская область", "Маңғыстау облысы", [], (43.65, 51.17)),
    ("KZ-ALM", "Almaty Region", "Алматинская область", "Алматы облысы", [], (44.99, 78.38)),
    (
        "KZ-KAR",
        "Karagandy",
        "Карагандинская область",
        "Қарағанды облысы",
        ["Karaganda"],
        (49.80, 73.10),
    ),
    ("KZ-KZY", "Kyzylorda", "Кызылординская область", "Қызылорда облысы", [], (44.85, 65.50)),
    ("KZ-KUS", "Kostanay", "Костанайская область", "Қостанай облысы", [], (53.21, 63.62)),
    ("KZ-AKT", "Aktobe", "Актюбинская область", "Ақтөбе облысы", [], (50.28, 57.17)),
    (
        "KZ-SEV",
        "North Kazakhstan",
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
        [],
        (54.87, 69.15),
    ),
    (
        "KZ-VOS",
        "East Kazakhstan",
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
        [],
        (49.95, 82.61),
    ),
    (
        "KZ-ZAP",
        "West Kazakhstan",
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
        [],
        (51.23, 51.37),
    ),
]
_CITIES = [
    ("KZ-ALA", "Almaty", "Алматы", "Алматы", ["Alma-Ata"], (43.238, 76.945)),
    (
        "KZ-AST",
        "Astana",
        "Астана",
        "Астана",
        ["Nur-Sultan", "Nursultan", "Akmola"],
        (51.169, 71.449),
    ),
    ("KZ-SHY", "Shymkent", "Шымкент", "Шымкент", ["Symkent", "Chimkent"], (42.317, 69.590)),
]
_DISTRICTS = [
    ("KZ-ALA-ALT", "KZ-ALA", "Alatau", "Алатауский", "Алатау", (43.28, 76.82)),
    ("KZ-ALA-ALM", "KZ-ALA", "Almaly", "Алмалинский", "Алмалы", (43.25, 76.92)),
    ("KZ-ALA-AUE", "KZ-ALA", "Auezov", "Ауэзовский", "Әуезов", (43.22, 76.85)),
    ("KZ-ALA-BOS", "KZ-ALA", "Bostandyk", "Бостандыкский", "Бостандық", (43.20, 76.91)),
    ("KZ-ALA-MED", "KZ-ALA", "Medeu", "Медеуский", "Медеу", (43.24, 76.98)),
    ("KZ-ALA-NAU", "KZ-ALA", "Nauryzbay", "Наурызбайский", "Наурызбай", (43.19, 76.80)),
    ("KZ-ALA-TUR", "KZ-ALA", "Turksib", "Турксибский", "Түрксіб", (43.33, 76.95)),
    ("KZ-ALA-ZHE", "KZ-ALA", "Zhetysu", "Жетысуский", "Жетісу", (43.29, 76.93)),
    ("KZ-AST-ALM", "KZ-AST", "Almaty", "Алматинский", "Алматы", (51.15, 71.50)),
    ("KZ-AST-BAI", "KZ-AST", "Baikonyr", "Байконурский", "Байқоңыр", (51.19, 71.42)),
    ("KZ-AST-ESI", "KZ-AST", "Esil", "Есильский", "Есіл", (51.10, 71.42)),
    ("KZ-AST-SAR", "KZ-AST", "Saryarka", "Сарыаркинский", "Сарыарқа", (51.18, 71.39)),
    ("KZ-SHY-ABA", "KZ-SHY", "Abay", "Абайский", "Абай", (42.33, 69.57)),
    ("KZ-SHY-ALF", "KZ-SHY", "Al-Farabi", "Аль-Фарабийский", "Әл-Фараби", (42.31, 69.60)),
    ("KZ-SHY-ENB", "KZ-SHY", "Enbekshi", "Енбекшинский", "Еңбекші", (42.30, 69.63)),
    ("KZ-SHY-KAR", "KZ-SHY", "Karatau", "Каратауский", "Қаратау", (42.36, 69.62)),
    ("KZ-MAN-AKT", "KZ-MAN", "Aktau city", "город Актау", "Ақтау қаласы", (43.65, 51.17)),
    ("KZ-MAN-ZHA", "KZ-MAN", "Zhanaozen city", "город Жанаозен", "Жаңаөзен қаласы", (43.34, 52.86)),
    ("KZ-ALM-KON", "KZ-ALM", "Konaev city", "город Конаев", "Қонаев қаласы", (43.87, 77.07)),
    ("KZ-ALM-TAL", "KZ-ALM", "Talgar", "Талгарский район", "Талғар ауданы", (43.30, 77.24)),
    (
        "KZ-KAR-KAR",
        "KZ-KAR",
        "Karaganda city",
        "город Караганда",
        "Қарағанды қаласы",
        (49.81, 73.09),
    ),
]

LOCATIONS: list[dict[str, Any]] = [
    {
        "code": code,
        "parent_code": None,
        "kind": kind,
        "name_en": en,
        "name_ru": ru,
        "name_kk": kk,
        "aliases": aliases,
        "centroid": centre,
        "boundary": None,
    }
    for kind, rows in (("region", _REGIONS), ("city", _CITIES))
    for code, en, ru, kk, aliases, centre in rows
] + [
    {
        "code": code,
        "parent_code": parent,
        "kind": "district",
        "name_en": en,
        "name_ru": ru,
        "name_kk": kk,
        "aliases": [],
        "centroid": centre,
        "boundary": _box(*centre) if parent in ("KZ-ALA", "KZ-AST", "KZ-SHY") else None,
    }
    for code, parent, en, ru, kk, centre in _DISTRICTS
]
DISTRICT_CODES = [row[0] for row in _DISTRICTS]
CENTROIDS = {row["code"]: row["centroid"] for row in LOCATIONS}
