"""Benchmark of the XLSForm skip-logic engine, and of Enketo's evaluator on the same work.

Usage: .venv/bin/python bench/validate.py [--n 20000] [--enketo-n 1000] [--seed 1]
For the demo form and the UNHCR household survey (tests/data/forms): generates --n synthetic
submissions (tests/differential/generator.py: valid answers, repeats, planted violations),
validates them all in this one process with validation.xlsform (submissions/s, expression
evaluations/s, peak RSS), then checks the first --enketo-n of the same submissions with
tests/differential/harness.js (Enketo's openrosa-xpath-evaluator on jsdom; its per-submission
DOM load + check time, measured inside Node) and prints the time ratio per submission.
--enketo-n 0 skips Enketo; --enketo-n equal to --n runs the whole work through both.
Target: >= 1,000 submissions/s on one core for the demo form.
"""

import argparse
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.differential.enketo import run_enketo
from tests.differential.forms import DEMO_FORM, UNHCR_FORM, FormUnderTest
from tests.differential.generator import Synthetic, submissions
from validation.xlsform import compile_xlsx

TARGET_PER_S = 1000.0


@dataclass
class Measure:
    form: str
    n: int
    seconds: float
    evaluations: int | None
    findings: int
    # This process's CPU time: on a shared machine wall time also counts others' turns on the core.
    cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds else float("inf")


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def measure_ours(path: Path, batch: list[Synthetic]) -> Measure:
    form = compile_xlsx(path)
    before = getattr(form, "evaluations", None)
    findings = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for sub in batch:
        findings += len(form.check(sub.data, now=sub.now))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    after = getattr(form, "evaluations", None)
    evaluations = after - before if isinstance(after, int) and isinstance(before, int) else None
    return Measure(path.name, len(batch), seconds, evaluations, findings, cpu)


def measure_enketo(form: FormUnderTest, batch: list[Synthetic]) -> Measure:
    results = run_enketo(form, batch)
    errors = [r.error for r in results.values() if r.error]
    if errors:
        raise SystemExit(f"harness.js failed on {len(errors)} submissions: {errors[0]}")
    seconds = sum(r.milliseconds for r in results.values()) / 1000
    evaluations = sum(r.evaluations for r in results.values())
    findings = sum(len(r.findings) for r in results.values())
    return Measure(form.path.name, len(batch), seconds, evaluations, findings)


def _line(label: str, m: Measure) -> str:
    evals = (
        f"{m.evaluations:,} evaluations, {m.evaluations / m.seconds:,.0f} evaluations/s"
        if m.evaluations is not None and m.seconds
        else "evaluations: not exposed"
    )
    cpu = f" ({m.n / m.cpu_seconds:,.0f}/s of CPU time)" if m.cpu_seconds else ""
    return (
        f"  {label:7s} {m.n:>6,} submissions in {m.seconds:7.2f} s = {m.per_second:9,.0f}/s{cpu}; "
        f"{evals}; {m.findings:,} findings"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--enketo-n", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    forms = {"demo": FormUnderTest(DEMO_FORM), "unhcr": FormUnderTest(UNHCR_FORM)}
    batches: dict[str, list[Synthetic]] = {}
    start = time.perf_counter()
    for name, form in forms.items():
        batches[name] = list(submissions(form.tree, args.n, args.seed))
    print(f"generated {args.n:,} submissions per form in {time.perf_counter() - start:.1f} s")

    ours = {name: measure_ours(form.path, batches[name]) for name, form in forms.items()}
    own_rss = _rss_mb(resource.RUSAGE_SELF)
    print("validation.xlsform (this process, one core):")
    for name in forms:
        print(_line(name, ours[name]))
    total = sum(m.n for m in ours.values()) / sum(m.seconds for m in ours.values())
    print(
        f"  overall {total:,.0f} submissions/s; peak RSS {own_rss:,.0f} MB (incl. generated data)"
    )

    demo_rate = ours["demo"].per_second
    verdict = "met" if demo_rate >= TARGET_PER_S else "NOT MET"
    print(f"  target >= {TARGET_PER_S:,.0f}/s on the demo form: {verdict} ({demo_rate:,.0f}/s)")

    if args.enketo_n <= 0:
        return 0 if demo_rate >= TARGET_PER_S else 1
    print(
        f"Enketo openrosa-xpath-evaluator (Node + jsdom, first {args.enketo_n:,} of the same "
        "submissions, time inside Node per submission):"
    )
    for name, form in forms.items():
        theirs = measure_enketo(form, batches[name][: args.enketo_n])
        print(_line(name, theirs))
        ratio = (theirs.seconds / theirs.n) / (ours[name].seconds / ours[name].n)
        print(f"  {name}: validation.xlsform is {ratio:,.1f}x faster per submission than Enketo")
    print(f"  Node peak RSS {_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB")
    return 0 if demo_rate >= TARGET_PER_S else 1


if __name__ == "__main__":
    sys.exit(main())
