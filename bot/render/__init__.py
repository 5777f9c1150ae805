"""Plan renderings for people: Markdown (exports, Slack files and canvases) and the terminal."""
