"""The "Edit objective" modal: wording, priority and the Q1-Q4 milestones of one objective."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, InputBlock, Option, PlainTextInputElement, StaticSelectElement
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks.text import plain
from bot.slack.limits import MAX_INPUT_TEXT, MAX_MODAL_SUBMIT, MAX_MODAL_TITLE, MAX_OPTION_TEXT
from storage.plan_document import QUARTERS, AccountPlanDocument
from storage.vocabulary import Priority

PRIORITIES = Priority.values()


def objective_metadata(plan_id: str, version: int, objective_id: str) -> str:
    """Ids only: the plan, the version the form was built from (conflict check), the objective."""
    return f"{plan_id}|{version}|{objective_id}"


def parse_objective_metadata(value: str) -> tuple[str, int, str]:
    plan_id, version, objective_id = value.split("|")
    return plan_id, int(version), objective_id


def objective_modal(document: AccountPlanDocument, objective_id: str | None = None) -> View:
    objectives = document.strategic_objectives
    objective = next((o for o in objectives if o.id == objective_id), objectives[0])
    choices = [
        Option(value=o.id, text=plain(f"{i}. {o.objective}", MAX_OPTION_TEXT))
        for i, o in enumerate(objectives, 1)
    ]
    priorities = [Option(value=p, text=plain(p.capitalize(), MAX_OPTION_TEXT)) for p in PRIORITIES]
    first_milestone = {}
    for milestone in objective.quarterly_milestones:
        first_milestone.setdefault(milestone.quarter, milestone.milestone)
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.OBJECTIVE_PICK_BLOCK,
            label=plain("Objective", MAX_OPTION_TEXT),
            dispatch_action=True,  # picking another objective reloads its fields
            element=StaticSelectElement(
                action_id=ids.OBJECTIVE_PICK,
                options=choices,
                initial_option=next(c for c in choices if c.value == objective.id),
            ),
        ),
        # block ids carry the objective so Slack does not keep the previous objective's typed values
        InputBlock(
            block_id=f"{ids.OBJECTIVE_TEXT_BLOCK}:{objective.id}",
            label=plain("Objective", MAX_OPTION_TEXT),
            element=PlainTextInputElement(
                action_id=ids.OBJECTIVE_TEXT,
                initial_value=objective.objective[:MAX_INPUT_TEXT],
                multiline=True,
                max_length=MAX_INPUT_TEXT,
            ),
        ),
        InputBlock(
            block_id=f"{ids.OBJECTIVE_PRIORITY_BLOCK}:{objective.id}",
            label=plain("Priority", MAX_OPTION_TEXT),
            element=StaticSelectElement(
                action_id=ids.OBJECTIVE_PRIORITY,
                options=priorities,
                initial_option=next(p for p in priorities if p.value == objective.priority),
            ),
        ),
    ]
    for quarter in QUARTERS:
        blocks.append(
            InputBlock(
                block_id=f"{ids.MILESTONE_BLOCK_PREFIX}{quarter}:{objective.id}",
                label=plain(f"{quarter} milestone", MAX_OPTION_TEXT),
                element=PlainTextInputElement(
                    action_id=ids.MILESTONE_INPUT,
                    initial_value=first_milestone.get(quarter, "")[:MAX_INPUT_TEXT],
                    max_length=MAX_INPUT_TEXT,
                ),
            )
        )
    return View(
        type="modal",
        callback_id=ids.OBJECTIVE_VIEW,
        title=plain("Edit objective", MAX_MODAL_TITLE),
        submit=plain("Save", MAX_MODAL_SUBMIT),
        close=plain("Cancel", MAX_MODAL_SUBMIT),
        private_metadata=objective_metadata(document.plan_id, document.version, objective.id),
        blocks=blocks,
    )
