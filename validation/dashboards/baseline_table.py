"""Baseline, quota and collected side by side per stratum (the baseline page's figures).

A stratum is a location with a baseline count of international migrant workers in the year
shown, or with a quota (no citizenship) in the round. Collected and counted come from
validation.quotas.progress over the user's scope, so they match the overview's quota table;
a location without a quota has no counted figure (progress is kept per quota only).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from surveys.models import BaselineFigure, Location, Round, Sex, Submission, TargetPopulation
from validation.quotas.progress import progress_totals, round_progress

POPULATION = TargetPopulation.MIGRANT_WORKERS


@dataclass
class StratumRow:
    location_id: int
    code: str
    place: str
    kind: str
    parent_id: int | None = None
    baseline: int | None = None
    baseline_by_sex: dict[str, int] = field(default_factory=dict)
    informants: int = 0
    quota: dict[str, int] = field(default_factory=dict)  # sex -> target
    collected: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    nested: bool = False  # its quotas sit inside another quota of the round
    rolled_up: bool = False  # the baseline is the sum of its districts' (none of its own)
    baseline_share: float | None = None
    quota_share: float | None = None

    # Per-sex cells for the template: None (shown as a dash) where there is no figure.
    @property
    def baseline_men(self) -> int | None:
        return self.baseline_by_sex.get(Sex.MALE)

    @property
    def baseline_women(self) -> int | None:
        return self.baseline_by_sex.get(Sex.FEMALE)

    @property
    def quota_men(self) -> int | None:
        return self.quota.get(Sex.MALE)

    @property
    def quota_women(self) -> int | None:
        return self.quota.get(Sex.FEMALE)

    @property
    def counted_men(self) -> int | None:
        return self.counted.get(Sex.MALE)

    @property
    def counted_women(self) -> int | None:
        return self.counted.get(Sex.FEMALE)

    @property
    def quota_total(self) -> int | None:
        return sum(self.quota.values()) if self.quota else None

    @property
    def counted_total(self) -> int | None:
        return sum(self.counted.values()) if self.quota else None

    @property
    def collected_total(self) -> int | None:
        return sum(self.collected.values()) if self.quota else None

    @property
    def percent(self) -> float | None:
        target = self.quota_total
        return round(100 * (self.counted_total or 0) / target, 1) if target else None


@dataclass
class BaselineTable:
    year: int | None
    years: list[int]
    rows: list[StratumRow]
    baseline_total: int
    quota_total: int
    counted_total: int
    collected_total: int
    sexes: tuple[str, ...] = tuple(Sex.values)


def baseline_table(
    *, round_: Round, scope: QuerySet[Submission] | Q, year: int | None = None
) -> BaselineTable:
    figures = BaselineFigure.objects.filter(round=round_, population=POPULATION)
    years = sorted(set(figures.values_list("year", flat=True)), reverse=True)
    if year not in years:
        year = years[0] if years else None
    rows: dict[int, StratumRow] = {}
    locations = Location.objects.select_related("parent")

    def row_for(location: Location) -> StratumRow:
        if location.pk not in rows:
            rows[location.pk] = StratumRow(
                location_id=location.pk,
                code=location.code,
                place=_place(location),
                kind=location.kind,
                parent_id=location.parent_id,
            )
        return rows[location.pk]

    by_sex: dict[int, dict[str, int]] = defaultdict(dict)
    if year is not None:
        for f in figures.filter(year=year).select_related("location__parent"):
            row = row_for(f.location)
            if f.sex:
                by_sex[f.location_id][f.sex] = f.count
            else:
                row.baseline = f.count
            row.informants = max(row.informants, f.informants)
    for pk, split in by_sex.items():
        rows[pk].baseline_by_sex = split
        if rows[pk].baseline is None and all(s in split for s in Sex.values):
            rows[pk].baseline = sum(split.values())
    progress = [p for p in round_progress(scope=scope, round_id=round_.pk) if not p.citizenship]
    place_of = locations.in_bulk({p.location_id for p in progress} - set(rows))
    for p in progress:
        row = rows.get(p.location_id) or row_for(place_of[p.location_id])
        row.quota[p.sex] = p.target
        row.collected[p.sex] = p.collected
        row.counted[p.sex] = p.counted
        row.nested = row.nested or p.nested
    _roll_up_baseline(rows)
    totals = progress_totals(progress)
    baseline_total = sum(r.baseline or 0 for r in rows.values() if not _inside_baseline(r, rows))
    quota_top = totals["target"]
    for r in rows.values():
        if r.baseline is not None and baseline_total:
            r.baseline_share = round(100 * r.baseline / baseline_total, 1)
        if r.quota_total is not None and quota_top:
            r.quota_share = round(100 * r.quota_total / quota_top, 1)
    # Cities and regions before their districts: "KZ-ALA" sorts before "KZ-ALA-ALM".
    ordered = sorted(rows.values(), key=lambda r: r.code)
    return BaselineTable(
        year=year,
        years=years,
        rows=ordered,
        baseline_total=baseline_total,
        quota_total=quota_top,
        counted_total=totals["counted"],
        collected_total=totals["collected"],
    )


def _place(location: Location) -> str:
    if location.parent is not None:
        return f"{location.parent.name_en} – {location.name_en}"
    return location.name_en


def _roll_up_baseline(rows: dict[int, StratumRow]) -> None:
    """A city or region with a quota but no count of its own shows its districts' sum."""
    children: dict[int, list[StratumRow]] = defaultdict(list)
    for row in rows.values():
        if row.parent_id is not None and row.baseline is not None:
            children[row.parent_id].append(row)
    for parent_id, kids in children.items():
        parent = rows.get(parent_id)
        if parent is None or parent.baseline is not None:
            continue
        parent.baseline = sum(k.baseline or 0 for k in kids)
        for sex in Sex.values:
            if all(sex in k.baseline_by_sex for k in kids):
                parent.baseline_by_sex[sex] = sum(k.baseline_by_sex[sex] for k in kids)
        parent.rolled_up = True


def _inside_baseline(row: StratumRow, rows: dict[int, StratumRow]) -> bool:
    """A district whose city or region also has a baseline count, which includes it."""
    parent = rows.get(row.parent_id) if row.parent_id is not None else None
    return parent is not None and parent.baseline is not None
