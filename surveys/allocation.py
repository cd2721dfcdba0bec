"""Sample allocation from the baseline: proposed quota rows, as a diff to review and apply.

The MTM reports say the sample was "calculated based on" the Baseline Mobility Assessment
but publish no formula (mtm-instrument-and-figures.md §1), so this is our method, set out in
docs/sampling.md: strata are the locations with a baseline count of international migrant
workers (above zero) in the round's latest baseline year; each stratum first gets the
minimum K, and the rest of the total is shared in proportion to the baseline counts with
largest-remainder (Hamilton) rounding, so the targets add up to the total exactly. By sex,
each location's target is split by its own baseline sex shares, else by the round's baseline
sex shares over all locations that have them, else by a female share given by hand.

Quotas typed in by hand stay the norm: `plan` changes nothing, `apply` writes a reviewed plan
in one transaction and refuses if the quotas changed since it was made.
"""

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction

from surveys.models import BaselineFigure, Location, Quota, Round, Sex, TargetPopulation

logger = logging.getLogger(__name__)

POPULATION = TargetPopulation.MIGRANT_WORKERS


class AllocationError(ValueError):
    """The allocation cannot be made as asked; the message says why and what to change."""


class BasisSource:
    LOCATION = "location baseline"
    ROUND = "round baseline"
    GIVEN = "given female share"


@dataclass(frozen=True)
class StratumTarget:
    location_id: int
    location_code: str
    location_name: str
    baseline: int
    target: int
    by_sex: dict[str, int] = field(default_factory=dict)  # empty unless split by sex
    sex_basis: str = ""  # a BasisSource when split


@dataclass(frozen=True)
class QuotaChange:
    action: str  # create, update, delete, same
    location_id: int
    location_code: str
    sex: str
    current: int | None
    proposed: int | None

    @property
    def delta(self) -> int:
        return (self.proposed or 0) - (self.current or 0)


@dataclass
class AllocationPlan:
    round_id: int
    year: int
    total: int
    min_per_stratum: int
    by_sex: bool
    strata: list[StratumTarget]
    changes: list[QuotaChange]
    untouched: int  # the round's quotas outside the plan's level or with a citizenship
    fingerprint: str  # the quotas the diff was made against

    @property
    def pending(self) -> list[QuotaChange]:
        return [c for c in self.changes if c.action != "same"]


