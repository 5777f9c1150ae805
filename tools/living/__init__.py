"""Living plans: 90-day action tracking, objective progress, outcomes, reminders, change detection
against the inputs a plan recorded, the adjustments it proposes and the decisions on proposals."""
