"""One Python function per form for settle's pass, and one for the findings walk.

checker.run_steps and checker.check_steps walk a plan: per element they unpack a tuple,
build keys, read the parent's relevance from a dict and test what the element has (a
relevant, a calculation, a constraint...). All of that is known when the form is compiled,
so each walk is written out once as Python source (one block per element, in document
order; a loop over the submission's instances for an element inside repeats), exec'd, and
kept on the form: keys are constants, a parent's relevance is a local variable, branches
that cannot apply to an element are left out, a skipped group's questions are handled in
one branch, and the common expressions are written in place (inline.py).

Same rules, same order, same state as run_steps / check_steps, which stay the reference:
tests/unit/xlsform/test_generated.py runs both on every fixture form. The source holds
element ids (integers), numbers, repr() string literals and fixed names: an expression's
text is never source.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from validation.xlsform.checker import (
    NOT_WHOLE,
    WHOLE,
    CheckStep,
    SettleStep,
    Unknown,
    cannot_check,
    check_steps,
    choice_finding,
    choice_row,
    choices,
    constraint,
    constraint_failed,
    evaluate,
    invalid_problem,
    invalid_value,
    listed,
    node_table,
    repeat_counts,
    required,
    run_steps,
    truth,
)
from validation.xlsform.functions import choice_label
from validation.xlsform.inline import Inliner, helpers
from validation.xlsform.model import (
    Compiled,
    Element,
    Finding,
    Missing,
    Skipped,
    TopSkipped,
    kobo_path,
)
from validation.xlsform.runtime import Runtime

if TYPE_CHECKING:
    from validation.xlsform.checker import _Words
    from validation.xlsform.form import CompiledForm

ALWAYS = "always_relevant"  # in each generated function's namespace: always_relevant(root)
SINGLE = "single_pass"  # in settle_pass's namespace: single_pass(form)
LEVELS = "repeat_levels"  # in both namespaces: repeats -> the local naming its node table
SPLIT = "split_once"  # in settle_pass's namespace: ids of answers whose words are split once
CHANGED = "changed_any = True"  # a line only a form settle iterates needs
PassFn = Callable[[Runtime, bool], tuple[bool, bool]]


def settle_pass(form: "CompiledForm", *, generate: bool = True) -> PassFn:
    """The settle pass for this form: (a value read by earlier logic changed, anything changed).

    generate=False: checker.run_steps over the whole plan, the reference the tests hold the
    generated pass to.
    """
    namespace = settle_namespace(form)
    if generate:
        body = _settle_blocks(form, form.settle_plan, namespace)
        if namespace[SINGLE]:  # settle reads changed_any only for forms it iterates
            body = [line for line in body if line.strip() != CHANGED]
        body = _tables(namespace) + _split_once(namespace) + body
    else:
        namespace["S"] = form.settle_plan
        body = ["changed_early, changed_any = run_steps(form, rt, S, first)"]
    source = "\n".join(
        [
            "def settle_pass(rt, first):",
            *(f"    {line}" for line in SETTLE_HEADER),
            "    changed_early = changed_any = False",
            *(f"    {line}" for line in body),
            "    rt.evaluations += inlined",
            "    return changed_early, changed_any",
        ]
    )
    fn: PassFn = _define("settle_pass", source.splitlines(), namespace)
    return fn


# The first lines of the generated functions: the runtime's parts as locals.
SETTLE_HEADER = [
    "rel, values, unknown, reasons = rt.rel, rt.values, rt.unknown, rt.reasons",
    "raw_get, values_get, rel_get = rt.raw.get, values.get, rel.get",
    "inlined = 0  # evaluations of inlined expressions (checker.truth counts the rest)",
]
CHECK_HEADER = [
    "rel_get, raw_get, reasons = rt.rel.get, rt.raw.get, rt.reasons",
    "values_get, unknown, append = rt.values.get, rt.unknown, out.append",
    "skipped, outer_get, outer_of = say.not_relevant_words, say.outer.get, say.outer_of",
    "required_words = say.required_words",
    "inlined = 0  # evaluations of inlined expressions (checker.truth counts the rest)",
]


def settle_namespace(form: "CompiledForm") -> dict[str, Any]:
    """What the settle pass's source names besides its locals."""
    return {
        **keys(form),
        **helpers(),
        "form": form,
        "run_steps": run_steps,
        "node_table": node_table,
        "truth": truth,
        "evaluate": evaluate,
        "Unknown": Unknown,
        ALWAYS: always_relevant(form.root),
        SINGLE: single_pass(form),
        LEVELS: {},
        SPLIT: set(),
    }