def largest_remainder(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split `total` in proportion to `weights` (Hamilton): floors, then the largest remainders.

    Ties go to the larger weight, then to the earlier position, so the result is stable.
    """
    if total < 0:
        raise AllocationError("The total cannot be negative.")
    whole = sum(Fraction(w) for w in weights)
    if not weights:
        return []
    if whole <= 0:
        raise AllocationError(
            "Every baseline count is zero: there is nothing to be proportional to."
        )
    exact = [Fraction(total) * Fraction(w) / whole for w in weights]
    floors = [int(q) for q in exact]  # int() of a non-negative Fraction is its floor
    left = total - sum(floors)
    order = sorted(
        range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), -Fraction(weights[i]), i)
    )
    for i in order[:left]:
        floors[i] += 1
    return floors


def _baseline(round_: Round, year: int) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Per location: the migrant-worker count of the year, and its men/women counts if given."""
    totals: dict[int, int] = {}
    sexes: dict[int, dict[str, int]] = defaultdict(dict)
    rows = BaselineFigure.objects.filter(round=round_, population=POPULATION, year=year)
    for location_id, sex, count in rows.values_list("location_id", "sex", "count"):
        if sex:
            sexes[location_id][sex] = count
        else:
            totals[location_id] = count
    for location_id, split in sexes.items():
        if location_id not in totals and all(s in split for s in Sex.values):
            totals[location_id] = sum(split.values())
    return totals, {k: v for k, v in sexes.items() if all(s in v for s in Sex.values)}


def allocate(
    *,
    round_: Round,
    total: int,
    by_sex: bool = False,
    min_per_stratum: int = 0,
    female_share: Fraction | None = None,
    year: int | None = None,
) -> AllocationPlan:
    """The proposed quota targets for the round and their diff against its current quotas."""
    if total <= 0:
        raise AllocationError("The total sample must be a positive number.")
    if min_per_stratum < 0:
        raise AllocationError("The minimum per stratum cannot be negative.")
    if female_share is not None and not 0 <= female_share <= 1:
        raise AllocationError("The female share must be between 0 and 1.")
    years = BaselineFigure.objects.filter(round=round_, population=POPULATION)
    year = year or years.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise AllocationError(
            f"Round {round_.number} has no baseline counts of international migrant workers: "
            "sync the key-informant form or import baseline figures first."
        )
    totals, sexes = _baseline(round_, year)
    strata_ids = [loc for loc, count in totals.items() if count > 0]
    if not strata_ids:
        raise AllocationError(
            f"Round {round_.number} has no location with migrant workers in {year}."
        )
    locations = Location.objects.select_related("parent").in_bulk(strata_ids)
    strata_ids.sort(key=lambda pk: locations[pk].code)
    if min_per_stratum * len(strata_ids) > total:
        raise AllocationError(
            f"{len(strata_ids)} strata x minimum {min_per_stratum} = "
            f"{min_per_stratum * len(strata_ids)}, more than the total of {total}."
        )
    rest = largest_remainder(
        total - min_per_stratum * len(strata_ids), [totals[pk] for pk in strata_ids]
    )
    round_shares = _round_sex_shares(sexes)
    strata = []
    for pk, extra in zip(strata_ids, rest, strict=True):
        target = min_per_stratum + extra
        split: dict[str, int] = {}
        basis = ""
        if by_sex:
            shares, basis = _sex_shares(sexes.get(pk), round_shares, female_share)
            split = dict(
                zip(
                    Sex.values,
                    largest_remainder(target, [shares[s] for s in Sex.values]),
                    strict=True,
                )
            )
        location = locations[pk]
        strata.append(
            StratumTarget(
                location_id=pk,
                location_code=location.code,
                location_name=_place(location),
                baseline=totals[pk],
                target=target,
                by_sex=split,
                sex_basis=basis,
            )
        )
    changes, untouched, fingerprint = _diff(round_, strata, by_sex=by_sex)
    return AllocationPlan(
        round_id=round_.pk,
        year=year,
        total=total,
        min_per_stratum=min_per_stratum,
        by_sex=by_sex,
        strata=strata,
        changes=changes,
        untouched=untouched,
        fingerprint=fingerprint,
    )


def _round_sex_shares(sexes: dict[int, dict[str, int]]) -> dict[str, int] | None:
    summed = {s: sum(split[s] for split in sexes.values()) for s in Sex.values}
    return summed if sum(summed.values()) > 0 else None


def _sex_shares(
    own: dict[str, int] | None, round_shares: dict[str, int] | None, female: Fraction | None
) -> tuple[dict[str, Fraction | int], str]:
    if own and sum(own.values()) > 0:
        return dict(own), BasisSource.LOCATION
    if round_shares is not None:
        return dict(round_shares), BasisSource.ROUND
    if female is not None:
        return {Sex.MALE: 1 - female, Sex.FEMALE: female}, BasisSource.GIVEN
    raise AllocationError(
        "The baseline gives no counts by sex for this round: pass --female-share "
        "(the round's stated composition, e.g. 0.19 for R3's 19% women)."
    )


def _place(location: Location) -> str:
    if location.parent is not None:
        return f"{location.parent.name_en} – {location.name_en}"
    return location.name_en


def _scope(round_: Round, strata: list[StratumTarget]) -> tuple[list[Quota], int]:
    """The quotas the plan may change (its location kinds, no citizenship), and how many not."""
    kinds = set(
        Location.objects.filter(pk__in=[s.location_id for s in strata]).values_list(
            "kind", flat=True
        )
    )
    quotas = list(Quota.objects.filter(round=round_).select_related("location"))
    mine = [q for q in quotas if not q.citizenship and q.location.kind in kinds]
    return mine, len(quotas) - len(mine)


def _fingerprint(quotas: list[Quota]) -> str:
    rows = sorted((q.pk, q.location_id, q.sex, q.citizenship, q.target) for q in quotas)
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _diff(
    round_: Round, strata: list[StratumTarget], *, by_sex: bool
) -> tuple[list[QuotaChange], int, str]:
    current, untouched = _scope(round_, strata)
    codes = {s.location_id: s.location_code for s in strata}
    codes.update({q.location_id: q.location.code for q in current})
    changes: list[QuotaChange] = []
    if by_sex:
        now = {(q.location_id, q.sex): q.target for q in current}
        wanted = {(s.location_id, sex): n for s in strata for sex, n in s.by_sex.items() if n > 0}
    else:
        # Quotas are per sex: without a split the diff compares each location's sum.
        now_sum: dict[tuple[int, str], int] = defaultdict(int)
        for q in current:
            now_sum[(q.location_id, "")] += q.target
        now = dict(now_sum)
        wanted = {(s.location_id, ""): s.target for s in strata}
    for key in sorted(set(now) | set(wanted), key=lambda k: (codes[k[0]], k[1])):
        have, want = now.get(key), wanted.get(key)
        action = (
            "create"
            if have is None
            else "delete"
            if want is None
            else "same"
            if have == want
            else "update"
        )
        changes.append(QuotaChange(action, key[0], codes[key[0]], key[1], have, want))
    return changes, untouched, _fingerprint(current)


class StalePlanError(AllocationError):
    """The quotas changed between the plan and its application."""


@transaction.atomic
def apply_plan(plan: AllocationPlan, *, user: str = "") -> int:
    """Write the plan's quota changes, all or none; refuse a plan the quotas have moved past."""
    if not plan.by_sex:
        raise AllocationError("Quotas are per sex: allocate with --by sex to produce quota rows.")
    round_ = Round.objects.get(pk=plan.round_id)
    list(Quota.objects.select_for_update().filter(round=round_).values_list("pk", flat=True))
    strata_for_scope = plan.strata
    current, _ = _scope(round_, strata_for_scope)
    if _fingerprint(current) != plan.fingerprint:
        raise StalePlanError("The round's quotas changed since this plan was made: run it again.")
    by_key = {(q.location_id, q.sex): q for q in current}
    done = 0
    for change in plan.pending:
        if change.action == "create":
            Quota.objects.create(
                round=round_,
                location_id=change.location_id,
                sex=change.sex,
                citizenship="",
                target=change.proposed or 0,
            )
        elif change.action == "update":
            quota = by_key[(change.location_id, change.sex)]
            quota.target = change.proposed or 0
            quota.save(update_fields=["target"])
        else:
            by_key[(change.location_id, change.sex)].delete()
        done += 1
        logger.info(
            "allocate_sample R%s by %s: %s quota %s %s %s -> %s",
            round_.number,
            user or "?",
            change.action,
            change.location_code,
            change.sex,
            change.current,
            change.proposed,
        )
    return done
