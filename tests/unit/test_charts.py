"""Server-drawn charts: bars scaled under the top, the target line where the target is, misses marked."""

from api.web.charts import HEIGHT, bar_chart


def test_bars_and_the_target_line_share_one_scale() -> None:
    chart = bar_chart(
        "Pickup conversion",
        [("23/11", 1.0), ("24/11", 0.5), ("25/11", None)],
        target=0.95,
        target_label="Target: 95 %",
        shown=lambda v: f"{v:.0%}",
        higher_is_better=True,
        ceiling=1.0,
    )
    full, half = chart.bars
    assert [bar.label for bar in chart.bars] == ["23/11", "24/11"]  # a day without a value has no bar
    assert round(full.height / half.height, 6) == 2
    assert full.y < chart.target_y < half.y < chart.baseline
    assert (full.missed, half.missed) == (False, True)
    assert chart.description == "23/11: 100%; 24/11: 50%. Target: 95 %"


def test_a_lower_is_better_chart_leaves_room_above_the_target() -> None:
    chart = bar_chart(
        "Time to ready",
        [("paris", 30.0), ("lyon", 6.0)],
        target=15,
        target_label="15 min",
        shown=str,
        higher_is_better=False,
    )
    slow, fast = chart.bars
    assert slow.missed and not fast.missed
    assert 0 < slow.y < chart.target_y < fast.y < HEIGHT
