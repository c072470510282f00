"""What every feature's PNG chart shares (poll results, study completion, report status and
opinions): matplotlib loaded on the first chart with the Agg backend, stacked bars, and
rendering to PNG bytes. Each feature keeps its own layout and texts.

matplotlib is imported on the first chart, not at start-up: importing it took ~2 s and
~25 MB of every serving process's start, most of which never draws a chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def new_figure(width: float, height: float, dpi: int = 100) -> Figure:
    """An empty figure `width` × `height` inches at `dpi` (Agg backend: never a window)."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: never a window
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi)


def stacked_bars(ax: Axes, positions: Sequence[Any],
                 layers: Sequence[tuple[str, str, Sequence[float]]], *,
                 horizontal: bool = False, thickness: float | None = None) -> list[float]:
    """One stacked bar per position: `layers` are (legend label, colour, one value per
    position), drawn bottom (left) first. `thickness` is the bar's height (horizontal) or
    width (vertical); None: matplotlib's default. Returns each bar's end (the stack's sum)."""
    base = [0.0] * len(positions)
    size = {} if thickness is None else {"height" if horizontal else "width": thickness}
    for label, colour, values in layers:
        if horizontal:
            ax.barh(positions, values, left=base, color=colour, label=label, **size)
        else:
            ax.bar(positions, values, bottom=base, label=label, color=colour, **size)
        base = [a + b for a, b in zip(base, values)]
    return base


def png(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes."""
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


__all__ = ["new_figure", "png", "stacked_bars"]
