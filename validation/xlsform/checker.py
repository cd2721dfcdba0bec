"""Check one submission as ODK Collect and Enketo would: relevance, required, constraints, types.

Rules that decide verdicts:
- relevance flows down: a question in a non-relevant group is non-relevant;
- a non-relevant question's value does not exist for the rest of the evaluation;
- a calculate the submission carries is used as submitted, a missing one is computed;
- `required` is checked on relevant empty questions (notes included), `constraint` on
  relevant non-empty answers; meta, calculate and hidden fields are never reported;
- anything that cannot be known offline yields `skip_logic.cannot_check`, never a flag.
"""

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from validation.xlsform import values as v
from validation.xlsform.errors import EvaluationError
from validation.xlsform.model import (
    Choice,
    Compiled,
    Element,
    Finding,
    Missing,
    Skipped,
    kobo_path,
    lazy_finding,
)
from validation.xlsform.runtime import Runtime
from validation.xlsform.values import Idx, Node, NodeSet, Value

if TYPE_CHECKING:
    from validation.xlsform.form import CompiledForm

MAX_PASSES = 10
SEVERITY = {
    "skip_logic.not_relevant": "major",
    "skip_logic.required_missing": "major",
    "skip_logic.constraint_failed": "major",
    "skip_logic.invalid_choice": "major",
    "skip_logic.invalid_value": "major",
    "skip_logic.repeat_count_mismatch": "minor",
    "skip_logic.cannot_check": "info",
}
# Entries kept in a form's message caches before they start again (odd data cannot grow them).
MAX_REMEMBERED = 20_000
MAX_TABLES = 200  # node_table's tables (repeat level x instances) per form: ~20,000 lists
WHOLE = re.compile(r"\s*[-+]?\d+\s*\Z")  # an integer answer (invalid_problem)
NOT_WHOLE = "a whole number"
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}(:?\d{2})?|Z)?\Z")


_TAINTED = "it depends on answers that cannot be known offline"


class Unknown:
    """The result of an expression that cannot be evaluated offline, with the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def interview_time(data: Mapping[str, Any]) -> dt.datetime:
    """today()/now() of an interview: its end, else start, else KoBo's receipt time (UTC)."""
    for key in ("end", "start"):
        found = v.parse_datetime(str(data.get(key) or "").strip())
        if found is not None:
            return found if found.tzinfo else found.replace(tzinfo=dt.UTC)
    received = v.parse_datetime(str(data.get("_submission_time") or "").strip())
    if received is not None:
        return received if received.tzinfo else received.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def evaluate(rt: Runtime, compiled: Compiled, node: Node) -> Value | Unknown:
    rt.current, rt.tainted = node, False
    rt.evaluations += 1
    try:
        value = compiled.fn(rt, node)
    except (EvaluationError, ArithmeticError) as exc:  # CannotCheckError is an EvaluationError
        return Unknown(str(exc))
    except RecursionError:
        return Unknown("the expression is nested too deeply to evaluate")
    if isinstance(value, NodeSet):
        value.strings  # noqa: B018 - read now, so an unknowable node taints this result
    if rt.tainted:
        return Unknown(_TAINTED)
    return value


def truth(rt: Runtime, compiled: Compiled, node: Node) -> bool | Unknown:
    """evaluate() as a boolean, inlined: most relevance and constraints give one directly."""
    rt.current, rt.tainted = node, False
    rt.evaluations += 1
    try:
        value = compiled.fn(rt, node)
    except (EvaluationError, ArithmeticError) as exc:  # CannotCheckError is an EvaluationError
        return Unknown(str(exc))
    except RecursionError:
        return Unknown("the expression is nested too deeply to evaluate")
    if value is not True and value is not False:
        if isinstance(value, NodeSet):
            value.strings  # noqa: B018 - read now, so an unknowable node taints this result
        if rt.tainted:
            return Unknown(_TAINTED)
        return v.to_boolean(value)
    if rt.tainted:
        return Unknown(_TAINTED)
    return value


# -- relevance and calculates ------------------------------------------------------------------


