"""Round summary: the headline figures IOM publishes per round, from approved eligible interviews.

Respondents by sex, mean age by sex, top five countries of origin, education levels,
current employment sector, and the share of income remitted.
"""

import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from surveys.models import Submission
from validation.exports.clean_dataset import clean_submissions
from validation.exports.forms import round_questions, round_versions
from validation.exports.writers import EscapingCSVWriter
from validation.xlsform import CompiledForm

# Question names in the MTM form (surveys/demo/form_definition.py); paths come from the form.
SEX, AGE, ORIGIN, EDUCATION, SECTOR = "sex", "age", "origin_country", "education", "sector"
SENDS_MONEY, REMIT_SHARE = "sends_money", "remit_share"
# Bands of the share of income sent home, in per cent: [low, high).
REMIT_BANDS = ((0, 25), (25, 50), (50, 75), (75, 101))
NOT_ANSWERED = ("", "dk", "refuse")


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    count: int
    share: float  # of the base the section states


@dataclass(frozen=True)
class RoundSummary:
    respondents: int
    by_sex: list[Category]
    mean_age_by_sex: dict[str, float | None]
    top_origins: list[Category]
    education: list[Category]
    sector: list[Category]
    sector_base: int  # respondents who answered the sector question (those working)
    senders: int
    remit_share_mean: float | None  # among senders who gave a share
    remit_bands: list[Category]


def round_summary(*, scope: QuerySet[Submission], round_id: int) -> RoundSummary:
    """Figures over the approved, eligible interviews of the round within the user's scope."""
    questions = round_questions(round_id)
    paths = {q.name: q.path for q in questions}
    lists = {q.name: q.list_name or "" for q in questions}
    forms = round_versions(round_id)
    names = (SEX, AGE, ORIGIN, EDUCATION, SECTOR, SENDS_MONEY, REMIT_SHARE)
    rows = _answers(clean_submissions(scope, round_id), {n: paths.get(n, n) for n in names})

    sexes: Counter[str] = Counter()
    ages: dict[str, list[float]] = defaultdict(list)
    origins: Counter[str] = Counter()
    education: Counter[str] = Counter()
    sectors: Counter[str] = Counter()
    shares: list[float] = []
    senders = total = 0
    for answer in rows:
        total += 1
        sex = answer[SEX] or "unknown"
        sexes[sex] += 1
        age = _number(answer[AGE])
        if age is not None:
            ages[sex].append(age)
        for counter, name in ((origins, ORIGIN), (education, EDUCATION), (sectors, SECTOR)):
            if answer[name] not in NOT_ANSWERED:
                counter[answer[name]] += 1
        if answer[SENDS_MONEY] == "yes":
            senders += 1
            share = _number(answer[REMIT_SHARE])
            if share is not None and 0 <= share <= 100:
                shares.append(share)

    def label(name: str, code: str) -> str:
        return _choice_label(forms, lists.get(name, ""), code)

    def categories(
        name: str, counts: Counter[str], base: int, top: int | None = None
    ) -> list[Category]:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [Category(c, label(name, c), n, _share(n, base)) for c, n in ordered]

    bands = [
        Category(
            f"{low}-{min(high, 100)}",
            f"{low}–{high - 1}%" if high <= 100 else f"{low}% or more",
            n := sum(1 for s in shares if low <= s < high),
            _share(n, len(shares)),
        )
        for low, high in REMIT_BANDS
    ]
    return RoundSummary(
        respondents=total,
        by_sex=categories(SEX, sexes, total),
        mean_age_by_sex={
            sex: round(sum(v) / len(v), 1) if v else None for sex, v in sorted(ages.items())
        },
        top_origins=categories(ORIGIN, origins, total, top=5),
        education=categories(EDUCATION, education, total),
        sector=categories(SECTOR, sectors, sum(sectors.values())),
        sector_base=sum(sectors.values()),
        senders=senders,
        remit_share_mean=round(sum(shares) / len(shares), 1) if shares else None,
        remit_bands=bands,
    )


def _answers(submissions: QuerySet[Submission], paths: dict[str, str]) -> Iterator[dict[str, str]]:
    for data in submissions.values_list("data", flat=True).iterator(chunk_size=1000):
        answers = data if isinstance(data, dict) else {}
        yield {name: str(answers.get(path, "") or "") for name, path in paths.items()}


def _choice_label(forms: Iterable[CompiledForm], list_name: str, code: str) -> str:
    for form in reversed(list(forms)):
        text = form.choice_label(list_name, code) if list_name else code
        if text != code:
            return text
    return code


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _share(count: int, base: int) -> float:
    return round(count / base, 4) if base else 0.0


def summary_csv(summary: RoundSummary) -> str:
    """The summary as one table: section, code, label, count, share (of the section's base)."""
    out = io.StringIO()
    writer = EscapingCSVWriter(out)  # choice labels are typed by people: no formulas
    writer.writerow(("section", "code", "label", "count", "share", "value"))
    writer.writerow(
        ("respondents", "", "Approved, eligible interviews", summary.respondents, "", "")
    )
    sections = (
        ("sex", summary.by_sex),
        ("country_of_origin_top5", summary.top_origins),
        ("education", summary.education),
        ("employment_sector", summary.sector),
        ("remittance_share_band", summary.remit_bands),
    )
    for section, items in sections:
        writer.writerows((section, c.code, c.label, c.count, c.share, "") for c in items)
    for sex, mean in summary.mean_age_by_sex.items():
        writer.writerow(("mean_age", sex, f"Mean age ({sex})", "", "", mean))
    writer.writerow(("remittances", "senders", "Send money home", summary.senders, "", ""))
    writer.writerow(
        (
            "remittances",
            "mean_share",
            "Mean share of income sent home (%)",
            "",
            "",
            summary.remit_share_mean,
        )
    )
    return out.getvalue()
