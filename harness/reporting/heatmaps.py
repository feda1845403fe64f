"""The one heat-map renderer of the leaderboard and the analysis.

Annotated matrices as PNG, byte-identical for identical input (fixed style, no software
metadata), so regenerated reports diff cleanly. A ``Style`` says what differs between
figures: size per cell, colour scale, cell text, labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

BAD = "#d9d9d9"  # cells without a value


@dataclass(frozen=True)
class Style:
    """How one kind of heat map looks. Sizes are inches: ``max(min, base + per * count)``."""

    diverging: bool = True  # red-blue around 0 (differences), else viridis on 0-100 (scores)
    cell_format: str = "{:+.1f}"
    width: tuple[float, float, float] = (4.5, 2.6, 0.42)  # min, base, per column
    height: tuple[float, float, float] = (2.6, 1.8, 0.42)  # min, base, per row
    tick_fontsize: float | None = None  # None: matplotlib's default
    rotate_ticks: bool = True  # column labels vertical beyond 8 columns
    colorbar_label: str | None = None
    xlabel: str | None = None
    ylabel: str | None = None


def resource_groups(languages: list[str]) -> list[tuple[str, int, int]]:
    """(label, first column, last column) of each run of languages sharing a resource class
    (Joshi et al. 2020): the class number, with its name where three columns give room."""
    from harness.languages import class_name, language

    runs: list[tuple[int | None, int, int]] = []
    for i, code in enumerate(languages):
        meta = language(code)
        level = meta.resource_class if meta else None
        if runs and runs[-1][0] == level:
            runs[-1] = (level, runs[-1][1], i)
        else:
            runs.append((level, i, i))
    groups = []
    for level, a, b in runs:
        if level is None:
            label = "?"
        elif b - a >= 2:  # room for the class name
            label = f"{level}: {class_name(level).removeprefix('The ')}"
        else:
            label = str(level)
        groups.append((label, a, b))
    return groups


def render(
    path: Path,
    matrix: list[list[float]],
    rows: list[str],
    columns: list[str],
    title: str,
    style: Style,
    *,
    notes: list[list[str]] | None = None,
    column_groups: list[tuple[str, int, int]] | None = None,
) -> None:
    """Write ``matrix`` (NaN: no value) as an annotated heat map; ``notes`` add a line under
    a cell's value, ``column_groups`` label runs of columns on top (``resource_groups``)."""
    import matplotlib
    import matplotlib.style
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import Normalize, TwoSlopeNorm
    from matplotlib.figure import Figure

    data = np.ma.masked_invalid(np.array(matrix, dtype=float))
    with matplotlib.style.context("default"):
        (min_w, base_w, per_w), (min_h, base_h, per_h) = style.width, style.height
        fig = Figure(
            figsize=(
                max(min_w, per_w * len(columns) + base_w),
                max(min_h, per_h * len(rows) + base_h),
            ),
            dpi=100,
        )
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if style.diverging:
            span = float(np.nanmax(np.abs(data.filled(np.nan)))) if data.count() else 1.0
            span = span or 1.0
            norm: Normalize = TwoSlopeNorm(vmin=-span, vcenter=0.0, vmax=span)
            cmap = matplotlib.colormaps["RdBu"].with_extremes(bad=BAD)
        else:
            norm = Normalize(vmin=0.0, vmax=100.0)
            cmap = matplotlib.colormaps["viridis"].with_extremes(bad=BAD)
        image = ax.imshow(data, cmap=cmap, norm=norm, aspect="auto")
        bar = {"label": style.colorbar_label} if style.colorbar_label else {}
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, **bar)
        ticks = {"fontsize": style.tick_fontsize} if style.tick_fontsize else {}
        xticks = dict(ticks)
        if style.rotate_ticks:
            xticks["rotation"] = 90 if len(columns) > 8 else 0
        ax.set_xticks(range(len(columns)), columns, **xticks)
        ax.set_yticks(range(len(rows)), rows, **ticks)
        if style.xlabel:
            ax.set_xlabel(style.xlabel)
        if style.ylabel:
            ax.set_ylabel(style.ylabel)
        for i in range(len(rows)):
            for j in range(len(columns)):
                value = matrix[i][j]
                if math.isnan(value):
                    continue
                r, g, b, _ = cmap(norm(value))
                colour = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
                text = style.cell_format.format(value)
                if notes and notes[i][j]:
                    text += "\n" + notes[i][j]
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
        if column_groups:
            top = ax.secondary_xaxis("top")
            top.set_xticks(
                [(a + b) / 2 for _, a, b in column_groups],
                [label for label, _, _ in column_groups],
                fontsize=7,
            )
            for _, a, _ in column_groups[1:]:
                ax.axvline(a - 0.5, color="white", linewidth=2)
        ax.set_title(title, fontsize=9, loc="left")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", metadata={"Software": None})
