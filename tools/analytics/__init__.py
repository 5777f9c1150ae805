"""Planning analytics: the customer's context, relationships, stakeholder coverage, expansion, risks,
data gaps, similar accounts and the fiscal calendar, each deterministic for a given `as_of`."""
