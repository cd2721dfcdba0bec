"""Two supervised teams in one round, for the scoping tests of the API, exports and dashboards."""

from dataclasses import dataclass
from typing import Any

from surveys.models import Round, Submission, SyncRun
from tests import factories
from validation.models import Flag, ReviewEvent, Severity


@dataclass
class World:
    round: Round
    manager: Any
    sup_a: Any
    sup_b: Any
    enum_a: Any  # an Enumerator of team A
    enum_b: Any
    subs_a: list[Submission]
    subs_b: list[Submission]
    flag_a: Flag
    flag_b: Flag
    event_a: ReviewEvent
    event_b: ReviewEvent
    sync_run: SyncRun


def build(per_team: int = 3) -> World:
    round_ = factories.RoundFactory.create()
    form = factories.KoboFormFactory.create(round=round_)
    almaty = factories.CityFactory.create()
    bos = factories.DistrictFactory.create(parent=almaty)
    med = factories.DistrictFactory.create(code="KZ-ALA-MED", name_en="Medeu", parent=almaty)
    sup_a = factories.supervisor(username="sup_a")
    sup_b = factories.supervisor(username="sup_b")
    team_a = factories.TeamFactory.create(name="Almaty A", supervisor=sup_a)
    team_b = factories.TeamFactory.create(name="Almaty B", supervisor=sup_b)
    team_a.locations.add(bos)
    team_b.locations.add(med)
    enum_a = factories.EnumeratorFactory.create(kobo_username="enum_a", team=team_a)
    enum_b = factories.EnumeratorFactory.create(kobo_username="enum_b", team=team_b)
    subs_a = [
        factories.SubmissionFactory.create(
            form=form, enumerator=enum_a, location=bos, review_status="flagged"
        )
        for _ in range(per_team)
    ]
    subs_b = [
        factories.SubmissionFactory.create(
            form=form, enumerator=enum_b, location=med, review_status="flagged"
        )
        for _ in range(per_team)
    ]
    flag_a, flag_b = (
        Flag.objects.create(
            submission=sub,
            check_code="duration.too_short",
            path="",
            severity=Severity.MAJOR,
            message="The interview took 4 minutes.",
        )
        for sub in (subs_a[0], subs_b[0])
    )
    event_a, event_b = (
        ReviewEvent.objects.create(
            submission=sub, actor=sup, from_status="flagged", to_status="on_hold", comment="wait"
        )
        for sub, sup in ((subs_a[1], sup_a), (subs_b[1], sup_b))
    )
    Submission.objects.filter(pk__in=(subs_a[1].pk, subs_b[1].pk)).update(review_status="on_hold")
    return World(
        round=round_,
        manager=factories.data_manager(username="manager"),
        sup_a=sup_a,
        sup_b=sup_b,
        enum_a=enum_a,
        enum_b=enum_b,
        subs_a=subs_a,
        subs_b=subs_b,
        flag_a=flag_a,
        flag_b=flag_b,
        event_a=event_a,
        event_b=event_b,
        sync_run=SyncRun.objects.create(form=form, status="succeeded"),
    )