def top_paths(form: "CompiledForm") -> dict[str, str]:
    """P<id>: the KoBo path of each element outside repeats (a TopSkipped's path)."""
    return {f"P{_ident(e)}": e.path_segments[0] for e in form.order if not e.repeats}


def keys(form: "CompiledForm") -> dict[str, Any]:
    """K<id>: the key of each element outside repeats (Element.key, the same object)."""
    return {f"K{_ident(e)}": e.key for e in form.order if not e.repeats}


def _settle_blocks(
    form: "CompiledForm", plan: list[SettleStep], namespace: dict[str, Any]
) -> list[str]:
    """The blocks of plan's elements, in order; a skipped group's first pass in one branch.

    On the first pass, when a group outside repeats with nothing inside repeats is not
    relevant, nothing in it is (run_steps): each is marked so and its answer dropped.
    """
    lines: list[str] = []
    at = 0
    while at < len(plan):
        step = plan[at]
        element = step[0]
        i = _ident(element)
        lines.extend(_settle_block(form, step, namespace))
        inside = held(plan, at, step_element)
        end = at + 1 + len(inside)
        if not skips_as_one(form, element, inside, namespace):
            at += 1
            continue
        # Each node's relevance False at once, then each answer dropped.
        namespace[f"G{i}"] = dict.fromkeys([e.key for e, *_ in inside], False)
        lines.append(f"if {'' if namespace[SINGLE] else 'first and '}o{i} is False:")
        lines.append(f"    rel.update(G{i})")
        for e, is_leaf, _, _, _ in inside:
            if is_leaf:
                lines += [
                    f"    if K{e.id} in values:",
                    f"        del values[K{e.id}]",
                    "        changed_any = True",
                    *(["        changed_early = True"] if e.read_early else []),
                ]
        lines.append("else:")
        lines += [f"    {line}" for line in _settle_blocks(form, inside, namespace)]
        at = end
    return lines


S = TypeVar("S")


def held(steps: list[S], at: int, element: Callable[[S], Element]) -> list[S]:
    """The steps right after steps[at] whose elements its element holds.

    Plans are in document order, so what a group or repeat holds follows it.
    """
    holder, end = element(steps[at]), at + 1
    while end < len(steps) and holder in element(steps[end]).ancestors:
        end += 1
    return steps[at + 1 : end]


def step_element(step: "SettleStep | CheckStep") -> Element:
    return step[0]


def skips_as_one(
    form: "CompiledForm", element: Element, inside: list[SettleStep], namespace: dict[str, Any]
) -> bool:
    """A group whose skipped first pass settle writes in one branch (_settle_blocks)."""
    return not (
        element.kind != "group"
        or not inside
        or element.id in namespace[ALWAYS]
        or form.iterate_always  # changed_any then compares each node's relevance
        or any(s[4] is None for s in inside)  # holds repeats
    )


def _settle_block(form: "CompiledForm", step: SettleStep, namespace: dict[str, Any]) -> list[str]:
    element = step[0]
    i = _ident(element)
    if step[4] is not None:  # outside repeats: one node, its key a constant
        namespace[f"N{i}"] = (element, ())
        return _block(
            step,
            namespace,
            form.iterate_always,
            f"K{i}",
            f"N{i}",
            f"o{i}",
            form.by_name,
            single=namespace[SINGLE],
        )
    # Inside repeats: a loop over this submission's instances (checker.settle_nodes).
    namespace[f"E{i}"] = element
    parent = element.parent
    under_root = parent is None or parent.kind == "root"
    lines = [f"for key, up_key, node in {_level(namespace, element.repeats)}[{i}]:"]
    single = namespace[SINGLE]
    if not under_root:
        lines.append("    p = rel_get(up_key, True)")
        if single:  # a skipped parent: what the block below does then, straight
            lines += [f"    {line}" for line in _skipped_node(step)]
    block = _block(
        step,
        namespace,
        form.iterate_always,
        "key",
        "node",
        "own",
        form.by_name,
        up="True" if under_root else "p",
        single=single,
        live=single and not under_root,
    )
    return lines + [f"    {line}" for line in block]


