"""What every check needs, worked out once per review: the plan's calendar (fiscal quarters, the
90-day window), the people on record, the events (renewal, QBRs), and every piece of text in the
plan with its path, its place in time and a label a CSM recognises."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cached_property
from re import Match, Pattern
from typing import NamedTuple

from agent.review.measures import Measure, measure_of
from agent.review.model import Finding, FindingSeverity, finding
from agent.review.wording import day, own_words, short
from storage.plan_document import QUARTERS, AccountPlanDocument, SuccessMetric
from tools.analytics.context import PlanningContext
from tools.analytics.fiscal_calendar import FiscalQuarter, fiscal_quarters
from tools.analytics.snapshot import ContactInsight

WEEKS = 13
_QUARTER_INDEX: dict[str, int] = {name: index for index, name in enumerate(QUARTERS)}
WINDOW_DAYS = WEEKS * 7 - 1  # the 90-day plan: week 1 starts on the plan's first day
DISENGAGED_LEVELS = frozenset({"none", "low"})


class TextItem(NamedTuple):
    """One piece of plan text: where it is, what kind of thing it is, and when it happens."""

    path: str
    kind: str  # summary, context, objective, rationale, metric, milestone, stakeholders, goal,
    #            missing_role, sponsor_strategy, opportunity, risk, mitigation, owner, qbr,
    #            attendee, resource, action, benchmark
    text: str
    label: str  # "Objective 2's Q3 milestone", "The week 7 action 'Hold the Q1 QBR…'"
    quarter: str | None = None  # milestones and QBRs
    when: date | None = None  # actions (due date), QBRs (date), milestones (quarter end)
    own: str = ""  # the text with customer quotations blanked out


# Between two items in the joined text: no pattern's `.` crosses a newline, no `\s` or `\w` a NUL.
SEPARATOR = "\n\x00\n"


_new_tuple = tuple.__new__


def _item(
    path: str, kind: str, text: str, label: str, quarter: str | None = None, when: date | None = None
) -> TextItem:
    # As `TextItem(...)` builds it, without the named tuple's own `__new__` (a Python call): some
    # 125 items a plan.
    return _new_tuple(TextItem, (path, kind, text, label, quarter, when, own_words(text)))


class ReviewFacts:
    """The plan and its planning context, with what the checks derive from them."""

    def __init__(self, document: AccountPlanDocument, context: PlanningContext, start_month: int) -> None:
        self.document = document
        self.context = context
        self.start_month = start_month
        self.as_of = context.as_of
        self.quarters: list[FiscalQuarter] = fiscal_quarters(document.fiscal_year, start_month)
        self.year_start = self.quarters[0].start
        self.year_end = self.quarters[-1].end
        self.plan_start = max(self.as_of, self.year_start)
        self.window_end = self.plan_start + timedelta(days=WINDOW_DAYS)
        self.findings: list[Finding] = []

    # -- reporting ------------------------------------------------------------------------------
    def report(self, code: str, severity: FindingSeverity, path: str, message: str, suggestion: str) -> None:
        self.findings.append(finding(code, severity, path, message, suggestion))

    def error(self, code: str, path: str, message: str, suggestion: str) -> None:
        self.report(code, "error", path, message, suggestion)

    def warning(self, code: str, path: str, message: str, suggestion: str) -> None:
        self.report(code, "warning", path, message, suggestion)

    # -- calendar -------------------------------------------------------------------------------
    def quarter(self, name: str) -> FiscalQuarter:
        return self.quarters[_QUARTER_INDEX[name]]

    def quarter_of(self, when: date) -> str | None:
        for quarter in self.quarters:
            if quarter.start <= when <= quarter.end:
                return quarter.name
        return None

    def week_start(self, week: int) -> date:
        return self.plan_start + timedelta(days=7 * (week - 1))

    def week_end(self, week: int) -> date:
        return self.plan_start + timedelta(days=7 * week - 1)

    @cached_property
    def renewal(self) -> date | None:
        return self.context.customer.renewal_date

    @cached_property
    def renewal_quarter(self) -> str | None:
        """The quarter of this fiscal year the renewal falls in (None when outside the year)."""
        return self.quarter_of(self.renewal) if self.renewal else None

    @cached_property
    def qbr_dates(self) -> dict[str, date]:
        """Each quarter's QBR date in the plan (the first one listed for a quarter)."""
        dates: dict[str, date] = {}
        for qbr in self.document.qbr_schedule:
            dates.setdefault(qbr.quarter, qbr.date)
        return dates

    # -- people ---------------------------------------------------------------------------------
    @cached_property
    def active_contacts(self) -> list[ContactInsight]:
        return [c for c in self.context.contacts if c.active]

    @cached_property
    def roles_on_record(self) -> set[str]:
        return {c.role for c in self.active_contacts}

    @cached_property
    def contacts_by_name(self) -> dict[str, ContactInsight]:
        """Every contact (departed too) by lower-case full name."""
        return {c.name.strip().lower(): c for c in self.context.contacts}

    @cached_property
    def known_name_words(self) -> set[str]:
        """Lower-case first and last names of every contact: a person named by either is known."""
        words: set[str] = set()
        for contact in self.context.contacts:
            words.update(w.lower() for w in contact.name.replace(",", " ").split() if len(w) > 1)
        return words

    @cached_property
    def other_name_words(self) -> set[str]:
        """Capitalised words of the customer's own records and peer accounts: names of things, not people."""
        customer = self.context.customer
        texts = [customer.name, customer.competitors or "", customer.industry or "", customer.goals or ""]
        if self.context.similar is not None:
            texts += [a.name for a in self.context.similar.accounts]
        texts += [a.name for a in self.document.benchmark_comparison.similar_accounts]
        return {w.strip('(),.\u201c\u201d"').lower() for text in texts for w in text.split()}

    def is_disengaged(self, contact: ContactInsight) -> bool:
        return (contact.engagement_level or "").lower() in DISENGAGED_LEVELS

    # -- text -----------------------------------------------------------------------------------
    @cached_property
    def texts(self) -> list[TextItem]:
        """Every piece of plan prose, in document order."""
        d = self.document
        items: list[TextItem] = [
            _item("executive_summary", "summary", d.executive_summary, "The executive summary")
        ]
        context = d.business_context
        for key, label in (
            ("industry_trends", "industry trends"),
            ("customer_goals", "customer goals"),
            ("competitive_landscape", "competitive landscape"),
        ):
            items.append(
                _item(
                    f"business_context.{key}", "context", getattr(context, key), f"Business context ({label})"
                )
            )
        for i, objective in enumerate(d.strategic_objectives):
            base, name = f"strategic_objectives[{i}]", f"Objective {i + 1}"
            items.append(_item(f"{base}.objective", "objective", objective.objective, f"{name}'s title"))
            items.append(_item(f"{base}.rationale", "rationale", objective.rationale, f"{name}'s rationale"))
            for j, metric in enumerate(objective.success_metrics):
                items.append(
                    _item(
                        f"{base}.success_metrics[{j}].metric",
                        "metric",
                        metric.metric,
                        f"{name}'s metric '{short(metric.metric, 40)}'",
                    )
                )
            for j, milestone in enumerate(objective.quarterly_milestones):
                items.append(
                    _item(
                        f"{base}.quarterly_milestones[{j}].milestone",
                        "milestone",
                        milestone.milestone,
                        f"{name}'s {milestone.quarter} milestone",
                        quarter=milestone.quarter,
                        when=self.quarter(milestone.quarter).end,
                    )
                )
        s = d.stakeholder_plan
        items.append(
            _item(
                "stakeholder_plan.current_assessment",
                "stakeholders",
                s.current_assessment,
                "The stakeholder assessment",
            )
        )
        for i, goal in enumerate(s.relationship_goals):
            items.append(
                _item(
                    f"stakeholder_plan.relationship_goals[{i}].strategy",
                    "goal",
                    goal.strategy,
                    f"The relationship goal for {goal.name}",
                )
            )
        for i, role in enumerate(s.missing_roles):
            items.append(
                _item(f"stakeholder_plan.missing_roles[{i}]", "missing_role", role, "The missing roles")
            )
        items.append(
            _item(
                "stakeholder_plan.exec_sponsor_strategy",
                "sponsor_strategy",
                s.exec_sponsor_strategy,
                "The executive sponsor strategy",
            )
        )
        for i, opportunity in enumerate(d.expansion_plan.opportunities):
            items.append(
                _item(
                    f"expansion_plan.opportunities[{i}].description",
                    "opportunity",
                    opportunity.description,
                    f"Expansion opportunity {i + 1}",
                )
            )
        for i, risk in enumerate(d.risk_mitigation.identified_risks):
            base = f"risk_mitigation.identified_risks[{i}]"
            items.append(_item(f"{base}.risk", "risk", risk.risk, f"Risk {i + 1}"))
            items.append(
                _item(f"{base}.mitigation", "mitigation", risk.mitigation, f"Risk {i + 1}'s mitigation")
            )
            items.append(_item(f"{base}.owner", "owner", risk.owner, f"Risk {i + 1}'s owner"))
        for i, qbr in enumerate(d.qbr_schedule):
            label = f"The {qbr.quarter} QBR ({day(qbr.date)})"
            items.append(
                _item(f"qbr_schedule[{i}].focus", "qbr", qbr.focus, label, quarter=qbr.quarter, when=qbr.date)
            )
            for j, attendee in enumerate(qbr.attendees):
                items.append(
                    _item(
                        f"qbr_schedule[{i}].attendees[{j}]",
                        "attendee",
                        attendee,
                        f"{label}'s attendees",
                        quarter=qbr.quarter,
                        when=qbr.date,
                    )
                )
        r = d.resource_plan
        for key, label in (
            ("engagement_model", "engagement model"),
            ("executive_alignment", "executive alignment"),
            ("rationale", "rationale"),
        ):
            items.append(
                _item(f"resource_plan.{key}", "resource", getattr(r, key), f"The resource plan ({label})")
            )
        for i, specialist in enumerate(r.specialists):
            items.append(
                _item(
                    f"resource_plan.specialists[{i}]",
                    "resource",
                    specialist,
                    "The resource plan (specialists)",
                )
            )
        for i, action in enumerate(d.action_plan_90day):
            label = f"The week {action.week} action '{short(action.action, 50)}'"
            items.append(
                _item(f"action_plan_90day[{i}].action", "action", action.action, label, when=action.due_date)
            )
            items.append(_item(f"action_plan_90day[{i}].owner", "owner", action.owner, f"{label}'s owner"))
        b = d.benchmark_comparison
        items.append(
            _item(
                "benchmark_comparison.key_differentiators",
                "benchmark",
                b.key_differentiators,
                "The benchmark comparison",
            )
        )
        for i, element in enumerate(b.missing_elements):
            items.append(
                _item(
                    f"benchmark_comparison.missing_elements[{i}]",
                    "benchmark",
                    element,
                    "The benchmark's missing elements",
                )
            )
        return items

    @cached_property
    def metric_measures(self) -> list[tuple[int, int, SuccessMetric, Measure | None]]:
        """(objective index, metric index, metric, the measure it tracks) for every success metric."""
        return [
            (i, j, metric, measure_of(metric.metric))
            for i, objective in enumerate(self.document.strategic_objectives)
            for j, metric in enumerate(objective.success_metrics)
        ]

    @cached_property
    def _by_kind(self) -> dict[str, list[TextItem]]:
        kinds: dict[str, list[TextItem]] = {}
        for item in self.texts:
            kinds.setdefault(item.kind, []).append(item)
        return kinds

    def texts_of(self, *kinds: str) -> list[TextItem]:
        if len(kinds) == 1:
            return self._by_kind.get(kinds[0], [])
        return [item for item in self.texts if item.kind in kinds]

    @cached_property
    def joined(self) -> str:
        """Every item's own words in one string, so a pattern runs once per plan, not once per item."""
        return SEPARATOR.join(item.own for item in self.texts)

    @cached_property
    def joined_text(self) -> str:
        """Every item's whole text (quotations too) in one string: the same length as `joined`, so
        an offset in one is the same place in the other."""
        return SEPARATOR.join(item.text for item in self.texts)

    @cached_property
    def starts(self) -> list[int]:
        """Where each item's own words begin in `joined`."""
        starts, at = [], 0
        for item in self.texts:
            starts.append(at)
            at += len(item.own) + len(SEPARATOR)
        return starts

    def matches(self, pattern: Pattern[str]) -> Iterator[tuple[TextItem, Match[str], int]]:
        """(item, match, offset of the item in the joined text) for every match in the plan's text."""
        starts = self.starts
        for match in pattern.finditer(self.joined):
            index = bisect_right(starts, match.start()) - 1
            yield self.texts[index], match, starts[index]

    def item_at(self, offset: int) -> TextItem:
        return self.texts[bisect_right(self.starts, offset) - 1]

    @cached_property
    def joined_lower(self) -> str:
        return self.joined.lower()

    def items_containing(self, *needles: str) -> list[TextItem]:
        """The items whose own words contain any of `needles` (lower case), in document order.
        A plain substring search over the joined text: a cheap filter before a costly pattern."""
        text, starts, hits = self.joined_lower, self.starts, set()
        for needle in needles:
            at = text.find(needle)
            while at != -1:
                index = bisect_right(starts, at) - 1
                hits.add(index)
                # Jump to the next item: one hit per item is enough.
                at = text.find(needle, starts[index + 1] if index + 1 < len(starts) else len(text))
        return [self.texts[index] for index in sorted(hits)]
