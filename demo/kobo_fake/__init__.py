"""A KoBo-compatible HTTP server (kpi v2 shapes, fault injection) for tests, demo and benchmarks."""

from demo.kobo_fake.faults import FaultInjector
from demo.kobo_fake.server import FakeKoboServer
from demo.kobo_fake.store import FakeKoboStore

__all__ = ["FakeKoboServer", "FakeKoboStore", "FaultInjector"]
