"""The `/breakeven` chart: monthly cost against monthly tokens, as PNG bytes.

A pure view: a `CostCurve` in, PNG bytes out. It draws on matplotlib's object API
(`Figure` + `FigureCanvasAgg`) and never touches pyplot or changes the global rcParams, so charts
can be drawn on Bolt's worker threads at the same time. matplotlib is imported only here, so calculator
commands do not pay for it.
"""

import io
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.calculations.curve import CostCurve, CostPoint
from calculators.quantities import format_tokens, format_usd

DPI = 100
"""Pixels per inch: font sizes in points are about 1.4 pixels each."""
API_COLOUR = "#1f5fa8"
SELF_HOSTED_COLOUR = "#e07000"
BREAK_EVEN_COLOUR = "#d6006f"
"""Only the break-even marker is drawn in this colour, so a reader (or a test) can find it."""
BREAK_EVEN_TEXT_COLOUR = "#9c0050"
"""A darker shade for the break-even label, so the marker stays the only pixels in its colour."""
ASKED_COLOUR = "#2e7d32"
TEXT_COLOUR = "#222222"
CHEAPER_SHADE = "#2e7d32"
"""Shade where self-hosting is cheaper (drawn faint)."""
TITLE_SIZE = 22
LABEL_SIZE = 17
TICK_SIZE = 15
NOTE_SIZE = 16
SUBTITLE_SIZE = 15
LEGEND_SIZE = 14
LEGEND_WRAP = 58
SUBTITLE_WRAP = 92
"""Font sizes in points: Slack previews a 1200-pixel chart at about half size."""


@dataclass(frozen=True)
class ChartGeometry:
    """Where the plot area sits in the PNG, to map its pixels back to tokens and dollars.

    Pixel coordinates are the PNG's: origin at the top-left corner, y growing downwards; pixel
    column `i` covers x from `i` to `i + 1`.
    """

    width_px: int
    height_px: int
    left_px: float
    """x of the plot area's left edge, where the volume axis shows `min_tokens`."""
    right_px: float
    top_px: float
    bottom_px: float
    """y of the plot area's bottom edge, where the cost axis shows `min_cost`."""
    min_tokens: float
    max_tokens: float
    min_cost: float
    max_cost: float

    @property
    def tokens_per_px(self) -> float:
        """Tokens a month one pixel column spans."""
        return (self.max_tokens - self.min_tokens) / (self.right_px - self.left_px)

    def x_px(self, tokens: Decimal | float) -> float:
        """The x pixel of a volume."""
        return self.left_px + (float(tokens) - self.min_tokens) / self.tokens_per_px

    def tokens_at(self, x_px: float) -> float:
        """The volume at an x pixel."""
        return self.min_tokens + (x_px - self.left_px) * self.tokens_per_px

    def y_px(self, cost: Decimal | float) -> float:
        """The y pixel of a monthly cost."""
        share = (float(cost) - self.min_cost) / (self.max_cost - self.min_cost)
        return self.bottom_px - share * (self.bottom_px - self.top_px)


def breakeven_chart_png(curve: CostCurve, *, width_px: int = 1200, height_px: int = 675) -> bytes:
    """The chart as PNG bytes, `width_px` by `height_px` pixels."""
    png, _ = breakeven_chart(curve, width_px=width_px, height_px=height_px)
    return png


def breakeven_chart(
    curve: CostCurve, *, width_px: int = 1200, height_px: int = 675
) -> tuple[bytes, ChartGeometry]:
    """The chart as PNG bytes, and where its plot area lies (for tests and image maps).

    Both lines come from `curve.points` as given: the self-hosted line's GPU steps are pairs of
    points at one volume, so they are drawn as vertical jumps.
    """
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, layout="constrained")
    figure.set_facecolor("white")
    FigureCanvasAgg(figure)  # attaches itself to the figure: Agg, not whatever pyplot's backend is
    axes = figure.add_subplot()

    tokens = [float(point.tokens) for point in curve.points]
    api = [float(point.api_cost) for point in curve.points]
    hosted = [float(point.self_hosted_cost) for point in curve.points]
    # Headroom above the lines for the asked label; a floor so an all-zero chart still has a scale.
    top_cost = max(*api, *hosted, 1.0) * 1.12
    axes.set_xlim(0, float(curve.max_tokens))
    axes.set_ylim(0, top_cost)

    shading = axes.fill_between(
        tokens,
        hosted,
        api,
        where=[cheaper <= dearer for cheaper, dearer in zip(hosted, api, strict=True)],
        color=CHEAPER_SHADE,
        alpha=0.10,
        linewidth=0,
    )
    (api_line,) = axes.plot(tokens, api, color=API_COLOUR, linewidth=3, zorder=3)
    (hosted_line,) = axes.plot(tokens, hosted, color=SELF_HOSTED_COLOUR, linewidth=3, zorder=3)
    _mark_asked(axes, curve.asked)
    _mark_break_even(axes, curve)

    figure.suptitle(
        "Monthly cost: API vs self-hosting", x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold"
    )
    axes.set_title(_literal(_subtitle(curve)), loc="left", fontsize=SUBTITLE_SIZE, color=TEXT_COLOUR)
    axes.set_xlabel("tokens a month", fontsize=LABEL_SIZE)
    axes.set_ylabel("$ a month", fontsize=LABEL_SIZE)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: tokens_tick(value)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: dollars_tick(value)))
    axes.tick_params(labelsize=TICK_SIZE)
    axes.grid(color="#dddddd", linewidth=1)
    axes.spines[["top", "right"]].set_visible(False)
    # Below the plot, so no line, mark or label inside it can hide under the legend. Two columns,
    # filled column by column: the API line over the shading's entry, the self-hosted line beside.
    entries: list[tuple[Artist, str]] = [(api_line, _legend_label(curve.api_label))]
    if curve.break_even is not None:
        entries.append((shading, "self-hosting cheaper"))
    entries.append((hosted_line, _legend_label(curve.self_hosted_label)))
    figure.legend(
        [artist for artist, _ in entries],
        [label for _, label in entries],
        loc="outside lower center",
        ncols=2,
        fontsize=LEGEND_SIZE,
        frameon=False,
    )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    # The layout is final once the PNG is drawn, so the geometry describes those very pixels.
    (left, bottom), (right, top) = axes.transData.transform([(0, 0), (float(curve.max_tokens), top_cost)])
    height = figure.bbox.height
    geometry = ChartGeometry(
        width_px=round(figure.bbox.width),
        height_px=round(height),
        left_px=float(left),
        right_px=float(right),
        top_px=float(height - top),
        bottom_px=float(height - bottom),
        min_tokens=0.0,
        max_tokens=float(curve.max_tokens),
        min_cost=0.0,
        max_cost=top_cost,
    )
    return buffer.getvalue(), geometry


