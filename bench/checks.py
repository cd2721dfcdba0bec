"""Benchmark of validation.checks on synthetic MTM interviews with planted problems.

Usage: .venv/bin/python bench/checks.py [--n 100000] [--rounds 4] [--seed 7]
Prints time per check, total time, peak RSS, and recall/precision on planted repeat
respondents and near-duplicates (and hit rates on the other planted problems).
"""

import argparse
import functools
import os
import random
import resource
import sys
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.identifiers import encode
from validation.checks.registry import CHECKS, run_checks

ALMATY = ZoneInfo("Asia/Almaty")
# 16 city districts as boxes (lat_min, lat_max, lon_min, lon_max); cities are far apart.
CITIES = {
    "ALA": (43.20, 76.85, ["ALT", "ALM", "AUE", "BOS", "MED", "NAU", "TUR", "ZHE"]),
    "AST": (51.13, 71.40, ["ALM", "BAI", "ESI", "SAR"]),
    "SHY": (42.32, 69.60, ["ABA", "FAR", "ENB", "KAR"]),
}
BOX = 0.04  # degrees per district box side (~4 km)
NATIONALITIES = ["uz"] * 45 + ["tj"] * 20 + ["kg"] * 20 + ["ru"] * 8 + ["cn"] * 3 + ["az", "tm"] * 2


def _w(text: str) -> list[str]:
    return text.split()


# Names as a Russian-speaking registrar would write them, per nationality: male and female
# first names and (male) surnames, commonest first. Uzbek and Tajik letters (ў, қ, ғ, ҳ, ҷ)
# appear as a national spelling would have them; enumerators without them type у, к, г, х.
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "uz": (
        _w(
            "Шерзод Дилшод Жасур Бекзод Отабек Азиз Рустам Фаррух Улуғбек Шоҳрух Нодир Сардор "
            "Жамшид Бобур Акмал Анвар Баҳодир Даврон Элдор Фахриддин Икром Ислом Жаҳонгир "
            "Камол Лазиз Мансур Мурод Нурбек Ойбек Расул Санжар Темур Умид Зафар Хуршид "
            "Шуҳрат Алишер Абдулла Ботир Ўткир Ғайрат Илҳом Хусан Ҳасан Дониёр Жавлон Аброр "
            "Элёр"
        ),
        _w(
            "Дилноза Гулнора Мадина Нилуфар Шаҳноза Зарина Феруза Моҳира Нигора Умида Севара "
            "Дилфуза Гулчеҳра Мафтуна Нодира Малика Камола Лола Барно Юлдуз Ситора Шоира "
            "Ҳилола Зулфия Мунира Дилором Саодат Гўзал Муаззам Наргиза"
        ),
        _w(
            "Каримов Раҳимов Юсупов Абдуллаев Аҳмедов Алиев Исмоилов Турсунов Ҳасанов Усмонов "
            "Эргашев Норматов Султонов Мирзаев Холматов Рашидов Саидов Назаров Тошматов "
            "Жўраев Мамадалиев Убайдуллаев Йўлдошев Қодиров Ҳайдаров Бобоев Иброҳимов "
            "Файзуллаев Шарипов Расулов Зокиров Абдураҳмонов Исаев Камолов Олимов Умаров "
            "Маҳмудов Собиров Тўхтаев Ғаниев Эшонқулов Қурбонов Ёқубов Нуриддинов Хўжаев"
        ),
    ),
    "tj": (
        _w(
            "Фирдавс Беҳруз Комрон Диловар Сиёвуш Парвиз Фаридун Шаҳром Умед Ҷамшед Рустам "
            "Суҳроб Далер Меҳрубон Исмоил Абдураҳмон Навруз Файзулло Хуршед Амирхон Баҳтиёр "
            "Зафар Саидҷон Шерали Манучеҳр Ҷонибек Абдуллоҳ Фаррух Раҷаб Идибек"
        ),
        _w(
            "Мадина Зарина Нигина Шабнам Малика Меҳрангез Фарзона Гулноза Дилором Таҳмина "
            "Сабрина Парвина Муниса Манижа Ситора Шаҳло Зебо Гулбаҳор"
        ),
        _w(
            "Раҳмонов Назаров Сафаров Шарипов Давлатов Қодиров Ҷалолов Саидов Мирзоев Холов "
            "Каримов Файзуллоев Исмоилов Бобоев Азизов Шоев Юсуфов Одинаев Ғуломов Ҳакимов "
            "Султонов Ашуров Зиёев Ғафуров Қурбонов Абдуллоев Норов Раҷабов Сангинов "
            "Тағоймуродов"
        ),
    ),
    "kg": (
        _w(
            "Азамат Бакыт Нурлан Айбек Эрмек Кубанычбек Улан Мирлан Бектур Эрлан Талант "
            "Нурбек Жыргалбек Алмаз Адилет Элдияр Мелис Арстан Чынгыз Темирлан Нурсултан "
            "Самат Бекзат Канат Медер"
        ),
        _w(
            "Айжан Айгерим Чолпон Назгуль Айпери Жылдыз Гульмира Бурул Айнура Асель Нургуль "
            "Динара Мээрим Канышай Бактыгуль Жибек Элиза Айзада"
        ),
        _w(
            "Асанов Усенов Токтогулов Маматов Жумабаев Абдыкадыров Турдубаев Сыдыков "
            "Токтосунов Осмонов Джумалиев Бекмуратов Кадыров Мамытов Алымбеков Шамшиев "
            "Эсенгулов Ибраимов Ташиев Мусаев Орозбаев Султанов Сатыбалдиев Бообеков Акматов "
            "Эшмаматов"
        ),
    ),
    "ru": (
        _w(
            "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Николай "
            "Владимир Артём Денис Павел Роман Игорь Юрий Виктор Олег"
        ),
        _w(
            "Елена Ольга Наталья Татьяна Ирина Светлана Юлия Анна Мария Екатерина Людмила "
            "Галина Оксана Марина"
        ),
        _w(
            "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
            "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев "
            "Орлов Зайцев"
        ),
    ),
    "cn": (
        _w("Вэй Лэй Цзюнь Цян Тао Мин Хао Юн Бо Пэн"),
        _w("Фан На Янь Цзин Мин Ли Хуэй Лин Сюэ Мэй"),
        _w("Ван Ли Чжан Лю Чэнь Ян Чжао Хуан Чжоу У Сюй Сунь"),
    ),
    "az": (
        _w("Эльвин Рашад Фарид Орхан Турал Рамиль Эльчин Самир Вугар Руслан"),
        _w("Айсель Гюнель Лейла Нигяр Севиндж Айтен Нармин Конул"),
        _w("Алиев Мамедов Гасанов Гусейнов Кулиев Исмаилов Ахмедов Джафаров Аббасов Рзаев"),
    ),
    "tm": (
        _w("Мердан Берды Сердар Довлет Мекан Агамырат Батыр Нуры Бегенч Мырат"),
        _w("Огулджан Айна Мяхри Дженнет Гулялек Огулнабат Мая Сельби"),
        _w("Атаев Бердыев Ходжаев Овезов Аннаев Мурадов Чарыев Гурбанов Оразов Нурыев"),
    ),
}


