"""settle's only pass and the findings walk written as one function, where that is the same.

For a form settle checks in one pass (generated.single_pass), each element's relevance and
value are final once its own block has run. When, besides, every check of an element (its
constraint, required, choice filter, repeat count) reads only answers placed before it, or
its own node, the findings walk can follow each element's settle block at once: the
relevance is still a local, the answer read once and kept in `values` only where settle
keeps it (the pass starts with `values` empty), a skipped group's answers reported in one
branch, and an element inside repeats settled and checked in one loop over its nodes.
Findings come out in the same order (document order) and the runtime ends in the same
state: tests/unit/xlsform/test_generated.py holds this pass to the reference walks.

A repeat in no other is walked instance by instance where nothing in it reads another
instance (_instances): its containers' relevance are locals there too.

The blocks are generated.py's (_block, _check_node, skipped_answer), but for a question
without a calculation, whose settle and checks are written as one (_question).
"""

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from validation.xlsform import generated as g
from validation.xlsform import nodes as n
from validation.xlsform.checker import CheckStep, SettleStep
from validation.xlsform.inline import Inliner
from validation.xlsform.model import Compiled, Element, Finding
from validation.xlsform.runtime import Runtime
from validation.xlsform.values import Idx

if TYPE_CHECKING:
    from validation.xlsform.checker import _Words
    from validation.xlsform.form import CompiledForm

MergedFn = Callable[[Runtime, "_Words", list[Finding]], None]


def merged_pass(form: "CompiledForm") -> MergedFn | None:
    """Settle and check_submission in one generated function, or None where it would differ."""
    if not g.single_pass(form) or not all(checks_read_settled(e) for e in form.order):
        return None
    namespace = {**g.check_namespace(form), **g.settle_namespace(form)}
    # Every node outside repeats gets its relevance in the pass: start from a dict holding
    # them all (one copy, no resizing as they come), each overwritten where it is settled.
    namespace["R0"] = dict.fromkeys([e.key for e in form.order if not e.repeats], True)
    steps = list(zip(form.settle_plan, form.check_plan, strict=True))
    body = [line for line in _blocks(form, steps, namespace) if line.strip() != g.CHANGED]
    # The answers outside repeats, read at once where Runtime.load_direct leaves them (each
    # is read in one branch or another anyway): t<id>, '' or None where there is none.
    body = [_TOP_READ.sub(r"t\1", line) for line in body]
    body = g._tables(namespace) + g._split_once(namespace) + body
    fn: MergedFn = g._define(
        "merged_pass",
        [
            "def merged_pass(rt, say, out):",
            "    rt.rel = R0.copy()",
            *(f"    {line}" for line in _read_top(form)),
            *(f"    {line}" for line in _header(body)),
            *(f"    {line}" for line in body),
            "    rt.evaluations += inlined",
        ],
        namespace,
    )
    return fn


# An answer read in place may be '' (load() keeps no empty answer in raw): every read is
# followed by `if x` / `if not x`.
_TOP_READ = re.compile(r"raw_get\(K(\d+)\)")


# The runtime's and the words' parts the function may use, as locals: made per submission,
# so only those its body names (generated.SETTLE_HEADER and CHECK_HEADER's, once each).
_LOCALS = {
    "rel": "rt.rel",
    "values": "rt.values",
    "unknown": "rt.unknown",
    "reasons": "rt.reasons",
    "raw_get": "rt.raw.get",
    "values_get": "rt.values.get",
    "rel_get": "rt.rel.get",
    "inner_get": "rt.inner.get",
    "append": "out.append",
    "skipped": "say.not_relevant_words",
    "outer_get": "say.outer.get",
    "outer_of": "say.outer_of",
    "required_words": "say.required_words",
}


def _header(body: list[str]) -> list[str]:
    used = set(re.findall(r"\b\w+\b", "\n".join(body)))
    lines = [f"{name} = {part}" for name, part in _LOCALS.items() if name in used]
    return [*lines, "inlined = 0  # evaluations of inlined expressions (truth counts the rest)"]


def top_order(form: "CompiledForm") -> list[Element]:
    """The questions outside repeats, in the order of Runtime.load_direct's answers."""
    return [e for e in form.order if e.kind == "leaf" and not e.repeats]


