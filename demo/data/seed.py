"""Fill a KoBo-compatible store with the demo form, its two versions and realistic data."""

import datetime as dt
import random
from typing import Any

from demo.data import build_form
from demo.data.people import ENUMERATORS
from demo.data.submissions import VIOLATIONS, generate_submission

DEMO_ASSET_UID = "aMTMkzR3demo2024"
DEMO_ASSET_NAME = "MTM Kazakhstan R3 – Migrant Worker Survey"
DEMO_VERSION_OLD = build_form.VERSIONS["v1"]
DEMO_VERSION_NEW = build_form.VERSIONS["v2"]


def seed_store(store: Any, n_submissions: int, *, seed: int = 3) -> None:
    """Seed the demo asset; deterministic for a seed.

    About 10% of interviews are on the old version, a few carry planted problems, and some are
    edited, deleted or given a status directly in KoBo afterwards.
    """
    rng = random.Random(seed)
    store.add_asset(
        DEMO_ASSET_UID,
        DEMO_ASSET_NAME,
        versions=[
            (DEMO_VERSION_OLD, build_form.load_content("v1")),
            (DEMO_VERSION_NEW, build_form.load_content("v2")),
        ],
    )
    ids = []
    for index in range(n_submissions):
        enumerator = ENUMERATORS[index % len(ENUMERATORS)]
        old = rng.random() < 0.1
        planted = [rng.choice(VIOLATIONS)] if rng.random() < 0.06 else []
        answers = generate_submission(
            rng,
            version="v1" if old else "v2",
            enumerator=enumerator["username"],
            district_code=rng.choice(enumerator["district_codes"]),
            violations=planted,
            interview_date=dt.date(2024, 2, 1)
            + dt.timedelta(days=index * 28 // max(1, n_submissions)),
        )
        end = dt.datetime.fromisoformat(answers["end"])
        uploaded = end + dt.timedelta(hours=rng.choice([0, 1, 2, 6, 20, 50]))
        doc = store.add_submission(
            DEMO_ASSET_UID,
            answers,
            version_uid=DEMO_VERSION_OLD if old else DEMO_VERSION_NEW,
            submitted_by=enumerator["username"],
            submission_time=uploaded.astimezone(dt.UTC).replace(tzinfo=None),
        )
        ids.append(doc["_id"])
    for kobo_id in rng.sample(ids, min(len(ids), max(1, n_submissions // 200))):
        store.edit_submission(DEMO_ASSET_UID, kobo_id, {"wellbeing/comments": "Corrected"})
    for kobo_id in rng.sample(ids, min(len(ids), max(1, n_submissions // 500))):
        store.delete_submission(DEMO_ASSET_UID, kobo_id)
        ids.remove(kobo_id)
    for kobo_id in rng.sample(ids, min(len(ids), max(1, n_submissions // 300))):
        store.set_status(DEMO_ASSET_UID, kobo_id, "validation_status_on_hold")