def settle(form: "CompiledForm", rt: Runtime) -> None:
    """Compute relevance and visible values, iterating while later answers change earlier logic."""
    rt.values = dict(rt.raw)
    rt.reasons = {}
    one_pass = form.settle_pass  # generated.py's: what run_steps over form.settle_plan does
    for n in range(MAX_PASSES):
        changed_early, changed_any = one_pass(rt, n == 0)
        if not (changed_early or (form.iterate_always and changed_any)):
            return


SettleNode = tuple[tuple[int, Idx], tuple[int, Idx] | None, Node]
SettleStep = tuple[Element, bool, Compiled | None, Compiled | None, list[SettleNode] | None]


def parent_key(element: Element, idx: Idx, rt: Runtime | None = None) -> tuple[int, Idx] | None:
    """The runtime key of the node holding (element, idx); None directly under the root.

    With rt, the form's own key object (Runtime.key).
    """
    parent = element.parent
    if parent is None or parent.kind == "root":
        return None
    pidx = idx[:-1] if element.kind == "repeat" else idx
    return rt.key(parent, pidx) if rt is not None else (parent.id, pidx)


def node_table(
    form: "CompiledForm", rt: Runtime, repeats: tuple[Element, ...]
) -> dict[int, list[SettleNode]]:
    """settle_plan's nodes of every element under exactly `repeats`, for this submission.

    element id -> its nodes. Remembered per form (most submissions repeat the same numbers
    of times) and made whole, so the generated passes look it up once per repeat level and
    submission, then index it. Shared lists: callers must not change them.
    """
    table = rt.node_tables.get(repeats)
    if table is None:
        instances = rt.instances_of(repeats)
        shared = form.repeat_nodes
        table = shared.get((repeats, instances))
        if table is None:
            if len(shared) >= MAX_TABLES:
                shared.clear()
            table = shared[(repeats, instances)] = {
                e.id: [(rt.key(e, i), parent_key(e, i, rt), (e, i)) for i in instances]
                for e in form.under_repeats[repeats]
            }
        rt.node_tables[repeats] = table
    return table


def settle_nodes(form: "CompiledForm", rt: Runtime, element: Element) -> list[SettleNode]:
    """settle_plan's nodes of an element inside repeats, for one submission's instances."""
    return node_table(form, rt, element.repeats)[element.id]


def run_steps(
    form: "CompiledForm", rt: Runtime, steps: list[SettleStep], first: bool
) -> tuple[bool, bool]:
    """One document-order pass over steps: (a value read by earlier logic changed, anything).

    On the first pass `values` still holds every answer as submitted (settle copied them) and
    `unknown` nothing of these nodes: a question without a calculation changes only when
    skipped.
    """
    changed_early = changed_any = False
    rel, values, unknown, reasons, raw_values = rt.rel, rt.values, rt.unknown, rt.reasons, rt.raw
    track_any = form.iterate_always  # settle reads changed_any only then
    for element, is_leaf, relevant, calc, fixed in steps:
        nodes = fixed
        if nodes is None:  # inside repeats: this submission's instances, the same every pass
            nodes = settle_nodes(form, rt, element)
        for key, up_key, node in nodes:
            parent_rel: bool | None
            parent_rel = True if up_key is None else rel.get(up_key, True)
            own: bool | None
            if parent_rel is False:
                own = False
            elif relevant is None:
                own = parent_rel
            else:
                result = truth(rt, relevant, node)
                if isinstance(result, Unknown):
                    reasons[key] = f"its relevance cannot be evaluated: {result.reason}"
                    own = None
                else:
                    own = None if (parent_rel is None and result) else result
            if track_any and rel.get(key, 0) != own:
                changed_any = True
            rel[key] = own
            if not is_leaf:
                continue
            if first and calc is None:
                if own is False:
                    if key in values:
                        del values[key]
                        changed_any = True
                        if element.read_early:
                            changed_early = True
                elif own is None:
                    unknown.add(key)
                continue
            raw = raw_values.get(key)
            uncertain = own is None
            if own is False:
                value = ""
            elif raw is None and calc is not None:
                computed = evaluate(rt, calc, node)
                if isinstance(computed, Unknown):
                    value, uncertain = "", True
                else:
                    value = v.to_string(computed)
            else:
                value = raw or ""
            if uncertain:
                unknown.add(key)
            elif unknown:
                unknown.discard(key)
            if values.get(key, "") != value:
                if value:
                    values[key] = value
                else:
                    values.pop(key, None)
                changed_any = True
                if element.read_early:
                    changed_early = True
    return changed_early, changed_any


