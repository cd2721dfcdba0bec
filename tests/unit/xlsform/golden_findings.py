"""Golden snapshot of the skip-logic engine's findings on the demo and the real-world forms.

Every finding (code, path, name, message, severity, values, expression) of seeded synthetic
submissions (tests/differential/generator.py) is stored per form in golden/<form>.json.gz;
test_golden_findings.py fails on any change. Speed work must leave the findings unchanged.
Regenerate, after a deliberate change of verdicts or of a form, and review the diff:
    .venv/bin/python -m tests.unit.xlsform.golden_findings
"""

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from tests.differential.forms import DEMO_FORM, REACH_FORM, UNHCR_FORM, FormUnderTest
from tests.differential.generator import submissions
from validation.xlsform import compile_xlsx

HERE = Path(__file__).resolve().parent / "golden"
FORMS = {"demo": DEMO_FORM, "reach": REACH_FORM, "unhcr": UNHCR_FORM}
N = 40
SEED = 7


def snapshot(path: Path, n: int = N, seed: int = SEED) -> list[list[dict[str, Any]]]:
    """The findings of each of n synthetic submissions, as JSON-ready dicts."""
    form = compile_xlsx(path)
    return [
        [f.as_dict() for f in form.check(sub.data, now=sub.now)]
        for sub in submissions(FormUnderTest(path).tree, n, seed)
    ]


def stored(name: str) -> list[list[dict[str, Any]]]:
    with gzip.open(HERE / f"{name}.json.gz", "rt", encoding="utf-8") as fh:
        data: list[list[dict[str, Any]]] = json.load(fh)
    return data


def main() -> int:
    HERE.mkdir(exist_ok=True)
    for name, path in FORMS.items():
        found = snapshot(path)
        text = json.dumps(found, ensure_ascii=False, sort_keys=True, indent=0)
        # mtime=0: the same findings give the same bytes (no spurious diffs).
        with (
            (HERE / f"{name}.json.gz").open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh,
        ):
            fh.write(text.encode())
        print(f"{name}: {sum(map(len, found))} findings in {len(found)} submissions")  # noqa: T201 - a command-line tool
    return 0


if __name__ == "__main__":
    sys.exit(main())
