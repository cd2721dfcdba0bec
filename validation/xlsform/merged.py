"""settle's only pass and the findings walk written as one function, where that is the same.

For a form settle checks in one pass (generated.single_pass), each element's relevance and
value are final once its own block has run. When, besides, every check of an element (its
constraint, required, choice filter, repeat count) reads only answers placed before it, or
its own node, the findings walk can follow each element's settle block at once: the
relevance is still a local, the answer read once, a skipped group's answers dropped and
reported in one branch, and an element inside repeats settled and checked in one loop over
its nodes. Findings come out in the same order (document order) and the runtime ends in the
same state: tests/unit/xlsform/test_generated.py holds this pass to the reference walks.

The blocks are generated.py's own (_settle_block, _check_node, _skipped_in_repeats); this
module only interleaves them.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from validation.xlsform import generated as g
from validation.xlsform import nodes as n
from validation.xlsform.checker import CheckStep, SettleStep
from validation.xlsform.inline import Inliner
from validation.xlsform.model import Element, Finding
from validation.xlsform.runtime import Runtime

if TYPE_CHECKING:
    from validation.xlsform.checker import _Words
    from validation.xlsform.form import CompiledForm

MergedFn = Callable[[Runtime, "_Words", list[Finding]], None]


def merged_pass(form: "CompiledForm") -> MergedFn | None:
    """Settle and check_submission in one generated function, or None where it would differ."""
    if not g.single_pass(form) or not all(checks_read_settled(e) for e in form.order):
        return None
    namespace = {**g.check_namespace(form), **g.settle_namespace(form)}
    steps = list(zip(form.settle_plan, form.check_plan, strict=True))
    body = [line for line in _blocks(form, steps, namespace) if line.strip() != g.CHANGED]
    body = g._tables(namespace) + g._split_once(namespace) + body
    fn: MergedFn = g._define(
        "merged_pass",
        [
            "def merged_pass(rt, say, out):",
            *(f"    {line}" for line in g.SETTLE_HEADER + g.CHECK_HEADER),
            *(f"    {line}" for line in body),
            "    rt.evaluations += inlined",
        ],
        namespace,
    )
    return fn


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


def _blocks(form: "CompiledForm", steps: list[Step], namespace: dict[str, Any]) -> list[str]:
    """Each element's settle block then its checks, in order; a skipped group in one branch.

    Where settle drops a skipped group's answers in one branch (_settle_blocks), the same
    branch reports them: an answer is in `values` there exactly when it was submitted (the
    only pass, and nothing before it writes a later answer).
    """
    lines: list[str] = []
    at = 0
    while at < len(steps):
        settle, check = steps[at]
        element = settle[0]
        i = g._ident(element)
        lines.extend(_element(form, settle, check, namespace))
        end = at + 1
        while end < len(steps) and element in steps[end][0][0].ancestors:
            end += 1
        inside = steps[at + 1 : end]
        if not g.skips_as_one(form, element, [s for s, _ in inside], namespace):
            at += 1
            continue
        namespace[f"G{i}"] = dict.fromkeys([(s[0].id, ()) for s, _ in inside], False)
        lines += [f"if o{i} is False:", f"    rel.update(G{i})"]
        if any(c[4] for _, c in inside):
            lines.append(f"    group_decider, group_expression = d{i}")
        for (e, is_leaf, *_), check in inside:
            if not is_leaf:
                continue
            if not check[4]:  # not reported: only dropped
                lines += [f"    if K{e.id} in values:", f"        del values[K{e.id}]"]
                continue
            lines += [
                f"    x = raw_get(K{e.id})",
                "    if x:",
                f"        del values[K{e.id}]",
                *(f"        {line}" for line in g.skipped_in_group(e, namespace)),
            ]
        lines.append("else:")
        lines += [f"    {line}" for line in _blocks(form, inside, namespace)]
        at = end
    return lines


def _element(
    form: "CompiledForm", settle: SettleStep, check: CheckStep, namespace: dict[str, Any]
) -> list[str]:
    element = settle[0]
    i = g._ident(element)
    if settle[4] is not None and settle[1] and settle[3] is None:  # a question, not computed
        namespace[f"K{i}"], namespace[f"N{i}"] = (i, ()), (element, ())
        g.name_element(element, namespace)
        parent = element.parent
        up = "True"
        if parent is not None and parent.kind != "root" and parent.id not in namespace[g.ALWAYS]:
            up = f"o{g._ident(parent)}"
        return _question(form, settle, check, namespace, f"K{i}", f"N{i}", "()", up)
    if settle[4] is not None:  # outside repeats: its relevance is the local o<id>
        lines = g._settle_block(form, settle, namespace)
        return lines + g.check_block(check, namespace, form.by_name, own=f"o{i}")
    g.name_element(element, namespace)
    parent = element.parent
    under_root = parent is None or parent.kind == "root"
    # Inside repeats: settle's loop over the nodes; the checks of each node follow in it.
    lines = [f"out.extend(repeat_counts(form, rt, E{i}, say))"] if check[3] else []
    lines.append(f"for key, up_key, node in {g._level(namespace, element.repeats)}[{i}]:")
    lines.append("    idx = node[1]")
    checks = g._check_node(check, namespace, form.by_name, "key", "idx", own="own")
    if not under_root:
        lines.append("    p = rel_get(up_key, True)")
        skipped = g._skipped_node(settle)
        if check[4]:  # an answer to a skipped question is reported before moving on
            skipped[-1:-1] = [
                "    x = raw_get(key)",
                "    if x:",
                *(f"        {line}" for line in g.skipped_answer(element, namespace)),
            ]
        lines += [f"    {line}" for line in skipped]
    if settle[1] and settle[3] is None:
        up = "True" if under_root else "p"
        body = _question(form, settle, check, namespace, "key", "node", "idx", up, live=True)
        return lines + [f"    {line}" for line in body]
    block = g._block(
        settle,
        namespace,
        False,
        "key",
        "node",
        "own",
        form.by_name,
        up="True" if under_root else "p",
        single=True,
        live=not under_root,
    )
    if settle[2] is None and not under_root:  # _block named the parent's relevance its own
        checks = g._check_node(check, namespace, form.by_name, "key", "idx", own="p")
    return lines + [f"    {line}" for line in block + checks]


def _question(
    form: "CompiledForm",
    settle: SettleStep,
    check: CheckStep,
    namespace: dict[str, Any],
    key: str,
    node: str,
    idx: str,
    up: str,
    *,
    live: bool = False,
) -> list[str]:
    """A question without a calculation, settled and checked: its answer x read once.

    settle's only pass (run_steps, first) and check_steps on one node, each outcome of its
    relevance written straight: True -> its answer's checks (or required), False -> the
    answer dropped and reported, None -> unknown, and cannot_check where settle said why.
    up: the parent's relevance (a local, or True); live: up is never False here.
    """
    element, _, relevant, _, _ = settle
    i, name = g._ident(element), f"E{element.id}"
    checked = check[4]

    def outcome(own: str | bool | None) -> list[str]:
        """What follows once the relevance `own` (a local, or a constant) is known."""
        answered = g._answered(element, check[5], check[6], namespace, form.by_name, idx)
        when_true = [
            "if x:" if checked else "pass",
            *(f"    {line}" for line in (answered or ["pass"]) if checked),
            *(
                ["else:", f"    out.extend(required(rt, {name}, {idx}, say))"]
                if checked and element.required is not False
                else []
            ),
        ]
        when_false = (
            ["if x:", f"    del values[{key}]"]
            + [f"    {line}" for line in g.skipped_answer(element, namespace)]
            if checked
            else [f"if {key} in values:", f"    del values[{key}]"]
        )
        when_none = [
            f"unknown.add({key})",
            f"if {key} in reasons:",
            f"    append(cannot_check(say, {name}, {key}))",
        ]
        if own is None:
            return [f"rel[{key}] = None", *when_none]
        if own is True:
            return [f"rel[{key}] = True", *when_true]
        if own is False:
            return [f"rel[{key}] = False", *when_false]
        return [
            f"rel[{key}] = {own}",
            f"if {own} is True:",
            *(f"    {line}" for line in when_true),
            f"elif {own} is False:",
            *(f"    {line}" for line in when_false),
            "else:",
            *(f"    {line}" for line in when_none),
        ]

    lines = [f"x = raw_get({key})"] if checked else []
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