def _patronymic_surname(father: str) -> str:
    """Surnames were made from an ancestor's name: Карим -> Каримов, Алишер -> Алишеров."""
    if father.endswith(("й", "ь")):
        return father[:-1] + "ев"
    if father.endswith(("а", "я", "о", "и", "ы")):
        return father + "ев"
    return father + ("ев" if father.endswith(("ж", "ш", "ч", "щ", "ц")) else "ов")


# Past the listed (commonest) surnames, rarer ones made from the group's men's names, plain
# and compound (Нурбеков, Ахмаджонов, Жумабаев), as Central Asian surnames were.
_COMPOUND = {"uz": ("бек", "жон"), "tj": ("жон", "зода"), "kg": ("бек", "ба"), "tm": ("ба",)}
for _nationality, (_males, _, _surnames) in NAMES.items():
    if _nationality != "cn":
        _stems = _males + [m + c for c in _COMPOUND.get(_nationality, ()) for m in _males]
        _made = [m if m.endswith("зода") else _patronymic_surname(m) for m in _stems]
        _surnames += [s for s in _made if s not in _surnames]

# Latin spellings of Cyrillic letters, one table per habit: passport (BGN-like), Uzbek Latin,
# English-by-ear. Letters not listed are spelt as in the passport table.
_PASSPORT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяўқғҳҷңөүәіұ",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya u q gh h j "
        "ng o u a i u".replace("_", "").split(" "),
        strict=True,
    )
)
LATIN = {
    "passport": _PASSPORT,
    "uzbek": _PASSPORT
    | {"х": "x", "ж": "j", "ц": "s", "ў": "o'", "ғ": "g'", "ҳ": "h", "ё": "yo", "э": "e"},
    "english": _PASSPORT
    | {"х": "h", "ж": "j", "й": "i", "ю": "iu", "я": "ia", "ё": "io", "ы": "i", "қ": "k", "ғ": "g"},
}
PLAIN_CYRILLIC = str.maketrans("ўқғҳҷңөүәіұ", "укгхжнөүаиу")  # a Russian keyboard's stand-ins
LATIN_KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
CYRILLIC_KEYS = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]
KZ_PREFIXES = _w("700 701 702 705 707 708 747 771 775 776 777 778")
HOME_PHONES = {
    "uz": ("998", _w("90 91 93 94 95 97 98 99 33 88"), 7),
    "tj": ("992", _w("90 91 92 93 98 55 50 88"), 7),
    "kg": ("996", _w("555 700 701 707 770 772 220 550"), 6),
    "ru": ("7", _w("903 905 909 915 916 926 985"), 7),
}
DK, REFUSE = "98", "99"
NUMERIC = ["d/income_kzt", "d/household_size", "d/remit_share"]
# Facts about the respondent that the MTM questionnaire asks and that do not change between two
# interviews of one round (B. profile, C. migration): a repeat respondent gives them again,
# now and then differently (a recall slip, a child born, "secondary" vs "vocational").
FACTS = ["b/marital", "b/education", "b/children", "c/origin_region", "c/first_arrival_year"]
MARITAL = (["married", "single", "divorced", "widowed", "other"], [60, 30, 5, 3, 2])
EDUCATION = (["none", "primary", "secondary", "vocational", "higher"], [3, 10, 50, 22, 15])
# Regions of origin per nationality (Uzbekistan's 14 regions, Tajikistan's 5, …).
REGIONS = {"uz": 14, "tj": 5, "kg": 9, "ru": 20, "cn": 5, "az": 10, "tm": 6}
LIKERT = [f"e/sat_{i}" for i in range(6)]


