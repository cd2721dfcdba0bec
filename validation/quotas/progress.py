"""Quota progress of a round per location x sex (x citizenship), in one aggregate query.

Quotas sit on any node of the location tree (region, city, district) and roll up: the
aggregate groups the round's interviews by their own location (a district, as the form
records it), and each group adds to the quotas of that location and of every location above
it, through a location -> ancestors map read in one query (QuotaTree). A city quota so counts
every interview in its districts; beside quotas on those districts, its row is the city's
target against all of them, and totals add only quotas no other quota contains (`nested`).
Cities of republican significance (Almaty, Astana, Shymkent) have no parent in the tree, as
in Kazakhstan's administration: a region's quota does not include them.

A quota with a citizenship counts only interviews whose citizenship answer is that value.
Validation stores that answer as it stores sex (respondent_citizenship), so the aggregate reads
it from the same covering index; a round without such quotas never reads it at all.

Counts toward the quota only what validation.quotas.alerts counts: active, eligible, not
excluded, not an open duplicate. (The review screen's validation/progress.py, when it lands,
should share this definition; the API and dashboards call round_progress only.)

Reading the sex answer out of every interview's JSON made the aggregate slow (about a second
at 100,000 interviews), so validation stores it with the eligibility verdict on the
submission (respondent_sex, is_eligible; derive_progress_fields) and the aggregate reads those
from an index. Interviews sync marked changed, or not yet derived, are read from their answers
and the verdict row as before, in the same statement: the figures never wait for validation.

On PostgreSQL, when the scope is a rule (surveys.selectors.submission_rule) rather than a
queryset, the checked interviews are not aggregated at all: their counts per stratum are kept
by trigger (validation.ProgressCount, validation.quotas.counters), and only the few that cannot
be counted ahead are read: interviews waiting for validation and open duplicates (subtracted
from `counted`, as a flag is not an interview's column). Same figures, in a few milliseconds
at 300,000 interviews instead of a scan of them all.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Left

from surveys.models import Location, Quota, Sex, Submission
from validation.models import Eligibility, Flag, ProgressCount, Severity
from validation.quotas import counters
from validation.selectors import question_path

S = Submission.ReviewStatus
PENDING = (S.RECEIVED, S.CLEAN, S.FLAGGED, S.RETURNED, S.CORRECTED, S.ON_HOLD)
OTHER = "other"  # respondent_sex of an answer that is neither; "" is not derived yet
FIGURES = ("collected", "eligible", "approved", "pending", "excluded", "counted")


@dataclass(frozen=True)
class StratumProgress:
    quota_id: int
    location_id: int
    location_code: str
    location_name: str
    sex: str
    target: int
    collected: int
    eligible: int
    approved: int
    pending: int
    excluded: int
    counted: int
    citizenship: str = ""  # blank: every citizenship
    level: str = Location.Kind.DISTRICT  # the quota's location kind
    depth: int = 0  # how many quotas of the table contain this one
    within_quota_id: int | None = None  # the nearest quota containing this one, if any

    @property
    def nested(self) -> bool:
        """Inside another quota of the round: its interviews are already in that one's row."""
        return self.within_quota_id is not None

    @property
    def remaining(self) -> int:
        return max(self.target - self.counted, 0)

    @property
    def over(self) -> int:
        return max(self.counted - self.target, 0)

    @property
    def percent(self) -> float:
        return round(100 * self.counted / self.target, 1) if self.target else 0.0


def sex_answer(path: str) -> Case:
    """The answer at `path` when it is one of the quota's sexes, else 'other'."""
    lookup = f"data__{path}"
    return Case(
        *(When(Q(**{lookup: sex}), then=Value(sex)) for sex in Sex.values), default=Value(OTHER)
    )


def _eligible_verdict() -> Exists:
    return Exists(
        Eligibility.objects.filter(submission=OuterRef("pk"), verdict=Eligibility.Verdict.ELIGIBLE)
    )


def citizenship_stored(round_id: int) -> Any:
    """The citizenship answer as respondent_citizenship stores it ('' when none)."""
    path = question_path(round_id, "nationality")
    return Left(Coalesce(KT(f"data__{path}"), Value("")), 40)