# -- findings ---------------------------------------------------------------------------------


def check_submission(form: "CompiledForm", rt: Runtime, lang: str) -> list[Finding]:
    """A loaded submission settled, then its findings in document order."""
    out: list[Finding] = []
    if form.merged_pass is not None and rt.top is not None:  # one function (merged.py)
        # rt is fresh from load_direct: values and reasons still empty, as the function needs
        form.merged_pass(rt, _Words(form, rt, lang), out)
        return out
    settle(form, rt)
    # generated.py's pass: what check_steps over form.check_plan does.
    form.check_pass(rt, _Words(form, rt, lang), out)
    return out


# A skipped question's decider: (element, its index), else ().
Outer = tuple[Element, Idx] | tuple[()]
CheckStep = tuple[Element, "tuple[int, Idx] | None", tuple[Element, ...], bool, bool, bool, bool]


def check_steps(
    form: "CompiledForm", rt: Runtime, say: "_Words", out: list[Finding], steps: list[CheckStep]
) -> None:
    """The findings of steps' elements, appended to out in document order."""
    rel, reasons, raw_values = rt.rel, rt.reasons, rt.raw
    not_relevant = say.not_relevant
    for element, top_key, _, counted, checked, typed, selects in steps:
        if counted:
            out.extend(repeat_counts(form, rt, element, say))
        if top_key is not None:  # outside repeats: one node, its key made once per form
            keys: Any = (top_key,)
        else:
            keys = [node[0] for node in settle_nodes(form, rt, element)]
        for key in keys:
            relevant = rel.get(key, True)
            if relevant is None:
                if key in reasons:
                    out.append(cannot_check(say, element, key))
                continue
            if not checked:
                continue
            raw = raw_values.get(key)
            if relevant is False:
                if raw:
                    out.append(not_relevant(element, key[1], raw))
                continue
            if not raw:
                if element.required is not False:
                    out.extend(required(rt, element, key[1], say))
                continue
            if typed or selects or element.constraint is not None:
                answered(form, rt, say, out, element, key[1], raw, typed, selects)


def cannot_check(say: "_Words", element: Element, key: tuple[int, Idx]) -> Finding:
    """A node whose relevance cannot be known offline."""
    return say.finding(
        "skip_logic.cannot_check",
        element,
        key[1],
        f"{say.q(element)} cannot be checked: {say.rt.reasons[key]}.",
    )


def answered(
    form: "CompiledForm",
    rt: Runtime,
    say: "_Words",
    out: list[Finding],
    element: Element,
    idx: Idx,
    raw: str,
    typed: bool,
    selects: bool,
) -> None:
    """The findings of a relevant answer: its type, its choices, its constraint."""
    problem = invalid_problem(element, raw) if typed else ""
    if problem:
        out.append(invalid_value(say, element, idx, raw, problem))
        return
    if selects and (element.choice_filter is not None or not listed(element, raw)):
        out.extend(choices(form, rt, element, idx, raw, say))
    if element.constraint is not None:
        out.extend(constraint(rt, element, idx, raw, say))


def cannot_evaluate(
    say: "_Words", element: Element, idx: Idx, what: str, result: Unknown, compiled: Compiled
) -> Finding:
    """An expression of the question (what it decides) that cannot be evaluated offline."""
    return say.finding(
        "skip_logic.cannot_check",
        element,
        idx,
        f"{say.q(element)} cannot be checked: {what} cannot be evaluated ({result.reason}).",
        {},
        compiled.text,
    )


def invalid_value(say: "_Words", element: Element, idx: Idx, raw: str, problem: str) -> Finding:
    return say.finding(
        "skip_logic.invalid_value",
        element,
        idx,
        f"{say.q(element)} should be {problem} but is '{raw}'.",
        {element.xpath: raw},
    )