def _zipf(rng: random.Random, items: list[str]) -> str:
    # Name frequencies are uneven (Zipf): the commonest first name of a nationality is 8-14% of
    # its men (20% in the small groups), the commonest surname 6-9%.
    return rng.choices(items, cum_weights=_cumulative(len(items)))[0]


@functools.cache
def _cumulative(n: int) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-0.5
        out.append(total)
    return out


KEY = b"bench-respondent-identifier"


def _feminine(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин")) else surname


def _patronymic(rng: random.Random, father: str, sex: str, nationality: str) -> str:
    if nationality in ("uz", "tj") and rng.random() < 0.5:
        return f"{father} {'ўғли' if sex == 'male' else 'қизи'}"
    stem = father[:-1] + "е" if father.endswith(("й", "а", "я")) else father + "о"
    return stem + ("вич" if sex == "male" else "вна")


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the finger in one word: a letter dropped, doubled, swapped or mistyped."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        return text
    i = rng.choice(long)
    word, pos = words[i], rng.randrange(1, len(words[i]) - 1)
    op = rng.choice(("drop", "double", "swap", "key"))
    if op == "drop":
        word = word[:pos] + word[pos + 1 :]
    elif op == "double":
        word = word[:pos] + word[pos] + word[pos:]
    elif op == "swap":
        word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
    else:
        rows = CYRILLIC_KEYS if word[pos].lower() in "".join(CYRILLIC_KEYS) else LATIN_KEYS
        row = next((r for r in rows if word[pos].lower() in r), None)
        if row:
            k = row.index(word[pos].lower())
            near = [row[j] for j in (k - 1, k + 1) if 0 <= j < len(row)]
            word = word[:pos] + rng.choice(near) + word[pos + 1 :]
    words[i] = word
    return " ".join(words)


def _phone_number(rng: random.Random, nationality: str) -> tuple[str, str]:
    """(country code, national number): a Kazakh SIM mostly, else one from home."""
    if nationality in HOME_PHONES and rng.random() < 0.35:
        country, prefixes, rest = HOME_PHONES[nationality]
    else:
        country, prefixes, rest = "7", KZ_PREFIXES, 7
    digits = "".join(rng.choice("0123456789") for _ in range(rest))
    return country, rng.choice(prefixes) + digits


def _written_phone(rng: random.Random, number: tuple[str, str], typo: bool) -> str:
    """The number as an enumerator typed it: with or without country code, spaced or not."""
    country, national = number
    if typo:
        digits = list(national)
        pos = rng.randrange(1, len(digits) - 1)
        if rng.random() < 0.5:
            digits[pos] = rng.choice([d for d in "0123456789" if d != digits[pos]])
        else:
            digits[pos], digits[pos + 1] = digits[pos + 1], digits[pos]
        national = "".join(digits)
    spaced = f"{national[:3]} {national[3:6]} {national[6:8]} {national[8:]}".strip()
    if country == "7":
        return rng.choice(
            (
                f"+7 {spaced}",
                f"8{national}",
                f"8 ({national[:3]}) {national[3:6]}-{national[6:]}",
                national,
                f"+7{national}",
            )
        )
    return rng.choice(
        (f"+{country} {spaced}", f"{country}{national}", spaced, f"+{country}{national}")
    )


def districts() -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for city, (lat, lon, names) in CITIES.items():
        for k, name in enumerate(names):
            row, col = divmod(k, 4)
            lat0, lon0 = lat + row * BOX, lon + col * BOX
            boxes[f"KZ-{city}-{name}"] = (lat0, lat0 + BOX, lon0, lon0 + BOX)
    return boxes


def _polygon(box: tuple[float, float, float, float]) -> dict[str, Any]:
    lat0, lat1, lon0, lon1 = box
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


class World:
    """The generator: people, enumerators, teams, and the truth about what was planted."""

    def __init__(self, n: int, rounds: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n, self.rounds = n, rounds
        self.boxes = districts()
        self.teams = {
            "ALA-1": ("ALA", (time(14), time(22))),
            "ALA-2": ("ALA", (time(9), time(18))),
            "AST-1": ("AST", (time(9), time(18))),
            "SHY-1": ("SHY", (time(14), time(22))),
        }
        names = list(self.teams)
        self.enumerators = {f"enum{i:02d}": names[i % len(names)] for i in range(20)}
        # How each enumerator writes names: script and spelling, word order, patronymic, case.
        rng = self.rng
        self.habits: dict[str, dict[str, Any]] = {
            e: {
                "script": rng.choices(("cyrillic", "plain", "latin"), (45, 15, 40))[0],
                "latin": rng.choice(list(LATIN)),
                "surname_first": rng.random() < 0.6,
                "patronymic": rng.uniform(0, 0.5),
                "upper": rng.random() < 0.3,
            }
            for e in self.enumerators
        }
        self.questions = self._questions()
        self.truth: dict[str, set[Any]] = defaultdict(set)
        self.tags: dict[frozenset[int], list[str]] = {}
        self.recorded: dict[str, Any] = {}
        self.next_id = 1

    def _questions(self) -> list[tuple[str, list[str], list[float]]]:
        rng, out = self.rng, []
        for i in range(56):
            options = [str(c) for c in range(1, rng.randint(2, 7))]
            weights = [rng.random() ** 2 + 0.02 for _ in options]
            out.append((f"{'bcde'[i % 4]}/q{i:02d}", options, weights))
        return out

    def round_dates(self, round_id: int) -> tuple[date, date]:
        first = date(2023, 1, 10) + timedelta(days=120 * (round_id - 1))
        return first, first + timedelta(days=59)

    def person(self, relative_of: dict[str, Any] | None = None) -> dict[str, Any]:
        """A respondent; a relative shares the surname and region of origin, and often the
        phone, the arrival (and first arrival year) or the education."""
        rng = self.rng
        sex = "male" if rng.random() < 0.7 else "female"
        nationality = relative_of["nationality"] if relative_of else rng.choice(NATIONALITIES)
        males, females, surnames = NAMES[nationality]
        surname = relative_of["surname"] if relative_of else _zipf(rng, surnames)
        person: dict[str, Any] = {
            "sex": sex,
            "age": min(60, 18 + int(rng.gammavariate(2.2, 6))),
            "nationality": nationality,
            "arrival": date(2016, 1, 1) + timedelta(days=rng.randrange(2900)),
            "phone": _phone_number(rng, nationality) if rng.random() < 0.8 else None,
            "first": _zipf(rng, males if sex == "male" else females),
            "surname": surname,
            "father": _zipf(rng, males),
            "gives_name": rng.random() < 0.92,
        }
        person["facts"] = self._facts(person)
        if relative_of:
            if rng.random() < 0.4:
                person["phone"] = relative_of["phone"]  # one family phone
            if rng.random() < 0.5:
                person["arrival"] = relative_of["arrival"]  # came together
                person["facts"]["c/first_arrival_year"] = relative_of["facts"][
                    "c/first_arrival_year"
                ]
            person["facts"]["c/origin_region"] = relative_of["facts"]["c/origin_region"]
            if rng.random() < 0.5:
                person["facts"]["b/education"] = relative_of["facts"]["b/education"]
        return person

    def _facts(self, person: dict[str, Any]) -> dict[str, str]:
        """Marital status, education, children, region of origin, first arrival in Kazakhstan."""
        rng = self.rng
        marital = rng.choices(*MARITAL)[0]
        if marital == "single":
            children = 0 if rng.random() < 0.9 else 1
        else:
            children = min(8, int(rng.gammavariate(1.5, (person["age"] - 14) / 12)))
        regions = [
            f"{person['nationality']}-{k:02d}" for k in range(REGIONS[person["nationality"]])
        ]
        arrived = person["arrival"].year
        return {
            "b/marital": marital,
            "b/education": rng.choices(*EDUCATION)[0],
            "b/children": str(children),
            "c/origin_region": _zipf(rng, regions),
            # Half are on their first trip; the others first came some years before.
            "c/first_arrival_year": str(
                arrived if rng.random() < 0.5 else max(2000, arrived - rng.randint(1, 8))
            ),
        }

    def _recorded_facts(self, facts: dict[str, str]) -> dict[str, str]:
        """The facts as one interview recorded them: a slip in one in twenty, a refusal rarely."""
        rng, out = self.rng, {}
        for key, value in facts.items():
            roll = rng.random()
            if roll < 0.02:
                value = rng.choice((DK, REFUSE))
            elif roll < 0.07:
                if key in ("b/children", "c/first_arrival_year"):
                    value = str(abs(int(value) + rng.choice((-1, 1))))
                elif key == "b/marital":
                    value = rng.choice([m for m in MARITAL[0] if m != value])
                elif key == "b/education":
                    levels = EDUCATION[0]
                    k = levels.index(value)
                    value = levels[k + 1] if k + 1 < len(levels) else levels[k - 1]
                else:
                    value = f"{value[:3]}{rng.randrange(REGIONS[value[:2]]):02d}"
            out[key] = value
        return out

    def _name(self, person: dict[str, Any], enumerator: str, first: str | None = None) -> str:
        """The name as this enumerator writes it, with the odd typo."""
        rng, habit = self.rng, self.habits[enumerator]
        sex, nationality = person["sex"], person["nationality"]
        surname = person["surname"] if sex == "male" else _feminine(person["surname"])
        given = first or person["first"]
        words = [surname, given] if habit["surname_first"] else [given, surname]
        if nationality != "cn" and rng.random() < habit["patronymic"]:
            words.append(_patronymic(rng, person["father"], sex, nationality))
        text = " ".join(words).lower()
        if habit["script"] == "plain":
            text = text.translate(PLAIN_CYRILLIC)
        elif habit["script"] == "latin":
            table = LATIN[habit["latin"]]
            text = "".join(table.get(ch, ch) for ch in text)
        if rng.random() < 0.1:
            text = _typo(rng, text)
        return text.upper() if habit["upper"] else text.title()

    def interview(self, round_id: int, person: dict[str, Any], enumerator: str) -> Interview:
        rng = self.rng
        team = self.enumerators[enumerator]
        city, (open_at, close_at) = self.teams[team]
        location = rng.choice([c for c in self.boxes if c.startswith(f"KZ-{city}-")])
        lat0, lat1, lon0, lon1 = self.boxes[location]
        first, _ = self.round_dates(round_id)
        day = first + timedelta(days=rng.randrange(60))
        minutes = max(16.0, rng.lognormvariate(3.7, 0.3))
        latest = (close_at.hour - open_at.hour) * 60 - minutes - 5
        begin = datetime.combine(day, open_at, ALMATY) + timedelta(
            minutes=rng.uniform(0, max(latest, 1))
        )
        end = begin + timedelta(minutes=minutes)
        answers = self._answers(person) | self._recorded_facts(person["facts"])
        # What this interview recorded: ages from a birth year are one off now and then,
        # arrival dates are recalled to the day, to the week, or only to the month.
        age = person["age"] + (rng.choice((-1, 1)) if rng.random() < 0.2 else 0)
        arrival, roll = person["arrival"], rng.random()
        if roll < 0.3:
            arrival += timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 7))
        elif roll < 0.45:
            arrival = arrival.replace(day=1)
        phone_typo = person["phone"] is not None and rng.random() < 0.03
        phone = _written_phone(rng, person["phone"], phone_typo) if person["phone"] else None
        name = (
            self._name(person, enumerator, person.get("nickname")) if person["gives_name"] else None
        )
        self.recorded = {"phone_typo": phone_typo, "name": name}
        ids = encode(KEY, phone=phone, name=name)
        iv = Interview(
            id=self.next_id,
            kobo_id=100_000 + self.next_id,
            root_uuid=f"uuid:r{self.next_id}",
            instance_id=f"uuid:i{self.next_id}",
            form_id=round_id,
            round_id=round_id,
            enumerator=enumerator,
            team=team,
            location=location,
            sex=person["sex"]
            if rng.random() > 0.003
            else "female"
            if person["sex"] == "male"
            else "male",
            age=age,
            nationality=person["nationality"],
            arrival_date=arrival,
            start=begin,
            end=end,
            submitted=(end + timedelta(hours=rng.uniform(0.1, 72))).astimezone(UTC),
            gps=(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1), 800.0, rng.uniform(3, 40)),
            phone_hash=ids.phone_hash,
            name_hash=ids.name_hash,
            answers=answers,
            answered=len(answers),
            phone_keys=ids.phone_keys,
            name_parts=ids.name_parts,
        )
        self.next_id += 1
        return iv

    def _answers(self, person: dict[str, Any]) -> dict[str, str]:
        rng = self.rng
        answers = {"start": "x", "end": "x", "meta/instanceID": "x"}
        employed = rng.random() < 0.8
        for key, options, weights in self.questions:
            if key.startswith("d/") and not employed:
                continue  # skip logic: employment questions only for the employed
            roll = rng.random()
            answers[key] = (
                DK if roll < 0.02 else REFUSE if roll < 0.03 else rng.choices(options, weights)[0]
            )
        if employed:
            answers["d/income_kzt"] = str(round(rng.lognormvariate(12.0, 0.35), -3))
            answers["d/remit_share"] = str(rng.randint(0, 80))
        answers["d/household_size"] = str(max(1, int(rng.gauss(4, 1.5))))
        likert = rng.choices("12345", k=len(LIKERT))
        answers.update(zip(LIKERT, likert, strict=True))
        return {k: v for k, v in answers.items() if k not in ("start", "end", "meta/instanceID")}

    def build(self) -> list[Interview]:
        rng, per_round = self.rng, self.n // self.rounds
        out: list[Interview] = []
        for round_id in range(1, self.rounds + 1):
            people: list[tuple[dict[str, Any], Interview]] = []
            for _ in range(per_round):
                person = self.person()
                iv = self.interview(round_id, person, rng.choice(list(self.enumerators)))
                iv = self._plant(iv)
                people.append((person, iv))
                out.append(iv)
                if rng.random() < 0.02:
                    out.append(self._repeat(round_id, person, iv))
                if rng.random() < 0.02:
                    relative = self._relative(round_id, person)
                    self.truth["relative"].add(frozenset((iv.id, relative.id)))
                    out.append(relative)
                if rng.random() < 0.01:
                    out.append(self._copy(iv))
        return out

    def _plant(self, iv: Interview) -> Interview:
        rng, roll = self.rng, self.rng.random()
        if iv.start is None or iv.end is None:
            return iv
        if roll < 0.02:
            self.truth["too_short"].add(iv.id)
            return replace(iv, end=iv.start + timedelta(minutes=rng.uniform(3, 10)))
        if roll < 0.04:
            night = iv.start.replace(hour=23, minute=rng.randrange(50))
            self.truth["outside_hours"].add(iv.id)
            moved = night - iv.start
            return replace(iv, start=night, end=iv.end + moved, submitted=iv.submitted + moved)
        if roll < 0.06 and iv.gps is not None:
            self.truth["gps_outside"].add(iv.id)
            return replace(iv, gps=(iv.gps[0] + 0.5, iv.gps[1] + 0.5, None, 10.0))
        if roll < 0.065 and "d/income_kzt" in iv.answers:
            self.truth["outlier"].add(iv.id)
            answers = dict(iv.answers) | {"d/income_kzt": "9000000"}
            return replace(iv, answers=answers)
        return iv

    def _repeat(self, round_id: int, person: dict[str, Any], first: Interview) -> Interview:
        """The same respondent met again through snowball sampling, elsewhere, by someone else.

        The second interview records the person afresh (its own age, arrival and spelling
        noise, by an enumerator with other writing habits); besides, the person may have had a
        birthday, changed SIM card or give no number, withhold the name or give a nickname.
        """
        rng = self.rng
        again = dict(person)
        first_recorded = self.recorded
        tags = []
        if rng.random() < 0.15:
            again["age"] = person["age"] + 1  # a birthday between the two interviews
        if person["phone"] and rng.random() < 0.4:  # new SIM card or no number given this time
            new = rng.random() < 0.6
            again["phone"] = _phone_number(rng, person["nationality"]) if new else None
            tags.append("phone: new SIM" if new else "phone: not given again")
        if person["gives_name"] and rng.random() < 0.05:
            again["gives_name"] = False
            tags.append("name: withheld again")
        elif person["gives_name"] and rng.random() < 0.03:
            males, females, _ = NAMES[person["nationality"]]
            pool = males if person["sex"] == "male" else females
            again["nickname"] = rng.choice([n for n in pool if n != person["first"]])
            tags.append("name: nickname")
        others = [e for e in self.enumerators if e != first.enumerator]
        enumerator = rng.choice(others)
        iv = self.interview(round_id, again, enumerator)
        if first_recorded["phone_typo"] or self.recorded["phone_typo"]:
            tags.append("phone: typo")
        if not person["phone"]:
            tags.append("phone: none")
        if not person["gives_name"]:
            tags.append("name: none")
        elif first_recorded["name"] and self.recorded["name"]:
            script = {
                self.habits[first.enumerator or ""]["script"],
                self.habits[enumerator]["script"],
            }
            tags.append(
                "name: Cyrillic and Latin"
                if len(script & {"latin"}) and len(script) > 1
                else "name: same script"
            )
        pair = frozenset((first.id, iv.id))
        self.truth["repeat"].add(pair)
        self.tags[pair] = tags
        return iv

    def _relative(self, round_id: int, person: dict[str, Any]) -> Interview:
        """A brother, sister or spouse: another respondent (not a repeat) who looks alike."""
        enumerator = self.rng.choice(list(self.enumerators))
        return self.interview(round_id, self.person(person), enumerator)

    def _copy(self, source: Interview) -> Interview:
        """A fabricated interview: an enumerator's own interview copied with a few changes."""
        rng = self.rng
        copy = self.interview(source.round_id, self.person(), source.enumerator or "enum00")
        answers = dict(source.answers)
        for key in rng.sample(sorted(answers), rng.randint(1, 2)):
            answers[key] = "5" if answers[key] != "5" else "4"
        copy = replace(
            copy,
            answers=answers,
            answered=len(answers),
            sex=source.sex,
            age=source.age,
            nationality=source.nationality,
            arrival_date=source.arrival_date,
        )
        self.truth["copy"].add(frozenset((source.id, copy.id)))
        return copy

    def context(self) -> CheckContext:
        return CheckContext(
            fieldwork_start=date(2023, 1, 10),
            fieldwork_end=self.round_dates(self.rounds)[1],
            now=datetime(2025, 1, 1, tzinfo=UTC),
            working_hours={team: hours for team, (_, hours) in self.teams.items()},
            timezone=ALMATY,
            boundaries={code: _polygon(box) for code, box in self.boxes.items()},
            centroids={},
            numeric_questions=NUMERIC,
            dk_values=frozenset({DK}),
            refuse_values=frozenset({REFUSE}),
            straightline_blocks=[LIKERT],
            respondent_facts=FACTS,
            params={},
        )