def _read_top(form: "CompiledForm") -> list[str]:
    """The answers outside repeats (load_direct's, read at once): the locals t<id>."""
    ids = [g._ident(e) for e in top_order(form)]
    return [f"{''.join(f't{i}, ' for i in ids)}= rt.answers"] if ids else []


def read_in_place(form: "CompiledForm") -> dict[int, frozenset[str]]:
    """What the one-pass function reads where Runtime.load_direct leaves it, by KoBo path.

    Root (0): the questions outside repeats; each repeat walked instance by instance: its
    questions, in each instance's answers. Empty where the form has no one-pass function.
    """
    if form.merged_pass is None:
        return {}
    levels = [form.root] + [
        e for e in form.order if e.kind == "repeat" and instance_by_instance(form, e)
    ]
    return {
        level.id: frozenset(
            e.xpath for e in form.order if e.kind == "leaf" and e.repeats == level.repeats
        )
        for level in levels
    }


def checks_read_settled(element: Element) -> bool:
    """Every check of element reads answers placed before it, or its own node, only.

    ${q} references (a reference to the element itself inside its repeat is its own node,
    and a group's reads its questions), `.`, and functions of which nodes exist (count,
    position: fixed once the data is loaded); a choice filter's bare names are the choice's
    columns. Any other path could read anything: then not.
    """
    for compiled, choice in (
        (element.constraint, False),
        (element.required, False),
        (element.choice_filter, True),
        (element.repeat_count, False),
    ):
        if compiled is None or isinstance(compiled, bool):
            continue
        for target in compiled.refs:
            read = target.leaves if target.kind != "leaf" else [target]
            if any(t.order > element.order for t in read) or target.order > element.order:
                return False
        if not _reads_no_paths(compiled.ast, choice):
            return False
    return True


def _reads_no_paths(expr: n.Expr, choice: bool) -> bool:
    if isinstance(expr, n.Path):
        if n.is_dot(expr):
            return True
        step = expr.steps[0] if len(expr.steps) == 1 else None
        return choice and not expr.absolute and step is not None and _column(step)
    if isinstance(expr, n.Filter):
        return False
    if isinstance(expr, n.Call):
        if expr.name in n.STRUCTURAL and all(map(n.plain_path, expr.args)):
            return True
        return expr.name != "current" and all(_reads_no_paths(a, choice) for a in expr.args)
    if isinstance(expr, n.Logical | n.Union):
        return all(_reads_no_paths(o, choice) for o in expr.operands)
    if isinstance(expr, n.Chain):
        return _reads_no_paths(expr.first, choice) and all(
            _reads_no_paths(o, choice) for _, o in expr.rest
        )
    if isinstance(expr, n.Negate):
        return _reads_no_paths(expr.operand, choice)
    return True


def _column(step: n.Step) -> bool:
    return step.axis == "child" and not step.predicates and step.test not in ("*", "node()")


Step = tuple[SettleStep, CheckStep]


def _element_of(step: Step) -> Element:
    return step[0][0]


def _blocks(form: "CompiledForm", steps: list[Step], namespace: dict[str, Any]) -> list[str]:
    """Each element's settle block then its checks, in order; a skipped group in one branch.

    Where settle drops a skipped group's answers in one branch (_settle_blocks), the same
    branch reports them (and keeps none in `values`). A repeat whose instances can be
    walked one at a time is (_instances).
    """
    lines: list[str] = []
    at = 0
    while at < len(steps):
        settle, check = steps[at]
        element = settle[0]
        i = g._ident(element)
        inside = g.held(steps, at, _element_of)
        end = at + 1 + len(inside)
        if element.kind == "repeat" and instance_by_instance(form, element):
            lines.extend(_instances(form, steps[at:end], namespace))
            at = end
            continue
        lines.extend(_element(form, settle, check, namespace))
        if not g.skips_as_one(form, element, [s for s, _ in inside], namespace):
            at += 1
            continue
        namespace[f"G{i}"] = dict.fromkeys([s[0].key for s, _ in inside], False)
        lines += [f"if o{i} is False:", f"    rel.update(G{i})"]
        if any(c[4] for _, c in inside):
            lines.append(f"    {g.GROUP_BUILD.format(i=i)}")
        for (e, is_leaf, *_), check in inside:
            if not is_leaf:
                continue
            if not check[4]:  # not reported: its answer simply not kept
                continue
            lines += [  # t<id>: its answer, read at the start (_read_top)
                f"    if t{e.id}:",
                *(f"        {line}" for line in g.skipped_in_group(e, f"t{e.id}")),
            ]
        lines.append("else:")
        lines += [f"    {line}" for line in _blocks(form, inside, namespace)]
        at = end
    return lines


