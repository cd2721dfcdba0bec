"""Figures IOM published for Round 3, as data, to show beside the computed shares.

Source: the MTM migrant worker survey report, Round 3 (Feb 2024), seed file
``000_e9a37cb888d5de8c.txt`` (transcribed in docs mtm-instrument-and-figures.md §4.1). Values
are per cent as printed, "<1" included; a category matches the form's choice by its code or by
its English label (case, spacing and punctuation ignored), or by one of the aliases given.
"""

import re
from dataclasses import dataclass

SOURCE = "000_e9a37cb888d5de8c.txt"
ROUND_NUMBER = 3
COUNTRY = "KZ"


@dataclass(frozen=True)
class Published:
    label: str
    value: str  # as printed: "81", "<1"
    aliases: tuple[str, ...] = ()


def _p(*items: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> tuple[Published, ...]:
    return tuple(Published(*item) for item in items)


DK_DWA = ("dk", "refuse", "don't know", "refuse to answer")
PUBLISHED: dict[str, tuple[Published, ...]] = {
    "sex": _p(("Male", "81", ("men", "m")), ("Female", "19", ("women", "f"))),
    "age": _p(("Male", "34"), ("Female", "36")),  # mean age by sex
    "dual_citizenship": _p(("Single", "99", ("no",)), ("Dual", "1", ("yes",))),
    "marital_status": _p(
        ("Married", "60"),
        ("Single", "29"),
        ("Divorced", "9"),
        ("Widowed", "2"),
        ("Engaged", "<1"),
    ),
    "education": _p(
        ("Lower secondary", "32"),
        ("Post-secondary non-tertiary", "25"),
        ("Short-cycle tertiary", "16"),
        ("Upper secondary", "16"),
        ("Bachelor's", "5", ("bachelor",)),
        ("Primary", "4"),
        ("Master's", "1", ("master",)),
    ),
    "education_field": _p(
        ("Engineering, manufacturing and construction", "34", ("engineering",)),
        ("Generic programmes", "14", ("generic programs",)),
        ("Natural sciences, mathematics and statistics", "13"),
        ("Agriculture, forestry, fisheries", "9", ("agriculture",)),
        ("Services", "7"),
        ("Education", "6"),
        ("Social sciences, journalism", "6"),
        ("Health and welfare", "6", ("health",)),
        ("Arts and humanities", "5"),
    ),
    "household_provider": _p(("Yes", "50"), ("No", "49"), ("Declined", "1", DK_DWA)),
    "dependants": _p(("1-3", "46"), ("4-6", "36"), ("7-9", "1"), ("None", "17")),
    "origin_country": _p(
        ("Uzbekistan", "61", ("uz",)),
        ("Russia", "12", ("ru", "russian federation")),
        ("Tajikistan", "10", ("tj",)),
        ("Kyrgyzstan", "6", ("kg",)),
        ("Azerbaijan", "5", ("az",)),
        ("Other", "6"),
    ),
    "status_before": _p(
        ("Private sector", "39"),
        ("Unemployed but actively seeking", "25"),
        ("Daily wage", "15"),
        ("Self-employed", "9"),
        ("Unemployed", "6"),
        ("Student", "2"),
        ("Retired", "2"),
    ),
    "sector_before": _p(
        ("Construction", "31"),
        ("Wholesale and retail", "19", ("trade",)),
        ("Community, social and personal services", "14", ("services",)),
        ("Agriculture", "8"),
        ("Vocational", "7"),
        ("Engineering", "3"),
        ("Transport and communications", "3"),
        ("Manufacturing", "3", ("industry",)),
        ("Education", "2"),
        ("Technology", "2"),
        ("Healthcare", "2"),
        ("Banking", "1"),
        ("Tourism", "1"),
    ),
    "intention": _p(
        ("Circulate", "63"),
        ("Settle in Kazakhstan", "30", ("stay", "stay here")),
        ("Another country", "2", ("move_on", "move to another country")),
        ("Return home for good", "2", ("return", "return home")),
    ),
    "why_kazakhstan": _p(
        ("Higher incomes", "36"),
        ("Proximity", "29", ("close", "close to home")),
        ("Friends", "24"),
        ("Migrant community", "21"),
        ("Language and culture", "19", ("language",)),
        ("Easy jobs", "18", ("jobs", "jobs available")),
        ("Social protection and treatment", "15"),
        ("Family", "10"),
    ),
    "migration_reasons": _p(("Employment", "74", ("work", "to find work")), ("Other", "23")),
    "length_of_stay": _p(
        ("Less than 1 month", "8"),
        ("2-3 months", "21"),
        ("4-6 months", "18"),
        ("7 months-1 year", "22"),
        ("1-3 years", "21"),
        ("3-5 years", "9"),
    ),
    "employment_status": _p(
        ("Private sector", "71"),
        ("Daily wage", "15"),
        ("Self-employed", "7"),
        ("Unemployed", "2"),
    ),
    "work_time": _p(("Full-time", "91"), ("Part-time", "6"), ("Forced part-time", "2")),
    "employment_type": _p(
        ("Dependent contractor", "53"), ("Employee", "39"), ("Self-employed", "6")
    ),
    "contract": _p(
        ("None", "41", ("no contract",)),
        ("Official", "57", ("written", "written contract")),
        ("Unsure", "2"),
        ("Hesitant", "<1"),
    ),
    "pension": _p(("Paid", "30", ("yes",)), ("Not paid", "57", ("no",))),
    "paid_leave": _p(("Paid leave", "18", ("yes",)), ("No paid leave", "76", ("no",))),
    "dismissal": _p(("Can be dismissed without notice", "9"), ("Cannot", "72")),
    "sector": _p(
        ("Construction", "39"),
        ("Wholesale and retail", "29", ("trade",)),
        ("Community, social and personal services", "14", ("services",)),
    ),
    "experience": _p(("Yes", "83"), ("No", "17")),
    "job_found": _p(
        ("Connections on arrival", "49"),
        ("Connections before departure", "26"),
        ("Broker at home", "8"),
        ("Broker in Kazakhstan", "7"),
        ("Agency in country of origin", "2"),
    ),
    "work_challenges": _p(
        ("Language", "19"),
        ("Contract not matching reality", "13"),
        ("Longer hours", "12", ("long_hours", "long hours")),
        ("Lower salary", "11"),
        ("None", "11"),
        ("Bureaucracy", "7"),
        ("Skills mismatch", "6"),
        ("Integration", "5"),
        ("Health", "4"),
        ("No support information", "2"),
        ("Discrimination", "2"),
        ("Did not want to answer", "20", ("refuse", "refuse to answer")),
    ),
    "income": _p(
        ("1 USD to 200 USD", "2"),
        ("201 to 300 USD", "8"),
        ("301 to 500 USD", "40"),
        ("500 USD or more", "43"),
        ("No income", "4"),
    ),
    "income_sufficiency": _p(
        ("Can buy, cannot save", "42"),
        ("Saves", "28"),
        ("Essentials only", "21"),
        ("Not enough for basics", "3"),
    ),
    "satisfaction": _p(("Satisfied", "59"), ("Dissatisfied", "7")),
    "dissatisfaction_reasons": _p(
        ("Insufficient", "45"),
        ("Want more", "27"),
        ("Debts", "10"),
        ("No job matching skills", "7"),
        ("No job", "5"),
        ("Unemployed", "4"),
    ),
    "sends_money": _p(("Yes", "50")),
    "remit_share": _p(
        ("More than 50%", "48", ("more than 50",)),
        ("25-50%", "33", ("25 to 50",)),
        ("10-24%", "14", ("10 to 24",)),
        ("Less than 10%", "3", ("less than ten",)),
        ("DK/DWA", "2", DK_DWA),
    ),
    "remit_frequency": _p(
        ("Monthly", "77"),
        ("Irregular", "10"),
        ("Quarterly", "7"),
        ("More than monthly", "4"),
        ("Twice a year", "2"),
    ),
    "remit_channel": _p(
        ("Bank in person", "32"),
        ("Online via friends or relatives", "22"),
        ("MTO", "19"),
        ("MTO in person", "10"),
        ("Online banking", "7"),
        ("Cash carried", "5"),
        ("MTO online", "3"),
        ("Did not want to answer", "2", ("refuse",)),
        ("Middleman", "<1"),
    ),
    "remit_purpose": _p(
        ("Family living expenses", "92"), ("Saving", "3"), ("Business", "2"), ("Other", "3")
    ),
    "housing": _p(("Permanent", "72"), ("Temporary", "17"), ("Own", "9"), ("Homeless", "<1")),
    "access_health": _p(("Yes", "60"), ("No", "26"), ("Unsure or no answer", "14", DK_DWA)),
    "access_education": _p(("Self", "16"), ("Children", "13"), ("Both", "12"), ("None", "31")),
    "access_financial": _p(("Yes", "66"), ("No", "19")),
    "affordability": _p(
        ("Phone", "65"),
        ("Warm home", "46"),
        ("Avoid arrears", "39"),
        ("Meat, chicken or fish every two days", "36"),
        ("Washing machine", "31"),
        ("Colour TV", "29"),
        ("Unexpected expenses", "25"),
        ("Annual holiday", "9"),
        ("Car", "8"),
    ),
    "informed_rights": _p(("Partly informed", "54"), ("Not well informed", "8")),
    "info_channels": _p(("Mobile chats", "91"), ("Brochures", "19")),
    "relations_locals": _p(("Positive", "91", ("good interaction", "good"))),
}


def normalise(text: str) -> str:
    return re.sub(r"[^0-9a-zа-яё<>]+", "", text.lower().replace("–", "-"))


def published_value(indicator: str, code: str, label_en: str) -> str | None:
    """The R3 figure printed for this category of the indicator, if the reports have one."""
    keys = {normalise(code), normalise(label_en)} - {""}
    for item in PUBLISHED.get(indicator, ()):
        names = {normalise(item.label), *(normalise(a) for a in item.aliases)}
        if keys & names:
            return item.value
    return None
