"""The round summary: every indicator's table over the round's counted interviews.

Counted interviews are the quota rule's (validation.quotas.alerts: active, eligible, not
excluded, not an open duplicate), within the user's scope. One streamed pass over their answers
fills every indicator at once, for the whole round and for each sex, city (the interview's
location rolled up to its city of republican significance or region) and citizenship; no
query per indicator. Each table keeps its own base (who was asked) and shows its size.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from surveys.models import Location, Round, Submission
from validation.exports.forms import round_questions, round_versions
from validation.indicators.definitions import (
    INDICATORS,
    SECTIONS,
    Indicator,
    Mapped,
    indicator_questions,
)
from validation.models import CheckConfig
from validation.quotas.alerts import counted_rows
from validation.quotas.progress import location_index
from validation.reporting import published as pub
from validation.xlsform import CompiledForm

LANGUAGES = ("en", "ru", "kk")
_LANGUAGE_NAMES = {"en": "english", "ru": "russian", "kk": "kazakh"}
TOTAL = "all"
DIMENSIONS = ("sex", "city", "citizenship")
OTHER_VALUE = "_other"  # a numeric answer outside every configured band


@dataclass(frozen=True)
class Column:
    key: str  # "all", "sex:female", "city:12", "citizenship:uz"
    dimension: str  # "all" or one of DIMENSIONS
    code: str
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class Cell:
    count: int
    percent: float | None  # of the column's base, one decimal


@dataclass(frozen=True)
class CategoryRow:
    code: str
    labels: dict[str, str]
    cells: dict[str, Cell]
    published: str | None = None  # the R3 report's figure for the whole round, if any

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class IndicatorTable:
    key: str
    section: str
    titles: dict[str, str]
    question: str
    kind: str  # single / multi / numeric
    base_texts: dict[str, str]
    base: dict[str, int]  # column key -> respondents in the base
    rows: list[CategoryRow]
    means: dict[str, float | None] = field(default_factory=dict)  # numeric: column -> mean
    mean_published: dict[str, str] = field(default_factory=dict)  # column -> printed mean

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["en"]

    def base_text(self, lang: str) -> str:
        return self.base_texts.get(lang) or self.base_texts["en"]


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    respondents: int
    columns: list[Column]
    tables: list[IndicatorTable]
    unmapped: list[str]  # indicator roles the round's form does not ask
    published_source: str | None  # the report file the "published" column quotes

    def columns_of(self, dimension: str) -> list[Column]:
        return [c for c in self.columns if c.dimension == dimension]


# -- the form's words ------------------------------------------------------------------------


def _language_key(languages: Iterable[str], lang: str) -> str | None:
    for name in languages:
        low = name.lower()
        if f"({lang})" in low or low == lang or low.startswith(_LANGUAGE_NAMES[lang]):
            return name
    return None


class Labels:
    """Choice labels in every language the round's forms have; the newest version wins."""

    def __init__(self, forms: list[CompiledForm]) -> None:
        self.forms = list(reversed(forms))

    def order(self, list_name: str) -> list[str]:
        seen: dict[str, None] = {}
        for form in self.forms:
            seen.update(dict.fromkeys(form.choices.get(list_name, {})))
        return list(seen)

    def of(self, list_name: str, code: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for form in self.forms:
            choice = form.choices.get(list_name, {}).get(code)
            if choice is None:
                continue
            for lang in LANGUAGES:
                key = _language_key(choice.labels, lang)
                if lang not in out and key and choice.labels.get(key):
                    out[lang] = choice.labels[key]
            if "en" not in out:
                out["en"] = form.choice_label(list_name, code)
        return out or {"en": code}


# -- one pass --------------------------------------------------------------------------------


@dataclass
class _Acc:
    base: Counter[str] = field(default_factory=Counter)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    numbers: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Plan:
    indicator: Indicator
    mapped: Mapped
    kind: str
    list_name: str
    base_path: str  # "" = everyone who answered
    base_values: frozenset[str]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _answer(data: Mapping[str, Any], path: str) -> str:
    value = data.get(path)
    return "" if value is None else str(value).strip()


def _categories(plan: _Plan, text: str) -> list[str]:
    if plan.kind == "multi":
        return list(dict.fromkeys(text.split()))
    if plan.kind == "numeric":
        number = _number(text)
        if number is None:
            return [text]  # "dk", "refuse": a category of its own
        if not plan.mapped.bands:
            return []
        return [next((b.label for b in plan.mapped.bands if b.holds(number)), OTHER_VALUE)]
    return [text]


def _tally(
    rows: Iterator[tuple[Any, int | None]],
    plans: list[_Plan],
    sex_path: str,
    citizenship_path: str,
    city_of: Mapping[int, int],
) -> tuple[int, dict[str, _Acc], Counter[str]]:
    accs = {p.indicator.key: _Acc() for p in plans}
    seen: Counter[str] = Counter()
    total = 0
    for data, location_id in rows:
        answers = data if isinstance(data, dict) else {}
        total += 1
        columns = [TOTAL]
        if sex := _answer(answers, sex_path):
            columns.append(f"sex:{sex}")
        if location_id is not None and location_id in city_of:
            columns.append(f"city:{city_of[location_id]}")
        if citizenship := _answer(answers, citizenship_path):
            columns.append(f"citizenship:{citizenship}")
        seen.update(columns)
        for plan in plans:
            text = _answer(answers, plan.mapped.path)
            if not text:
                continue  # not asked (or not answered): outside this indicator's base
            if plan.base_path and _answer(answers, plan.base_path) not in plan.base_values:
                continue
            acc = accs[plan.indicator.key]
            codes = _categories(plan, text)
            number = _number(text) if plan.kind == "numeric" else None
            for column in columns:
                acc.base[column] += 1
                for code in codes:
                    acc.counts[(code, column)] += 1
                if number is not None:
                    acc.sums[column] += number
                    acc.numbers[column] += 1
    return total, accs, seen


# -- the summary -----------------------------------------------------------------------------


def round_question_map(round_id: int) -> dict[str, Any]:
    """The round's active question map (as validation.selectors.question_path reads it)."""
    mapping = (
        CheckConfig.objects.filter(round_id=round_id, is_active=True)
        .values_list("question_map", flat=True)
        .first()
    )
    return mapping if isinstance(mapping, dict) else {}


def _kind(indicator: Indicator, question_type: str | None) -> str:
    if question_type is None:
        return indicator.kind
    if question_type.startswith("select_multiple"):
        return "multi"
    if question_type in ("integer", "decimal", "range"):
        return "numeric"
    return "single"


def _percent(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


def counted_answers(scope: QuerySet[Submission], round_id: int) -> QuerySet[Submission]:
    """The counted interviews of the round that the user's scope holds."""
    return scope.filter(
        form__round_id=round_id, pk__in=counted_rows(round_id).values("pk")
    ).order_by()


def round_summary(*, scope: QuerySet[Submission], round_id: int) -> RoundSummary:
    """Every indicator of the round, whole and by sex, city and citizenship."""
    round_ = Round.objects.get(pk=round_id)
    mapping = indicator_questions(round_question_map(round_id))
    questions = {q.path: q for q in round_questions(round_id)}
    labels = Labels(round_versions(round_id))
    plans: list[_Plan] = []
    unmapped: list[str] = []
    for indicator in INDICATORS:
        mapped = mapping.get(indicator.role)
        question = questions.get(mapped.path) if mapped else None
        if mapped is None or (questions and question is None):
            unmapped.append(indicator.key)
            continue
        base = mapping.get(indicator.base.role) if indicator.base.role else None
        if indicator.base.role and base is None:
            unmapped.append(indicator.key)  # its base cannot be told apart
            continue
        plans.append(
            _Plan(
                indicator=indicator,
                mapped=mapped,
                kind=_kind(indicator, question.type if question else None),
                list_name=(question.list_name or "") if question else "",
                base_path=base.path if base else "",
                base_values=frozenset(indicator.base.values),
            )
        )
    ancestors, _ = location_index()
    city_of = {pk: chain[-1] for pk, chain in ancestors.items()}
    sex_path = mapping["sex"].path if "sex" in mapping else ""
    cit_path = mapping["citizenship"].path if "citizenship" in mapping else ""
    rows = (
        counted_answers(scope, round_id)
        .values_list("data", "location_id")
        .iterator(chunk_size=1000)
    )
    total, accs, seen = _tally(rows, plans, sex_path, cit_path, city_of)

    columns = _columns(seen, labels, questions, sex_path, cit_path)
    show_published = round_.number == pub.ROUND_NUMBER and round_.country == pub.COUNTRY
    tables = [
        _table(plan, accs[plan.indicator.key], columns, labels, show_published) for plan in plans
    ]
    return RoundSummary(
        round_id=round_id,
        respondents=total,
        columns=columns,
        tables=tables,
        unmapped=unmapped,
        published_source=pub.SOURCE if show_published else None,
    )


def _columns(
    seen: Counter[str],
    labels: Labels,
    questions: Mapping[str, Any],
    sex_path: str,
    cit_path: str,
) -> list[Column]:
    def list_of(path: str) -> str:
        question = questions.get(path)
        return (question.list_name or "") if question else ""

    def codes(dimension: str) -> list[str]:
        prefix = f"{dimension}:"
        found = {k[len(prefix) :]: n for k, n in seen.items() if k.startswith(prefix)}
        return sorted(found, key=lambda c: (-found[c], c))

    out = [Column(TOTAL, TOTAL, "", {"en": "Total", "ru": "Всего", "kk": "Барлығы"})]
    sex_list = list_of(sex_path)
    order = {c: i for i, c in enumerate(labels.order(sex_list))}
    out.extend(
        Column(f"sex:{code}", "sex", code, labels.of(sex_list, code))
        for code in sorted(codes("sex"), key=lambda c: (order.get(c, len(order)), c))
    )
    places = {
        str(loc.pk): loc for loc in Location.objects.filter(pk__in=[int(c) for c in codes("city")])
    }
    for code in sorted(codes("city"), key=lambda c: places[c].name_en if c in places else c):
        loc = places.get(code)
        names = {"en": loc.name_en, "ru": loc.name_ru, "kk": loc.name_kk} if loc else {"en": code}
        out.append(Column(f"city:{code}", "city", code, {k: v for k, v in names.items() if v}))
    cit_list = list_of(cit_path)
    out.extend(
        Column(f"citizenship:{code}", "citizenship", code, labels.of(cit_list, code))
        for code in codes("citizenship")
    )
    return out


def _table(
    plan: _Plan, acc: _Acc, columns: list[Column], labels: Labels, show_published: bool
) -> IndicatorTable:
    indicator = plan.indicator
    keys = [c.key for c in columns]
    found = {code for code, _ in acc.counts}
    if plan.kind == "numeric":
        order = [b.label for b in plan.mapped.bands]
    else:
        order = labels.order(plan.list_name) if plan.list_name else []
    extra = sorted(found - set(order))
    if plan.kind != "numeric" and order:
        # Every choice of the list is shown (a zero is a finding), plus values outside it.
        codes = order + extra
    else:
        codes = [c for c in order if c in found or plan.kind == "numeric"] + extra

    def row_labels(code: str) -> dict[str, str]:
        if code == OTHER_VALUE:
            return {"en": "Outside the bands", "ru": "Вне диапазонов"}
        if plan.kind == "numeric" and code in order:
            return {"en": code}
        return labels.of(plan.list_name, code) if plan.list_name else {"en": code}

    rows = []
    for code in codes:
        names = row_labels(code)
        cells = {
            k: Cell(acc.counts[(code, k)], _percent(acc.counts[(code, k)], acc.base[k]))
            for k in keys
        }
        printed = (
            pub.published_value(indicator.key, code, names.get("en", code))
            if show_published
            else None
        )
        rows.append(CategoryRow(code=code, labels=names, cells=cells, published=printed))
    means: dict[str, float | None] = {}
    mean_published: dict[str, str] = {}
    if plan.kind == "numeric":
        for column in columns:
            n = acc.numbers[column.key]
            means[column.key] = round(acc.sums[column.key] / n, 1) if n else None
            if show_published and column.dimension == "sex":
                printed = pub.published_value(indicator.key, column.code, column.label("en"))
                if printed is not None:
                    mean_published[column.key] = printed
    return IndicatorTable(
        key=indicator.key,
        section=indicator.section,
        titles={"en": indicator.en, "ru": indicator.ru},
        question=plan.mapped.path,
        kind=plan.kind,
        base_texts={"en": indicator.base.en, "ru": indicator.base.ru},
        base={k: acc.base[k] for k in keys},
        rows=rows,
        means=means,
        mean_published=mean_published,
    )


def section_title(section: str, lang: str) -> str:
    en, ru = SECTIONS[section]
    return ru if lang == "ru" else en
