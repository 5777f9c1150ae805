"""System prompts, kept as Markdown files beside the code that sends them."""
