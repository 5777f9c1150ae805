"""The Slack surface: the Bolt app factory, listeners by Slack surface, and Block Kit builders."""
