"""The engine's findings on the demo and real-world forms match the stored golden snapshot.

See golden_findings.py: how the snapshot is built, and how to regenerate it after a
deliberate change of verdicts.
"""

import pytest

from tests.unit.xlsform.golden_findings import FORMS, snapshot, stored


@pytest.mark.parametrize("name", sorted(FORMS))
def test_findings_match_the_golden_snapshot(name: str) -> None:
    expected = stored(name)

    found = snapshot(FORMS[name])

    assert len(found) == len(expected)
    for index, (ours, golden) in enumerate(zip(found, expected, strict=True)):
        assert ours == golden, f"{name} submission {index} differs from the snapshot"
    assert sum(map(len, expected)) > 100  # not a vacuous snapshot