def derive_progress_fields(*, rows: QuerySet[Submission], round_id: int) -> int:
    """Store the progress fields of `rows` (one round's): sex, citizenship, is_eligible."""
    return rows.update(
        respondent_sex=sex_answer(question_path(round_id, "sex")),
        respondent_citizenship=citizenship_stored(round_id),
        is_eligible=_eligible_verdict(),
    )


def refresh_progress_fields(*, round_id: int) -> int:
    """Re-derive the round's checked interviews whose stored fields are missing or differ.

    Validation derives each interview it checks; this catches what it cannot see: a changed
    sex question in the round's check configuration, rows checked before the fields existed.
    Rows already right are not written.
    """
    path = question_path(round_id, "sex")
    stale = (
        Submission.objects.filter(form__round_id=round_id, needs_validation=False)
        .annotate(
            want_sex=sex_answer(path),
            want_cit=citizenship_stored(round_id),
            want_eligible=_eligible_verdict(),
        )
        .filter(
            ~Q(respondent_sex=F("want_sex"))
            | ~Q(respondent_citizenship=F("want_cit"))
            | ~Q(is_eligible=F("want_eligible"))
        )
        .values("pk")
    )
    return Submission.objects.filter(pk__in=stale).update(
        respondent_sex=sex_answer(path),
        respondent_citizenship=citizenship_stored(round_id),
        is_eligible=_eligible_verdict(),
    )


def open_duplicates() -> QuerySet[Flag]:
    """Open duplicate flags that keep an interview from counting until a supervisor decides."""
    return Flag.objects.open().filter(
        check_code__startswith="duplicate.", severity__in=(Severity.BLOCKER, Severity.MAJOR)
    )


def _figures(eligible: Q, *, over_counts: bool = False) -> dict[str, Any]:
    """The figures per group of interviews, or of ProgressCount rows (`over_counts`).

    A counter row stands for `n` interviews; open duplicates are then taken off apart
    (_stratum_rows), as a flag is no column of the counters.
    """

    def tally(condition: Q | None = None) -> Aggregate:
        return Sum("n", filter=condition) if over_counts else Count("pk", filter=condition)

    counted = eligible & ~Q(review_status=S.EXCLUDED)
    if not over_counts:
        # NOT IN (open duplicates) is hashed once; a correlated EXISTS ran per interview.
        counted &= ~Q(pk__in=open_duplicates().values("submission_id"))
    return {
        "collected": tally(),
        "eligible": tally(eligible),
        "approved": tally(eligible & Q(review_status=S.APPROVED)),
        "pending": tally(eligible & Q(review_status__in=PENDING)),
        "excluded": tally(Q(review_status=S.EXCLUDED)),
        "counted": tally(counted),
    }


def location_index() -> tuple[dict[int, tuple[int, ...]], dict[int, str]]:
    """Every location's pk with the pks above it, nearest first, and its code (one query)."""
    rows = list(Location.objects.values_list("pk", "parent_id", "code"))
    parents: dict[int, int | None] = {pk: parent for pk, parent, _ in rows}
    ancestors: dict[int, tuple[int, ...]] = {}
    for pk in parents:
        chain = [pk]
        above = parents.get(pk)
        while above is not None and above not in chain:  # a cycle is bad data, not a hang
            chain.append(above)
            above = parents.get(above)
        ancestors[pk] = tuple(chain)
    return ancestors, {pk: code for pk, _, code in rows}


StratumKey = tuple[int, str, str]  # location pk, sex, citizenship ("" = all)


