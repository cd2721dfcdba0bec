"""Compare validation.xlsform with Enketo's evaluator on synthetic submissions of one form.

Usage: python -m tests.differential.compare --form X.xlsx [--n 500] [--seed 1] [--show 20]
Prints the counts per code on each side and every disagreement (first --show in detail:
the submission, path, expression and the values it read). Exit 1 when they disagree.
"""

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.differential.enketo import EnketoResult, run_enketo
from tests.differential.forms import FormUnderTest
from tests.differential.generator import Synthetic, submissions
from validation.xlsform import Finding, compile_xlsx

COMPARED = (
    "skip_logic.not_relevant",
    "skip_logic.required_missing",
    "skip_logic.constraint_failed",
)
CANNOT = "skip_logic.cannot_check"

Key = tuple[int, str, str]  # (submission index, code, path)


@dataclass
class Disagreement:
    key: Key
    side: str  # which engine alone reports it: "ours" or "enketo"
    expression: str
    value: str
    submission: Synthetic


@dataclass
class Report:
    form: Path
    n: int
    ours: Counter[str] = field(default_factory=Counter)
    enketo: Counter[str] = field(default_factory=Counter)
    agreed: int = 0
    excluded: int = 0  # findings dropped on either side's "cannot check" paths
    cannot_check: Counter[str] = field(default_factory=Counter)
    unparseable: list[str] = field(default_factory=list)
    harness_errors: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    seconds_ours: float = 0.0
    seconds_enketo: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.disagreements or self.unparseable or self.harness_errors)

    def render(self, show: int = 20) -> str:
        lines = [
            f"{self.form.name}: {self.n} submissions, {self.agreed} findings agreed, "
            f"{len(self.disagreements)} disagreements, {self.excluded} excluded as cannot-check "
            f"(ours {self.seconds_ours:.1f}s, enketo {self.seconds_enketo:.1f}s, side by side)",
            f"  ours:   {dict(sorted(self.ours.items()))}",
            f"  enketo: {dict(sorted(self.enketo.items()))}",
        ]
        if self.cannot_check:
            top = ", ".join(f"{p} ({c})" for p, c in self.cannot_check.most_common(5))
            lines.append(f"  cannot check (top paths): {top}")
        lines += [f"  UNPARSEABLE (ours): {u}" for u in self.unparseable[:show]]
        lines += [f"  HARNESS ERROR: {e}" for e in self.harness_errors[:show]]
        by_kind = Counter((d.side, d.key[1], _generic(d.key[2])) for d in self.disagreements)
        if by_kind:
            lines.append("  disagreements by (only on, code, question):")
            lines += [f"    {c:5d}  {s:6s} {code} {q}" for (s, code, q), c in by_kind.most_common()]
        for d in self.disagreements[:show]:
            index, code, path = d.key
            sub = d.submission
            lines.append(
                f"  - submission {index} (_id {sub.data.get('_id')}, now {sub.now.isoformat()}): "
                f"{code} {path} only in {d.side}"
            )
            lines.append(f"      expression: {d.expression}")
            lines.append(f"      value: {d.value!r}; submitted: {_submitted(sub.data, path)!r}")
        return "\n".join(lines)


def compare(path: Path, n: int, seed: int) -> Report:
    """Check n generated submissions with both engines and diff the verdicts."""
    form = FormUnderTest(path)
    batch = list(submissions(form.tree, n, seed))
    report = Report(path, n)
    form.instance_template  # noqa: B018 - build the pyxform side before the thread reads it
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Node works in its own process meanwhile: the two engines run side by side.
        started = time.perf_counter()
        pending = pool.submit(run_enketo, form, batch)
        compiled = compile_xlsx(path)
        report.unparseable = [f"{e.path}: {e.message}" for e in getattr(compiled, "errors", [])]
        ours = {sub.index: compiled.check(sub.data, now=sub.now) for sub in batch}
        report.seconds_ours = time.perf_counter() - started
        theirs = pending.result()
        report.seconds_enketo = time.perf_counter() - started
    for sub in batch:
        _diff(report, sub, ours[sub.index], theirs[sub.index])
    return report


def _diff(report: Report, sub: Synthetic, ours: list[Finding], theirs: EnketoResult) -> None:
    if theirs.error:
        report.harness_errors.append(f"submission {sub.index}: {theirs.error}")
        return
    excluded = {f.path for f in ours if f.code == CANNOT} | set(theirs.cannot_check)
    report.cannot_check.update(excluded)
    mine: dict[Key, Finding] = {}
    for f in ours:
        if f.code in COMPARED:
            report.ours[f.code] += 1
            mine[(sub.index, f.code, f.path)] = f
    other: dict[Key, dict[str, str]] = {}
    for g in theirs.findings:
        report.enketo[g["code"]] += 1
        other[(sub.index, g["code"], g["path"])] = g
    for key in sorted(mine.keys() | other.keys()):
        if _covered(key[2], excluded):
            report.excluded += 1
        elif key in mine and key in other:
            report.agreed += 1
        elif key in mine:
            f = mine[key]
            values = ", ".join(f"{k}={v!r}" for k, v in f.values.items())
            report.disagreements.append(
                Disagreement(key, "ours", f.expression or "", f"{f.message} [{values}]", sub)
            )
        else:
            g = other[key]
            report.disagreements.append(
                Disagreement(key, "enketo", g.get("expression", ""), g.get("value", ""), sub)
            )


def _covered(path: str, excluded: set[str]) -> bool:
    # A cannot-check group or repeat instance covers everything inside it.
    return any(path == p or path.startswith(f"{p}/") for p in excluded)


def _generic(path: str) -> str:
    return "/".join(part.split("[", 1)[0] for part in path.split("/"))


def _submitted(data: dict[str, Any], path: str) -> Any:
    """The raw submitted value at a KoBo path with repeat indexes (None when absent)."""
    node: Any = data
    prefix = ""
    for part in path.split("/"):
        name, _, index = part.partition("[")
        prefix = f"{prefix}/{name}" if prefix else name
        if not isinstance(node, dict):
            return None
        node = node.get(prefix)
        if index:
            items = node if isinstance(node, list) else []
            position = int(index.rstrip("]"))
            node = items[position - 1] if len(items) >= position else None
    return node


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", type=Path, required=True, help="XLSForm .xlsx")
    parser.add_argument("--n", type=int, default=200, help="submissions to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=20, help="disagreements shown in detail")
    args = parser.parse_args(argv)
    report = compare(args.form, args.n, args.seed)
    print(report.render(args.show))  # noqa: T201 - a command-line tool
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
