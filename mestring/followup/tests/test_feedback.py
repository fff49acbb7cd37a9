"""Scoring, the expected change band and the not-on-track rule (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mestring.followup import feedback

OUTCOME = feedback.InstrumentSpec(
    purpose="outcome",
    scale_min=0,
    scale_max=10,
    n_items=5,
    scoring="mean",
    expected_gain_per_session=0.5,
    expected_gain_max=2.0,
    band_width=1.0,
)
SESSION = feedback.InstrumentSpec(
    purpose="session", scale_min=0, scale_max=10, n_items=4, scoring="sum", alert_below=30
)


def test_score_sum_and_mean() -> None:
    assert feedback.score(SESSION, [10, 9, 8, 7]) == 34
    assert feedback.score(OUTCOME, [4, 5, 6, 5, 5]) == 5.0
    assert SESSION.score_max == 40 and OUTCOME.score_max == 10


@pytest.mark.parametrize("values", [[1, 2, 3], [11, 0, 0, 0], [-1, 0, 0, 0]])
def test_score_rejects_bad_answers(values: list[int]) -> None:
    with pytest.raises(ValueError):
        feedback.score(SESSION, values)


def test_expected_band_grows_to_its_ceiling() -> None:
    assert feedback.expected_at(OUTCOME, 4.0, 1) == 4.0
    assert feedback.expected_at(OUTCOME, 4.0, 3) == 5.0
    assert feedback.expected_at(OUTCOME, 4.0, 10) == 6.0  # gain capped at 2.0
    assert feedback.expected_at(OUTCOME, 9.5, 10) == 10.0  # never above the scale


def test_outcome_off_track_only_below_band() -> None:
    assert not feedback.is_off_track(OUTCOME, [4.0])  # one score: no trend yet
    assert not feedback.is_off_track(OUTCOME, [4.0, 4.0])  # expected 4.5, lower 3.5
    assert feedback.is_off_track(OUTCOME, [4.0, 4.0, 3.9])  # expected 5.0, lower 4.0
    assert not feedback.is_off_track(OUTCOME, [4.0, 4.0, 6.0])


def test_session_feedback_flags_low_score() -> None:
    assert feedback.is_off_track(SESSION, [35, 29])
    assert not feedback.is_off_track(SESSION, [20, 30])


def test_trajectory_points_and_chart() -> None:
    start = date(2026, 1, 1)
    rows = [(start + timedelta(days=7 * i), v) for i, v in enumerate([4.0, 4.5, 3.0])]
    points = feedback.trajectory(OUTCOME, rows)
    assert [p.session for p in points] == [1, 2, 3]
    assert points[1].expected == 4.5 and points[1].lower == 3.5 and points[1].upper == 5.5
    assert [p.off_track for p in points] == [False, False, True]
    chart = feedback.svg_chart(OUTCOME, points)
    assert len(chart.dots) == 3 and chart.band and chart.points.count(",") == 3
    assert chart.dots[2][2] is True


def test_chart_tick_labels_are_norwegian() -> None:
    points = feedback.trajectory(OUTCOME, [(date(2026, 1, 1), 4.0)])
    chart = feedback.svg_chart(OUTCOME, points)
    assert [label for _y, label in chart.y_ticks] == ["0", "2,5", "5", "7,5", "10"]


def test_session_chart_has_signal_line() -> None:
    points = feedback.trajectory(SESSION, [(date(2026, 1, 1), 35.0), (date(2026, 1, 8), 25.0)])
    chart = feedback.svg_chart(SESSION, points)
    assert chart.threshold is not None and chart.plot_top < chart.threshold < chart.plot_bottom
    assert feedback.svg_chart(OUTCOME, feedback.trajectory(OUTCOME, [])).threshold is None
