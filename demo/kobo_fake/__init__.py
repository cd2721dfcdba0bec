"""A KoBo-compatible HTTP server (kpi v2 shapes, fault injection) for tests, demo and benchmarks."""

from surveys.kobo.fake.faults import FaultInjector
from surveys.kobo.fake.server import FakeKoboServer
from surveys.kobo.fake.store import FakeKoboStore

__all__ = ["FakeKoboServer", "FakeKoboStore", "FaultInjector"]
