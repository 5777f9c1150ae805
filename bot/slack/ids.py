"""Every action_id, callback_id and block_id the app sends and handles, named once."""

from __future__ import annotations

# Buttons on the plan summary message. Values carry the plan id only.
VIEW_PLAN = "plan_view"
EDIT_OBJECTIVE = "plan_edit_objective"
SUBMIT_PLAN = "plan_submit"
EXPORT_PLAN = "plan_export"
CHARTS = "plan_charts"  # the timeline and stakeholder map into the plan's thread
# Tabs inside the full-plan modal: "plan_tab_summary", "plan_tab_objectives", ...
PLAN_TAB_PREFIX = "plan_tab_"
PLAN_TABS: tuple[str, ...] = ("summary", "objectives", "stakeholders", "expansion", "actions")
# "Did you mean ...?" buttons; the value is the customer id.
PICK_CUSTOMER = "pick_customer"
# "Which customer do you mean?" buttons under a chat request; the value is JSON
# {"customer": id, "request": the message}.
PICK_CUSTOMER_FOR_REQUEST = "pick_customer_request"

# The generator modal.
GENERATOR_VIEW = "generator_modal"
CUSTOMER_BLOCK = "customer_block"
CUSTOMER_SELECT = "customer_select"
FISCAL_YEAR_BLOCK = "fiscal_year_block"
FISCAL_YEAR_SELECT = "fiscal_year_select"
SECTIONS_BLOCK = "sections_block"
SECTIONS_CHECKBOXES = "sections_checkboxes"
PREVIEW_BLOCK = "preview_block"

# The edit-objective modal.
OBJECTIVE_VIEW = "objective_modal"
OBJECTIVE_PICK_BLOCK = "objective_pick_block"
OBJECTIVE_PICK = "objective_pick"
OBJECTIVE_TEXT_BLOCK = "objective_text_block"
OBJECTIVE_TEXT = "objective_text"
OBJECTIVE_PRIORITY_BLOCK = "objective_priority_block"
OBJECTIVE_PRIORITY = "objective_priority"
MILESTONE_BLOCK_PREFIX = "milestone_block_"  # + Q1..Q4
MILESTONE_INPUT = "milestone_input"

# The full-plan modal.
PLAN_VIEW = "plan_modal"

# Buttons on App Home.
HOME_OPEN_GENERATOR = "home_open_generator"
