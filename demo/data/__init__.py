"""The demo round: Kazakhstan locations, field teams, quotas, the MTM form and its data."""

from demo.data.locations import LOCATIONS
from demo.data.people import ENUMERATORS, QUOTAS, SUPERVISORS
from demo.data.seed import DEMO_ASSET_UID, DEMO_VERSION_NEW, DEMO_VERSION_OLD

__all__ = [
    "DEMO_ASSET_UID",
    "DEMO_VERSION_NEW",
    "DEMO_VERSION_OLD",
    "ENUMERATORS",
    "LOCATIONS",
    "QUOTAS",
    "SUPERVISORS",
]
