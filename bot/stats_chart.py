"""The outcome chart: plan coverage and objective completion by CSM against the PRD targets, as a
PNG for Slack's files API and `accountplan stats --chart`."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.living.outcomes import OutcomeStats

BAR_WIDTH = 0.38
MAX_CSMS = 20  # beyond this the labels stop being readable


def stats_chart_png(stats: OutcomeStats) -> bytes:
    """Grouped bars per CSM (coverage, completion) with the 70% / 60% target lines."""
    # matplotlib takes longer to import than the whole `stats` command, so only a chart loads it.
    # The Figure API with the Agg canvas (not pyplot) needs no display and keeps no global state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = stats.by_csm[:MAX_CSMS]
    labels = [row.csm_name or row.csm_email.split("@")[0] for row in rows] or ["(no accounts)"]
    coverage = [(row.coverage.rate or 0.0) * 100 for row in rows] or [0.0]
    completion = [(row.completion.rate or 0.0) * 100 for row in rows] or [0.0]
    figure = Figure(figsize=(max(6.0, 1.1 * len(labels) + 2), 4.2), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    positions = list(range(len(labels)))
    axes.bar(
        [p - BAR_WIDTH / 2 for p in positions], coverage, BAR_WIDTH, label="Plan coverage", color="#2e86de"
    )
    axes.bar(
        [p + BAR_WIDTH / 2 for p in positions],
        completion,
        BAR_WIDTH,
        label="Objective completion",
        color="#10ac84",
    )
    axes.axhline(
        stats.coverage_target * 100, color="#2e86de", linestyle="--", linewidth=1, label="Coverage target"
    )
    axes.axhline(
        stats.completion_target * 100, color="#10ac84", linestyle=":", linewidth=1, label="Completion target"
    )
    axes.set_xticks(positions, labels, rotation=20, ha="right")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title(f"Coverage and completion by CSM · {stats.as_of:%b} {stats.as_of.day}, {stats.as_of.year}")
    axes.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
