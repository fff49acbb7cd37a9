"""The demo loader builds follow-up data for the people app's demo persons and is idempotent."""

from __future__ import annotations

import pytest

from mestring.followup import demo
from mestring.followup.models import BoardEntry, Episode, FeedbackScore
from mestring.people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(world) -> None:  # type: ignore[no-untyped-def]
    people_demo.load(world)
    demo.load(world)
    counts = (Episode.objects.count(), FeedbackScore.objects.count(), BoardEntry.objects.count())
    demo.load(world)
    assert (Episode.objects.count(), FeedbackScore.objects.count(), BoardEntry.objects.count()) == counts
    # The four named demo persons, and Suldal FACT-light's wider caseload (those in a pathway).
    assert counts[0] == 4 + sum(1 for _name, phase, *_rest in demo.SULDAL_TEAM if phase)
    assert FeedbackScore.objects.filter(person__first_name="Geir", off_track=True).exists()
    assert not FeedbackScore.objects.filter(person__first_name="Line", off_track=True).exists()


def test_suldal_caseload_gives_the_leader_figures_to_read(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.followup.quality import unit_quality

    people_demo.load(world)
    demo.load(world)
    report = unit_quality(world.org("suldal-fact-light"))
    table = report.table("oppfolging")
    assert table.n is not None and table.n >= 15
    shown = [cell.value for _label, cells, *_rest in table.body() for cell in cells]
    assert sum(1 for value in shown if value not in (None, 0)) >= 8  # most indicators show real numbers
