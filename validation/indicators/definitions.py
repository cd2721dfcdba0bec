"""The round summary's indicators: each defined once, by role, base and how it is tabulated.

An indicator names a question *role*, not a question: the round's check configuration maps
roles to the form's question paths (``question_map["indicators"]``), so a round whose form
renames or adds questions changes configuration, not code. Categories come from the form's
choice list (its labels, in every language the form has); a numeric question is shown as a mean,
and in bands only when the round's configuration gives them (answer bands move between rounds).

The base of an indicator is who was asked: interviews that hold an answer to its question
(KoBo stores no answer to a question that was not relevant), narrowed where the reports state a
narrower base (remittance share among senders). Each table shows its base's size and wording.
"""

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["single", "multi", "numeric"]


@dataclass(frozen=True)
class Base:
    """Who an indicator is computed over, beyond 'answered its question'."""

    en: str
    ru: str
    role: str = ""  # the interview is in the base when this role's answer is one of `values`
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    key: str
    role: str  # question role, resolved through the round's question map
    kind: Kind  # single / multi come from the form's question type when it is known
    section: str
    en: str
    ru: str
    base: Base


ALL = Base("Respondents asked the question", "Респонденты, которым задан вопрос")
EMPLOYED = Base(
    "Employed respondents asked the question",
    "Работающие респонденты, которым задан вопрос",
    role="employment_status",
    values=("working",),
)
SENDERS = Base(
    "Respondents who send money home",
    "Респонденты, отправляющие деньги домой",
    role="sends_money",
    values=("yes",),
)
PREVIOUSLY_EMPLOYED = Base(
    "Respondents who worked before migrating",
    "Респонденты, работавшие до миграции",
    role="worked_before",
    values=("yes",),
)
DISSATISFIED = Base(
    "Dissatisfied respondents",
    "Недовольные респонденты",
    role="satisfaction",
    values=("dissatisfied", "very_dissatisfied"),
)

SECTIONS: dict[str, tuple[str, str]] = {
    "profile": ("Sociodemographic profile", "Социально-демографический профиль"),
    "migration": ("Migration experience and intentions", "Миграционный опыт и намерения"),
    "employment": ("Employment and income", "Занятость и доход"),
    "remittances": ("Remittances", "Денежные переводы"),
    "wellbeing": ("General well-being in Kazakhstan", "Общее благополучие в Казахстане"),
}


def _i(key: str, kind: Kind, section: str, en: str, ru: str, base: Base = ALL) -> Indicator:
    return Indicator(key=key, role=key, kind=kind, section=section, en=en, ru=ru, base=base)


