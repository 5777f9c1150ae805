"""The rows the analytics read: ORM objects, or Core rows of the same tables. The planning context's
gatherer loads Core rows (several times cheaper than ORM instances, and the analytics only read
their attributes); tests and callers holding ORM objects pass those."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from storage.models import Contact, Customer, HealthScore, Interaction, Opportunity, RiskSignal, UsageMonth

CustomerRow = Customer | Row[Any]
ContactRow = Contact | Row[Any]
HealthRow = HealthScore | Row[Any]
UsageRow = UsageMonth | Row[Any]
OpportunityRow = Opportunity | Row[Any]
SignalRow = RiskSignal | Row[Any]
InteractionRow = Interaction | Row[Any]
