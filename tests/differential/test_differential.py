"""validation.xlsform agrees with Enketo's openrosa-xpath-evaluator on every verdict.

Synthetic submissions (seeded, with answers to non-relevant questions, missing required
answers and broken constraints) of the demo form, the two real-world forms in
tests/data/forms and a nested-repeat form are checked by our engine and by harness.js
(Enketo's evaluator on a DOM of the same submission); the sets of (submission, code, path)
must be equal, except on paths either side declares "cannot check".
MTM_DIFF_N sets the submissions per form (default 200); MTM_DIFF_SEED the seed;
MTM_DIFF_HARNESS=fast runs Enketo's side on harness_fast.js (xmldom) instead of jsdom.
"""

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.differential.compare import COMPARED, compare
from tests.differential.enketo import run_enketo, run_enketo_batches
from tests.differential.forms import DEMO_FORM, REACH_FORM, UNHCR_FORM, FormUnderTest
from tests.differential.generator import submissions
from tests.differential.instance import instance_xml
from tests.differential.nested_form import write_nested_form, write_probe_form

N = int(os.environ.get("MTM_DIFF_N", "200"))
SEED = int(os.environ.get("MTM_DIFF_SEED", "20240215"))


@pytest.fixture(scope="module")
def nested_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_nested_form(tmp_path_factory.mktemp("forms") / "nested_repeats.xlsx")


@pytest.fixture(scope="module")
def probe_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_form(tmp_path_factory.mktemp("forms") / "functions.xlsx")


@pytest.mark.parametrize(
    ("_case", "form"),
    [("demo", DEMO_FORM), ("reach", REACH_FORM), ("unhcr", UNHCR_FORM), ("nested", "nested")],
)
def test_engine_agrees_with_enketo(_case: str, form: Path | str, nested_form: Path) -> None:
    report = compare(nested_form if form == "nested" else Path(form), N, SEED)

    assert report.ok, "\n" + report.render(20)
    # Not a vacuous agreement: every verdict occurs, nearly nothing is set aside.
    assert report.agreed > N
    assert all(report.enketo[code] > 0 for code in COMPARED), report.render(0)
    assert report.excluded <= 0.02 * (report.agreed + report.excluded), report.render(0)


def test_engine_agrees_with_enketo_on_functions_and_coercions(probe_form: Path) -> None:
    report = compare(probe_form, N, SEED)

    assert report.ok, "\n" + report.render(20)
    assert report.agreed > N
    assert report.excluded == 0, report.render(0)


def test_generator_is_reproducible_and_plants_every_violation() -> None:
    form = FormUnderTest(DEMO_FORM)
    first = [s.data for s in submissions(form.tree, 30, seed=5)]
    again = [s.data for s in submissions(form.tree, 30, seed=5)]
    other = [s.data for s in submissions(form.tree, 30, seed=6)]

    assert first == again
    assert first != other
    for data in first:
        assert {"__version__", "start", "end", "meta/instanceID", "_id", "_uuid"} <= data.keys()
    ages = Counter(
        "broken" if not 14 <= int(d["screening/age"]) <= 90 else "ok"
        for d in (s.data for s in submissions(form.tree, 400, seed=5))
        if "screening/age" in d
    )
    assert ages["broken"] > 0
    assert ages["ok"] > 10 * ages["broken"]


def test_instance_xml_nests_repeats_in_kobo_key_order(nested_form: Path) -> None:
    form = FormUnderTest(nested_form)
    data = {
        "consent": "yes",
        "hh/members": "2",
        "hh/member": [
            {"hh/member/name": "Aigerim", "hh/member/job": [{"hh/member/job/hours": "30"}]},
            {"hh/member/name": "Timur"},
        ],
    }

    xml = instance_xml(form.instance_template, data, form.repeat_paths)

    assert "<members>2</members>" in xml
    assert xml.count("<member>") == 2
    assert xml.count("<job>") == 1
    assert "<name>Aigerim</name><age /><adult /><pos /><works /><minor_note /><job>" in xml
    assert "<hours>30</hours>" in xml


def test_the_fast_harness_gives_the_jsdom_harness_verdicts() -> None:
    # bench/validate.py times Enketo on harness_fast.js: it must be the same checker.
    form = FormUnderTest(UNHCR_FORM)
    batch = list(submissions(form.tree, 30, SEED))

    on_jsdom = run_enketo(form, batch, "jsdom")
    fast = run_enketo(form, batch, "fast")

    assert not any(r.error for r in fast.values())
    for sub in batch:
        a, b = on_jsdom[sub.index], fast[sub.index]
        assert (a.findings, a.cannot_check) == (b.findings, b.cannot_check), sub.index
    assert sum(len(r.findings) for r in fast.values()) > 30


@pytest.mark.parametrize("harness", ["jsdom", "fast"])
def test_a_harness_checks_a_batch_again_and_says_which_pass(harness: str) -> None:
    # bench/validate.py times the same batch pass after pass in one Node process.
    form = FormUnderTest(DEMO_FORM)
    # Another seed: the warm-up's ids are the batch's, with other answers (kept apart by pass).
    warm = list(submissions(form.tree, 3, SEED + 1))
    batch = list(submissions(form.tree, 4, SEED))
    alone = run_enketo(form, batch, harness)

    results = run_enketo_batches(form, [warm, batch, batch], harness)

    assert [sorted(r) for r in results] == [[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3]]
    for again in results[1:]:
        for sub in batch:
            assert (again[sub.index].findings, again[sub.index].cannot_check) == (
                alone[sub.index].findings,
                alone[sub.index].cannot_check,
            )
            assert again[sub.index].cpu_milliseconds > 0
    assert sum(len(r.findings) for r in alone.values()) > 4