def _skipped_node(step: SettleStep) -> list[str]:
    """The only pass's work on a node in a loop whose parent `p` is not relevant."""
    _, is_leaf, _, calc, _ = step
    lines = ["if p is False:", "    rel[key] = False"]
    if is_leaf and calc is None:  # _block's `if own is False:` (first pass)
        lines += ["    if key in values:", "        del values[key]"]
    elif is_leaf:  # _block's value = '' while not uncertain
        lines += [
            "    if unknown:",
            "        unknown.discard(key)",
            "    if values_get(key, '') != '':",
            "        values.pop(key, None)",
        ]
    return [*lines, "    continue"]


def single_pass(form: "CompiledForm") -> bool:
    """True when checker.settle makes one pass: nothing read before its place, nor by path.

    Its pass is then always the first (checker.settle stops when no value read earlier
    changed, and no element is read earlier), so the generated pass leaves out what only
    later passes do.
    """
    return not form.iterate_always and not any(e.read_early for e in form.order)


def always_relevant(root: Element) -> frozenset[int]:
    """Ids of the elements outside repeats that settle always finds relevant.

    No relevant of their own, nor in any group holding them.
    """
    ids: set[int] = set()
    stack = list(root.children.values())
    while stack:
        e = stack.pop()
        if e.relevant is None and not e.repeats:
            ids.add(e.id)
            stack.extend(e.children.values())
    return frozenset(ids)


def _level(namespace: dict[str, Any], repeats: tuple[Element, ...]) -> str:
    """The local holding this submission's node table of `repeats` (checker.node_table)."""
    levels: dict[tuple[Element, ...], str] = namespace[LEVELS]
    if repeats not in levels:
        levels[repeats] = f"T{len(levels)}"
        namespace[f"RP{len(levels) - 1}"] = repeats
    return levels[repeats]


def _tables(namespace: dict[str, Any]) -> list[str]:
    """Each repeat level's node table, looked up once per pass: its loops index it."""
    return [f"{name} = node_table(form, rt, RP{name[1:]})" for name in namespace[LEVELS].values()]


def _split_once(namespace: dict[str, Any]) -> list[str]:
    """Each split-once answer's words start unknown (Inliner's split_once)."""
    return [f"s{ident} = None" for ident in sorted(namespace[SPLIT])]


