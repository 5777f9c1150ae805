"""What both pictures share: a figure on the Agg canvas (no display, no pyplot global state), PNG
export, fonts sized for Slack's preview, and text cut to fit a box."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Pictures are drawn about 1000 px wide and shown by Slack at roughly half that in a message, so
# text is set large: 12 pt at 110 dpi stays readable at preview size.
DPI = 110
FONT = 12
SMALL = 10.5
TITLE = 14
INK = "#1d1c1d"
MUTED = "#616061"
GRID = "#dddddd"
MAX_ALT_TEXT = 1000  # Slack's limit for a file's alt text


def new_figure(width: float, height: float) -> Figure:
    """A figure drawn with the Agg canvas. matplotlib loads here, on first use, not at import."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Plan text is data, never TeX: "$250K to $301K" would otherwise be typeset as maths (italic,
    # the dollar signs eaten). Every Text reads this when it is created.
    matplotlib.rcParams["text.parse_math"] = False
    figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # Light compression: a few more kilobytes, a tenth of a second less CPU per picture.
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def wrapped(text: str, width: int, lines: int = 2) -> str:
    """`text` in at most `lines` lines of `width` characters, the last one cut with an ellipsis."""
    parts = textwrap.wrap(" ".join(text.split()), width=width) or [""]
    if len(parts) > lines:
        last = parts[lines - 1]
        parts = [*parts[: lines - 1], (last[: width - 1].rstrip() + "…")]
    return "\n".join(parts)


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alt_text(text: str) -> str:
    return cut(text, MAX_ALT_TEXT)
