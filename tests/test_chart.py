"""The `/breakeven` chart: a real PNG of the asked size whose break-even mark sits at the calculator's volume."""

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.curve import CostCurve, breakeven_curve
from bot.slack.chart import (
    BREAK_EVEN_COLOUR,
    ChartGeometry,
    breakeven_chart,
    breakeven_chart_png,
    dollars_tick,
    tokens_tick,
)
from knowledge.tables import tables

REQUESTS = {
    "example 1, 100M": BreakEvenRequest(tokens=D(100_000_000)),
    "example 2, 500M": BreakEvenRequest(tokens=D(500_000_000)),
    "example 3, 2B": BreakEvenRequest(tokens=D(2_000_000_000)),
    "never, gpt-4o blended": BreakEvenRequest(tokens=D(500_000_000), model="gpt-4o"),
}


def curve_for(name: str) -> CostCurve:
    return breakeven_curve(REQUESTS[name], tables())


def decode(png: bytes) -> NDArray[np.uint8]:
    """The PNG's pixels as rows x columns x RGB."""
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def marker_pixels(pixels: NDArray[np.uint8]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows and columns of the pixels painted exactly in the break-even marker's colour."""
    red, green, blue = (int(BREAK_EVEN_COLOUR[index : index + 2], 16) for index in (1, 3, 5))
    rows, columns = np.nonzero(np.all(pixels == (red, green, blue), axis=-1))
    return rows, columns


@pytest.mark.parametrize(("width", "height"), [(1200, 675), (800, 450), (1600, 900)])
def test_chart_is_a_png_of_the_asked_size(width: int, height: int) -> None:
    """The chart decodes as a PNG exactly as wide and tall as asked, so Slack previews it crisply."""
    png = breakeven_chart_png(curve_for("example 2, 500M"), width_px=width, height_px=height)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode(png).shape == (height, width, 3)


@pytest.mark.parametrize("name", ["example 1, 100M", "example 2, 500M", "example 3, 2B"])
def test_break_even_mark_is_drawn_at_the_calculators_volume(name: str) -> None:
    """The break-even marker's pixels map back to the calculator's break-even volume within one pixel."""
    calculated = run_breakeven(REQUESTS[name], tables()).result
    png, geometry = breakeven_chart(curve_for(name))
    rows, columns = marker_pixels(decode(png))
    assert len(columns) > 50, "the marker is drawn and visible"
    assert columns.max() - columns.min() < 30, "only the marker carries its colour"

    # A pixel's centre lies half a pixel past its index.
    centre_x, centre_y = columns.mean() + 0.5, rows.mean() + 0.5
    tokens = geometry.tokens_at(centre_x)
    assert abs(tokens - float(calculated["break_even_tokens"])) <= geometry.tokens_per_px
    api_cost_there = calculated["break_even_tokens"] * calculated["api_price_per_1k"] / 1000
    assert abs(centre_y - geometry.y_px(api_cost_there)) <= 1, "on the API line"


@pytest.mark.parametrize(
    "request_",
    [
        BreakEvenRequest(tokens=D(0)),
        BreakEvenRequest(tokens=D(0), model="gpt-4o"),
        BreakEvenRequest(tokens=D(10**12)),
        BreakEvenRequest(tokens=D(200_000_000), tokens_per_gpu=D(10_000)),
        BreakEvenRequest(tokens=D(1), api_price_per_1k=D(0), gpu_monthly=D(0), ops_rate=D(0)),
    ],
    ids=["nothing asked", "nothing asked, never", "1T", "50,000 GPU steps", "everything free"],
)
def test_unusual_inputs_still_draw_a_chart(request_: BreakEvenRequest) -> None:
    """Zero volume, a trillion tokens, steps thinner than a pixel or all-zero prices still give a PNG."""
    png = breakeven_chart_png(breakeven_curve(request_, tables()), width_px=600, height_px=338)
    assert decode(png).shape == (338, 600, 3)


def test_never_breaking_even_draws_no_break_even_marker() -> None:
    """When self-hosting never pays (gpt-4o blended) no pixel carries the break-even colour."""
    rows, _ = marker_pixels(decode(breakeven_chart_png(curve_for("never, gpt-4o blended"))))
    assert len(rows) == 0


def test_geometry_maps_the_axes_ends_to_the_plot_edges() -> None:
    """0 tokens and the last volume fall on the plot's left and right edges, inside the image."""
    curve = curve_for("example 2, 500M")
    _, geometry = breakeven_chart(curve)
    assert isinstance(geometry, ChartGeometry)
    assert (geometry.width_px, geometry.height_px) == (1200, 675)
    assert geometry.x_px(0) == pytest.approx(geometry.left_px)
    assert geometry.x_px(curve.max_tokens) == pytest.approx(geometry.right_px)
    assert geometry.tokens_at(geometry.x_px(curve.asked_tokens)) == pytest.approx(5e8)
    assert 0 < geometry.left_px < geometry.right_px <= 1200
    assert 0 < geometry.top_px < geometry.bottom_px <= 675


def test_charts_drawn_on_several_threads_match_charts_drawn_one_by_one() -> None:
    """Bolt's worker threads can draw charts at once: each comes out byte for byte as drawn alone."""
    curves = [curve_for("example 2, 500M"), curve_for("never, gpt-4o blended")]
    alone = [breakeven_chart_png(curve) for curve in curves]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(breakeven_chart_png, curves * 3))
    assert together == alone * 3


@pytest.mark.parametrize(
    ("tokens", "label"),
    [
        (0, "0"),
        (500, "500"),
        (250_000, "250K"),
        (500_000_000, "500M"),
        (1_250_000_000, "1.25B"),
        (2e12, "2T"),
    ],
)
def test_volume_ticks_read_like_the_guide(tokens: float, label: str) -> None:
    """The volume axis reads 250K, 500M, 1.25B as the guide writes volumes."""
    assert tokens_tick(tokens) == label


@pytest.mark.parametrize(
    ("dollars", "label"), [(0, "$0"), (500, "$500"), (7_500, "$7.5K"), (20_000, "$20K"), (1_200_000, "$1.2M")]
)
def test_cost_ticks_are_short_dollar_amounts(dollars: float, label: str) -> None:
    """The cost axis reads $7.5K and $1.2M."""
    assert dollars_tick(dollars) == label
