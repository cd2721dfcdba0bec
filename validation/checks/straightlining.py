"""Straightlining: one answer given to every question of a block of similar select_one items."""

from collections.abc import Iterator, Mapping, Sequence

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    is_enabled,
    resolve_params,
)

BLOCK = "straightlining.block"

SPECS = {BLOCK: CheckSpec(BLOCK, "minor", {"min_questions": Param(5, minimum=2)})}


class StraightliningCheck:
    codes: tuple[str, ...] = (BLOCK,)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = True

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not is_enabled(ctx, BLOCK):
            return
        params = resolve_params(ctx, SPECS[BLOCK])
        blocks = [
            tuple(block)
            for block in ctx.straightline_blocks
            if len(block) >= int(params["min_questions"])
        ]
        for iv in interviews:
            for block in blocks:
                answers = [iv.answers.get(key, "").strip() for key in block]
                # A partly skipped block was not shown in full: nothing to judge.
                if any(a == "" for a in answers) or len(set(answers)) != 1:
                    continue
                yield Finding(
                    BLOCK,
                    iv.id,
                    block[0],
                    str(params["severity"]),
                    f"The same answer {answers[0]!r} was given to all {len(block)} questions "
                    f"from {block[0]} to {block[-1]}.",
                    {"answer": answers[0], "questions": list(block), "count": len(block)},
                )
