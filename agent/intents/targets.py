"""Requests about account-level targets: the stakeholder multi-threading target ("we want 8
engaged contacts"), a contact's relationship goal ("raise Sarah's target score to 95") and the
expansion plan's target ARR ("set target ARR to $320K")."""

from __future__ import annotations

from agent.intents.core import Context, Failure, Intent, search
from agent.intents.values import count_in, direction, money_in
from storage.errors import BadInput
from tools.plans.edits import (
    EditRelationshipGoal,
    PlanEdit,
    SetMultiThreadingTarget,
    SetTargetArr,
    resolve_contact,
)


def multi_threading(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(
        r"\bmulti[- ]?thread(?:ing|ed)?\b|\bstakeholder target\b|\bcontacts? target\b|\bthreads\b", text
    ):
        return None
    current = ctx.ws.data["stakeholder_plan"]["multi_threading_target"]
    target = count_in(text)
    if target is None:
        step = direction(text)
        if not step:
            return None
        target = current + step
    if not 1 <= target <= 50:
        return Failure(text, "the multi-threading target is a number of contacts between 1 and 50")

    def build(ws: object) -> list[PlanEdit]:
        return [SetMultiThreadingTarget(target=target)]

    return Intent(text, build, already=f"The multi-threading target is already {target}.")


def target_arr(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(r"\barr\b|\bexpansion target\b|\bgrowth target\b|\brevenue target\b", text):
        return None
    if search(r"^(?:what|when|how|who)\b", text):
        return None
    expansion = ctx.ws.data["expansion_plan"]
    value = money_in(text)
    if value is None:
        if direction(text):
            ceiling = expansion["current_arr"] + sum(o["value"] for o in expansion["opportunities"])
            return Failure(
                text,
                f"say the new target ARR (today's ARR is ${expansion['current_arr']:,.0f}; with the whole "
                f"pipeline it would be ${ceiling:,.0f})",
            )
        return None

    current = float(expansion["current_arr"])
    ceiling = current + sum(float(o["value"]) for o in expansion["opportunities"])
    if not current <= value <= ceiling:
        # The same bounds the plan's figures are held to: from today's ARR to it plus the whole pipeline.
        return Failure(
            text,
            f"a target ARR lies between today's ARR, ${current:,.0f}, and today's ARR plus the whole pipeline, "
            f"${ceiling:,.0f} (${value:,.0f} is {'below' if value < current else 'above'} that)",
        )

    def build(ws: object) -> list[PlanEdit]:
        return [SetTargetArr(target_arr=value)]

    return Intent(text, build, already=f"The target ARR is already ${value:,.0f}.")


def relationship(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(
        r"^(?:(?:set|raise|increase|bump|lower|change|update|make|lift|drop|reduce|move|push)\s+)?(?:the\s+)?(?P<who>[a-z][\w-]*(?: [a-z][\w-]*)?)(?:'s|s'|')?\s+(?:relationship\s+)?(?:target\s+score|target|relationship goal|goal|score target|relationship score target|score goal)\s+(?:to|at|=|should be|is|of)\s+(?P<v>\d{1,3})\b",
        text,
    ) or search(
        r"\b(?:target|aim for|goal of)\s+(?P<v>\d{1,3})\s+(?:for|with)\s+(?P<who>[a-z][\w-]*(?: [a-z][\w-]*)?)(?:'s)?(?:\s+relationship)?(?:\s+score)?$",
        text,
    )
    if not m:
        return None
    value = int(m.group("v"))
    name = m.group("who")
    if name.lower().endswith(" relationship"):
        name = name[: -len(" relationship")]
    try:
        if resolve_contact(ctx.ws.data, name) is None:
            return None
    except BadInput:
        return None

    def build(ws: object) -> list[PlanEdit]:
        return [EditRelationshipGoal(name=name, target_score=value)]

    return Intent(text, build)


PARSERS = (multi_threading, target_arr, relationship)
