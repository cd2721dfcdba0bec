"""Which answers are personal data, to be removed from the clean dataset.

Read from the form (question types that identify a person or a place precisely, names that
say so) and from the round's CheckConfig question mapping (the phone, name and GPS roles).
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from validation.xlsform import Question

# Types that capture a device, a precise place, or a recording of the respondent.
_TYPES = frozenset(
    {
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "email",
        "username",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "background-audio",
    }
)
# Question names that say they hold contact details or identity; free-text comments may too.
_NAMES = re.compile(
    r"(^|_)(phone|tel|mobile|whatsapp|telegram|name|surname|first_name|last_name|full_name|"
    r"passport|iin|address|email|contact|comments?)($|_)",
    re.IGNORECASE,
)
_MAP_ROLES = ("phone", "name", "gps")
# KoBo's own columns that carry a place or files.
KOBO_META = frozenset({"_geolocation", "_attachments", "deviceid", "meta/deviceID"})


def personal_data_paths(
    questions: Iterable[Question], question_map: Mapping[str, Any] | None = None
) -> frozenset[str]:
    paths = {
        q.path
        for q in questions
        if q.type in _TYPES or (q.type not in ("begin_group", "note") and _NAMES.search(q.name))
    }
    for role in _MAP_ROLES:
        mapped = (question_map or {}).get(role)
        if isinstance(mapped, str) and mapped:
            paths.add(mapped)
    return frozenset(paths) | KOBO_META
