"""Interviews for the review screen tests: real skip-logic flags from the validation engine."""

from typing import Any

from demo.data.locations import CENTROIDS
from surveys.models import Submission
from tests.integration import round_data
from validation.engine.validate import validate_submission


def box(code: str, h: float = 0.03) -> dict[str, Any]:
    """A square district boundary around the demo centroid."""
    lat, lon = CENTROIDS[code]
    ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def flagged_interview(rd: round_data.RoundData, seed: int = 1, team: str = "a") -> Submission:
    """A looking-for-work respondent whose employment sector was answered anyway."""
    district = "KZ-ALA-BOS" if team == "a" else "KZ-ALA-MED"
    lat, lon = CENTROIDS[district]
    data = round_data.answers(
        seed,
        district,
        **{
            "screening/employment_status": "looking",
            "employment/sector": "construction",
            "wellbeing/gps": f"{lat + 0.2} {lon} 900 12",  # ~22 km north of the district
        },
    )
    sub = round_data.add(rd, data, team=team, status=Submission.ReviewStatus.RECEIVED, verdict=None)
    validate_submission(submission=sub)
    sub.refresh_from_db()
    return sub
