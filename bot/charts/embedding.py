"""The plan's pictures embedded in its Markdown export: image links to the PNG files written next
to it, placed after the title block (before the first section) where a reader sees them first."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.charts import ChartImage, render_charts
from bot.charts.inputs import ChartInputs
from storage.errors import BadInput

# Markdown alt text cannot hold brackets; the full description stays with the file itself.
ALT_CHARS = 300


def _alt(text: str) -> str:
    clean = " ".join(text.replace("[", "(").replace("]", ")").split())
    return clean if len(clean) <= ALT_CHARS else clean[: ALT_CHARS - 1].rstrip() + "…"


def embed_pictures(markdown: str, images: list[ChartImage]) -> str:
    """`markdown` with an image link per picture (by file name, so the export and its PNGs travel
    together) inserted before the first `## ` section."""
    if not images:
        return markdown
    links = "\n\n".join(f"![{_alt(image.alt_text)}]({image.filename})" for image in images) + "\n\n"
    at = markdown.find("\n## ")
    if at == -1:
        return markdown.rstrip("\n") + "\n\n" + links
    return markdown[: at + 1] + links + markdown[at + 1 :]


async def with_pictures(markdown: str, inputs: ChartInputs, folder: Path) -> tuple[str, list[Path]]:
    """(`markdown` with the plan's timeline and stakeholder map embedded, the PNG files written to
    `folder`). Drawing and writing run in a thread: CPU and disk work. BadInput when the folder
    cannot take the files."""
    images = await asyncio.to_thread(render_charts, inputs)
    try:
        written = await asyncio.to_thread(write_pictures, folder, images)
    except OSError as error:
        raise BadInput(f"cannot write the pictures into {folder}: {error.strerror or error}") from None
    return embed_pictures(markdown, images), written


def write_pictures(folder: Path, images: list[ChartImage]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for image in images:
        path = folder / image.filename
        path.write_bytes(image.png)
        written.append(path)
    return written