def instance_by_instance(form: "CompiledForm", repeat: Element) -> bool:
    """A repeat in no other, holding none, whose logic reads no other instance of it.

    Inside its repeat, ${q} names the answer in the same instance; indexed-repeat() is the
    one way an expression there reads another (paths other than `.` or of structure are
    excluded already: single_pass, checks_read_settled).
    """
    if repeat.repeats != (repeat,):
        return False
    held = [e for e in form.order if repeat in e.repeats]
    if any(e.repeats != (repeat,) for e in held):
        return False
    for e in held:
        for compiled in (e.relevant, e.calc, e.constraint, e.required, e.choice_filter):
            if isinstance(compiled, Compiled) and _indexes(compiled.ast, form, repeat):
                return False
    return True


def _indexes(expr: n.Expr, form: "CompiledForm", repeat: Element) -> bool:
    """The expression has an indexed-repeat() naming an answer inside repeat."""
    return any(
        isinstance(call, n.Call)
        and call.name == "indexed-repeat"
        and any(
            isinstance(ref, n.Ref)
            and ref.name in form.by_name
            and repeat in form.by_name[ref.name].repeats
            for ref in n.walk(call)
        )
        for call in n.walk(expr)
    )


def _instances(form: "CompiledForm", steps: list[Step], namespace: dict[str, Any]) -> list[str]:
    """A repeat walked instance by instance: each instance's elements in document order.

    Each element that can report goes to its own list, joined after the loop in document
    order, so the findings come out as the walk element by element gives them. Keys are
    the form's (NodeKeys); each container's relevance is a local, as outside repeats, and
    a skipped container's nodes are settled and reported in one branch.
    """
    repeat_settle, repeat_check = steps[0]
    r = g._ident(repeat_settle[0])
    namespace[f"RI{r}"] = (repeat_settle[0],)
    namespace["false_nodes"] = false_nodes
    lines = _repeat_count(form, repeat_settle[0], namespace) if repeat_check[3] else []
    namespace["node_keys"] = form.node_keys.at
    reporting: set[int] = set()
    body = _in_instance(form, steps, namespace, reporting)
    ordered = [i for i in (g._ident(s[0]) for s, _ in steps) if i in reporting]
    lines += [f"b{i} = []" for i in ordered]
    # Each instance's answers are read where Runtime.load_direct leaves them: by KoBo path.
    paths = {e.id: e.xpath for e in form.order if e.repeats == (repeat_settle[0],)}
    lines += [
        f"for idx, inst in zip(rt.instances_of(RI{r}), inner_get({r}, ())):",
        "    keys, inst_get = node_keys(idx), inst.get",
    ]
    lines += [f"    {_INST_READ.sub(lambda m: _read(m, paths), line)}" for line in body]
    return lines + [f"out += b{i}" for i in ordered]


_INST_READ = re.compile(r"raw_get\((?:keys\[(\d+)\]|k(\d+))\)")


def _read(match: re.Match[str], paths: dict[int, str]) -> str:
    return f"inst_get({paths[int(match[1] or match[2])]!r})"


