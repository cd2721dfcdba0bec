"""The demo round: Kazakhstan locations, field teams, quotas, the MTM form and its data."""

from surveys.demo.locations import LOCATIONS
from surveys.demo.people import ENUMERATORS, QUOTAS, SUPERVISORS
from surveys.demo.seed import DEMO_ASSET_UID, DEMO_VERSION_NEW, DEMO_VERSION_OLD

__all__ = [
    "DEMO_ASSET_UID",
    "DEMO_VERSION_NEW",
    "DEMO_VERSION_OLD",
    "ENUMERATORS",
    "LOCATIONS",
    "QUOTAS",
    "SUPERVISORS",
]