# In the order of the R3 report (mtm-instrument-and-figures.md §4.1).
INDICATORS: tuple[Indicator, ...] = (
    _i("sex", "single", "profile", "Sex", "Пол"),
    _i("age", "numeric", "profile", "Age (mean)", "Возраст (средний)"),
    _i("dual_citizenship", "single", "profile", "Dual citizenship", "Двойное гражданство"),
    _i("citizenship", "single", "profile", "Citizenship", "Гражданство"),
    _i("marital_status", "single", "profile", "Marital status", "Семейное положение"),
    _i("education", "single", "profile", "Education", "Образование"),
    _i("education_field", "single", "profile", "Field of education", "Область образования"),
    _i("household_provider", "single", "profile", "Main or sole provider", "Основной кормилец"),
    _i("dependants", "numeric", "profile", "Dependants", "Иждивенцы"),
    _i("origin_country", "single", "profile", "Country of origin", "Страна происхождения"),
    _i(
        "status_before",
        "single",
        "migration",
        "Status before migrating",
        "Статус до миграции",
    ),
    _i(
        "sector_before",
        "single",
        "migration",
        "Sector before migrating",
        "Сфера занятости до миграции",
        PREVIOUSLY_EMPLOYED,
    ),
    _i("intention", "single", "migration", "Intentions", "Намерения"),
    _i("why_kazakhstan", "multi", "migration", "Why Kazakhstan", "Почему Казахстан"),
    _i("migration_reasons", "multi", "migration", "Why migrated", "Причины миграции"),
    _i("length_of_stay", "single", "migration", "Time in Kazakhstan", "Время в Казахстане"),
    _i("expected_stay", "single", "migration", "Expected stay", "Ожидаемый срок пребывания"),
    _i("employment_status", "single", "employment", "Current status", "Текущий статус"),
    _i("work_time", "single", "employment", "Full or part time", "Полная или частичная занятость"),
    _i(
        "employment_type",
        "single",
        "employment",
        "Employment status",
        "Статус занятости",
        EMPLOYED,
    ),
    _i("contract", "single", "employment", "Written contract", "Письменный договор", EMPLOYED),
    _i("pension", "single", "employment", "Pension contributions", "Пенсионные взносы", EMPLOYED),
    _i("paid_leave", "single", "employment", "Paid leave", "Оплачиваемый отпуск", EMPLOYED),
    _i(
        "dismissal",
        "single",
        "employment",
        "Dismissal without notice",
        "Увольнение без предупреждения",
        EMPLOYED,
    ),
    _i("sector", "single", "employment", "Sector now", "Сфера занятости сейчас", EMPLOYED),
    _i("experience", "single", "employment", "Work experience", "Опыт работы"),
    _i("job_found", "single", "employment", "Job found via", "Как найдена работа", EMPLOYED),
    _i("agency", "single", "employment", "Recruitment agency", "Кадровое агентство", EMPLOYED),
    _i(
        "work_challenges",
        "multi",
        "employment",
        "Challenges at work",
        "Трудности на работе",
        EMPLOYED,
    ),
    _i("income", "single", "employment", "Monthly income", "Ежемесячный доход"),
    _i("income_sufficiency", "single", "employment", "Income sufficiency", "Достаточность дохода"),
    _i("satisfaction", "single", "employment", "Satisfaction", "Удовлетворенность"),
    _i(
        "dissatisfaction_reasons",
        "multi",
        "employment",
        "Reasons for dissatisfaction",
        "Причины недовольства",
        DISSATISFIED,
    ),
    _i("sends_money", "single", "remittances", "Send money home", "Отправляют деньги домой"),
    _i(
        "remit_share",
        "numeric",
        "remittances",
        "Share of income sent home",
        "Доля дохода, отправляемая домой",
        SENDERS,
    ),
    _i("remit_frequency", "single", "remittances", "Frequency", "Частота", SENDERS),
    _i("remit_channel", "single", "remittances", "Channel", "Способ перевода", SENDERS),
    _i("remit_purpose", "multi", "remittances", "Purpose", "Назначение", SENDERS),
    _i("housing", "single", "wellbeing", "Housing", "Жилье"),
    _i("access_health", "single", "wellbeing", "Access to health care", "Доступ к медпомощи"),
    _i(
        "access_education",
        "single",
        "wellbeing",
        "Access to education",
        "Доступ к образованию",
    ),
    _i(
        "access_financial",
        "single",
        "wellbeing",
        "Access to financial services",
        "Доступ к финансовым услугам",
    ),
    _i("affordability", "multi", "wellbeing", "Affordability", "Доступность благ"),
    _i("informed_rights", "single", "wellbeing", "Informed of rights", "Знание своих прав"),
    _i("info_channels", "multi", "wellbeing", "Information channels", "Источники информации"),
    _i("relations_locals", "single", "wellbeing", "Relations with locals", "Отношения с местными"),
    _i("sanctions_impact", "single", "wellbeing", "Sanctions impact", "Влияние санкций"),
)
BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
# Roles a base reads that are not themselves indicators.
BASE_ROLES: tuple[str, ...] = ("worked_before",)
ROLES: tuple[str, ...] = (*BY_KEY, *BASE_ROLES)
# Indicator role -> the check roles (validation.models.check_config.QUESTION_ROLES) it shares.
SHARED_ROLES: dict[str, str] = {"sex": "sex", "age": "age", "citizenship": "nationality"}