def _define(name: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    """Exec the function's source once; the source holds element ids and fixed text only."""
    code = compile("\n".join(lines), f"<generated {name}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own source (see the module's docstring)
    return namespace[name]


def _ident(element: Element) -> int:
    if type(element.id) is not int:  # the only form-derived thing the source holds
        raise TypeError(f"element id {element.id!r} is not an integer")
    return element.id


def _block(
    step: SettleStep,
    namespace: dict[str, Any],
    track_any: bool,
    key: str,
    node: str,
    own: str,
    by_name: dict[str, Element],
    up: str | None = None,
    *,
    single: bool = False,
    live: bool = False,
    idx: str | None = None,
) -> list[str]:
    """run_steps' work on one node: key, node and own name its key, node and relevance.

    single: the pass is always the first (single_pass), so `first` is not tested.
    live: `up` is never False here (_skipped_node handled that before).
    idx: the node's index where a local holds it (else read from the node).
    """
    element, is_leaf, relevant, calc, _ = step
    i = _ident(element)
    if up is None:  # outside repeats: the parent's relevance is its block's local
        parent = element.parent
        up = "True" if parent is None or parent.kind == "root" else f"o{_ident(parent)}"
        if parent is not None and parent.id in namespace[ALWAYS]:
            up = "True"
    lines: list[str] = []
    if relevant is None and live:
        own = up  # a loop's local: nothing else reads `own`
    elif relevant is None:
        lines.append(f"{own} = {up}")
    else:
        namespace[f"R{i}"] = relevant
        inline = Inliner(
            by_name,
            element,
            idx or ("()" if node.startswith("N") else f"{node}[1]"),
            namespace[SPLIT] if single else None,
        )
        source = inline.boolean(relevant.ast)
        judged = "r" if up == "True" else f"None if ({up} is None and r) else r"
        judge = [
            f"r = truth(rt, R{i}, {node})",
            "if r.__class__ is Unknown:",
            f"    reasons[{key}] = 'its relevance cannot be evaluated: ' + r.reason",
            f"    {own} = None",
            "else:",
            f"    {own} = {judged}",
        ]
        if source is not None and single and is_leaf and calc is None and up == "True":
            # The only pass, a question whose relevance alone decides it: inlined, the result
            # is a bool, so each outcome is written straight.
            dropped = [f"if {key} in values:", f"    del values[{key}]", "    changed_any = True"]
            settled = [
                f"rel[{key}] = {own}",
                f"if {own} is False:",
                *(f"    {line}" for line in dropped),
                f"elif {own} is None:",
                f"    unknown.add({key})",
            ]
            return [
                "if unknown:",
                *(f"    {line}" for line in [*judge, *settled]),
                "else:",
                "    inlined += 1",
                *(f"    {line}" for line in inline.prelude()),
                f"    if {source}:",
                f"        rel[{key}] = {own} = True",
                "    else:",
                f"        rel[{key}] = {own} = False",
                *(f"        {line}" for line in dropped),
            ]
        if source is not None:  # no unknown answer: nothing can taint it (inline.py)
            judge = [
                "if unknown:",
                *(f"    {line}" for line in judge),
                "else:",
                "    inlined += 1",
                *(f"    {line}" for line in inline.prelude()),
                *(
                    [f"    {own} = {source}"]
                    if up == "True"
                    else [f"    r = {source}", f"    {own} = {judged}"]
                ),
            ]
        if up == "True" or live:
            lines.extend(judge)
        else:
            lines.extend([f"if {up} is False:", f"    {own} = False", "else:"])
            lines.extend(f"    {line}" for line in judge)
    if track_any:
        lines.append(f"if rel.get({key}, 0) != {own}:")
        lines.append("    changed_any = True")
    lines.append(f"rel[{key}] = {own}")
    if not is_leaf:
        return lines
    general: list[str] = []
    if calc is None and relevant is None and up == "True":  # always relevant: as submitted
        if single:
            return lines
        lines.append("if not first:")
        general = lines
        lines = []
    elif calc is None:  # run_steps' first pass: only a skipped answer changes
        first = [
            f"if {own} is False:",
            f"    if {key} in values:",
            f"        del values[{key}]",
            "        changed_any = True",
            *(["        changed_early = True"] if element.read_early else []),
            f"elif {own} is None:",
            f"    unknown.add({key})",
        ]
        if single:
            return lines + first
        lines += ["if first:", *(f"    {line}" for line in first), "else:"]
        general = lines
        lines = []
    lines.append(f"x = raw_get({key})")
    lines.append(f"uncertain = {own} is None")
    lines.append(f"if {own} is False:")
    lines.append("    value = ''")
    if calc is not None:
        namespace[f"C{i}"] = calc
        calculated = _calculated(element, calc, node, by_name, namespace)
        # no answer (raw keeps none empty; the one-pass function reads '' in place)
        lines += ["elif not x:", *(f"    {line}" for line in calculated)]
    lines.extend(
        [
            "else:",
            "    value = x or ''",
            "if uncertain:",
            f"    unknown.add({key})",
            "elif unknown:",
            f"    unknown.discard({key})",
            f"if values_get({key}, '') != value:",
            "    if value:",
            f"        values[{key}] = value",
            "    else:",
            f"        values.pop({key}, None)",
            "    changed_any = True",
        ]
    )
    if element.read_early:
        lines.append("    changed_early = True")
    if general:  # the rest is the else: of `if first:`
        return general + [f"    {line}" for line in lines]
    return lines


def _calculated(
    element: Element,
    calc: Compiled,
    node: str,
    by_name: dict[str, Element],
    namespace: dict[str, Any],
) -> list[str]:
    """`value` and `uncertain` of element's calculation C<id> at node, as run_steps has them.

    Written in place (inline.py) while no answer is unknown, else evaluated.
    """
    evaluated = [
        f"c = evaluate(rt, C{element.id}, {node})",
        "if c.__class__ is Unknown:",
        "    value, uncertain = '', True",
        "else:",
        "    value = to_string(c)",
    ]
    idx = "()" if node.startswith("N") else f"{node}[1]"
    inline = calculations(by_name, element, idx, namespace)
    source = inline.calculation(calc.ast)
    if source is None:
        return evaluated
    return [
        "if unknown:",
        *(f"    {line}" for line in evaluated),
        "else:",
        "    inlined += 1",
        *(f"    {line}" for line in inline.prelude()),
        f"    value = {source}",
    ]


def calculations(
    by_name: dict[str, Element], element: Element, idx: str, namespace: dict[str, Any]
) -> Inliner:
    """An Inliner for element's calculation, given the pass's node tables and choice labels."""
    return Inliner(
        by_name,
        element,
        idx,
        table=lambda repeats: _level(namespace, repeats),
        labels=lambda select: _labels(namespace, select),
    )


def _labels(namespace: dict[str, Any], select: Element) -> str:
    """CL<id>: choice name -> what choice-name() gives of it, for the select's list."""
    name = f"CL{_ident(select)}"
    if name not in namespace:
        form: CompiledForm = namespace["form"]
        choices = form.choices.get(select.list_name or "", {})
        language = form.default_language  # as the form compiles its expressions
        namespace[name] = {key: choice_label(c, language) for key, c in choices.items()}
    return name


CheckFn = Callable[[Runtime, "_Words", list[Finding]], None]


def check_pass(form: "CompiledForm", *, generate: bool = True) -> CheckFn:
    """check_submission's walk for this form (generate=False: checker.check_steps's)."""
    namespace = check_namespace(form)
    if not generate:
        namespace["S"] = form.check_plan
        body = ["check_steps(form, rt, say, out, S)"]
    else:
        body = _check_blocks(form.check_plan, namespace, form.by_name)
        body = _tables(namespace) + body
    fn: CheckFn = _define(
        "check_pass",
        [
            "def check_pass(rt, say, out):",
            *(f"    {line}" for line in CHECK_HEADER),
            *(f"    {line}" for line in body),
            "    rt.evaluations += inlined",
        ],
        namespace,
    )
    return fn


def check_namespace(form: "CompiledForm") -> dict[str, Any]:
    """What the check pass's source names besides its locals."""
    return {
        **keys(form),
        **helpers(),
        "form": form,
        "check_steps": check_steps,
        "node_table": node_table,
        "cannot_check": cannot_check,
        "required": required,
        "choices": choices,
        "choice_finding": choice_finding,
        "constraint": constraint,
        "constraint_failed": constraint_failed,
        "invalid_problem": invalid_problem,
        "whole": WHOLE.match,
        "invalid_value": invalid_value,
        "listed": listed,
        "kobo_path": kobo_path,
        "repeat_counts": repeat_counts,
        "Skipped": Skipped,
        "TopSkipped": TopSkipped,
        "Missing": Missing,
        **top_paths(form),
        ALWAYS: always_relevant(form.root),
        LEVELS: {},
    }


def _check_blocks(
    plan: list[CheckStep], namespace: dict[str, Any], by_name: dict[str, Element]
) -> list[str]:
    """The blocks of plan's elements, in order; a skipped group's questions in one branch.

    When a group outside repeats is not relevant, neither is anything in it (settle): its
    answered questions outside repeats are reported without reading their relevance, each
    decided by the group's outermost skipped ancestor; repeats inside keep their loops.
    """
    lines: list[str] = []
    at = 0
    while at < len(plan):
        step = plan[at]
        element = step[0]
        lines.extend(_check_block(step, namespace, by_name))
        inside = held(plan, at, step_element)
        end = at + 1 + len(inside)
        if element.kind != "group" or step[1] is None or not inside:
            at += 1
            continue
        if element.id in namespace[ALWAYS]:
            at += 1  # never skipped: the general blocks
            continue
        # Its own names: the loops of repeats inside write decider.
        lines += ["if r is False:", f"    {GROUP_BUILD.format(i=_ident(element))}"]
        branch = len(lines)
        for inner in inside:
            question = inner[0]
            if inner[1] is None:  # inside repeats: its loop as anywhere (each node is False)
                lines += [f"    {line}" for line in _check_block(inner, namespace, by_name)]
                continue
            if not inner[4]:  # a group or a silent question: nothing to report
                continue
            lines += [
                f"    x = raw_get(K{question.id})",
                "    if x:",
                *(f"        {line}" for line in skipped_in_group(question)),
            ]
        if len(lines) == branch:
            lines.append("    pass")
        lines.append("else:")
        lines += [f"    {line}" for line in _check_blocks(inside, namespace, by_name)]
        at = end
    return lines


# In a skipped group's branch outside repeats: the words and decider its findings share
# (model.Skipped), and the decider's relevant, their expression.
GROUP_BUILD = "br, xd = (skipped, (), d{i}[0], ()), d{i}[1]"


def skipped_in_group(question: Element, answer: str = "x", top: bool = True) -> list[str]:
    """The finding for the answer (a local) of a question in a skipped group.

    br: GROUP_BUILD's, or inside repeats (not top), the instance's decider (merged._decider).
    """
    i = _ident(question)
    if not top:
        return ["f = Skipped()", f"f._e, f._x, f._build = E{i}, {answer}, br", "append(f)"]
    return [
        "f = TopSkipped()",
        f"f._e, f._x, f._build = E{i}, {answer}, br",
        f"f._path, f._expression = P{i}, xd",
        "append(f)",
    ]


def _check_block(
    step: CheckStep, namespace: dict[str, Any], by_name: dict[str, Element]
) -> list[str]:
    """check_steps' work on one element: straight code outside repeats, else a loop."""
    element, top_key, _, counted, _, _, _ = step
    i = _ident(element)
    name = name_element(element, namespace)
    if top_key is not None:
        return _check_node(step, namespace, by_name, f"K{i}", "()")
    lines = [f"out.extend(repeat_counts(form, rt, {name}, say))"] if counted else []
    # settle's nodes of this submission (the table is the one settle used).
    loop = [
        f"for key, _, (_, idx) in {_level(namespace, element.repeats)}[{i}]:",
        *(f"    {line}" for line in _check_node(step, namespace, by_name, "key", "idx")),
    ]
    if not step[4]:  # not a reported question: only a relevance that cannot be known shows
        return [*lines, "if reasons:", *(f"    {line}" for line in loop)]
    return lines + loop


def name_element(element: Element, namespace: dict[str, Any]) -> str:
    """E<id>: the element, X<id>: its relevant's text, for the check blocks' source."""
    i = _ident(element)
    relevant = element.relevant
    namespace[f"E{i}"], namespace[f"X{i}"] = element, relevant.text if relevant else None
    return f"E{i}"


def _check_node(
    step: CheckStep,
    namespace: dict[str, Any],
    by_name: dict[str, Element],
    key: str,
    idx: str,
    own: str | None = None,
    alone: bool = False,
) -> list[str]:
    """One node's checks; own: a local holding its relevance (else read from rt.rel).

    alone: no container around the node is skipped there (skipped_answer).
    """
    element, top_key, _, _, checked, typed, selects = step
    relevance = own or f"rel_get({key}, True)"
    i, name = element.id, f"E{element.id}"
    fixed = top_key is not None
    parent = element.ancestors[0] if element.ancestors else None
    always = fixed and element.id in namespace[ALWAYS]
    if always and not checked:  # its relevance is True (settle): nothing to report
        if element.kind != "leaf":
            lines = ["r = True"]
            outer = f"d{_ident(parent)}" if parent is not None else "None"
            lines.append(f"d{i} = {outer}")
            return lines
        return []
    if always:
        lines = [f"x = raw_get({key})"]
        answer = _answered(element, typed, selects, namespace, by_name, idx)
        if answer:
            lines += ["if x:", *(f"    {line}" for line in answer)]
        if element.required is not False:
            lines += ["if not x:", *(f"    {line}" for line in missing(element, idx))]
        return lines
    if not checked:
        r = own or "r"  # a local already holding it, else r
        lines = [] if own else [f"r = {relevance}"]
        if fixed and element.kind != "leaf":
            # d<id>: the outermost non-relevant one of this group and its ancestors, as
            # (element, its relevant's text), else None (say._outermost, for not_relevant).
            outer = f"d{_ident(parent)} or " if parent is not None else ""
            lines.append(f"d{i} = {outer}(({name}, X{i}) if {r} is False else None)")
        if element.relevant is not None:  # settle says why only for a relevant of its own
            lines += [
                f"if {r} is None and {key} in reasons:",
                f"    append(cannot_check(say, {name}, {key}))",
            ]
        return lines
    # The answer first: an unanswered question shows only when required or unknowable.
    lines = [f"x = raw_get({key})", "if x:", f"    r = {relevance}", "    if r is True:"]
    answer = _answered(element, typed, selects, namespace, by_name, idx)
    lines += [f"        {line}" for line in answer] if answer else ["        pass"]
    lines.append("    elif r is False:")
    lines += [f"        {line}" for line in skipped_answer(element, namespace, alone)]
    lines += [f"    elif {key} in reasons:", f"        append(cannot_check(say, {name}, {key}))"]
    if element.required is not False:
        lines += [
            "else:",
            f"    r = {relevance}",
            "    if r is True:",
            *(f"        {line}" for line in missing(element, idx)),
            f"    elif r is None and {key} in reasons:",
            f"        append(cannot_check(say, {name}, {key}))",
        ]
    else:
        lines += [
            f"elif {key} in reasons and {relevance} is None:",
            f"    append(cannot_check(say, {name}, {key}))",
        ]
    return lines


def missing(element: Element, idx: str) -> list[str]:
    """checker.required inlined where the question is always required (model.Missing)."""
    if element.required is not True:
        return [f"out.extend(required(rt, E{_ident(element)}, {idx}, say))"]
    return [
        "f = Missing()",
        f"f._e, f._build = E{_ident(element)}, (required_words, {idx})",
        "append(f)",
    ]


def skipped_answer(element: Element, namespace: dict[str, Any], alone: bool = False) -> list[str]:
    """say.not_relevant inlined: the finding for answer x of a question that is not relevant.

    The outermost skipped group decides, else the question: outside repeats d<parent> names
    it (_check_node); inside, say.outer remembers it per container instance (index idx).
    alone: no container around the node is skipped where the line runs, so it decides.
    """
    i = _ident(element)
    parent = element.ancestors[0] if element.ancestors else None
    if not element.repeats:  # its path and expression stored as made (model.TopSkipped)
        lines = ["f = TopSkipped()", f"f._e, f._x, f._path = E{i}, x, P{i}"]
        own = f"f._build, f._expression = (skipped, (), E{i}, ()), X{i}"
        if parent is not None and parent.id not in namespace[ALWAYS]:  # else d<parent> None
            d = f"d{_ident(parent)}"
            lines += [
                f"if {d}:",
                f"    f._build, f._expression = (skipped, (), {d}[0], ()), {d}[1]",
                "else:",
                f"    {own}",
            ]
        else:
            lines.append(own)
        return [*lines, "append(f)"]
    made = ["f = Skipped()", f"f._e, f._x = E{i}, x"]
    if alone:
        return [*made, f"f._build = (skipped, idx, E{i}, idx)", "append(f)"]
    assert parent is not None  # noqa: S101 - at least the repeat holding it
    depth = len(parent.repeats)
    pidx = "idx" if depth == len(element.repeats) else f"idx[:{depth}]"
    return [
        f"o = outer_get(({_ident(parent)}, {pidx}))",
        "if o is None:",
        f"    o = outer_of(E{parent.id}, {pidx})",
        *made,
        f"f._build = (skipped, idx, *o) if o else (skipped, idx, E{i}, idx)",
        "append(f)",
    ]


def _filtered(
    element: Element,
    namespace: dict[str, Any],
    by_name: dict[str, Element],
    idx: str,
    pick: str,
) -> list[str]:
    """checker.choices of a select_one with a choice_filter, its filter written in place.

    The chosen choice's row (checker.choice_row) is read from CR<id>: a name not in the list,
    or an unknown answer, leaves it to checker.choices; else the filter decides, as the one
    truth() choices would make (counted as one evaluation).
    """
    assert element.choice_filter is not None  # noqa: S101 - called for a filtered select
    if element.value_kind != "select1" or element.choices is None:
        return [pick]
    inline = Inliner(by_name, element, idx, row="row")
    source = inline.boolean(element.choice_filter.ast)
    if source is None:
        return [pick]
    i = _ident(element)
    namespace[f"CR{i}"] = {name: choice_row(c) for name, c in element.choices.items()}
    return [
        "name = x.strip()",
        f"row = CR{i}.get(name)",
        "if unknown or row is None:",
        f"    {pick}",
        "else:",
        "    inlined += 1",
        *(f"    {line}" for line in inline.prelude()),
        f"    if not {source}:",
        f"        append(choice_finding(say, E{i}, {idx}, x, (), (name,)))",
    ]


def _answered(
    element: Element,
    typed: bool,
    selects: bool,
    namespace: dict[str, Any],
    by_name: dict[str, Element],
    idx: str,
) -> list[str]:
    """checker.answered written out for one element: its answer is `x`."""
    i, name = element.id, f"E{element.id}"
    rest: list[str] = []
    if selects:
        pick = f"out.extend(choices(form, rt, {name}, {idx}, x, say))"
        if element.choice_filter is None and element.value_kind == "select1":
            namespace[f"L{i}"] = element.choices  # checker.listed inlined
            other = " or name == 'other'" if element.or_other else ""
            rest += ["name = x.strip()", f"if not (name in L{i}{other}):", f"    {pick}"]
        elif element.choice_filter is None and not element.or_other:
            namespace[f"L{i}"] = element.choices  # checker.listed inlined, in C
            rest += [f"if not all(map(L{i}.__contains__, x.split())):", f"    {pick}"]
        elif element.choice_filter is None:
            rest += [f"if not listed({name}, x):", f"    {pick}"]
        else:
            rest += _filtered(element, namespace, by_name, idx, pick)
    if element.constraint is not None:
        rule = f"out.extend(constraint(rt, {name}, {idx}, x, say))"
        inline = Inliner(by_name, element, idx)
        source = inline.boolean(element.constraint.ast)
        if source is None:
            rest.append(rule)
        else:  # no unknown answer: nothing can taint it (inline.py)
            rest += [
                "if unknown:",
                f"    {rule}",
                "else:",
                "    inlined += 1",
                *(f"    {line}" for line in inline.prelude()),
                f"    if not {source}:",
                f"        append(constraint_failed(say, {name}, {idx}, x))",
            ]
    if not typed:
        return rest
    if element.value_kind == "int":  # checker.invalid_problem's test, written in place
        lines = [
            "if not whole(x.strip()):",
            f"    append(invalid_value(say, {name}, {idx}, x, {NOT_WHOLE!r}))",
        ]
    else:
        lines = [
            f"problem = invalid_problem({name}, x)",
            "if problem:",
            f"    append(invalid_value(say, {name}, {idx}, x, problem))",
        ]
    if rest:
        lines += ["else:", *(f"    {line}" for line in rest)]
    return lines