def _repeat_count(form: "CompiledForm", repeat: Element, namespace: dict[str, Any]) -> list[str]:
    """checker.repeat_counts of a repeat in no other, its count written in place if it can be.

    Where the count differs, repeat_counts itself makes the finding (and counts its
    evaluation); it is called as well while an answer is unknown.
    """
    r, general = g._ident(repeat), f"out.extend(repeat_counts(form, rt, E{repeat.id}, say))"
    parent, count = repeat.parent, repeat.repeat_count
    assert parent is not None  # noqa: S101 - a repeat has one
    assert count is not None  # noqa: S101 - only called for a repeat_count
    inline = Inliner(form.by_name, parent, "()", namespace[g.SPLIT])
    source = inline.number(count.ast)
    if source is None:
        return [general]
    namespace["isfinite"] = math.isfinite
    check = [
        f"n = {source}",
        "n = int(n) if isfinite(n) and n > 0 else 0",
        f"if n != rt.counts.get(({r}, ()), 0):",
        f"    {general}",
        "else:",
        "    inlined += 1",
    ]
    up = _up(repeat, namespace)  # repeat_counts: only where the group holding it is relevant
    if up != "True":
        check = [f"if {up} is True:", *(f"    {ln}" for ln in check)]
    return [
        "if unknown:",
        f"    {general}",
        "else:",
        *(f"    {line}" for line in inline.prelude()),
        *(f"    {line}" for line in check),
    ]


def _in_instance(
    form: "CompiledForm", steps: list[Step], namespace: dict[str, Any], reporting: set[int]
) -> list[str]:
    """The blocks of steps' elements in the instance `idx`; a skipped container's in one branch.

    reporting: gets the ids of the elements whose lines append findings (to b<id>).

    The container's nodes are all not relevant then, and it is the outermost one skipped
    (an outer one inside the repeat would have its own branch), so it decides for its
    questions; the repeat itself asks say.outer_of, as the groups holding it may decide.
    """
    lines: list[str] = []
    at = 0
    while at < len(steps):
        settle, check = steps[at]
        element = settle[0]
        i = g._ident(element)
        g.name_element(element, namespace)
        key, up = f"k{i}", _up(element, namespace)
        place = Place(key, f"(E{i}, idx)", "idx", up, alone=True)
        block = _node(form, settle, check, namespace, place, f"o{i}")
        listed = [_to_list(line, i) for line in block]
        if listed != block:
            reporting.add(i)
        lines += [f"{key} = keys[{i}]", *listed]
        inside = g.held(steps, at, _element_of)
        at += 1 if element.kind == "leaf" else 1 + len(inside)
        if element.kind == "leaf":
            continue
        namespace[f"FK{i}"], namespace[f"FI{i}"] = {}, tuple(s[0].id for s, _ in inside)
        lines += [
            f"if o{i} is False:",
            f"    rel.update(FK{i}.get(idx) or false_nodes(FK{i}, FI{i}, idx))",
            f"    br = {_decider(element)}",
        ]
        for (e, is_leaf, *_), inner in inside:
            if not is_leaf:
                continue
            if not inner[4]:  # not reported: its answer simply not kept
                continue
            reporting.add(e.id)
            lines += [
                f"    x = raw_get(keys[{e.id}])",
                "    if x:",
                *(f"        {_to_list(line, e.id)}" for line in g.skipped_in_group(e, top=False)),
            ]
        lines.append("else:")
        lines += [f"    {line}" for line in _in_instance(form, inside, namespace, reporting)]
    return lines


def _decider(container: Element) -> str:
    """_build of the findings of a skipped container in an instance: who decided.

    say._outermost's answer, known here: a group inside the instance is skipped only where
    the instance is not; the instance itself, unless the group holding the repeat is skipped,
    then d<that group> (the outermost skipped group outside repeats, as its relevant's text).
    """
    i = container.id
    if container.kind != "repeat" or not container.ancestors:
        return f"(skipped, idx, E{i}, idx)"
    p = g._ident(container.ancestors[0])
    return f"(skipped, idx, d{p}[0], ()) if d{p} else (skipped, idx, E{i}, idx)"


MAX_KNOWN = 1_000  # instance indices whose not-relevant nodes a container remembers


Nodes = dict[tuple[int, Idx], bool]


def false_nodes(known: dict[Idx, Nodes], ids: tuple[int, ...], idx: Idx) -> Nodes:
    """{(id, idx): False} for ids, remembered per index (a container's nodes when skipped)."""
    if len(known) >= MAX_KNOWN:
        known.clear()
    found = known[idx] = dict.fromkeys([(i, idx) for i in ids], False)
    return found