# The demo round's questions (demo/data/form_definition.py) for the roles it asks; a round
# whose form differs sets question_map["indicators"]. Roles absent here have no demo question.
DEFAULT_INDICATOR_QUESTIONS: dict[str, Any] = {
    "sex": "profile/sex",
    "age": "screening/age",
    "dual_citizenship": "screening/dual_citizenship",
    "citizenship": "screening/citizenship",
    "marital_status": "profile/marital_status",
    "education": "profile/education",
    "education_field": "profile/education_field",
    "household_provider": "profile/household_provider",
    "dependants": {
        "path": "profile/dependants",
        "bands": [[0, 0, "None"], [1, 3, "1-3"], [4, 6, "4-6"], [7, 9, "7-9"]],
    },
    "origin_country": "migration/origin_country",
    "worked_before": "employment/worked_before",
    "sector_before": "employment/sector_before",
    "status_before": "employment/status_before",
    "intention": "migration/intention_12m",
    "why_kazakhstan": "migration/why_kazakhstan",
    "migration_reasons": "migration/migration_reasons",
    "expected_stay": "migration/expected_stay",
    "length_of_stay": "migration/time_away",
    "employment_status": "screening/employment_status",
    "contract": "employment/contract",
    "pension": "employment/pension",
    "paid_leave": "employment/paid_leave",
    "dismissal": "employment/dismissal_notice",
    "work_time": "employment/work_time",
    "employment_type": "employment/employment_type",
    "experience": "employment/experience_years",
    "sector": "employment/sector",
    "job_found": "employment/job_found",
    "agency": "employment/agency",
    "work_challenges": "employment/work_challenges",
    "income": "employment/income_band",
    "income_sufficiency": "employment/income_sufficiency",
    "satisfaction": "wellbeing/satisfaction",
    "dissatisfaction_reasons": "wellbeing/dissatisfaction_reasons",
    "sends_money": "employment/sends_money",
    # The band question: its categories (R3 10-24%, R1 10-25%) come from the round's form.
    "remit_share": "employment/remit_share_band",
    "remit_frequency": "employment/remit_frequency",
    "remit_channel": "employment/remit_channel",
    "remit_purpose": "employment/remit_purpose",
    "housing": "wellbeing/housing",
    "access_health": "wellbeing/access_health",
    "access_education": "wellbeing/access_education",
    "access_financial": "wellbeing/access_bank",
    "affordability": "wellbeing/can_afford",
    "informed_rights": "wellbeing/informed_rights",
    "info_channels": "wellbeing/info_channels",
    "relations_locals": "wellbeing/relations_locals",
    "sanctions_impact": "wellbeing/sanctions_impact",
}


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Mapped:
    """Where a round asks a role's question, and the bands of a numeric answer if given."""

    path: str
    bands: tuple[Band, ...] = ()


def _band(role: str, raw: Any) -> Band:
    if (
        not isinstance(raw, list | tuple)
        or len(raw) not in (2, 3)
        or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in raw[:2])
        or (len(raw) == 3 and not isinstance(raw[2], str))
    ):
        raise ValueError(
            f"Question mapping: indicators.{role}.bands items must be [low, high] or "
            f"[low, high, label]; got {raw!r}."
        )
    low, high = float(raw[0]), float(raw[1])
    if low > high:
        raise ValueError(f"Question mapping: indicators.{role} band {raw!r} has low above high.")
    label = raw[2] if len(raw) == 3 else f"{raw[0]}-{raw[1]}"
    return Band(low, high, label)


def parse_entry(role: str, value: Any) -> Mapped:
    """One `indicators` entry: a path, or {"path": ..., "bands": [[low, high, label?], ...]}."""
    if isinstance(value, str):
        return Mapped(value)
    if (
        isinstance(value, dict)
        and isinstance(value.get("path"), str)
        and set(value)
        <= {
            "path",
            "bands",
        }
    ):
        bands = value.get("bands", [])
        if not isinstance(bands, list):
            raise ValueError(f"Question mapping: indicators.{role}.bands must be a list.")
        return Mapped(value["path"], tuple(_band(role, b) for b in bands))
    raise ValueError(
        f"Question mapping: indicators.{role} must be a question path or "
        '{"path": ..., "bands": [...]}.'
    )


def validate_indicator_map(mapping: Any) -> dict[str, Mapped]:
    """Check question_map["indicators"]; raise ValueError naming the offending role."""
    if not isinstance(mapping, dict):
        raise ValueError("Question mapping: indicators must be an object of role -> question.")
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise ValueError(
            f"Question mapping: unknown indicator role {unknown[0]!r}; known: {', '.join(ROLES)}."
        )
    return {role: parse_entry(role, value) for role, value in mapping.items()}


def indicator_questions(question_map: Any) -> dict[str, Mapped]:
    """The round's role -> question, its own entries over the demo defaults.

    An entry mapped to "" switches the role off (the round's form does not ask it).
    """
    mapping = question_map if isinstance(question_map, dict) else {}
    own = mapping.get("indicators")
    # The respondent roles the checks already map (sex, age, nationality) are not asked twice.
    shared = {
        indicator: mapping[role]
        for indicator, role in SHARED_ROLES.items()
        if isinstance(mapping.get(role), str) and mapping[role]
    }
    merged = {**DEFAULT_INDICATOR_QUESTIONS, **shared, **(own if isinstance(own, dict) else {})}
    return {role: m for role, m in validate_indicator_map(merged).items() if m.path}
