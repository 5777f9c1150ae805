"""Edits to the QBR schedule: reschedule (its prep and meeting actions in the 90-day plan move with
it) and attendees (contacts on record, or roles such as "Account Executive")."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from storage.errors import BadInput
from storage.plan_document import Quarter
from tools.analytics.fiscal_calendar import fiscal_year_bounds, quarter_of
from tools.plans.edits.actions import LAST_WEEK
from tools.plans.edits.base import Edit, Json, best_matches, possessive, words
from tools.plans.edits.cascades import human_date, quoted, remove_actions, week_of_day, week_zero


def _qbr(plan: Json, quarter: Quarter) -> Json:
    for qbr in plan["qbr_schedule"]:
        if qbr["quarter"] == quarter:
            return qbr
    have = ", ".join(q["quarter"] for q in plan["qbr_schedule"]) or "none"
    raise BadInput(f"the plan has no {quarter} QBR (it has: {have})")


def _start_month(plan: Json) -> int:
    context: Json = plan.get("generation_context") or {}
    return int(context.get("fiscal_year_start_month") or 1)


def _date_texts(day: date) -> list[str]:
    """How plans write a date: 'Feb 15, 2027', 'Feb 15', '2027-02-15'."""
    return [human_date(day), f"{day:%b} {day.day}", day.isoformat()]


def _about_this_qbr(action: Json, quarter: str, day: date) -> bool:
    text = action["action"]
    return f"{quarter} QBR" in text or any(t in text for t in _date_texts(day))


class RescheduleQbr(Edit):
    """Move a QBR to a new date. Its prep and meeting actions in the 90-day plan move by the same
    number of days (their dates in the text too); a date in another fiscal quarter makes it that
    quarter's QBR when that quarter has none."""

    quarter: Quarter = Field(description="The QBR to move, by its quarter.")
    date: date

    def apply(self, plan: Json) -> list[str]:
        qbr = _qbr(plan, self.quarter)
        old = date.fromisoformat(str(qbr["date"]))
        if self.date == old:
            return []
        fiscal_year, start_month = plan["fiscal_year"], _start_month(plan)
        first, last = fiscal_year_bounds(fiscal_year, start_month)
        if not first <= self.date <= last:
            raise BadInput(
                f"{human_date(self.date)} is outside {fiscal_year} ({human_date(first)} - {human_date(last)})"
            )
        notes: list[str] = []
        new_quarter = quarter_of(self.date, fiscal_year, start_month) or self.quarter
        if new_quarter != self.quarter:
            taken = [q for q in plan["qbr_schedule"] if q["quarter"] == new_quarter]
            if taken:
                raise BadInput(
                    f"{human_date(self.date)} is in {new_quarter}, which already has a QBR on "
                    f"{human_date(date.fromisoformat(str(taken[0]['date'])))}; pick a date in {self.quarter} "
                    f"or move the {new_quarter} QBR first"
                )
            qbr["quarter"] = new_quarter
            qbr["focus"] = qbr["focus"].replace(f"{self.quarter} ", f"{new_quarter} ")
            notes.append(f"That date is in {new_quarter}, so it is now the {new_quarter} QBR.")
        qbr["date"] = self.date.isoformat()
        notes += self._move_actions(plan, old, new_quarter)
        qbrs: list[Json] = plan["qbr_schedule"]
        qbrs.sort(key=lambda q: str(q["date"]))
        return notes

    def _move_actions(self, plan: Json, old: date, new_quarter: str) -> list[str]:
        shift = self.date - old
        actions = plan["action_plan_90day"]
        moved = 0
        outside: list[int] = []
        zero = week_zero(actions)
        for index, action in enumerate(actions):
            if action.get("status") == "done" or not _about_this_qbr(action, self.quarter, old):
                continue
            due = date.fromisoformat(str(action["due_date"])) + shift
            week = week_of_day(zero, due)
            for before, after in zip(_date_texts(old), _date_texts(self.date), strict=True):
                action["action"] = action["action"].replace(before, after)
            action["action"] = action["action"].replace(f"{self.quarter} QBR", f"{new_quarter} QBR")
            if 1 <= week <= LAST_WEEK:
                action.update(due_date=due.isoformat(), week=week)
                moved += 1
            else:
                outside.append(index)
        notes = (
            [f"Its {moved} related action{'s' if moved != 1 else ''} in the 90-day plan moved with it."]
            if moved
            else []
        )
        removed = remove_actions(plan, outside)
        if removed:
            notes.append(
                f"{quoted(removed[0])}{' and another action' if len(removed) > 1 else ''} now fall"
                f"{'' if len(removed) > 1 else 's'} after the 90 days, so "
                f"{'they were' if len(removed) > 1 else 'it was'} taken out of the 90-day plan."
            )
        return notes