@dataclass
class QuotaTree:
    """A round's quotas and the location tree they roll up through."""

    quotas: list[Quota]
    ancestors: dict[int, tuple[int, ...]]
    codes: dict[int, str]
    by_key: dict[StratumKey, Quota] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {(q.location_id, q.sex, q.citizenship): q for q in self.quotas}

    @property
    def by_citizenship(self) -> bool:
        return any(q.citizenship for q in self.quotas)

    def quotas_for(self, location_id: int, sex: str, citizenship: str = "") -> list[Quota]:
        """The quotas an interview at this location, of this sex and citizenship, counts for."""
        out = []
        for place in self.ancestors.get(location_id, (location_id,)):
            for key in {(place, sex, ""), (place, sex, citizenship)}:
                quota = self.by_key.get(key)
                if quota is not None:
                    out.append(quota)
        return out

    def within(self, quota: Quota) -> Quota | None:
        """The nearest other quota whose interviews include all of this one's."""
        chain = self.ancestors.get(quota.location_id, (quota.location_id,))
        if quota.citizenship:
            same_place = self.by_key.get((quota.location_id, quota.sex, ""))
            if same_place is not None:
                return same_place
        for place in chain[1:]:
            for citizenship in dict.fromkeys((quota.citizenship, "")):
                found = self.by_key.get((place, quota.sex, citizenship))
                if found is not None:
                    return found
        return None

    def related_locations(self, location_ids: Iterable[int]) -> set[int]:
        """The locations, those above them and those below them (a team's quota places)."""
        wanted = set(location_ids)
        out = set(wanted)
        for pk, chain in self.ancestors.items():
            if pk in wanted:
                out.update(chain)
            elif wanted.intersection(chain):
                out.add(pk)
        return out


def quota_tree(round_id: int) -> QuotaTree:
    quotas = list(Quota.objects.filter(round_id=round_id).select_related("location__parent"))
    return QuotaTree(quotas, *location_index())


def quota_place(quota: Quota) -> str:
    """'Almaty – Bostandyk' for a district, 'Almaty' for a city or region."""
    name = quota.location.name_en
    if quota.location.parent is not None:
        name = f"{quota.location.parent.name_en} – {name}"
    return name


def citizenship_answer(round_id: int, *, by_citizenship: bool) -> Any:
    """The citizenship answer when the round has quotas by citizenship, else ''."""
    if not by_citizenship:
        return Value("", output_field=CharField())
    return KT(f"data__{question_path(round_id, 'nationality')}")


