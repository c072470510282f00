"""Completion as a PNG chart (matplotlib, Agg backend, imported on the first chart):
one horizontal bar per unit — the report's top units and the level under them, at most
`MAX_BARS` — split into attended, self-studied and not yet, in percent of the members
who must study (the exempt left out). `figure()` builds it (tests read its texts), `png()`
renders it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services import charts
from knowledge.text import shorten
from bot.study import messages as texts
from bot.study.completion import Completion, UnitLine

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_BARS = 15
WIDTH, DPI = 9.0, 100
COLOURS = ("#2e7d32", "#81c784", "#e0e0e0")  # attended, self-studied, not yet


def bars(report: Completion) -> list[UnitLine]:
    """The units shown: the top level, and the level under it when there is one top unit."""
    tops = [line for line in report.lines if line.depth == 0]
    shown = tops if len(tops) > 1 else [line for line in report.lines if line.depth <= 1]
    return [line for line in shown if line.figures.members][:MAX_BARS]


def figure(report: Completion) -> Figure:
    shown = bars(report)
    height = 1.6 + 0.45 * max(len(shown), 1)
    fig = charts.new_figure(WIDTH, height, DPI)
    ax = fig.add_subplot()
    labels = [("   " * line.depth) + shorten(line.name, 34)
              for line in shown]
    positions = list(range(len(shown)))[::-1]  # the first unit on top
    charts.stacked_bars(ax, positions, [
        (name, colour, [line.figures.pct(getattr(line.figures, part)) for line in shown])
        for name, colour, part in ((texts.CHART_ATTENDED, COLOURS[0], "attended"),
                                   (texts.CHART_SELF, COLOURS[1], "self_studied"),
                                   (texts.CHART_NOT_YET, COLOURS[2], "not_yet"))],
        horizontal=True, thickness=0.6)
    for y, line in zip(positions, shown):
        ax.text(101, y, f"{line.figures.pct(line.figures.done):.0f}%", va="center",
                fontsize=8)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel(texts.CHART_XLABEL)
    ax.set_title(shorten(texts.CHART_TITLE.format(id=report.campaign_id, title=report.title), 80),
                 fontsize=10, pad=20)
    # Above the bars, under the title: inside the axes it would hide a bar's end and label.
    ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3,
              frameon=False, borderaxespad=0.2)
    total = report.total
    fig.text(0.01, 0.01, texts.CHART_FOOTER.format(
        members=total.members, exempt=total.exempt,
        done_pct=f"{total.pct(total.done):.1f}".replace(".", ",")), fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def png(report: Completion) -> bytes:
    return charts.png(figure(report))


__all__ = ["bars", "figure", "png"]