def _to_list(line: str, i: int) -> str:
    """A line appending to the findings, made to append to element i's list b<i> instead."""
    text = line.lstrip()
    indent = line[: len(line) - len(text)]
    if text.startswith("append("):  # a method call: no bound method made per list
        return f"{indent}b{i}.append({text[len('append(') :]}"
    if text.startswith("out.extend("):
        return f"{indent}b{i}.extend({text[len('out.extend(') :]}"
    return line


def _element(
    form: "CompiledForm", settle: SettleStep, check: CheckStep, namespace: dict[str, Any]
) -> list[str]:
    element = settle[0]
    i = g._ident(element)
    g.name_element(element, namespace)
    if settle[4] is not None:  # outside repeats: its key a constant, its relevance o<id>
        namespace[f"N{i}"] = (element, ())
        place = Place(f"K{i}", f"N{i}", "()", _up(element, namespace))
        return _node(form, settle, check, namespace, place, f"o{i}")
    parent = element.parent
    under_root = parent is None or parent.kind == "root"
    # Inside repeats: settle's loop over the nodes; the checks of each node follow in it.
    lines = [f"out.extend(repeat_counts(form, rt, E{i}, say))"] if check[3] else []
    lines.append(f"for key, up_key, node in {g._level(namespace, element.repeats)}[{i}]:")
    lines.append("    idx = node[1]")
    if not under_root:  # a skipped parent: not relevant, nothing kept, its answer reported
        lines += ["    p = rel_get(up_key, True)", "    if p is False:", "        rel[key] = False"]
        if check[4]:
            lines += [
                "        x = raw_get(key)",
                "        if x:",
                *(f"            {line}" for line in g.skipped_answer(element, namespace)),
            ]
        lines.append("        continue")
    up = "True" if under_root else "p"
    place = Place("key", "node", "idx", up, live=True)
    body = _node(form, settle, check, namespace, place, "own")
    return lines + [f"    {line}" for line in body]


def _up(element: Element, namespace: dict[str, Any]) -> str:
    """The parent's relevance: the local o<id> of its block, or True where it always is."""
    parent = element.parent
    if parent is None or parent.kind == "root" or parent.id in namespace[g.ALWAYS]:
        return "True"
    return f"o{g._ident(parent)}"


class Place(NamedTuple):
    """Where a node's block runs.

    The source naming its key, node and index, the parent's relevance (a local, or True),
    whether that is never False there (live), and whether no container around the node is
    skipped there (alone: an instance's blocks run only where theirs is not).
    """

    key: str
    node: str
    idx: str
    up: str
    live: bool = False
    alone: bool = False


def _node(
    form: "CompiledForm",
    settle: SettleStep,
    check: CheckStep,
    namespace: dict[str, Any],
    place: Place,
    own: str,
) -> list[str]:
    """One node settled then checked; own: the local its relevance goes to."""
    if settle[1] and (settle[3] is None or not check[4]):
        return _question(form, settle, check, namespace, place)
    key, node, idx, up, live, alone = place
    block = g._block(
        settle,
        namespace,
        False,
        key,
        node,
        own,
        form.by_name,
        up,
        single=True,
        live=live,
        idx=idx,
    )
    if settle[2] is None and live:  # _block named the parent's relevance its own
        own = up
    return block + g._check_node(check, namespace, form.by_name, key, idx, own=own, alone=alone)


