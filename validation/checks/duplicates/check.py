"""The duplicate checks: one submission stored twice, one respondent interviewed twice."""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    cannot_check,
    family_enabled,
    is_enabled,
    resolve_params,
)
from validation.checks.duplicates.kept import entry, reusable, settings_key
from validation.checks.duplicates.matcher import RespondentMatcher
from validation.checks.duplicates.specs import RESPONDENT, SAME_INSTANCE, SAME_ROOT, SPECS


class DuplicateCheck:
    codes: tuple[str, ...] = tuple(SPECS)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not family_enabled(ctx, self.codes):
            return
        if is_enabled(ctx, SAME_ROOT):
            yield from _same_value(interviews, ctx, SAME_ROOT, lambda iv: iv.root_uuid, "root uuid")
        if is_enabled(ctx, SAME_INSTANCE):
            yield from _same_value(
                interviews, ctx, SAME_INSTANCE, lambda iv: iv.instance_id, "instance id"
            )
        if is_enabled(ctx, RESPONDENT):
            params = resolve_params(ctx, SPECS[RESPONDENT])
            rounds: dict[int, list[Interview]] = defaultdict(list)
            for iv in interviews:
                rounds[iv.round_id].append(iv)
            for round_id, members in rounds.items():
                if only_ids is None or any(iv.id in only_ids for iv in members):
                    matcher = _matcher(round_id, members, params, ctx, focused=only_ids is not None)
                    yield from matcher.findings(only_ids)


def _matcher(
    round_id: int,
    members: list[Interview],
    params: dict[str, Any],
    ctx: CheckContext,
    *,
    focused: bool,
) -> "RespondentMatcher":
    """The round's matcher; a focused run's is kept in ctx.memo for a later call on the members.

    Only focused runs keep theirs (the quality run's two passes over a round); a whole run
    over every round would hold every round's matcher in memory at once. A focused run scores
    with the round's estimates in ctx.kept while they stand (kept.py); any other estimates
    afresh, and ctx.kept gets the estimates used.
    """
    facts, missing = tuple(ctx.respondent_facts), ctx.dk_values | ctx.refuse_values
    settings = settings_key(params, facts, missing)
    key = (RESPONDENT, tuple(iv.id for iv in members), settings)
    matcher = ctx.memo.get(key) if focused else None
    if not isinstance(matcher, RespondentMatcher):
        kept = reusable(ctx.kept.get(round_id), len(members), settings) if focused else None
        matcher = RespondentMatcher(members, params, facts=facts, missing=missing, estimates=kept)
        if focused:
            ctx.memo[key] = matcher
        if kept is None:
            ctx.kept[round_id] = entry(len(members), settings, matcher.estimates)
    return matcher


def _same_value(
    interviews: Sequence[Interview],
    ctx: CheckContext,
    code: str,
    key: Callable[[Interview], str],
    label: str,
) -> Iterator[Finding]:
    groups: dict[str, list[Interview]] = defaultdict(list)
    for iv in interviews:
        value = (key(iv) or "").strip()
        if value:
            groups[value].append(iv)
        else:
            yield cannot_check("duplicate", iv.id, f"The interview has no {label}.")
    severity = str(resolve_params(ctx, SPECS[code])["severity"])
    for members in groups.values():
        if len(members) < 2:
            continue
        for iv in members:
            others = [o for o in members if o is not iv]
            yield Finding(
                code,
                iv.id,
                "",
                severity,
                f"The same {label} is stored under {len(members)} KoBo submissions "
                f"(also KoBo id {', '.join(str(o.kobo_id) for o in others)}).",
                {
                    "other_ids": [o.id for o in others],
                    "other_kobo_ids": [o.kobo_id for o in others],
                    "form_ids": sorted({o.form_id for o in members}),
                },
            )