def _pairs(findings: list[Finding], code: str, key: str) -> set[frozenset[int]]:
    pairs = set()
    for f in findings:
        if f.code == code:
            for other in f.values[key]:
                pairs.add(frozenset((f.interview_id, other["id"] if key == "matches" else other)))
    return pairs


def _report(name: str, found: set[Any], truth: set[Any], accepted: set[Any]) -> None:
    hits = len(found & truth)
    recall = hits / len(truth) if truth else float("nan")
    precision = len(found & accepted) / len(found) if found else float("nan")
    print(
        f"{name:<22} planted {len(truth):>6}  flagged {len(found):>6}  "
        f"recall {recall:.3f}  precision {precision:.3f}"
    )


def _share_identifier(pair: frozenset[int], by_id: dict[int, Interview]) -> bool:
    a, b = (by_id[i] for i in pair)
    return bool(
        (a.phone_hash and a.phone_hash == b.phone_hash)
        or (a.name_hash and a.name_hash == b.name_hash)
    )


def _threshold_curve(interviews: list[Interview], ctx: CheckContext, truth: dict[str, Any]) -> None:
    """Recall/precision of duplicate.respondent at other min_score settings (one run)."""
    low = replace(
        ctx,
        params={"duplicate.respondent": {"min_score": 0.05}},
        enabled=frozenset({"duplicate.respondent"}),
    )
    scored: dict[frozenset[int], float] = {}
    for f in run_checks(interviews, low):
        if f.code == "duplicate.respondent":
            for m in f.values["matches"]:
                scored[frozenset((f.interview_id, m["id"]))] = m["score"]
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9):
        found = {pair for pair, score in scored.items() if score >= threshold}
        accepted = truth["repeat"] | truth["copy"]
        _report(f"  min_score {threshold:.1f}", found, truth["repeat"], accepted)