def required(rt: Runtime, element: Element, idx: Idx, say: "_Words") -> list[Finding]:
    required = element.required
    if required is False:
        return []
    if required is True:
        missing: Missing = Missing()  # its name and path follow from these
        missing._e, missing._build = element, (say.required_words, idx)
        return [missing]
    result = truth(rt, required, (element, idx))
    if isinstance(result, Unknown):
        return [cannot_evaluate(say, element, idx, "whether it is required", result, required)]
    if not result:
        return []
    return [
        lazy_finding(
            "skip_logic.required_missing",
            kobo_path(element, idx),
            element.name,
            "major",
            required.text,
            say.required_words,
            element,
        )
    ]


def constraint(rt: Runtime, element: Element, idx: Idx, raw: str, say: "_Words") -> list[Finding]:
    constraint = element.constraint
    assert constraint is not None  # noqa: S101 - checked by the caller
    result = truth(rt, constraint, (element, idx))
    if isinstance(result, Unknown):
        return [cannot_evaluate(say, element, idx, "its constraint", result, constraint)]
    if result:
        return []
    return [constraint_failed(say, element, idx, raw)]


def constraint_failed(say: "_Words", element: Element, idx: Idx, raw: str) -> Finding:
    assert element.constraint is not None  # noqa: S101 - only a failed constraint has words
    return lazy_finding(
        "skip_logic.constraint_failed",
        kobo_path(element, idx),
        element.name,
        "major",
        element.constraint.text,
        say.constraint_words,
        element,
        idx,
        raw,
    )


def choices(
    form: "CompiledForm", rt: Runtime, element: Element, idx: Idx, raw: str, say: "_Words"
) -> list[Finding]:
    if element.value_kind not in ("select1", "selectm") or element.choices is None:
        return []
    chosen = raw.split() if element.value_kind == "selectm" else [raw.strip()]
    bad: list[str] = []
    filtered: list[str] = []
    for name in chosen:
        choice = element.choices.get(name)
        if choice is None:
            if not (element.or_other and name == "other"):
                bad.append(name)
            continue
        if element.choice_filter is not None:
            rt.choice_row = choice_row(choice)
            try:
                result = truth(rt, element.choice_filter, (element, idx))
            finally:
                rt.choice_row = None
            if result is False:
                filtered.append(name)
    if not bad and not filtered:
        return []
    return [choice_finding(say, element, idx, raw, bad, filtered)]


def choice_row(choice: Choice) -> dict[str, str]:
    """What a choice_filter reads of a choice: its columns, its name and first label."""
    return {**choice.columns, "name": choice.name, "label": next(iter(choice.labels.values()), "")}


def choice_finding(
    say: "_Words",
    element: Element,
    idx: Idx,
    raw: str,
    bad: Sequence[str],
    filtered: Sequence[str],
) -> Finding:
    """skip_logic.invalid_choice: names not in the list, names the choice_filter leaves out.

    Its words are written when first read (_Words.invalid_choice_words), as a failed constraint's.
    """
    expression = element.choice_filter.text if filtered and element.choice_filter else None
    return lazy_finding(
        "skip_logic.invalid_choice",
        kobo_path(element, idx),
        element.name,
        SEVERITY["skip_logic.invalid_choice"],
        expression,
        say.invalid_choice_words,
        element,
        idx,
        raw,
        bad,
        filtered,
    )


def listed(element: Element, raw: str) -> bool:
    """Every chosen name is in the element's list (choices would find nothing wrong)."""
    choices = element.choices
    assert choices is not None  # noqa: S101 - only called for selects with their list
    if element.value_kind == "select1":
        name = raw.strip()
        return name in choices or (element.or_other and name == "other")
    return all(name in choices or (element.or_other and name == "other") for name in raw.split())


TYPED = frozenset(("int", "dec", "date", "datetime", "time", "geopoint"))  # invalid_problem's


def invalid_problem(element: Element, raw: str) -> str:
    kind = element.value_kind
    text = raw.strip()
    if kind == "int":
        return "" if WHOLE.match(text) else NOT_WHOLE
    if kind == "dec":
        try:
            number = float(text)
        except ValueError:
            return "a number"
        return "" if math.isfinite(number) else "a number"
    if kind == "date":
        return "" if v.parse_date(text) else "a date (YYYY-MM-DD)"
    if kind == "datetime":
        return "" if v.parse_datetime(text) else "a date and time"
    if kind == "time":
        return "" if _TIME.match(text) else "a time (HH:MM)"
    if kind == "geopoint":
        return "" if _geopoint(text) else "a GPS point (latitude longitude altitude accuracy)"
    return ""


