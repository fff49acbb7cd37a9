"""Routine feedback: scoring an instrument, the expected change band, and the "not on track" rule.

Pure functions over plain values, so they are easy to test and reuse in views, API, services and the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class InstrumentSpec:
    """The parts of an instrument the computations need."""

    purpose: str  # "session" or "outcome"
    scale_min: int
    scale_max: int
    n_items: int
    scoring: str  # "sum" or "mean"
    expected_gain_per_session: float = 0.0
    expected_gain_max: float = 0.0
    band_width: float = 0.0
    alert_below: float = 0.0

    @property
    def score_min(self) -> float:
        return float(self.scale_min * (self.n_items if self.scoring == "sum" else 1))

    @property
    def score_max(self) -> float:
        return float(self.scale_max * (self.n_items if self.scoring == "sum" else 1))


def spec_of(instrument) -> InstrumentSpec:  # type: ignore[no-untyped-def]
    return InstrumentSpec(
        purpose=instrument.purpose,
        scale_min=instrument.scale_min,
        scale_max=instrument.scale_max,
        n_items=getattr(instrument, "n_items", None) or len(instrument.items.all()),
        scoring=instrument.scoring,
        expected_gain_per_session=instrument.expected_gain_per_session,
        expected_gain_max=instrument.expected_gain_max,
        band_width=instrument.band_width,
        alert_below=instrument.alert_below,
    )


def score(spec: InstrumentSpec, values: Sequence[int]) -> float:
    """The instrument's score of one set of answers (sum or mean), rounded to one decimal."""
    if len(values) != spec.n_items:
        raise ValueError("one answer per item is needed")
    for value in values:
        if not spec.scale_min <= value <= spec.scale_max:
            raise ValueError("answer outside the scale")
    total = float(sum(values))
    return round(total if spec.scoring == "sum" else total / len(values), 1)


@dataclass(frozen=True)
class Point:
    session: int  # 1-based
    answered_on: date
    score: float
    expected: float | None
    lower: float | None
    upper: float | None
    off_track: bool


def expected_at(spec: InstrumentSpec, baseline: float, session: int) -> float:
    """The expected score at session `session` (1 = the baseline) for an outcome instrument."""
    gain = min(spec.expected_gain_per_session * (session - 1), spec.expected_gain_max)
    return min(baseline + gain, spec.score_max)


def is_off_track(spec: InstrumentSpec, scores: Sequence[float]) -> bool:
    """Whether the last of `scores` (oldest first) is outside the expected band.

    Session feedback: the last score is under `alert_below`. Outcome: from the second score on, the last
    score is under the expected score minus the band width.
    """
    if not scores:
        return False
    last = scores[-1]
    if spec.purpose == "session":
        return spec.alert_below > 0 and last < spec.alert_below
    if len(scores) < 2:
        return False
    lower = expected_at(spec, scores[0], len(scores)) - spec.band_width
    return last < lower


def trajectory(spec: InstrumentSpec, rows: Sequence[tuple[date, float]]) -> list[Point]:
    """Points of a trajectory (oldest first) with the expected band and the flag at each point."""
    points: list[Point] = []
    values: list[float] = []
    for index, (answered_on, value) in enumerate(rows, start=1):
        values.append(value)
        expected = lower = upper = None
        if spec.purpose == "outcome":
            expected = round(expected_at(spec, values[0], index), 1)
            lower = round(max(expected - spec.band_width, spec.score_min), 1)
            upper = round(min(expected + spec.band_width, spec.score_max), 1)
        elif spec.alert_below > 0:
            lower = spec.alert_below
        points.append(
            Point(
                session=index,
                answered_on=answered_on,
                score=value,
                expected=expected,
                lower=lower,
                upper=upper,
                off_track=is_off_track(spec, values),
            )
        )
    return points


SUPPORT_PROMPTS = {
    "outcome": [
        _("Gå gjennom målene sammen med personen: er de fortsatt det som er viktig for henne eller ham?"),
        _("Se på tiltakene i planen: virker de, har de riktig omfang, og blir de gjennomført?"),
        _(
            "Snakk om samarbeidet: opplever personen at samtalene hjelper? "
            "Spør hva som bør gjøres annerledes."
        ),
        _(
            "Vurder et ekstra møte i ansvarsgruppen, eller om personen trenger tettere oppfølging "
            "(FACT-tavla)."
        ),
        _("Sjekk levekårene på nytt (bolig, økonomi, nettverk, rus): har noe endret seg?"),
    ],
    "session": [
        _("Ta opp tilbakemeldingen i neste samtale: hva var det som ikke fungerte denne gangen?"),
        _("Avklar om tema, tempo og arbeidsmåte i samtalene passer for personen."),
        _("Vurder om en annen ansatt eller et annet møtested kan passe bedre."),
    ],
}


@dataclass(frozen=True)
class SvgChart:
    width: int
    height: int
    points: str  # polyline points of the score
    band: str  # polygon points of the band ("" when none)
    dots: list[tuple[float, float, bool, Point]]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    threshold: float | None = None  # y of the session-feedback signal line


def score_text(value: float | None) -> str:
    """A score as the pages and messages show it: one decimal in the active language's notation (7,0)."""
    return "" if value is None else formats.number_format(value, decimal_pos=1)


def _number(value: float) -> str:
    """A tick label in Norwegian notation: 2,5 and 10 (not 10,0)."""
    return f"{round(value, 1):g}".replace(".", ",")


def svg_chart(spec: InstrumentSpec, points: Sequence[Point], width: int = 560, height: int = 240) -> SvgChart:
    """Coordinates for an inline SVG trajectory chart (the template draws it)."""
    left, right, top, bottom = 44, width - 12, 12, height - 30
    lo, hi = spec.score_min, spec.score_max
    span = (hi - lo) or 1.0
    n = max(len(points), 2)

    def x(session: int) -> float:
        return round(left + (right - left) * (session - 1) / (n - 1), 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * (value - lo) / span, 1)

    line = " ".join(f"{x(p.session)},{y(p.score)}" for p in points)
    band = ""
    if points and all(p.lower is not None and p.upper is not None for p in points):
        upper = [f"{x(p.session)},{y(p.upper)}" for p in points]  # type: ignore[arg-type]
        lower = [f"{x(p.session)},{y(p.lower)}" for p in reversed(points)]  # type: ignore[arg-type]
        band = " ".join(upper + lower)
    dots = [(x(p.session), y(p.score), p.off_track, p) for p in points]
    steps = 4
    y_ticks = [(y(lo + span * i / steps), _number(lo + span * i / steps)) for i in range(steps + 1)]
    x_ticks = [(x(p.session), p.session) for p in points]
    threshold = y(spec.alert_below) if spec.purpose == "session" and spec.alert_below > 0 else None
    return SvgChart(width, height, line, band, dots, y_ticks, x_ticks, left, right, top, bottom, threshold)