def _mark_asked(axes: Axes, asked: CostPoint) -> None:
    x = float(asked.tokens)
    axes.axvline(x, color=ASKED_COLOUR, linestyle=":", linewidth=2, zorder=2)
    axes.plot(
        [x, x],
        [float(asked.api_cost), float(asked.self_hosted_cost)],
        linestyle="none",
        marker="o",
        markersize=11,
        markerfacecolor="white",
        markeredgecolor=ASKED_COLOUR,
        markeredgewidth=3,
        zorder=4,
        clip_on=False,
    )
    axes.annotate(
        f"asked {format_tokens(asked.tokens)}",
        xy=(x, 1),
        xycoords=("data", "axes fraction"),
        xytext=(6, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=NOTE_SIZE,
        color=ASKED_COLOUR,
        fontweight="bold",
    )


def _mark_break_even(axes: Axes, curve: CostCurve) -> None:
    point = curve.break_even
    if point is None:
        axes.text(
            0.98,
            0.06,
            "self-hosting never breaks even at these prices",
            transform=axes.transAxes,
            ha="right",
            va="bottom",
            fontsize=NOTE_SIZE,
            color=TEXT_COLOUR,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "#bbbbbb"},
            zorder=6,
        )
        return
    x, y = float(point.tokens), float(point.api_cost)
    # The label sits on the volume axis, where both lines are above it (they rise from the
    # break-even on), to the right of a guide line down from the marker, or to its left near the edge.
    right_side = point.tokens < curve.max_tokens * Decimal("0.7")
    axes.plot([x, x], [0, y], color=BREAK_EVEN_COLOUR, alpha=0.6, linestyle="--", linewidth=2, zorder=2)
    axes.plot(
        [x],
        [y],
        linestyle="none",
        marker="D",
        markersize=15,
        markerfacecolor=BREAK_EVEN_COLOUR,
        markeredgecolor="white",
        markeredgewidth=2,
        zorder=6,
        clip_on=False,
    )
    axes.annotate(
        f"break-even {format_tokens(point.tokens)}",
        xy=(x, 0),
        xycoords=("data", "axes fraction"),
        xytext=(6 if right_side else -6, 6),
        textcoords="offset points",
        ha="left" if right_side else "right",
        va="bottom",
        fontsize=NOTE_SIZE,
        color=BREAK_EVEN_TEXT_COLOUR,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        zorder=6,
    )


def _subtitle(curve: CostCurve) -> str:
    asked = curve.asked
    gpus = f"{asked.gpus:,} GPU{'s' if asked.gpus != 1 else ''}"
    text = (
        f"At {format_tokens(asked.tokens)} tokens a month: API {format_usd(asked.api_cost)}, "
        f"self-hosted {format_usd(asked.self_hosted_cost)} on {gpus} "
        f"(+1 GPU every {format_tokens(curve.tokens_per_gpu_month)} tokens)"
    )
    return "\n".join(textwrap.wrap(text, width=SUBTITLE_WRAP))


def _legend_label(text: str) -> str:
    """A legend entry wrapped to `LEGEND_WRAP` characters, so two columns fit the chart's width."""
    return _literal("\n".join(textwrap.wrap(text, width=LEGEND_WRAP, break_long_words=False)))


def _literal(text: str) -> str:
    """Text matplotlib must not read as math: two `$` signs would start a formula."""
    return text.replace("$", r"\$")


def tokens_tick(tokens: float) -> str:
    """A volume axis label: 0, 250K, 500M, 1.25B."""
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(tokens) >= size:
            return f"{tokens / size:.4g}{suffix}"
    return f"{tokens:.4g}"


def dollars_tick(dollars: float) -> str:
    """A cost axis label: $0, $500, $7.5K, $1.2M."""
    for suffix, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(dollars) >= size:
            return f"${dollars / size:.4g}{suffix}"
    return f"${dollars:.4g}"
