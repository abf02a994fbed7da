"""Bar charts drawn on the server as SVG (no script, no CDN): the geometry here, the markup in
templates/_chart.html. A target is drawn as a dashed line across the bars."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40  # room for the axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the day or the store, under the bar
    shown: str  # the value, as read out
    missed: bool  # on the wrong side of the target


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    target_y: float
    target_label: str
    top_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def bar_chart(
    title: str,
    points: Sequence[tuple[str, float | None]],
    *,
    target: float,
    target_label: str,
    shown: Callable[[float], str],
    higher_is_better: bool,
    floor: float = 0.0,
    ceiling: float | None = None,
) -> Chart:
    """Bars for the points that have a value, scaled from `floor` to a top above both the values and the
    target (or fixed at `ceiling`: 100 % for a share), and the target's line."""
    known = [(label, value) for label, value in points if value is not None]
    top = ceiling or max([target * 1.15, *(value for _, value in known)])
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    slot = plot_w / max(1, len(known))

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (max(value, floor) - floor) / (top - floor))

    bars = [
        Bar(
            x=LEFT + i * slot + slot * 0.15,
            y=y_of(value),
            width=slot * 0.7,
            height=HEIGHT - BOTTOM - y_of(value),
            label=label,
            shown=shown(value),
            missed=value < target if higher_is_better else value > target,
        )
        for i, (label, value) in enumerate(known)
    ]
    described = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars)
    return Chart(
        title=title,
        description=f"{described}. {target_label}" if bars else target_label,
        bars=bars,
        target_y=y_of(target),
        target_label=target_label,
        top_label=shown(top),
    )