def contact_names(plan: Json) -> list[str]:
    return [entry["name"] for entry in plan["stakeholder_plan"]["current_map"] if entry.get("active", True)]


def resolve_contact(plan: Json, name: str) -> str | None:
    """The full name of the contact on record `name` refers to ('Marcus' -> 'Marcus Webb')."""
    names = contact_names(plan)
    wanted = words(name)
    exact = [n for n in names if words(n) == wanted]
    if exact:
        return exact[0]
    by_part = [n for n in names if wanted in words(n).split() or words(n).startswith(wanted + " ")]
    if len(by_part) == 1:
        return by_part[0]
    if len(by_part) > 1:
        raise BadInput(f"'{name}' could be {' or '.join(by_part)}; say which")
    hits = best_matches(name, names)
    return names[hits[0]] if len(hits) == 1 and len(wanted) > 3 else None


# Words that make "Account Executive" or "Solutions Engineer" a role rather than a person.
ROLE_WORDS = frozenset(
    ["account", "executive", "exec", "manager", "engineer", "engineering", "team", "csm", "sponsor", "champion", "buyer", "director", "vp", "lead", "admin", "administrator", "support", "success", "sales", "solutions", "product", "finance", "it", "ops", "operations", "legal", "procurement", "security", "architect", "specialist", "cto", "cfo", "ceo", "coo", "cio", "head", "chief", "officer", "customer", "partner"]
)


def _looks_like_a_person(value: str) -> bool:
    parts = value.split()
    return (
        2 <= len(parts) <= 3
        and all(p[:1].isupper() and p.isalpha() for p in parts)
        and not any(p.lower() in ROLE_WORDS for p in parts)
    )


class EditQbrAttendees(Edit):
    """Add or remove QBR attendees. People must be contacts on record (a first name is enough when
    it is unique); roles such as 'Account Executive' may be added as they are."""

    quarter: Quarter = Field(description="The QBR, by its quarter.")
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)

    def apply(self, plan: Json) -> list[str]:
        qbr = _qbr(plan, self.quarter)
        attendees: list[str] = qbr["attendees"]
        for name in self.add:
            person = resolve_contact(plan, name)
            single = len(name.split()) == 1 and name.strip().lower() not in ROLE_WORDS
            if person is None and (_looks_like_a_person(name.strip()) or single):
                on_record = ", ".join(contact_names(plan))
                raise BadInput(
                    f"{name.strip()} is not one of {possessive(plan['customer_name'])} contacts on record ({on_record})"
                )
            entry = person or name.strip()
            if entry not in attendees:
                attendees.append(entry)
        for name in self.remove:
            hits = best_matches(name, attendees)
            if len(hits) > 1:  # "take Hannah off" with two Hannahs attending: ask, never guess
                listed = " or ".join(attendees[i] for i in hits)
                raise BadInput(f"'{name.strip()}' could be {listed}; say which")
            if not hits:
                listed = ", ".join(attendees) or "nobody"
                raise BadInput(f"the {self.quarter} QBR's attendees are {listed}; none of them is '{name}'")
            del attendees[hits[0]]
        return []
