"""The demo portfolio: a deterministic synthetic book of accounts (always including the PRD's TechCorp Industries) for demos, tests and benchmarks."""

# Here rather than in portfolio.py so `accountplan seed --help` can show them without loading it.
DEFAULT_ACCOUNTS = 200
DEFAULT_SEED = 235
