"""A customer's history read for planning: dated values as a trend (the last point per month, the
latest value, the change over about 90 days) and interactions as a summary (counts, sentiment, the
latest touches and notes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

from tools.analytics.rows import InteractionRow
from tools.analytics.snapshot import InteractionNote, InteractionSummary, Trend, TrendPoint

# A trend's "90-day" change compares the latest point with the last one at least this long before it;
# when history is shorter, a point at least MIN_BASELINE_DAYS back will do.
TREND_WINDOW_DAYS = 90
MIN_BASELINE_DAYS = 60
MAX_BASELINE_DAYS = 180
TREND_HISTORY_DAYS = 365  # points shown: the last one of each month over the past year
RECENT_DAYS = 90
RECENT_SHOWN = 5
SUMMARY_CHARS = 160
NOTES_DAYS = 180  # interaction notes older than this no longer describe the relationship
NOTES_SHOWN = 20


@lru_cache(maxsize=1024)  # the same few dozen months label every customer's trends
def _month_label(year: int, month: int) -> str:
    return date(year, month, 1).strftime("%Y-%m")


def build_trend(series: Sequence[tuple[date, float]], *, label_months: bool = False) -> Trend:
    """Trend of dated values (oldest first): the last point per month over the past year, the
    latest value, and the change over about 90 days (None when history is too short)."""
    if not series:
        return Trend(points=[], latest=None, change_90d=None, change_pct_90d=None)
    latest_day, latest = series[-1]
    shown_from = latest_day - timedelta(days=TREND_HISTORY_DAYS)
    # Keyed by (year, month), not its text: strftime costs more than the rest of the loop.
    monthly: dict[tuple[int, int], tuple[date, float]] = {}
    for day, value in series:
        if day >= shown_from:
            monthly[day.year, day.month] = (day, value)
    points = [
        TrendPoint(period=_month_label(*month) if label_months else day.isoformat(), value=value)
        for month, (day, value) in monthly.items()
    ]
    target = latest_day - timedelta(days=TREND_WINDOW_DAYS)
    before = [(d, v) for d, v in series if d <= target]
    baseline: tuple[date, float] | None = before[-1] if before else None
    if baseline is None and series[0][0] <= latest_day - timedelta(days=MIN_BASELINE_DAYS):
        baseline = series[0]
    if baseline is not None and baseline[0] < latest_day - timedelta(days=MAX_BASELINE_DAYS):
        baseline = None
    change = round(latest - baseline[1], 2) if baseline is not None else None
    change_pct = (
        round(100.0 * change / baseline[1], 1)
        if baseline is not None and change is not None and baseline[1]
        else None
    )
    return Trend(points=points, latest=latest, change_90d=change, change_pct_90d=change_pct)


@lru_cache(maxsize=1024)  # a portfolio's usage history spans a few dozen months, read per customer
def month_start(month: str) -> date:
    """The first day of a "YYYY-MM" month."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def summarize_interactions(
    interactions: Sequence[InteractionRow], names: dict[str, str], as_of: date
) -> InteractionSummary:
    """Counts, recent sentiment and the latest few touches, newest first."""
    recent_start = as_of - timedelta(days=RECENT_DAYS)
    recent = [i for i in interactions if i.date >= recent_start]
    sentiments = [i.sentiment for i in recent if i.sentiment is not None]
    newest = sorted(interactions, key=lambda i: (i.date, i.id), reverse=True)[:RECENT_SHOWN]
    lines: list[str] = []
    for item in newest:
        who = names.get(item.contact_id or "", "an unnamed contact")
        text = f"{item.date.isoformat()} {item.kind or 'interaction'} with {who}"
        if item.summary:
            summary = item.summary.strip()
            text += ": " + (summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…")
        lines.append(text)
    notes_start = as_of - timedelta(days=NOTES_DAYS)
    noted = sorted(
        (i for i in interactions if i.date >= notes_start and i.summary and i.summary.strip()),
        key=lambda i: (i.date, i.id),
        reverse=True,
    )[:NOTES_SHOWN]
    return InteractionSummary(
        count_90d=len(recent),
        count_total=len(interactions),
        average_sentiment_90d=round(sum(sentiments) / len(sentiments), 3) if sentiments else None,
        last_interaction=newest[0].date if newest else None,
        recent=lines,
        notes=[
            InteractionNote(
                date=item.date,
                kind=item.kind,
                contact_id=item.contact_id,
                contact_name=names.get(item.contact_id or ""),
                sentiment=item.sentiment,
                summary=(item.summary or "").strip(),
            )
            for item in noted
        ],
    )