def _geopoint(text: str) -> bool:
    parts = text.split()
    if not 2 <= len(parts) <= 4:
        return False
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return False
    return abs(numbers[0]) <= 90 and abs(numbers[1]) <= 180 and all(map(math.isfinite, numbers))


def repeat_counts(
    form: "CompiledForm", rt: Runtime, repeat: Element, say: "_Words"
) -> list[Finding]:
    out = []
    parent = repeat.parent
    assert parent is not None  # noqa: S101 - a repeat always has a parent
    assert repeat.repeat_count is not None  # noqa: S101 - checked by the caller
    for pidx in rt.expand(parent.repeats, ()):
        if parent.kind != "root" and rt.rel.get((parent.id, pidx), True) is not True:
            continue
        expected = evaluate(rt, repeat.repeat_count, (parent, pidx))
        actual = rt.count(repeat, pidx)
        if isinstance(expected, Unknown):
            count = repeat.repeat_count
            out.append(cannot_evaluate(say, repeat, pidx, "its repeat count", expected, count))
            continue
        number = v.to_number(expected)
        wanted = int(number) if math.isfinite(number) and number > 0 else 0
        if wanted != actual:
            out.append(
                say.finding(
                    "skip_logic.repeat_count_mismatch",
                    repeat,
                    pidx,
                    f"{say.q(repeat)} should have {wanted} "
                    f"entr{'y' if wanted == 1 else 'ies'} ({repeat.repeat_count.text}) but has "
                    f"{actual}.",
                    {"expected": str(wanted), "actual": str(actual)},
                    repeat.repeat_count.text,
                )
            )
    return out