def _compare(fresh: list[Finding], full: list[Finding]) -> str:
    """How findings differ: not at all, in their scores only, or in what is flagged."""
    if fresh == full:
        return "the same findings"

    def flagged(f: Finding) -> tuple[Any, ...]:
        if f.code == "duplicate.respondent":  # whom it names, not the scores
            return (f.interview_id, f.code, tuple(sorted(m["id"] for m in f.values["matches"])))
        return (f.interview_id, f.code, f.path, repr(f.values))

    a, b = set(map(flagged, fresh)), set(map(flagged, full))
    exact = sum((Counter(map(repr, fresh)) & Counter(map(repr, full))).values())
    scores = sum(1 for f in fresh if flagged(f) in b) - exact
    return (
        f"{exact} of {len(full)} findings identical, {scores} differ in their scores only, "
        f"{len(a ^ b)} in what they flag ({len(b - a)} missed, {len(a - b)} extra)"
    )


# Issue #19's targets: every check over 100,000 interviews, and the run after 200 new arrive.
TARGET_FULL_S, TARGET_INCREMENTAL_S = 15.0, 2.0


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, this process's CPU seconds): CPU time is what other engineers'
    work on a shared machine inflates least."""
    wall, cpu = clock.perf_counter(), clock.process_time()
    result = work()
    return result, clock.perf_counter() - wall, clock.process_time() - cpu


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--new", type=int, default=200, help="interviews arriving last")
    parser.add_argument("--per-check", action="store_true", help="time each check alone too")
    parser.add_argument("--curve", action="store_true", help="duplicate.respondent thresholds")
    args = parser.parse_args()
    print(_load(), flush=True)
    started = clock.perf_counter()
    world = World(args.n, args.rounds, args.seed)
    interviews = world.build()
    ctx = world.context()
    built_mb = _peak_mb()
    print(
        f"built {len(interviews)} interviews in {clock.perf_counter() - started:.1f} s "
        f"(peak RSS {built_mb:.0f} MB)",
        flush=True,
    )
    if args.per_check:
        for check in CHECKS:
            count, wall, cpu = _timed(
                functools.partial(lambda c: sum(1 for _ in c.run(interviews, ctx)), check)
            )
            print(
                f"  {type(check).__name__:<22} {wall:6.2f} s ({cpu:.2f} s CPU) {count:>7} findings"
            )
    findings, full_wall, full_cpu = _timed(lambda: run_checks(interviews, ctx))
    print(f"run_checks: {len(findings)} findings in {full_wall:.1f} s ({full_cpu:.1f} s CPU)")
    by_code: dict[str, int] = defaultdict(int)
    for f in findings:
        by_code[f.code] += 1
    for code, count in sorted(by_code.items()):
        print(f"  {code:<34} {count:>7}")
    truth = world.truth
    repeats = _pairs(findings, "duplicate.respondent", "matches")
    _report("repeat respondents", repeats, truth["repeat"], truth["repeat"] | truth["copy"])
    by_id = {iv.id: iv for iv in interviews}
    identified = {pair for pair in truth["repeat"] if _share_identifier(pair, by_id)}
    _report("  sharing phone/name", repeats & identified, identified, truth["repeat"])
    by_tag: dict[str, set[frozenset[int]]] = defaultdict(set)
    for pair, tags in world.tags.items():
        for tag in tags or ["(no variant)"]:
            by_tag[tag].add(pair)
    for tag, pairs in sorted(by_tag.items()):
        print(f"  {tag:<28} {len(pairs):>5} pairs  recall {len(pairs & repeats) / len(pairs):.3f}")
    no_phone = {"phone: new SIM", "phone: not given again", "phone: none"}
    no_name = {"name: none", "name: withheld again", "name: nickname"}
    identifiable = {
        pair
        for pair, tags in world.tags.items()
        if not (no_phone & set(tags) and no_name & set(tags))
    }
    _report("  same number or name", repeats & identifiable, identifiable, truth["repeat"])
    rest = truth["repeat"] - identifiable
    _report("  neither number nor name", repeats & rest, rest, truth["repeat"])
    relatives = truth["relative"]
    print(f"  relatives flagged as repeats: {len(relatives & repeats)} of {len(relatives)}")
    if args.curve:
        _threshold_curve(interviews, ctx, truth)
    copies = _pairs(findings, "fabrication.near_duplicate", "other_ids")
    _report("near-duplicates", copies, truth["copy"], truth["copy"])
    for code, planted in (
        ("duration.too_short", "too_short"),
        ("timing.outside_hours", "outside_hours"),
        ("gps.outside_district", "gps_outside"),
        ("outlier.value", "outlier"),
    ):
        flagged = {f.interview_id for f in findings if f.code == code}
        _report(code, flagged, truth[planted], truth[planted])
    # The interviews built last (the latest round's, with their repeats and copies) arrive
    # after the others were checked: the run judges them and every block they reach.
    new = {iv.id for iv in interviews[-args.new :]}
    expected = [f for f in findings if f.interview_id in new]
    # Estimating afresh (the anchor): the round's matcher estimated with the new interviews in.
    afresh, afresh_wall, afresh_cpu = _timed(
        lambda: run_checks(interviews, replace(ctx, memo={}, kept={}), only_ids=new)
    )
    same = "the same as" if afresh == expected else "DIFFERENT FROM"
    print(
        f"200 new, estimating afresh: {len(afresh)} findings, {same} the full run's, "
        f"{afresh_wall:.2f} s wall, {afresh_cpu:.2f} s CPU"
    )
    # As production runs: the estimates kept by the previous run over the older interviews
    # (only the respondent matcher keeps any; the other checks' findings there are not used).
    older = replace(ctx, memo={}, kept={}, enabled=frozenset({"duplicate.respondent"}))
    run_checks(interviews[: -args.new], older)
    warm = replace(ctx, memo={}, kept=dict(older.kept))
    fresh, inc_wall, inc_cpu = _timed(lambda: run_checks(interviews, warm, only_ids=new))
    redone = sum(1 for r, e in warm.kept.items() if older.kept.get(r) is not e)
    print(
        f"incremental: {len(fresh)} findings on the {len(new)} new with the estimates kept "
        f"from the older {len(interviews) - len(new)} ({redone} round(s) re-estimated); "
        f"against a full re-run: {_compare(fresh, expected)}"
    )
    _report(
        "  repeats (new, kept)",
        _pairs(fresh, "duplicate.respondent", "matches"),
        {p for p in truth["repeat"] if p & new},
        truth["repeat"] | truth["copy"],
    )
    print(_load())
    print(
        f"FIGURES n={len(interviews)}: all checks {full_wall:.1f} s wall, {full_cpu:.1f} s CPU "
        f"(target <= {TARGET_FULL_S:g} s); {len(new)} new {inc_wall:.2f} s wall, "
        f"{inc_cpu:.2f} s CPU (target <= {TARGET_INCREMENTAL_S:g} s; estimating afresh "
        f"{afresh_cpu:.2f} s CPU, ratio {afresh_cpu / inc_cpu:.2f}x); "
        f"peak RSS {_peak_mb():.0f} MB ({built_mb:.0f} MB after building)"
    )


if __name__ == "__main__":
    main()