def _question(
    form: "CompiledForm",
    settle: SettleStep,
    check: CheckStep,
    namespace: dict[str, Any],
    place: Place,
) -> list[str]:
    """A question settled and checked, its answer x read once.

    One without a calculation, or a calculated one not reported (a calculate): settle's
    only pass (run_steps, first) and check_steps on one node, each outcome of its relevance
    written straight. True: its answer kept in `values` and checked (or required), or its
    value computed where the submission has none; False: the answer left out (and
    reported); None: kept but unknown, and cannot_check where settle said why. The pass
    starts with `values` empty (check_submission): what settle keeps of each answer is put
    there at its place, which is before anything reads it (single_pass).
    """
    key, node, idx, up, live, alone = place
    element, _, relevant, calc, _ = settle
    i, name = g._ident(element), f"E{element.id}"
    checked = check[4]
    computed: list[str] = []
    if calc is not None:  # run_steps: evaluated when not submitted, '' when it cannot be
        namespace[f"C{i}"] = calc
        stored = ["if value:", f"    values[{key}] = value"]
        computed = [
            f"c = evaluate(rt, C{i}, {node})",
            "if c.__class__ is Unknown:",
            f"    unknown.add({key})",
            "else:",
            "    value = to_string(c)",
            *(f"    {line}" for line in stored),
        ]
        inline = g.calculations(form.by_name, element, idx, namespace)
        source = inline.calculation(calc.ast)
        if source is not None:  # written in place while no answer is unknown (inline.py)
            computed = [
                "if unknown:",
                *(f"    {line}" for line in computed),
                "else:",
                "    inlined += 1",
                *(f"    {line}" for line in inline.prelude()),
                f"    value = {source}",
                *(f"    {line}" for line in stored),
            ]
        computed = [
            "if not x:",  # no answer: raw keeps none empty, and one read in place may be ''
            *(f"    {line}" for line in computed),
            "else:",
            f"    values[{key}] = x",
        ]

    def outcome(own: str | bool | None) -> list[str]:
        """What follows once the relevance `own` (a local, or a constant) is known."""
        answered = g._answered(element, check[5], check[6], namespace, form.by_name, idx)
        kept = ["if x:", f"    values[{key}] = x"]
        when_true = computed or [
            *kept,
            *(f"    {line}" for line in answered if checked),
            *(
                ["else:", *(f"    {line}" for line in g.missing(element, idx))]
                if checked and element.required is not False
                else []
            ),
        ]
        when_false = (
            ["if x:", *(f"    {line}" for line in g.skipped_answer(element, namespace, alone))]
            if checked
            else ["pass"]
        )
        when_none = [*(computed or kept), f"unknown.add({key})"]
        if relevant is not None:  # settle says why only for a relevant of its own
            when_none += [f"if {key} in reasons:", f"    append(cannot_check(say, {name}, {key}))"]
        # Outside repeats rt.rel starts True for every node (R0): only another value is stored.
        stored = [] if key.startswith("K") else [f"rel[{key}] = True"]
        if own is None:
            return [f"rel[{key}] = None", *when_none]
        if own is True:
            return [*stored, *when_true]
        if own is False:
            return [f"rel[{key}] = False", *when_false]
        return [
            f"if {own} is True:",
            *(f"    {line}" for line in [*stored, *when_true]),
            f"elif {own} is False:",
            f"    rel[{key}] = False",
            *(f"    {line}" for line in when_false),
            "else:",
            f"    rel[{key}] = None",
            *(f"    {line}" for line in when_none),
        ]

    lines = [f"x = raw_get({key})"]
    if relevant is None:
        return lines + outcome(True if up == "True" else up)
    namespace[f"R{i}"] = relevant
    inline = Inliner(form.by_name, element, idx, namespace[g.SPLIT])
    source = inline.boolean(relevant.ast)
    judged = "r" if up == "True" else f"None if ({up} is None and r) else r"
    general = [
        f"r = truth(rt, R{i}, {node})",
        "if r.__class__ is Unknown:",
        f"    reasons[{key}] = 'its relevance cannot be evaluated: ' + r.reason",
        "    own = None",
        "else:",
        f"    own = {judged}",
        *outcome("own"),
    ]
    if source is not None:  # no unknown answer: nothing can taint it (inline.py)
        relevant_outcome = (
            outcome(True)
            if up == "True"
            else [f"if {up} is None:", *(f"    {x}" for x in outcome(None)), "else:"]
            + [f"    {x}" for x in outcome(True)]
        )
        general = [
            "if unknown:",
            *(f"    {line}" for line in general),
            "else:",
            "    inlined += 1",
            *(f"    {line}" for line in inline.prelude()),
            f"    if {source}:",
            *(f"        {line}" for line in relevant_outcome),
            "    else:",
            *(f"        {line}" for line in outcome(False)),
        ]
    if up == "True" or live:
        return lines + general
    return [
        *lines,
        f"if {up} is False:",
        *(f"    {line}" for line in outcome(False)),
        "else:",
        *(f"    {line}" for line in general),
    ]
