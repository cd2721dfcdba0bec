"""A small synthetic round on the demo form: two teams, generated answers, known outcomes."""

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demo.data.submissions import generate_submission
from surveys.models import FormVersion, KoboForm, Round, Submission
from tests import factories
from validation.models import Eligibility

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
ALMATY = dt.timezone(dt.timedelta(hours=5))


@dataclass
class RoundData:
    round: Round
    form: KoboForm
    version: FormVersion
    manager: Any
    sup_a: Any
    sup_b: Any
    enum_a: Any
    enum_b: Any
    subs: list[Submission] = field(default_factory=list)


def build() -> RoundData:
    round_ = factories.RoundFactory.create()
    form = factories.KoboFormFactory.create(round=round_)
    content = json.loads((DEMO / "mtm_survey_r3.asset.json").read_text())
    content = content.get("content", content)
    version = FormVersion.objects.create(
        form=form,
        version_uid="vR3b",
        content=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
    )
    almaty = factories.CityFactory.create()
    bos = factories.DistrictFactory.create(parent=almaty)
    med = factories.DistrictFactory.create(code="KZ-ALA-MED", name_en="Medeu", parent=almaty)
    sup_a = factories.supervisor(username="sup_a")
    sup_b = factories.supervisor(username="sup_b")
    team_a = factories.TeamFactory.create(name="Almaty A", supervisor=sup_a)
    team_b = factories.TeamFactory.create(name="Almaty B", supervisor=sup_b)
    team_a.locations.add(bos)
    team_b.locations.add(med)
    return RoundData(
        round=round_,
        form=form,
        version=version,
        manager=factories.data_manager(username="manager"),
        sup_a=sup_a,
        sup_b=sup_b,
        enum_a=factories.EnumeratorFactory.create(kobo_username="enum_a", team=team_a),
        enum_b=factories.EnumeratorFactory.create(kobo_username="enum_b", team=team_b),
    )


def answers(seed: int, district: str, **overrides: Any) -> dict[str, Any]:
    """A complete eligible interview from the demo generator, then the overrides."""
    rng = random.Random(seed)
    while True:
        data = generate_submission(rng, enumerator="enum", district_code=district)
        if data.get("screening/eligible") == "yes":
            break
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def add(
    rd: RoundData,
    data: dict[str, Any],
    *,
    team: str = "a",
    status: str = "approved",
    verdict: str | None = "eligible",
    when: dt.datetime | None = None,
) -> Submission:
    enum = rd.enum_a if team == "a" else rd.enum_b
    location = enum.team.locations.get()
    start = when or dt.datetime(2024, 2, 10, 11, 0, tzinfo=ALMATY)
    sub = factories.SubmissionFactory.create(
        form=rd.form,
        version=rd.version,
        version_uid=rd.version.version_uid,
        enumerator=enum,
        location=location,
        review_status=status,
        data=data,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=40),
        submission_time=start + dt.timedelta(hours=2),
    )
    if verdict is not None:
        Eligibility.objects.create(submission=sub, verdict=verdict, criteria=[])
    rd.subs.append(sub)
    return sub
