"""PNG charts (matplotlib, Agg backend, imported on the first chart): an instance's submission
status per group of units (on time / late / missing, stacked), with its first number field's
totals beside it; and opinion reports per topic stacked by mood. `*_figure` builds the figure
(tests read its text objects and bar heights), `png` renders it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from bot.reports import messages as texts
from bot.reports.opinion_rollup import OpinionRollup
from bot.reports.rollups import Rollup
from bot.reports.tracker import status_of
from bot.services import charts
from knowledge.text import shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_GROUPS = 15  # bars; more groups: the largest ones (the CSV has all)
STATUSES = ("on_time", "late", "missing")
COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "missing": "#c62828"}
MOOD_COLOURS = {1: "#2e7d32", 2: "#1565c0", 3: "#f9a825", 4: "#c62828"}


def _label(name: str) -> str:
    return shorten(name, 22)


def status_figure(found: Rollup) -> Figure:
    groups = found.groups()
    by_group: dict[int, Counter[str]] = {gid: Counter() for gid, _ in groups}
    for row in found.rows:
        by_group.setdefault(found.group_of(row.assignment), Counter())[
            status_of(row.assignment)] += 1
    shown = sorted(groups, key=lambda g: -sum(by_group[g[0]].values()))[:MAX_GROUPS]
    number = next((spec for spec in found.fields if spec.kind == "number"), None)
    fig = charts.new_figure(10 if number else 8, 4.8)
    ax = fig.add_subplot(1, 2 if number else 1, 1)
    names = [_label(name) for _, name in shown]
    charts.stacked_bars(ax, names, [
        (texts.CHART_STATUS[status], COLOURS[status], [by_group[gid][status] for gid, _ in shown])
        for status in STATUSES])
    ax.set_title(texts.CHART_STATUS_TITLE.format(period=found.instance.period_label), fontsize=10)
    ax.set_ylabel(texts.CHART_COUNT)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=30 if len(shown) > 3 else 0, labelsize=8)
    ax.legend(fontsize="small")
    if number is not None:
        totals = found.number_totals(number)
        ax2 = fig.add_subplot(1, 2, 2)
        bars = ax2.bar(names, [totals.get(gid, 0) for gid, _ in shown], color="#1565c0")
        ax2.bar_label(bars, fmt="%g")
        ax2.set_title(shorten(number.label, 50), fontsize=10)
        ax2.set_ylabel(texts.CHART_VALUE)
        ax2.tick_params(axis="x", labelrotation=30 if len(shown) > 3 else 0, labelsize=8)
    fig.suptitle(shorten(found.request.title, 90), fontsize=11)
    fig.tight_layout()
    return fig


def opinion_figure(found: OpinionRollup) -> Figure:
    topics = found.by_topic()[:MAX_GROUPS]
    fig = charts.new_figure(8, 4.8)
    ax = fig.add_subplot()
    names = [_label(topic) for topic, _, _, _ in topics]
    charts.stacked_bars(ax, names, [
        (texts.MOOD_NAMES[mood], MOOD_COLOURS[mood], [moods[mood] for _, _, _, moods in topics])
        for mood in sorted(texts.MOOD_NAMES)])
    ax.set_title(texts.OPINION_CHART_TITLE.format(period=found.period), fontsize=10)
    ax.set_ylabel(texts.CHART_COUNT)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=30 if len(topics) > 3 else 0, labelsize=8)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    return charts.png(fig)


__all__ = ["opinion_figure", "png", "status_figure"]