class _AnyOf(Lookup[Any]):
    """`lhs = ANY(array)` (PostgreSQL)."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _stratum_rows(
    scope: QuerySet[Submission] | Q, round_id: int, tree: QuotaTree
) -> list[dict[str, Any]]:
    """Figures per (location, sex, citizenship) of the interviews in scope, rows may repeat."""
    citizenship = citizenship_answer(round_id, by_citizenship=tree.by_citizenship)
    stored_cit = F("respondent_citizenship") if tree.by_citizenship else citizenship
    rule: Q | None = None
    interviews: QuerySet[Submission]
    if isinstance(scope, Q):
        rule, interviews = scope, Submission.objects.filter(scope)
    else:
        interviews = scope
    rows = interviews.filter(
        form__round_id=round_id, deleted_at__isnull=True, location__isnull=False
    )
    derived = rows.filter(needs_validation=False, respondent_sex__in=Sex.values)
    path = question_path(round_id, "sex")
    from_answers = (
        # The JSON key's own `in` (KT's `in` quotes the values as JSON on SQLite).
        rows.filter(Q(needs_validation=True) | Q(respondent_sex=""))
        .filter(**{f"data__{path}__in": Sex.values})
        .annotate(sex=KT(f"data__{path}"), cit=citizenship)
        .values("location_id", "sex", "cit")
        .annotate(**_figures(Q(eligibility__verdict=Eligibility.Verdict.ELIGIBLE)))
        .order_by()
    )
    if rule is None or not counters.enabled():
        aggregated = (
            derived.annotate(sex=F("respondent_sex"), cit=stored_cit)
            .values("location_id", "sex", "cit")
            .annotate(**_figures(Q(is_eligible=True)))
            .order_by()
        )
        return list(aggregated.union(from_answers, all=True))
    counted = (
        ProgressCount.objects.filter(rule, form__round_id=round_id)  # the same fields
        .filter(respondent_sex__in=Sex.values)
        .annotate(sex=F("respondent_sex"), cit=stored_cit)
        .values("location_id", "sex", "cit")
        .annotate(**_figures(Q(is_eligible=True), over_counts=True))
        .order_by()
    )
    # An open duplicate is a flag, not a column the counters could group by: the few checked,
    # eligible, not excluded interviews with one are taken off `counted` (an index finds them).
    # `= ANY(ARRAY(...))`, not IN: the planner then looks each one up by primary key instead of
    # hashing them and scanning every interview (100 ms at 300,000 for 6,000 duplicates).
    duplicate_ids = ArraySubquery(open_duplicates().order_by().values("submission_id"))
    duplicates = (
        derived.filter(_AnyOf(F("pk"), duplicate_ids), is_eligible=True)
        .exclude(review_status=S.EXCLUDED)
        .annotate(sex=F("respondent_sex"), cit=stored_cit)
        .values("location_id", "sex", "cit")
        .annotate(
            **{k: Value(0) for k in FIGURES if k != "counted"},
            counted=-Count("pk"),
        )
        .order_by()
    )
    return list(counted) + list(from_answers.union(duplicates, all=True))


def round_progress(
    *,
    scope: QuerySet[Submission] | Q,
    round_id: int,
    places: Iterable[int] | None = None,
) -> list[StratumProgress]:
    """Every quota of the round with its figures over the interviews in the user's scope.

    `scope` is the user's rule (surveys.selectors.submission_rule: read from the progress
    counters on PostgreSQL) or any queryset of interviews (aggregated, exact for any filter).
    Figures per (location, sex[, citizenship]) are added to every quota they fall under, up
    the location tree: no query per quota. `places` (a team's locations; None: all) keeps the
    quotas on them and on the locations above and below them: a supervisor is not shown the
    rest of the round at 0 collected.
    """
    tree = quota_tree(round_id)
    shown = tree.quotas
    if places is not None:
        allowed = tree.related_locations(places)
        shown = [q for q in tree.quotas if q.location_id in allowed]
    figures: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for r in _stratum_rows(scope, round_id, tree):
        for quota in tree.quotas_for(r["location_id"], r["sex"], r["cit"] or ""):
            stratum = figures[quota.pk]
            for k in FIGURES:
                stratum[k] += int(r[k] or 0)
    return _ordered(
        [
            StratumProgress(
                quota_id=quota.pk,
                location_id=quota.location_id,
                location_code=quota.location.code,
                location_name=quota_place(quota),
                sex=quota.sex,
                target=quota.target,
                citizenship=quota.citizenship,
                level=quota.location.kind,
                depth=_depth(tree, quota),
                within_quota_id=getattr(tree.within(quota), "pk", None),
                **figures.get(quota.pk, dict.fromkeys(FIGURES, 0)),
            )
            for quota in shown
        ],
        tree,
    )


def _depth(tree: QuotaTree, quota: Quota) -> int:
    depth, outer = 0, tree.within(quota)
    while outer is not None and depth < 10:
        depth, outer = depth + 1, tree.within(outer)
    return depth


def _ordered(strata: list[StratumProgress], tree: QuotaTree) -> list[StratumProgress]:
    """Tree order: each quota right after the quota containing it.

    A city's women, then its districts' women; siblings by location code, sex, citizenship.
    """
    by_pk = {q.pk: q for q in tree.quotas}

    def key(p: StratumProgress) -> tuple[tuple[str, str, str], ...]:
        path: list[tuple[str, str, str]] = []
        quota: Quota | None = by_pk[p.quota_id]
        while quota is not None and len(path) < 10:
            path.append((tree.codes.get(quota.location_id, ""), quota.sex, quota.citizenship))
            quota = tree.within(quota)
        return tuple(reversed(path))

    return sorted(strata, key=key)


TOTALS = ("target", "collected", "eligible", "approved", "pending", "excluded", "counted")


def progress_totals(strata: Iterable[StratumProgress]) -> dict[str, int]:
    """Totals over the quotas no other quota contains: nothing is added twice.

    A city quota beside quotas on its districts counts the city's interviews once; the
    district rows are a breakdown of it, not more interviews. `remaining` is summed per quota.
    """
    top = [s for s in strata if not s.nested]
    out = {k: sum(getattr(s, k) for s in top) for k in TOTALS}
    out["remaining"] = sum(s.remaining for s in top)
    return out
