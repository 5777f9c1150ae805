"""The demo portfolio: a deterministic synthetic book of accounts (always including the PRD's TechCorp Industries) for demos, tests and benchmarks."""