class _Words:
    """Plain-words pieces of messages, in the reader's language."""

    def __init__(self, form: "CompiledForm", rt: Runtime, lang: str) -> None:
        self.form, self.rt, self.lang = form, rt, lang
        # A skipped section yields one finding per answered question: reuse the wording.
        # The form's per-language memories (get first: setdefault would build a dict each time)
        self._labels = form.quoted_labels.get(lang) or form.quoted_labels.setdefault(lang, {})
        self._choices = form.choice_words.get(lang) or form.choice_words.setdefault(lang, {})
        self._skip_words = form.skip_words.get(lang) or form.skip_words.setdefault(lang, {})
        self._shown = form.shown_answers.get(lang) or form.shown_answers.setdefault(lang, {})
        self._because: dict[tuple[int, int, Idx, str], str] = {}
        self._ref_cache: dict[tuple[int, int, Idx], list[tuple[Element, str]]] = {}
        self._skipped: dict[tuple[int, Idx], tuple[dict[str, str], str, str | None]] = {}
        # (container id, index) -> its outermost non-relevant container (or itself) and
        # that one's index; else () (outer_of)
        self.outer: dict[tuple[int, Idx], Outer] = {}

    def q(self, element: Element) -> str:
        quoted = self._labels.get(element.id)
        if quoted is None:
            labels = element.labels()
            text = labels.get(self.lang) or next((t for t in labels.values() if t), "")
            quoted = self._labels[element.id] = f"'{_plain(text or element.name)}'"
        return quoted

    def choice(self, element: Element, name: str) -> str:
        if element.choices and name in element.choices:
            key = (element.list_name, name)
            found = self._choices.get(key)
            if found is None:
                labels = element.choices[name].labels
                text = labels.get(self.lang) or next(iter(labels.values()), name) or name
                found = self._choices[key] = _plain(text)
            return found
        return name

    def value(self, element: Element, raw: str) -> str:
        if element.value_kind == "select1":
            name = raw.strip()
            # Only names of the element's own list are remembered, so a hit is its label.
            label = self._choices.get((element.list_name, name)) or self.choice(element, name)
            return f"'{label}'"
        if element.value_kind == "selectm":
            return ", ".join(f"'{self.choice(element, x)}'" for x in raw.split())
        return f"'{raw}'"

    def not_relevant(self, element: Element, idx: Idx, raw: str) -> Finding:
        """The finding for an answer to a question that should have been skipped."""
        # The outermost skipped container explains best ("the whole section was skipped");
        # questions of one section share it, so it is found once per container instance.
        decider, didx = element, idx
        if element.ancestors:
            parent = element.ancestors[0]
            pidx = idx[: len(parent.repeats)] if idx else idx
            outer = self.outer.get((parent.id, pidx))
            if outer is None:
                outer = self.outer_of(parent, pidx)
            if outer:
                decider, didx = outer
        finding: Skipped = Skipped()  # its name, path and expression follow from these
        finding._e, finding._x = element, raw
        finding._build = (self.not_relevant_words, idx, decider, didx)
        return finding

    def outer_of(self, container: Element, idx: Idx) -> "Outer":
        """_outermost of (container, idx), remembered in self.outer."""
        outer = self.outer[(container.id, idx)] = self._outermost(container, idx)
        return outer

    def not_relevant_words(
        self, element: Element, idx: Idx, raw: str, decider: Element, didx: Idx
    ) -> tuple[str, dict[str, str]]:
        words = self._skipped.get((decider.id, didx))
        if words is None:
            words = self._skipped[(decider.id, didx)] = self._remembered(decider, didx, element)
        refs, because, _ = words
        shown = self._shown.get((element.id, raw))
        if shown is None:
            shown = self.value(element, raw)
            if len(self._shown) >= MAX_REMEMBERED:
                self._shown.clear()
            self._shown[(element.id, raw)] = shown
        quoted = self._labels.get(element.id) or self.q(element)
        message = f"{quoted} was answered ({shown}) but should have been skipped{because}."
        return message, {element.xpath: raw, **refs}

    def required_words(self, element: Element) -> tuple[str, dict[str, str]]:
        kind = "note" if element.type == "note" else "question"
        return f"{self.q(element)} is a required {kind} but was not answered.", {element.xpath: ""}

    def invalid_choice_words(
        self, element: Element, idx: Idx, raw: str, bad: Sequence[str], filtered: Sequence[str]
    ) -> tuple[str, dict[str, str]]:
        parts = []
        if bad:
            listed = ", ".join(f"'{b}'" for b in bad)
            parts.append(
                f"{listed}, which {'is' if len(bad) == 1 else 'are'} not in the list "
                f"'{element.list_name}'"
            )
        if filtered:
            listed = ", ".join(f"'{self.choice(element, f)}'" for f in filtered)
            assert element.choice_filter is not None  # noqa: S101 - only filtered when it exists
            parts.append(
                f"{listed}, which {'is' if len(filtered) == 1 else 'are'} not offered "
                f"here by the filter {element.choice_filter.text}"
                + self.because(element.choice_filter, element, idx, prefix=" (")
            )
        return f"{self.q(element)} has {'; '.join(parts)}.", {element.xpath: raw}

    def constraint_words(self, element: Element, idx: Idx, raw: str) -> tuple[str, dict[str, str]]:
        constraint = element.constraint
        assert constraint is not None  # noqa: S101 - only a failed constraint has words
        message = element.question.constraint_messages if element.question else {}
        rule = message.get(self.lang) or next(iter(message.values()), "")
        rule_text = f"'{rule}' ({constraint.text})" if rule else constraint.text
        return (
            f"{self.q(element)} is {self.value(element, raw)}, which breaks the rule {rule_text}.",
            {element.xpath: raw, **self.refs(constraint, element, idx)},
        )

    def _outermost(self, container: Element, idx: Idx) -> tuple[Element, Idx] | tuple[()]:
        """The outermost non-relevant one of container and its ancestors, else ()."""
        rel = self.rt.rel
        found: tuple[Element, Idx] | tuple[()] = ()
        for cur in (container, *container.ancestors):
            cidx = idx[: len(cur.repeats)] if idx else idx
            if rel.get((cur.id, cidx)) is False:
                found = (cur, cidx)
        return found

    def _remembered(
        self, decider: Element, idx: Idx, element: Element
    ) -> tuple[dict[str, str], str, str | None]:
        """skipped()'s words, from the form's memory when its condition read the same values."""
        relevant = decider.relevant
        read: tuple[str, ...] = ()
        if relevant is not None:
            keys = _plain_reads(decider)
            if keys is not None:
                values = self.rt.values
                read = tuple([values.get(k, "") for k in keys])
            else:
                read = tuple([v for _, v in self._ref_values(relevant, decider, idx)])
        key = (decider.id, decider is element, read)
        words = self._skip_words.get(key)
        if words is None:
            words = self._skipped_words(decider, idx, element)
            if len(self._skip_words) >= MAX_REMEMBERED:
                self._skip_words.clear()
            self._skip_words[key] = words
        return words

    def _skipped_words(
        self, decider: Element, idx: Idx, element: Element
    ) -> tuple[dict[str, str], str, str | None]:
        relevant = decider.relevant
        refs: dict[str, str] = {}
        because = ""
        if relevant is not None:
            refs = self.refs(relevant, decider, idx)
            because = self.because(relevant, decider, idx, prefix=": ")
            if not because:
                because = f": its condition {relevant.text} is false"
        if decider is not element:
            because = f": it is in {self.q(decider)}, which was skipped" + because.replace(
                ": ", " because ", 1
            )
        return refs, because, relevant.text if relevant is not None else None

    def _ref_values(
        self, compiled: Compiled, context: Element, idx: Idx
    ) -> list[tuple[Element, str]]:
        key = (id(compiled), context.id, idx)
        cached = self._ref_cache.get(key)
        if cached is None:
            cached = self._ref_cache[key] = self._read_refs(compiled, context, idx)
        return cached

    def _read_refs(
        self, compiled: Compiled, context: Element, idx: Idx
    ) -> list[tuple[Element, str]]:
        out = []
        values = self.rt.values
        for target in compiled.refs:
            if target.kind != "leaf":
                continue
            if not target.repeats:
                out.append((target, values.get(target.key, "")))
                continue
            shared = 0
            for mine, theirs in zip(context.repeats, target.repeats, strict=False):
                if mine is not theirs:
                    break
                shared += 1
            if shared == len(target.repeats):  # the one instance beside the context
                out.append((target, values.get((target.id, idx[:shared]), "")))
                continue
            found = self.rt.expand(target.repeats[shared:], idx[:shared])
            answers = [values.get((target.id, i), "") for i in found]
            out.append((target, " ".join(a for a in answers if a)))
        return out

    def refs(self, compiled: Compiled, context: Element, idx: Idx) -> dict[str, str]:
        return {t.xpath: value for t, value in self._ref_values(compiled, context, idx)}

    def because(self, compiled: Compiled, context: Element, idx: Idx, prefix: str) -> str:
        key = (id(compiled), context.id, idx, prefix)
        found = self._because.get(key)
        if found is None:
            found = self._because[key] = self._explain(compiled, context, idx, prefix)
        return found

    def _explain(self, compiled: Compiled, context: Element, idx: Idx, prefix: str) -> str:
        parts = []
        for target, value in self._ref_values(compiled, context, idx):
            if target is context:
                continue
            shown = self.value(target, value) if value else "empty"
            parts.append(f"{self.q(target)} is {shown}")
        if not parts:
            return ""
        closing = ")" if prefix.strip() == "(" else ""
        return prefix + ", ".join(parts) + closing

    def finding(
        self,
        code: str,
        element: Element,
        idx: Idx,
        message: str,
        values: dict[str, str] | None = None,
        expression: str | None = None,
    ) -> Finding:
        return Finding(
            code,
            kobo_path(element, idx),
            element.name,
            message,
            SEVERITY[code],
            values or {},
            expression,
        )


def _plain_reads(element: Element) -> tuple[tuple[int, Idx], ...] | None:
    """The answers _Words._read_refs reads for element.relevant, when none is in a repeat."""
    known = element.relevant_reads
    if not isinstance(known, bool):
        return known
    leaves = [t for t in element.relevant.refs if t.kind == "leaf"] if element.relevant else []
    keys = None if any(t.repeats for t in leaves) else tuple(t.key for t in leaves)
    element.relevant_reads = keys
    return keys


def _plain(text: str) -> str:
    """Labels may carry markdown and ${} placeholders; keep messages readable."""
    return re.sub(r"[*_#]+", "", text).strip()
