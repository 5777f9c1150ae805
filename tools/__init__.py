"""The typed operations the agent, the offline drafter and the surfaces call, grouped by domain:
`analytics` (what a plan is drafted from), `plans` (editing, lifecycle, who may do what) and
`living` (tracking a plan after approval). Nothing here knows about Slack or HTTP."""
