"""Runs Enketo's openrosa-xpath-evaluator (harness.js on jsdom, harness_fast.js on xmldom).

Both harnesses share enketo_checker.js, so they give the same verdicts; MTM_DIFF_HARNESS
(jsdom | fast) picks the one the differential test uses (default jsdom, the browser-like DOM).
"""

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.differential.forms import FormUnderTest
from tests.differential.generator import NODE_TZ, Synthetic
from tests.differential.instance import instance_xml

HERE = Path(__file__).resolve().parent
HARNESSES = {"jsdom": HERE / "harness.js", "fast": HERE / "harness_fast.js"}


class HarnessError(RuntimeError):
    pass


@dataclass
class EnketoResult:
    """The independent verdicts on one submission."""

    findings: list[dict[str, str]]
    cannot_check: dict[str, str]
    evaluations: int
    passes: int
    milliseconds: float = 0.0  # DOM load + check of this submission inside Node (wall clock)
    cpu_milliseconds: float = 0.0  # the same, Node's CPU time
    error: str | None = None


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise HarnessError("Node.js is needed for the differential test (node not on PATH)")
    if not (HERE / "node_modules" / "openrosa-xpath-evaluator").is_dir():
        raise HarnessError(
            "npm packages missing: run `make install` (npm ci in tests/differential)"
        )
    return node


def run_enketo(
    form: FormUnderTest, batch: Iterable[Synthetic], harness: str | None = None
) -> dict[int, EnketoResult]:
    """Verdicts of the independent checker, keyed by Synthetic.index."""
    return run_enketo_batches(form, [batch], harness)[0]


def run_enketo_batches(
    form: FormUnderTest, batches: Sequence[Iterable[Synthetic]], harness: str | None = None
) -> list[dict[int, EnketoResult]]:
    """The batches checked in order by one Node process (the same batch may come again: the
    bench times it warm, pass after pass); one dict per batch, keyed by Synthetic.index."""
    script = HARNESSES[harness or os.environ.get("MTM_DIFF_HARNESS", "jsdom")]
    lines = [json.dumps({"xform": form.xform})]
    encoded: dict[int, dict[str, object]] = {}  # id(sub) -> message: a repeat is built once
    for number, batch in enumerate(batches):
        for sub in batch:
            if id(sub) not in encoded:
                xml = instance_xml(form.instance_template, sub.data, form.repeat_paths)
                now_ms = int(sub.now.timestamp() * 1000)
                encoded[id(sub)] = {"id": sub.index, "now": now_ms, "instance": xml}
            lines.append(json.dumps({**encoded[id(sub)], "batch": number}))
    env = {**os.environ, "TZ": NODE_TZ}
    proc = subprocess.run(  # noqa: S603 - fixed argv: node + our harness
        [node_binary(), str(script)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE,
        check=False,
    )
    if proc.returncode != 0:
        raise HarnessError(f"{script.name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    results: list[dict[int, EnketoResult]] = [{} for _ in batches]
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        results[int(row["batch"])][int(row["id"])] = EnketoResult(
            findings=row.get("findings", []),
            cannot_check=dict(row.get("cannot_check", {})),
            evaluations=int(row.get("evaluations", 0)),
            passes=int(row.get("passes", 0)),
            milliseconds=float(row.get("ms", 0.0)),
            cpu_milliseconds=float(row.get("cpu_ms", 0.0)),
            error=row.get("error"),
        )
    return results
