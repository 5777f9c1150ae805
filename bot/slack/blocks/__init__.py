"""Block Kit builders: pure functions from plans and view models to slack_sdk model objects."""
