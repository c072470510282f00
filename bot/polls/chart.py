"""The results as a PNG bar chart (matplotlib, Agg backend: no display needed).

`figure()` builds the figure (tests read its text objects), `png()` renders it. One group of
bars per option: the total, and one bar per unit when there are several units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.polls.results import PollResults
from bot.polls import messages as poll_texts
from bot.services import charts
from knowledge.text import shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_UNITS_SHOWN = 8  # more units than this: totals only (the table has every unit)


def figure(results: PollResults) -> Figure:
    fig = charts.new_figure(8, 4.5)
    ax = fig.add_subplot()
    labels = [shorten(f"{i + 1}. {o}", 30) for i, o in enumerate(results.options)]
    series: list[tuple[str, list[int]]] = [(poll_texts.POLL_TOTAL, results.totals)]
    voted = [u for u in results.units if u.voters]  # the table lists the silent units too
    if 1 < len(voted) <= MAX_UNITS_SHOWN:
        series += [(u.name, u.counts) for u in voted]
    width = 0.8 / len(series)
    positions = range(len(labels))
    for k, (name, counts) in enumerate(series):
        bars = ax.bar([p + (k - (len(series) - 1) / 2) * width for p in positions], counts,
                      width, label=name)
        if k == 0:
            ax.bar_label(bars, fmt="%d")
    ax.set_xticks(list(positions), labels, rotation=0 if len(labels) <= 4 else 20, ha="center")
    ax.set_ylabel(poll_texts.POLL_CHART_YLABEL)
    ax.set_title(shorten(results.question, 80))
    ax.yaxis.get_major_locator().set_params(integer=True)
    if len(series) > 1:
        ax.legend(fontsize="small")
    fig.text(0.01, 0.01, poll_texts.POLL_CHART_FOOTER.format(id=results.number,
                                                        voters=results.voters), fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def png(results: PollResults) -> bytes:
    return charts.png(figure(results))


__all__ = ["figure", "png"]
