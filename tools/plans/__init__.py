"""The plan workflow: typed plan edits, the lifecycle (submit, decide, activate), who may do what
(policy) and who is asking (identity)."""
